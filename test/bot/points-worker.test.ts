// The points cycle's heavy half on a worker thread (src/points-worker.ts through src/points-offload.ts): the same
// award, on the worker's own connection; events it records wake this thread's listeners; a locked database is
// SQLITE_BUSY for the timer to retry.
import { afterEach, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { createAwardOffload } from '../../src/points-offload.ts'
import { runPointsCycle } from '../../src/modules/points/cycle.ts'
import { cycleDepsOf } from '../../src/scheduler.ts'
import { isBusy } from '../../src/db/database.ts'
import { ledgerInvariantViolations } from '../helpers.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'

let bot: TestBot | undefined
let stop: (() => void) | undefined
afterEach(() => {
	stop?.()
	bot?.close()
	bot = undefined
})

test('a cycle through the worker awards like the main thread, with the earning rules, and wakes the event listeners', async () => {
	bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '5', TLAPBOT_POINTS_AMOUNT_GIVEN: '7' } })
	const b = bot
	b.reconfigure({ active_chatter_bonus: 2 })
	b.fake.clients = [{ user: { id: 'ann', displayName: 'Ann' } }, { user: { id: 'ben', displayName: 'Ben' } }]
	await b.chat({ id: 'ann', displayName: 'Ann' }, 'hi')
	const offload = createAwardOffload(b.deps)
	stop = offload.stop
	let woken = 0
	const off = b.deps.onEvents(() => woken++)
	const outcome = await runPointsCycle({ ...cycleDepsOf(b.deps), fetchAndAward: offload.fetchAndAward })
	off()
	expect(outcome).toEqual({ kind: 'awarded', viewers: 2, newViewers: 1 })
	expect(b.balance('ann')).toBe(5 + 7 + 2)
	expect(b.balance('ben')).toBe(5 + 7)
	expect(woken).toBeGreaterThan(0)
	expect(b.db.query<{ name: string }, []>("SELECT name FROM events WHERE name = 'points.awarded'").all()).toHaveLength(1)
	expect(ledgerInvariantViolations(b.db)).toEqual([])
	// A second cycle right away is "too soon", decided on the worker's connection too.
	expect(await runPointsCycle({ ...cycleDepsOf(b.deps), fetchAndAward: offload.fetchAndAward })).toEqual({ kind: 'too_soon' })
})

test('while another connection holds the write lock the worker reports SQLITE_BUSY and nothing is awarded', async () => {
	bot = await createTestBot()
	const b = bot
	b.fake.clients = [{ user: { id: 'ann', displayName: 'Ann' } }]
	const offload = createAwardOffload(b.deps)
	stop = offload.stop
	const other = new Database(b.deps.settings().config.databasePath)
	other.run('BEGIN IMMEDIATE')
	try {
		const error = await runPointsCycle({ ...cycleDepsOf(b.deps), fetchAndAward: offload.fetchAndAward }).catch((e: unknown) => e)
		expect(isBusy(error)).toBe(true)
	} finally {
		other.run('ROLLBACK')
		other.close()
	}
	expect(b.balance('ann')).toBeUndefined()
	expect((await runPointsCycle({ ...cycleDepsOf(b.deps), fetchAndAward: offload.fetchAndAward })).kind).toBe('awarded')
})

test('an Owncast that refuses the token: the cycle is skipped with the reason', async () => {
	bot = await createTestBot()
	const b = bot
	const offload = createAwardOffload(b.deps)
	stop = offload.stop
	b.fake.mode = 'unauthorized'
	const deps = { ...cycleDepsOf(b.deps), fetchAndAward: offload.fetchAndAward }
	// status() is asked on this thread first; with it refused, the worker is never asked.
	expect((await runPointsCycle(deps)).kind).toBe('failed')
})

test('a client list that turns out bad half-way: nothing is awarded, and the users read before it never reach a later award', async () => {
	bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '5', TLAPBOT_POINTS_AMOUNT_GIVEN: '7' } })
	const b = bot
	const offload = createAwardOffload(b.deps)
	stop = offload.stop
	const deps = { ...cycleDepsOf(b.deps), fetchAndAward: offload.fetchAndAward }
	// The worker puts ann and ben into the award's list as they arrive; the third connection is not valid.
	b.fake.clients = [{ user: { id: 'ann', displayName: 'Ann' } }, { user: { id: 'ben', displayName: 'Ben' } }, { user: { id: 5 } } as never]
	const failed = await runPointsCycle(deps)
	expect(failed).toEqual({ kind: 'failed', message: expect.stringContaining('a client without a valid user') })
	expect(b.balance('ann')).toBeUndefined()
	expect(b.db.query('SELECT count(*) AS n FROM award_cycles').get()).toEqual({ n: 0 })
	b.fake.clients = [{ user: { id: 'carl', displayName: 'Carl' } }]
	expect(await runPointsCycle(deps)).toEqual({ kind: 'awarded', viewers: 1, newViewers: 1 })
	expect(b.balance('carl')).toBe(5 + 7)
	expect(b.balance('ann')).toBeUndefined()
	expect(b.balance('ben')).toBeUndefined()
	expect(ledgerInvariantViolations(b.db)).toEqual([])
})
