// Predictions: opening, betting, locking (by a moderator or the window), resolving and cancelling, on a real
// on-disk database. Points are money: after every step the balances plus the open pool are what they were, every
// balance is the sum of its ledger rows, and each bettor is paid or refunded at most once, also when two
// connections race and after a restart. The chat commands are checked on the same real service.
import { afterEach, describe, expect, test } from 'bun:test'
import type { Database } from 'bun:sqlite'
import { join, resolve as resolvePath } from 'node:path'
import { openDatabase } from '../../src/db/database.ts'
import { sayTo } from '../../src/modules/chat/reply.ts'
import { createMessages } from '../../src/modules/messages/messages.ts'
import { handleBetCommand, handlePredictCommand } from '../../src/modules/predictions/commands.ts'
import { splitPool } from '../../src/modules/predictions/service.ts'
import { addViewer, ledgerInvariantViolations, makeTempDir, useTempDirs } from '../helpers.ts'
import { buildPredictions, seededBet, seedPrediction } from './fixtures/resolve-child.ts'

useTempDirs()

const FIXTURE = resolvePath(import.meta.dir, 'fixtures/resolve-child.ts')
const T0 = Date.parse('2030-01-01T12:00:00.000Z')
const AT = new Date(T0 - 3_600_000).toISOString()

const open: Database[] = []
afterEach(() => {
	for (const db of open.splice(0)) db.close()
})

/** A database file in a temp folder; viewers with these balances (starting rows in the ledger). */
function setup(balances: Record<string, number> = {}) {
	const path = join(makeTempDir(), 'tlapbot.sqlite')
	const db = connect(path)
	for (const [id, points] of Object.entries(balances)) addViewer(db, id, points, AT)
	return { path, ...buildPredictions(db) }
}
function connect(path: string): Database {
	const db = openDatabase(path)
	open.push(db)
	return db
}

/** Everything that is money: every balance plus the bets of the prediction that is running. */
function money(db: Database): number {
	const row = db
		.query<{ n: number }, []>(
			`SELECT (SELECT coalesce(sum(balance), 0) FROM viewers)
			+ (SELECT coalesce(sum(b.amount), 0) FROM prediction_bets b JOIN predictions p ON p.id = b.prediction_id
				WHERE p.status IN ('open', 'locked')) AS n`
		)
		.get()
	return row?.n ?? 0
}
/** Money is conserved and every balance is the sum of its ledger rows. */
function expectConserved(db: Database, before: number) {
	expect(money(db)).toBe(before)
	expect(ledgerInvariantViolations(db)).toEqual([])
	const negative = db.query<{ n: number }, []>('SELECT count(*) AS n FROM viewers WHERE balance < 0').get()
	expect(negative?.n).toBe(0)
}
const balance = (db: Database, id: string) => db.query<{ b: number }, [string]>('SELECT balance AS b FROM viewers WHERE id = ?').get(id)?.b
const status = (db: Database, id: number) => db.query<{ s: string }, [number]>('SELECT status AS s FROM predictions WHERE id = ?').get(id)?.s
/** The settlement rows of a prediction, per viewer: how many and how much (payout or bet_refund). */
function settlements(db: Database, id: number) {
	return db
		.query<{ viewer: string; reason: string; rows: number; total: number }, [string]>(
			`SELECT viewer_id AS viewer, group_concat(DISTINCT reason) AS reason, count(*) AS rows, sum(delta) AS total FROM ledger
			WHERE ref = ? AND reason IN ('payout', 'bet_refund') GROUP BY viewer_id ORDER BY viewer_id`
		)
		.all(`prediction:${id}`)
}
const ledgerCount = (db: Database) => db.query<{ n: number }, []>('SELECT count(*) AS n FROM ledger').get()?.n ?? 0
const eventsNamed = (s: ReturnType<typeof setup>, name: string) => s.eventStore.after(0).filter((e) => e.name === name)

function openYesNo(s: ReturnType<typeof setup>, windowSeconds?: number) {
	const r = s.predictions.open({ question: 'Will it rain?', outcomes: ['Yes', 'No'], windowSeconds }, 'Mod (mod)', T0)
	if (!r.ok) throw new Error(JSON.stringify(r))
	return r.prediction
}
function mustBet(s: ReturnType<typeof setup>, viewer: string, outcome: string, amount: number, now = T0 + 1000) {
	const r = s.predictions.bet(viewer, outcome, amount, now)
	if (!r.ok) throw new Error(JSON.stringify(r))
	return r
}

