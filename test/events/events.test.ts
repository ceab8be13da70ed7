// The event log and /api/events: events written with their change, in order with ids, replayed after a reconnect,
// notes only on request, the overlay key, the client limit.
import { afterEach, describe, expect, test } from 'bun:test'
import { frame, overlayKey } from '../../src/modules/events/routes.ts'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'
import { streamEvent } from '../support/payloads.ts'

let bot: TestBot | undefined
const readers: ReadableStreamDefaultReader<Uint8Array>[] = []
afterEach(async () => {
	for (const reader of readers.splice(0)) await reader.cancel().catch(() => {})
	bot?.close()
	bot = undefined
})

const alice = { id: 'alice', displayName: 'Alice' }
const mod = { id: 'mod', displayName: 'Mod', moderator: true }
const rich = { TLAPBOT_STARTING_POINTS: '1000' }

type Received = { id: number; event: string; data: Record<string, unknown> }

/** Opens the stream in-process and returns a function that waits for the next n events. */
async function open(b: TestBot, query = '', headers: Record<string, string> = {}) {
	const key = overlayKey(b.deps.settings().config)
	const response = await b.app.handle(new Request(`http://localhost/api/events?key=${key}${query}`, { headers }))
	expect(response.status).toBe(200)
	expect(response.headers.get('content-type')).toContain('text/event-stream')
	const reader = (response.body as ReadableStream<Uint8Array>).getReader()
	readers.push(reader)
	const decoder = new TextDecoder()
	let buffer = ''
	const queue: Received[] = []
	// One read at a time, kept across timeouts, so no chunk is ever dropped.
	let pending: ReturnType<typeof reader.read> | undefined
	return {
		async next(n: number, timeoutMs = 10_000): Promise<Received[]> {
			const deadline = Date.now() + timeoutMs
			while (queue.length < n) {
				if (Date.now() > deadline) throw new Error(`expected ${n} events, got ${queue.length}`)
				pending ??= reader.read()
				const result = await Promise.race([pending, Bun.sleep(200).then(() => undefined)])
				if (!result) continue
				pending = undefined
				if (result.value) buffer += decoder.decode(result.value, { stream: true })
				for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
					const block = buffer.slice(0, end)
					buffer = buffer.slice(end + 2)
					const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]))
					if (fields.event) queue.push({ id: Number(fields.id), event: fields.event, data: JSON.parse(fields.data as string) })
				}
			}
			return queue.splice(0, n)
		}
	}
}

