// Fuzz: 10,000 generated malformed or hostile webhooks through the real app (app.handle), mixed with valid
// commands whose effect is modelled here. Nothing hostile may crash the app, pollute a prototype or move a point.
// The generator is seeded; a failure prints its seed. Rerun it with FUZZ_SEED=<seed>.
import { test, expect, describe, afterAll } from 'bun:test'
import { ledgerInvariantViolations } from '../helpers.ts'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'
import * as payloads from '../support/payloads.ts'
import type { Shape, TestUser } from '../support/payloads.ts'

const HOSTILE_EVENTS = 10_000
const VALID_COMMANDS = 2_000
const STARTING_POINTS = 1000
const MAX_BODY = 64 * 1024
const GOAL = 1000 // go_nap's goal
const HYDRATE_PRICE = 60
const LURK_PRICE = 1
const DONATION = 5

// The redeems the model knows (the example redeems.toml's, pinned here so that file can change).
const REDEEMS_TOML = `
[redeems.hydrate]
type = "list"
price = ${HYDRATE_PRICE}

[redeems.lurk]
type = "counter"
price = ${LURK_PRICE}

[redeems.react]
type = "note"
price = 200

[redeems.request]
type = "note"
price = 100

[redeems.go_nap]
type = "milestone"
goal = ${GOAL}

[redeems.inactive]
type = "note"
price = 100
category = ["inactive"]
`

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0

// ---------------------------------------------------------------------------------------------- randomness

function mulberry32(start: number): () => number {
	let a = start >>> 0
	return () => {
		a = (a + 0x6d2b79f5) >>> 0
		let t = a
		t = Math.imul(t ^ (t >>> 15), t | 1)
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296
	}
}

const random = mulberry32(seed)
const int = (n: number) => Math.floor(random() * n)
const chance = (p: number) => random() < p
function pick<T>(items: readonly T[]): T {
	return items[int(items.length)] as T
}
function weighted<T>(entries: readonly (readonly [number, T])[]): T {
	const total = entries.reduce((sum, [w]) => sum + w, 0)
	let r = random() * total
	for (const [w, value] of entries) {
		r -= w
		if (r < 0) return value
	}
	return (entries[entries.length - 1] as readonly [number, T])[1]
}

// ---------------------------------------------------------------------------------------------- JSON tools

type Json = any // generated payloads are deliberately untyped

/** Text spliced into the JSON as is: NaN, 1e400, 0x10 and other things JSON.stringify cannot write. */
class Raw {
	constructor(readonly text: string) {}
}
const DELETE = Symbol('delete')

function serialize(value: unknown): string {
	const raws: string[] = []
	const json = JSON.stringify(value, (_key, v: unknown) => {
		if (v instanceof Raw) {
			raws.push(v.text)
			return `\u0001RAW${raws.length - 1}\u0001`
		}
		return v
	})
	return (json ?? 'null').replace(/"\\u0001RAW(\d+)\\u0001"/g, (_, i: string) => raws[Number(i)] as string)
}

/** An own, enumerable property, even for "__proto__" (which an object literal would turn into the prototype). */
function own(target: Json, key: string, value: unknown): Json {
	Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
	return target
}

// Fresh copies: the payload builders share nested objects (status), which the mutations below must not touch.
function chatEvent(user: TestUser, text: string, shape?: Shape, extra: Record<string, unknown> = {}): Json {
	const event: Json = structuredClone(payloads.chatEvent(user, text, shape))
	for (const [key, value] of Object.entries(extra)) event.eventData[key] = value
	return event
}
const nameChangeEvent = (...args: Parameters<typeof payloads.nameChangeEvent>): Json => structuredClone(payloads.nameChangeEvent(...args))
const userJoinedEvent = (...args: Parameters<typeof payloads.userJoinedEvent>): Json => structuredClone(payloads.userJoinedEvent(...args))
const streamEvent = (...args: Parameters<typeof payloads.streamEvent>): Json => structuredClone(payloads.streamEvent(...args))

const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
const bytes = (text: string) => Buffer.byteLength(text, 'utf8')

type Path = (string | number)[]

function allPaths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
	if (value && typeof value === 'object' && !(value instanceof Raw)) {
		for (const key of Object.keys(value)) {
			const path = [...prefix, Array.isArray(value) ? Number(key) : key]
			out.push(path)
			if (path.length < 4) allPaths((value as Json)[key], path, out)
		}
	}
	return out
}

function setPath(root: Json, path: Path, value: unknown): void {
	let target = root
	for (const key of path.slice(0, -1)) target = target[key]
	const last = path[path.length - 1] as string | number
	if (value === DELETE) delete target[last]
	else own(target, String(last), value)
}

// ---------------------------------------------------------------------------------------------- pools

