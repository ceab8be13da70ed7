// `tlapbot doctor`: checks the set-up from end to end and says what to fix. The checks themselves are in
// src/modules/doctor/; this file loads the configuration, asks for the Owncast admin password, and prints.
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { defineCommand } from 'citty'
import { parse as parseToml } from 'smol-toml'
import { CONFIG_FILE, ConfigError, displayPath, ENV_PREFIX, loadConfig, loadRedeems, resolveInstanceDir, type Env } from '../config/load.ts'
import { migrations } from '../db/migrations/index.ts'
import { redactUrl } from '../log.ts'
import { checkDiskSpace, localChecks } from '../modules/doctor/local.ts'
import { owncastChecks } from '../modules/doctor/owncast.ts'
import { anyFailed, check, type CheckResult, type CheckStatus } from '../modules/doctor/result.ts'
import { createOwncastAdminClient } from '../modules/owncast/admin-client.ts'
import { createOwncastProbe } from '../modules/owncast/client.ts'
import type { Config } from '../modules/settings/schema.ts'
import { VERSION } from '../version.ts'
import { instanceArgs } from './_args.ts'
import { UserError } from './_instance.ts'

/** The environment variable with Owncast's admin password (for the webhook check); never a config.toml key. */
export const ADMIN_PASSWORD_ENV = 'TLAPBOT_OWNCAST_ADMIN_PASSWORD'
/** config.toml keys whose values are never printed. */
const SECRET_KEYS = ['owncast_access_token', 'secret_key', 'webhook_secret', 'admin_password'] as const
/** Owncast requests of the doctor give up after this long (the bot's own default is 5 s too). */
const TIMEOUT_MS = 5000

export default defineCommand({
	meta: {
		name: 'doctor',
		description: 'Check the set-up: config, database, disk, backups, Owncast, the token and its scopes, public_url, webhook, clock'
	},
	args: {
		...instanceArgs,
		json: { type: 'boolean', description: 'Print the results as JSON (for scripts)' },
		'owncast-admin': {
			type: 'boolean',
			description: `Ask for Owncast's admin password (not shown while typed) to check the webhook too; or set ${ADMIN_PASSWORD_ENV}`
		}
	},
	async run({ args }) {
		const env: Env = process.env
		const instanceDir = resolveInstanceDir(args.instance, env)
		// The variable wins: with it set, --owncast-admin does not ask (scripts pass both).
		const adminPassword = env[ADMIN_PASSWORD_ENV] || (args['owncast-admin'] ? await askPassword("Owncast's admin password: ") : undefined)
		const results = await runChecks(instanceDir, env, adminPassword)
		const secrets = secretValues(instanceDir, env, adminPassword)
		const clean = results.map((r) => scrub(r, secrets))
		if (args.json) {
			console.log(JSON.stringify(report(instanceDir, clean), null, 2))
		} else {
			for (const line of formatLines(clean, colourWanted(env))) console.log(line)
		}
		if (anyFailed(clean)) process.exitCode = 1
	}
})

async function runChecks(instanceDir: string, env: Env, adminPassword: string | undefined): Promise<CheckResult[]> {
	const loaded = checkConfig(instanceDir, env)
	if (!loaded.config) {
		const why = 'skipped: the configuration does not load'
		const disk = checkDiskSpace({ instanceDir, databasePath: resolve(instanceDir, 'tlapbot.sqlite'), show: displayPath })
		return [
			loaded.result,
			check('database', 'Database', 'skip', why),
			disk,
			check('backups', 'Backups', 'skip', why),
			check('owncast', 'Owncast', 'skip', why)
		]
	}
	const config = loaded.config
	const local = localChecks({
		databasePath: config.databasePath,
		instanceDir,
		backupKeep: config.backup_keep,
		schemaVersion: migrations.length,
		show: displayPath
	})
	const options = { baseUrl: config.owncast_url, timeoutMs: TIMEOUT_MS }
	const network = await owncastChecks({
		probe: createOwncastProbe({ ...options, accessToken: config.owncast_access_token }),
		admin: adminPassword ? createOwncastAdminClient({ ...options, password: adminPassword }) : undefined,
		owncastUrl: config.owncast_url,
		accessToken: config.owncast_access_token,
		needs: { sendMessages: !config.passive, systemMessages: !config.passive && config.private_replies },
		webhookSecret: config.webhook_secret,
		publicUrl: config.public_url,
		version: VERSION
	})
	return [loaded.result, ...local, ...network]
}

/** config.toml (with TLAPBOT_* overrides) and redeems.toml, loaded the way `serve` loads them, without writing. */
function checkConfig(instanceDir: string, env: Env): { result: CheckResult; config?: Config } {
	const title = 'Configuration'
	// The admin password variable is the doctor's, not a setting: keep it from the unknown-variable warning.
	const settingsEnv = Object.fromEntries(Object.entries(env).filter(([name]) => name !== ADMIN_PASSWORD_ENV))
	try {
		const { config, warnings } = loadConfig(instanceDir, settingsEnv)
		const { redeems, fromDefaults } = loadRedeems(instanceDir)
		const files = `${displayPath(resolve(instanceDir, CONFIG_FILE))} and ${fromDefaults ? 'the default redeems' : displayPath(resolve(instanceDir, 'redeems.toml'))}`
		const detail = `${files} load (${redeems.length} redeem${redeems.length === 1 ? '' : 's'})`
		if (warnings.length > 0) return { result: check('config', title, 'warn', `${detail}; ${warnings.join('; ')}`), config }
		return { result: check('config', title, 'ok', detail), config }
	} catch (error) {
		if (error instanceof ConfigError) {
			return { result: check('config', title, 'fail', error.message, 'correct what the line names, then run `tlapbot doctor` again') }
		}
		return { result: check('config', title, 'fail', `cannot read the configuration: ${(error as Error).message}`) }
	}
}

