// The points cycle against the fake Owncast, with a real on-disk database.
import { test, expect, describe, beforeEach, afterEach } from 'bun:test'
import type { Database } from 'bun:sqlite'
import { Elysia } from 'elysia'
import { openDatabase } from '../../src/db/database.ts'
import { createBot } from '../../src/bot.ts'
import { createLogger } from '../../src/log.ts'
import type { OwncastClient, OwncastResult } from '../../src/modules/owncast/client.ts'
import { runPointsCycle } from '../../src/modules/points/cycle.ts'
import { cycleDepsOf as cycleDeps, startPointsTimer } from '../../src/scheduler.ts'
import { ledgerInvariantViolations, waitFor } from '../helpers.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'
import { startFakeOwncast, type FakeClient, type FakeOwncast } from '../support/fake-owncast.ts'

const AMOUNT = 7
const STARTING = 15
const CYCLE_SECONDS = 600
const MIN_GAP_MS = CYCLE_SECONDS * 1000 * 0.9

const ENV = {
	TLAPBOT_POINTS_AMOUNT_GIVEN: String(AMOUNT),
	TLAPBOT_STARTING_POINTS: String(STARTING),
	TLAPBOT_POINTS_CYCLE_TIME: String(CYCLE_SECONDS)
}

const user = (id: string, displayName = id.toUpperCase(), extra: Partial<FakeClient['user']> = {}): FakeClient => ({
	user: { id, displayName, ...extra }
})

type LedgerRow = { viewer_id: string; delta: number; reason: string; created_at: string }
/** Every viewer's ledger: its rows and the cycle payments (award_cycles + award_members), as ledger_entries shows them. */
const ledger = (db: Database) =>
	db.query<LedgerRow, []>('SELECT viewer_id, delta, reason, created_at FROM ledger_entries ORDER BY created_at, ledger_id, cycle_id, viewer_id').all()
const viewerIds = (db: Database) => db.query<{ id: string }, []>('SELECT id FROM viewers ORDER BY id').all().map((r) => r.id)
const lastAward = (db: Database) =>
	db.query<{ value: string }, []>("SELECT value FROM bot_state WHERE key = 'last_points_award_at'").get()?.value
const clientsCalls = (fake: FakeOwncast) => fake.requests.filter((r) => r.path === '/api/integrations/clients').length

let fake: FakeOwncast
let bot: TestBot
const cleanups: (() => void)[] = []

beforeEach(async () => {
	fake = startFakeOwncast()
	bot = await createTestBot({ fake, env: ENV })
})

afterEach(() => {
	for (const cleanup of cleanups.splice(0).reverse()) cleanup()
	bot.close()
	fake.stop()
})

/** Log lines written from now on. */
function logsFrom(b: TestBot = bot): () => string[] {
	const start = b.logs.length
	return () => b.logs.slice(start)
}

/** Asserts that the database shows no award at all: no viewers, no ledger, no award time. */
function expectNothingAwarded(db: Database) {
	expect(viewerIds(db)).toEqual([])
	expect(ledger(db)).toEqual([])
	expect(lastAward(db)).toBeUndefined()
}