describe('opening', () => {
	test('opens with its view, event and audit entry; one at a time', () => {
		const s = setup()
		const r = s.predictions.open({ question: '  Will it rain? ', outcomes: [' Yes', 'No '], windowSeconds: 120 }, 'Mod (mod)', T0)
		expect(r).toEqual({
			ok: true,
			prediction: {
				id: 1,
				question: 'Will it rain?',
				status: 'open',
				closesAt: new Date(T0 + 120_000).toISOString(),
				outcomes: [
					{ name: 'Yes', pool: 0, bettors: 0, odds: null },
					{ name: 'No', pool: 0, bettors: 0, odds: null }
				],
				pool: 0
			}
		})
		expect(eventsNamed(s, 'prediction.opened').map((e) => e.data)).toEqual([
			{ id: 1, question: 'Will it rain?', outcomes: ['Yes', 'No'], closesAt: new Date(T0 + 120_000).toISOString() }
		])
		expect(s.audit.entries()[0]).toMatchObject({ actor: 'Mod (mod)', action: 'prediction_open' })
		expect(s.predictions.current(T0)?.id).toBe(1)

		const again = s.predictions.open({ question: 'Another?', outcomes: ['a', 'b'] }, 'Mod (mod)', T0)
		expect(again).toMatchObject({ ok: false, reason: 'already_open', current: { id: 1, question: 'Will it rain?' } })
		// Locked still counts as running.
		s.predictions.lock('Mod (mod)', T0)
		expect(s.predictions.open({ question: 'Another?', outcomes: ['a', 'b'] }, 'Mod (mod)', T0)).toMatchObject({ reason: 'already_open' })
		// Once it is over, the next one can open; without a window it has no closing time.
		s.predictions.cancel('Mod (mod)', T0)
		const next = s.predictions.open({ question: 'Another?', outcomes: ['a', 'b'] }, 'Mod (mod)', T0)
		expect(next).toMatchObject({ ok: true, prediction: { id: 2, closesAt: null, status: 'open' } })
	})

	test('refuses what breaks the rules, and writes nothing', () => {
		const s = setup()
		const bad: { question: string; outcomes: string[]; windowSeconds?: number }[] = [
			{ question: '', outcomes: ['a', 'b'] },
			{ question: '   ', outcomes: ['a', 'b'] },
			{ question: 'q'.repeat(201), outcomes: ['a', 'b'] },
			{ question: 'q', outcomes: ['a'] },
			{ question: 'q', outcomes: Array.from({ length: 11 }, (_, i) => `o${i}`) },
			{ question: 'q', outcomes: ['Yes', 'yes'] },
			{ question: 'q', outcomes: ['a', ' '] },
			{ question: 'q', outcomes: ['a', 'o'.repeat(51)] },
			{ question: 'q', outcomes: ['a', 'b'], windowSeconds: 0 },
			{ question: 'q', outcomes: ['a', 'b'], windowSeconds: 86_401 },
			{ question: 'q', outcomes: ['a', 'b'], windowSeconds: 1.5 }
		]
		for (const input of bad) {
			const r = s.predictions.open(input, 'mod', T0)
			expect(r.ok).toBe(false)
			if (!r.ok) expect(r.reason).toBe('invalid')
		}
		expect(s.db.query('SELECT count(*) AS n FROM predictions').get()).toEqual({ n: 0 })
		expect(s.eventStore.after(0)).toEqual([])
		// The limits themselves are fine.
		const ok = s.predictions.open(
			{ question: 'q'.repeat(200), outcomes: Array.from({ length: 10 }, (_, i) => `${'o'.repeat(48)}${i}`), windowSeconds: 86_400 },
			'mod',
			T0
		)
		expect(ok.ok).toBe(true)
	})
})

