// The viewer store's API through app.handle: signing in with a code typed in chat or a personal link from !store,
// redeeming from the page (same purchase and announcement as chat, once per Idempotency-Key), activity, sign-out.
import { afterEach, describe, expect, test } from 'bun:test'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'
import { chatEvent } from '../support/payloads.ts'
import { api, type Json } from '../support/store-http.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const alice = { id: 'alice', displayName: 'Alice' }
const bob = { id: 'bob', displayName: 'Bob' }
const rich = { TLAPBOT_STARTING_POINTS: '1000', TLAPBOT_PRIVATE_REPLIES: 'true' }

/** Signs a viewer in the way the page does: a code, `!link CODE` in chat, then collecting the session. */
async function signIn(b: TestBot, user: typeof alice): Promise<string> {
	const created = await api(b, 'POST', '/api/store/signin')
	expect(created.status).toBe(201)
	const { code, claim } = created.json as { code: string; claim: string }
	expect((await api(b, 'POST', '/api/store/signin/collect', { body: { code, claim } })).json.status).toBe('waiting')
	await b.chat(user, `!link ${code.toLowerCase()}`)
	const collected = await api(b, 'POST', '/api/store/signin/collect', { body: { code, claim } })
	expect(collected.json.status).toBe('signed_in')
	return collected.json.session as string
}

describe('signing in', () => {
	test('with a code typed in chat: the page gets a session once; the viewer gets a private notice that does not echo the code', async () => {
		bot = await createTestBot({ env: rich })
		const created = await api(bot, 'POST', '/api/store/signin')
		const { code, claim, command } = created.json as Record<string, string>
		expect(command).toBe(`!link ${code}`)
		await bot.post(chatEvent(alice, `!link ${code}`, 'v0.3', { clientId: 5 }))
		await settle(bot)
		expect(bot.fake.privateMessages).toEqual([
			{ clientId: 5, body: '@Alice, a browser was signed in as you; sign out everywhere from the Redeems tab if that was not you.' }
		])
		expect(JSON.stringify(bot.fake.messages)).not.toContain(code as string)
		const first = await api(bot, 'POST', '/api/store/signin/collect', { body: { code, claim } })
		expect(first.json.status).toBe('signed_in')
		const second = await api(bot, 'POST', '/api/store/signin/collect', { body: { code, claim } })
		expect(second.status).toBe(410)
		// Someone who only saw the code (not the page's claim) gets nothing.
		expect((await api(bot, 'POST', '/api/store/signin/collect', { body: { code, claim: 'x'.repeat(43) } })).status).toBe(404)
		const store = await api(bot, 'GET', '/api/store', { session: first.json.session as string })
		expect(store.status).toBe(200)
		expect(store.json.viewer).toEqual({ id: 'alice', name: 'Alice', balance: 1000 })
	})

	test('a used or expired code is refused, and !link with it signs nobody in', async () => {
		let now = Date.UTC(2026, 10, 29, 20)
		bot = await createTestBot({ env: rich, clock: () => now })
		const { code, claim } = (await api(bot, 'POST', '/api/store/signin')).json as Record<string, string>
		now += 6 * 60_000
		await bot.chat(alice, `!link ${code}`)
		await settle(bot)
		expect(bot.fake.privateMessages.map((m) => m.body)).toEqual([
			'@Alice, that sign-in code is not valid or has expired: press "Sign in" on the Redeems tab for a new one.'
		])
		expect((await api(bot, 'POST', '/api/store/signin/collect', { body: { code, claim } })).json.status).toBe('expired')
	})

	test('in passive mode there is nothing to sign in for', async () => {
		bot = await createTestBot({ env: { ...rich, TLAPBOT_PASSIVE: 'true' } })
		expect((await api(bot, 'POST', '/api/store/signin')).status).toBe(403)
	})

	test('sign-in codes are rate-limited per client address', async () => {
		bot = await createTestBot({ env: rich })
		const statuses = []
		for (let i = 0; i < 11; i++) statuses.push((await api(bot, 'POST', '/api/store/signin')).status)
		expect(statuses.slice(0, 10).every((s) => s === 201)).toBe(true)
		expect(statuses[10]).toBe(429)
	})

	test('!store sends a personal link privately to the sender\'s own connection; it signs in once', async () => {
		bot = await createTestBot({ env: { ...rich, TLAPBOT_PUBLIC_URL: 'https://bot.example.com' } })
		bot.fake.userConnections = { alice: [7, 8] }
		await bot.post(chatEvent(alice, '!store', 'v0.3', { clientId: 8 }))
		await settle(bot)
		expect(bot.fake.messages).toEqual([])
		const [sent] = bot.fake.privateMessages
		expect(sent?.clientId).toBe(8)
		const token = /dashboard\?login=([A-Za-z0-9_-]{43})/.exec(sent?.body ?? '')?.[1] as string
		expect(token).toBeDefined()
		const login = await api(bot, 'POST', '/api/store/login', { body: { token } })
		expect(login.json.status).toBe('signed_in')
		expect((await api(bot, 'GET', '/api/store', { session: login.json.session as string })).json.viewer).toMatchObject({ id: 'alice' })
		expect((await api(bot, 'POST', '/api/store/login', { body: { token } })).status).toBe(410)
	})

	test('no login link goes to a connection the sender does not own, or without one; they are told publicly, without the link', async () => {
		bot = await createTestBot({ env: rich })
		bot.fake.userConnections = { alice: [7] }
		await bot.post(chatEvent(alice, '!store', 'v0.3', { clientId: 9 }))
		const event = chatEvent(alice, '!store')
		const { clientId: _, ...withoutClient } = event.eventData
		await bot.post({ ...event, eventData: withoutClient })
		await settle(bot)
		expect(bot.fake.privateMessages).toEqual([])
		expect(bot.fake.messages).toEqual([
			'@Alice, I cannot send you a private link here: open the Redeems tab and press "Sign in" instead.',
			'@Alice, I cannot send you a private link here: open the Redeems tab and press "Sign in" instead.'
		])
	})
})

