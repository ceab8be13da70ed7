// The runtime owns the settings in force and everything built from them: the Owncast client, the chat sender
// and the command rate limiter. A reload (config.toml or redeems.toml changed, or SIGHUP) validates both files,
// replaces the settings as a whole, rebuilds what depends on them, and tells subscribers (the points timer,
// daily backups, the stores' start-up rows, ...). An invalid edit is logged and the previous settings stay.
// Everything the README says reloads live does, except host, port and database, which need a restart.
import { statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { CONFIG_FILE, loadConfig, loadPolls, loadRedeems, REDEEMS_FILE, type Env } from './config/load.ts'
import type { ConfigPoll } from './modules/polls/service.ts'
import type { Logger } from './log.ts'
import { createRateLimiter, type RateLimiter } from './modules/chat/rate-limit.ts'
import { createChatSender, type ChatSender } from './modules/owncast/chat-sender.ts'
import { createOwncastClient, type OwncastClient } from './modules/owncast/client.ts'
import type { Redeem } from './modules/redeems/model.ts'
import type { Config } from './modules/settings/schema.ts'
import { buildSettings, type Settings, type SettingsSource } from './modules/settings/settings.ts'

/** Settings that only a restart can change (the listening socket, the open database). */
export const RESTART_ONLY = ['host', 'port', 'database'] as const

/** Called after a reload changed the settings; may return a short note for the reload's log line. */
export type SettingsListener = (next: Settings, previous: Settings) => string | undefined | void

export type Runtime = {
	/** The settings in force now. */
	readonly settings: SettingsSource
	/** Owncast, with the URL and token in force now. */
	readonly owncast: OwncastClient
	readonly chat: ChatSender
	/** The per-viewer command rate limit in force now. */
	readonly limiter: RateLimiter
	subscribe(listener: SettingsListener): () => void
	/** Reads both files again; true when the new settings were applied. */
	reload(reason: string): boolean
	/**
	 * Polls config.toml and redeems.toml (every pollMs, 1 s by default; a change reloads settleMs later, 300 ms) and
	 * listens for SIGHUP; returns a function that stops both.
	 */
	watch(timing?: { pollMs?: number; settleMs?: number }): () => void
	/** Tells the runtime where serve listens, once it does. */
	listening(url: string): void
}

/** The polls in redeems.toml at start (the redeems were checked by whoever read the file; a bad poll is logged). */
function pollsAtStart(instanceDir: string, log: Logger): ConfigPoll[] {
	try {
		return loadPolls(instanceDir)
	} catch (error) {
		log.error('redeems.toml: its polls cannot be read; no poll from the file is open', error)
		return []
	}
}

export function createRuntime(input: {
	config: Config
	redeems: readonly Redeem[]
	/** redeems.toml's [polls] (read from the instance folder when left out). */
	polls?: readonly ConfigPoll[]
	log: Logger
	fetch?: typeof fetch
	/** Where TLAPBOT_* overrides are read from on reload (process.env by default). */
	env?: Env
	/** Values that win over the files, also after a reload (serve's --host and --port). */
	keep?: Partial<Config>
	clock?: () => number
}): Runtime {
	const { log } = input
	// The address serve actually listens on (--port 0 picks one), for links when public_url is not set.
	let listeningUrl: string | undefined
	let settings = buildSettings(input.config, input.redeems, undefined, input.polls ?? pollsAtStart(input.config.instanceDir, log))
	const listeners = new Set<SettingsListener>()

	const buildClient = (config: Config) =>
		createOwncastClient({
			baseUrl: config.owncast_url,
			accessToken: config.owncast_access_token,
			...(input.fetch ? { fetch: input.fetch } : {})
		})
	let client = buildClient(settings.config)
	const owncast: OwncastClient = {
		status: () => client.status(),
		chatUsers: () => client.chatUsers(),
		eachChatUser: (each) => client.eachChatUser(each),
		sendChat: (body) => client.sendChat(body),
		sendPrivate: (clientId, body) => client.sendPrivate(clientId, body),
		userClients: (userId) => client.userClients(userId)
	}
	const chat = createChatSender(owncast, log, { privateReplies: () => settings.config.private_replies, clock: input.clock ?? Date.now })
	let limiter = createRateLimiter(settings.config.command_rate_limit)

	function apply(config: Config, redeems: readonly Redeem[], polls: readonly ConfigPoll[]): string[] {
		const previous = settings
		settings = buildSettings(config, redeems, listeningUrl, polls)
		if (config.owncast_url !== previous.config.owncast_url || config.owncast_access_token !== previous.config.owncast_access_token) {
			client = buildClient(config)
		}
		// A new token, or one given the scope in Owncast meanwhile: private replies are tried again.
		chat.retryPrivate()
		if (config.command_rate_limit !== previous.config.command_rate_limit) limiter = createRateLimiter(config.command_rate_limit)
		log.level = config.log_level
		const notes: string[] = []
		for (const listener of listeners) {
			try {
				const note = listener(settings, previous)
				if (note) notes.push(note)
			} catch (error) {
				log.error('applying reloaded settings failed', error)
			}
		}
		return notes
	}

	// Poll the two files' stats rather than watching the folder: the database lives there too, and a folder watch
	// would wake on every write. Polling also survives editors that replace files.
	const watchedFiles = () => [CONFIG_FILE, REDEEMS_FILE].map((name) => join(settings.config.instanceDir, name))
	const stamp = (path: string) => {
		try {
			const stat = statSync(path)
			return `${stat.mtimeMs}:${stat.size}:${stat.ino}`
		} catch {
			return 'missing'
		}
	}
	/** The files as last loaded, while watching: a change the bot made and reloaded itself (the redeem editor) is not seen again. */
	let seen: Map<string, string> | undefined

	function reload(reason: string): boolean {
		// Taken before the files are read: an edit made while they are read still counts as a change.
		const stamps = watchedFiles().map((path) => [path, stamp(path)] as const)
		let config: Config
		let redeems: Redeem[]
		let polls: ConfigPoll[]
		const instanceDir = settings.config.instanceDir
		try {
			config = { ...loadConfig(instanceDir, input.env ?? process.env).config, ...input.keep }
			redeems = loadRedeems(instanceDir).redeems
			polls = loadPolls(instanceDir)
		} catch (error) {
			log.error(`reload after ${reason} failed, keeping the previous settings`, error)
			return false
		}
		const previous = settings.config
		for (const key of RESTART_ONLY) {
			if (config[key] !== previous[key]) {
				log.warn(`${key} changed in ${CONFIG_FILE}; it takes effect after a restart`)
				;(config as Record<string, unknown>)[key] = previous[key]
			}
		}
		config.databasePath = previous.databasePath
		const notes = apply(config, redeems, polls)
		if (seen) for (const [path, at] of stamps) seen.set(path, at)
		log.info(`settings reloaded after ${reason}${notes.length ? `; ${notes.join('; ')}` : ''}`)
		return true
	}

	function watch(timing: { pollMs?: number; settleMs?: number } = {}) {
		let timer: Timer | undefined
		const schedule = (reason: string) => {
			// Editors write in several steps (truncate, write, rename): wait until the files settle.
			clearTimeout(timer)
			timer = setTimeout(() => reload(reason), timing.settleMs ?? 300)
		}
		// The first stat is taken now, so an edit made right after start is seen too.
		const files = watchedFiles()
		const watching = new Map(files.map((path) => [path, stamp(path)]))
		seen = watching
		const poll = setInterval(() => {
			for (const path of files) {
				const now = stamp(path)
				if (now === watching.get(path)) continue
				watching.set(path, now)
				schedule(`a change to ${basename(path)}`)
			}
		}, timing.pollMs ?? 1000)
		poll.unref()
		const onHup = () => schedule('SIGHUP')
		process.on('SIGHUP', onHup)
		return () => {
			clearTimeout(timer)
			clearInterval(poll)
			process.off('SIGHUP', onHup)
			if (seen === watching) seen = undefined
		}
	}

	return {
		settings: () => settings,
		owncast,
		chat,
		limiter: { allow: (viewerId, now) => limiter.allow(viewerId, now) },
		subscribe(listener) {
			listeners.add(listener)
			return () => listeners.delete(listener)
		},
		reload,
		watch,
		listening(url) {
			listeningUrl = url
			settings = buildSettings(settings.config, settings.redeems, url, settings.polls)
		}
	}
}
