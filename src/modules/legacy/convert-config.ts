// Turns the values of the old Python bot's config.py and redeems.py into tlapbot's TOML files.

import { stringify } from 'smol-toml'
import type { PyValue } from './python-literal.ts'

export type Conversion = { toml: string; warnings: string[] }

type Dict = { [key: string]: PyValue }
type Kind = 'string' | 'int' | 'bool' | 'strings'

// Old name, new name, expected type; also the order of the output.
const CONFIG_KEYS: readonly (readonly [string, string, Kind])[] = [
	['SECRET_KEY', 'secret_key', 'string'],
	['OWNCAST_ACCESS_TOKEN', 'owncast_access_token', 'string'],
	['OWNCAST_INSTANCE_URL', 'owncast_url', 'string'],
	['POINTS_CYCLE_TIME', 'points_cycle_time', 'int'],
	['POINTS_AMOUNT_GIVEN', 'points_amount_given', 'int'],
	['PASSIVE', 'passive', 'bool'],
	['LIST_REDEEMS', 'list_redeems', 'bool'],
	['ACTIVE_CATEGORIES', 'active_categories', 'strings'],
	['PREFIX', 'prefix', 'string'],
]

/** config.toml's rule for secret_key (modules/settings/schema.ts). */
const MIN_SECRET_LENGTH = 16

const EXPECTED: Record<Kind, string> = {
	string: 'a string',
	int: 'an integer',
	bool: 'True or False',
	strings: 'a list of strings',
}

const REDEEM_TYPES = ['list', 'note', 'counter', 'milestone']
const REDEEM_KEYS = new Set(['type', 'price', 'goal', 'info', 'category'])
const TYPE_EXPECTED = 'expected "list", "note", "counter" or "milestone"'

