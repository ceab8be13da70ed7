// Outgoing webhooks: the outbox delivered to real HTTP receivers on loopback. Retries with the same delivery id and a
// valid signature each time, receivers independent and each in order, deliveries surviving a restart, timeouts and
// giving up, the Discord format (nobody pinged), and no webhook URL or secret in the log.
import { afterEach, describe, expect, test } from 'bun:test'
import { createHmac } from 'node:crypto'
import { createBot, type Bot } from '../../src/bot.ts'
import { loadRedeems } from '../../src/config/load.ts'
import { openDatabase } from '../../src/db/database.ts'
import { createLogger } from '../../src/log.ts'
import { discordBody, jsonBody, receiverId } from '../../src/modules/events/outbox.ts'
import type { StoredEvent } from '../../src/modules/events/store.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'

type Hit = { headers: Headers; body: string; json: Record<string, unknown> }
type Receiver = { url: string; hits: Hit[]; answer: (hit: Hit) => number | Promise<number>; stop(): void }

const cleanups: (() => unknown)[] = []
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** An HTTP receiver on loopback that records each request and answers with the status `answer` gives. */
function receiver(path = '/hooks/s3cr3t-path-token', answer: Receiver['answer'] = () => 200): Receiver {
	const r: Receiver = {
		url: '',
		hits: [],
		answer,
		stop: () => server.stop(true)
	}
	const server = Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		async fetch(request) {
			const body = await request.text()
			const hit = { headers: request.headers, body, json: JSON.parse(body) as Record<string, unknown> }
			r.hits.push(hit)
			return new Response(null, { status: await r.answer(hit) })
		}
	})
	r.url = `http://127.0.0.1:${server.port}${path}`
	cleanups.push(() => server.stop(true))
	return r
}

async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
	const deadline = Date.now() + timeoutMs
	for (;;) {
		const value = check()
		if (value) return value
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
		await Bun.sleep(10)
	}
}

const alice = { id: 'alice', displayName: 'Alice' }
const SECRET = 'receiver-signing-secret-42'
const FAST = { backoffMs: 30, maxBackoffMs: 200, pollMs: 20 }

async function botWith(webhooks: Record<string, unknown>[], env: Record<string, string> = {}): Promise<TestBot> {
	const bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '5000', ...env } })
	cleanups.push(() => bot.close())
	bot.reconfigure({ outgoing_webhooks: webhooks })
	return bot
}

function startLoop(bot: Pick<Bot, 'outbox'>, timing: Record<string, number> = FAST) {
	bot.outbox.start(timing)
	cleanups.push(() => bot.outbox.stop())
}

const outboxRows = (bot: TestBot) =>
	bot.db
		.query<{ id: number; receiver: string; attempts: number; delivered: number; lastError: string | null }, []>(
			'SELECT id, receiver, attempts, delivered_at IS NOT NULL AS delivered, last_error AS lastError FROM outbox ORDER BY id'
		)
		.all()

function verify(hit: Hit, secret: string) {
	const header = hit.headers.get('tlapbot-signature') ?? ''
	const match = /^t=(\d+),s=([0-9a-f]{64})$/.exec(header)
	expect(match, header).not.toBeNull()
	const expected = createHmac('sha256', secret).update(`${match?.[1]}.${hit.body}`).digest('hex')
	expect(match?.[2]).toBe(expected)
	expect(Math.abs(Number(match?.[1]) - Date.now() / 1000)).toBeLessThan(60)
}

/** Lines of the log that mention a webhook's path or secret. */
const leaks = (bot: TestBot, ...secrets: string[]) => bot.logs.filter((line) => secrets.some((s) => line.includes(s)))