describe('betting', () => {
	test('by name or number; a second bet adds up and keeps the first time; ledger, event and view', () => {
		const s = setup({ alice: 1000, bob: 500, carol: 300 })
		openYesNo(s)
		const before = money(s.db)

		const first = s.predictions.bet('alice', 'yes', 100, T0 + 1000)
		expect(first).toMatchObject({ ok: true, outcome: 'Yes', amount: 100, total: 100, balance: 900 })
		expectConserved(s.db, before)
		const second = s.predictions.bet('alice', '1', 50, T0 + 5000)
		expect(second).toMatchObject({ ok: true, outcome: 'Yes', amount: 50, total: 150, balance: 850 })
		expect(s.store.bet(1, 'alice')).toEqual({ viewerId: 'alice', outcome: 0, amount: 150, createdAt: new Date(T0 + 1000).toISOString() })
		mustBet(s, 'bob', 'NO', 50)
		const last = mustBet(s, 'carol', '#2', 100)
		expectConserved(s.db, before)

		expect(last.prediction).toEqual({
			id: 1,
			question: 'Will it rain?',
			status: 'open',
			closesAt: null,
			outcomes: [
				{ name: 'Yes', pool: 150, bettors: 1, odds: 2 },
				{ name: 'No', pool: 150, bettors: 2, odds: 2 }
			],
			pool: 300
		})
		const ledger = s.db
			.query("SELECT viewer_id AS viewer, delta, ref FROM ledger WHERE reason = 'bet' ORDER BY id")
			.all()
		expect(ledger).toEqual([
			{ viewer: 'alice', delta: -100, ref: 'prediction:1' },
			{ viewer: 'alice', delta: -50, ref: 'prediction:1' },
			{ viewer: 'bob', delta: -50, ref: 'prediction:1' },
			{ viewer: 'carol', delta: -100, ref: 'prediction:1' }
		])
		const events = eventsNamed(s, 'prediction.bet')
		expect(events).toHaveLength(4)
		expect(events[3]?.data).toEqual({
			id: 1,
			viewer: { id: 'carol', name: 'CAROL' },
			outcome: 'No',
			amount: 100,
			pools: [
				{ outcome: 'Yes', pool: 150, bettors: 1 },
				{ outcome: 'No', pool: 150, bettors: 2 }
			]
		})
		// Odds round to 2 decimals.
		mustBet(s, 'bob', 'no', 50)
		expect(s.predictions.current(T0)?.outcomes.map((o) => o.odds)).toEqual([2.33, 1.75])
	})

	test('every refusal, each leaving no trace', () => {
		const s = setup({ alice: 100, bob: 100 })
		const snapshot = () => ({ ledger: ledgerCount(s.db), money: money(s.db), events: s.eventStore.latestId() })
		const nothingChanged = (was: ReturnType<typeof snapshot>) => expect(snapshot()).toEqual(was)

		let was = snapshot()
		expect(s.predictions.bet('alice', 'yes', 10, T0)).toEqual({ ok: false, reason: 'none' })
		nothingChanged(was)

		openYesNo(s, 60)
		mustBet(s, 'alice', 'yes', 40)
		was = snapshot()
		expect(s.predictions.bet('alice', 'maybe', 10, T0)).toMatchObject({ ok: false, reason: 'unknown_outcome', prediction: { id: 1 } })
		expect(s.predictions.bet('alice', '0', 10, T0)).toMatchObject({ reason: 'unknown_outcome' })
		expect(s.predictions.bet('alice', '3', 10, T0)).toMatchObject({ reason: 'unknown_outcome' })
		expect(s.predictions.bet('alice', 'no', 10, T0)).toMatchObject({ ok: false, reason: 'other_outcome', outcome: 'Yes' })
		expect(s.predictions.bet('alice', '2', 10, T0)).toMatchObject({ reason: 'other_outcome', outcome: 'Yes' })
		expect(s.predictions.bet('alice', 'yes', 61, T0)).toMatchObject({ ok: false, reason: 'not_enough', balance: 60, amount: 61 })
		expect(s.predictions.bet('nobody', 'yes', 1, T0)).toMatchObject({ reason: 'not_enough', balance: 0 })
		expect(() => s.predictions.bet('alice', 'yes', 0, T0)).toThrow(RangeError)
		expect(() => s.predictions.bet('alice', 'yes', 1.5, T0)).toThrow(RangeError)
		// The window ends at closes_at exactly.
		expect(s.predictions.bet('bob', 'no', 10, T0 + 60_000)).toMatchObject({ ok: false, reason: 'closed', prediction: { status: 'locked' } })
		nothingChanged(was)
		expect(s.store.bet(1, 'alice')?.amount).toBe(40)
		expect(s.store.bet(1, 'bob')).toBeUndefined()

		s.predictions.lock('mod', T0 + 1)
		was = snapshot()
		expect(s.predictions.bet('bob', 'no', 10, T0 + 2)).toMatchObject({ ok: false, reason: 'closed' })
		nothingChanged(was)

		s.predictions.resolve('yes', 'mod', T0 + 3)
		was = snapshot()
		expect(s.predictions.bet('bob', 'no', 10, T0 + 4)).toEqual({ ok: false, reason: 'none' })
		nothingChanged(was)
		expect(ledgerInvariantViolations(s.db)).toEqual([])
	})

	test('200 bets at once from many viewers, some overspending: never negative, never more than they had', async () => {
		const s = setup()
		for (let i = 0; i < 40; i++) addViewer(s.db, `v${i}`, 100, AT)
		// A second connection on the same file takes half of the bets.
		const other = buildPredictions(connect(s.path))
		openYesNo(s)
		const before = money(s.db)
		const outcomes = ['yes', 'no', '1', '2']
		const tries = Array.from({ length: 200 }, (_, k) => ({ viewer: `v${k % 40}`, outcome: outcomes[(k * 7 + Math.floor(k / 40)) % 4] as string, amount: 10 + ((k * 13) % 50) }))
		const results = await Promise.all(
			tries.map(async (t, k) => {
				await Bun.sleep(k % 3)
				return (k % 2 ? other : s).predictions.bet(t.viewer, t.outcome, t.amount, T0 + k)
			})
		)
		const accepted = results.filter((r) => r.ok)
		const reasons = new Set(results.flatMap((r) => (r.ok ? [] : [r.reason])))
		expect(accepted.length).toBeGreaterThan(40)
		expect([...reasons].sort()).toEqual(['not_enough', 'other_outcome'])
		expectConserved(s.db, before)
		const perViewer = s.db
			.query<{ viewer: string; debited: number; bet: number | null; balance: number }, []>(
				`SELECT v.id AS viewer, -(SELECT coalesce(sum(delta), 0) FROM ledger WHERE viewer_id = v.id AND reason = 'bet') AS debited,
					(SELECT amount FROM prediction_bets WHERE viewer_id = v.id) AS bet, v.balance
				FROM viewers v`
			)
			.all()
		for (const row of perViewer) {
			expect(row.debited).toBeLessThanOrEqual(100)
			expect(row.debited).toBe(row.bet ?? 0)
			expect(row.balance).toBe(100 - row.debited)
		}
		const betRows = s.db.query<{ n: number }, []>("SELECT count(*) AS n FROM ledger WHERE reason = 'bet'").get()
		expect(betRows?.n).toBe(accepted.length)
	})
})

