// Reads the instance folder: config.toml (plus TLAPBOT_* environment overrides) and redeems.toml.
// Nothing else is read: no .env file, no other environment variables.
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { parse as parseToml, TomlError } from 'smol-toml'
import * as v from 'valibot'
import { redactUrl } from '../log.ts'
import { DEFAULT_MESSAGES, placeholdersOf, type MessageKey } from '../modules/messages/messages.ts'
import { checkRenames, COMMAND_IDS, COMMAND_WORD } from '../modules/commands/registry.ts'
import type { Redeem, RedeemLimits } from '../modules/redeems/model.ts'
import { pollProblem, type ConfigPoll } from '../modules/polls/service.ts'
import {
	CONFIG_KEYS,
	ConfigSchema,
	EXPECTED,
	REDEEM_KEYS,
	RedeemsFileSchema,
	type Config,
	type RedeemData
} from '../modules/settings/schema.ts'
import defaultRedeemsToml from '../../instance.example/redeems.toml' with { type: 'text' }

export const CONFIG_FILE = 'config.toml'
export const REDEEMS_FILE = 'redeems.toml'
export const ENV_PREFIX = 'TLAPBOT_'
/** Environment variables with our prefix that are not config keys but are still ours. */
const OTHER_ENV = new Set(['TLAPBOT_INSTANCE', 'TLAPBOT_REQUIRE_BROWSER', 'TLAPBOT_DEBUG', 'TLAPBOT_OWNCAST_ADMIN_PASSWORD'])

export type Env = Record<string, string | undefined>

/** A problem with the user's files or settings: printed as one line, exit code 2. */
export class ConfigError extends Error {
	readonly exitCode = 2
	override name = 'ConfigError'
}

/** The instance folder: --instance, else TLAPBOT_INSTANCE, else ./instance, always from the working directory. */
export function resolveInstanceDir(flag: string | undefined, env: Env = process.env, cwd = process.cwd()): string {
	const chosen = flag?.trim() || env.TLAPBOT_INSTANCE?.trim() || 'instance'
	return resolve(cwd, chosen)
}

/** A short label for a file in messages: relative to the working directory when inside it. */
export function displayPath(path: string, cwd = process.cwd()): string {
	const rel = relative(cwd, path)
	return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}

export function loadConfig(instanceDir: string, env: Env = process.env): { config: Config; warnings: string[] } {
	const file = resolve(instanceDir, CONFIG_FILE)
	if (!existsSync(file)) {
		throw new ConfigError(
			`${displayPath(file)} not found: run \`tlapbot init\` to create the instance folder, or pass --instance <dir>`
		)
	}
	const fromFile = readToml(file)
	const { values: fromEnv, sources, warnings } = readEnvOverrides(env)
	const merged = { ...fromFile, ...fromEnv }
	const result = v.safeParse(ConfigSchema, merged)
	if (!result.success) {
		throw new ConfigError(formatIssue(displayPath(file), firstIssue(result.issues), merged, sources, CONFIG_KEYS))
	}
	const data = result.output
	// The raw table: valibot's record leaves out keys such as "constructor", which must be reported too.
	const rawMessages = merged.messages
	checkMessages(displayPath(file), rawMessages && typeof rawMessages === 'object' ? (rawMessages as Record<string, string>) : data.messages)
	const rawCommands = merged.commands
	checkCommands(displayPath(file), rawCommands && typeof rawCommands === 'object' ? (rawCommands as Record<string, string>) : data.commands)
	const config: Config = { ...data, instanceDir, databasePath: resolve(instanceDir, data.database) }
	return { config, warnings }
}

/** The redeems from redeems.toml, or the built-in defaults when the file does not exist. */
export function loadRedeems(instanceDir: string): { redeems: Redeem[]; fromDefaults: boolean } {
	const file = resolve(instanceDir, REDEEMS_FILE)
	if (!existsSync(file)) return { redeems: parseRedeems(defaultRedeemsToml, 'default redeems'), fromDefaults: true }
	return { redeems: parseRedeems(readFileSync(file, 'utf8'), displayPath(file)), fromDefaults: false }
}

