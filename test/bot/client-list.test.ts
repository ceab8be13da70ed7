// Owncast's client list read one connection at a time (src/modules/owncast/client-list.ts): whatever the answer and
// however it is cut into chunks, what is handed out is what tlapbot picks from JSON.parse of the whole answer (each
// connection's user id, displayName, isBot and scopes), and an answer JSON.parse refuses is refused.
import { test, expect, describe } from 'bun:test'
import { readClientList, type PickedClient } from '../../src/modules/owncast/client-list.ts'
import { createOwncastClient } from '../../src/modules/owncast/client.ts'

/** A stream of the text's UTF-8 bytes cut at the given byte offsets. */
function streamOf(text: string | Uint8Array, cuts: number[] = []): ReadableStream<Uint8Array> {
	const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text
	const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]
	let i = 0
	return new ReadableStream({
		pull(controller) {
			if (i >= points.length - 1) return controller.close()
			controller.enqueue(bytes.slice(points[i], points[i + 1]))
			i++
		}
	})
}

/** What the reader should hand out for one element of JSON.parse's array. */
function pick(element: unknown): PickedClient {
	if (typeof element !== 'object' || element === null || Array.isArray(element)) return null
	if (!('user' in element)) return {}
	const user = (element as { user: unknown }).user
	if (typeof user !== 'object' || user === null || Array.isArray(user)) return { user }
	const picked: Record<string, unknown> = {}
	for (const key of ['id', 'displayName', 'isBot', 'scopes']) if (key in user) picked[key] = (user as Record<string, unknown>)[key]
	return { user: picked }
}

async function read(text: string | Uint8Array, cuts: number[] = []) {
	const elements: PickedClient[] = []
	const result = await readClientList(streamOf(text, cuts), (e) => elements.push(e))
	return { result, elements }
}

/** Every answer read with no cut, with a cut at every byte offset, and with every second byte a chunk. */
async function expectSameAsJsonParse(text: string) {
	const bytes = new TextEncoder().encode(text).length
	const chunkings: number[][] = [[], Array.from({ length: bytes }, (_, i) => i + 1).filter((i) => i % 2 === 0)]
	for (let cut = 1; cut < bytes; cut++) chunkings.push([cut])
	let expected: unknown
	let valid = true
	try {
		expected = JSON.parse(text)
	} catch {
		valid = false
	}
	for (const cuts of chunkings) {
		const { result, elements } = await read(text, cuts)
		if (valid && Array.isArray(expected)) {
			expect(result).toEqual({ ok: true })
			expect(elements).toEqual(expected.map(pick))
		} else {
			expect(result.ok).toBe(false)
			if (!result.ok) expect(result.reason).toBe(valid ? 'not_array' : 'not_json')
		}
	}
}

const client = (id: string, extra: Record<string, unknown> = {}) => ({
	connectedAt: '2026-11-30T00:00:00Z',
	messageCount: 1,
	userAgent: 'Mozilla/5.0',
	geo: null,
	user: { id, displayName: `Name ${id}`, previousNames: [`Name ${id}`], scopes: [], isBot: false, ...extra }
})