describe('runPointsCycle: live stream', () => {
	test('awards each distinct viewer once; tabs count once and bots get nothing', async () => {
		// u2 chatted before and already has a viewer row with starting points.
		bot.deps.stores.viewers.touch({ id: 'u2', displayName: 'Daisy' }, Date.now() - 60_000)
		fake.clients = [
			user('u1', 'PixelPanda'),
			user('u1', 'PixelPanda'),
			user('u2', 'Daisy'),
			user('u1', 'PixelPanda'),
			user('bot1', 'HelperBot', { isBot: true }),
			user('u3', 'laughing-cray'),
			user('u2', 'Daisy')
		]
		const now = Date.now()
		const outcome = await runPointsCycle(cycleDeps(bot.deps), () => now)
		expect(outcome).toEqual({ kind: 'awarded', viewers: 3, newViewers: 2 })

		expect(bot.balance('u1')).toBe(STARTING + AMOUNT)
		expect(bot.balance('u3')).toBe(STARTING + AMOUNT)
		expect(bot.balance('u2')).toBe(STARTING + AMOUNT)
		expect(bot.balance('bot1')).toBeUndefined()
		expect(viewerIds(bot.db)).toEqual(['u1', 'u2', 'u3'])

		const at = new Date(now).toISOString()
		const rows = ledger(bot.db)
		const cycleRows = rows.filter((r) => r.reason === 'cycle')
		expect(cycleRows.map((r) => r.viewer_id).sort()).toEqual(['u1', 'u2', 'u3'])
		expect(cycleRows.every((r) => r.delta === AMOUNT && r.created_at === at)).toBe(true)
		const startingRows = rows.filter((r) => r.reason === 'starting')
		expect(startingRows.map((r) => r.viewer_id).sort()).toEqual(['u1', 'u2', 'u3'])
		expect(startingRows.every((r) => r.delta === STARTING)).toBe(true)
		expect(rows.length).toBe(6)
		expect(ledgerInvariantViolations(bot.db)).toEqual([])

		expect(lastAward(bot.db)).toBe(String(now))
		expect(bot.deps.stores.streams.state('stream_live')).toBe('1')
		expect(clientsCalls(fake)).toBe(1)
	})

	test('a viewer the database marks as a bot earns nothing', async () => {
		bot.deps.stores.viewers.touch({ id: 'oldbot', displayName: 'OldBot' }, Date.now())
		bot.db.run("UPDATE viewers SET is_bot = 1 WHERE id = 'oldbot'")
		fake.clients = [user('oldbot', 'OldBot'), user('u1')]
		const outcome = await runPointsCycle(cycleDeps(bot.deps))
		expect(outcome).toEqual({ kind: 'awarded', viewers: 1, newViewers: 1 })
		expect(bot.balance('oldbot')).toBe(STARTING)
		expect(bot.balance('u1')).toBe(STARTING + AMOUNT)
		expect(ledgerInvariantViolations(bot.db)).toEqual([])
	})

	test('nobody in chat: an award with no viewers, still recorded as the last award', async () => {
		fake.clients = []
		const now = Date.now()
		expect(await runPointsCycle(cycleDeps(bot.deps), () => now)).toEqual({ kind: 'awarded', viewers: 0, newViewers: 0 })
		expect(ledger(bot.db)).toEqual([])
		expect(lastAward(bot.db)).toBe(String(now))
	})

	test('names from the client list update display names', async () => {
		bot.deps.stores.viewers.touch({ id: 'u1', displayName: 'sleepy-otter' }, Date.now())
		fake.clients = [user('u1', 'PixelPanda')]
		await runPointsCycle(cycleDeps(bot.deps))
		expect(bot.deps.stores.viewers.viewer('u1')?.displayName).toBe('PixelPanda')
		expect(bot.balance('u1')).toBe(STARTING + AMOUNT)
	})

	test('100 viewers are awarded in one go', async () => {
		const ids = Array.from({ length: 100 }, (_, i) => `viewer-${String(i).padStart(3, '0')}`)
		// Every viewer with two tabs, plus a few bots.
		fake.clients = [
			...ids.map((id) => user(id)),
			...ids.map((id) => user(id)),
			user('b1', 'B1', { isBot: true }),
			user('b2', 'B2', { isBot: true })
		]
		const now = Date.now()
		const outcome = await runPointsCycle(cycleDeps(bot.deps), () => now)
		expect(outcome).toEqual({ kind: 'awarded', viewers: 100, newViewers: 100 })
		expect(viewerIds(bot.db)).toEqual(ids)
		const rows = ledger(bot.db)
		expect(rows.filter((r) => r.reason === 'cycle').length).toBe(100)
		expect(rows.filter((r) => r.reason === 'starting').length).toBe(100)
		expect(new Set(rows.map((r) => r.created_at))).toEqual(new Set([new Date(now).toISOString()]))
		for (const id of ids) expect(bot.balance(id)).toBe(STARTING + AMOUNT)
		expect(ledgerInvariantViolations(bot.db)).toEqual([])
		expect(clientsCalls(fake)).toBe(1)
	})

	test('the award is one transaction: a failure half-way leaves nothing behind', async () => {
		bot.deps.stores.viewers.touch({ id: 'u1', displayName: 'One' }, Date.now())
		const before = { balance: bot.balance('u1'), ledger: ledger(bot.db) }
		// A temporary trigger on this connection makes the cycle payment of one viewer fail,
		// after the new viewers and their starting rows have been written.
		bot.db.run(`CREATE TEMP TRIGGER fail_award BEFORE INSERT ON main.award_members
			WHEN NEW.viewer_id = 'boom'
			BEGIN SELECT RAISE(ABORT, 'simulated failure'); END`)
		fake.clients = [user('u1'), user('new1'), user('boom')]
		await expect(runPointsCycle(cycleDeps(bot.deps))).rejects.toThrow('simulated failure')
		expect(viewerIds(bot.db)).toEqual(['u1'])
		expect(bot.balance('u1')).toBe(before.balance as number)
		expect(ledger(bot.db)).toEqual(before.ledger)
		expect(lastAward(bot.db)).toBeUndefined()

		// Once the cause is gone, the next run awards normally (the failed run was not counted as an award).
		bot.db.run('DROP TRIGGER temp.fail_award')
		expect((await runPointsCycle(cycleDeps(bot.deps))).kind).toBe('awarded')
		expect(bot.balance('boom')).toBe(STARTING + AMOUNT)
		expect(ledgerInvariantViolations(bot.db)).toEqual([])
	})
})

