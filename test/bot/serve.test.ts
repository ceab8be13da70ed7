// The real `serve` as a child process, against the fake Owncast: timer, webhook, resilience, shutdown.
import { test, expect, describe, afterEach } from 'bun:test'
import { Database } from 'bun:sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { expectExit, hasStackTrace, ledgerInvariantViolations, runTlapbot, waitFor, writeInstance } from '../helpers.ts'
import { killAllServes, SERVE_TIMEOUT_MS, startServe, type ServeProcess } from '../support/serve.ts'
import { startFakeOwncast, type FakeClient, type FakeOwncast } from '../support/fake-owncast.ts'
import { chatEvent } from '../support/payloads.ts'

/** Per-test limit: several waits of up to SERVE_TIMEOUT_MS each only add up on a very busy machine. */
const TEST_TIMEOUT_MS = 90_000
/** How long a test waits for an outcome (an award, a log line, a reply) before it fails. */
const WAIT = { timeoutMs: SERVE_TIMEOUT_MS }

type Served = ServeProcess & { dir: string; databasePath: string }

const dirs: string[] = []
const fakes: FakeOwncast[] = []
const databases: Database[] = []

afterEach(async () => {
	for (const db of databases.splice(0)) db.close()
	await killAllServes()
	for (const fake of fakes.splice(0)) fake.stop()
	for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function fakeOwncast(clients: FakeClient[] = []): FakeOwncast {
	const fake = startFakeOwncast({ clients })
	fakes.push(fake)
	return fake
}

function tempDir(): string {
	const dir = mkdtempSync(join(tmpdir(), 'tlapbot-serve-'))
	dirs.push(dir)
	return dir
}

/** Starts `tlapbot serve` on a free port against the fake Owncast, with a 1 s points cycle. */
async function serve(fake: FakeOwncast, env: Record<string, string> = {}, dir = join(tempDir(), 'instance')): Promise<Served> {
	const served = await startServe({
		cwd: dirname(dir),
		args: ['--instance', dir],
		env: {
			TLAPBOT_OWNCAST_URL: fake.url,
			TLAPBOT_OWNCAST_ACCESS_TOKEN: fake.token,
			TLAPBOT_POINTS_CYCLE_TIME: '1',
			TLAPBOT_PRIVATE_REPLIES: 'false',
			...env
		}
	})
	return Object.assign(served, { dir, databasePath: join(dir, 'tlapbot.sqlite') })
}

function readOnly(path: string): Database {
	const db = new Database(path, { readonly: true })
	databases.push(db)
	return db
}

const balanceOf = (db: Database, id: string) =>
	db.query<{ balance: number }, [string]>('SELECT balance FROM viewers WHERE id = ?').get(id)?.balance
const lastAward = (db: Database) =>
	db.query<{ value: string }, []>("SELECT value FROM bot_state WHERE key = 'last_points_award_at'").get()?.value

const postWebhook = (base: string, event: unknown) =>
	fetch(`${base}/owncastWebhook`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'user-agent': 'Go-http-client/1.1' },
		body: JSON.stringify(event)
	})

async function healthy(base: string): Promise<boolean> {
	const response = await fetch(`${base}/healthz`)
	const body = (await response.json()) as { status?: string }
	return response.status === 200 && body.status === 'ok'
}

