// `tlapbot connect <owncast-url>`: sets Owncast up for the bot with its admin password (asked without echo, or
// TLAPBOT_OWNCAST_ADMIN_PASSWORD): access token, webhook, external action, and the four keys in config.toml.
// The steps are in src/modules/setup/connect.ts; this file reads the instance, the password and prints. No secret
// (the admin password, a token, webhook_secret) is ever printed: every line goes through scrub() as a last guard.
import type { Database } from 'bun:sqlite'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { defineCommand } from 'citty'
import { setTopLevelKeys, updateConfigFile, type TopLevelValues } from '../config/edit.ts'
import { ensureInstance, exampleConfig, generateSecret, tightenInstance } from '../config/instance.ts'
import { CONFIG_FILE, displayPath, ENV_PREFIX, loadConfig, resolveInstanceDir, type Env } from '../config/load.ts'
import { openDatabase } from '../db/database.ts'
import { redactUrl } from '../log.ts'
import { createOwncastAdminClient, type OwncastAdminClient } from '../modules/owncast/admin-client.ts'
import { connectOwncast, DEFAULT_BOT_NAME, type ConnectDeps, type ConnectValues } from '../modules/setup/connect.ts'
import { createSetupStore, readSetupRecord, type SetupStore } from '../modules/setup/store.ts'
import type { Config } from '../modules/settings/schema.ts'
import { instanceArgs } from './_args.ts'
import { UserError } from './_instance.ts'
import { hiddenQuestions } from './_prompt.ts'

/** Owncast's admin password for scripts; read here only, never a config.toml key and never stored. */
export const ADMIN_PASSWORD_ENV = 'TLAPBOT_OWNCAST_ADMIN_PASSWORD'
/** Owncast shows at most 30 characters of a chat name (MaxChatDisplayNameLength). */
const MAX_BOT_NAME = 30

