// Crash safety with the real `serve` process: SIGKILL in the middle of a points award (100,000 viewers) or of a
// burst of redeems must leave a consistent database (every balance is its ledger sum, nothing half-applied),
// and the next `serve` on the same instance must come up (SQLite's WAL recovery).
import { test, expect, describe, afterEach, afterAll } from 'bun:test'
import { Database } from 'bun:sqlite'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ledgerInvariantViolations, redeemsToml, waitFor, writeInstance } from '../helpers.ts'
import { killAllServes, SERVE_TIMEOUT_MS, startServe, type ServeProcess } from '../support/serve.ts'
import { startFakeOwncast, type FakeClient, type FakeOwncast } from '../support/fake-owncast.ts'
import { chatEvent, type TestUser } from '../support/payloads.ts'
import { heldJournalPath } from '../../src/modules/bot/held-journal.ts'

const STARTING_POINTS = 100_000
const CYCLE_AMOUNT = 10 // points_amount_given default
const HYDRATE_PRICE = 60
const DONATION = 3

/** Per-test limit: a 100,000-viewer award, a crash and a restart, each waited for with SERVE_TIMEOUT_MS. */
const TEST_TIMEOUT_MS = 120_000
const WAIT = { timeoutMs: SERVE_TIMEOUT_MS }

const fakes: FakeOwncast[] = []
const dirs: string[] = []
const databases: Database[] = []

async function cleanup() {
	for (const db of databases.splice(0)) db.close()
	await killAllServes()
	for (const fake of fakes.splice(0)) fake.stop()
	for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}
afterEach(cleanup)
afterAll(cleanup)

function fakeOwncast(clients: FakeClient[]): FakeOwncast {
	const fake = startFakeOwncast({ clients })
	fakes.push(fake)
	return fake
}

function tempDir(): string {
	const dir = mkdtempSync(join(tmpdir(), 'tlapbot-crash-'))
	dirs.push(dir)
	return dir
}

/** A new instance folder with the redeems these tests count on. */
function newInstance(): string {
	return writeInstance(join(tempDir(), 'instance'), {
		redeems: redeemsToml({
			hydrate: { type: 'list', price: HYDRATE_PRICE },
			lurk: { type: 'counter', price: 1 },
			go_nap: { type: 'milestone', goal: 1000 }
		})
	})
}

/** `tlapbot serve` on a free port, with a 1 s points cycle; resolves once it prints its address. */
function serve(fake: FakeOwncast, instanceDir: string): Promise<ServeProcess> {
	return startServe({
		cwd: dirname(instanceDir),
		args: ['--instance', instanceDir],
		env: {
			TLAPBOT_OWNCAST_URL: fake.url,
			TLAPBOT_OWNCAST_ACCESS_TOKEN: fake.token,
			TLAPBOT_POINTS_CYCLE_TIME: '1',
			TLAPBOT_COMMAND_RATE_LIMIT: '0',
			TLAPBOT_STARTING_POINTS: String(STARTING_POINTS)
		}
	})
}

/** A crash: SIGKILL, then the exit and the end of the output. */
async function kill9(served: ServeProcess): Promise<void> {
	await served.kill9()
	expect(served.signalCode).toBe('SIGKILL')
}

/** Stops a serve process the normal way and checks it exits cleanly. */
async function stop(served: ServeProcess): Promise<void> {
	expect(await served.stop(), served.stderr()).toBe(0)
}

async function healthy(base: string): Promise<boolean> {
	const response = await fetch(`${base}/healthz`)
	const body = (await response.json()) as { status?: string; database?: string }
	return response.status === 200 && body.status === 'ok' && body.database === 'ok'
}

/**
 * A copy of the database exactly as the killed process left it (main file and WAL; the shared-memory index is
 * rebuilt), opened read-write so SQLite recovers it. The instance itself stays untouched for the restart.
 */
function openCrashCopy(instanceDir: string): Database {
	const copyDir = join(tempDir(), 'copy')
	mkdirSync(copyDir)
	copyFileSync(join(instanceDir, 'tlapbot.sqlite'), join(copyDir, 'tlapbot.sqlite'))
	const wal = join(instanceDir, 'tlapbot.sqlite-wal')
	if (existsSync(wal)) copyFileSync(wal, join(copyDir, 'tlapbot.sqlite-wal'))
	return open(join(copyDir, 'tlapbot.sqlite'))
}