describe('outgoing webhooks', () => {
	test('a receiver answering 500 twice then 200 gets the event once, signed, with one delivery id', async () => {
		let calls = 0
		const hook = receiver('/hooks/s3cr3t-path-token', () => (++calls <= 2 ? 500 : 200))
		const bot = await botWith([{ url: hook.url, events: ['redemption.created'], secret: SECRET }])
		startLoop(bot.deps)
		const started = Date.now()
		await bot.chatReplies(alice, '!react https://example.com/clip')
		await until(() => outboxRows(bot)[0]?.delivered, 'the delivery')
		expect(Date.now() - started).toBeLessThan(5000)
		expect(hook.hits).toHaveLength(3)
		const ids = new Set(hook.hits.map((h) => h.headers.get('tlapbot-delivery')))
		expect(ids).toEqual(new Set([String(outboxRows(bot)[0]?.id)]))
		for (const hit of hook.hits) {
			verify(hit, SECRET)
			expect(hit.headers.get('content-type')).toBe('application/json')
			expect(hit.headers.get('tlapbot-event')).toBe('redemption.created')
			expect(hit.headers.get('user-agent')).toStartWith('tlapbot/')
		}
		// The body is the same on every try.
		expect(new Set(hook.hits.map((h) => h.body)).size).toBe(1)
		const body = hook.hits[0]?.json as { id: number; event: string; at: string; data: Record<string, unknown> }
		expect(Object.keys(body).sort()).toEqual(['at', 'data', 'event', 'id'])
		expect(body.event).toBe('redemption.created')
		expect(body.at).toMatch(/^\d{4}-\d\d-\d\dT/)
		expect(body.data).toMatchObject({ redeem: 'react', viewer: { id: 'alice', name: 'Alice' }, note: 'https://example.com/clip' })
		expect(outboxRows(bot)).toEqual([{ id: expect.any(Number), receiver: receiverId(hook.url), attempts: 3, delivered: 1, lastError: null }])
		// Only the events it asked for: a counter redeem is not sent to it.
		await bot.chatReplies(alice, '!lurk')
		await Bun.sleep(100)
		expect(hook.hits).toHaveLength(3)
		expect(leaks(bot, 's3cr3t-path-token', SECRET)).toEqual([])
		expect(bot.logs.some((l) => l.includes('outgoing webhook #1 (127.0.0.1:') && l.includes('HTTP 500'))).toBe(true)
	})

	test('with one receiver down, the other still gets its events in order; the first catches up in order', async () => {
		let down = true
		const broken = receiver('/down/s3cr3t-a', () => (down ? 503 : 200))
		const working = receiver('/up/s3cr3t-b')
		const bot = await botWith([
			{ url: broken.url, events: ['*'] },
			{ url: working.url, events: ['counter.updated'] }
		])
		startLoop(bot.deps)
		for (let i = 0; i < 5; i++) await bot.chatReplies(alice, '!lurk')
		await until(() => working.hits.length >= 5 && broken.hits.length >= 3, 'five events at the working receiver, three tries at the other')
		expect(working.hits.map((h) => (h.json.data as { count: number }).count)).toEqual([1, 2, 3, 4, 5])
		// The broken one tried only its first event (head of line), several times.
		expect(new Set(broken.hits.map((h) => (h.json.data as { count: number }).count))).toEqual(new Set([1]))
		down = false
		await until(() => outboxRows(bot).every((r) => r.delivered), 'every delivery')
		const delivered = broken.hits.filter((h, i, all) => all.findIndex((x) => x.headers.get('tlapbot-delivery') === h.headers.get('tlapbot-delivery')) === i)
		expect(delivered.map((h) => (h.json.data as { count: number }).count)).toEqual([1, 2, 3, 4, 5])
		expect(leaks(bot, 's3cr3t-a', 's3cr3t-b')).toEqual([])
	})

	test('a connection refused or a timeout is retried, and neither error shows the URL', async () => {
		const closed = receiver('/gone/s3cr3t-c')
		closed.stop()
		const slow = receiver('/slow/s3cr3t-d', () => Bun.sleep(2000).then(() => 200))
		const bot = await botWith([
			{ url: closed.url, events: ['*'] },
			{ url: slow.url, events: ['*'] }
		])
		startLoop(bot.deps, { ...FAST, timeoutMs: 150 })
		await bot.chatReplies(alice, '!hydrate')
		await until(() => outboxRows(bot).every((r) => r.attempts >= 2), 'two attempts each')
		const errors = outboxRows(bot).map((r) => r.lastError ?? '')
		expect(errors[0]).toStartWith('network error')
		expect(errors[1]).toBe('no answer within 0.2 s')
		for (const e of errors) expect(e).not.toContain('s3cr3t')
		expect(leaks(bot, 's3cr3t-c', 's3cr3t-d')).toEqual([])
		const pages = bot.deps.outbox.recentDeliveries()
		expect(pages.map((d) => d.status)).toEqual(['retrying', 'retrying'])
		expect(JSON.stringify(bot.deps.outbox.receivers())).not.toContain('s3cr3t')
	})

	test('a redirect is not followed: it is a failure that says to fix the url', async () => {
		const target = receiver('/target')
		const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => Response.redirect(target.url, 308) })
		cleanups.push(() => server.stop(true))
		const bot = await botWith([{ url: `http://127.0.0.1:${server.port}/moved/s3cr3t-f`, events: ['*'] }])
		startLoop(bot.deps)
		await bot.chatReplies(alice, '!hydrate')
		await until(() => outboxRows(bot)[0]?.attempts, 'an attempt')
		expect(outboxRows(bot)[0]?.lastError).toBe('HTTP 308: a redirect (set url to the address it leads to)')
		expect(target.hits).toEqual([])
	})

	test('a delivery tried for longer than the give-up time is given up, and the next one goes out', async () => {
		let fail = true
		const hook = receiver('/x', () => (fail ? 500 : 200))
		const bot = await botWith([{ url: hook.url, events: ['counter.updated'] }])
		startLoop(bot.deps, { ...FAST, giveUpMs: 150 })
		await bot.chatReplies(alice, '!lurk')
		await until(() => outboxRows(bot)[0]?.delivered, 'the first delivery to be given up')
		expect(bot.deps.outbox.recentDeliveries()[0]).toMatchObject({ status: 'given up', lastError: 'HTTP 500', eventName: 'counter.updated' })
		expect(bot.logs.some((l) => l.includes('gave up delivering counter.updated'))).toBe(true)
		fail = false
		await bot.chatReplies(alice, '!lurk')
		await until(() => outboxRows(bot)[1]?.delivered, 'the second delivery')
		expect(bot.deps.outbox.recentDeliveries()[0]).toMatchObject({ status: 'delivered', attempts: 1 })
	})

	test('a delivery pending at shutdown is delivered after a restart, with the same delivery id', async () => {
		let up = false
		const hook = receiver('/restart/s3cr3t-e', () => (up ? 200 : 500))
		const bot = await botWith([{ url: hook.url, events: ['*'], secret: SECRET }])
		bot.deps.outbox.start({ ...FAST, backoffMs: 400 })
		await bot.chatReplies(alice, '!hydrate')
		await until(() => hook.hits.length === 1 && outboxRows(bot)[0]?.attempts === 1, 'the first, failed attempt')
		await bot.deps.outbox.stop()
		// A second process on the same database file (the restarted bot), with the receiver back up.
		up = true
		const config = bot.deps.settings().config
		const db = openDatabase(config.databasePath)
		const logs: string[] = []
		const again = createBot({ config, redeems: loadRedeems(bot.dir).redeems, db, log: createLogger('debug', (_l, line) => logs.push(line)) })
		cleanups.push(() => db.close())
		expect(outboxRows(bot)[0]).toMatchObject({ attempts: 1, delivered: 0 })
		startLoop(again)
		await until(() => outboxRows(bot)[0]?.delivered, 'the delivery after the restart')
		// The retry keeps its schedule across the restart (400 ms after the failure).
		expect(hook.hits).toHaveLength(2)
		expect(logs.some((l) => l.includes('delivered after 2 attempts'))).toBe(true)
		expect(hook.hits[1]?.headers.get('tlapbot-delivery')).toBe(hook.hits[0]?.headers.get('tlapbot-delivery') ?? 'none')
		verify(hook.hits[1] as Hit, SECRET)
		expect([...leaks(bot, 's3cr3t-e', SECRET), ...logs.filter((l) => l.includes('s3cr3t-e') || l.includes(SECRET))]).toEqual([])
	})

	test('an event recorded while no loop runs (a crash before delivery) is delivered by the next bot', async () => {
		const hook = receiver('/crash')
		const bot = await botWith([{ url: hook.url, events: ['*'] }])
		await bot.chatReplies(alice, '!hydrate')
		expect(outboxRows(bot)).toHaveLength(1)
		startLoop(bot.deps)
		await until(() => outboxRows(bot)[0]?.delivered, 'the delivery')
		expect(hook.hits.map((h) => h.json.event)).toEqual(['redemption.created'])
	})

	test('the Discord format: a readable line, and a viewer named @everyone pings nobody', async () => {
		const hook = receiver('/api/webhooks/123/s3cr3t-token')
		const bot = await botWith([{ url: hook.url, events: ['*'], format: 'discord' }])
		startLoop(bot.deps)
		await bot.chatReplies({ id: 'evil', displayName: '@everyone' }, '!hydrate')
		await bot.chatReplies({ id: 'md', displayName: '**Bold** _x_' }, '!go_nap 50')
		await until(() => hook.hits.length >= 2, 'two messages')
		expect(hook.hits.map((h) => h.json)).toEqual([
			{ content: '@everyone redeemed hydrate!', allowed_mentions: { parse: [] } },
			// Markdown in a name is shown as typed.
			{ content: '\\*\\*Bold\\*\\* \\_x\\_ donated 50 to go\\_nap (50/1000)', allowed_mentions: { parse: [] } }
		])
		expect(hook.hits[0]?.headers.get('content-type')).toBe('application/json')
		expect(leaks(bot, 's3cr3t-token')).toEqual([])
	})
})

