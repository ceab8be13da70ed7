// Edits of config.toml that keep the streamer's comments, order and formatting (`tlapbot connect`): only the
// values of the given top-level keys change. A key that is missing is written under its commented-out example
// ("# public_url = ...") when the file has one, else with the other top-level keys, before the first table.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { parse as parsePreserving, patch, stringify } from '@decimalturn/toml-patch'
import { parse as parseToml } from 'smol-toml'

export type TopLevelValues = Record<string, string>

/** The text with each key set to its value; everything else byte for byte as it was. */
export function setTopLevelKeys(source: string, values: TopLevelValues): string {
	const before = parseToml(source) as Record<string, unknown>
	for (const key of Object.keys(values)) {
		if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new Error(`cannot write the key ${JSON.stringify(key)}`)
		const existing = before[key]
		if (existing !== undefined && typeof existing !== 'string') {
			throw new Error(`${key} in config.toml is a ${Array.isArray(existing) ? 'list' : typeof existing}, not text; fix it by hand first`)
		}
	}
	let text = source
	const newline = source.includes('\r\n') ? '\r\n' : '\n'
	for (const [key, value] of Object.entries(values)) {
		if (before[key] === undefined) text = insertUnderExample(text, key, value, newline)
	}
	const document = parsePreserving(text) as Record<string, unknown>
	const result = patch(text, { ...document, ...values })
	// A wrong edit must never reach the file: the result has to read back as the old settings plus the new values.
	const after = parseToml(result) as Record<string, unknown>
	const expected = { ...before, ...values }
	if (!Bun.deepEquals(after, expected)) throw new Error('editing config.toml went wrong (the result reads back differently); nothing was written')
	return result
}

/** Puts `key = value` on the line after a top-level `# key = ...` example, if there is one before the first table. */
function insertUnderExample(text: string, key: string, value: string, newline: string): string {
	const lines = text.split(/\r?\n/)
	const firstTable = lines.findIndex((line) => /^\s*\[/.test(line))
	const end = firstTable === -1 ? lines.length : firstTable
	const example = new RegExp(`^\\s*#\\s*${key}\\s*=`)
	const at = lines.slice(0, end).findIndex((line) => example.test(line))
	if (at === -1) return text
	const assignment = stringify({ [key]: value }).trim()
	lines.splice(at + 1, 0, assignment)
	return lines.join(newline)
}

/**
 * Writes config.toml in one step (a temporary file beside it, then a rename), with the old file's mode (owner-only
 * for a file tlapbot made): a crash or a full disk never leaves half a file, and a running `serve` reads either the
 * old or the new one.
 */
export function writeConfigFile(path: string, text: string): void {
	const mode = statSync(path).mode & 0o777
	const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
	const fd = openSync(temporary, 'w', mode)
	try {
		writeSync(fd, text)
		fsyncSync(fd)
	} catch (error) {
		closeSync(fd)
		rmSync(temporary, { force: true })
		throw error
	}
	closeSync(fd)
	try {
		renameSync(temporary, path)
	} catch (error) {
		rmSync(temporary, { force: true })
		throw error
	}
}

/** Sets the keys in the file; returns false when they already had those values (the file is not touched then). */
export function updateConfigFile(path: string, values: TopLevelValues): boolean {
	const source = readFileSync(path, 'utf8')
	const next = setTopLevelKeys(source, values)
	if (next === source) return false
	writeConfigFile(path, next)
	return true
}
