// A crash in the middle of paying out a prediction: a child process seeds 20,000 bettors, says "ready" and
// resolves; it is SIGKILLed at different moments. Whatever the moment, a fresh connection then finds the
// prediction settled in full (every winner paid, exactly the pool) or not at all (still running, no payout row),
// money conserved (balances plus the running pool = every point ever created), and every balance equal to the sum
// of its ledger rows. A prediction left running is then resolved by a new process, in full.
import { describe, expect, test } from 'bun:test'
import type { Database } from 'bun:sqlite'
import { join, resolve as resolvePath } from 'node:path'
import { openDatabase } from '../../src/db/database.ts'
import { ledgerInvariantViolations, makeTempDir, useTempDirs } from '../helpers.ts'
import { buildPredictions } from './fixtures/resolve-child.ts'

useTempDirs()

const FIXTURE = resolvePath(import.meta.dir, 'fixtures/resolve-child.ts')
const BETTORS = 20_000

type Outcome = { killed: boolean; state: 'resolved' | 'running'; resolveMs?: number }

/** Runs the child; kills it `delayMs` after "ready" (undefined: lets it finish). */
async function run(path: string, delayMs: number | undefined): Promise<{ killed: boolean; resolveMs?: number }> {
	const child = Bun.spawn([process.execPath, FIXTURE, 'crash', path, String(BETTORS)], { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
	const reader = child.stdout.getReader()
	const decoder = new TextDecoder()
	let out = ''
	while (!out.includes('ready\n')) {
		const { value, done } = await reader.read()
		if (done) throw new Error(`the child ended before "ready": ${out}\n${await new Response(child.stderr).text()}`)
		out += decoder.decode(value, { stream: true })
	}
	let killed = false
	if (delayMs !== undefined) {
		if (delayMs > 0) await Bun.sleep(delayMs)
		// Only if it is still running: a child that already exited is not killed (nor is anything else).
		if (child.exitCode === null) {
			child.kill('SIGKILL')
			killed = true
		}
	}
	for (;;) {
		const { value, done } = await reader.read()
		if (done) break
		out += decoder.decode(value, { stream: true })
	}
	const code = await child.exited
	if (!killed && code !== 0) throw new Error(`the child failed (${code}): ${await new Response(child.stderr).text()}`)
	// A kill that came after the child finished its work changes nothing; the "done" line tells.
	const done = /done (\d+)/.exec(out)
	return { killed: killed && !done, ...(done?.[1] ? { resolveMs: Number(done[1]) } : {}) }
}

/** What a fresh connection finds: settled in full or not at all, money conserved, ledger consistent. */
function inspect(db: Database): 'resolved' | 'running' {
	const prediction = db.query<{ id: number; status: string }, []>('SELECT id, status FROM predictions').all()
	expect(prediction).toHaveLength(1)
	const { id, status } = prediction[0] as { id: number; status: string }
	const ref = `prediction:${id}`
	const pool = db.query<{ n: number }, [number]>('SELECT sum(amount) AS n FROM prediction_bets WHERE prediction_id = ?').get(id)?.n ?? 0
	const settled = db
		.query<{ rows: number; viewers: number; total: number | null }, [string]>(
			"SELECT count(*) AS rows, count(DISTINCT viewer_id) AS viewers, sum(delta) AS total FROM ledger WHERE ref = ? AND reason IN ('payout', 'bet_refund')"
		)
		.get(ref)
	const created = db.query<{ n: number }, []>("SELECT sum(delta) AS n FROM ledger WHERE reason = 'starting'").get()?.n ?? 0
	const balances = db.query<{ n: number }, []>('SELECT sum(balance) AS n FROM viewers').get()?.n ?? 0
	expect(ledgerInvariantViolations(db)).toEqual([])

	if (status === 'resolved') {
		const winners = db
			.query<{ n: number }, [number]>('SELECT count(*) AS n FROM prediction_bets WHERE prediction_id = ? AND outcome = 1')
			.get(id)?.n
		// Every winner paid exactly once, the whole pool and nothing more; nothing left in a pool.
		expect(settled).toEqual({ rows: winners ?? -1, viewers: winners ?? -1, total: pool })
		const unpaid = db
			.query<{ n: number }, [number, string]>(
				`SELECT count(*) AS n FROM prediction_bets b WHERE b.prediction_id = ? AND b.outcome = 1
				AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.ref = ? AND l.viewer_id = b.viewer_id AND l.reason = 'payout' AND l.delta >= b.amount)`
			)
			.get(id, ref)
		expect(unpaid?.n).toBe(0)
		expect(balances).toBe(created)
		return 'resolved'
	}
	expect(['open', 'locked']).toContain(status)
	expect(settled).toEqual({ rows: 0, viewers: 0, total: null })
	expect(balances + pool).toBe(created)
	return 'running'
}

describe('a crash while resolving 20,000 bets', () => {
	test('leaves the prediction settled in full or not at all', async () => {
		const outcomes: Outcome[] = []
		// The first run finishes: how long a resolve takes here sets the moments to kill the next ones at.
		const first = join(makeTempDir(), 'tlapbot.sqlite')
		const finished = await run(first, undefined)
		expect(finished.killed).toBe(false)
		const db = openDatabase(first)
		try {
			expect(inspect(db)).toBe('resolved')
		} finally {
			db.close()
		}
		const resolveMs = Math.max(finished.resolveMs ?? 100, 20)

		// Right after "ready", then at random moments within (and a little past) a resolve.
		const delays = [0, ...Array.from({ length: 5 }, () => Math.floor(Math.random() * resolveMs * 1.2))]
		for (const delay of delays) {
			const path = join(makeTempDir(), 'tlapbot.sqlite')
			const result = await run(path, delay)
			const fresh = openDatabase(path)
			try {
				const state = inspect(fresh)
				outcomes.push({ killed: result.killed, state })
				if (state === 'running') {
					expect(result.killed).toBe(true)
					// Picked up again by a new process: resolved in full.
					const again = buildPredictions(fresh).predictions.resolve('blue', 'after the crash', Date.now())
					expect(again.ok).toBe(true)
					expect(inspect(fresh)).toBe('resolved')
				}
			} finally {
				fresh.close()
			}
		}
		// At least the kill right after "ready" landed before the commit (the resolve takes tens of milliseconds).
		expect(outcomes.some((o) => o.killed && o.state === 'running')).toBe(true)
	}, 30_000)
})