describe('runPointsCycle: offline and failures', () => {
	test('offline: nothing is awarded and the client list is never asked for', async () => {
		fake.online = false
		fake.clients = [user('u1'), user('u2')]
		const outcome = await runPointsCycle(cycleDeps(bot.deps))
		expect(outcome).toEqual({ kind: 'offline' })
		expectNothingAwarded(bot.db)
		expect(clientsCalls(fake)).toBe(0)
		expect(fake.requests.filter((r) => r.path === '/api/status').length).toBe(1)
		expect(bot.deps.stores.streams.state('stream_live')).toBe('0')
	})

	test('401: one log line naming the missing scope, nothing awarded', async () => {
		fake.mode = 'unauthorized'
		fake.clients = [user('u1')]
		const logs = logsFrom()
		const outcome = await runPointsCycle(cycleDeps(bot.deps))
		expect(outcome.kind).toBe('failed')
		expectNothingAwarded(bot.db)
		const lines = logs()
		const scopeLines = lines.filter((l) => l.includes('perform administrative actions'))
		expect(scopeLines.length).toBe(1)
		// Nothing else about this failure: one clear line.
		expect(lines.filter((l) => / (WARN|ERROR) /.test(l)).length).toBe(1)
	})

	test('401 then a fixed token: the next run awards (a refused run is not an award)', async () => {
		fake.mode = 'unauthorized'
		fake.clients = [user('u1')]
		await runPointsCycle(cycleDeps(bot.deps))
		fake.mode = 'ok'
		expect(await runPointsCycle(cycleDeps(bot.deps))).toEqual({ kind: 'awarded', viewers: 1, newViewers: 1 })
	})

	test('unreachable Owncast: the log names the cause, nothing awarded', async () => {
		fake.clients = [user('u1')]
		fake.stop()
		const logs = logsFrom()
		const outcome = await runPointsCycle(cycleDeps(bot.deps))
		expect(outcome.kind).toBe('failed')
		expectNothingAwarded(bot.db)
		const lines = logs()
		expect(lines.length).toBe(1)
		expect(lines[0]).toContain('cannot reach Owncast')
		expect(lines[0]).toContain(fake.url)
		expect(lines[0]).toContain('owncast_url')
	})

	test('500: nothing awarded, one log line with the status', async () => {
		fake.mode = 'server_error'
		fake.clients = [user('u1')]
		const logs = logsFrom()
		expect((await runPointsCycle(cycleDeps(bot.deps))).kind).toBe('failed')
		expectNothingAwarded(bot.db)
		expect(logs().length).toBe(1)
		expect(logs()[0]).toContain('500')
	})

	test('garbage instead of JSON: nothing awarded, one log line saying so', async () => {
		fake.mode = 'garbage'
		fake.clients = [user('u1')]
		const logs = logsFrom()
		expect((await runPointsCycle(cycleDeps(bot.deps))).kind).toBe('failed')
		expectNothingAwarded(bot.db)
		expect(logs().length).toBe(1)
		expect(logs()[0]).toContain('not JSON')
	})

	test('live, but the client list fails: nothing awarded', async () => {
		// Status answers normally; only the client list breaks.
		const server = Bun.serve({
			hostname: '127.0.0.1',
			port: 0,
			fetch: (request) =>
				new URL(request.url).pathname === '/api/status'
					? Response.json({ online: true })
					: new Response('{"truncated": [', { status: 200 })
		})
		cleanups.push(() => server.stop(true))
		const log = createLogger('debug', (_l, line) => bot.logs.push(line))
		const deps = createBot({
			config: { ...bot.deps.settings().config, owncast_url: `http://127.0.0.1:${server.port}` },
			redeems: bot.deps.settings().redeems,
			db: bot.db,
			log
		})
		const outcome = await runPointsCycle(cycleDeps(deps))
		expect(outcome.kind).toBe('failed')
		expectNothingAwarded(bot.db)
	})
})