const UNICODE = [
	'\u202e', '\u202d', '\u2066', '\u2069', '\u200d', '\u200b', '\u200c', '\u2060', '\ufeff', '\u0000', '\u0001',
	'\ud800', '\udfff', '\ud83d', '\ude00x', '😀', '👩‍👩‍👧‍👦', '🏳️‍🌈', '🇨🇿', 'e\u0301\u0301\u0301', 'Ω', '𝕏𝔂', 'İ', 'ß',
	'\u0085', '\u2028', '\u2029', '\u00a0', '\u3000', '\x1b[31m', '\r\n', '\t', '\u007f', 'Z̴̡̛͓a̷l̸g̵o̶',
	'<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<p>', '</p>', '<br>', '&amp;', '&lt;', '&#0;',
	'&#xD800;', '&#x110000;', '&#99999999999;', '&bogus;', '%00', '%F0%9F', '${x}', '{{x}}', "'; DROP TABLE viewers; --",
	'\\', '"', '／', '！', '⁄', 'NaN', '-0', '1e400', '０', '٣', '²', '\u0661'
]
const SAFE_START = ['hello', 'x', 'lurk', 'hydrate', 'go_nap', '😀', 'Ω', '42', '#', '"', '—', 'ok!', 'gg']
const HOSTILE_COMMANDS = [
	'!go_nap 1e3', '!go_nap 99999999999999999999', '!go_nap -0', '!go_nap ０', '!go_nap -5', '!go_nap 0', '!go_nap 00',
	'!go_nap 5.0', '!go_nap 0x10', '!go_nap Infinity', '!go_nap NaN', '!go_nap ５', '!go_nap ٣', '!go_nap ²', '!go_nap ⁵',
	'!go_nap 𝟓', '!go_nap 9007199254740993', '!go_nap 1_000', '!go_nap', '!go_nap +5', '!go_nap 5e0', '!go_nap 1e400',
	'!go_nap 0b101', '!go_nap five', `!go_nap ${'9'.repeat(400)}`, '!go_nap -9007199254740991', '!go_nap 5,0',
	'!go_nap &#0;', '!go_nap &#x110000;', '!go_nap \u00a0', '!GO_NAP -1', '!hydrаte', '！hydrate', '!lurκ', '!!lurk',
	'!unknown_redeem', '!inactive something', '!react', '!request', '!react   ', `!react ${'x'.repeat(501)}`,
	`!request ${'😀'.repeat(501)}`, '!help', '!points', '!name_update', '!HELP', '! lurk', '!'
]
const CONTENT_TYPES = [
	'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
	'application/octet-stream', 'application/json; charset=latin1', 'garbage', undefined
]
const RAW_NUMBERS = ['NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '1e-400', '-0', '99999999999999999999999', '0x1F', '01', '.5', '+1', 'undefined', "'single'", '1_000']

function hostileText(maxPieces = 8): string {
	let text = pick(SAFE_START)
	const pieces = 1 + int(maxPieces)
	for (let i = 0; i < pieces; i++) {
		text += weighted<() => string>([
			[5, () => pick(UNICODE)],
			[2, () => ' '],
			[1, () => ` ${pick(HOSTILE_COMMANDS)}`],
			[1, () => String.fromCharCode(int(0x10000))],
			[1, () => 'a'.repeat(int(50))]
		])()
	}
	return text
}

function hostileValue(): unknown {
	return weighted<() => unknown>([
		[2, () => null],
		[1, () => true],
		[1, () => false],
		[1, () => pick([0, -1, 1, 1.5, 2 ** 53 + 2, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE])],
		[2, () => new Raw(pick(RAW_NUMBERS))],
		[2, () => pick(['', ' ', 'null', 'true', '0', '-1', 'NaN', 'Infinity', '1e400', '__proto__', 'constructor'])],
		[2, () => hostileText()],
		[1, () => 'x'.repeat(int(2000))],
		[1, () => pick([[], {}, [null], [[[]]], { a: { b: { c: {} } } }, ['MODERATOR', 1]])],
		[1, () => new Raw(nestedArrays(50 + int(500)))],
		[1, () => own({}, '__proto__', { polluted: 'yes', isBot: true, id: 'proto-user' })],
		[1, () => ({ constructor: { prototype: { polluted: 'yes' } } })],
		[1, () => DELETE]
	])()
}

// ---------------------------------------------------------------------------------------------- viewers and the model

const ordinary: readonly TestUser[] = Array.from({ length: 32 }, (_, i) => ({ id: `fz-${String(i).padStart(2, '0')}`, displayName: `Viewer${i}` }))
const SPECIAL_IDS = [
	'__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '-Zzltt74g', 'null', 'undefined', '0',
	'NaN', '\u202eevil', 'zwj\u200d\u200did', 'nul\u0000id', '👩‍👩‍👧‍👦', "'; DROP TABLE viewers; --", 'a'.repeat(200)
]
const special: TestUser[] = SPECIAL_IDS.map((id, i) => ({ id, displayName: `Special${i}` }))
const known: TestUser[] = [...ordinary, ...special]

test('a user id that is not a well-formed string (a lone surrogate) is refused', async () => {
	const b = await createTestBot()
	try {
		expect((await b.chat({ id: '\ud800lone', displayName: 'Lone' }, '!points')).status).toBe(400)
		expect((await b.chat({ id: '\udc00lone', displayName: 'Lone' }, '!points')).status).toBe(400)
		expect(b.db.query('SELECT count(*) AS n FROM viewers').get()).toEqual({ n: 0 })
	} finally {
		b.close()
	}
})

type Command = 'hydrate' | 'lurk' | 'go_nap'
const COMMAND_TEXT: Record<Command, readonly string[]> = {
	hydrate: ['!hydrate', '!HYDRATE', '  !Hydrate  ', '!hydrate please'],
	lurk: ['!lurk', '!LURK', '\n!lurk\n', '!lurk 😀'],
	go_nap: [`!go_nap ${DONATION}`, `!GO_NAP ${DONATION}`, `!go_nap   ${DONATION}`, `!go_nap ${DONATION} for the nap`]
}

const model = {
	balances: new Map<string, number>(),
	hydrates: 0,
	lurks: 0,
	donations: 0,
	progress: 0
}

function applyToModel(viewerId: string, command: Command): void {
	const balance = model.balances.get(viewerId) as number
	if (command === 'hydrate') {
		if (balance < HYDRATE_PRICE) return
		model.balances.set(viewerId, balance - HYDRATE_PRICE)
		model.hydrates++
	} else if (command === 'lurk') {
		if (balance < LURK_PRICE) return
		model.balances.set(viewerId, balance - LURK_PRICE)
		model.lurks++
	} else {
		const amount = Math.min(DONATION, GOAL - model.progress)
		if (amount <= 0 || balance < amount) return
		model.balances.set(viewerId, balance - amount)
		model.progress += amount
		model.donations++
	}
}

// ---------------------------------------------------------------------------------------------- cases

type Case = {
	kind: string
	body: string | Uint8Array<ArrayBuffer>
	headers?: Record<string, string>
	/** The statuses this case may get; every case may only ever get 204, 400 or 413. */
	expect: readonly number[]
	/** A valid command: it must be answered 204 and is applied to the model. */
	valid?: { viewerId: string; command: Command }
}

let messageSeq = 0
const messageId = (tag: string) => `${tag}-${seed.toString(36)}-${(messageSeq++).toString(36)}`
// Ids with lone surrogates are refused outright (their own test above); hostile ids here are well-formed.
const WELL_FORMED_UNICODE = UNICODE.filter((u) => u.isWellFormed())
const hostileUser = (): TestUser =>
	chance(0.4) ? pick(known) : { id: `h-${int(500)}${chance(0.3) ? pick(WELL_FORMED_UNICODE) : ''}`, displayName: chance(0.5) ? hostileText(3).slice(0, 300) : `H${int(100)}` }
const recentValid: string[] = []

function validCase(): Case {
	const user = pick(known)
	const command = pick<Command>(['hydrate', 'hydrate', 'hydrate', 'lurk', 'lurk', 'lurk', 'lurk', 'go_nap', 'go_nap', 'go_nap'])
	const text = pick(COMMAND_TEXT[command])
	const shape: Shape = chance(0.5) ? 'v0.3' : 'v0.2'
	const event: Json = chatEvent({ ...user, moderator: chance(0.1) }, text, shape, { id: messageId('valid') })
	const variant = int(8)
	if (variant === 1) delete event.eventData.rawBody // Owncast versions that only send the rendered body
	if (variant === 2) event.eventData.rawBody = null
	if (variant === 3) {
		delete event.eventData.clientId
		event.eventData.user.scopes = null
	}
	if (variant === 4) event.eventData.extra = { deep: new Raw(nestedArrays(2000)), list: [1, 'two', null], proto: own({}, '__proto__', { polluted: 'yes' }) }
	if (variant === 5) event.eventData.user.displayName = hostileText(3).slice(0, 200)
	const body = serialize(event)
	recentValid.push(body)
	if (recentValid.length > 50) recentValid.shift()
	return { kind: `valid ${command} (variant ${variant})`, body, expect: [204], valid: { viewerId: user.id, command } }
}

/** Changes that must stop a valid command from a known viewer doing anything, with the status they get. */
const INVALIDATING: readonly (readonly [string, number, (e: Json) => void])[] = [
	['user.isBot = true', 204, (e) => (e.eventData.user.isBot = true)],
	['user.isBot = "false"', 400, (e) => (e.eventData.user.isBot = 'false')],
	['user.isBot = 0', 400, (e) => (e.eventData.user.isBot = 0)],
	['user.isBot = null', 400, (e) => (e.eventData.user.isBot = null)],
	['clientId = -1', 400, (e) => (e.eventData.clientId = -1)],
	['clientId = 1.5', 400, (e) => (e.eventData.clientId = 1.5)],
	['clientId = "14"', 400, (e) => (e.eventData.clientId = '14')],
	['clientId = 1e400', 400, (e) => (e.eventData.clientId = new Raw('1e400'))],
	['clientId = NaN', 400, (e) => (e.eventData.clientId = new Raw('NaN'))],
	['clientId = -Infinity', 400, (e) => (e.eventData.clientId = new Raw('-Infinity'))],
	['clientId = true', 400, (e) => (e.eventData.clientId = true)],
	['user.id = ""', 400, (e) => (e.eventData.user.id = '')],
	['user.id = 42', 400, (e) => (e.eventData.user.id = 42)],
	['user.id = null', 400, (e) => (e.eventData.user.id = null)],
	['user.id = [id]', 400, (e) => (e.eventData.user.id = [e.eventData.user.id])],
	['user.id = {}', 400, (e) => (e.eventData.user.id = {})],
	['user.id too long', 400, (e) => (e.eventData.user.id = 'a'.repeat(201))],
	['user missing', 400, (e) => delete e.eventData.user],
	['user = null', 400, (e) => (e.eventData.user = null)],
	['user = []', 400, (e) => (e.eventData.user = [])],
	['user = "id"', 400, (e) => (e.eventData.user = e.eventData.user.id)],
	['user.displayName too long', 400, (e) => (e.eventData.user.displayName = 'x'.repeat(501))],
	['user.displayName = 7', 400, (e) => (e.eventData.user.displayName = 7)],
	['user.displayName = null', 400, (e) => (e.eventData.user.displayName = null)],
	['user.scopes = "MODERATOR"', 400, (e) => (e.eventData.user.scopes = 'MODERATOR')],
	['user.scopes = [1]', 400, (e) => (e.eventData.user.scopes = [1])],
	['user.scopes deeply nested', 400, (e) => (e.eventData.user.scopes = new Raw(nestedArrays(10_000)))],
	['rawBody = 42', 400, (e) => (e.eventData.rawBody = 42)],
	['rawBody = {}', 400, (e) => (e.eventData.rawBody = {})],
	['rawBody = [text]', 400, (e) => (e.eventData.rawBody = [e.eventData.rawBody])],
	['body = 1', 400, (e) => (e.eventData.body = 1)],
	['id = 7', 400, (e) => (e.eventData.id = 7)],
	['id = {}', 400, (e) => (e.eventData.id = {})],
	['type = "chat"', 204, (e) => (e.type = 'chat')],
	['type = "CHAT "', 204, (e) => (e.type = 'CHAT ')],
	['type = "\\u0000CHAT"', 204, (e) => (e.type = '\u0000CHAT')],
	['type = null', 400, (e) => (e.type = null)],
	['type = ["CHAT"]', 400, (e) => (e.type = ['CHAT'])],
	['type missing', 400, (e) => delete e.type],
	['eventData = []', 400, (e) => (e.eventData = [])],
	['eventData = null', 400, (e) => (e.eventData = null)],
	['eventData = string', 400, (e) => (e.eventData = JSON.stringify(e.eventData))],
	['eventData missing', 400, (e) => delete e.eventData],
	['eventData nested 10,000 deep', 400, (e) => (e.eventData = new Raw(nestedArrays(10_000)))],
	['user only in eventData.__proto__', 400, (e) => {
		const user = e.eventData.user
		delete e.eventData.user
		own(e.eventData, '__proto__', { user })
	}],
	['user.id only in user.__proto__', 400, (e) => {
		const id = e.eventData.user.id
		delete e.eventData.user.id
		own(e.eventData.user, '__proto__', { id })
	}],
	['user only in eventData.constructor.prototype', 400, (e) => {
		const user = e.eventData.user
		delete e.eventData.user
		e.eventData.constructor = { prototype: { user } }
	}],
	['envelope only in __proto__', 400, (e) => {
		const { type, eventData } = e
		delete e.type
		delete e.eventData
		own(e, '__proto__', { type, eventData })
	}],
	['envelope wrapped in another object', 400, (e) => {
		const copy = { ...e }
		for (const key of Object.keys(e)) delete e[key]
		e.wrapped = [copy]
	}],
	['over 64 KB', 413, (e) => (e.eventData.pad = 'x'.repeat(MAX_BODY + int(100_000)))],
	['over 64 KB in emoji', 413, (e) => (e.eventData.pad = '😀'.repeat(MAX_BODY / 4 + 1 + int(5000)))]
]

function invalidatedValidCase(): Case {
	const user = pick(known)
	const command = pick<Command>(['hydrate', 'lurk', 'go_nap'])
	const event: Json = chatEvent(user, pick(COMMAND_TEXT[command]), chance(0.5) ? 'v0.3' : 'v0.2', { id: messageId('inv') })
	const [name, status, change] = pick(INVALIDATING)
	change(event)
	return { kind: `valid command made invalid: ${name}`, body: serialize(event), expect: [status] }
}

function baseEvent(user: TestUser): Json {
	const shape: Shape = chance(0.5) ? 'v0.3' : 'v0.2'
	return weighted<() => Json>([
		[6, () => chatEvent(user, hostileText(), shape, { id: chance(0.8) ? messageId('h') : hostileValue() })],
		[2, () => nameChangeEvent(user, chance(0.5) ? hostileText(4) : String(hostileValue()), shape, chance(0.8) ? 'NAME_CHANGE' : 'NAME_CHANGED')],
		[2, () => userJoinedEvent(user, shape)],
		[1, () => streamEvent(chance(0.5) ? 'STREAM_STARTED' : 'STREAM_STOPPED', shape)],
		[1, () => ({ type: 'VISIBILITY-UPDATE', eventData: { id: messageId('vis'), timestamp: '2026-09-20T18:44:28.225Z', user: null, visible: false, ids: [messageId('x')] } })],
		[1, () => ({ type: pick(['PING', 'SYSTEM', 'CHAT_ACTION', 'FEDIVERSE_ENGAGEMENT_FOLLOW', '', '__proto__', 'constructor', 'toString', 'x'.repeat(5000)]), eventData: { user: { ...user }, body: hostileText() } })]
	])()
}

function mutatedCase(): Case {
	const event = baseEvent(hostileUser())
	const mutations = 1 + int(4)
	for (let i = 0; i < mutations; i++) {
		const paths = allPaths(event)
		if (!paths.length) break
		setPath(event, pick(paths), hostileValue())
	}
	return { kind: 'mutated event', body: serialize(event), expect: [204, 400] }
}

function notJsonCase(): Case {
	const body = pick([
		'', ' ', 'null', 'true', '0', '-0', 'NaN', 'Infinity', '-Infinity', '1e400', 'undefined', '"CHAT"', '[]', '{}', '{',
		'}', '{"type":', '{"type":"CHAT","eventData":{}', "{'type':'CHAT'}", '{"type":"CHAT",}', '{"type":"CHAT" "eventData":{}}',
		'\u0000', '<xml/>', 'type=CHAT&eventData=1', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
		'{"type":"CHAT","eventData":{"user":{"id":"x"}}} trailing', '/*c*/{}', '{"type":"CHAT"}{"type":"CHAT"}',
		'{"type":NaN}', '{"type":"CHAT","eventData":{"clientId":NaN,"user":{"id":"x"}}}', '{"type":"CHAT","eventData":{"clientId":0x10}}',
		'{"type":"CHAT","eventData":{"user":{"id":"x"},"rawBody":"\\ud800\\"}}', '{"type":"CHAT","eventData":{"rawBody":"\\x41"}}',
		String.fromCharCode(...Array.from({ length: 200 }, () => int(0x10000))), '\ufeff\ufeff[]'
	])
	return { kind: 'not JSON or not an envelope', body, expect: [400] }
}

function envelopeCase(): Case {
	const user = hostileUser()
	return weighted<() => Case>([
		[2, () => ({ kind: 'top level not an object', body: serialize(pick([[], [chatEvent(user, 'hi')], 1, 'CHAT', true, null, new Raw('1e400'), [[[[]]]]])), expect: [400] })],
		[2, () => ({ kind: 'type not a string', body: serialize({ type: pick([null, 1, true, [], {}, new Raw('1e400'), ['CHAT']]), eventData: chatEvent(user, 'hi').eventData }), expect: [400] })],
		[2, () => ({ kind: 'eventData of the wrong type', body: serialize({ type: pick(['CHAT', 'NAME_CHANGE', 'NAME_CHANGED', 'USER_JOINED']), eventData: pick(['str', 1, [], null, true, new Raw('-1e400'), [chatEvent(user, 'x').eventData]]) }), expect: [400] })],
		[1, () => ({ kind: 'stream event with any eventData', body: serialize({ type: pick(['STREAM_STARTED', 'STREAM_STOPPED']), eventData: pick(['str', 1, [], null, {}, undefined]) }), expect: [204] })],
		[1, () => ({ kind: 'unknown type', body: serialize({ type: pick(['chat', 'CHAT ', 'PING', 'SYSTEM', '', '\u0000', '__proto__', 'constructor', 'toString', 'x'.repeat(10_000), '\ud800']), eventData: chance(0.5) ? null : chatEvent(user, '!lurk').eventData }), expect: [204] })]
	])()
}

function hostileCommandCase(): Case {
	const user = hostileUser()
	const text = pick(HOSTILE_COMMANDS)
	const event: Json = chatEvent(user, text, chance(0.5) ? 'v0.3' : 'v0.2', { id: messageId('hc') })
	if (chance(0.3)) delete event.eventData.rawBody
	return { kind: `hostile command ${JSON.stringify(text.slice(0, 30))}`, body: serialize(event), expect: [204] }
}

function duplicateCase(): Case {
	if (!recentValid.length) return hostileCommandCase()
	return { kind: 'duplicate delivery of a valid command', body: pick(recentValid), expect: [204] }
}

function protoCase(): Case {
	const event: Json = chatEvent(hostileUser(), hostileText(), 'v0.3', { id: messageId('proto') })
	const targets = [event, event.eventData, event.eventData.user, event.eventData.status ?? event.eventData]
	for (let i = 0; i < 1 + int(3); i++) {
		const target = pick(targets)
		const key = pick(['__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString', 'valueOf', 'isPrototypeOf'])
		own(target, key, pick([{ polluted: 'yes', isBot: true }, { prototype: { polluted: 'yes' } }, 'yes', 1, null, []]))
	}
	if (chance(0.2)) event.eventData.id = pick(['__proto__', 'constructor', 'hasOwnProperty'])
	return { kind: 'prototype keys', body: serialize(event), expect: [204, 400] }
}

function unicodeCase(): Case {
	const user: TestUser = { id: `u-${pick(UNICODE)}${int(50)}${pick(UNICODE)}`, displayName: hostileText(4).slice(0, 300) }
	const event: Json = chatEvent(user, hostileText(12), 'v0.3', { id: `${pick(UNICODE)}${messageId('uni')}` })
	event.eventData.body = hostileText(6)
	// Ids that are not well-formed strings (lone surrogates) are refused with 400.
	return { kind: 'unicode tricks', body: serialize(event), expect: [user.id.isWellFormed() ? 204 : 400] }
}

function deepCase(): Case {
	const user = hostileUser()
	return weighted<() => Case>([
		[2, () => ({ kind: '10,000 nested arrays', body: nestedArrays(10_000), expect: [400] })],
		[1, () => ({ kind: '30,000 nested arrays', body: nestedArrays(30_000), expect: [400] })],
		[1, () => ({ kind: '10,000 nested objects', body: nestedObjects(10_000), expect: [400] })],
		[1, () => ({ kind: 'unclosed nesting', body: '['.repeat(20_000), expect: [400] })],
		[2, () => {
			const event: Json = chatEvent(user, hostileText(), 'v0.3', { id: messageId('deep') })
			event.eventData.extra = new Raw(nestedArrays(10_000))
			return { kind: 'CHAT with a 10,000 deep extra field', body: serialize(event), expect: [204] }
		}],
		[1, () => {
			const event: Json = chatEvent(user, hostileText(), 'v0.3', { id: messageId('deep') })
			event.eventData.user = new Raw(nestedObjects(5_000))
			return { kind: 'CHAT with a 5,000 deep user', body: serialize(event), expect: [400] }
		}]
	])()
}

function hugeCase(): Case {
	const user = hostileUser()
	const event: Json = chatEvent(user, 'placeholder', 'v0.3', { id: messageId('huge') })
	return weighted<() => Case>([
		[3, () => {
			// Under the limit: a long message, still answered normally.
			const room = MAX_BODY - bytes(serialize(event)) - 200
			const text = pick(SAFE_START) + pick(['a', ' ', '<b>', '&amp;', '😀', '\u202e', '<img']).repeat(Math.floor((room * random()) / 8))
			event.eventData.rawBody = text
			event.eventData.body = text.slice(0, 100)
			return { kind: 'huge string under 64 KB', body: serialize(event), expect: [204] }
		}],
		[2, () => {
			event.eventData.rawBody = pick(['x', '😀', 'é', '\u0000']).repeat(MAX_BODY + int(200_000))
			return { kind: 'huge string over 64 KB', body: serialize(event), expect: [413] }
		}],
		[1, () => {
			// Exactly one byte over the limit.
			event.eventData.pad = ''
			event.eventData.pad = 'p'.repeat(MAX_BODY + 1 - bytes(serialize(event)))
			return { kind: '64 KB + 1 byte', body: serialize(event), expect: [413] }
		}],
		[1, () => {
			event.eventData.rawBody = hostileText()
			event.eventData.pad = ''
			event.eventData.pad = 'p'.repeat(MAX_BODY - bytes(serialize(event)))
			return { kind: 'exactly 64 KB', body: serialize(event), expect: [204] }
		}]
	])()
}

function binaryCase(): Case {
	const user = hostileUser()
	const encoder = new TextEncoder()
	const bad = pick([[0xff], [0xfe, 0xff], [0xc0, 0xa1], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]])
	const marker = '\u0001BAD\u0001'
	return weighted<() => Case>([
		[3, () => {
			// Invalid bytes inside a string, even where the command prefix would be: decoded as U+FFFD.
			const where = pick(['rawBody', 'displayName', 'id'])
			const event: Json = chatEvent(user, where === 'rawBody' ? `${marker}lurk` : hostileText(), 'v0.3', { id: messageId('bin') })
			if (where === 'displayName') event.eventData.user.displayName = `${marker}name`
			if (where === 'id') event.eventData.user.id = `bin-${marker}`
			// The marker can appear twice (rawBody and body); each one becomes the invalid bytes.
			const parts = serialize(event).split(JSON.stringify(marker).slice(1, -1))
			const body = new Uint8Array(parts.flatMap((part, i) => [...(i ? bad : []), ...encoder.encode(part)]))
			return { kind: `invalid UTF-8 in ${where}`, body, expect: [204] }
		}],
		[2, () => {
			const text = serialize(chatEvent(user, hostileText(), 'v0.3', { id: messageId('bin') }))
			const cut = 1 + int(text.length - 2)
			const body = new Uint8Array([...encoder.encode(text.slice(0, cut)), ...bad, ...encoder.encode(text.slice(cut))])
			return { kind: 'invalid UTF-8 anywhere', body, expect: [204, 400] }
		}],
		[1, () => {
			const text = serialize(chatEvent(user, hostileText(), 'v0.3'))
			const body = new Uint8Array([0xff, 0xfe, ...Array.from(text).flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])])
			return { kind: 'UTF-16 body', body, expect: [400] }
		}],
		[1, () => ({ kind: 'random bytes', body: new Uint8Array(Array.from({ length: 1 + int(3000) }, () => int(256))), expect: [400] })]
	])()
}