/** The [polls.<name>] tables of redeems.toml (checked like the redeems: a bad poll is a clear error). */
export function loadPolls(instanceDir: string): ConfigPoll[] {
	const file = resolve(instanceDir, REDEEMS_FILE)
	if (!existsSync(file)) return []
	return parsePolls(readFileSync(file, 'utf8'), displayPath(file))
}

export function parsePolls(source: string, label: string): ConfigPoll[] {
	const raw = parseTomlText(source, label)
	const result = v.safeParse(RedeemsFileSchema, raw)
	if (!result.success) throw new ConfigError(formatIssue(label, firstIssue(result.issues), raw, {}, ['redeems', 'polls']))
	const rawPolls = raw.polls && typeof raw.polls === 'object' ? Object.keys(raw.polls) : []
	const dropped = rawPolls.find((name) => !Object.hasOwn(result.output.polls, name))
	if (dropped !== undefined) throw new ConfigError(`${label}: polls.${tomlKey(dropped)}: "${dropped}" cannot be a poll name; rename the poll`)
	const polls: ConfigPoll[] = []
	for (const [name, data] of Object.entries(result.output.polls)) {
		const problem = pollProblem(name, data.info, data.options)
		if (problem) throw new ConfigError(`${label}: polls.${tomlKey(name)}: ${problem}`)
		polls.push({ name, question: data.info, options: data.options })
	}
	return polls
}

export function parseRedeems(source: string, label: string): Redeem[] {
	const raw = parseTomlText(source, label)
	const result = v.safeParse(RedeemsFileSchema, raw)
	if (!result.success) throw new ConfigError(formatIssue(label, firstIssue(result.issues), raw, {}, ['redeems', 'polls']))
	parsePolls(source, label)
	// valibot's record leaves out keys that could touch an object's prototype; say so instead of dropping them.
	const rawRedeems = raw.redeems && typeof raw.redeems === 'object' ? Object.keys(raw.redeems) : []
	const dropped = rawRedeems.find((name) => !Object.hasOwn(result.output.redeems, name))
	if (dropped !== undefined) {
		throw new ConfigError(`${label}: redeems.${tomlKey(dropped)}: "${dropped}" cannot be a redeem name; rename the redeem`)
	}
	const redeems: Redeem[] = []
	const seen = new Map<string, string>()
	for (const [name, data] of Object.entries(result.output.redeems)) {
		const where = `${label}: redeems.${tomlKey(name)}`
		if (!COMMAND_WORD.test(name)) {
			throw new ConfigError(
				`${where}: a redeem name is a chat command: 1 to 64 characters without spaces, got ${JSON.stringify(name)}`
			)
		}
		// A name shared with a built-in command is allowed: the redeem wins (see modules/commands/registry.ts).
		const lower = name.toLowerCase()
		const twin = seen.get(lower)
		if (twin !== undefined) {
			throw new ConfigError(
				`${where}: same command as redeems.${tomlKey(twin)} (commands ignore case); rename one of them`
			)
		}
		seen.set(lower, name)
		const common = {
			name,
			categories: data.category ?? [],
			...(data.info ? { info: data.info } : {}),
			...(data.title ? { title: data.title } : {}),
			autoFulfil: 'auto_fulfil' in data ? data.auto_fulfil === true : false,
			limits: limitsOf(data)
		}
		if (data.type === 'milestone') redeems.push({ ...common, type: 'milestone', goal: data.goal })
		else redeems.push({ ...common, type: data.type, price: data.price })
	}
	return redeems
}

/** [messages] may only override known messages, and only with the placeholders each one offers. */
function checkMessages(label: string, overrides: Record<string, string>) {
	const known = Object.keys(DEFAULT_MESSAGES)
	for (const [key, template] of Object.entries(overrides)) {
		if (!Object.hasOwn(DEFAULT_MESSAGES, key)) throw new ConfigError(`${label}: messages.${tomlKey(key)}: ${withHint(key, known)}`)
		const offered = new Set(placeholdersOf(DEFAULT_MESSAGES[key as MessageKey]))
		const unknown = placeholdersOf(template).filter((p) => !offered.has(p))
		if (unknown.length) {
			const list = [...offered].map((p) => `{${p}}`).join(', ') || 'none'
			throw new ConfigError(`${label}: messages.${key}: unknown placeholder {${unknown[0]}}; this message offers ${list}`)
		}
	}
}