describe('locking', () => {
	test('a moderator locks: event, audit, then no more bets; twice or with nothing running says so', () => {
		const s = setup({ alice: 100 })
		expect(s.predictions.lock('mod', T0)).toEqual({ ok: false, reason: 'none' })
		openYesNo(s)
		mustBet(s, 'alice', 'yes', 30)
		const r = s.predictions.lock('mod', T0 + 2000)
		expect(r).toMatchObject({ ok: true, prediction: { status: 'locked', pool: 30 } })
		expect(status(s.db, 1)).toBe('locked')
		expect(eventsNamed(s, 'prediction.locked').map((e) => e.data)).toEqual([
			{ id: 1, question: 'Will it rain?', pools: [{ outcome: 'Yes', pool: 30, bettors: 1 }, { outcome: 'No', pool: 0, bettors: 0 }] }
		])
		expect(s.audit.entries()[0]).toMatchObject({ action: 'prediction_lock' })
		expect(s.predictions.lock('mod', T0 + 3000)).toMatchObject({ ok: false, reason: 'already_locked', prediction: { id: 1 } })
		expect(eventsNamed(s, 'prediction.locked')).toHaveLength(1)
	})

	test('expire() locks once the window has passed, and only then', () => {
		const s = setup({ alice: 100 })
		expect(s.predictions.expire(T0)).toBe(false)
		openYesNo(s, 60)
		expect(s.predictions.expire(T0 + 59_999)).toBe(false)
		expect(s.predictions.bet('alice', '1', 10, T0 + 59_999).ok).toBe(true)
		// Past the window it shows as locked before the timer has run.
		expect(s.predictions.current(T0 + 60_000)?.status).toBe('locked')
		expect(status(s.db, 1)).toBe('open')
		expect(s.predictions.expire(T0 + 60_000)).toBe(true)
		expect(status(s.db, 1)).toBe('locked')
		expect(s.predictions.expire(T0 + 61_000)).toBe(false)
		expect(eventsNamed(s, 'prediction.locked')).toHaveLength(1)
		// A prediction without a window never expires.
		s.predictions.cancel('mod', T0 + 62_000)
		s.predictions.open({ question: 'q', outcomes: ['a', 'b'] }, 'mod', T0 + 63_000)
		expect(s.predictions.expire(T0 + 1e12)).toBe(false)
	})
})