describe('body formats', () => {
	const event = (name: StoredEvent['name'], data: Record<string, unknown>, note: string | null = null): StoredEvent => ({
		id: 7,
		name,
		data,
		note,
		createdAt: '2025-01-02T03:04:05.000Z'
	})
	const content = (e: StoredEvent) => (JSON.parse(discordBody(e)) as { content: string }).content

	test('Discord lines for each event', () => {
		const viewer = { id: 'a', name: 'Alice' }
		expect(content(event('redemption.created', { redeem: 'hydrate', title: 'hydrate', viewer }))).toBe('Alice redeemed hydrate!')
		expect(content(event('redemption.created', { redeem: 'react', title: 'react', viewer }, 'watch\nthis @here'))).toBe('Alice redeemed react: watch this @here')
		expect(content(event('milestone.completed', { milestone: 'go_nap', title: 'nap', progress: 1000, goal: 1000 }))).toBe('The nap goal is complete: 1000/1000!')
		expect(content(event('milestone.progress', { milestone: 'go_nap', title: 'nap', amount: 50, progress: 50, goal: 1000, viewer }))).toBe(
			'Alice donated 50 to nap (50/1000)'
		)
		expect(content(event('counter.updated', { counter: 'lurk', title: 'lurk', count: 3, viewer }))).toBe('Alice redeemed lurk! Count: 3')
		expect(content(event('redemption.updated', { id: 4, redeem: 'react', viewer, status: 'cancelled', refunded: 200, reason: 'no' }))).toBe(
			"Alice's react (#4) was refunded (200 points back): no"
		)
		expect(content(event('stream.started', {}))).toBe('The stream started.')
		expect(content(event('points.awarded', { amount: 10, viewers: 3, newViewers: 1 }))).toBe('10 points each for 3 viewers (1 new)')
		expect(content(event('test', {}))).toBe('Test event from tlapbot: this webhook works.')
		// A link in a note stays a working link (no backslashes put into it) and unfolds no preview; the text around it is escaped.
		expect(content(event('redemption.created', { redeem: 'react', title: 'react', viewer }, 'look_at https://example.com/a_b?x=1*2 *now*'))).toBe(
			'Alice redeemed react: look\\_at <https://example.com/a_b?x=1*2> \\*now\\*'
		)
		// A name that would start a list or a heading is shown as typed.
		expect(content(event('redemption.created', { redeem: 'x', title: 'x', viewer: { id: 'n', name: '1. # > hi' } }))).toBe('1\\. \\# \\> hi redeemed x!')
	})

	test('JSON: {id, event, at, data}, the note in data.note only when there is one', () => {
		expect(JSON.parse(jsonBody(event('counter.updated', { count: 1 })))).toEqual({ id: 7, event: 'counter.updated', at: '2025-01-02T03:04:05.000Z', data: { count: 1 } })
		expect(JSON.parse(jsonBody(event('redemption.created', { id: 1 }, 'hi'))).data).toEqual({ id: 1, note: 'hi' })
	})
})