describe('readClientList', () => {
	test('a compact answer as Owncast writes it, however it is cut', async () => {
		await expectSameAsJsonParse(JSON.stringify([client('a'), client('b'), client('c')]))
	})

	test('strings that hold the cut `},{`, escaped quotes, backslashes and non-ASCII names', async () => {
		await expectSameAsJsonParse(
			JSON.stringify([
				client('x', { displayName: 'a},{"b":1},{' }),
				client('y', { displayName: 'q\\"},{\\\\' }),
				client('z', { displayName: 'Žluťoučký 🐴 },{' }),
				{ ...client('w'), userAgent: '},{},{}]' }
			])
		)
	})

	test('nested values, elements that are not objects, users that are not objects, keys given twice', async () => {
		await expectSameAsJsonParse('[{"a":[{"b":1},{"c":2}],"user":{"id":"n","x":{"id":"deep"}}},{"d":{}},{}]')
		await expectSameAsJsonParse('[{"a":1},null,{"b":2},[{"user":{"id":"q"}}],"s",-1.5e+3,true,false]')
		await expectSameAsJsonParse('[{"user":null},{"user":5},{"user":"x"},{"user":[1]},{"user":{}}]')
		await expectSameAsJsonParse('[{"user":{"id":"a"},"user":{"displayName":"b"}},{"user":{"id":"a","id":7}},{"user":{"id":1},"user":null}]')
		await expectSameAsJsonParse('[{"user":{"id":5,"displayName":null,"isBot":"yes","scopes":["MODERATOR",3]}}]')
	})

	test('escapes in keys and values, numbers in every form', async () => {
		await expectSameAsJsonParse('[{"\\u0075ser":{"\\u0069d":"\\u00e9\\n\\t\\/x","displayName":"\\ud83d\\ude00"}}]')
		await expectSameAsJsonParse('[{"n":[0,-0,1.25,1e5,1E-5,-12.5e+10,123456789012345678901234567890]}]')
	})

	test('whitespace anywhere and pretty-printed answers', async () => {
		await expectSameAsJsonParse(' \n[ {"a":1} , {"b":{"c":2}}\n,{"d":3} ]\n ')
		await expectSameAsJsonParse(JSON.stringify([client('a'), client('b')], null, 2))
	})

	test('empty lists, and answers that are not arrays', async () => {
		await expectSameAsJsonParse('[]')
		await expectSameAsJsonParse(' [ ] ')
		await expectSameAsJsonParse('null')
		await expectSameAsJsonParse('{"error":"x"}')
		await expectSameAsJsonParse('"text"')
	})

	test('broken answers are refused as JSON.parse refuses them', async () => {
		for (const broken of [
			'',
			'[',
			'[{"a":1}',
			'[{"a":1},',
			'[{"a":1},]',
			'[{"a":1},{"b":2},]',
			'[{"a":1},{"b":2}',
			'[{"a":1},{"b":2}]x',
			'[{"a":1},{"b":2}]]',
			'[{"a":1}{"b":2}]',
			'[{"a":1},,{"b":2}]',
			'[,{"a":1}]',
			'[{"a":1},{"b":"},{"}]',
			'[{"a":1},{"b":2} x]',
			'<html>oops</html>',
			'[{"a":01}]',
			'[{"a":1.}]',
			'[{"a":.5}]',
			'[{"a":-}]',
			'[{"a":1e}]',
			'[{"a":tru}]',
			'[{"a":nul}]',
			'[{"a":"\\x"}]',
			'[{"a":"\\u12G4"}]',
			'[{"a":"tab\there"}]',
			'[{"a" 1}]',
			'[{a:1}]',
			'[{"a":1,}]',
			'[{"a":1}}]',
			'[{"a":[1,]}]',
			'[1 2]',
			'[] []'
		]) {
			await expectSameAsJsonParse(broken)
		}
	})

	test('a long answer in chunks hands out every element, in order, as it arrives', async () => {
		const clients = Array.from({ length: 3000 }, (_, i) => client(`v${i}`, { displayName: i % 97 === 0 ? `odd },{ ${i}` : `Viewer ${i}` }))
		const text = JSON.stringify(clients)
		const cuts = Array.from({ length: 200 }, (_, i) => Math.floor((text.length * (i + 1)) / 201) + (i % 7))
		const { result, elements } = await read(text, cuts)
		expect(result).toEqual({ ok: true })
		expect(elements).toEqual(clients.map(pick))
	})

	test('bytes that are not UTF-8 become U+FFFD, as response.text() decodes them; a byte order mark is skipped', async () => {
		const text = '\ufeff[{"user":{"id":"ab","displayName":"cd"}}]'
		const bytes = new TextEncoder().encode(text)
		const id = bytes.indexOf(0x61)
		bytes[id] = 0xff
		const expected = JSON.parse(new TextDecoder().decode(bytes)) as unknown[]
		for (let cut = 0; cut < bytes.length; cut++) {
			const { result, elements } = await read(bytes, [cut])
			expect(result).toEqual({ ok: true })
			expect(elements).toEqual(expected.map(pick))
		}
		expect((expected[0] as { user: { id: string } }).user.id).toBe('\ufffdb')
	})

	test('an element over 1 MB is read like any other', async () => {
		const big = client('big', { displayName: 'x'.repeat(1_200_000) })
		const list = [client('a'), big, client('b')]
		const { result, elements } = await read(JSON.stringify(list), [100, 2000, 600_000, 1_300_000])
		expect(result).toEqual({ ok: true })
		expect(elements).toEqual(list.map(pick))
	})
})

describe('chatUsers reads the list as it streams', () => {
	test('a slow Owncast sending the list in pieces: every user once, bots left out', async () => {
		const list = [client('a'), client('b', { isBot: true }), client('a'), client('c', { displayName: 'Ω },{' })]
		const text = JSON.stringify(list)
		const server = Bun.serve({
			hostname: '127.0.0.1',
			port: 0,
			fetch: () =>
				new Response(
					new ReadableStream({
						async start(controller) {
							for (let i = 0; i < text.length; i += 37) {
								controller.enqueue(new TextEncoder().encode(text.slice(i, i + 37)))
								await Bun.sleep(1)
							}
							controller.close()
						}
					}),
					{ headers: { 'content-type': 'application/json' } }
				)
		})
		try {
			const users = await createOwncastClient({ baseUrl: `http://127.0.0.1:${server.port}`, accessToken: 't' }).chatUsers()
			expect(users.ok && users.value.map((u) => [u.id, u.displayName])).toEqual([
				['a', 'Name a'],
				['c', 'Ω },{']
			])
		} finally {
			server.stop(true)
		}
	})

	test('one connection of over 16 MB is refused with its own reason; what the consumer throws is not a broken connection', async () => {
		const text = JSON.stringify([client('a'), client('huge', { displayName: 'x'.repeat(17 * 1024 * 1024) })])
		const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response(text) })
		try {
			const owncast = createOwncastClient({ baseUrl: `http://127.0.0.1:${server.port}`, accessToken: 't' })
			const users = await owncast.chatUsers()
			expect(users).toEqual({
				ok: false,
				fault: 'invalid_response',
				message: 'Owncast answered /api/integrations/clients with one entry larger than 16 MB'
			})
			const thrown = await owncast
				.eachChatUser(() => {
					throw new Error('the award list is full')
				})
				.catch((error: Error) => error.message)
			expect(thrown).toBe('the award list is full')
		} finally {
			server.stop(true)
		}
	})

	test('an answer cut off halfway is refused as not JSON, and nobody is listed', async () => {
		const text = JSON.stringify([client('a'), client('b'), client('c')])
		const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response(text.slice(0, text.length - 40)) })
		try {
			const users = await createOwncastClient({ baseUrl: `http://127.0.0.1:${server.port}`, accessToken: 't' }).chatUsers()
			expect(users.ok).toBe(false)
			if (!users.ok) expect(users.message).toContain('not JSON')
		} finally {
			server.stop(true)
		}
	})
})
