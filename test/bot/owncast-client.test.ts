// The Owncast client against a fake Owncast on a loopback port, and the bounded chat sender.
import { test, expect, describe, beforeEach, afterEach } from 'bun:test'
import { createLogger, type Logger } from '../../src/log.ts'
import { createChatSender } from '../../src/modules/owncast/chat-sender.ts'
import { createOwncastClient, type OwncastClient, type OwncastFault, type OwncastResult } from '../../src/modules/owncast/client.ts'
import { startFakeOwncast, type FakeOwncast } from '../support/fake-owncast.ts'

type Captured = { log: Logger; lines: string[] }

function captureLog(): Captured {
	const lines: string[] = []
	return { log: createLogger('debug', (_level, line) => lines.push(line)), lines }
}

/** A one-route server that answers every request with the given response (for answers the shared fake cannot give). */
function startCanned(respond: () => Response): { url: string; stop(): void } {
	const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => respond() })
	return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) }
}

function expectFault(result: OwncastResult<unknown>, fault: OwncastFault): string {
	if (result.ok) throw new Error(`expected fault ${fault}, got success ${JSON.stringify(result.value)}`)
	expect(result.fault).toBe(fault)
	expect(result.message.length).toBeGreaterThan(0)
	return result.message
}

let fake: FakeOwncast
let captured: Captured
let client: OwncastClient
const extraStops: (() => void)[] = []

beforeEach(() => {
	fake = startFakeOwncast({ token: 'tok-Abc.123' })
	captured = captureLog()
	client = createOwncastClient({ baseUrl: fake.url, accessToken: fake.token, timeoutMs: 2000 })
})

afterEach(() => {
	fake.stop()
	for (const stop of extraStops.splice(0)) stop()
})

