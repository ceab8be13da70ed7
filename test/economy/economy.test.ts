// The economy through chat and real points cycles against the fake Owncast: giving points, the leaderboard and
// !hide, ignore_users, the earning rules (active chatters, first message, streaks), polls; switched-off features.
import { afterEach, describe, expect, test } from 'bun:test'
import type { Database } from 'bun:sqlite'
import { runPointsCycle } from '../../src/modules/points/cycle.ts'
import { cycleDepsOf } from '../../src/scheduler.ts'
import { ledgerInvariantViolations } from '../helpers.ts'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'
import type { TestUser } from '../support/payloads.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const alice: TestUser = { id: 'alice', displayName: 'Alice' }
const bob: TestUser = { id: 'bob', displayName: 'Bob' }
const carol: TestUser = { id: 'carol', displayName: 'Carol' }
const mod: TestUser = { id: 'mod', displayName: 'Mod', moderator: true }
const CYCLE_MS = 600_000

const totalPoints = (db: Database) => db.query<{ n: number }, []>('SELECT coalesce(sum(balance), 0) AS n FROM viewers').get()?.n ?? 0
const bonusRows = (db: Database) =>
	db.query<{ viewer_id: string; delta: number; ref: string }, []>("SELECT viewer_id, delta, ref FROM ledger WHERE reason = 'bonus' ORDER BY id").all()

/** A points cycle at `now` with these viewers in chat (the fake Owncast's client list). */
async function cycle(b: TestBot, now: number, users: TestUser[]) {
	b.fake.clients = users.map((u) => ({ user: { id: u.id, displayName: u.displayName } }))
	return runPointsCycle(cycleDepsOf(b.deps), () => now)
}

/** Gives viewers points earned in chat: a cycle with them present (earned counts toward give_min_earned). */
async function earn(b: TestBot, now: number, users: TestUser[]) {
	expect((await cycle(b, now, users)).kind).toBe('awarded')
}

