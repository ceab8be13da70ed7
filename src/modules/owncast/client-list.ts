// Owncast's list of chat connections (GET /api/integrations/clients) read as it arrives, one connection at a time,
// keeping only what tlapbot uses of each: the user's id, displayName, isBot and scopes. At 100,000 viewers the answer
// is about 36 MB of JSON; reading it whole (the bytes, the text and every parsed object at once) took more memory
// than the rest of tlapbot together, and parsing it an element at a time left as much garbage behind.
//
// The reader checks the whole answer against the JSON grammar (RFC 8259) as JSON.parse does and refuses what it
// refuses; it builds nothing but the picked values. Strings are taken as TextDecoder would decode them (bytes that
// are not UTF-8 become U+FFFD, as in `response.text()`).

/** The whole answer is refused past this size (about 2.8 million connections). */
export const CLIENT_LIST_MAX_BYTES = 1024 * 1024 * 1024
/** One connection's JSON is a few hundred bytes; one over this is refused. */
const ELEMENT_MAX_BYTES = 16 * 1024 * 1024
/** Nesting deeper than this inside one connection is refused (Owncast's is 3 deep). */
const MAX_DEPTH = 1000

/** What is kept of a user: the fields as JSON.parse would give them, when present. */
export type PickedUser = { id?: unknown; displayName?: unknown; isBot?: unknown; scopes?: unknown }
/** One connection: null when it is not a JSON object; `user` when the object has that key (its value, picked). */
export type PickedClient = null | { user?: PickedUser | unknown }

export type ClientListRead =
	| { ok: true }
	| { ok: false; reason: 'not_json'; sample: string }
	| { ok: false; reason: 'not_array' }
	| { ok: false; reason: 'too_large'; what: 'answer' | 'connection'; maxBytes: number }

const MORE = -1
const BAD = -2

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const COMMA = 0x2c
const COLON = 0x3a

const encoder = new TextEncoder()
const KEY_USER = encoder.encode('user')
const KEY_ID = encoder.encode('id')
const KEY_DISPLAY_NAME = encoder.encode('displayName')
const KEY_IS_BOT = encoder.encode('isBot')
const KEY_SCOPES = encoder.encode('scopes')
const TRUE = encoder.encode('true')
const FALSE = encoder.encode('false')
const NULL = encoder.encode('null')

/**
 * The scanner works on one buffer at a time; these are its state while it runs (no allocation per value). A Buffer,
 * for taking plain strings out of it with toString('latin1') (the fastest way in Bun, measured).
 */
let buf: Buffer = Buffer.alloc(0)
let len = 0
/** Of the last string scanned: whether it had an escape, and a byte outside ASCII. */
let stringEscaped = false
let stringHigh = false

const decoder = new TextDecoder()

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
const isDigit = (c: number) => c >= 0x30 && c <= 0x39
const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)

function skipSpace(i: number): number {
	while (i < len && isSpace(buf[i] as number)) i++
	return i
}

/** From an opening quote: the index after the closing one, MORE or BAD. */
function scanString(i: number): number {
	i++
	let escaped = false
	let high = false
	for (;;) {
		if (i >= len) return MORE
		const c = buf[i] as number
		if (c === QUOTE) {
			stringEscaped = escaped
			stringHigh = high
			return i + 1
		}
		if (c === BACKSLASH) {
			escaped = true
			if (i + 1 >= len) return MORE
			const e = buf[i + 1] as number
			if (e === 0x75) {
				// \uXXXX
				if (i + 6 > len) {
					for (let k = i + 2; k < len; k++) if (!isHex(buf[k] as number)) return BAD
					return MORE
				}
				for (let k = i + 2; k < i + 6; k++) if (!isHex(buf[k] as number)) return BAD
				i += 6
			} else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
				i += 2
			} else return BAD
			continue
		}
		if (c < 0x20) return BAD
		if (c >= 0x80) high = true
		i++
	}
}

function scanDigits(i: number): number {
	while (i < len && isDigit(buf[i] as number)) i++
	return i
}

/** -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?; a number that reaches the end of the buffer may go on: MORE. */
function scanNumber(i: number): number {
	if (buf[i] === 0x2d) i++
	if (i >= len) return MORE
	const first = buf[i] as number
	if (first === 0x30) i++
	else if (first >= 0x31 && first <= 0x39) i = scanDigits(i + 1)
	else return BAD
	if (i >= len) return MORE
	if (buf[i] === 0x2e) {
		i++
		if (i >= len) return MORE
		if (!isDigit(buf[i] as number)) return BAD
		i = scanDigits(i)
		if (i >= len) return MORE
	}
	const e = buf[i] as number
	if (e === 0x65 || e === 0x45) {
		i++
		if (i >= len) return MORE
		const sign = buf[i] as number
		if (sign === 0x2b || sign === 0x2d) i++
		if (i >= len) return MORE
		if (!isDigit(buf[i] as number)) return BAD
		i = scanDigits(i)
		if (i >= len) return MORE
	}
	return i
}

