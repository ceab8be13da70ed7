// The real `serve` as a child process, against the fake Owncast: timer, webhook, resilience, shutdown.
import { test, expect, describe, afterEach } from 'bun:test'
import { Database } from 'bun:sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { baseEnv, expectExit, hasStackTrace, ledgerInvariantViolations, MAIN_TS, runTlapbot, waitFor, writeInstance } from '../helpers.ts'
import { collectText } from '../support/streams.ts'
import { startFakeOwncast, type FakeClient, type FakeOwncast } from '../support/fake-owncast.ts'
import { chatEvent } from '../support/payloads.ts'

type Served = {
	child: Bun.Subprocess<'ignore', 'pipe', 'pipe'>
	dir: string
	base: string
	databasePath: string
	stdout(): string
	stderr(): string
}

const children: Served['child'][] = []
const dirs: string[] = []
const fakes: FakeOwncast[] = []
const databases: Database[] = []

afterEach(async () => {
	for (const db of databases.splice(0)) db.close()
	for (const child of children.splice(0)) {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
		await child.exited
	}
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

const collect = (stream: ReadableStream<Uint8Array>) => collectText(stream).text

/** Starts `tlapbot serve` on a free port and waits for its "listening on" line. */
async function serve(fake: FakeOwncast, env: Record<string, string> = {}, dir = join(tempDir(), 'instance')): Promise<Served> {
	const child = Bun.spawn([process.execPath, MAIN_TS, 'serve', '--instance', dir, '--port', '0'], {
		env: baseEnv({
			TLAPBOT_OWNCAST_URL: fake.url,
			TLAPBOT_OWNCAST_ACCESS_TOKEN: fake.token,
			TLAPBOT_POINTS_CYCLE_TIME: '1',
			TLAPBOT_PRIVATE_REPLIES: 'false',
			...env
		}),
		stdin: 'ignore',
		stdout: 'pipe',
		stderr: 'pipe'
	})
	children.push(child)
	const stdout = collect(child.stdout)
	const stderr = collect(child.stderr)
	const port = await waitFor(
		() => {
			if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}\n${stdout()}\n${stderr()}`)
			return /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout())?.[1]
		},
		{ timeoutMs: 8000, what: 'the "listening on" line' }
	)
	return { child, dir, base: `http://127.0.0.1:${port}`, databasePath: join(dir, 'tlapbot.sqlite'), stdout, stderr }
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
	test('the points timer awards connected viewers, once per user, within a few seconds', async () => {
		const fake = fakeOwncast([
			{ user: { id: 'u1', displayName: 'PixelPanda' } },
			{ user: { id: 'u1', displayName: 'PixelPanda' } },
			{ user: { id: 'u2', displayName: 'lazy-daisy' } },
			{ user: { id: 'bot1', displayName: 'HelperBot', isBot: true } }
		])
		const served = await serve(fake)
		const db = readOnly(served.databasePath)
		const first = await waitFor(() => balanceOf(db, 'u1'), { timeoutMs: 5000, what: 'the first award' })
		// A new viewer gets starting_points (10) plus points_amount_given (10); later cycles add 10 each.
		expect(first).toBeGreaterThanOrEqual(20)
		expect((first - 10) % 10).toBe(0)
		expect(balanceOf(db, 'u2')).toBeGreaterThanOrEqual(20)
		expect(balanceOf(db, 'bot1')).toBeUndefined()
		expect(ledgerInvariantViolations(db)).toEqual([])
		// Tabs count once: per cycle, one ledger row per user.
		const perAward = db
			.query<{ n: number }, []>("SELECT count(*) AS n FROM ledger WHERE reason = 'cycle' GROUP BY created_at")
			.all()
		expect(perAward.every((row) => row.n === 2)).toBe(true)
	}, 15_000)

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
				.query<{ at: string; n: number }, []>("SELECT created_at AS at, count(*) AS n FROM ledger WHERE reason = 'cycle' GROUP BY created_at ORDER BY created_at")
				.all()
		// Both processes tick every second; wait until they have run several cycles side by side.
		await waitFor(() => (awardTimes().length >= 3 ? true : undefined), { timeoutMs: 8000, what: 'three awards' })
		const times = awardTimes()
		expect(times.every((t) => t.n === 2)).toBe(true)
		for (let i = 1; i < times.length; i++) {
			const gap = Date.parse((times[i] as { at: string }).at) - Date.parse((times[i - 1] as { at: string }).at)
			expect(gap).toBeGreaterThanOrEqual(900)
		}
		// Whichever process ticks second in a cycle says why it skipped.
		expect(first.stdout() + second.stdout()).toContain('already given less than a cycle ago')
		expect(first.child.exitCode).toBeNull()
		expect(second.child.exitCode).toBeNull()
		expect(ledgerInvariantViolations(db)).toEqual([])
	}, 15_000)

	test('a CHAT webhook gets a 204 and its reply reaches Owncast', async () => {
		const fake = fakeOwncast([{ user: { id: 'u1', displayName: 'PixelPanda' } }])
		const served = await serve(fake)
		const response = await postWebhook(served.base, chatEvent({ id: 'u1', displayName: 'PixelPanda' }, '!points'))
		expect(response.status).toBe(204)
		const [reply] = await fake.waitForMessages(1, 5000)
		expect(reply).toMatch(/^@PixelPanda, you have \d+ points\.$/)
	}, 15_000)

	test('the webhook is answered at once even when Owncast hangs on the reply', async () => {
		const fake = fakeOwncast()
		const served = await serve(fake)
		fake.mode = 'slow'
		const started = performance.now()
		const response = await postWebhook(served.base, chatEvent({ id: 'u1', displayName: 'PixelPanda' }, '!points'))
		const elapsed = performance.now() - started
		expect(response.status).toBe(204)
		expect(elapsed).toBeLessThan(1000)
		// The reply was attempted afterwards.
		await waitFor(() => (fake.requests.some((r) => r.path === '/api/integrations/chat/send') ? true : undefined), {
			timeoutMs: 3000,
			what: 'the reply attempt'
		})
	}, 15_000)

	test('garbage and 500 from Owncast: the process stays up, /healthz answers, awards resume afterwards', async () => {
		const fake = fakeOwncast([{ user: { id: 'u1', displayName: 'PixelPanda' } }])
		fake.mode = 'garbage'
		const served = await serve(fake)
		const db = readOnly(served.databasePath)

		// Each failed run writes its log line when it is over: wait for the line, not just the request.
		await waitFor(() => (served.stderr().includes('not JSON') ? true : undefined), { timeoutMs: 5000, what: 'a cycle on garbage' })
		expect(served.child.exitCode).toBeNull()
		expect(await healthy(served.base)).toBe(true)
		fake.mode = 'server_error'
		await waitFor(() => (served.stderr().includes('answered 500') ? true : undefined), { timeoutMs: 5000, what: 'a cycle on 500' })
		expect(served.child.exitCode).toBeNull()
		expect(await healthy(served.base)).toBe(true)
		expect(balanceOf(db, 'u1')).toBeUndefined()
		expect(lastAward(db)).toBeUndefined()

		fake.mode = 'ok'
		await waitFor(() => balanceOf(db, 'u1'), { timeoutMs: 5000, what: 'an award once Owncast recovers' })
		expect(served.child.exitCode).toBeNull()
		const stderr = served.stderr()
		expect(stderr).toContain('points cycle skipped')
		expect(stderr).toContain('not JSON')
		expect(hasStackTrace(stderr)).toBe(false)
	}, 15_000)

	test('SIGTERM exits with code 0', async () => {
		const fake = fakeOwncast()
		const served = await serve(fake)
		expect(await healthy(served.base)).toBe(true)
		served.child.kill('SIGTERM')
		const code = await Promise.race([served.child.exited, Bun.sleep(5000).then(() => 'still running')])
		expect(code).toBe(0)
		expect(served.stdout()).toContain('SIGTERM received')
		// The port is closed afterwards.
		await expect(fetch(`${served.base}/healthz`)).rejects.toThrow()
	}, 15_000)

	test('SIGTERM while Owncast hangs: exits with code 0 after the short reply grace period, not the 10 s hang', async () => {
		const fake = fakeOwncast()
		const served = await serve(fake)
		fake.mode = 'slow'
		// A reply is in flight (Owncast will not answer it for 10 s).
		expect((await postWebhook(served.base, chatEvent({ id: 'u1', displayName: 'PixelPanda' }, '!points'))).status).toBe(204)
		await waitFor(() => (fake.requests.some((r) => r.path === '/api/integrations/chat/send') ? true : undefined), {
			timeoutMs: 3000,
			what: 'the reply attempt'
		})
		const started = performance.now()
		served.child.kill('SIGTERM')
		const code = await Promise.race([served.child.exited, Bun.sleep(8000).then(() => 'still running')])
		const elapsed = performance.now() - started
		expect(code).toBe(0)
		expect(elapsed).toBeLessThan(4000)
	}, 15_000)

	test('SIGTERM with no replies waiting exits promptly (well under the 2 s reply grace period)', async () => {
		const fake = fakeOwncast()
		const served = await serve(fake)
		expect(await healthy(served.base)).toBe(true)
		const started = performance.now()
		served.child.kill('SIGTERM')
		const code = await Promise.race([served.child.exited, Bun.sleep(5000).then(() => 'still running')])
		const elapsed = performance.now() - started
		expect(code).toBe(0)
		expect(elapsed).toBeLessThan(1500)
	}, 15_000)
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
		for (const args of commands) {
			const started = performance.now()
			expectExit(await runTlapbot(args, { cwd: root, env }), 0)
			// A running timer would keep the process alive; these finish at once.
			expect(performance.now() - started).toBeLessThan(5000)
		}
		expect(fake.requests).toEqual([])
		const db = readOnly(join(root, 'instance', 'tlapbot.sqlite'))
		expect(db.query('SELECT count(*) AS n FROM viewers').get()).toEqual({ n: 0 })
		expect(lastAward(db)).toBeUndefined()
	}, 15_000)
})