describe('giving points', () => {
	test('moves points in one transaction with two ledger rows; every refusal is a clear reply and changes nothing', async () => {
		let now = Date.parse('2026-11-01T12:00:00Z')
		bot = await createTestBot({
			clock: () => now,
			env: { TLAPBOT_STARTING_POINTS: '500', TLAPBOT_POINTS_AMOUNT_GIVEN: '100' }
		})
		const b = bot
		b.reconfigure({ give_max_per_day: 300 })
		await b.chatReplies(alice, '!points')
		await b.chatReplies(bob, '!points')
		// Alice has earned nothing in chat yet: giving is not open for her.
		expect(await b.chatReplies(alice, '!give Bob 50')).toEqual(['@Alice, giving opens once you have earned 100 points by being in chat (you have 0 points).'])
		await earn(b, now, [alice, bob])
		const before = totalPoints(b.db)
		expect(await b.chatReplies(alice, '!give bob 50')).toEqual(['@Alice gave 50 points to Bob! 550 points left.'])
		expect(b.balance('alice')).toBe(550)
		expect(b.balance('bob')).toBe(650)
		expect(b.db.query("SELECT viewer_id, delta, ref FROM ledger WHERE reason = 'give' ORDER BY id").all()).toEqual([
			{ viewer_id: 'alice', delta: -50, ref: 'bob' },
			{ viewer_id: 'bob', delta: 50, ref: 'alice' }
		])
		expect(totalPoints(b.db)).toBe(before)
		const refusals: [string, string][] = [
			['!give Alice 10', '@Alice, you cannot give points to yourself.'],
			['!give Nobody 10', '@Alice, nobody called Nobody has been seen in chat.'],
			['!give Bob 0', '@Alice, give like this: !give <viewer> <points>.'],
			['!give Bob lots', '@Alice, give like this: !give <viewer> <points>.'],
			['!give Bob 10000', '@Alice, you can give 300 points a day; 250 points left for now.'],
			['!give Bob 251', '@Alice, you can give 300 points a day; 250 points left for now.']
		]
		for (const [text, reply] of refusals) expect(await b.chatReplies(alice, text)).toEqual([reply])
		// Not more than the balance (Bob earned too; his balance is the limit when the daily limit allows).
		b.reconfigure({ give_max_per_day: 100000 })
		expect(await b.chatReplies(bob, '!give Alice 5000')).toEqual(['@Bob, you have 650 points, not enough to give 5000 points.'])
		// A bot never takes points; two viewers with one name are ambiguous.
		b.db.run("INSERT INTO viewers (id, display_name, balance, is_bot, created_at, seen_at) VALUES ('botty', 'Botty', 0, 1, 'x', 'x')")
		expect(await b.chatReplies(alice, '!give Botty 5')).toEqual(['@Alice, bots do not take points.'])
		await b.chatReplies({ id: 'carol-1', displayName: 'Carol' }, '!points')
		await b.chatReplies({ id: 'carol-2', displayName: 'Carol' }, '!points')
		expect(await b.chatReplies(alice, '!give Carol 5')).toEqual(['@Alice, several viewers are called Carol; ask a moderator.'])
		// The day limit is over the last 24 hours.
		b.reconfigure({ give_max_per_day: 300 })
		expect(await b.chatReplies(alice, '!give Bob 250')).toEqual(['@Alice gave 250 points to Bob! 300 points left.'])
		expect(await b.chatReplies(alice, '!give Bob 1')).toEqual(['@Alice, you can give 300 points a day; 0 points left for now.'])
		now += 24 * 60 * 60 * 1000 + 1
		expect(await b.chatReplies(alice, '!give Bob 1')).toEqual(['@Alice gave 1 point to Bob! 299 points left.'])
		expect(ledgerInvariantViolations(b.db)).toEqual([])
		const events = b.db.query<{ data: string }, []>("SELECT data FROM events WHERE name = 'points.given' ORDER BY id").all()
		expect(JSON.parse(events[0]?.data ?? '{}')).toEqual({ from: { id: 'alice', name: 'Alice' }, to: { id: 'bob', name: 'Bob' }, amount: 50 })
		expect(events).toHaveLength(3)
	})

	test('200 concurrent gives never overspend and conserve the total', async () => {
		const now = Date.parse('2026-11-01T12:00:00Z')
		bot = await createTestBot({
			clock: () => now,
			env: { TLAPBOT_STARTING_POINTS: '100', TLAPBOT_POINTS_AMOUNT_GIVEN: '100', TLAPBOT_GIVE_MAX_PER_DAY: '1000000', TLAPBOT_GIVE_MIN_EARNED: '0' }
		})
		const b = bot
		const givers = Array.from({ length: 10 }, (_, i) => ({ id: `g${i}`, displayName: `G${i}` }))
		for (const g of [...givers, carol]) await b.chatReplies(g, '!points')
		await earn(b, now, [...givers, carol])
		const before = totalPoints(b.db)
		// Each giver (200 points) tries 20 gifts of 15: at most 13 can go through.
		const sends = givers.flatMap((g) => Array.from({ length: 20 }, () => b.chat(g, '!give Carol 15')))
		expect((await Promise.all(sends)).every((r) => r.status === 204)).toBe(true)
		await settle(b)
		for (const g of givers) expect(b.balance(g.id)).toBe(200 - 13 * 15)
		expect(b.balance('carol')).toBe(200 + 10 * 13 * 15)
		expect(totalPoints(b.db)).toBe(before)
		expect(ledgerInvariantViolations(b.db)).toEqual([])
	})
})

