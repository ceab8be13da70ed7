import { afterEach, describe, expect, test } from 'bun:test'
import { runPointsCycle } from '../../src/modules/points/cycle.ts'
import { cycleDepsOf } from '../../src/scheduler.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'
import { streamEvent } from '../support/payloads.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const alice = { id: 'alice', displayName: 'Alice' }
const bob = { id: 'bob', displayName: 'Bob' }
const rich = { TLAPBOT_STARTING_POINTS: '1000' }

/** A bot whose clock the test moves. */
async function botAt(redeemsToml: string, env: Record<string, string> = rich) {
	const clock = { now: Date.UTC(2026, 10, 25, 20, 0, 0) }
	const b = await createTestBot({ env, redeemsToml, clock: () => clock.now })
	return { b, clock }
}

describe('redeem limits', () => {
	test('cooldown: a refused attempt neither charges nor restarts the cooldown, and says when to try again', async () => {
		const { b, clock } = await botAt('[redeems.hug]\ntype = "counter"\nprice = 10\ncooldown = 60\n')
		bot = b
		expect(await b.chatReplies(alice, '!hug')).toEqual(['@Alice redeemed hug! It is at 1 now. 990 points left.'])
		clock.now += 30_000
		expect(await b.chatReplies(bob, '!hug')).toEqual(['@Bob, hug is cooling down. Try again in 30 seconds.'])
		expect(b.balance('bob')).toBe(1000)
		clock.now += 29_000
		expect(await b.chatReplies(bob, '!hug')).toEqual(['@Bob, hug is cooling down. Try again in 1 second.'])
		// The refusals did not restart the cooldown: 60 s after the first use it works.
		clock.now += 1_000
		expect(await b.chatReplies(bob, '!hug')).toEqual(['@Bob redeemed hug! It is at 2 now. 990 points left.'])
	})

	test('user_cooldown is per viewer', async () => {
		const { b, clock } = await botAt('[redeems.hug]\ntype = "list"\nprice = 1\nuser_cooldown = 600\n')
		bot = b
		await b.chatReplies(alice, '!hug')
		expect(await b.chatReplies(alice, '!hug')).toEqual(['@Alice, you can use hug again in 10 minutes.'])
		expect(await b.chatReplies(bob, '!hug')).toEqual(['@Bob redeemed hug (#2)! 999 points left.'])
		clock.now += 600_000
		expect(await b.chatReplies(alice, '!hug')).toEqual(['@Alice redeemed hug (#3)! 998 points left.'])
	})

	test('max_per_stream and max_per_user_per_stream count from the stream start', async () => {
		const { b, clock } = await botAt(
			'[redeems.song]\ntype = "note"\nprice = 1\nmax_per_stream = 2\n[redeems.wave]\ntype = "counter"\nprice = 0\nmax_per_user_per_stream = 1\n'
		)
		bot = b
		await b.post(streamEvent('STREAM_STARTED'))
		await b.chatReplies(alice, '!song one')
		await b.chatReplies(bob, '!song two')
		expect(await b.chatReplies(alice, '!song three')).toEqual(['@Alice, song has been used 2 times this stream, its limit. Try again next stream.'])
		await b.chatReplies(alice, '!wave')
		expect(await b.chatReplies(alice, '!wave')).toEqual(['@Alice, you have used wave 1 times this stream, your limit. Try again next stream.'])
		expect(await b.chatReplies(bob, '!wave')).toEqual(['@Bob redeemed wave! It is at 2 now. 999 points left.'])
		// A new stream starts the counts again.
		clock.now += 3_600_000
		await b.post(streamEvent('STREAM_STOPPED'))
		clock.now += 3_600_000
		await b.post(streamEvent('STREAM_STARTED'))
		clock.now += 1000
		expect(await b.chatReplies(alice, '!song four')).toEqual(['@Alice redeemed song (#3)! 998 points left.'])
		expect(await b.chatReplies(alice, '!wave')).toEqual(['@Alice redeemed wave! It is at 3 now. 998 points left.'])
	})

	test('stock runs out until restocked', async () => {
		const { b } = await botAt('[redeems.shoutout]\ntype = "list"\nprice = 5\nstock = 2\n')
		bot = b
		await b.chatReplies(alice, '!shoutout')
		await b.chatReplies(bob, '!shoutout')
		expect(await b.chatReplies(alice, '!shoutout')).toEqual(['@Alice, shoutout is sold out until the streamer restocks it.'])
		expect(b.balance('alice')).toBe(995)
		expect(await b.chatReplies({ id: 'mod', displayName: 'Mod', moderator: true }, '!redeem restock shoutout')).toEqual(['Redeem shoutout is restocked.'])
		expect(await b.chatReplies(alice, '!shoutout')).toEqual(['@Alice redeemed shoutout (#3)! 990 points left.'])
		expect(b.deps.stores.audit.entries()[0]).toMatchObject({ action: 'restock', detail: 'shoutout' })
	})

	test('only_live works only while the stream is live', async () => {
		const { b } = await botAt('[redeems.dance]\ntype = "list"\nprice = 5\nonly_live = true\n')
		bot = b
		expect(await b.chatReplies(alice, '!dance')).toEqual(['@Alice, dance only works while the stream is live.'])
		await b.post(streamEvent('STREAM_STARTED'))
		expect(await b.chatReplies(alice, '!dance')).toEqual(['@Alice redeemed dance (#1)! 995 points left.'])
		await b.post(streamEvent('STREAM_STOPPED'))
		expect(await b.chatReplies(alice, '!dance')).toEqual(['@Alice, dance only works while the stream is live.'])
	})

	test('max_note_length', async () => {
		const { b } = await botAt('[redeems.ask]\ntype = "note"\nprice = 1\nmax_note_length = 10\n')
		bot = b
		expect(await b.chatReplies(alice, '!ask 12345678901')).toEqual(['@Alice, that note is 11 characters; the limit is 10. Nothing was charged.'])
		expect(await b.chatReplies(alice, '!ask 1234567890')).toEqual(['@Alice redeemed ask (#1)! 999 points left.'])
	})

	test('limits apply to milestone donations too, and a refusal charges nothing', async () => {
		const { b } = await botAt('[redeems.goal]\ntype = "milestone"\ngoal = 100\nuser_cooldown = 60\n')
		bot = b
		await b.chatReplies(alice, '!goal 10')
		expect(await b.chatReplies(alice, '!goal 10')).toEqual(['@Alice, you can use goal again in 60 seconds.'])
		expect(b.deps.stores.redeems.milestone('goal')?.progress).toBe(10)
		expect(b.balance('alice')).toBe(990)
	})
})