describe('createOwncastClient', () => {
	test('status reports whether the stream is live', async () => {
		fake.online = true
		expect(await client.status()).toEqual({ ok: true, value: { online: true } })
		fake.online = false
		expect(await client.status()).toEqual({ ok: true, value: { online: false } })
		const calls = fake.requests.filter((r) => r.path === '/api/status')
		expect(calls.length).toBe(2)
		expect(calls.every((r) => r.method === 'GET')).toBe(true)
	})

	test('chatUsers gives each user once, however many tabs, and leaves bots out', async () => {
		fake.clients = [
			{ user: { id: 'u1', displayName: 'PixelPanda' } },
			{ user: { id: 'u2', displayName: 'lazy-daisy', scopes: ['MODERATOR'] } },
			{ user: { id: 'u1', displayName: 'PixelPanda' } },
			{ user: { id: 'bot1', displayName: 'SomeBot', isBot: true } },
			{ user: { id: 'u1', displayName: 'PixelPanda' } },
			{ user: { id: '-Zzltt74g', displayName: 'dash-id' } }
		]
		const result = await client.chatUsers()
		if (!result.ok) throw new Error(result.message)
		const ids = result.value.map((u) => u.id).sort()
		expect(ids).toEqual(['-Zzltt74g', 'u1', 'u2'])
		expect(result.value.find((u) => u.id === 'u1')?.displayName).toBe('PixelPanda')
		expect(result.value.find((u) => u.id === 'u2')?.scopes).toEqual(['MODERATOR'])
		expect(result.value.some((u) => u.isBot)).toBe(false)
	})

	test('chatUsers with nobody connected is an empty list, not a fault', async () => {
		fake.clients = []
		expect(await client.chatUsers()).toEqual({ ok: true, value: [] })
	})

	test('chatUsers skips connections without a user', async () => {
		const canned = startCanned(() =>
			Response.json([{ connectedAt: 'x', user: null }, { connectedAt: 'y' }, { user: { id: 'u9', displayName: 'Nine' } }])
		)
		extraStops.push(canned.stop)
		const other = createOwncastClient({ baseUrl: canned.url, accessToken: 't' })
		const result = await other.chatUsers()
		if (!result.ok) throw new Error(result.message)
		expect(result.value.map((u) => u.id)).toEqual(['u9'])
	})

	test('sendChat posts the body and reports success', async () => {
		const result = await client.sendChat('@PixelPanda, you have 20 points.')
		expect(result).toEqual({ ok: true, value: undefined })
		expect(fake.messages).toEqual(['@PixelPanda, you have 20 points.'])
		const send = fake.requests.find((r) => r.path === '/api/integrations/chat/send')
		expect(send?.method).toBe('POST')
	})

	test('the Authorization header is exactly "Bearer <token>"', async () => {
		await client.chatUsers()
		await client.sendChat('hello')
		const authed = fake.requests.filter((r) => r.path.startsWith('/api/integrations/'))
		expect(authed.length).toBe(2)
		for (const request of authed) expect(request.authorization).toBe('Bearer tok-Abc.123')
	})

	test('a slow Owncast gives the fault "timeout" after timeoutMs, not after the server answers', async () => {
		const quick = createOwncastClient({ baseUrl: fake.url, accessToken: fake.token, timeoutMs: 200 })
		// The fake holds every request for 10 s and would then answer it successfully.
		fake.mode = 'slow'
		const results = await Promise.all([quick.status(), quick.chatUsers(), quick.sendChat('hi')])
		// A "timeout" fault from the client's own timeoutMs, not the success the server would have sent later:
		// the client gave up before the answer came.
		for (const result of results) expect(expectFault(result, 'timeout')).toContain('within 0.2 s')
		fake.stop()
	})

	test('headers on time but a body that stalls past timeoutMs is a "timeout" too, not "invalid_response"', async () => {
		// Owncast (or a proxy in front of it) sends the headers, then nothing more.
		const stalled = startCanned(
			() =>
				new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('{"online":')) }), {
					headers: { 'content-type': 'application/json' }
				})
		)
		extraStops.push(stalled.stop)
		const quick = createOwncastClient({ baseUrl: stalled.url, accessToken: 't', timeoutMs: 200 })
		// The body never ends: a result at all shows the client stopped reading at its timeout.
		const result = await quick.status()
		const message = expectFault(result, 'timeout')
		expect(message).toContain('did not answer')
	})

	test('401 gives "unauthorized" on every call, with a hint naming the missing scope', async () => {
		fake.mode = 'unauthorized'
		for (let i = 0; i < 3; i++) {
			const message = expectFault(await client.chatUsers(), 'unauthorized')
			expect(message).toContain('401')
			expect(message).toContain('perform administrative actions')
		}
		for (let i = 0; i < 2; i++) {
			const message = expectFault(await client.sendChat(`m${i}`), 'unauthorized')
			expect(message).toContain('send chat messages')
		}
		expect(fake.messages).toEqual([])
	})

	test('a wrong token is a 401 too, and the token is never in the message', async () => {
		const wrong = createOwncastClient({ baseUrl: fake.url, accessToken: 'not-the-token' })
		const message = expectFault(await wrong.sendChat('x'), 'unauthorized')
		expect(message).not.toContain('not-the-token')
		expect(fake.requests.at(-1)?.authorization).toBe('Bearer not-the-token')
	})

	test('an empty token says so on 401', async () => {
		const none = createOwncastClient({ baseUrl: fake.url, accessToken: '' })
		const message = expectFault(await none.chatUsers(), 'unauthorized')
		expect(message).toContain('owncast_access_token is not set')
	})

	test('status needs no token: it works even when the token is refused', async () => {
		fake.mode = 'unauthorized'
		expect(await client.status()).toEqual({ ok: true, value: { online: true } })
	})

	test('200 with {"error": ...} on send is not a success', async () => {
		const canned = startCanned(() => Response.json({ error: 'json: cannot unmarshal' }))
		extraStops.push(canned.stop)
		const other = createOwncastClient({ baseUrl: canned.url, accessToken: 't' })
		expectFault(await other.sendChat('hello'), 'invalid_response')
	})

	test('200 with {"success": false} on send is not a success', async () => {
		const canned = startCanned(() => Response.json({ success: false, message: 'nope' }))
		extraStops.push(canned.stop)
		const other = createOwncastClient({ baseUrl: canned.url, accessToken: 't' })
		expectFault(await other.sendChat('hello'), 'invalid_response')
	})

	test('an empty chat message is refused by Owncast (400) and reported as an HTTP error', async () => {
		expectFault(await client.sendChat(''), 'http_error')
		expect(fake.messages).toEqual([])
	})

	test('garbage (not JSON) gives "invalid_response" everywhere', async () => {
		fake.mode = 'garbage'
		expectFault(await client.status(), 'invalid_response')
		expectFault(await client.chatUsers(), 'invalid_response')
		expectFault(await client.sendChat('hi'), 'invalid_response')
	})

	test('JSON of the wrong shape gives "invalid_response"', async () => {
		const canned = startCanned(() => Response.json({ users: [] }))
		extraStops.push(canned.stop)
		const other = createOwncastClient({ baseUrl: canned.url, accessToken: 't' })
		expectFault(await other.status(), 'invalid_response')
		expectFault(await other.chatUsers(), 'invalid_response')
	})

	test('a 500 gives "http_error" with the status in the message', async () => {
		fake.mode = 'server_error'
		const message = expectFault(await client.status(), 'http_error')
		expect(message).toContain('500')
		expectFault(await client.chatUsers(), 'http_error')
		expectFault(await client.sendChat('hi'), 'http_error')
	})

	test('a stopped Owncast gives "unreachable" naming the address', async () => {
		fake.stop()
		const message = expectFault(await client.status(), 'unreachable')
		expect(message).toContain(fake.url)
		expectFault(await client.chatUsers(), 'unreachable')
	})
})