describe('leaderboard', () => {
	test('!top lists the top 5 by balance and the asker\'s rank, without bots, ignore_users and hidden viewers', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '0', TLAPBOT_IGNORE_USERS: undefined } })
		const b = bot
		b.reconfigure({ ignore_users: ['OtherBot'] })
		const people = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6'].map((id, i) => ({ id, displayName: id.toUpperCase(), points: (i + 1) * 10 }))
		for (const p of people) await b.chatReplies(p, '!points')
		b.db.run("INSERT INTO viewers (id, display_name, balance, is_bot, created_at, seen_at) VALUES ('bot1', 'Bot1', 99999, 1, 'x', 'x')")
		b.db.run("INSERT INTO viewers (id, display_name, balance, created_at, seen_at) VALUES ('ob', 'OtherBot', 88888, 'x', 'x')")
		b.db.run("INSERT INTO ledger (viewer_id, delta, reason, created_at) VALUES ('bot1', 99999, 'import', 'x'), ('ob', 88888, 'import', 'x')")
		for (const p of people) {
			b.db.run("INSERT INTO ledger (viewer_id, delta, reason, created_at) VALUES (?, ?, 'import', 'x')", [p.id, p.points])
			b.db.run('UPDATE viewers SET balance = ? WHERE id = ?', [p.points, p.id])
		}
		expect(await b.chatReplies(people[0] as TestUser, '!top')).toEqual([
			'Top by points: 1. V6 (60), 2. V5 (50), 3. V4 (40), 4. V3 (30), 5. V2 (20). You are #6 with 10 points.'
		])
		// !hide takes V6 off (and the others move up); again brings them back.
		expect(await b.chatReplies(people[5] as TestUser, '!hide')).toEqual(['@V6, you are off the leaderboard now; !hide again to be back on it.'])
		expect(await b.chatReplies(people[5] as TestUser, '!top')).toEqual([
			'Top by points: 1. V5 (50), 2. V4 (40), 3. V3 (30), 4. V2 (20), 5. V1 (10). You are not on the leaderboard (!hide to show yourself again).'
		])
		expect(await b.chatReplies(people[5] as TestUser, '!hide')).toEqual(['@V6, you are back on the leaderboard.'])
		const board = b.deps.leaderboard.board(Date.now())
		expect(board.balance.map((v) => v.id)).toEqual(['v6', 'v5', 'v4', 'v3', 'v2', 'v1'])
		// OtherBot (ignore_users) never earns, never chats with the bot, is never listed.
		expect(await b.chatReplies({ id: 'ob', displayName: 'OtherBot' }, '!points', 0)).toEqual([])
		expect(ledgerInvariantViolations(b.db)).toEqual([])
	})

	test('earned this stream and this month count cycles and bonuses, not gifts or starting points', async () => {
		let now = Date.parse('2026-11-30T23:50:00Z')
		bot = await createTestBot({ clock: () => now, env: { TLAPBOT_STARTING_POINTS: '1000', TLAPBOT_POINTS_AMOUNT_GIVEN: '10' } })
		const b = bot
		await earn(b, now, [alice, bob])
		now += CYCLE_MS
		await earn(b, now, [alice])
		let board = b.deps.leaderboard.board(now)
		expect(board.stream.map((v) => [v.id, v.points])).toEqual([
			['alice', 20],
			['bob', 10]
		])
		// December (UTC) starts a new month.
		expect(board.month.map((v) => [v.id, v.points])).toEqual([['alice', 10]])
		now += CYCLE_MS
		await earn(b, now, [bob])
		board = b.deps.leaderboard.board(now)
		expect(board.month.map((v) => [v.id, v.points])).toEqual([
			['alice', 10],
			['bob', 10]
		])
	})
})