describe('/api/events', () => {
	test('a wrong or missing key gets 401', async () => {
		bot = await createTestBot()
		expect((await bot.app.handle(new Request('http://localhost/api/events'))).status).toBe(401)
		expect((await bot.app.handle(new Request('http://localhost/api/events?key=nope'))).status).toBe(401)
	})

	test('events arrive in order with increasing ids; notes only with notes=1', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '5000' } })
		const plain = await open(bot)
		const withNotes = await open(bot, '&notes=1')
		await bot.chatReplies(alice, '!react https://example.com/clip')
		await bot.chatReplies(mod, '!done 1')
		await bot.chatReplies(alice, '!lurk')
		await bot.chatReplies(alice, '!go_nap 1000')
		const events = await plain.next(5)
		expect(events.map((e) => e.event)).toEqual(['redemption.created', 'redemption.updated', 'counter.updated', 'milestone.progress', 'milestone.completed'])
		expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b))
		expect(events[0]?.data).toMatchObject({ id: 1, redeem: 'react', viewer: { id: 'alice', name: 'Alice' }, status: 'pending', source: 'chat' })
		expect(events[0]?.data.note).toBeUndefined()
		expect(events[1]?.data).toMatchObject({ id: 1, status: 'fulfilled' })
		expect(events[2]?.data).toMatchObject({ counter: 'lurk', count: 1 })
		expect(events[3]?.data).toMatchObject({ milestone: 'go_nap', amount: 1000, progress: 1000, goal: 1000 })
		const [first] = await withNotes.next(1)
		expect(first?.data.note).toBe('https://example.com/clip')
	})

	test('a client reconnecting with Last-Event-ID gets what it missed, in order', async () => {
		bot = await createTestBot({ env: rich })
		const stream = await open(bot)
		await bot.chatReplies(alice, '!hydrate')
		const [seen] = await stream.next(1)
		await bot.chatReplies(alice, '!lurk')
		await bot.chatReplies(alice, '!lurk')
		const again = await open(bot, '', { 'last-event-id': String(seen?.id) })
		expect((await again.next(2)).map((e) => [e.event, e.data.count])).toEqual([
			['counter.updated', 1],
			['counter.updated', 2]
		])
	})

	test('stream starts and stops and points awards are events too', async () => {
		bot = await createTestBot({ env: rich })
		const stream = await open(bot)
		await bot.post(streamEvent('STREAM_STARTED'))
		await bot.post(streamEvent('STREAM_STOPPED'))
		expect((await stream.next(2)).map((e) => e.event)).toEqual(['stream.started', 'stream.stopped'])
		bot.deps.award([{ id: 'alice', displayName: 'Alice' }], 10, Date.now(), 0)
		const [award] = await stream.next(1)
		expect(award).toMatchObject({ event: 'points.awarded', data: { viewers: 1, newViewers: 1, amount: 10 } })
	})

	test('an event is written only when its change is: a refused redeem reports nothing', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '0' } })
		await bot.chatReplies(alice, '!hydrate')
		await settle(bot)
		expect(bot.db.query('SELECT count(*) AS n FROM events').get()).toEqual({ n: 0 })
	})

	test('at most event_clients connections; more get 503', async () => {
		bot = await createTestBot({ env: { TLAPBOT_EVENT_CLIENTS: '2' } })
		await open(bot)
		await open(bot)
		const key = overlayKey(bot.deps.settings().config)
		expect((await bot.app.handle(new Request(`http://localhost/api/events?key=${key}`))).status).toBe(503)
	})

	test('a new overlay_key also ends the streams already open with the old key', async () => {
		bot = await createTestBot({ env: rich })
		const old = overlayKey(bot.deps.settings().config)
		const response = await bot.app.handle(new Request(`http://localhost/api/events?key=${old}&notes=1`))
		const reader = (response.body as ReadableStream<Uint8Array>).getReader()
		readers.push(reader)
		bot.reconfigure({ overlay_key: 'a-brand-new-overlay-key-0123' })
		await bot.chatReplies(alice, '!react a note nobody should see now')
		let text = ''
		for (;;) {
			const { value, done } = await reader.read()
			if (done) break
			text += new TextDecoder().decode(value)
		}
		expect(text).not.toContain('a note nobody should see now')
	})

	test('a new overlay_key rotates the key; the old one is refused', async () => {
		bot = await createTestBot()
		const old = overlayKey(bot.deps.settings().config)
		bot.reconfigure({ overlay_key: 'a-brand-new-overlay-key-0123' })
		expect((await bot.app.handle(new Request(`http://localhost/api/events?key=${old}`))).status).toBe(401)
		const response = await bot.app.handle(new Request('http://localhost/api/events?key=a-brand-new-overlay-key-0123'))
		expect(response.status).toBe(200)
		await response.body?.cancel()
	})
})

describe('frame: one event on the wire', () => {
	// The stored data text gets the note and the time spliced in; the line must say exactly what parsing the data and
	// spreading it with them would, whatever the data holds.
	const datas: Record<string, unknown>[] = [
		{},
		{ id: 7, redeem: 'hydrate', viewer: { id: 'v1', name: 'Ann "the" \\ one' }, cost: 10 },
		{ at: '1999-01-01T00:00:00.000Z' },
		{ note: 'the data has a note of its own', x: 1 },
		{ viewer: { at: 5, note: 'nested keys stay' }, text: 'a "quoted" at": and note":' },
		{ '2': 'an integer key', b: [1, { at: 2 }], c: null, d: 'line\nbreak \u2028 é 🎉' },
		{ '"at"': 'a key with quotes' }
	]
	for (const data of datas) {
		for (const note of [null, 'a note\nwith "quotes" and </script>']) {
			for (const notes of [false, true]) {
				test(`${JSON.stringify(data)}, note ${JSON.stringify(note)}, notes ${notes}`, () => {
					const row = { id: 42, name: 'redemption.created' as const, data: JSON.stringify(data), note, createdAt: '2026-11-30T01:02:03.004Z' }
					const line = frame(row, notes)
					const expected = notes && note !== null ? { ...data, note, at: row.createdAt } : { ...data, at: row.createdAt }
					expect(line).toBe(`id: 42\nevent: redemption.created\ndata: ${JSON.stringify(expected)}\n\n`)
					expect(line.split('\n').length).toBe(5)
				})
			}
		}
	}
})
