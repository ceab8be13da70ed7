// Live reload: edits to config.toml or redeems.toml take effect while serve runs (polled every second, and SIGHUP),
// after validation. An invalid edit is logged and the previous settings stay.
import { unwatchFile, watchFile, type Stats } from 'node:fs'
import { basename, join } from 'node:path'
import type { Deps } from '../deps.ts'
import { createMessages, type MessageOverrides } from '../modules/chat/messages.ts'
import { createOwncastClient } from '../modules/owncast/client.ts'
import { CONFIG_FILE, loadConfig, loadRedeems, REDEEMS_FILE, type Config, type Env } from './load.ts'

/** Settings that only a restart can change (the listening socket, the open database). */
const RESTART_ONLY = ['host', 'port', 'database'] as const

export type Reloader = {
	/** Reads both files again; true when the new settings were applied. */
	reload(reason: string): boolean
	/** Watches the instance folder and listens for SIGHUP; returns a function that stops both. */
	start(): () => void
}

export function createReloader(deps: Deps, options: { env?: Env; keep?: Partial<Config> } = {}): Reloader {
	const { log } = deps
	const instanceDir = deps.config.instanceDir

	function reload(reason: string): boolean {
		let config: Config
		let redeems: Deps['redeems']
		try {
			config = { ...loadConfig(instanceDir, options.env ?? process.env).config, ...options.keep }
			redeems = loadRedeems(instanceDir).redeems
		} catch (error) {
			log.error(`reload after ${reason} failed, keeping the previous settings`, error)
			return false
		}
		const previous = deps.config
		for (const key of RESTART_ONLY) {
			if (config[key] !== previous[key]) {
				log.warn(`${key} changed in ${CONFIG_FILE}; it takes effect after a restart`)
				;(config as Record<string, unknown>)[key] = previous[key]
			}
		}
		config.databasePath = previous.databasePath
		if (config.owncast_url !== previous.owncast_url || config.owncast_access_token !== previous.owncast_access_token) {
			deps.owncast = createOwncastClient({ baseUrl: config.owncast_url, accessToken: config.owncast_access_token })
		}
		deps.config = config
		deps.redeems = redeems
		deps.messages = createMessages(config.messages as MessageOverrides)
		log.level = config.log_level
		const { counters, milestones } = deps.redeemsRepo.addMissingRows(redeems, deps.clock())
		if (deps.moderation.applyConfigCategories(config.active_categories)) {
			log.info('active_categories changed in config.toml and replaces the categories moderators set in chat')
		}
		const added = [...counters.added, ...milestones.added]
		log.info(`settings reloaded after ${reason}${added.length ? `; added ${added.join(', ')}` : ''}`)
		return true
	}

	function start() {
		let timer: Timer | undefined
		const schedule = (reason: string) => {
			// Editors write in several steps (truncate, write, rename): wait until the files settle.
			clearTimeout(timer)
			timer = setTimeout(() => reload(reason), 300)
		}
		// Poll the two files' stats rather than watching the folder: the database lives there too, and a
		// folder watch would wake on every write. Polling also survives editors that replace files.
		const files = [CONFIG_FILE, REDEEMS_FILE].map((name) => join(instanceDir, name))
		const listeners = files.map((path) => {
			const listener = (current: Stats, previous: Stats) => {
				if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size || current.ino !== previous.ino) {
					schedule(`a change to ${basename(path)}`)
				}
			}
			watchFile(path, { interval: 1000, persistent: false }, listener)
			return () => unwatchFile(path, listener)
		})
		const onHup = () => schedule('SIGHUP')
		process.on('SIGHUP', onHup)
		return () => {
			clearTimeout(timer)
			for (const stop of listeners) stop()
			process.off('SIGHUP', onHup)
		}
	}

	return { reload, start }
}