describe('earning rules', () => {
	test('active chatters get extra points per cycle; the first message of a stream gets a bonus once; through real cycles', async () => {
		let now = Date.parse('2026-11-01T12:00:00Z')
		bot = await createTestBot({ clock: () => now, env: { TLAPBOT_STARTING_POINTS: '0', TLAPBOT_POINTS_AMOUNT_GIVEN: '10' } })
		const b = bot
		b.reconfigure({ active_chatter_bonus: 3, first_chat_bonus: 25 })
		await b.chat(alice, 'hello everyone')
		await b.chat(alice, 'how is it going')
		await earn(b, now, [alice, bob])
		expect(b.balance('alice')).toBe(10 + 3 + 25)
		expect(b.balance('bob')).toBe(10)
		expect(bonusRows(b.db)).toEqual([
			{ viewer_id: 'alice', delta: 3, ref: 'active_chatter' },
			{ viewer_id: 'alice', delta: 25, ref: 'first_chat' }
		])
		// Next cycle: Alice said nothing, Bob spoke: Bob gets both; Alice's first-message bonus is not given again.
		now += CYCLE_MS
		await b.chat(bob, 'hi')
		await earn(b, now, [alice, bob])
		now += CYCLE_MS
		await b.chat(alice, 'back')
		await earn(b, now, [alice, bob])
		expect(b.balance('alice')).toBe(38 + 10 + 10 + 3)
		expect(b.balance('bob')).toBe(10 + 10 + 3 + 25 + 10)
		expect(ledgerInvariantViolations(b.db)).toEqual([])
		// Bots and ignore_users never get bonuses; 0 turns a rule off.
		b.reconfigure({ active_chatter_bonus: 0, first_chat_bonus: 0, ignore_users: ['Carol'] })
		now += CYCLE_MS
		await b.chat(carol, 'hello')
		await b.chat(alice, 'more')
		const rows = bonusRows(b.db).length
		await earn(b, now, [alice, carol])
		expect(bonusRows(b.db)).toHaveLength(rows)
		expect(b.balance('carol')).toBeUndefined()
	})

	test('a streak of streams: once per stream for viewers present in each of the previous streak_streams streams', async () => {
		let now = Date.parse('2026-11-01T12:00:00Z')
		bot = await createTestBot({ clock: () => now, env: { TLAPBOT_STARTING_POINTS: '0', TLAPBOT_POINTS_AMOUNT_GIVEN: '1' } })
		const b = bot
		b.reconfigure({ streak_bonus: 50, streak_streams: 2 })
		/** One stream: online, a cycle or two with these viewers, then offline (the cycle ends the stream). */
		async function stream(users: TestUser[], cycles = 1) {
			b.fake.online = true
			for (let i = 0; i < cycles; i++) {
				now += CYCLE_MS
				await earn(b, now, users)
			}
			b.fake.online = false
			now += CYCLE_MS
			expect((await cycle(b, now, [])).kind).toBe('offline')
			now += 60 * 60 * 1000
		}
		await stream([alice, bob])
		await stream([alice, bob], 2)
		expect(bonusRows(b.db)).toEqual([])
		// Third stream: both were in the two before it; the bonus comes once, however many cycles.
		await stream([alice, bob, carol], 3)
		expect(bonusRows(b.db)).toEqual([
			{ viewer_id: 'alice', delta: 50, ref: 'streak' },
			{ viewer_id: 'bob', delta: 50, ref: 'streak' }
		])
		// Bob misses a stream: his streak starts again.
		await stream([alice])
		await stream([alice, bob, carol])
		expect(bonusRows(b.db).map((r) => r.viewer_id)).toEqual(['alice', 'bob', 'alice', 'alice'])
		expect(ledgerInvariantViolations(b.db)).toEqual([])
	})
})

describe('polls in chat', () => {
	test('a moderator opens a poll, viewers spend points on options, it closes with the results; polls from redeems.toml are open', async () => {
		bot = await createTestBot({
			env: { TLAPBOT_STARTING_POINTS: '100' },
			redeemsToml: '[redeems.hydrate]\ntype = "list"\nprice = 10\n\n[polls.snack]\ninfo = "Which snack?"\noptions = ["chips", "fruit"]\n'
		})
		const b = bot
		expect(await b.chatReplies(alice, '!vote snack fruit 30')).toEqual(['@Alice, 30 points for fruit in snack. 70 points left.'])
		expect(await b.chatReplies(mod, '!poll open food Which food? | pizza | soup')).toEqual([
			'Poll food: Which food? Vote with !vote food <option> <points>: 1. pizza, 2. soup.'
		])
		expect(await b.chatReplies(bob, '!vote food 2 40')).toEqual(['@Bob, 40 points for soup in food. 60 points left.'])
		// A poll that breaks a rule is named, to the moderator.
		expect((await b.chatReplies(mod, '!poll open drinks Which? | tea | Tea'))[0]).toStartWith('@Mod, no poll was opened: ')
		expect(await b.chatReplies(bob, '!vote food pizza 70')).toEqual(['@Bob, you have 60 points, not enough to spend 70 points.'])
		// Only moderators open polls: no reply at all to anyone else.
		expect(await b.chatReplies(alice, '!poll close food', 0)).toEqual([])
		expect(await b.chatReplies(mod, '!poll close food')).toEqual(['Poll food is closed: soup 40, pizza 0.'])
		expect(await b.chatReplies(bob, '!vote food 2 1')).toEqual(['@Bob, there is no open poll called food.'])
		expect(b.db.query<{ n: number }, []>("SELECT count(*) AS n FROM ledger WHERE reason = 'vote'").get()?.n).toBe(2)
		expect(ledgerInvariantViolations(b.db)).toEqual([])
	})
})