describe('runPointsCycle: never twice within 0.9 × points_cycle_time', () => {
	test('a second run too soon is skipped; at 0.9 × cycle and after the interval it awards again', async () => {
		fake.clients = [user('u1')]
		const t0 = Date.now()
		expect((await runPointsCycle(cycleDeps(bot.deps), () => t0)).kind).toBe('awarded')
		expect(bot.balance('u1')).toBe(STARTING + AMOUNT)

		fake.clients = [user('u1'), user('u2')]
		const logs = logsFrom()
		expect(await runPointsCycle(cycleDeps(bot.deps), () => t0 + 1000)).toEqual({ kind: 'too_soon' })
		expect(await runPointsCycle(cycleDeps(bot.deps), () => t0 + MIN_GAP_MS - 1)).toEqual({ kind: 'too_soon' })
		expect(bot.balance('u1')).toBe(STARTING + AMOUNT)
		expect(bot.balance('u2')).toBeUndefined()
		expect(lastAward(bot.db)).toBe(String(t0))
		expect(logs().some((l) => l.includes('less than a cycle ago'))).toBe(true)

		expect((await runPointsCycle(cycleDeps(bot.deps), () => t0 + MIN_GAP_MS)).kind).toBe('awarded')
		expect(bot.balance('u1')).toBe(STARTING + 2 * AMOUNT)
		expect(bot.balance('u2')).toBe(STARTING + AMOUNT)

		const t2 = t0 + MIN_GAP_MS + CYCLE_SECONDS * 1000
		expect((await runPointsCycle(cycleDeps(bot.deps), () => t2)).kind).toBe('awarded')
		expect(bot.balance('u1')).toBe(STARTING + 3 * AMOUNT)
		expect(bot.balance('u2')).toBe(STARTING + 2 * AMOUNT)
		expect(lastAward(bot.db)).toBe(String(t2))
		expect(ledger(bot.db).filter((r) => r.reason === 'cycle').length).toBe(5)
		expect(ledgerInvariantViolations(bot.db)).toEqual([])
	})

	test('two processes (two connections on one database file) award once', async () => {
		const db2 = openDatabase(bot.deps.settings().config.databasePath)
		cleanups.push(() => db2.close())
		const logs2: string[] = []
		const deps2 = createBot({
			config: bot.deps.settings().config,
			redeems: bot.deps.settings().redeems,
			db: db2,
			log: createLogger('debug', (_l, line) => logs2.push(line))
		})
		fake.clients = [user('u1'), user('u2')]
		const t0 = Date.now()

		// One after the other.
		expect((await runPointsCycle(cycleDeps(bot.deps), () => t0)).kind).toBe('awarded')
		expect(await runPointsCycle(cycleDeps(deps2), () => t0 + 5000)).toEqual({ kind: 'too_soon' })
		expect(bot.balance('u1')).toBe(STARTING + AMOUNT)
		expect(deps2.stores.viewers.balance('u1')).toBe(STARTING + AMOUNT)

		// At the same moment, a full cycle later: exactly one of the two awards.
		const t1 = t0 + CYCLE_SECONDS * 1000
		const outcomes = await Promise.all([
			runPointsCycle(cycleDeps(deps2), () => t1),
			runPointsCycle(cycleDeps(bot.deps), () => t1 + 1)
		])
		expect(outcomes.map((o) => o.kind).sort()).toEqual(['awarded', 'too_soon'])
		expect(bot.balance('u1')).toBe(STARTING + 2 * AMOUNT)
		expect(bot.balance('u2')).toBe(STARTING + 2 * AMOUNT)
		expect(ledger(bot.db).filter((r) => r.reason === 'cycle').length).toBe(4)
		expect(ledgerInvariantViolations(bot.db)).toEqual([])
		expect(ledgerInvariantViolations(db2)).toEqual([])
	})

	test('the process that read the clock first but got the database lock second does not award again', async () => {
		// Two processes tick at the same moment. Each reads the clock, then waits for the write lock:
		// process B read t0, process A read t0 + 5 ms and committed first. B must see A's award as too soon.
		const db2 = openDatabase(bot.deps.settings().config.databasePath)
		cleanups.push(() => db2.close())
		const deps2 = createBot({ config: bot.deps.settings().config, redeems: bot.deps.settings().redeems, db: db2, log: bot.deps.log })
		fake.clients = [user('u1')]
		const t0 = Date.now()
		expect((await runPointsCycle(cycleDeps(bot.deps), () => t0 + 5)).kind).toBe('awarded')
		expect(await runPointsCycle(cycleDeps(deps2), () => t0)).toEqual({ kind: 'too_soon' })
		expect(bot.balance('u1')).toBe(STARTING + AMOUNT)
		expect(ledger(bot.db).filter((r) => r.reason === 'cycle').length).toBe(1)
	})
})

