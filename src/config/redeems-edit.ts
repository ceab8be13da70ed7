// Edits of redeems.toml for the admin page: create, edit, rename or delete one [redeems.<name>] table. The
// streamer's comments, order and formatting, and every table and key not edited, stay byte for byte as they were.
// A result is only ever written when it reads back as the old data with the edit applied and loads (parseRedeems).
import { createHash, randomBytes } from 'node:crypto'
import { closeSync, fchmodSync, fstatSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { parse as parsePreserving, parseDocument, patch, stringify, TomlFormat } from '@decimalturn/toml-patch'
import { parse as parseToml } from 'smol-toml'
import { COMMAND_WORD } from '../modules/commands/registry.ts'
import { REDEEM_KEYS } from '../modules/settings/schema.ts'
import { ConfigError, didYouMean, parseRedeems, REDEEMS_FILE } from './load.ts'
import defaultRedeemsToml from '../../instance.example/redeems.toml' with { type: 'text' }

import type { EditResult, RedeemEdit, RedeemsFile, RedeemValues } from '../modules/redeems/file.ts'

export type { EditResult, RedeemEdit, RedeemsFile, RedeemValues }

type Failure = Exclude<EditResult, { ok: true } | { reason: 'conflict' }>
type Table = Record<string, unknown>

const LABEL = REDEEMS_FILE
/** The version of a redeems.toml that does not exist (the built-in defaults apply). */
const MISSING = 'missing'
const WENT_WRONG = `editing ${LABEL} went wrong (the result reads back differently); nothing was written`
/** Names valibot's record leaves out (parseRedeems refuses them); also unsafe as plain object keys. */
const FORBIDDEN_NAMES = new Set(['__proto__', 'prototype', 'constructor'])
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Reads redeems.toml; version = sha256 hex of the bytes. A missing file reads as the built-in defaults with version
 * 'missing'. tables = the raw [redeems.*] tables, for filling in an edit form. Throws ConfigError when the file is
 * not UTF-8 or not TOML.
 */
export function readRedeemsFile(path: string): RedeemsFile {
	const bytes = readBytes(path)
	const text = bytes === undefined ? defaultRedeemsToml : decode(bytes)
	if (text === undefined) throw new ConfigError(`${LABEL}: not UTF-8 text; fix it by hand first`)
	const data = readToml(text)
	if (!data) throw new ConfigError(loadMessage(text))
	const tables: Record<string, RedeemValues> = {}
	const redeems = data.redeems
	if (isTable(redeems)) {
		for (const [name, table] of Object.entries(redeems)) if (isTable(table)) tables[name] = { ...table } as RedeemValues
	}
	return { text, version: bytes === undefined ? MISSING : versionOf(bytes), tables }
}

/** Pure: the new text for an edit, or why there is none. */
export function applyRedeemEdit(source: string, edit: RedeemEdit): { ok: true; text: string } | Failure {
	const before = readToml(source)
	if (!before) return invalid(loadMessage(source))
	const rawRedeems = before.redeems ?? {}
	if (!isTable(rawRedeems)) return invalid(loadMessage(source))
	const redeems: Table = rawRedeems
	const name = edit.name
	if (typeof name !== 'string') return invalid(`${LABEL}: a redeem needs a name`)

	let expected: Table
	let attempts: (() => string)[]
	if (edit.kind === 'delete') {
		if (!Object.hasOwn(redeems, name)) return missing(name)
		expected = { ...before, redeems: Object.fromEntries(Object.entries(redeems).filter(([key]) => key !== name)) }
		attempts = [() => removeTable(source, name), () => patchWith(source, (doc) => void delete redeemsOf(doc)[name])]
	} else if (edit.kind === 'save') {
		const checked = checkValues(name, edit.values)
		if (!checked.ok) return checked
		const values = checked.values
		// An empty previousName (a form's hidden field) means a new redeem too: no redeem can be called "".
		const previous = edit.previousName === '' ? undefined : edit.previousName
		if (previous !== undefined && typeof previous !== 'string') return invalid(`${LABEL}: a redeem needs a name`)
		if (previous !== name) {
			const problem = checkNewName(name)
			if (problem) return problem
			const twin = Object.keys(redeems).find((other) => other !== previous && other.toLowerCase() === name.toLowerCase())
			if (twin !== undefined) return { ok: false, reason: 'exists', message: `there is already a redeem called ${twin}` }
		}
		if (previous === undefined) {
			// Create.
			expected = { ...before, redeems: { ...redeems, [name]: values } }
			attempts = [
				() => appendTable(source, name, values),
				() => patchWith(source, (doc) => void (redeemsOf(doc)[name] = values))
			]
		} else {
			if (!Object.hasOwn(redeems, previous)) return missing(previous)
			const old = redeems[previous]
			const renamed = Object.fromEntries(Object.entries(redeems).map(([key, value]) => (key === previous ? [name, values] : [key, value])))
			expected = { ...before, redeems: renamed }
			if (previous === name) {
				attempts = [
					() => addKeys(changeKeys(source, name, values), name, old, values),
					() => patchWith(source, (doc) => void (redeemsOf(doc)[name] = values))
				]
			} else {
				attempts = [
					() => addKeys(changeKeys(renameHeader(source, previous, name), name, values), name, old, values),
					() => {
						const text = patchWith(source, (doc) => {
							const table = redeemsOf(doc)
							doc.redeems = Object.fromEntries(Object.entries(table).map(([key, value]) => [key === previous ? name : key, value]))
						})
						return patchWith(text, (doc) => void (redeemsOf(doc)[name] = values))
					},
					// toml-patch cannot rename some shapes (a key of [redeems] holding an inline table): remove, then add.
					() => {
						const text = patchWith(source, (doc) => void delete redeemsOf(doc)[previous])
						return patchWith(text, (doc) => void (redeemsOf(doc)[name] = values))
					}
				]
			}
		}
	} else {
		return invalid(`${LABEL}: unknown kind of edit`)
	}

	const text = firstReadingBack(attempts, expected)
	if (text === undefined) return invalid(WENT_WRONG)
	try {
		parseRedeems(text, LABEL)
	} catch (error) {
		if (error instanceof ConfigError) return invalid(error.message)
		throw error
	}
	return { ok: true, text }
}

/**
 * Reads the file, refuses when its version is not expectedVersion ('conflict'), applies the edit, then writes
 * atomically: the previous bytes go to redeems.toml.bak (owner-only, replaced each save), the new text to a
 * temporary file beside it that is renamed over the old one, with the old file's mode (owner-only for a new file).
 * An edit that changes nothing writes nothing. Errors of the file system (a full disk, no permission) are thrown.
 */
export function saveRedeemEdit(path: string, expectedVersion: string, edit: RedeemEdit): EditResult {
	const current = readWithMode(path)
	const version = current ? versionOf(current.bytes) : MISSING
	if (version !== expectedVersion) return { ok: false, reason: 'conflict' }
	const source = current ? decode(current.bytes) : defaultRedeemsToml
	if (source === undefined) return invalid(`${LABEL}: not UTF-8 text; fix it by hand first; nothing was written`)
	const result = applyRedeemEdit(source, edit)
	if (!result.ok) return result
	if (result.text === source) return { ok: true, version }
	const bytes = Buffer.from(result.text, 'utf8')
	const temporary = temporaryPath(path)
	let renamed = false
	try {
		writeNewFile(temporary, bytes, current ? current.mode : 0o600)
		// A last look: another save (another tab, another process) may have written in the meantime.
		const now = readBytes(path)
		if ((now === undefined ? MISSING : versionOf(now)) !== version) return { ok: false, reason: 'conflict' }
		if (current) writeBackup(`${path}.bak`, current.bytes)
		renameSync(temporary, path)
		renamed = true
	} finally {
		if (!renamed) rmSync(temporary, { force: true })
	}
	syncFolder(dirname(path))
	return { ok: true, version: versionOf(bytes) }
}

// ---- checks -------------------------------------------------------------------------------------------------------

function invalid(message: string): Failure {
	return { ok: false, reason: 'invalid', message }
}

function missing(name: string): Failure {
	return { ok: false, reason: 'missing', message: `there is no redeem called ${name}` }
}

/** The values in REDEEM_KEYS order (keys set to undefined left out), or why they cannot be written. */
function checkValues(name: string, values: unknown): { ok: true; values: RedeemValues } | Failure {
	const where = `${LABEL}: redeems.${tomlKey(name)}`
	if (!isPlainObject(values)) return invalid(`${where}: expected the redeem's keys and values`)
	for (const [key, value] of Object.entries(values)) {
		if (!(REDEEM_KEYS as readonly string[]).includes(key)) {
			const hint = didYouMean(key, REDEEM_KEYS)
			return invalid(`${where}.${tomlKey(key)}: ${hint ? `unknown key; did you mean "${hint}"?` : `unknown key; known keys are ${REDEEM_KEYS.join(', ')}`}`)
		}
		if (value !== undefined && !writable(value)) {
			return invalid(`${where}.${key}: cannot be written: expected a text, a number, true or false, or a list of texts`)
		}
	}
	const ordered: RedeemValues = {}
	for (const key of REDEEM_KEYS) {
		const value = values[key]
		if (value !== undefined) ordered[key] = value as RedeemValues[string]
	}
	return { ok: true, values: ordered }
}

function writable(value: unknown): boolean {
	if (typeof value === 'string') return value.isWellFormed()
	if (typeof value === 'number') return Number.isFinite(value)
	if (typeof value === 'boolean') return true
	return Array.isArray(value) && value.every((item) => typeof item === 'string' && item.isWellFormed())
}

/** A name for a new or renamed redeem, checked the way parseRedeems checks it (so it can also be written safely). */
function checkNewName(name: string): Failure | undefined {
	const where = `${LABEL}: redeems.${tomlKey(name)}`
	if (FORBIDDEN_NAMES.has(name)) return invalid(`${where}: "${name}" cannot be a redeem name; rename the redeem`)
	if (!COMMAND_WORD.test(name)) {
		return invalid(`${where}: a redeem name is a chat command: 1 to 64 characters without spaces, got ${JSON.stringify(name)}`)
	}
	return undefined
}

/** The message parseRedeems gives for a text smol-toml cannot read (or whose [redeems] is not a table). */
function loadMessage(text: string): string {
	try {
		parseRedeems(text, LABEL)
	} catch (error) {
		if (error instanceof ConfigError) return error.message
		throw error
	}
	return `${LABEL}: invalid TOML`
}

// ---- producing the text -------------------------------------------------------------------------------------------

/** The first attempt whose text reads back as expected; an attempt that throws is skipped. */
function firstReadingBack(attempts: (() => string)[], expected: Table): string | undefined {
	for (const attempt of attempts) {
		let text: string
		try {
			text = attempt()
		} catch {
			continue
		}
		const after = readToml(text)
		if (after && Bun.deepEquals(withoutEmptyRedeems(after), withoutEmptyRedeems(expected))) return text
	}
	return undefined
}

/** An empty [redeems] and none at all are the same: deleting the last redeem leaves no redeems table behind. */
function withoutEmptyRedeems(data: Table): Table {
	if (!isTable(data.redeems) || Object.keys(data.redeems).length > 0) return data
	const { redeems: _, ...rest } = data
	return rest
}

/** toml-patch's patch with the document changed by `change`. */
function patchWith(text: string, change: (doc: Table) => void): string {
	const doc = parsePreserving(text) as Table
	change(doc)
	return patch(text, doc)
}

function redeemsOf(doc: Table): Table {
	if (doc.redeems === undefined) doc.redeems = {}
	if (!isTable(doc.redeems)) throw new Error('redeems is not a table')
	return doc.redeems
}

/** Changed values and removed keys of one redeem, by toml-patch: only those lines change. New keys are addKeys' job. */
function changeKeys(text: string, name: string, values: RedeemValues): string {
	const doc = parsePreserving(text) as Table
	const redeems = redeemsOf(doc)
	const table = redeems[name]
	if (!isTable(table)) {
		redeems[name] = values
		return patch(text, doc)
	}
	let changed = false
	for (const key of Object.keys(table)) {
		if (!Object.hasOwn(values, key)) {
			delete table[key]
			changed = true
		} else if (!Bun.deepEquals(table[key], values[key], true)) {
			table[key] = values[key]
			changed = true
		}
	}
	return changed ? patch(text, doc) : text
}

/**
 * New keys of one redeem, as lines after its last key (toml-patch would put them after the table's last line, which
 * can be a comment about the next table). A redeem that is not a [redeems.<name>] table is left to toml-patch.
 */
function addKeys(text: string, name: string, old: unknown, values: RedeemValues): string {
	const added = Object.fromEntries(Object.entries(values).filter(([key]) => !isTable(old) || !Object.hasOwn(old, key)))
	if (!isTable(old) || Object.keys(added).length === 0) return text
	const table = findTable(text, name)
	if (!table) return patchWith(text, (doc) => void Object.assign(redeemsOf(doc)[name] as Table, added))
	const lines = text.split('\n')
	const after = contentEnd(table) // 1-based line number = index of the line after it
	const anchor = lines[lastContentStart(table) - 1] ?? ''
	const indent = /^[ \t]*/.exec(anchor)?.[0] ?? ''
	const cr = lineEnd(text) === '\r\n' ? '\r' : ''
	const inserted = keyLines(text, added).map((line) => indent + line + cr)
	if (after >= lines.length) {
		// After the file's last line, which has no line end: it gets one, the new last line does not.
		lines[lines.length - 1] += cr
		inserted[inserted.length - 1] = (inserted[inserted.length - 1] ?? '').slice(0, cr ? -1 : undefined)
	}
	lines.splice(after, 0, ...inserted)
	return lines.join('\n')
}

/** A new redeem: a [redeems.<name>] table at the end of the file, after a blank line. */
function appendTable(text: string, name: string, values: RedeemValues): string {
	const end = lineEnd(text)
	let head = text
	if (head !== '' && !head.endsWith('\n')) head += end
	if (head.trim() !== '' && !/\n[ \t]*\r?\n$/.test(head)) head += end
	const body = [`[redeems.${tomlKey(name)}]`, ...keyLines(text, values)].map((line) => line + end).join('')
	return head + body
}

/** The redeem's table renamed in its place: only the [header] changes. */
function renameHeader(text: string, previous: string, name: string): string {
	const table = findTable(text, previous)
	if (!table) throw new Error('not a [redeems.<name>] table')
	const { start, end } = table.key.loc
	if (start.line !== end.line) throw new Error('header over several lines')
	const lines = text.split('\n')
	const line = lines[start.line - 1] ?? ''
	const header = line.slice(start.column, end.column)
	if (!header.startsWith('[') || !header.endsWith(']')) throw new Error('unexpected header')
	lines[start.line - 1] = line.slice(0, start.column) + `[redeems.${tomlKey(name)}]` + line.slice(end.column)
	return lines.join('\n')
}

/**
 * The redeem's table removed: its header, its keys and the comments among them, and the comment lines directly
 * above its header (no blank line between) unless they open the file. Comments after its last key stay: they may
 * be about the next table.
 */
function removeTable(text: string, name: string): string {
	const cst = parseDocument(text).cst as unknown as Node[]
	const index = cst.findIndex((block) => isRedeemTable(block, name))
	const table = cst[index] as TableNode | undefined
	if (!table) throw new Error('not a [redeems.<name>] table')
	const lines = text.split('\n')
	const before = Math.max(0, ...cst.slice(0, index).map(contentEnd))
	let first = table.key.loc.start.line
	if (before > 0) while (first - 1 > before && isCommentLine(lines[first - 2])) first--
	let at = first - 1
	lines.splice(at, contentEnd(table) - first + 1)
	const blank = (i: number) => i >= 0 && i < lines.length && (lines[i] ?? '').trim() === ''
	if (lines.slice(at).every((line) => line.trim() === '')) {
		// It was the last table: the blank lines that separated it go too, the end of the file stays as it was.
		while (blank(at - 1)) {
			lines.splice(at - 1, 1)
			at--
		}
	} else if ((at === 0 || blank(at - 1)) && blank(at)) {
		lines.splice(at, 1)
	}
	return lines.join('\n')
}

// ---- the syntax tree of toml-patch --------------------------------------------------------------------------------

type Position = { line: number; column: number }
type Node = { type: string; loc: { start: Position; end: Position } }
type TableNode = Node & { type: 'Table'; key: Node & { item: { value: string[] } }; items: Node[] }

function isRedeemTable(block: Node, name: string): block is TableNode {
	if (block.type !== 'Table') return false
	const path = (block as TableNode).key.item.value
	return path.length === 2 && path[0] === 'redeems' && path[1] === name
}

function findTable(text: string, name: string): TableNode | undefined {
	const cst = parseDocument(text).cst as unknown as Node[]
	return cst.find((block): block is TableNode => isRedeemTable(block, name))
}

/** The last line (1-based) of a block's keys and values, comments not counted; 0 for a comment. */
function contentEnd(block: Node): number {
	if (block.type === 'Comment') return 0
	if (block.type === 'Table' || block.type === 'TableArray') {
		const table = block as TableNode
		return Math.max(table.key.loc.end.line, ...table.items.filter((item) => item.type !== 'Comment').map((item) => item.loc.end.line))
	}
	return block.loc.end.line
}

/** The first line (1-based) of a table's last key, or of its header when it has none. */
function lastContentStart(table: TableNode): number {
	const keys = table.items.filter((item) => item.type !== 'Comment')
	return (keys[keys.length - 1] ?? table.key).loc.start.line
}

// ---- small helpers ------------------------------------------------------------------------------------------------

/** `key = value` lines for the values, in the file's own style (spacing in lists). */
function keyLines(text: string, values: RedeemValues): string[] {
	if (Object.keys(values).length === 0) return []
	const format = TomlFormat.autoDetectFormat(text)
	format.newLine = '\n'
	// With no list in the file to copy from, lists are written like the example file's: ["a", "b"].
	if (!/=[ \t]*\[/.test(text)) format.bracketSpacing = false
	return stringify(values, format).trimEnd().split('\n')
}

/** What ends a line in the file: "\r" before the "\n" when the file uses CRLF. */
function lineEnd(text: string): string {
	return text.includes('\r\n') ? '\r\n' : '\n'
}

function isCommentLine(line: string | undefined): boolean {
	return line !== undefined && /^[ \t]*#/.test(line)
}

/** Dotted TOML key: bare when it can be, quoted otherwise (names are checked to hold no control characters). */
function tomlKey(key: string): string {
	return /^[A-Za-z0-9_-]+$/.test(key) ? key : `"${key.replace(/[\\"]/g, '\\$&').replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
}

/** A TOML table as smol-toml or toml-patch reads it (not a list, not a date). */
function isTable(value: unknown): value is Table {
	return isPlainObject(value)
}

function readToml(text: string): Table | undefined {
	try {
		return parseToml(text) as Table
	} catch {
		return undefined
	}
}

function decode(bytes: Uint8Array): string | undefined {
	try {
		return UTF8.decode(bytes)
	} catch {
		return undefined
	}
}

function versionOf(bytes: Uint8Array): string {
	return createHash('sha256').update(bytes).digest('hex')
}

// ---- files --------------------------------------------------------------------------------------------------------

function readBytes(path: string): Buffer | undefined {
	try {
		return readFileSync(path)
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
		throw error
	}
}

/** The file's bytes and mode, read from one open file; undefined when it does not exist. */
function readWithMode(path: string): { bytes: Buffer; mode: number } | undefined {
	let fd: number
	try {
		fd = openSync(path, 'r')
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
		throw error
	}
	try {
		return { mode: fstatSync(fd).mode & 0o777, bytes: readFileSync(fd) }
	} finally {
		closeSync(fd)
	}
}

function temporaryPath(path: string): string {
	return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
}

/** A new file (never an existing one) with exactly this mode (not narrowed by the umask), flushed to disk. */
function writeNewFile(path: string, bytes: Uint8Array, mode: number): void {
	const fd = openSync(path, 'wx', mode)
	try {
		fchmodSync(fd, mode)
		let written = 0
		while (written < bytes.length) written += writeSync(fd, bytes, written)
		fsyncSync(fd)
	} finally {
		closeSync(fd)
	}
}

/** redeems.toml.bak: the previous bytes, owner-only, replaced in one step. */
function writeBackup(path: string, bytes: Uint8Array): void {
	const temporary = temporaryPath(path)
	let renamed = false
	try {
		writeNewFile(temporary, bytes, 0o600)
		renameSync(temporary, path)
		renamed = true
	} finally {
		if (!renamed) rmSync(temporary, { force: true })
	}
}

/** Makes the rename itself durable where the system allows it (best effort). */
function syncFolder(folder: string): void {
	try {
		const fd = openSync(folder, 'r')
		try {
			fsyncSync(fd)
		} finally {
			closeSync(fd)
		}
	} catch {
		// Not every system can open or sync a folder; the rename has happened either way.
	}
}