/** Python's repr() of a parsed literal, for error messages. */
export function pyRepr(value: PyValue): string {
	if (value === null) return 'None'
	if (value === true) return 'True'
	if (value === false) return 'False'
	if (typeof value === 'number') {
		if (Number.isNaN(value)) return 'nan'
		if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
		return String(value)
	}
	if (typeof value === 'string') return reprString(value)
	if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`
	return `{${Object.entries(value).map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`).join(', ')}}`
}

function reprString(s: string): string {
	// Python picks double quotes only when that avoids escaping.
	const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
	let out = quote
	for (const ch of s) {
		const code = ch.codePointAt(0) as number
		if (ch === '\\' || ch === quote) out += '\\' + ch
		else if (ch === '\n') out += '\\n'
		else if (ch === '\r') out += '\\r'
		else if (ch === '\t') out += '\\t'
		else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0')
		else if (code >= 0xd800 && code <= 0xdfff) out += '\\u' + code.toString(16).padStart(4, '0')
		else out += ch
	}
	return out + quote
}

function isDict(value: PyValue | undefined): value is Dict {
	return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// Lone surrogates (from '\ud800' escapes) cannot be written as UTF-8 or TOML.
function isWellFormed(s: string): boolean {
	return !/[\uD800-\uDFFF]/u.test(s)
}

function isString(value: PyValue): value is string {
	return typeof value === 'string' && isWellFormed(value)
}

// Python ints come out of the parser as safe JS integers; True/False are not accepted as numbers here.
function isInt(value: PyValue): value is number {
	return typeof value === 'number' && Number.isSafeInteger(value)
}

function isStringList(value: PyValue): value is string[] {
	return Array.isArray(value) && value.every(isString)
}

function matches(kind: Kind, value: PyValue): boolean {
	switch (kind) {
		case 'string':
			return isString(value)
		case 'int':
			return isInt(value)
		case 'bool':
			return typeof value === 'boolean'
		case 'strings':
			return isStringList(value)
	}
}

// Own data property even for keys like "__proto__".
function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
	Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
}

// The header comment, a blank line, then the TOML body.
function document(file: string, now: Date, body: string): string {
	// A newline in the file name must not end the comment.
	const name = file.replace(/[\u0000-\u001f\u007f]/g, ' ')
	const header = `# Converted from ${name} by tlapbot import-legacy on ${now.toISOString()}\n`
	const trimmed = body.trim()
	return trimmed === '' ? header : `${header}\n${trimmed}\n`
}

/** Converts the assignments of an old config.py; throws on a value of the wrong type. */
export function convertLegacyConfig(values: Map<string, PyValue>, file: string, now: Date = new Date()): Conversion {
	const warnings: string[] = []
	const known = new Set(CONFIG_KEYS.map(([oldKey]) => oldKey))
	for (const key of values.keys()) {
		if (known.has(key)) continue
		if (key === 'GUNICORN') warnings.push('GUNICORN has no equivalent: tlapbot logs to standard output; use log_level')
		else warnings.push(`${key} is not a setting tlapbot knows; it was dropped`)
	}

	const out: Record<string, unknown> = {}
	for (const [oldKey, newKey, kind] of CONFIG_KEYS) {
		if (!values.has(oldKey)) continue
		const value = values.get(oldKey) as PyValue
		if (!matches(kind, value)) throw new Error(`${file}: ${oldKey}: expected ${EXPECTED[kind]}, got ${pyRepr(value)}`)
		if (oldKey === 'SECRET_KEY' && value === 'dev') {
			warnings.push("SECRET_KEY is the old default 'dev'; it was dropped and a fresh secret will be generated")
			continue
		}
		// The old key signed only the old bot's Flask sessions, which tlapbot does not read: a key too short for
		// secret_key is replaced rather than stopping the whole migration.
		if (oldKey === 'SECRET_KEY' && (value as string).length < MIN_SECRET_LENGTH) {
			warnings.push(
				`SECRET_KEY is shorter than the ${MIN_SECRET_LENGTH} characters secret_key needs; it was dropped and a fresh secret will be generated (it signed nothing tlapbot uses)`
			)
			continue
		}
		setKey(out, newKey, value)
	}
	return { toml: document(file, now, stringify(out)), warnings }
}

/** Converts the REDEEMS dictionary of an old redeems.py; throws on a malformed redeem. */
export function convertLegacyRedeems(values: Map<string, PyValue>, file: string, now: Date = new Date()): Conversion {
	const redeems = values.get('REDEEMS')
	if (redeems === undefined) throw new Error(`${file}: no REDEEMS dictionary found`)
	if (!isDict(redeems)) throw new Error(`${file}: REDEEMS: expected a dict, got ${pyRepr(redeems)}`)
	const warnings: string[] = []
	for (const key of values.keys()) {
		if (key !== 'REDEEMS') warnings.push(`${key} is not used by tlapbot; it was dropped`)
	}

	const out: Record<string, unknown> = {}
	for (const [name, entry] of Object.entries(redeems)) {
		const where = `REDEEMS[${JSON.stringify(name)}]`
		const fail = (key: string, expected: string, got: PyValue): never => {
			throw new Error(`${file}: ${where}.${key}: ${expected}, got ${pyRepr(got)}`)
		}
		if (!isWellFormed(name)) throw new Error(`${file}: ${where}: the name is not valid Unicode text`)
		if (!isDict(entry)) throw new Error(`${file}: ${where}: expected a dict, got ${pyRepr(entry)}`)
		const has = (key: string): boolean => Object.hasOwn(entry, key)
		const get = (key: string): PyValue => entry[key] as PyValue

		for (const key of Object.keys(entry)) {
			if (!REDEEM_KEYS.has(key)) warnings.push(`${where}: unknown key ${JSON.stringify(key)} was dropped`)
		}
		if (!has('type')) throw new Error(`${file}: ${where}.type is missing; ${TYPE_EXPECTED}`)
		const type = get('type')
		if (typeof type !== 'string' || !REDEEM_TYPES.includes(type)) fail('type', TYPE_EXPECTED, type)
		const milestone = type === 'milestone'

		const redeem: Record<string, unknown> = { type }
		if (milestone) {
			if (has('price')) warnings.push(`${where}: milestones have no price; price was dropped`)
			if (!has('goal')) throw new Error(`${file}: ${where}.goal is missing; milestones need a goal`)
			const goal = get('goal')
			if (!isInt(goal) || goal <= 0) fail('goal', 'expected an integer greater than 0', goal)
			redeem['goal'] = goal
		} else {
			if (has('goal')) warnings.push(`${where}: only milestones have a goal; goal was dropped`)
			if (!has('price')) throw new Error(`${file}: ${where}.price is missing; ${type} redeems need a price`)
			const price = get('price')
			if (!isInt(price) || price < 0) fail('price', 'expected an integer of 0 or more', price)
			redeem['price'] = price
		}
		if (has('info')) {
			const info = get('info')
			if (!isString(info)) fail('info', 'expected a string', info)
			redeem['info'] = info
		}
		if (has('category')) {
			const category = get('category')
			if (!isStringList(category)) fail('category', 'expected a list of strings', category)
			redeem['category'] = category
		}
		setKey(out, name, redeem)
	}
	// Stringifying the nested object lets smol-toml quote names that are not bare keys.
	return { toml: document(file, now, stringify({ redeems: out })), warnings }
}