describe('streams', () => {
	test('reset_on_stream_start archives the queue and zeroes counters, without refunds', async () => {
		bot = await createTestBot({ env: { ...rich, TLAPBOT_RESET_ON_STREAM_START: 'queue,counters' } })
		await bot.chatReplies(alice, '!hydrate')
		await bot.chatReplies(alice, '!lurk')
		await bot.post(streamEvent('STREAM_STARTED'))
		expect(bot.db.query('SELECT count(*) AS n FROM redemptions WHERE cleared_at IS NULL').get()).toEqual({ n: 0 })
		expect(bot.db.query('SELECT count(*) AS n FROM redemptions').get()).toEqual({ n: 1 })
		expect(bot.deps.stores.redeems.counter('lurk')?.count).toBe(0)
		expect(bot.balance('alice')).toBe(939)
		// A second STREAM_STARTED for the same stream resets nothing more.
		await bot.chatReplies(alice, '!lurk')
		await bot.post(streamEvent('STREAM_STARTED'))
		expect(bot.deps.stores.redeems.counter('lurk')?.count).toBe(1)
	})

	test('the points cycle starts a stream when it sees the stream online after it was offline', async () => {
		bot = await createTestBot({ env: { TLAPBOT_RESET_ON_STREAM_START: 'counters' } })
		bot.deps.db.query("UPDATE counters SET count = 5 WHERE name = 'lurk'").run()
		const deps = cycleDepsOf(bot.deps)
		bot.fake.online = false
		await runPointsCycle(deps)
		expect(bot.db.query('SELECT count(*) AS n FROM streams').get()).toEqual({ n: 0 })
		bot.fake.online = true
		await runPointsCycle(deps, () => Date.now() + 600_000)
		expect(bot.db.query('SELECT count(*) AS n FROM streams WHERE ended_at IS NULL').get()).toEqual({ n: 1 })
		expect(bot.deps.stores.redeems.counter('lurk')?.count).toBe(0)
		expect(bot.logs.some((l) => l.includes('the stream started'))).toBe(true)
		bot.fake.online = false
		await runPointsCycle(deps, () => Date.now() + 1_200_000)
		expect(bot.db.query('SELECT count(*) AS n FROM streams WHERE ended_at IS NULL').get()).toEqual({ n: 0 })
	})
})