function open(path: string): Database {
	const db = new Database(path, { strict: true })
	databases.push(db)
	return db
}

function close(db: Database): void {
	databases.splice(databases.indexOf(db), 1)
	db.close()
}

type Summary = {
	viewers: number
	ledgerRows: number
	/** Rows of each points award, keyed by its timestamp, oldest first. */
	awards: { at: string; rows: number }[]
	redemptions: number
	lurkCount: number
	napProgress: number
}

/** The invariants that must hold after any crash, and a summary of what the database holds. */
function checkConsistent(db: Database): Summary {
	const one = <T>(sql: string) => db.query<T, []>(sql).get() as T
	expect(one<{ integrity_check: string }>('PRAGMA integrity_check').integrity_check).toBe('ok')
	expect(db.query('PRAGMA foreign_key_check').all()).toEqual([])
	// Every balance is the sum of its ledger rows.
	expect(ledgerInvariantViolations(db)).toEqual([])
	// Every redemption has exactly one ledger row, charging its cost; no charge for a list redeem lacks its redemption.
	expect(
		one<{ n: number }>(
			`SELECT count(*) AS n FROM redemptions r
			WHERE (SELECT count(*) FROM ledger l WHERE l.redemption_id = r.id) != 1
				OR NOT EXISTS (SELECT 1 FROM ledger l WHERE l.redemption_id = r.id AND l.delta = -r.cost AND l.reason = 'redeem')`
		).n
	).toBe(0)
	const redemptions = one<{ n: number }>('SELECT count(*) AS n FROM redemptions').n
	expect(one<{ n: number }>("SELECT count(*) AS n FROM ledger WHERE reason = 'redeem' AND redeem = 'hydrate'").n).toBe(redemptions)
	// The counter is exactly its charges; the milestone's progress is exactly its donations.
	const lurkCount = one<{ count: number }>("SELECT count FROM counters WHERE name = 'lurk'").count
	expect(one<{ n: number }>("SELECT count(*) AS n FROM ledger WHERE reason = 'redeem' AND redeem = 'lurk'").n).toBe(lurkCount)
	const napProgress = one<{ progress: number }>("SELECT progress FROM milestones WHERE name = 'go_nap'").progress
	expect(one<{ s: number }>("SELECT coalesce(-sum(delta), 0) AS s FROM ledger WHERE reason = 'donation' AND redeem = 'go_nap'").s).toBe(napProgress)
	// Every viewer got their starting points exactly once.
	const viewers = one<{ n: number }>('SELECT count(*) AS n FROM viewers').n
	expect(one<{ n: number; s: number }>("SELECT count(DISTINCT viewer_id) AS n, coalesce(sum(delta), 0) AS s FROM ledger WHERE reason = 'starting'")).toEqual({
		n: viewers,
		s: viewers * STARTING_POINTS
	})
	const awards = db
		.query<{ at: string; rows: number }, []>("SELECT created_at AS at, count(*) AS rows FROM ledger_entries WHERE reason = 'cycle' GROUP BY created_at ORDER BY created_at")
		.all()
	// The last award recorded in bot_state is the last award in the ledger, written in the same transaction.
	const lastAward = db.query<{ value: string }, []>("SELECT value FROM bot_state WHERE key = 'last_points_award_at'").get()?.value
	const newest = awards[awards.length - 1]
	if (newest) expect(Number(lastAward)).toBe(Date.parse(newest.at))
	const ledgerRows = one<{ n: number }>('SELECT count(*) AS n FROM ledger_entries').n
	return { viewers, ledgerRows, awards, redemptions, lurkCount, napProgress }
}

const walStamp = (path: string) => {
	if (!existsSync(path)) return 'none'
	const s = statSync(path)
	return `${s.size}:${s.mtimeMs}`
}
const countLines = (text: string, needle: string) => text.split('\n').filter((line) => line.includes(needle)).length
const clientsCalls = (fake: FakeOwncast) => fake.requests.filter((r) => r.path === '/api/integrations/clients').length