describe('in a real serve', () => {
	test('without public_url, the !store link names the port serve listens on (also with --port 0)', async () => {
		const { makeTempDir } = await import('../helpers.ts')
		const { startServe } = await import('../support/serve.ts')
		const { startFakeOwncast } = await import('../support/fake-owncast.ts')
		const fake = startFakeOwncast()
		fake.userConnections = { alice: [6] }
		try {
			const served = await startServe({
				cwd: makeTempDir(),
				env: { TLAPBOT_OWNCAST_URL: fake.url, TLAPBOT_OWNCAST_ACCESS_TOKEN: fake.token, TLAPBOT_POINTS_CYCLE_TIME: '3600' }
			})
			await fetch(`${served.base}/owncastWebhook`, { method: 'POST', body: JSON.stringify(chatEvent(alice, '!store', 'v0.3', { clientId: 6 })) })
			const { waitFor } = await import('../helpers.ts')
			const sent = await waitFor(() => fake.privateMessages[0], { timeoutMs: 30_000, what: 'the private link' })
			expect(sent.body).toContain(`${served.base}/dashboard?login=`)
			await served.stop()
		} finally {
			fake.stop()
		}
	}, 60_000)
})

describe('housekeeping', () => {
	test('expired sessions, codes and kept answers are forgotten by the hourly job', async () => {
		let now = Date.now()
		bot = await createTestBot({ env: { ...rich, TLAPBOT_VIEWER_SESSION_DAYS: '1' }, clock: () => now })
		const session = await signIn(bot, alice)
		await api(bot, 'POST', '/api/store/redeem', { session, body: { redeem: 'hydrate' }, headers: { 'idempotency-key': 'old' } })
		const count = (table: string) => (bot!.db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
		expect([count('viewer_sessions'), count('viewer_link_codes'), count('idempotency_keys')]).toEqual([1, 1, 1])
		now += 3 * 24 * 60 * 60 * 1000
		const { Elysia } = await import('elysia')
		const { startHousekeeping } = await import('../../src/scheduler.ts')
		const app = startHousekeeping(new Elysia(), bot.deps)
		;(app.store as { cron?: Record<string, { stop(): void }> }).cron?.housekeeping?.stop()
		expect([count('viewer_sessions'), count('viewer_link_codes'), count('idempotency_keys')]).toEqual([0, 0, 0])
	})
})

describe('login links are never sent late', () => {
	test('a !store held while the database was locked for more than 30 s is dropped, not sent', async () => {
		let now = Date.now()
		bot = await createTestBot({ env: rich, clock: () => now })
		bot.fake.userConnections = { alice: [4] }
		await bot.chat(alice, 'hello')
		const { Database } = await import('bun:sqlite')
		const other = new Database(bot.deps.settings().config.databasePath)
		other.run('BEGIN IMMEDIATE')
		other.run("INSERT INTO bot_state (key, value) VALUES ('lock', '1') ON CONFLICT (key) DO UPDATE SET value = excluded.value")
		await bot.post(chatEvent(alice, '!store', 'v0.3', { clientId: 4 }))
		expect(bot.deps.backlog.size).toBe(1)
		now += 31_000
		other.run('COMMIT')
		other.close()
		expect(bot.deps.backlog.flush()).toBe(0)
		await settle(bot)
		expect(bot.fake.privateMessages).toEqual([])
		expect(bot.logs.some((l) => l.includes('a private login link waited too long to be sent and was dropped'))).toBe(true)
	})
})

describe('redeeming from the page', () => {
	test('the same purchase and public announcement as the chat command; the redemption records its source', async () => {
		bot = await createTestBot({ env: rich })
		const session = await signIn(bot, alice)
		const answer = await api(bot, 'POST', '/api/store/redeem', { session, body: { redeem: 'hydrate' } })
		expect(answer.json).toEqual({ ok: true, message: '@Alice redeemed hydrate (#1)! 940 points left.', balance: 940 })
		await settle(bot)
		expect(bot.fake.messages).toContain('@Alice redeemed hydrate (#1)! 940 points left.')
		expect(bot.db.query('SELECT source FROM redemptions').all()).toEqual([{ source: 'page' }])
		const note = await api(bot, 'POST', '/api/store/redeem', { session, body: { redeem: 'react', note: '' } })
		expect(note.json).toMatchObject({ ok: false, message: expect.stringContaining('needs a note') })
		const donation = await api(bot, 'POST', '/api/store/redeem', { session, body: { redeem: 'go_nap', amount: 50 } })
		expect(donation.json).toMatchObject({ ok: true, balance: 890 })
	})

	test('the same Idempotency-Key twice charges once and answers the same', async () => {
		bot = await createTestBot({ env: rich })
		const session = await signIn(bot, alice)
		const request = { session, body: { redeem: 'hydrate' }, headers: { 'idempotency-key': 'click-1' } }
		const first = await api(bot, 'POST', '/api/store/redeem', request)
		const second = await api(bot, 'POST', '/api/store/redeem', request)
		expect(second.json).toEqual(first.json)
		expect(bot.balance('alice')).toBe(940)
		expect(bot.db.query('SELECT count(*) AS n FROM redemptions').get()).toEqual({ n: 1 })
		// The same key for another request is refused, not answered with the first request's result.
		const other = await api(bot, 'POST', '/api/store/redeem', { ...request, body: { redeem: 'lurk' } })
		expect(other.status).toBe(422)
		expect(bot.balance('alice')).toBe(940)
	})

	test('200 concurrent page redeems from one session never overspend', async () => {
		bot = await createTestBot({ env: { ...rich, TLAPBOT_STARTING_POINTS: '600' } })
		const session = await signIn(bot, alice)
		const answers = await Promise.all(
			Array.from({ length: 200 }, (_, i) => api(bot!, 'POST', '/api/store/redeem', { session, body: { redeem: 'hydrate' }, headers: { 'idempotency-key': `k${i}` } }))
		)
		expect(answers.filter((a) => a.json.ok === true)).toHaveLength(10)
		expect(bot.balance('alice')).toBe(0)
	})

	test('a session acts only as its own viewer; no header, a cookie or a bad token is signed out', async () => {
		bot = await createTestBot({ env: rich })
		const aliceSession = await signIn(bot, alice)
		const bobSession = await signIn(bot, bob)
		await api(bot, 'POST', '/api/store/redeem', { session: bobSession, body: { redeem: 'hydrate' } })
		expect(bot.balance('bob')).toBe(940)
		expect(bot.balance('alice')).toBe(1000)
		expect((await api(bot, 'GET', '/api/store')).status).toBe(401)
		expect((await api(bot, 'GET', '/api/store', { headers: { cookie: `tlapbot_viewer=${aliceSession}` } })).status).toBe(401)
		expect((await api(bot, 'POST', '/api/store/redeem', { session: 'x'.repeat(43), body: { redeem: 'hydrate' } })).status).toBe(401)
	})

	test('cards follow redeems.toml, with title, prices, limits and why a button is off', async () => {
		bot = await createTestBot({
			env: { ...rich, TLAPBOT_STARTING_POINTS: '50' },
			redeemsToml: `
[redeems.zebra]
type = "counter"
price = 10
title = "Zebra crossing"
cooldown = 120

[redeems.apple]
type = "list"
price = 80

[redeems.goal]
type = "milestone"
goal = 100
stock = 3
`
		})
		const session = await signIn(bot, alice)
		await api(bot, 'POST', '/api/store/redeem', { session, body: { redeem: 'zebra' } })
		const cards = (await api(bot, 'GET', '/api/store', { session })).json.cards as Json[]
		expect(cards.map((c) => c.name)).toEqual(['zebra', 'apple', 'goal'])
		expect(cards[0]).toMatchObject({ title: 'Zebra crossing', price: 10, blocked: { code: 'cooldown', text: 'Available in 2 minutes' } })
		expect(cards[1]).toMatchObject({ price: 80, blocked: { code: 'insufficient', text: 'You need 40 points more' } })
		expect(cards[2]).toMatchObject({ goal: 100, progress: 0, stockLeft: 3 })
		expect(cards[2]?.blocked).toBeUndefined()
	})
})

describe('activity and sign-out', () => {
	test('my activity lists my redemptions with their queue place and my points history', async () => {
		bot = await createTestBot({ env: rich })
		const session = await signIn(bot, alice)
		await bot.chatReplies(alice, '!hydrate')
		await api(bot, 'POST', '/api/store/redeem', { session, body: { redeem: 'hydrate' } })
		const activity = (await api(bot, 'GET', '/api/store/activity', { session })).json
		const redemptions = activity.redemptions as Json[]
		expect(redemptions.map((r) => [r.redeem, r.status, r.position, r.source])).toEqual([
			['hydrate', 'pending', 2, 'page'],
			['hydrate', 'pending', 1, 'chat']
		])
		expect((activity.points as Json[]).map((p) => [p.kind, p.points])).toEqual([
			['redeem', -60],
			['redeem', -60],
			['starting', 1000]
		])
	})

	test('sign out this browser, and everywhere', async () => {
		bot = await createTestBot({ env: rich })
		const one = await signIn(bot, alice)
		const two = await signIn(bot, alice)
		const three = await signIn(bot, alice)
		expect((await api(bot, 'POST', '/api/store/signout', { session: one, body: {} })).json).toEqual({ ended: 1 })
		expect((await api(bot, 'GET', '/api/store', { session: one })).status).toBe(401)
		expect((await api(bot, 'GET', '/api/store', { session: two })).status).toBe(200)
		expect((await api(bot, 'POST', '/api/store/signout', { session: two, body: { everywhere: true } })).json).toEqual({ ended: 2 })
		expect((await api(bot, 'GET', '/api/store', { session: three })).status).toBe(401)
	})

	test('a session survives a restart (another process on the same database knows it)', async () => {
		bot = await createTestBot({ env: rich })
		const session = await signIn(bot, alice)
		const { createBot } = await import('../../src/bot.ts')
		const { createApp } = await import('../../src/app.ts')
		const { openDatabase } = await import('../../src/db/database.ts')
		const { createLogger } = await import('../../src/log.ts')
		const { config, redeems } = bot.deps.settings()
		const db = openDatabase(config.databasePath)
		try {
			const restarted = createApp(createBot({ config, redeems, db, log: createLogger('error', () => {}) }))
			const response = await restarted.handle(new Request('http://localhost/api/store', { headers: { authorization: `Bearer ${session}` } }))
			expect(response.status).toBe(200)
		} finally {
			db.close()
		}
	})

	test('a session survives a rename (it is bound to the user id)', async () => {
		bot = await createTestBot({ env: rich })
		const session = await signIn(bot, alice)
		await bot.post({ type: 'NAME_CHANGE', eventData: { user: alice, newName: 'Alicia' } })
		expect((await api(bot, 'GET', '/api/store', { session })).json.viewer).toMatchObject({ id: 'alice', name: 'Alicia' })
	})
})