function scanLiteral(i: number, word: Uint8Array): number {
	for (let k = 0; k < word.length; k++) {
		if (i + k >= len) return MORE
		if (buf[i + k] !== word[k]) return BAD
	}
	return i + word.length
}

/** Whether the key string at [start, end) (quotes included) is `word`. */
function keyIs(start: number, end: number, escaped: boolean, word: Uint8Array): boolean {
	if (escaped) return (JSON.parse(decoder.decode(buf.subarray(start, end))) as string) === decoder.decode(word)
	if (end - start - 2 !== word.length) return false
	for (let k = 0; k < word.length; k++) if (buf[start + 1 + k] !== word[k]) return false
	return true
}

/** A value of the grammar from i: the index after it, MORE or BAD. `pick` says what to keep of an object. */
function scanValue(i: number, depth: number, pick: 0 | 1 | 2): number {
	if (i >= len) return MORE
	const c = buf[i] as number
	if (c === QUOTE) return scanString(i)
	if (c === OPEN_OBJECT) return scanObject(i, depth + 1, pick)
	if (c === OPEN_ARRAY) return scanArray(i, depth + 1)
	if (c === 0x2d || isDigit(c)) return scanNumber(i)
	if (c === 0x74) return scanLiteral(i, TRUE)
	if (c === 0x66) return scanLiteral(i, FALSE)
	if (c === 0x6e) return scanLiteral(i, NULL)
	return BAD
}

function scanArray(i: number, depth: number): number {
	if (depth > MAX_DEPTH) return BAD
	i = skipSpace(i + 1)
	if (i >= len) return MORE
	if (buf[i] === CLOSE_ARRAY) return i + 1
	for (;;) {
		i = scanValue(i, depth, 0)
		if (i < 0) return i
		i = skipSpace(i)
		if (i >= len) return MORE
		const c = buf[i]
		if (c === CLOSE_ARRAY) return i + 1
		if (c !== COMMA) return BAD
		i = skipSpace(i + 1)
	}
}

/** Where the picked values of the current connection are, as [start, end) of their JSON (start -1: absent). */
let userStart = -1
let userEnd = -1
let userIsObject = false
const field = { id: [-1, -1], displayName: [-1, -1], isBot: [-1, -1], scopes: [-1, -1] }
/** Of the id and displayName strings: whether they can be taken as ASCII without decoding. */
let idPlain = false
let namePlain = false

/**
 * An object from i. pick 1: a connection (keep where its `user` is); pick 2: its user (keep where its id, displayName,
 * isBot and scopes are); 0: nothing. A key given twice counts the last time, as in JSON.parse.
 */
function scanObject(i: number, depth: number, pick: 0 | 1 | 2): number {
	if (depth > MAX_DEPTH) return BAD
	i = skipSpace(i + 1)
	if (i >= len) return MORE
	if (buf[i] === CLOSE_OBJECT) return i + 1
	for (;;) {
		if (buf[i] !== QUOTE) return BAD
		const keyStart = i
		i = scanString(i)
		if (i < 0) return i
		const keyEnd = i
		const keyEscaped = stringEscaped
		i = skipSpace(i)
		if (i >= len) return MORE
		if (buf[i] !== COLON) return BAD
		i = skipSpace(i + 1)
		if (i >= len) return MORE
		const valueStart = i
		if (pick === 1 && keyIs(keyStart, keyEnd, keyEscaped, KEY_USER)) {
			userIsObject = buf[i] === OPEN_OBJECT
			if (userIsObject) field.id[0] = field.displayName[0] = field.isBot[0] = field.scopes[0] = -1
			i = scanValue(i, depth, userIsObject ? 2 : 0)
			if (i < 0) return i
			userStart = valueStart
			userEnd = i
		} else {
			i = scanValue(i, depth, 0)
			if (i < 0) return i
			if (pick === 2) {
				const plain = buf[valueStart] === QUOTE && !stringEscaped && !stringHigh
				if (keyIs(keyStart, keyEnd, keyEscaped, KEY_ID)) {
					field.id[0] = valueStart
					field.id[1] = i
					idPlain = plain
				} else if (keyIs(keyStart, keyEnd, keyEscaped, KEY_DISPLAY_NAME)) {
					field.displayName[0] = valueStart
					field.displayName[1] = i
					namePlain = plain
				} else if (keyIs(keyStart, keyEnd, keyEscaped, KEY_IS_BOT)) {
					field.isBot[0] = valueStart
					field.isBot[1] = i
				} else if (keyIs(keyStart, keyEnd, keyEscaped, KEY_SCOPES)) {
					field.scopes[0] = valueStart
					field.scopes[1] = i
				}
			}
		}
		i = skipSpace(i)
		if (i >= len) return MORE
		const c = buf[i]
		if (c === CLOSE_OBJECT) return i + 1
		if (c !== COMMA) return BAD
		i = skipSpace(i + 1)
		if (i >= len) return MORE
	}
}

/** The JSON at [start, end) as JSON.parse gives it. */
function valueAt(start: number, end: number): unknown {
	return JSON.parse(decoder.decode(buf.subarray(start, end)))
}

