import { describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { loadRedeems, parseRedeems } from '../../src/config/load.ts'
import {
	applyRedeemEdit,
	readRedeemsFile,
	saveRedeemEdit,
	type EditResult,
	type RedeemEdit,
	type RedeemValues
} from '../../src/config/redeems-edit.ts'
import defaultRedeemsToml from '../../instance.example/redeems.toml' with { type: 'text' }
import { makeTempDir, useTempDirs } from '../helpers.ts'

useTempDirs()

/** A file the way a streamer keeps one: a header, comments about redeems, comments inside them. */
const STREAMER_FILE = `# My redeems. Keep them cheap!
# (edited by hand and on the admin page)

[redeems.hydrate]
type = "list"   # goes to the queue
price = 60
# cooldown = 30

# Lurkers get counted.
[redeems.lurk]
type = "counter"
price = 1
info = "Let us know you're going to lurk."

[redeems.go_nap]
type = "milestone"
goal = 1000 # about an hour of streaming
info = "Streamer will go nap when the goal is reached."
`

/** A folder holding redeems.toml with this text (and mode); returns the file's path. */
function redeemsFile(text: string, mode = 0o644): string {
	const path = join(makeTempDir(), 'redeems.toml')
	writeFileSync(path, text)
	chmodSync(path, mode)
	return path
}

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex')
const modeOf = (path: string) => statSync(path).mode & 0o777
const read = (path: string) => readFileSync(path, 'utf8')
const lines = (text: string) => text.split('\n')

/** Saves against the version just read; fails the test when the save does not succeed. */
function save(path: string, edit: RedeemEdit): string {
	const result = saveRedeemEdit(path, readRedeemsFile(path).version, edit)
	if (!result.ok) throw new Error(`expected the save to succeed, got ${JSON.stringify(result)}`)
	return result.version
}

/** The new text of a pure edit; fails the test when there is none. */
function applied(source: string, edit: RedeemEdit): string {
	const result = applyRedeemEdit(source, edit)
	if (!result.ok) throw new Error(`expected the edit to succeed, got ${JSON.stringify(result)}`)
	return result.text
}

/** Only redeems.toml and (once something was saved) its .bak: no temporary file is ever left behind. */
function expectNoStrayFiles(path: string, withBackup: boolean) {
	const folder = join(path, '..')
	expect(readdirSync(folder).sort()).toEqual(withBackup ? ['redeems.toml', 'redeems.toml.bak'] : ['redeems.toml'])
}

const edit = (name: string, values: RedeemValues): RedeemEdit => ({ kind: 'save', name, previousName: name, values })

describe('readRedeemsFile', () => {
	test('gives the text, the sha256 of the bytes and the raw tables', () => {
		const path = redeemsFile(STREAMER_FILE)
		const file = readRedeemsFile(path)
		expect(file.text).toBe(STREAMER_FILE)
		expect(file.version).toBe(sha256(readFileSync(path)))
		expect(file.tables).toEqual({
			hydrate: { type: 'list', price: 60 },
			lurk: { type: 'counter', price: 1, info: "Let us know you're going to lurk." },
			go_nap: { type: 'milestone', goal: 1000, info: 'Streamer will go nap when the goal is reached.' }
		})
	})

	test('a missing file reads as the built-in defaults with version "missing"', () => {
		const file = readRedeemsFile(join(makeTempDir(), 'redeems.toml'))
		expect(file.text).toBe(defaultRedeemsToml)
		expect(file.version).toBe('missing')
		expect(Object.keys(file.tables)).toEqual(['hydrate', 'lurk', 'react', 'request', 'go_nap', 'inactive'])
		expect(file.tables.inactive).toEqual({
			type: 'note',
			price: 100,
			info: 'Example redeem that is inactive by default',
			category: ['inactive']
		})
	})

	test('a file that is not TOML is a ConfigError naming the file and the place', () => {
		const path = redeemsFile('[redeems.hydrate\ntype = "list"\n')
		expect(() => readRedeemsFile(path)).toThrow(/^redeems\.toml:1:\d+: invalid TOML/)
	})
})

describe('create', () => {
	test('appends a table, keeps the header byte for byte, and the result loads', () => {
		const path = redeemsFile(STREAMER_FILE)
		const version = save(path, {
			kind: 'save',
			name: 'dance',
			values: { type: 'note', price: 25, info: 'Show me a "dance" move', category: ['party', 'gaming'], max_note_length: 80 }
		})
		const text = read(path)
		expect(text).toBe(
			STREAMER_FILE +
				'\n[redeems.dance]\ntype = "note"\nprice = 25\ninfo = "Show me a \\"dance\\" move"\ncategory = ["party", "gaming"]\nmax_note_length = 80\n'
		)
		expect(version).toBe(sha256(readFileSync(path)))
		expect(readRedeemsFile(path).version).toBe(version)
		const dance = parseRedeems(text, 'redeems.toml').find((r) => r.name === 'dance')
		expect(dance).toMatchObject({ type: 'note', price: 25, categories: ['party', 'gaming'], limits: { maxNoteLength: 80 } })
		const loaded = loadRedeems(join(path, '..'))
		expect(loaded.fromDefaults).toBe(false)
		expect(loaded.redeems.map((r) => r.name)).toEqual(['hydrate', 'lurk', 'go_nap', 'dance'])
	})

	test('the previous bytes go to redeems.toml.bak, owner-only; the file keeps its mode; no temporary file stays', () => {
		const path = redeemsFile(STREAMER_FILE, 0o640)
		save(path, { kind: 'save', name: 'dance', values: { type: 'list', price: 5 } })
		expect(read(`${path}.bak`)).toBe(STREAMER_FILE)
		expect(modeOf(`${path}.bak`)).toBe(0o600)
		expect(modeOf(path)).toBe(0o640)
		expectNoStrayFiles(path, true)

		// The .bak is replaced at each save, and made owner-only again even if someone opened it up.
		const afterFirst = read(path)
		chmodSync(`${path}.bak`, 0o644)
		save(path, { kind: 'save', name: 'sing', values: { type: 'list', price: 5 } })
		expect(read(`${path}.bak`)).toBe(afterFirst)
		expect(modeOf(`${path}.bak`)).toBe(0o600)
		expectNoStrayFiles(path, true)
	})

	test('a name that is not a bare key is quoted', () => {
		const text = applied(STREAMER_FILE, { kind: 'save', name: 'héé!', values: { type: 'counter', price: 3 } })
		expect(text).toEndWith('\n[redeems."héé!"]\ntype = "counter"\nprice = 3\n')
		expect(parseRedeems(text, 'redeems.toml').map((r) => r.name)).toContain('héé!')
	})

	test('keys come out in the usual order, and keys set to undefined are left out', () => {
		const text = applied(STREAMER_FILE, {
			kind: 'save',
			name: 'dance',
			values: { only_live: true, info: undefined, price: 5, type: 'list' } as unknown as RedeemValues
		})
		expect(text).toEndWith('[redeems.dance]\ntype = "list"\nprice = 5\nonly_live = true\n')
	})

	test('a file without a final line end gets one before the new table', () => {
		const text = applied(STREAMER_FILE.trimEnd(), { kind: 'save', name: 'dance', values: { type: 'list', price: 5 } })
		expect(text).toBe(`${STREAMER_FILE}\n[redeems.dance]\ntype = "list"\nprice = 5\n`)
	})

	test('an empty file gets just the table', () => {
		expect(applied('', { kind: 'save', name: 'dance', values: { type: 'list', price: 5 } })).toBe(
			'[redeems.dance]\ntype = "list"\nprice = 5\n'
		)
	})

	test('a name already taken, in any case, is refused', () => {
		const path = redeemsFile(STREAMER_FILE)
		const result = saveRedeemEdit(path, readRedeemsFile(path).version, {
			kind: 'save',
			name: 'HYDRATE',
			values: { type: 'list', price: 5 }
		})
		expect(result).toEqual({ ok: false, reason: 'exists', message: 'there is already a redeem called hydrate' })
		expect(read(path)).toBe(STREAMER_FILE)
		expectNoStrayFiles(path, false)
	})

	test('a name that is no chat command is refused with the loader\'s message', () => {
		expect(applyRedeemEdit(STREAMER_FILE, { kind: 'save', name: 'two words', values: { type: 'list', price: 5 } })).toEqual({
			ok: false,
			reason: 'invalid',
			message:
				'redeems.toml: redeems."two words": a redeem name is a chat command: 1 to 64 characters without spaces, got "two words"'
		})
		for (const name of ['__proto__', 'constructor', 'prototype']) {
			const result = applyRedeemEdit(STREAMER_FILE, { kind: 'save', name, values: { type: 'list', price: 5 } })
			expect(result).toEqual({
				ok: false,
				reason: 'invalid',
				message: `redeems.toml: redeems.${name}: "${name}" cannot be a redeem name; rename the redeem`
			})
		}
		expect(applyRedeemEdit(STREAMER_FILE, { kind: 'save', name: '', values: { type: 'list', price: 5 } })).toMatchObject({
			ok: false,
			reason: 'invalid'
		})
	})

	test('an empty previousName (a form\'s hidden field) is a create too', () => {
		const text = applied(STREAMER_FILE, { kind: 'save', name: 'dance', previousName: '', values: { type: 'list', price: 5 } })
		expect(text).toEndWith('[redeems.dance]\ntype = "list"\nprice = 5\n')
	})
})

describe('edit', () => {
	test('changing one value changes only that line, comments on it included', () => {
		const path = redeemsFile(STREAMER_FILE)
		save(path, edit('go_nap', { type: 'milestone', goal: 1500, info: 'Streamer will go nap when the goal is reached.' }))
		const before = lines(STREAMER_FILE)
		const after = lines(read(path))
		expect(after.length).toBe(before.length)
		const changed = after.flatMap((line, i) => (line === before[i] ? [] : [[before[i], line]]))
		expect(changed).toEqual([['goal = 1000 # about an hour of streaming', 'goal = 1500 # about an hour of streaming']])
		expect(read(`${path}.bak`)).toBe(STREAMER_FILE)
	})

	test('a line with a trailing comment keeps it when its value changes', () => {
		const text = applied(STREAMER_FILE, edit('hydrate', { type: 'note', price: 60 }))
		expect(text).toBe(STREAMER_FILE.replace('type = "list"   # goes to the queue', 'type = "note"   # goes to the queue'))
	})

	test('a removed key\'s line disappears, nothing else', () => {
		const text = applied(STREAMER_FILE, edit('lurk', { type: 'counter', price: 1 }))
		expect(text).toBe(STREAMER_FILE.replace('info = "Let us know you\'re going to lurk."\n', ''))
	})

	test('a new key goes after the redeem\'s last key, before comments that follow it', () => {
		const text = applied(STREAMER_FILE, edit('hydrate', { type: 'list', price: 60, user_cooldown: 600, category: ['chill'] }))
		expect(text).toBe(STREAMER_FILE.replace('price = 60\n', 'price = 60\ncategory = ["chill"]\nuser_cooldown = 600\n'))
		// Right before the next redeem's own comment, it would have ended up under "# Lurkers get counted." otherwise.
		const lurk = applied(STREAMER_FILE, edit('lurk', { type: 'counter', price: 1, info: "Let us know you're going to lurk.", stock: 3 }))
		expect(lurk).toBe(STREAMER_FILE.replace('going to lurk."\n', 'going to lurk."\nstock = 3\n'))
	})

	test('a new key in a table written with indentation is indented the same', () => {
		const source = '[redeems.hydrate]\n  type = "list"\n  price = 60\n'
		expect(applied(source, edit('hydrate', { type: 'list', price: 60, stock: 2 }))).toBe(`${source}  stock = 2\n`)
	})

	test('a file that ends without a line end after the last key', () => {
		const source = '[redeems.hydrate]\ntype = "list"\nprice = 60'
		expect(applied(source, edit('hydrate', { type: 'list', price: 60, stock: 2 }))).toBe(`${source}\nstock = 2`)
	})

	test('changing, adding and removing at once', () => {
		const text = applied(
			STREAMER_FILE,
			edit('lurk', { type: 'counter', price: 2, only_live: true })
		)
		expect(text).toBe(STREAMER_FILE.replace('price = 1\ninfo = "Let us know you\'re going to lurk."\n', 'price = 2\nonly_live = true\n'))
		expect(parseRedeems(text, 'redeems.toml').find((r) => r.name === 'lurk')).toMatchObject({ price: 2, limits: { onlyLive: true } })
	})

	test('saving the same values changes nothing and writes nothing', () => {
		const path = redeemsFile(STREAMER_FILE)
		const { version } = readRedeemsFile(path)
		const result = saveRedeemEdit(path, version, edit('hydrate', { type: 'list', price: 60 }))
		expect(result).toEqual({ ok: true, version })
		expect(read(path)).toBe(STREAMER_FILE)
		expectNoStrayFiles(path, false)
	})

	test('a redeem written as an inline table is edited by toml-patch and reads back right', () => {
		const source = '# inline style\n[redeems]\nhydrate = { type = "list", price = 60 }\nlurk = { type = "counter", price = 1 }\n'
		const text = applied(source, edit('hydrate', { type: 'list', price: 70, stock: 4 }))
		expect(text.startsWith('# inline style\n')).toBe(true)
		expect(text).toContain('lurk = { type = "counter", price = 1 }')
		expect(parseToml(text)).toEqual({ redeems: { hydrate: { type: 'list', price: 70, stock: 4 }, lurk: { type: 'counter', price: 1 } } })
	})
})

describe('rename', () => {
	test('keeps the table where it was, with its comments; only the header changes', () => {
		const path = redeemsFile(STREAMER_FILE)
		save(path, {
			kind: 'save',
			name: 'counted',
			previousName: 'lurk',
			values: { type: 'counter', price: 1, info: "Let us know you're going to lurk." }
		})
		expect(read(path)).toBe(STREAMER_FILE.replace('[redeems.lurk]', '[redeems.counted]'))
		expect(loadRedeems(join(path, '..')).redeems.map((r) => r.name)).toEqual(['hydrate', 'counted', 'go_nap'])
	})

	test('renaming and changing values at once', () => {
		const text = applied(STREAMER_FILE, {
			kind: 'save',
			name: 'water',
			previousName: 'hydrate',
			values: { type: 'list', price: 80, cooldown: 30 }
		})
		expect(text).toBe(STREAMER_FILE.replace('[redeems.hydrate]', '[redeems.water]').replace('price = 60\n', 'price = 80\ncooldown = 30\n'))
	})

	test('a new name that needs quotes is quoted, a header with spaces is rewritten plainly', () => {
		const source = '[ redeems . hydrate ] # water\ntype = "list"\nprice = 60\n'
		const text = applied(source, { kind: 'save', name: 'wäter', previousName: 'hydrate', values: { type: 'list', price: 60 } })
		expect(text).toBe('[redeems."wäter"] # water\ntype = "list"\nprice = 60\n')
	})

	test('only the case of the name may change', () => {
		const text = applied(STREAMER_FILE, { kind: 'save', name: 'Lurk', previousName: 'lurk', values: { type: 'counter', price: 1, info: "Let us know you're going to lurk." } })
		expect(text).toBe(STREAMER_FILE.replace('[redeems.lurk]', '[redeems.Lurk]'))
	})

	test('onto the name of another redeem, in any case, is refused', () => {
		expect(applyRedeemEdit(STREAMER_FILE, { kind: 'save', name: 'Go_Nap', previousName: 'lurk', values: { type: 'counter', price: 1 } })).toEqual({
			ok: false,
			reason: 'exists',
			message: 'there is already a redeem called go_nap'
		})
	})

	test('of a redeem that is not there is refused', () => {
		expect(applyRedeemEdit(STREAMER_FILE, { kind: 'save', name: 'water', previousName: 'drink', values: { type: 'list', price: 1 } })).toEqual({
			ok: false,
			reason: 'missing',
			message: 'there is no redeem called drink'
		})
	})

	test('a redeem in an inline table is renamed by toml-patch and reads back right', () => {
		const source = '[redeems]\nhydrate = { type = "list", price = 60 }\nlurk = { type = "counter", price = 1 }\n'
		const text = applied(source, { kind: 'save', name: 'water', previousName: 'hydrate', values: { type: 'list', price: 60 } })
		expect(parseToml(text)).toEqual({ redeems: { water: { type: 'list', price: 60 }, lurk: { type: 'counter', price: 1 } } })
		expect(text).toContain('lurk = { type = "counter", price = 1 }')
	})
})

describe('delete', () => {
	test('removes the table and the comment directly above it, nothing else', () => {
		const path = redeemsFile(STREAMER_FILE)
		save(path, { kind: 'delete', name: 'lurk' })
		expect(read(path)).toBe(STREAMER_FILE.replace('# Lurkers get counted.\n[redeems.lurk]\ntype = "counter"\nprice = 1\ninfo = "Let us know you\'re going to lurk."\n\n', ''))
		expect(read(`${path}.bak`)).toBe(STREAMER_FILE)
		expect(loadRedeems(join(path, '..')).redeems.map((r) => r.name)).toEqual(['hydrate', 'go_nap'])
		expectNoStrayFiles(path, true)
	})

	test('the first redeem: the file\'s header stays, and so do commented-out keys after its last key', () => {
		const text = applied(STREAMER_FILE, { kind: 'delete', name: 'hydrate' })
		expect(text).toBe(STREAMER_FILE.replace('[redeems.hydrate]\ntype = "list"   # goes to the queue\nprice = 60\n', ''))
	})

	test('a header comment directly on top of the first redeem is the file\'s, not the redeem\'s: it stays', () => {
		const source = '# My redeems\n[redeems.hydrate]\ntype = "list"\nprice = 60\n\n[redeems.lurk]\ntype = "counter"\nprice = 1\n'
		expect(applied(source, { kind: 'delete', name: 'hydrate' })).toBe('# My redeems\n\n[redeems.lurk]\ntype = "counter"\nprice = 1\n')
	})

	test('the last redeem: the file ends as before, with one line end', () => {
		const text = applied(STREAMER_FILE, { kind: 'delete', name: 'go_nap' })
		expect(text).toBe(STREAMER_FILE.slice(0, STREAMER_FILE.indexOf('\n[redeems.go_nap]') + 1).replace(/\n\n$/, '\n'))
		expect(text).toEndWith('info = "Let us know you\'re going to lurk."\n')
	})

	test('every redeem: an empty file loads as no redeems', () => {
		let text = STREAMER_FILE
		for (const name of ['lurk', 'go_nap', 'hydrate']) text = applied(text, { kind: 'delete', name })
		expect(text).toBe('# My redeems. Keep them cheap!\n# (edited by hand and on the admin page)\n\n# cooldown = 30\n')
		expect(parseRedeems(text, 'redeems.toml')).toEqual([])
	})

	test('a redeem that is not there is refused', () => {
		const path = redeemsFile(STREAMER_FILE)
		expect(saveRedeemEdit(path, readRedeemsFile(path).version, { kind: 'delete', name: 'Lurk' })).toEqual({
			ok: false,
			reason: 'missing',
			message: 'there is no redeem called Lurk'
		})
		expect(read(path)).toBe(STREAMER_FILE)
		expectNoStrayFiles(path, false)
	})
})

describe('refusals write nothing', () => {
	/** A file saved once (so there is a .bak), then the refused save: neither the file nor the .bak changes. */
	function refused(change: RedeemEdit): EditResult {
		const path = redeemsFile(STREAMER_FILE)
		save(path, edit('hydrate', { type: 'list', price: 61 }))
		const [text, backup] = [read(path), read(`${path}.bak`)]
		const result = saveRedeemEdit(path, readRedeemsFile(path).version, change)
		expect(read(path)).toBe(text)
		expect(read(`${path}.bak`)).toBe(backup)
		expectNoStrayFiles(path, true)
		return result
	}

	test('a negative price: the schema message naming redeems.<name>.price', () => {
		expect(refused(edit('hydrate', { type: 'list', price: -1 }))).toEqual({
			ok: false,
			reason: 'invalid',
			message: 'redeems.toml: redeems.hydrate.price: expected a price: an integer of 0 or more, got -1'
		})
	})

	test('a note redeem with a goal', () => {
		expect(refused({ kind: 'save', name: 'react', values: { type: 'note', price: 5, goal: 10 } })).toEqual({
			ok: false,
			reason: 'invalid',
			message: 'redeems.toml: redeems.react.goal: only milestone redeems have a goal; a note redeem has a price'
		})
	})

	test('a milestone without a goal', () => {
		const result = refused(edit('go_nap', { type: 'milestone' }))
		expect(result).toMatchObject({ ok: false, reason: 'invalid' })
		expect((result as { message: string }).message).toStartWith('redeems.toml: redeems.go_nap.goal: missing')
	})

	test('an unknown key, with a hint', () => {
		expect(refused(edit('hydrate', { type: 'list', prcie: 5 }))).toEqual({
			ok: false,
			reason: 'invalid',
			message: 'redeems.toml: redeems.hydrate.prcie: unknown key; did you mean "price"?'
		})
		expect(refused(edit('hydrate', { type: 'list', price: 5, colour: 'red' }))).toEqual({
			ok: false,
			reason: 'invalid',
			message: expect.stringMatching(/^redeems\.toml: redeems\.hydrate\.colour: unknown key; known keys are type, price, goal, /)
		})
	})

	test('a value TOML cannot hold here', () => {
		for (const value of [null, { a: 1 }, Number.NaN, [1, 2], 'bad \ud800 text']) {
			const result = refused(edit('hydrate', { type: 'list', price: 5, info: value } as unknown as RedeemValues))
			expect(result).toEqual({
				ok: false,
				reason: 'invalid',
				message: 'redeems.toml: redeems.hydrate.info: cannot be written: expected a text, a number, true or false, or a list of texts'
			})
		}
	})

	test('a file that already fails to load: its own message, until the edit fixes it', () => {
		const broken = STREAMER_FILE.replace('price = 1\n', 'price = "one"\n')
		const path = redeemsFile(broken)
		const result = saveRedeemEdit(path, readRedeemsFile(path).version, edit('hydrate', { type: 'list', price: 70 }))
		expect(result).toEqual({
			ok: false,
			reason: 'invalid',
			message: 'redeems.toml: redeems.lurk.price: expected a price: an integer of 0 or more, got "one"'
		})
		expect(read(path)).toBe(broken)
		// Fixing the broken redeem is the way out.
		save(path, edit('lurk', { type: 'counter', price: 1, info: "Let us know you're going to lurk." }))
		expect(read(path)).toBe(STREAMER_FILE)
	})

	test('a file that is not TOML: the loader\'s message with line and column', () => {
		const result = applyRedeemEdit('[redeems.hydrate\n', edit('hydrate', { type: 'list', price: 70 }))
		expect(result).toMatchObject({ ok: false, reason: 'invalid', message: expect.stringMatching(/^redeems\.toml:1:\d+: invalid TOML/) })
	})
})

describe('conflicts', () => {
	test('the file changed on disk after it was read: refused, the other change stays', () => {
		const path = redeemsFile(STREAMER_FILE)
		const { version } = readRedeemsFile(path)
		const theirs = STREAMER_FILE.replace('price = 60', 'price = 65')
		writeFileSync(path, theirs)
		expect(saveRedeemEdit(path, version, edit('hydrate', { type: 'list', price: 70 }))).toEqual({ ok: false, reason: 'conflict' })
		expect(read(path)).toBe(theirs)
		expectNoStrayFiles(path, false)
	})

	test('a version read before an earlier save of ours is stale too', () => {
		const path = redeemsFile(STREAMER_FILE)
		const { version } = readRedeemsFile(path)
		const next = saveRedeemEdit(path, version, edit('hydrate', { type: 'list', price: 70 }))
		expect(next.ok).toBe(true)
		expect(saveRedeemEdit(path, version, { kind: 'delete', name: 'lurk' })).toEqual({ ok: false, reason: 'conflict' })
		if (next.ok) expect(saveRedeemEdit(path, next.version, { kind: 'delete', name: 'lurk' }).ok).toBe(true)
	})

	test('the file appeared, or disappeared, since it was read', () => {
		const folder = makeTempDir()
		const path = join(folder, 'redeems.toml')
		writeFileSync(path, STREAMER_FILE)
		expect(saveRedeemEdit(path, 'missing', { kind: 'delete', name: 'lurk' })).toEqual({ ok: false, reason: 'conflict' })
		const other = join(makeTempDir(), 'redeems.toml')
		expect(saveRedeemEdit(other, sha256(STREAMER_FILE), { kind: 'delete', name: 'lurk' })).toEqual({ ok: false, reason: 'conflict' })
		expect(existsSync(other)).toBe(false)
	})
})

describe('a missing redeems.toml', () => {
	test('the first save writes the defaults with the edit, owner-only, and no .bak', () => {
		const path = join(makeTempDir(), 'redeems.toml')
		const { version, text } = readRedeemsFile(path)
		expect(version).toBe('missing')
		const result = saveRedeemEdit(path, version, { kind: 'save', name: 'dance', values: { type: 'list', price: 5 } })
		expect(result.ok).toBe(true)
		expect(read(path)).toBe(`${text}\n[redeems.dance]\ntype = "list"\nprice = 5\n`)
		expect(modeOf(path)).toBe(0o600)
		expectNoStrayFiles(path, false)
		expect(loadRedeems(join(path, '..')).fromDefaults).toBe(false)
		if (result.ok) expect(readRedeemsFile(path).version).toBe(result.version)
	})

	test('editing a default redeem works the same', () => {
		const path = join(makeTempDir(), 'redeems.toml')
		save(path, edit('hydrate', { type: 'list', price: 70 }))
		expect(read(path)).toBe(defaultRedeemsToml.replace('price = 60', 'price = 70'))
	})
})

describe('CRLF files stay CRLF', () => {
	const crlf = STREAMER_FILE.replace(/\n/g, '\r\n')
	const onlyCrlf = (text: string) => expect(text.replace(/\r\n/g, '')).not.toContain('\n')

	test('edit, with a new key', () => {
		const text = applied(crlf, edit('hydrate', { type: 'list', price: 70, stock: 2 }))
		expect(text).toBe(crlf.replace('price = 60\r\n', 'price = 70\r\nstock = 2\r\n'))
	})

	test('create', () => {
		const text = applied(crlf, { kind: 'save', name: 'dance', values: { type: 'list', price: 5 } })
		expect(text).toBe(`${crlf}\r\n[redeems.dance]\r\ntype = "list"\r\nprice = 5\r\n`)
	})

	test('rename and delete', () => {
		const renamed = applied(crlf, { kind: 'save', name: 'water', previousName: 'hydrate', values: { type: 'list', price: 60 } })
		expect(renamed).toBe(crlf.replace('[redeems.hydrate]', '[redeems.water]'))
		const deleted = applied(crlf, { kind: 'delete', name: 'lurk' })
		onlyCrlf(deleted)
		expect(deleted).toBe(STREAMER_FILE.replace('# Lurkers get counted.\n[redeems.lurk]\ntype = "counter"\nprice = 1\ninfo = "Let us know you\'re going to lurk."\n\n', '').replace(/\n/g, '\r\n'))
		const last = applied(crlf, { kind: 'delete', name: 'go_nap' })
		onlyCrlf(last)
		expect(last).toEndWith('lurk."\r\n')
	})

	test('a CRLF file without a final line end, with a new key after the last line', () => {
		const source = '[redeems.hydrate]\r\ntype = "list"\r\nprice = 60'
		const text = applied(source, edit('hydrate', { type: 'list', price: 60, stock: 2 }))
		expect(text).toBe('[redeems.hydrate]\r\ntype = "list"\r\nprice = 60\r\nstock = 2')
	})
})

describe('redeems written in other shapes', () => {
	test('a top-level inline table: a create cannot append a table, toml-patch adds it, and it reads back right', () => {
		const source = '# inline\nredeems = { hydrate = { type = "list", price = 60 } }\n'
		const text = applied(source, { kind: 'save', name: 'dance', values: { type: 'list', price: 5 } })
		expect(text.startsWith('# inline\n')).toBe(true)
		expect(parseToml(text)).toEqual({ redeems: { hydrate: { type: 'list', price: 60 }, dance: { type: 'list', price: 5 } } })
	})

	test('a delete in an inline table', () => {
		const source = '[redeems]\nhydrate = { type = "list", price = 60 }\nlurk = { type = "counter", price = 1 }\n'
		expect(applied(source, { kind: 'delete', name: 'hydrate' })).toBe('[redeems]\nlurk = { type = "counter", price = 1 }\n')
	})
})