// ------------------------------------------------------------------------------------------------ points cycle

const VIEWERS_IN_CHAT = 100_000
const manyClients: FakeClient[] = Array.from({ length: VIEWERS_IN_CHAT }, (_, i) => ({
	user: { id: `c${i.toString(36)}`, displayName: `Chatter ${i}` }
}))

describe('SIGKILL during a points award', () => {
	const trials = [
		{ award: 1, delayMs: 0, what: 'the first award, as soon as it writes' },
		{ award: 1, delayMs: 300, what: 'the first award, 300 ms into its writes' },
		{ award: 1, delayMs: 1000, what: 'the first award, 1 s into its writes (around its commit)' },
		{ award: 2, delayMs: 100, what: 'the second award, 100 ms into its writes' }
	]
	for (const trial of trials) {
		test(`kill during ${trial.what}: all or nothing, then serve recovers`, async () => {
			const fake = fakeOwncast(manyClients)
			const instanceDir = newInstance()
			const served = await serve(fake, instanceDir)
			const wal = join(instanceDir, 'tlapbot.sqlite-wal')

			// The award starts when Owncast has listed the chat users...
			await waitFor(() => (clientsCalls(fake) >= trial.award ? true : undefined), {
				...WAIT,
				intervalMs: 2,
				what: `clients request #${trial.award}`
			})
			// ...and its transaction is under way once SQLite writes to the WAL again: a 100,000-viewer award
			// spills its pages there long before it commits.
			const stamp = walStamp(wal)
			await waitFor(() => (walStamp(wal) !== stamp ? true : undefined), { ...WAIT, intervalMs: 1, what: 'the award to write' })
			if (trial.delayMs) await Bun.sleep(trial.delayMs)
			const walAtKill = walStamp(wal)
			// Awards run every second: by the time the kill lands (later on a loaded host), the next one may have
			// fetched its list, or even committed. Each award fetches the list first, so none beyond these can be there.
			const fetchedAtKill = clientsCalls(fake)
			await kill9(served)
			const logged = countLines(served.stdout(), 'points cycle: ')

			const crashed = openCrashCopy(instanceDir)
			const summary = checkConsistent(crashed)
			close(crashed)
			const committed = summary.awards.length
			console.log(
				`award ${trial.award} killed ${trial.delayMs} ms into its writes (WAL ${walAtKill.split(':')[0]} bytes, ${fetchedAtKill} client lists fetched): ${committed} awards committed, ${logged} logged`
			)
			// Every award is either wholly there or wholly absent (the rows checked below); the ones before the award
			// waited for are there, and none is there that had not fetched its list when the kill was sent.
			expect(committed).toBeGreaterThanOrEqual(trial.award - 1)
			expect(committed).toBeLessThanOrEqual(fetchedAtKill)
			expect(committed).toBeGreaterThanOrEqual(logged)
			// Killed the moment it started writing (spilling pages, long before its commit), it is rolled back.
			if (trial.delayMs === 0) expect(committed).toBe(trial.award - 1)
			// One row per viewer per committed award; every viewer exists once any award did.
			expect(summary.viewers).toBe(committed ? VIEWERS_IN_CHAT : 0)
			for (const award of summary.awards) expect(award.rows).toBe(VIEWERS_IN_CHAT)
			expect(summary.ledgerRows).toBe(summary.viewers * (1 + committed))

			// The same instance starts again: SQLite recovers the WAL the killed process left.
			fake.online = false
			const again = await serve(fake, instanceDir)
			expect(await waitFor(async () => ((await healthy(again.base)) ? true : undefined), { ...WAIT, what: 'healthz' })).toBe(true)
			await stop(again)
			const recovered = open(join(instanceDir, 'tlapbot.sqlite'))
			const after = checkConsistent(recovered)
			expect(after).toEqual(summary)
			close(recovered)
		}, TEST_TIMEOUT_MS)
	}
})

// ------------------------------------------------------------------------------------------------ redeem burst