/** A plain string (no escape, ASCII only) at [start, end), quotes included: its bytes are its characters. */
function plainString(start: number, end: number): string {
	return buf.toString('latin1', start + 1, end - 1)
}

function pickedUser(): PickedUser {
	const user: PickedUser = {}
	const [idStart, idEnd] = field.id as [number, number]
	if (idStart >= 0) user.id = idPlain ? plainString(idStart, idEnd) : valueAt(idStart, idEnd)
	const [nameStart, nameEnd] = field.displayName as [number, number]
	if (nameStart >= 0) user.displayName = namePlain ? plainString(nameStart, nameEnd) : valueAt(nameStart, nameEnd)
	const [botStart, botEnd] = field.isBot as [number, number]
	if (botStart >= 0) user.isBot = buf[botStart] === 0x74 ? true : buf[botStart] === 0x66 ? false : valueAt(botStart, botEnd)
	const [scopesStart, scopesEnd] = field.scopes as [number, number]
	if (scopesStart >= 0) user.scopes = scopesEnd - scopesStart === 2 && buf[scopesStart] === OPEN_ARRAY ? [] : valueAt(scopesStart, scopesEnd)
	return user
}

/** Calls `each` with every connection of the JSON array the stream carries, in order, as it arrives. */
export async function readClientList(body: ReadableStream<Uint8Array>, each: (client: PickedClient) => void): Promise<ClientListRead> {
	let total = 0
	let sample = ''
	/** Bytes received and not yet read (from the start of an element that was cut off). */
	let pending: Uint8Array = new Uint8Array(0)
	/** 0: before `[`; 1: after `[`; 2: after an element; 3: after a comma; 4: after `]`. */
	let state = 0
	let bomChecked = false
	/** Not an array at all: the answer is kept to tell not-JSON from not-an-array, as JSON.parse of it would. */
	let whole: Uint8Array[] | undefined
	const reader = body.getReader()
	let ended = false
	try {
		for (;;) {
			const { done, value } = await reader.read()
			if (done) {
				ended = true
				break
			}
			total += value.byteLength
			if (total > CLIENT_LIST_MAX_BYTES) return { ok: false, reason: 'too_large', what: 'answer', maxBytes: CLIENT_LIST_MAX_BYTES }
			if (sample.length < 100) sample += decoder.decode(value.subarray(0, 100)).slice(0, 100 - sample.length)
			if (whole) {
				whole.push(value)
				continue
			}
			let chunk = value
			if (pending.length > 0) {
				chunk = new Uint8Array(pending.length + value.length)
				chunk.set(pending)
				chunk.set(value, pending.length)
			}
			buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
			len = chunk.length
			let i = 0
			let kept = len
			// A byte order mark before the JSON: TextDecoder drops it.
			if (!bomChecked) {
				const bom = [0xef, 0xbb, 0xbf]
				const prefix = Math.min(len, 3)
				if (bom.slice(0, prefix).every((b, k) => buf[k] === b)) {
					if (prefix < 3) {
						pending = chunk.slice()
						continue
					}
					i = 3
				}
				bomChecked = true
			}
			for (;;) {
				i = skipSpace(i)
				if (i >= len) break
				const c = buf[i]
				if (state === 0) {
					if (c !== OPEN_ARRAY) {
						whole = [chunk.subarray(i)]
						break
					}
					state = 1
					i++
				} else if (state === 2) {
					if (c === COMMA) state = 3
					else if (c === CLOSE_ARRAY) state = 4
					else return { ok: false, reason: 'not_json', sample }
					i++
				} else if (state === 4) {
					return { ok: false, reason: 'not_json', sample }
				} else if (state === 1 && c === CLOSE_ARRAY) {
					state = 4
					i++
				} else {
					userStart = -1
					userIsObject = false
					const end = scanValue(i, 0, 1)
					if (end === BAD) return { ok: false, reason: 'not_json', sample }
					if (end === MORE) {
						if (len - i > ELEMENT_MAX_BYTES) return { ok: false, reason: 'too_large', what: 'connection', maxBytes: ELEMENT_MAX_BYTES }
						kept = i
						break
					}
					if (c !== OPEN_OBJECT) each(null)
					else if (userStart < 0) each({})
					else each({ user: userIsObject ? pickedUser() : valueAt(userStart, userEnd) })
					state = 2
					i = end
				}
			}
			pending = kept < len ? chunk.slice(kept) : new Uint8Array(0)
		}
	} finally {
		// Refused or failed before the end: the rest is not read (and the connection not kept for it).
		if (!ended) void reader.cancel().catch(() => {})
		reader.releaseLock()
		buf = Buffer.alloc(0)
		len = 0
	}
	if (whole) {
		try {
			JSON.parse(decoder.decode(Buffer.concat(whole)))
		} catch {
			return { ok: false, reason: 'not_json', sample }
		}
		// It does not start with `[`: whatever JSON it is, it is not an array.
		return { ok: false, reason: 'not_array' }
	}
	return state === 4 ? { ok: true } : { ok: false, reason: 'not_json', sample }
}