describe('resolving', () => {
	test('pays the pool in proportion; the remainder goes to the earlier of equal bets', () => {
		const s = setup({ a: 1000, b: 1000, c: 1000, x: 1000, y: 1000 })
		openYesNo(s)
		const before = money(s.db)
		mustBet(s, 'b', 'yes', 10, T0 + 1) // the earliest of the three equal bets
		mustBet(s, 'a', 'yes', 10, T0 + 2)
		mustBet(s, 'c', 'yes', 10, T0 + 3)
		mustBet(s, 'x', 'no', 50, T0 + 4)
		mustBet(s, 'y', 'no', 20, T0 + 5)
		expect(s.predictions.current(T0)?.pool).toBe(100)
		const r = s.predictions.resolve('yes', 'Mod (mod)', T0 + 10)
		expect(r).toMatchObject({ ok: true, outcome: 'Yes', pool: 100, winners: 3, refunded: false })
		if (!r.ok) return
		expect(r.payouts).toEqual([
			{ viewerId: 'b', amount: 34 },
			{ viewerId: 'a', amount: 33 },
			{ viewerId: 'c', amount: 33 }
		])
		expect([balance(s.db, 'a'), balance(s.db, 'b'), balance(s.db, 'c'), balance(s.db, 'x'), balance(s.db, 'y')]).toEqual([
			1023, 1024, 1023, 950, 980
		])
		expect(settlements(s.db, 1)).toEqual([
			{ viewer: 'a', reason: 'payout', rows: 1, total: 33 },
			{ viewer: 'b', reason: 'payout', rows: 1, total: 34 },
			{ viewer: 'c', reason: 'payout', rows: 1, total: 33 }
		])
		expectConserved(s.db, before)
		expect(status(s.db, 1)).toBe('resolved')
		expect(eventsNamed(s, 'prediction.resolved').map((e) => e.data)).toEqual([
			{ id: 1, question: 'Will it rain?', outcome: 'Yes', pool: 100, winners: 3, refunded: false }
		])
		// It was open: locked first, in the same transaction.
		expect(eventsNamed(s, 'prediction.locked')).toHaveLength(1)
		expect(s.audit.entries()[0]).toMatchObject({ actor: 'Mod (mod)', action: 'prediction_resolve' })
		expect(s.predictions.current(T0)).toBeUndefined()
		expect(s.predictions.last()).toMatchObject({ id: 1, status: 'resolved', winner: 'Yes', pool: 100 })
	})

	test('the remainder rule on hand-computed splits', () => {
		// Equal bets at the same moment: the viewer id decides.
		const sameTime = splitPool(100, [
			{ viewerId: 'a', amount: 10 },
			{ viewerId: 'b', amount: 10 },
			{ viewerId: 'c', amount: 10 }
		])
		expect(sameTime.map((p) => p.amount)).toEqual([34, 33, 33])
		// Bets 3 and 2, pool 9: 5.4 and 3.6 floor to 5 and 3; the one left over goes to the larger bet (not the
		// larger fraction).
		expect(splitPool(9, [{ viewerId: 'p', amount: 3 }, { viewerId: 'q', amount: 2 }]).map((p) => p.amount)).toEqual([6, 3])
		// pool 107 on 50/30/20: 53.5, 32.1, 21.4 -> 53, 32, 21 and one more for the 50.
		expect(splitPool(107, [{ viewerId: 'a', amount: 50 }, { viewerId: 'b', amount: 30 }, { viewerId: 'c', amount: 20 }]).map((p) => p.amount)).toEqual([
			54, 32, 21
		])
		// Everyone on the answer: everyone gets their bet back.
		expect(splitPool(60, [{ viewerId: 'a', amount: 40 }, { viewerId: 'b', amount: 20 }]).map((p) => p.amount)).toEqual([40, 20])
	})

	test('billion-point bets are split exactly (BigInt), ties broken by time then viewer id in the database', () => {
		const s = setup({ big: 1_000_000_000, almost: 999_999_999, loser: 1_000_000_000, t1: 100, t2: 100, t3: 100 })
		openYesNo(s)
		const before = money(s.db)
		mustBet(s, 'almost', 'no', 999_999_999, T0 + 1)
		mustBet(s, 'big', 'no', 1_000_000_000, T0 + 2)
		mustBet(s, 'loser', 'yes', 1_000_000_000, T0 + 3)
		const r = s.predictions.resolve('2', 'mod', T0 + 10)
		if (!r.ok) throw new Error('not resolved')
		// pool 2,999,999,999 over 1,999,999,999: 1,500,000,000.25 and 1,499,999,998.75 floor to 1,500,000,000 and
		// 1,499,999,998; the point left goes to the larger bet.
		expect(r.payouts).toEqual([
			{ viewerId: 'big', amount: 1_500_000_001 },
			{ viewerId: 'almost', amount: 1_499_999_998 }
		])
		expect(r.pool).toBe(2_999_999_999)
		expectConserved(s.db, before)

		// Equal bets placed in the same millisecond: the viewer id decides.
		s.predictions.open({ question: 'q', outcomes: ['a', 'b'] }, 'mod', T0 + 20)
		mustBet(s, 't2', 'a', 1, T0 + 30)
		mustBet(s, 't1', 'a', 1, T0 + 30)
		mustBet(s, 't3', 'b', 1, T0 + 30)
		const tie = s.predictions.resolve('a', 'mod', T0 + 40)
		expect(tie.ok && tie.payouts).toEqual([
			{ viewerId: 't1', amount: 2 },
			{ viewerId: 't2', amount: 1 }
		])
	})

	test('nobody bet on the answer: every bet is refunded', () => {
		const s = setup({ a: 100, b: 100 })
		openYesNo(s)
		const before = money(s.db)
		mustBet(s, 'a', 'yes', 30)
		mustBet(s, 'b', 'yes', 70)
		const r = s.predictions.resolve('No', 'mod', T0 + 10)
		expect(r).toMatchObject({ ok: true, outcome: 'No', pool: 100, winners: 0, refunded: true })
		expect(balance(s.db, 'a')).toBe(100)
		expect(balance(s.db, 'b')).toBe(100)
		expect(settlements(s.db, 1)).toEqual([
			{ viewer: 'a', reason: 'bet_refund', rows: 1, total: 30 },
			{ viewer: 'b', reason: 'bet_refund', rows: 1, total: 70 }
		])
		expectConserved(s.db, before)
		expect(eventsNamed(s, 'prediction.resolved')[0]?.data).toMatchObject({ refunded: true, winners: 0, pool: 100 })
		// A prediction nobody bet on resolves to nothing.
		s.predictions.open({ question: 'q', outcomes: ['a', 'b'] }, 'mod', T0 + 20)
		expect(s.predictions.resolve('a', 'mod', T0 + 30)).toMatchObject({ ok: true, pool: 0, winners: 0, refunded: true, payouts: [] })
	})

	test('an unknown outcome changes nothing; a second resolve or a cancel after it change nothing', () => {
		const s = setup({ a: 100, b: 100 })
		expect(s.predictions.resolve('yes', 'mod', T0)).toEqual({ ok: false, reason: 'none' })
		openYesNo(s)
		mustBet(s, 'a', 'yes', 30)
		mustBet(s, 'b', 'no', 20)
		const rows = ledgerCount(s.db)
		expect(s.predictions.resolve('maybe', 'mod', T0 + 10)).toMatchObject({ ok: false, reason: 'unknown_outcome', prediction: { id: 1 } })
		expect(s.predictions.resolve('3', 'mod', T0 + 10)).toMatchObject({ reason: 'unknown_outcome' })
		expect(status(s.db, 1)).toBe('open')
		expect(ledgerCount(s.db)).toBe(rows)

		expect(s.predictions.resolve('1', 'mod', T0 + 10)).toMatchObject({ ok: true, outcome: 'Yes', pool: 50 })
		const after = { rows: ledgerCount(s.db), a: balance(s.db, 'a'), b: balance(s.db, 'b'), events: s.eventStore.latestId() }
		expect(s.predictions.resolve('no', 'mod', T0 + 20)).toEqual({ ok: false, reason: 'none' })
		expect(s.predictions.cancel('mod', T0 + 20)).toEqual({ ok: false, reason: 'none' })
		expect({ rows: ledgerCount(s.db), a: balance(s.db, 'a'), b: balance(s.db, 'b'), events: s.eventStore.latestId() }).toEqual(after)
		expect(after.a).toBe(120)
		expect(status(s.db, 1)).toBe('resolved')
	})

	test('20,000 bets resolve in one go, exactly', () => {
		const s = setup()
		const id = seedPrediction(s.db, 20_000, T0)
		const before = money(s.db)
		const bets = Array.from({ length: 20_000 }, (_, i) => ({ ...seededBet(i), at: i }))
		const pool = bets.reduce((sum, b) => sum + b.amount, 0)
		expect(s.predictions.current(T0)?.pool).toBe(pool)
		const winners = bets.filter((b) => b.outcome === 1).sort((x, y) => y.amount - x.amount || x.at - y.at)
		const started = performance.now()
		const r = s.predictions.resolve('blue', 'mod', T0)
		const took = performance.now() - started
		if (!r.ok) throw new Error('not resolved')
		expect(r.winners).toBe(winners.length)
		expect(r.payouts.reduce((sum, p) => sum + p.amount, 0)).toBe(pool)
		// Computed again here: floor shares, then one point each to the first bets in payout order.
		const W = BigInt(winners.reduce((sum, b) => sum + b.amount, 0))
		const floors = winners.map((b) => (BigInt(pool) * BigInt(b.amount)) / W)
		const left = Number(BigInt(pool) - floors.reduce((a, b) => a + b, 0n))
		expect(left).toBeLessThan(winners.length)
		expect(r.payouts).toEqual(winners.map((b, i) => ({ viewerId: b.id, amount: Number(floors[i]) + (i < left ? 1 : 0) })))
		const paid = s.db
			.query<{ n: number; total: number }, [string]>("SELECT count(*) AS n, sum(delta) AS total FROM ledger WHERE ref = ? AND reason = 'payout'")
			.get(`prediction:${id}`)
		expect(paid).toEqual({ n: winners.length, total: pool })
		expectConserved(s.db, before)
		// Not a hard limit (machines differ), a sanity bound with much room.
		expect(took).toBeLessThan(5000)
	})
})