const burstViewers: TestUser[] = Array.from({ length: 36 }, (_, i) => ({ id: `burst-${i}`, displayName: `Burst${i}` }))
const COMMANDS = ['!hydrate', '!lurk', `!go_nap ${DONATION}`] as const
type BurstCommand = (typeof COMMANDS)[number]
const BURST = 1000

describe('SIGKILL during a burst of redeems', () => {
	for (const killAfter of [40, 250, 480]) {
		test(`kill after ${killAfter} of ${BURST} concurrent redeems: nothing half-applied, then serve recovers`, async () => {
			// The viewers are also in chat, so a points award can run in the middle of the burst.
			const fake = fakeOwncast(burstViewers.map((user) => ({ user })))
			const instanceDir = newInstance()
			const served = await serve(fake, instanceDir)

			const sent: Record<BurstCommand, number> = { '!hydrate': 0, '!lurk': 0, [`!go_nap ${DONATION}`]: 0 } as Record<BurstCommand, number>
			const accepted: Record<BurstCommand, number> = { ...sent }
			const otherStatuses: number[] = []
			let answered = 0
			const requests = Array.from({ length: BURST }, (_, i) => {
				const user = burstViewers[i % burstViewers.length] as TestUser
				const command = COMMANDS[(i * 7 + Math.floor(i / burstViewers.length)) % COMMANDS.length] as BurstCommand
				sent[command]++
				return fetch(`${served.base}/owncastWebhook`, {
					method: 'POST',
					headers: { 'content-type': 'application/json', 'user-agent': 'Go-http-client/1.1' },
					body: JSON.stringify(chatEvent(user, command))
				}).then(
					async (response) => {
						await response.text()
						answered++
						if (response.status === 204) accepted[command]++
						else otherStatuses.push(response.status)
					},
					() => {} // cut off by the kill
				)
			})
			await waitFor(() => (answered >= killAfter ? true : undefined), { ...WAIT, intervalMs: 1, what: `${killAfter} answers` })
			await kill9(served)
			// The kill closed every connection, so each request still open settles now (answered or cut off).
			await Promise.all(requests)
			console.log(`burst killed after ${answered} of ${BURST} answers`)
			expect(otherStatuses).toEqual([])
			expect(answered).toBeLessThan(BURST)

			const crashed = openCrashCopy(instanceDir)
			const summary = checkConsistent(crashed)
			// Every point award gave each viewer in chat one row.
			for (const award of summary.awards) expect(award.rows).toBe(burstViewers.length)
			// Nothing was applied that was never sent.
			expect(summary.redemptions).toBeLessThanOrEqual(sent['!hydrate'])
			expect(summary.lurkCount).toBeLessThanOrEqual(sent['!lurk'])
			expect(summary.napProgress % DONATION).toBe(0)
			expect(summary.napProgress).toBeLessThanOrEqual(DONATION * sent[`!go_nap ${DONATION}`])
			const redemptionCosts = crashed.query<{ n: number }, []>(`SELECT count(*) AS n FROM redemptions WHERE cost != ${HYDRATE_PRICE} OR redeem != 'hydrate'`).get()
			expect(redemptionCosts?.n).toBe(0)
			close(crashed)

			// The same instance starts again. Everything that was answered 204 is there: committed before the kill, or
			// held (the points award had the database locked) and written to the held-events file, which the start
			// applies; each still once.
			fake.online = false
			const again = await serve(fake, instanceDir)
			expect(await waitFor(async () => ((await healthy(again.base)) ? true : undefined), { ...WAIT, what: 'healthz' })).toBe(true)
			const started = open(join(instanceDir, 'tlapbot.sqlite'))
			const replayed = checkConsistent(started)
			const firstViewerExisted = started.query('SELECT 1 FROM viewers WHERE id = ?').get((burstViewers[0] as TestUser).id) !== null
			close(started)
			console.log(`held events applied at the start: ${replayed.redemptions - summary.redemptions} redeems, ${replayed.lurkCount - summary.lurkCount} lurks`)
			expect(replayed.redemptions).toBeGreaterThanOrEqual(Math.max(summary.redemptions, accepted['!hydrate']))
			expect(replayed.redemptions).toBeLessThanOrEqual(sent['!hydrate'])
			expect(replayed.lurkCount).toBeGreaterThanOrEqual(Math.max(summary.lurkCount, accepted['!lurk']))
			expect(replayed.lurkCount).toBeLessThanOrEqual(sent['!lurk'])
			expect(replayed.napProgress % DONATION).toBe(0)
			expect(replayed.napProgress).toBeGreaterThanOrEqual(Math.max(summary.napProgress, DONATION * accepted[`!go_nap ${DONATION}`]))
			expect(replayed.napProgress).toBeLessThanOrEqual(DONATION * sent[`!go_nap ${DONATION}`])

			// And it works: one more lurk counts exactly once.
			const lurk = await fetch(`${again.base}/owncastWebhook`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(chatEvent(burstViewers[0] as TestUser, '!lurk'))
			})
			expect(lurk.status).toBe(204)
			await stop(again)
			const recovered = open(join(instanceDir, 'tlapbot.sqlite'))
			const after = checkConsistent(recovered)
			const created = firstViewerExisted ? 0 : 1
			expect(after).toEqual({
				...replayed,
				viewers: replayed.viewers + created,
				ledgerRows: replayed.ledgerRows + 1 + created,
				lurkCount: replayed.lurkCount + 1
			})
			close(recovered)
		}, TEST_TIMEOUT_MS)
	}
})