/** [commands] may only rename built-in commands, each to its own valid name. */
function checkCommands(label: string, renames: Record<string, string>) {
	const problem = checkRenames(renames)
	if (!problem) return
	const where = `${label}: commands.${tomlKey(problem.key)}`
	if (problem.message === 'unknown') throw new ConfigError(`${where}: not a built-in command; ${withHint(problem.key, COMMAND_IDS).replace('unknown key; ', '')}`)
	throw new ConfigError(`${where}: ${problem.message}`)
}

function limitsOf(data: RedeemData): RedeemLimits {
	const limits: RedeemLimits = {}
	if (data.cooldown) limits.cooldown = data.cooldown
	if (data.user_cooldown) limits.userCooldown = data.user_cooldown
	if (data.max_per_stream !== undefined) limits.maxPerStream = data.max_per_stream
	if (data.max_per_user_per_stream !== undefined) limits.maxPerUserPerStream = data.max_per_user_per_stream
	if (data.stock !== undefined) limits.stock = data.stock
	if (data.only_live) limits.onlyLive = true
	if ('max_note_length' in data && data.max_note_length !== undefined) limits.maxNoteLength = data.max_note_length
	return limits
}

function readToml(file: string): Record<string, unknown> {
	let source: string
	try {
		source = readFileSync(file, 'utf8')
	} catch (error) {
		throw new ConfigError(`${displayPath(file)}: cannot read: ${(error as Error).message}`)
	}
	return parseTomlText(source, displayPath(file))
}

function parseTomlText(source: string, label: string): Record<string, unknown> {
	try {
		return parseToml(source) as Record<string, unknown>
	} catch (error) {
		if (error instanceof TomlError) {
			const reason = error.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? 'invalid TOML'
			throw new ConfigError(`${label}:${error.line}:${error.column}: invalid TOML: ${reason}`)
		}
		throw new ConfigError(`${label}: invalid TOML: ${(error as Error).message}`)
	}
}

/** TLAPBOT_<KEY> variables, converted from text to the type the key holds. */
function readEnvOverrides(env: Env): { values: Record<string, unknown>; sources: Record<string, string>; warnings: string[] } {
	const values: Record<string, unknown> = {}
	const sources: Record<string, string> = {}
	const warnings: string[] = []
	const defaults = v.getDefaults(ConfigSchema) as Record<string, unknown>
	for (const [name, text] of Object.entries(env)) {
		if (!name.startsWith(ENV_PREFIX) || text === undefined || OTHER_ENV.has(name)) continue
		const key = name.slice(ENV_PREFIX.length).toLowerCase()
		if (!(CONFIG_KEYS as string[]).includes(key)) {
			const hint = didYouMean(key, CONFIG_KEYS)
			warnings.push(
				`${name} is not a tlapbot setting and is ignored${hint ? `; did you mean ${ENV_PREFIX}${hint.toUpperCase()}?` : ''}`
			)
			continue
		}
		sources[key] = name
		values[key] = fromEnvText(text, defaults[key], key)
	}
	return { values, sources, warnings }
}

function fromEnvText(text: string, example: unknown, key: string): unknown {
	const trimmed = text.trim()
	if (typeof example === 'number' || key === 'port') {
		return /^[+-]?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : text
	}
	if (typeof example === 'boolean') {
		if (/^(true|1|yes|on)$/i.test(trimmed)) return true
		if (/^(false|0|no|off)$/i.test(trimmed)) return false
		return text
	}
	if (Array.isArray(example)) {
		if (trimmed.startsWith('[')) {
			try {
				return (parseToml(`v = ${trimmed}`) as { v: unknown }).v
			} catch {
				return text
			}
		}
		return trimmed === '' ? [] : trimmed.split(',').map((s) => s.trim())
	}
	return text
}

type AnyIssue = v.BaseIssue<unknown>