type Report = {
	ok: boolean
	version: string
	instance: string
	summary: Record<CheckStatus, number>
	checks: CheckResult[]
}

function report(instanceDir: string, checks: CheckResult[]): Report {
	const summary: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, info: 0, skip: 0 }
	for (const r of checks) summary[r.status]++
	return { ok: !anyFailed(checks), version: VERSION, instance: instanceDir, summary, checks }
}

/** Colour only on a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb. */
const colourWanted = (env: Env) => process.stdout.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb'

const MARKS: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', info: '·', skip: '-' }
const COLOURS: Record<CheckStatus, [number, number]> = { ok: [32, 39], warn: [33, 39], fail: [31, 39], info: [36, 39], skip: [90, 39] }

/** One line per check: mark, title, what was found, and "→ what to do" when there is something to do. */
export function formatLines(results: readonly CheckResult[], colour: boolean): string[] {
	const paint = (status: CheckStatus, text: string) => (colour ? `\u001B[${COLOURS[status][0]}m${text}\u001B[${COLOURS[status][1]}m` : text)
	const lines = results.map((r) => `${paint(r.status, MARKS[r.status])} ${r.title}: ${r.detail}${r.fix ? ` → ${r.fix}` : ''}`)
	const { fail, warn } = report('', [...results]).summary
	const verdict =
		fail > 0
			? paint('fail', `${fail} check${fail === 1 ? '' : 's'} failed`)
			: paint('ok', warn > 0 ? `no check failed (${warn} warning${warn === 1 ? '' : 's'})` : 'everything checked is fine')
	return [...lines, '', verdict]
}

/**
 * Every secret the output could echo: the secret settings (from the loaded config, config.toml as text and the
 * environment, so a file that does not load is covered too), the admin password, user names and passwords in URLs.
 */
function secretValues(instanceDir: string, env: Env, adminPassword: string | undefined): string[] {
	const values: unknown[] = [adminPassword]
	let raw: Record<string, unknown> = {}
	try {
		const file = resolve(instanceDir, CONFIG_FILE)
		if (existsSync(file)) raw = parseToml(readFileSync(file, 'utf8')) as Record<string, unknown>
	} catch {
		// A file that does not parse: the TOML error names a line and column, not values.
	}
	for (const key of SECRET_KEYS) values.push(raw[key], env[`${ENV_PREFIX}${key.toUpperCase()}`])
	for (const key of ['owncast_url', 'public_url']) {
		for (const url of [raw[key], env[`${ENV_PREFIX}${key.toUpperCase()}`]]) {
			if (typeof url !== 'string' || !URL.canParse(url.trim())) continue
			const { username, password } = new URL(url.trim())
			values.push(username, password, decodeURIComponent(username), decodeURIComponent(password))
		}
	}
	const strings = values.filter((v): v is string => typeof v === 'string').map((v) => v.trim())
	// Very short values would blank out ordinary words; the config requires longer secrets anyway.
	return [...new Set(strings.filter((v) => v.length >= 4))].sort((a, b) => b.length - a.length)
}

function scrub(result: CheckResult, secrets: readonly string[]): CheckResult {
	const clean = (text: string) => secrets.reduce((t, secret) => t.replaceAll(secret, '***'), redactUrl(text))
	const out: CheckResult = { ...result, title: clean(result.title), detail: clean(result.detail) }
	if (result.fix !== undefined) out.fix = clean(result.fix)
	return out
}

/**
 * Reads a password: on a terminal without echo (to stderr, so stdout stays the report), else the first line of
 * standard input (`... | tlapbot doctor --owncast-admin`).
 */
async function askPassword(prompt: string): Promise<string | undefined> {
	const stdin = process.stdin
	if (!stdin.isTTY) {
		const text = await new Response(Bun.stdin.stream()).text()
		const line = text.split(/\r?\n/)[0] ?? ''
		if (!line) throw new UserError(`--owncast-admin: no password on standard input; type it on a terminal, or set ${ADMIN_PASSWORD_ENV}`)
		return line
	}
	process.stderr.write(prompt)
	stdin.setRawMode(true)
	stdin.setEncoding('utf8')
	stdin.resume()
	return await new Promise<string | undefined>((done, fail) => {
		let value = ''
		const finish = () => {
			stdin.off('data', onData)
			stdin.setRawMode(false)
			stdin.pause()
			process.stderr.write('\n')
		}
		const onData = (chunk: string) => {
			for (const char of chunk) {
				if (char === '\r' || char === '\n' || char === '\u0004') {
					finish()
					done(value || undefined)
					return
				}
				if (char === '\u0003') {
					finish()
					fail(new UserError('cancelled'))
					return
				}
				if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('')
				else if (char >= ' ') value += char
			}
		}
		stdin.on('data', onData)
	})
}