describe('cancelling', () => {
	test('refunds every bet exactly once', () => {
		const s = setup({ a: 100, b: 100, c: 100 })
		expect(s.predictions.cancel('mod', T0)).toEqual({ ok: false, reason: 'none' })
		openYesNo(s)
		const before = money(s.db)
		mustBet(s, 'a', 'yes', 30)
		mustBet(s, 'a', 'yes', 5)
		mustBet(s, 'b', 'no', 100)
		s.predictions.lock('mod', T0 + 2)
		const r = s.predictions.cancel('Mod (mod)', T0 + 3)
		expect(r).toMatchObject({ ok: true, refunded: 135, prediction: { status: 'cancelled', winner: null, pool: 135 } })
		expect([balance(s.db, 'a'), balance(s.db, 'b'), balance(s.db, 'c')]).toEqual([100, 100, 100])
		expect(settlements(s.db, 1)).toEqual([
			{ viewer: 'a', reason: 'bet_refund', rows: 1, total: 35 },
			{ viewer: 'b', reason: 'bet_refund', rows: 1, total: 100 }
		])
		expectConserved(s.db, before)
		expect(eventsNamed(s, 'prediction.cancelled').map((e) => e.data)).toEqual([{ id: 1, question: 'Will it rain?', refunded: 135 }])
		expect(s.audit.entries()[0]).toMatchObject({ action: 'prediction_cancel' })
		const rows = ledgerCount(s.db)
		expect(s.predictions.cancel('mod', T0 + 4)).toEqual({ ok: false, reason: 'none' })
		expect(s.predictions.resolve('yes', 'mod', T0 + 4)).toEqual({ ok: false, reason: 'none' })
		expect(ledgerCount(s.db)).toBe(rows)
		expect(s.predictions.last()).toMatchObject({ id: 1, status: 'cancelled', winner: null })
	})
})