/** An unknown key first: a misspelt required key ("prcie") also shows up as missing, and the typo is the real cause. */
function firstIssue(issues: readonly AnyIssue[]): AnyIssue | undefined {
	return issues.find((i) => i.type === 'strict_object' && i.expected === 'never') ?? issues[0]
}

function formatIssue(
	label: string,
	issue: AnyIssue | undefined,
	input: Record<string, unknown>,
	envSources: Record<string, string>,
	topKeys: readonly string[]
): string {
	if (!issue) return `${label}: invalid`
	const path = issue.path?.map((p) => p.key as string | number) ?? []
	const top = path[0]
	const where = typeof top === 'string' && envSources[top] ? `${envSources[top]} (environment)` : label
	const dotted = path.map((k, i) => (i === 0 ? tomlKey(String(k)) : typeof k === 'number' ? `[${k}]` : tomlKey(k))).join('.').replace(/\.\[/g, '[')
	const last = path[path.length - 1]
	if (issue.type === 'strict_object' && typeof last === 'string') {
		if (issue.expected === 'never') {
			return `${where}: ${dotted}: ${unknownKeyMessage(last, path, input, topKeys)}`
		}
		// A required key is missing.
		const expected = EXPECTED[last as keyof typeof EXPECTED] ?? 'a value'
		return `${where}: ${dotted}: missing; ${expected}`
	}
	// A secret is never printed, not even a wrong one: it may be the real one with a typo, or another secret.
	const secret = typeof top === 'string' && (SECRET_KEYS.has(top) || top === 'outgoing_webhooks')
	const received = issue.input === undefined ? 'nothing' : secret ? describeSecret(issue.input) : describeValue(issue.input)
	return `${where}: ${dotted || '(top level)'}: ${issue.message}, got ${received}`
}

function unknownKeyMessage(
	key: string,
	path: (string | number)[],
	input: Record<string, unknown>,
	topKeys: readonly string[]
): string {
	if (path[0] === 'redeems' && path.length === 3) {
		const redeem = (input.redeems as Record<string, Record<string, unknown>> | undefined)?.[String(path[1])]
		if (key === 'price' && redeem?.type === 'milestone') {
			return 'a milestone has no price: viewers donate any amount towards its goal; remove price and set goal'
		}
		if (key === 'goal' && redeem?.type !== 'milestone') {
			return `only milestone redeems have a goal; a ${String(redeem?.type)} redeem has a price`
		}
		return withHint(key, REDEEM_KEYS)
	}
	if (path[0] === 'outgoing_webhooks') return withHint(key, ['url', 'events', 'secret', 'format'])
	return withHint(key, path.length === 1 ? topKeys : REDEEM_KEYS)
}

function withHint(key: string, candidates: readonly string[]): string {
	const hint = didYouMean(key, candidates)
	return hint ? `unknown key; did you mean "${hint}"?` : `unknown key; known keys are ${candidates.join(', ')}`
}

/** Keys whose values are never printed in errors or logs. */
const SECRET_KEYS = new Set(['secret_key', 'webhook_secret', 'admin_password', 'owncast_access_token', 'overlay_key'])

/** What a secret's value is, without showing it. */
function describeSecret(value: unknown): string {
	if (typeof value === 'string') return `a text of ${[...value].length} characters (not shown)`
	return `${Array.isArray(value) ? 'a list' : typeof value} (not shown)`
}

function describeValue(value: unknown): string {
	// Redacted before shortening, so a cut cannot leave half of a URL's user name and password behind.
	const text = redactUrl(typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value))
	return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** Dotted TOML key: bare when it can be, quoted otherwise. */
function tomlKey(key: string): string {
	return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key)
}

/** The closest candidate within a small edit distance, for "did you mean" hints. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
	let best: string | undefined
	let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1
	for (const candidate of candidates) {
		const distance = editDistance(word.toLowerCase(), candidate.toLowerCase())
		if (distance < bestDistance) {
			best = candidate
			bestDistance = distance
		}
	}
	return best
}

function editDistance(a: string, b: string): number {
	let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
	for (let i = 1; i <= a.length; i++) {
		const current = [i]
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1
			current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost)
		}
		previous = current
	}
	return previous[b.length] ?? 0
}