export default defineCommand({
	meta: {
		name: 'connect',
		description:
			"Set Owncast up for the bot with its admin password (asked without echo, or TLAPBOT_OWNCAST_ADMIN_PASSWORD): access token, webhook, the Points button, and config.toml (run again any time; it replaces only what it made)"
	},
	args: {
		'owncast-url': {
			type: 'positional',
			description: 'Where tlapbot reaches Owncast, e.g. https://live.example.com or http://localhost:8080',
			required: true,
			valueHint: 'owncast-url'
		},
		'public-url': {
			type: 'string',
			description: 'The https address the bot is reached at (default: public_url from config.toml)',
			valueHint: 'url'
		},
		'bot-name': {
			type: 'string',
			description: `Name of the access token: the name the bot chats under (default "${DEFAULT_BOT_NAME}")`,
			valueHint: 'name'
		},
		'dry-run': {
			type: 'boolean',
			description: 'Print what would be done, and change nothing: not Owncast, not config.toml, not the database'
		},
		...instanceArgs
	},
	async run({ args }) {
		const env: Env = process.env
		const dry = args['dry-run'] === true
		const owncastUrl = canonicalUrl(String(args['owncast-url'] ?? ''), '<owncast-url>')
		const botName = (args['bot-name'] ?? DEFAULT_BOT_NAME).trim()
		if (!botName || [...botName].length > MAX_BOT_NAME) {
			throw new UserError(`--bot-name: 1 to ${MAX_BOT_NAME} characters (the name the bot chats under in Owncast)`)
		}

		// The instance is read now but only created (when missing) once Owncast has accepted a change, and never in a
		// dry run: a wrong password or address leaves no trace.
		const instanceDir = resolveInstanceDir(args.instance, env)
		const configPath = resolve(instanceDir, CONFIG_FILE)
		let config: Config | undefined
		if (existsSync(configPath)) {
			if (!dry) tightenInstance(instanceDir)
			const loaded = loadConfig(instanceDir, env)
			for (const warning of loaded.warnings) console.error(`warning: ${warning}`)
			config = loaded.config
		} else {
			console.log(`${displayPath(configPath)} does not exist yet: connect ${dry ? 'would create' : 'creates'} it, with the instance folder, when it writes.`)
		}
		// Without config.toml, what `serve` would use comes from the environment alone.
		const inForce = {
			publicUrl: config ? config.public_url : env.TLAPBOT_PUBLIC_URL?.trim() || undefined,
			accessToken: config ? config.owncast_access_token : env.TLAPBOT_OWNCAST_ACCESS_TOKEN?.trim() ?? '',
			webhookSecret: config ? config.webhook_secret : env.TLAPBOT_WEBHOOK_SECRET || undefined
		}

		const publicFlag = args['public-url']
		const publicUrl = canonicalUrl(publicFlag ?? inForce.publicUrl ?? '', '--public-url', !publicFlag && !inForce.publicUrl)
		if (owncastUrl.startsWith('https:') && !publicUrl.startsWith('https:')) {
			throw new UserError(
				`Owncast's page is https (${redactUrl(owncastUrl)}) but public_url is not (${redactUrl(publicUrl)}): browsers block an http dashboard inside an https page (mixed content), so the Points button would stay blank. Put the bot behind https (e.g. Caddy) and pass --public-url https://...; nothing was changed`
			)
		}
		const password = await readPassword(env)

		const secrets = new Set<string>([password])
		if (inForce.accessToken) secrets.add(inForce.accessToken)
		if (inForce.webhookSecret) secrets.add(inForce.webhookSecret)
		const scrub = (line: string) => scrubSecrets(line, secrets)

		console.log(`${dry ? 'Dry run: nothing is changed in Owncast, config.toml or the database. ' : ''}Connecting ${redactUrl(publicUrl)} to Owncast at ${redactUrl(owncastUrl)}`)
		const admin = guardSecrets(createOwncastAdminClient({ baseUrl: owncastUrl, password }), secrets)
		/** config.toml, made from the example (with a fresh secret_key) when it does not exist yet. */
		const instanceReady = (): Config => {
			if (!config) {
				for (const path of ensureInstance(instanceDir)) console.log(`Created ${displayPath(path)}`)
				config = loadConfig(instanceDir, env).config
			}
			return config
		}
		let db: Database | undefined
		let store: SetupStore | undefined
		const openStore = (): SetupStore => {
			if (!store) {
				db = openDatabase(instanceReady().databasePath)
				store = createSetupStore(db)
			}
			return store
		}
		try {
			// Read without opening the database for writing (no migration, no file made) until the first change.
			const setup: ConnectDeps['setup'] = {
				get: (url) => (store ? store.get(url) : config ? readSetupRecord(config.databasePath, url) : undefined),
				save: (url, change) => (dry ? undefined : openStore().save(url, change))
			}
			const result = await connectOwncast(
				{
					owncastUrl,
					publicUrl,
					botName,
					dryRun: dry,
					accessToken: inForce.accessToken,
					webhookSecret: inForce.webhookSecret
				},
				{
					admin,
					setup,
					generateSecret: () => {
						const secret = generateSecret()
						secrets.add(secret)
						return secret
					},
					writeConfig: (values) => {
						for (const value of [values.owncast_access_token, values.webhook_secret]) if (value) secrets.add(value)
						const text = toText(values)
						if (dry) {
							const source = existsSync(configPath) ? readFileSync(configPath, 'utf8') : exampleConfig()
							return setTopLevelKeys(source, text) === source ? 'unchanged' : 'changed'
						}
						instanceReady()
						return updateConfigFile(configPath, text) ? 'changed' : 'unchanged'
					},
					report: {
						step: (line) => console.log(scrub(line)),
						warn: (line) => console.error(scrub(line))
					}
				}
			)
			if (result.written) for (const line of shadowWarnings(result.written, env)) console.error(scrub(line))
			if (!result.ok) throw new UserError(scrub(result.error ?? 'connect failed'))
			console.log(
				dry
					? 'Dry run done: run the same command without --dry-run to do it.'
					: 'Connected. A running `tlapbot serve` picks the new config.toml up by itself; else start it with `tlapbot serve`.'
			)
		} finally {
			db?.close()
		}
	}
})