function numbersCase(): Case {
	const event: Json = chatEvent(hostileUser(), hostileText(), chance(0.5) ? 'v0.3' : 'v0.2', { id: messageId('num') })
	const field = pick(['clientId', 'timestamp', 'visible', 'user.displayColor', 'user.createdAt', 'status.viewerCount', 'extra'])
	const [head, tail] = field.split('.') as [string, string | undefined]
	const value = new Raw(pick(RAW_NUMBERS))
	if (tail) {
		event.eventData[head] ??= {}
		event.eventData[head][tail] = value
	} else event.eventData[head] = value
	return { kind: `odd number in ${field}`, body: serialize(event), expect: [204, 400] }
}

function hostileCase(): Case {
	return weighted<() => Case>([
		[6, notJsonCase],
		[8, envelopeCase],
		[25, mutatedCase],
		[12, hostileCommandCase],
		[14, invalidatedValidCase],
		[4, duplicateCase],
		[6, protoCase],
		[8, unicodeCase],
		[2, deepCase],
		[3, hugeCase],
		[6, binaryCase],
		[5, numbersCase]
	])()
}

// ---------------------------------------------------------------------------------------------- the test

let bot: TestBot | undefined
afterAll(() => bot?.close())

function send(b: TestBot, c: Case): Promise<Response> {
	const headers: Record<string, string> = { 'user-agent': 'Go-http-client/1.1', ...c.headers }
	return b.app.handle(new Request('http://localhost/owncastWebhook', { method: 'POST', headers, body: c.body }))
}