describe('two connections, restarts', () => {
	test('resolve and cancel through two connections: the first wins, the other changes nothing', () => {
		for (const first of ['resolve', 'cancel'] as const) {
			const s = setup({ a: 100, b: 100, c: 100 })
			const other = buildPredictions(connect(s.path))
			openYesNo(s)
			const before = money(s.db)
			mustBet(s, 'a', 'yes', 40)
			mustBet(s, 'b', 'no', 60)
			mustBet(s, 'c', 'yes', 20)
			// Both have looked at it (their statements are prepared and have read it) before either acts.
			expect(s.predictions.current(T0)?.pool).toBe(120)
			expect(other.predictions.current(T0)?.pool).toBe(120)
			const act = {
				resolve: (p: typeof s.predictions, now: number) => p.resolve('yes', 'mod', now),
				cancel: (p: typeof s.predictions, now: number) => p.cancel('mod', now)
			}
			const winner = act[first](s.predictions, T0 + 10)
			const loser = act[first === 'resolve' ? 'cancel' : 'resolve'](other.predictions, T0 + 11)
			expect(winner.ok).toBe(true)
			expect(loser).toEqual({ ok: false, reason: 'none' })
			const rows = settlements(s.db, 1)
			if (first === 'resolve') {
				expect(rows).toEqual([
					{ viewer: 'a', reason: 'payout', rows: 1, total: 80 },
					{ viewer: 'c', reason: 'payout', rows: 1, total: 40 }
				])
			} else {
				expect(rows.map((r) => [r.viewer, r.reason, r.rows])).toEqual([
					['a', 'bet_refund', 1],
					['b', 'bet_refund', 1],
					['c', 'bet_refund', 1]
				])
			}
			expectConserved(s.db, before)
			expect(ledgerInvariantViolations(other.db)).toEqual([])
		}
	})

	test('resolve and cancel racing in two processes: exactly one wins, each bettor settled once', async () => {
		for (let round = 0; round < 2; round++) {
			const s = setup()
			for (let i = 0; i < 300; i++) addViewer(s.db, `r${i}`, 1000, AT)
			openYesNo(s)
			const before = money(s.db)
			for (let i = 0; i < 300; i++) mustBet(s, `r${i}`, i % 2 ? 'yes' : 'no', 1 + (i % 100))
			const args = [['resolve', 'yes'], ['cancel']]
			const children = (round ? args.reverse() : args).map((a) =>
				Bun.spawn([process.execPath, FIXTURE, 'race', s.path, ...a], { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe' })
			)
			const outputs = children.map((c) => lines(c.stdout))
			for (const out of outputs) expect(await out.next()).toBe('ready')
			for (const c of children) {
				c.stdin.write('go\n')
				c.stdin.flush()
			}
			const results = await Promise.all(outputs.map(async (o) => JSON.parse(await o.next()) as { ok: boolean; reason?: string }))
			for (const c of children) expect(await c.exited).toBe(0)
			expect(results.filter((r) => r.ok)).toHaveLength(1)
			expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'none' }])
			const rows = settlements(s.db, 1)
			expect(rows.every((r) => r.rows === 1)).toBe(true)
			const finalStatus = status(s.db, 1)
			if (finalStatus === 'resolved') {
				expect(rows).toHaveLength(150)
				expect(rows.every((r) => r.reason === 'payout')).toBe(true)
			} else {
				expect(finalStatus).toBe('cancelled')
				expect(rows).toHaveLength(300)
				expect(rows.every((r) => r.reason === 'bet_refund')).toBe(true)
			}
			expectConserved(s.db, before)
		}
	})

	test('a restart keeps the open prediction and its bets', () => {
		const s = setup({ a: 100, b: 100 })
		openYesNo(s, 600)
		const before = money(s.db)
		mustBet(s, 'a', 'yes', 30)
		mustBet(s, 'b', 'no', 10)
		const view = s.predictions.current(T0 + 2000)
		s.db.close()
		open.splice(open.indexOf(s.db), 1)

		const again = buildPredictions(connect(s.path))
		expect(again.predictions.current(T0 + 2000)).toEqual(view)
		expect(money(again.db)).toBe(before)
		expect(again.predictions.bet('a', 'no', 5, T0 + 3000)).toMatchObject({ ok: false, reason: 'other_outcome', outcome: 'Yes' })
		expect(again.predictions.bet('a', 'yes', 5, T0 + 3000)).toMatchObject({ ok: true, total: 35 })
		expect(again.predictions.expire(T0 + 600_000)).toBe(true)
		expect(again.predictions.resolve('yes', 'mod', T0 + 700_000)).toMatchObject({ ok: true, pool: 45, payouts: [{ viewerId: 'a', amount: 45 }] })
		expectConserved(again.db, before)
	})
})