describe('switches', () => {
	test('a switched-off feature reserves no command name; a redeem named like a new command keeps working, with a warning', async () => {
		bot = await createTestBot({
			env: { TLAPBOT_STARTING_POINTS: '100' },
			redeemsToml: '[redeems.top]\ntype = "list"\nprice = 10\n'
		})
		const b = bot
		expect(await b.chatReplies(alice, '!top')).toEqual(['@Alice redeemed top (#1)! 90 points left.'])
		expect(b.logs.some((l) => l.includes('the redeem "top" has the name of the built-in command !top'))).toBe(true)
		b.reconfigure({ give_enabled: false, polls_enabled: false, predictions_enabled: false, leaderboard_enabled: false })
		for (const text of ['!give Bob 5', '!vote x y 1', '!bet yes 5', '!hide']) expect(await b.chatReplies(alice, text, 0)).toEqual([])
		await settle(b)
		expect(b.fake.messages.filter((m) => !m.includes('redeemed top'))).toEqual([])
		expect(b.deps.settings().commands.nameOf('give')).toBeUndefined()
	})
})

describe('predictions in chat', () => {
	test('a moderator opens, viewers bet by name and number, resolve pays the whole pool; 200 concurrent bets never overspend', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '100' } })
		const b = bot
		const viewers = Array.from({ length: 20 }, (_, i) => ({ id: `v${i}`, displayName: `V${i}` }))
		for (const v of viewers) await b.chatReplies(v, '!points')
		expect(await b.chatReplies(mod, '!predict open 120 Will I beat the boss? | yes | no')).toEqual([
			'Prediction: Will I beat the boss? Bet with !bet <outcome> <points>: 1. yes, 2. no. Betting closes in 2 minutes.'
		])
		expect(await b.chatReplies(alice, '!bet maybe 10')).toEqual(['@Alice, that is not an outcome of this prediction: 1. yes, 2. no.'])
		const before = totalPoints(b.db)
		// Each of 20 viewers (100 points) sends 10 bets of 15 at once: at most 6 go through each.
		const bets = viewers.flatMap((v, i) => Array.from({ length: 10 }, () => b.chat(v, i % 2 ? '!bet yes 15' : '!bet 2 15')))
		expect((await Promise.all(bets)).every((r) => r.status === 204)).toBe(true)
		await settle(b)
		for (const v of viewers) expect(b.balance(v.id)).toBe(100 - 6 * 15)
		const pool = 20 * 6 * 15
		expect(totalPoints(b.db) + pool).toBe(before)
		expect(await b.chatReplies(mod, '!predict resolve yes')).toEqual(['Will I beat the boss? The answer is yes! 10 won 1800 points between them.'])
		for (const [i, v] of viewers.entries()) expect(b.balance(v.id)).toBe(i % 2 ? 10 + 180 : 10)
		expect(totalPoints(b.db)).toBe(before)
		expect(ledgerInvariantViolations(b.db)).toEqual([])
		expect(await b.chatReplies(alice, '!bet yes 5')).toEqual(['@Alice, there is no prediction to bet on right now.'])
		const names = b.db.query<{ name: string }, []>("SELECT DISTINCT name FROM events WHERE name LIKE 'prediction.%' ORDER BY id").all()
		expect(names.map((n) => n.name)).toEqual(['prediction.opened', 'prediction.bet', 'prediction.locked', 'prediction.resolved'])
	})
})