/** A refusal says why, as {"error": "..."}. */
function isErrorBody(text: string): boolean {
	try {
		return typeof (JSON.parse(text) as { error?: unknown }).error === 'string'
	} catch {
		return false
	}
}

const prototypeSnapshot = () =>
	[Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) => Object.getOwnPropertyNames(p).sort().join(','))

describe('webhook fuzz', () => {
	test(
		`${HOSTILE_EVENTS} hostile webhooks change nothing but what ${VALID_COMMANDS} valid commands do`,
		async () => {
			console.log(`webhook fuzz seed: ${seed} (rerun with FUZZ_SEED=${seed})`)
			const prototypesBefore = prototypeSnapshot()
			bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: String(STARTING_POINTS) }, redeemsToml: REDEEMS_TOML })
			const b = bot

			// Every known viewer exists first, so a hostile event carrying their id can only touch them.
			for (const user of known) {
				const response = await b.chat(user, '!points')
				expect(response.status).toBe(204)
				model.balances.set(user.id, STARTING_POINTS)
			}
			for (const user of known) expect(b.balance(user.id)).toBe(STARTING_POINTS)

			const failures: string[] = []
			const statuses = new Map<number, number>()
			let validLeft = VALID_COMMANDS
			let hostileLeft = HOSTILE_EVENTS
			while (validLeft + hostileLeft > 0) {
				const isValid = random() * (validLeft + hostileLeft) < validLeft
				const c = isValid ? validCase() : hostileCase()
				if (isValid) validLeft--
				else hostileLeft--
				if (!isValid && chance(0.3)) {
					const type = pick(CONTENT_TYPES)
					c.headers = type === undefined ? {} : { 'content-type': type }
					if (chance(0.2)) c.headers['owncast-signature'] = pick(['t=1.s=00', 'garbage', `t=${Date.now()}.s=${'0'.repeat(64)}`])
				} else c.headers = { 'content-type': 'application/json' }
				let response: Response
				try {
					response = await send(b, c)
				} catch (error) {
					failures.push(`${c.kind}: threw ${(error as Error).message}`)
					continue
				}
				const text = await response.text()
				statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
				const sample = () => (typeof c.body === 'string' ? JSON.stringify(c.body.slice(0, 160)) : `${c.body.length} bytes`)
				if (![204, 400, 413].includes(response.status) || !c.expect.includes(response.status)) {
					failures.push(`${c.kind}: got ${response.status} (${text.slice(0, 120)}), expected ${c.expect.join('/')}; body ${sample()}`)
				} else if (response.status === 204 ? text !== '' : !isErrorBody(text)) {
					failures.push(`${c.kind}: ${response.status} with body ${JSON.stringify(text.slice(0, 120))}`)
				}
				if (c.valid && response.status === 204) applyToModel(c.valid.viewerId, c.valid.command)
			}
			console.log(`webhook fuzz statuses: ${JSON.stringify(Object.fromEntries(statuses))}`)
			expect(failures.slice(0, 20), `seed ${seed}: ${failures.length} bad responses`).toEqual([])
			// Hostile payloads must really have been refused, not just all answered 204.
			expect(statuses.get(400) ?? 0).toBeGreaterThan(HOSTILE_EVENTS / 5)
			expect(statuses.get(413) ?? 0).toBeGreaterThan(10)

			// No prototype grew a property.
			expect(prototypeSnapshot()).toEqual(prototypesBefore)
			expect(({} as Record<string, unknown>).polluted).toBeUndefined()
			expect(({} as Record<string, unknown>).isBot).toBeUndefined()

			// The server still answers a normal command.
			await settle(b)
			const viewer = ordinary[0] as TestUser
			const replies = await b.chatReplies(viewer, '!points')
			const expected = model.balances.get(viewer.id) as number
			expect(replies).toHaveLength(1)
			expect(replies[0]).toContain(`@${viewer.displayName}`)
			expect(replies[0]).toContain(` ${expected} point`)
			const health = await b.app.handle(new Request('http://localhost/healthz'))
			expect(health.status).toBe(200)

			// Balances, queue, counter and milestone moved only through the valid commands.
			const db = b.db
			const balances = Object.fromEntries(known.map((u) => [u.id, b.balance(u.id)]))
			expect(balances, `seed ${seed}`).toEqual(Object.fromEntries(model.balances))
			expect(model.hydrates + model.lurks + model.donations).toBeGreaterThan(VALID_COMMANDS / 2)
			const redemptions = db.query<{ redeem: string; cost: number; viewer_id: string }, []>('SELECT redeem, cost, viewer_id FROM redemptions').all()
			expect(redemptions.length, `seed ${seed}`).toBe(model.hydrates)
			expect(redemptions.every((r) => r.redeem === 'hydrate' && r.cost === HYDRATE_PRICE)).toBe(true)
			const counter = db.query<{ count: number }, []>("SELECT count FROM counters WHERE name = 'lurk'").get()
			expect(counter?.count, `seed ${seed}`).toBe(model.lurks)
			const milestone = db.query<{ progress: number; completed: number }, []>("SELECT progress, completed FROM milestones WHERE name = 'go_nap'").get()
			expect(milestone, `seed ${seed}`).toEqual({ progress: model.progress, completed: model.progress >= GOAL ? 1 : 0 })

			// The ledger tells the same story, and every balance (hostile viewers' too) is its ledger sum.
			const ledger = db
				.query<{ reason: string; redeem: string | null; rows: number; total: number }, []>(
					'SELECT reason, redeem, count(*) AS rows, sum(delta) AS total FROM ledger GROUP BY reason, redeem ORDER BY reason, redeem'
				)
				.all()
			const viewerCount = db.query<{ n: number }, []>('SELECT count(*) AS n FROM viewers').get()?.n ?? 0
			expect(ledger, `seed ${seed}`).toEqual(
				[
					model.donations ? { reason: 'donation', redeem: 'go_nap', rows: model.donations, total: -model.progress } : undefined,
					model.hydrates ? { reason: 'redeem', redeem: 'hydrate', rows: model.hydrates, total: -model.hydrates * HYDRATE_PRICE } : undefined,
					model.lurks ? { reason: 'redeem', redeem: 'lurk', rows: model.lurks, total: -model.lurks * LURK_PRICE } : undefined,
					{ reason: 'starting', redeem: null, rows: viewerCount, total: viewerCount * STARTING_POINTS }
				].filter((row) => row !== undefined)
			)
			const orphans = db
				.query<{ n: number }, []>(
					`SELECT count(*) AS n FROM redemptions r
					WHERE (SELECT count(*) FROM ledger l WHERE l.redemption_id = r.id AND l.delta = -r.cost) != 1`
				)
				.get()
			expect(orphans?.n).toBe(0)
			expect(ledgerInvariantViolations(db)).toEqual([])
			expect(db.query<{ integrity_check: string }, []>('PRAGMA integrity_check').get()?.integrity_check).toBe('ok')
		},
		30_000
	)

	test('64 KB of pathological markup costs about what 64 KB of plain text costs (no quadratic regex)', async () => {
		const b = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: String(STARTING_POINTS) }, redeemsToml: REDEEMS_TOML })
		try {
			const user: TestUser = { id: 'markup', displayName: 'Markup' }
			// The best of three, so a stray pause on a busy machine does not count.
			const cost = async (text: string) => {
				let best = Number.POSITIVE_INFINITY
				for (let i = 0; i < 3; i++) {
					const event = chatEvent(user, text, 'v0.3', { id: messageId('markup') })
					delete event.eventData.body
					const start = performance.now()
					const response = await send(b, { kind: 'markup', body: serialize(event), expect: [204], headers: { 'content-type': 'application/json' } })
					best = Math.min(best, performance.now() - start)
					expect(response.status).toBe(204)
				}
				return best
			}
			await cost(`!react ${'warm up '.repeat(100)}`)
			// A note redeem runs the text through both the command and the note clean-up.
			const plain = await cost(`!react ${'abcd'.repeat(14_500)}`)
			for (const piece of ['<img', '<img ', '<img alt="', '<IMG title=x']) {
				const text = `!react ${piece.repeat(Math.floor(58_000 / piece.length))}`
				const ms = await cost(text)
				expect(ms, `${JSON.stringify(piece)} × ${Math.floor(58_000 / piece.length)}: ${ms.toFixed(1)} ms, plain text ${plain.toFixed(1)} ms`).toBeLessThan(plain * 5 + 40)
			}
			expect(b.balance(user.id)).toBe(STARTING_POINTS)
		} finally {
			b.close()
		}
	}, 30_000)
})