describe('chat commands', () => {
	const messages = createMessages()
	function chat(s: ReturnType<typeof setup>) {
		const predict = (args: string, now = T0) =>
			handlePredictCommand({ predictions: s.predictions, say: sayTo(messages, '!', 'Mod'), now, actor: 'Mod (mod)', betCommand: 'bet' }, args)
		const bet = (viewerId: string, args: string, now = T0 + 1000) =>
			handleBetCommand({ predictions: s.predictions, say: sayTo(messages, '!', viewerId.toUpperCase()), now, viewerId, betCommand: 'bet' }, args)
		return { predict, bet }
	}

	test('!predict open, lock, resolve, cancel', () => {
		const s = setup({ alice: 500, bob: 500, carol: 500 })
		const { predict, bet } = chat(s)
		expect(predict('lock')).toEqual([{ text: '@Mod, no prediction is running.', to: 'viewer' }])
		expect(predict('resolve yes')).toEqual([{ text: '@Mod, no prediction is running.', to: 'viewer' }])
		expect(predict('cancel')).toEqual([{ text: '@Mod, no prediction is running.', to: 'viewer' }])

		expect(predict('open 90 Who wins the race? | red car | Blue | green')).toEqual([
			{
				text: 'Prediction: Who wins the race? Bet with !bet <outcome> <points>: 1. red car, 2. Blue, 3. green. Betting closes in 2 minutes.',
				to: 'public'
			}
		])
		expect(s.predictions.current(T0)?.closesAt).toBe(new Date(T0 + 90_000).toISOString())
		expect(predict('open Again? | a | b')).toEqual([
			{ text: '@Mod, a prediction is already running: Who wins the race? Resolve or cancel it first.', to: 'viewer' }
		])
		bet('alice', 'red car 300')
		bet('bob', '2 100')
		bet('carol', 'red car 100')
		expect(predict('lock')).toEqual([{ text: 'Betting is closed: Who wins the race? Pools: red car 400, Blue 100, green 0.', to: 'public' }])
		expect(predict('lock')).toEqual([{ text: 'Betting is closed: Who wins the race? Pools: red car 400, Blue 100, green 0.', to: 'viewer' }])
		expect(predict('resolve purple')).toEqual([
			{ text: '@Mod, that is not an outcome of this prediction: 1. red car, 2. Blue, 3. green.', to: 'viewer' }
		])
		expect(predict('resolve RED CAR')).toEqual([
			{ text: 'Who wins the race? The answer is red car! 2 won 500 points between them.', to: 'public' }
		])
		expect([balance(s.db, 'alice'), balance(s.db, 'bob'), balance(s.db, 'carol')]).toEqual([575, 400, 525])

		// Without a window; nobody on the answer; cancel.
		expect(predict('open Rain? | yes | no')).toEqual([
			{ text: 'Prediction: Rain? Bet with !bet <outcome> <points>: 1. yes, 2. no.', to: 'public' }
		])
		bet('alice', 'yes 10')
		expect(predict('resolve 2')).toEqual([
			{ text: 'Rain? The answer is no. Nobody bet on it, so every bet was refunded.', to: 'public' }
		])
		predict('open Snow? | yes | no')
		bet('alice', 'no 10')
		expect(predict('cancel')).toEqual([{ text: 'The prediction "Snow?" was cancelled; every bet was refunded.', to: 'public' }])
		expect(balance(s.db, 'alice')).toBe(575)
		expect(s.audit.entries().map((e) => e.actor)).toContain('Mod (mod)')
	})

	test('!predict with bad arguments leaves the usage to the caller; a broken rule is named', () => {
		const s = setup()
		const { predict } = chat(s)
		for (const args of [
			'',
			'start Who? | a | b',
			'open',
			'open Who wins?',
			'open Who wins? | a',
			'open | a | b',
			'open Who? | a | ',
			'resolve',
			'lock now',
			'cancel it'
		]) {
			expect(predict(args)).toBeUndefined()
		}
		// A well-formed opening that breaks a rule says which, to the moderator only.
		expect(predict('open 0 Who? | a | b')).toEqual([{ text: '@Mod, no prediction was opened: the betting window must be 1 to 86400 seconds.', to: 'viewer' }])
		expect(predict('open 86401 Who? | a | b')?.[0]?.text).toBe('@Mod, no prediction was opened: the betting window must be 1 to 86400 seconds.')
		expect(predict('open Who? | a | A')?.[0]?.text).toBe('@Mod, no prediction was opened: the outcomes must all be different.')
		expect(predict(`open Who? | ${Array.from({ length: 11 }, (_, i) => `o${i}`).join(' | ')}`)?.[0]?.text).toBe(
			'@Mod, no prediction was opened: a prediction needs 2 to 10 outcomes.'
		)
		expect(s.predictions.current(T0)).toBeUndefined()
		// A number alone before the | is the question, not a window.
		expect(predict('open 42 | a | b')?.[0]?.text).toStartWith('Prediction: 42 Bet')
	})

	test('!bet replies', () => {
		const s = setup({ alice: 100, bob: 100 })
		const { predict, bet } = chat(s)
		expect(bet('alice', 'yes 10')).toEqual([{ text: '@ALICE, there is no prediction to bet on right now.', to: 'viewer' }])
		predict('open 60 Will it rain? | Yes | No way')
		expect(bet('alice', 'yes 10')).toEqual([{ text: '@ALICE, you bet 10 points on Yes (your bet: 10 points). 90 points left.', to: 'viewer' }])
		expect(bet('alice', '1 1')).toEqual([{ text: '@ALICE, you bet 1 point on Yes (your bet: 11 points). 89 points left.', to: 'viewer' }])
		expect(bet('alice', 'no way 5')).toEqual([{ text: '@ALICE, you already bet on Yes; one outcome per viewer.', to: 'viewer' }])
		expect(bet('bob', 'maybe 5')).toEqual([
			{ text: '@BOB, that is not an outcome of this prediction: 1. Yes, 2. No way.', to: 'viewer' }
		])
		expect(bet('bob', 'No Way 101')).toEqual([{ text: '@BOB, you have 100 points, not enough to bet 101 points.', to: 'viewer' }])
		const usage = [{ text: '@BOB, bet like this: !bet <outcome or number> <points>, e.g. !bet 1 100.', to: 'viewer' as const }]
		for (const args of ['', 'yes', '100', 'yes 0', 'yes -5', 'yes 1.5', 'yes ten', 'yes ²']) expect(bet('bob', args)).toEqual(usage)
		expect(bet('bob', 'no way 100')).toMatchObject([{ text: '@BOB, you bet 100 points on No way (your bet: 100 points). 0 points left.' }])
		expect(bet('bob', '2 1', T0 + 60_000)).toEqual([{ text: '@BOB, betting on this prediction is closed.', to: 'viewer' }])
		expect(ledgerInvariantViolations(s.db)).toEqual([])
	})
})

/** Lines of a child's stdout, one at a time. */
function lines(stream: ReadableStream<Uint8Array>) {
	const reader = stream.getReader()
	const decoder = new TextDecoder()
	let buffer = ''
	return {
		async next(): Promise<string> {
			for (;;) {
				const end = buffer.indexOf('\n')
				if (end >= 0) {
					const line = buffer.slice(0, end)
					buffer = buffer.slice(end + 1)
					return line
				}
				const { value, done } = await reader.read()
				if (done) throw new Error(`the child ended before a line (had: ${JSON.stringify(buffer)})`)
				buffer += decoder.decode(value, { stream: true })
			}
		}
	}
}