// ------------------------------------------------------------------------------------------------ held webhooks

describe('SIGKILL while webhooks are held for a locked database', () => {
	test('the held events were written to the held-events file before the 204; the next start applies them, each once', async () => {
		const fake = fakeOwncast([])
		fake.online = false
		const instanceDir = newInstance()
		const databasePath = join(instanceDir, 'tlapbot.sqlite')
		const served = await serve(fake, instanceDir)
		const journal = heldJournalPath(databasePath, served.child.pid)
		const heldFiles = () => readdirSync(instanceDir).filter((name) => name.startsWith('tlapbot.sqlite-held-'))
		const [alice, bob] = burstViewers as [TestUser, TestUser]
		const send = (user: TestUser, text: string) =>
			fetch(`${served.base}/owncastWebhook`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(chatEvent(user, text))
			}).then((response) => response.status)
		expect(await send(alice, '!hydrate')).toBe(204)

		// Another process takes the write lock: the next webhooks are held, answered 204 at once.
		const locker = new Database(databasePath)
		locker.run('BEGIN IMMEDIATE')
		try {
			expect(await send(alice, '!hydrate')).toBe(204)
			expect(await send(bob, '!lurk')).toBe(204)
			expect(await send(bob, '!hydrate')).toBe(204)
			const lines = (await Bun.file(journal).text()).trim().split('\n')
			expect(lines).toHaveLength(3)
			expect(statSync(journal).mode & 0o777).toBe(0o600)
			await kill9(served)
		} finally {
			locker.run('ROLLBACK')
			locker.close()
		}
		const crashed = openCrashCopy(instanceDir)
		expect(checkConsistent(crashed).redemptions).toBe(1)
		close(crashed)
		// A second copy of every line, as if a run had crashed while applying them: still once each.
		const text = await Bun.file(journal).text()
		await Bun.write(journal, text + text)

		const again = await serve(fake, instanceDir)
		expect(await waitFor(async () => ((await healthy(again.base)) ? true : undefined), { ...WAIT, what: 'healthz' })).toBe(true)
		expect(again.stdout()).toContain('6 webhook events held by the previous run were applied')
		const started = open(databasePath)
		const summary = checkConsistent(started)
		close(started)
		expect({ redemptions: summary.redemptions, lurks: summary.lurkCount }).toEqual({ redemptions: 3, lurks: 1 })
		// Applied: the killed process's file is gone (the new one has held nothing); a later start applies nothing again.
		expect(heldFiles()).toEqual([])
		await stop(again)
		const third = await serve(fake, instanceDir)
		expect(await waitFor(async () => ((await healthy(third.base)) ? true : undefined), { ...WAIT, what: 'healthz' })).toBe(true)
		expect(third.stdout()).not.toContain('held by the previous run')
		await stop(third)
		const last = open(databasePath)
		expect(checkConsistent(last).redemptions).toBe(3)
		close(last)
	}, TEST_TIMEOUT_MS)
})