describe('passive mode', () => {
	test('still awards points (TLAPBOT_PASSIVE=true)', async () => {
		const passiveFake = startFakeOwncast({ clients: [user('u1'), user('u2')] })
		const passive = await createTestBot({ fake: passiveFake, env: { ...ENV, TLAPBOT_PASSIVE: 'true' } })
		cleanups.push(() => {
			passive.close()
			passiveFake.stop()
		})
		expect(passive.deps.settings().config.passive).toBe(true)
		expect(await runPointsCycle(cycleDeps(passive.deps))).toEqual({ kind: 'awarded', viewers: 2, newViewers: 2 })
		expect(passive.balance('u1')).toBe(STARTING + AMOUNT)
		expect(passive.balance('u2')).toBe(STARTING + AMOUNT)
		expect(ledgerInvariantViolations(passive.db)).toEqual([])
		// Passive: the award sends nothing to chat.
		await passive.deps.runtime.chat.idle()
		expect(passiveFake.messages).toEqual([])
	})
})

describe('startPointsTimer', () => {
	type Timer = { stop(): void }
	const timerOf = (app: Elysia) => (app.store as { cron?: Record<string, Timer> }).cron?.points

	test('the timer awards in passive mode too, and stops when told', async () => {
		const passiveFake = startFakeOwncast({ clients: [user('u1')] })
		const passive = await createTestBot({
			fake: passiveFake,
			env: { ...ENV, TLAPBOT_PASSIVE: 'true', TLAPBOT_POINTS_CYCLE_TIME: '1' }
		})
		const app = new Elysia()
		startPointsTimer(app, passive.deps)
		cleanups.push(() => {
			timerOf(app)?.stop()
			passive.close()
			passiveFake.stop()
		})
		await waitFor(() => passive.balance('u1'), { timeoutMs: 3000, what: 'the first timed award' })
		timerOf(app)?.stop()
		expect(passive.balance('u1')).toBe(STARTING + AMOUNT)
	}, 15_000)

	test('runs never overlap, and a failing run does not stop the timer', async () => {
		let inFlight = 0
		let maxInFlight = 0
		let calls = 0
		const slowClient: Pick<OwncastClient, 'status' | 'chatUsers'> = {
			async status(): Promise<OwncastResult<{ online: boolean }>> {
				calls++
				inFlight++
				maxInFlight = Math.max(maxInFlight, inFlight)
				await Bun.sleep(1300)
				inFlight--
				// Every other run throws, as an unexpected bug would.
				if (calls % 2 === 1) throw new Error('unexpected bug in a run')
				return { ok: true, value: { online: false } }
			},
			async chatUsers() {
				return { ok: true, value: [] }
			}
		}
		const logs: string[] = []
		const log = createLogger('debug', (_l, line) => logs.push(line))
		const settings = { ...bot.deps.settings(), config: { ...bot.deps.settings().config, points_cycle_time: 1 } }
		const deps = { ...bot.deps, runtime: { ...bot.deps.runtime, owncast: slowClient as OwncastClient }, log, settings: () => settings }
		const app = new Elysia()
		startPointsTimer(app, deps)
		cleanups.push(() => timerOf(app)?.stop())
		await waitFor(() => (calls >= 2 && inFlight === 0 ? true : undefined), { timeoutMs: 6000, what: 'two runs' })
		timerOf(app)?.stop()
		expect(maxInFlight).toBe(1)
		expect(logs.some((l) => l.includes('points cycle failed') && l.includes('unexpected bug in a run'))).toBe(true)
	}, 15_000)
})