describe('serve', () => {
	test('the points timer awards connected viewers, once per user', async () => {
		const fake = fakeOwncast([
			{ user: { id: 'u1', displayName: 'PixelPanda' } },
			{ user: { id: 'u1', displayName: 'PixelPanda' } },
			{ user: { id: 'u2', displayName: 'lazy-daisy' } },
			{ user: { id: 'bot1', displayName: 'HelperBot', isBot: true } }
		])
		const served = await serve(fake)
		const db = readOnly(served.databasePath)
		const first = await waitFor(() => balanceOf(db, 'u1'), { ...WAIT, what: 'the first award' })
		// A new viewer gets starting_points (10) plus points_amount_given (10); later cycles add 10 each.
		expect(first).toBeGreaterThanOrEqual(20)
		expect((first - 10) % 10).toBe(0)
		expect(balanceOf(db, 'u2')).toBeGreaterThanOrEqual(20)
		expect(balanceOf(db, 'bot1')).toBeUndefined()
		expect(ledgerInvariantViolations(db)).toEqual([])
		// Tabs count once: per cycle, one ledger row per user.
		const perAward = db
			.query<{ n: number }, []>("SELECT count(*) AS n FROM ledger_entries WHERE reason = 'cycle' GROUP BY created_at")
			.all()
		expect(perAward.every((row) => row.n === 2)).toBe(true)
	}, TEST_TIMEOUT_MS)

	test('two serve processes on one database award once per cycle, not twice', async () => {
		const fake = fakeOwncast([
			{ user: { id: 'u1', displayName: 'PixelPanda' } },
			{ user: { id: 'u2', displayName: 'lazy-daisy' } }
		])
		const first = await serve(fake)
		const second = await serve(fake, {}, first.dir)
		const db = readOnly(first.databasePath)
		const awardTimes = () =>
			db
				.query<{ at: string; n: number }, []>("SELECT created_at AS at, count(*) AS n FROM ledger_entries WHERE reason = 'cycle' GROUP BY created_at ORDER BY created_at")
				.all()
		// Both processes tick every second; wait until they have run several cycles side by side.
		await waitFor(() => (awardTimes().length >= 3 ? true : undefined), { ...WAIT, what: 'three awards' })
		const times = awardTimes()
		expect(times.every((t) => t.n === 2)).toBe(true)
		// The awards' own timestamps (written by the bot) are at least a cycle (1 s) apart: a slow machine only
		// spreads them further, so this does not depend on how fast the test runs.
		for (let i = 1; i < times.length; i++) {
			const gap = Date.parse((times[i] as { at: string }).at) - Date.parse((times[i - 1] as { at: string }).at)
			expect(gap).toBeGreaterThanOrEqual(900)
		}
		// Whichever process ticks second in a cycle says why it skipped.
		await waitFor(() => (first.stdout().includes('already given less than a cycle ago') || second.stdout().includes('already given less than a cycle ago') ? true : undefined), {
			...WAIT,
			what: 'a skipped cycle to be logged'
		})
		expect(first.running).toBe(true)
		expect(second.running).toBe(true)
		expect(ledgerInvariantViolations(db)).toEqual([])
	}, TEST_TIMEOUT_MS)

	test('a CHAT webhook gets a 204 and its reply reaches Owncast', async () => {
		const fake = fakeOwncast([{ user: { id: 'u1', displayName: 'PixelPanda' } }])
		const served = await serve(fake)
		const response = await postWebhook(served.base, chatEvent({ id: 'u1', displayName: 'PixelPanda' }, '!points'))
		expect(response.status).toBe(204)
		const [reply] = await fake.waitForMessages(1, SERVE_TIMEOUT_MS)
		expect(reply).toMatch(/^@PixelPanda, you have \d+ points\.$/)
	}, TEST_TIMEOUT_MS)

	test('the webhook is answered before the reply to Owncast is over, even when Owncast hangs on it', async () => {
		const fake = fakeOwncast()
		const served = await serve(fake)
		// Owncast holds every request for 10 s; the bot's client gives up on a reply after 5 s and logs it.
		fake.mode = 'slow'
		const response = await postWebhook(served.base, chatEvent({ id: 'u1', displayName: 'PixelPanda' }, '!points'))
		expect(response.status).toBe(204)
		// When the 204 arrives, the reply has neither been delivered nor given up on: it was not waited for.
		expect(fake.messages).toEqual([])
		expect(served.output()).not.toContain('chat reply not delivered')
		// The reply was attempted afterwards, and failed (logged) only after the webhook had been answered.
		await waitFor(() => (fake.requests.some((r) => r.path === '/api/integrations/chat/send') ? true : undefined), {
			...WAIT,
			what: 'the reply attempt'
		})
		await served.waitForOutput('chat reply not delivered')
		expect(served.running).toBe(true)
	}, TEST_TIMEOUT_MS)

	test('garbage and 500 from Owncast: the process stays up, /healthz answers, awards resume afterwards', async () => {
		const fake = fakeOwncast([{ user: { id: 'u1', displayName: 'PixelPanda' } }])
		fake.mode = 'garbage'
		const served = await serve(fake)
		const db = readOnly(served.databasePath)

		// Each failed run writes its log line when it is over: wait for the line, not just the request.
		await served.waitForOutput('not JSON')
		expect(served.running).toBe(true)
		expect(await healthy(served.base)).toBe(true)
		fake.mode = 'server_error'
		await served.waitForOutput('answered 500')
		expect(served.running).toBe(true)
		expect(await healthy(served.base)).toBe(true)
		expect(balanceOf(db, 'u1')).toBeUndefined()
		expect(lastAward(db)).toBeUndefined()

		fake.mode = 'ok'
		await waitFor(() => balanceOf(db, 'u1'), { ...WAIT, what: 'an award once Owncast recovers' })
		expect(served.running).toBe(true)
		const stderr = served.stderr()
		expect(stderr).toContain('points cycle skipped')
		expect(stderr).toContain('not JSON')
		expect(stderr).toContain('answered 500')
		expect(hasStackTrace(stderr)).toBe(false)
	}, TEST_TIMEOUT_MS)

	test('SIGTERM with no replies waiting exits with code 0 and closes the port', async () => {
		const fake = fakeOwncast()
		const served = await serve(fake)
		expect(await healthy(served.base)).toBe(true)
		expect(await served.stop()).toBe(0)
		expect(served.stdout()).toContain('SIGTERM received')
		// The port is closed afterwards.
		await expect(fetch(`${served.base}/healthz`)).rejects.toThrow()
	}, TEST_TIMEOUT_MS)

	test('SIGTERM while Owncast hangs on a reply: exits with code 0 after the short reply grace period, not waiting the reply out', async () => {
		const fake = fakeOwncast()
		const served = await serve(fake)
		// Owncast holds the reply for 10 s; the bot's client would give up on it after 5 s and log that.
		fake.mode = 'slow'
		expect((await postWebhook(served.base, chatEvent({ id: 'u1', displayName: 'PixelPanda' }, '!points'))).status).toBe(204)
		await waitFor(() => (fake.requests.some((r) => r.path === '/api/integrations/chat/send') ? true : undefined), {
			...WAIT,
			what: 'the reply attempt'
		})
		expect(await served.stop()).toBe(0)
		expect(served.stdout()).toContain('SIGTERM received')
		// Shutdown stopped waiting for the reply after its 2 s grace period: the process was gone before the
		// client's own 5 s timeout on the reply could fire (which logs this line), let alone Owncast answering.
		expect(served.output()).not.toContain('chat reply not delivered')
		expect(fake.messages).toEqual([])
	}, TEST_TIMEOUT_MS)
})

describe('maintenance commands never start the points timer', () => {
	test('init-db and the other maintenance commands make no request to Owncast', async () => {
		const fake = fakeOwncast([{ user: { id: 'u1', displayName: 'PixelPanda' } }])
		const root = tempDir()
		writeInstance(join(root, 'instance'))
		const env = {
			TLAPBOT_OWNCAST_URL: fake.url,
			TLAPBOT_OWNCAST_ACCESS_TOKEN: fake.token,
			TLAPBOT_POINTS_CYCLE_TIME: '1'
		}
		const commands = [
			['init-db'],
			['clear-queue'],
			['refresh-counters'],
			['clear-refresh'],
			['refresh-milestones'],
			['reset-milestone', 'go_nap'],
			['backup']
		]
		// A running timer would keep the process alive: each command exiting at all is the check.
		for (const args of commands) expectExit(await runTlapbot(args, { cwd: root, env }), 0)
		expect(fake.requests).toEqual([])
		const db = readOnly(join(root, 'instance', 'tlapbot.sqlite'))
		expect(db.query('SELECT count(*) AS n FROM viewers').get()).toEqual({ n: 0 })
		expect(lastAward(db)).toBeUndefined()
	}, TEST_TIMEOUT_MS)
})