type Pending = { text: string; resolve(result: OwncastResult<void>): void; reject(error: Error): void }

/** A stand-in for the Owncast client whose every sendChat waits until the test settles it. */
function controlledClient() {
	const pending: Pending[] = []
	const started: string[] = []
	let inFlight = 0
	let maxInFlight = 0
	return {
		pending,
		started,
		get maxInFlight() {
			return maxInFlight
		},
		sendChat(text: string): Promise<OwncastResult<void>> {
			started.push(text)
			inFlight++
			maxInFlight = Math.max(maxInFlight, inFlight)
			return new Promise<OwncastResult<void>>((resolve, reject) => {
				pending.push({
					text,
					resolve: (r) => {
						inFlight--
						resolve(r)
					},
					reject: (e) => {
						inFlight--
						reject(e)
					}
				})
			})
		},
		/** Settles the oldest pending send successfully and lets the sender react. */
		async deliverNext(): Promise<string> {
			const next = pending.shift()
			if (!next) throw new Error('nothing in flight')
			next.resolve({ ok: true, value: undefined })
			await Bun.sleep(0)
			return next.text
		}
	}
}

/** Whether a promise has settled yet, without waiting for it. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
	let settled = false
	void promise.then(
		() => (settled = true),
		() => (settled = true)
	)
	await Bun.sleep(0)
	return settled
}

describe('createChatSender', () => {
	test('with concurrency 1, replies go out one at a time, in order', async () => {
		const fakeClient = controlledClient()
		const sender = createChatSender(fakeClient, captured.log, { concurrency: 1 })
		for (const text of ['a', 'b', 'c', 'd']) sender.send([text])
		expect(fakeClient.started).toEqual(['a'])
		expect(sender.waiting).toBe(3)
		const delivered: string[] = []
		while (fakeClient.pending.length) delivered.push(await fakeClient.deliverNext())
		expect(delivered).toEqual(['a', 'b', 'c', 'd'])
		expect(fakeClient.started).toEqual(['a', 'b', 'c', 'd'])
		expect(fakeClient.maxInFlight).toBe(1)
		await sender.idle()
		expect(sender.waiting).toBe(0)
	})

	test('with concurrency 1 against the fake Owncast, messages arrive in the order sent', async () => {
		const sender = createChatSender(client, captured.log, { concurrency: 1 })
		const texts = Array.from({ length: 12 }, (_, i) => `reply ${i}`)
		for (const text of texts) sender.send([text])
		await sender.idle()
		expect(fake.messages).toEqual(texts)
	})

	test('concurrency limits how many sends are in flight', async () => {
		const fakeClient = controlledClient()
		const sender = createChatSender(fakeClient, captured.log, { concurrency: 3 })
		for (let i = 0; i < 7; i++) sender.send([`m${i}`])
		expect(fakeClient.started).toEqual(['m0', 'm1', 'm2'])
		expect(sender.waiting).toBe(4)
		while (fakeClient.pending.length) await fakeClient.deliverNext()
		await sender.idle()
		expect(fakeClient.started.length).toBe(7)
		expect(fakeClient.maxInFlight).toBe(3)
	})

	test('a full queue drops the oldest waiting reply and says so in the log', async () => {
		const fakeClient = controlledClient()
		const sender = createChatSender(fakeClient, captured.log, { concurrency: 1, maxWaiting: 2 })
		sender.send(['a']) // in flight
		sender.send(['b'])
		sender.send(['c'])
		expect(sender.waiting).toBe(2)
		expect(captured.lines).toEqual([])
		sender.send(['d']) // drops b
		expect(sender.waiting).toBe(2)
		expect(captured.lines.length).toBe(1)
		expect(captured.lines[0]).toContain('dropped')
		sender.send(['e']) // drops c; the same kind of fault is not logged again right away
		expect(sender.waiting).toBe(2)
		expect(captured.lines.length).toBe(1)
		const delivered: string[] = []
		while (fakeClient.pending.length) delivered.push(await fakeClient.deliverNext())
		expect(delivered).toEqual(['a', 'd', 'e'])
		await sender.idle()
	})

	test('idle() resolves at once when nothing is waiting, and only after the last send otherwise', async () => {
		const fakeClient = controlledClient()
		const sender = createChatSender(fakeClient, captured.log, { concurrency: 1 })
		expect(await isSettled(sender.idle())).toBe(true)
		sender.send(['one'])
		sender.send(['two'])
		const idle = sender.idle()
		expect(await isSettled(idle)).toBe(false)
		await fakeClient.deliverNext()
		expect(await isSettled(idle)).toBe(false)
		await fakeClient.deliverNext()
		expect(await isSettled(idle)).toBe(true)
	})

	test('a failed or throwing send is logged and the next reply still goes out', async () => {
		const fakeClient = controlledClient()
		const sender = createChatSender(fakeClient, captured.log, { concurrency: 1 })
		sender.send(['first'])
		sender.send(['second'])
		sender.send(['third'])
		fakeClient.pending.shift()?.resolve({ ok: false, fault: 'http_error', message: 'Owncast answered 500' })
		await Bun.sleep(0)
		fakeClient.pending.shift()?.reject(new Error('socket closed'))
		await Bun.sleep(0)
		await fakeClient.deliverNext()
		await sender.idle()
		expect(fakeClient.started).toEqual(['first', 'second', 'third'])
		expect(captured.lines.length).toBe(2)
		expect(captured.lines[0]).toContain('Owncast answered 500')
		expect(captured.lines[1]).toContain('socket closed')
	})

	test('a refused token is logged once over many replies, with the scope hint', async () => {
		fake.mode = 'unauthorized'
		const sender = createChatSender(client, captured.log, { concurrency: 1 })
		for (let i = 0; i < 5; i++) sender.send([`m${i}`])
		await sender.idle()
		sender.send(['later'])
		await sender.idle()
		expect(fake.requests.filter((r) => r.path === '/api/integrations/chat/send').length).toBe(6)
		expect(captured.lines.length).toBe(1)
		expect(captured.lines[0]).toContain('401')
		expect(captured.lines[0]).toContain('send chat messages')
		expect(captured.lines[0]).not.toContain(fake.token)
	})
})