/** An http(s) address without a trailing slash (how config.toml keeps owncast_url and public_url). */
function canonicalUrl(text: string, what: string, missing = false): string {
	if (missing) {
		throw new UserError(
			'public_url is not set: pass --public-url https://bot.example.com (the https address of the bot, e.g. behind Caddy), or set public_url in config.toml'
		)
	}
	const trimmed = text.trim()
	let url: URL | undefined
	try {
		url = new URL(trimmed)
	} catch {
		url = undefined
	}
	if (!url || !/^https?:$/.test(url.protocol)) {
		throw new UserError(`${what}: expected an http(s) address such as https://live.example.com, got ${JSON.stringify(redactUrl(trimmed))}`)
	}
	if (url.search || url.hash) throw new UserError(`${what}: give the address without ?query or #fragment`)
	return trimmed.replace(/\/+$/, '')
}

/** The admin password: TLAPBOT_OWNCAST_ADMIN_PASSWORD, else asked on the terminal without echo. */
async function readPassword(env: Env): Promise<string> {
	const fromEnv = env[ADMIN_PASSWORD_ENV]
	if (fromEnv) return fromEnv
	if (!process.stdin.isTTY) {
		throw new UserError(`no Owncast admin password: run this on a terminal to be asked for it, or set ${ADMIN_PASSWORD_ENV}`)
	}
	const password = await askHidden("Owncast's admin password (not shown): ")
	if (!password) throw new UserError('no password given; nothing was changed')
	return password
}

/** Asks on the terminal with echo off: the prompt goes to stderr, the typed characters go nowhere. */
async function askHidden(prompt: string): Promise<string> {
	const questions = hiddenQuestions('cancelled; nothing was changed')
	try {
		return await questions.ask(prompt)
	} finally {
		questions.close()
	}
}

function toText(values: ConnectValues): TopLevelValues {
	const out: TopLevelValues = {}
	for (const [key, value] of Object.entries(values)) if (typeof value === 'string') out[key] = value
	return out
}

/** TLAPBOT_<KEY> set to something else wins over what connect wrote: say so (never with the values). */
export function shadowWarnings(written: ConnectValues, env: Env): string[] {
	const lines: string[] = []
	for (const [key, value] of Object.entries(written)) {
		const name = `${ENV_PREFIX}${key.toUpperCase()}`
		const set = env[name]
		if (set === undefined || typeof value !== 'string') continue
		const inForce = key.endsWith('_url') ? set.trim().replace(/\/+$/, '') : set.trim()
		if (inForce === value) continue
		lines.push(
			`warning: ${name} is set in the environment and wins over config.toml: \`tlapbot serve\` will not use the ${key} connect wrote. Remove ${name}, or set it to the value in config.toml.`
		)
	}
	return lines
}

/** Replaces every known secret (and its URL-encoded form) with ***. */
export function scrubSecrets(line: string, secrets: Iterable<string>): string {
	let out = line
	for (const secret of secrets) {
		if (secret.length < 4) continue
		for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('***')
	}
	return out
}

/** Every token Owncast lists or creates becomes a known secret before anything could print it. */
function guardSecrets(admin: OwncastAdminClient, secrets: Set<string>): OwncastAdminClient {
	return {
		...admin,
		async accessTokens() {
			const result = await admin.accessTokens()
			if (result.ok) for (const token of result.value) secrets.add(token.accessToken)
			return result
		},
		async createAccessToken(name, scopes) {
			const result = await admin.createAccessToken(name, scopes)
			if (result.ok) secrets.add(result.value.accessToken)
			return result
		},
		async webhooks() {
			const result = await admin.webhooks()
			if (result.ok) for (const hook of result.value) if (hook.secret) secrets.add(hook.secret)
			return result
		}
	}
}
