// Where a points cycle's time goes, stage by stage (not part of `npm run bench`; evidence for bench/README.md).
//   bun bench/profile-cycle.ts [viewers] [known cycles]     (default 100000 and 5; starts its own fake Owncast)
// Times each step of OwncastClient.chatUsers (transfer, JSON.parse, valibot, dedupe) and each SQL statement of
// PointsRepo.awardPoints (every statement the repo prepares is wrapped with a timer), for one cycle where every
// viewer is new, then the median of several where every viewer is known. Then the same for a PROTOTYPE of the
// proposed changes (written here, not in src/), on a fresh database, for comparison.
import { Database } from 'bun:sqlite'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import * as v from 'valibot'
import { openDatabase } from '../src/db/database.ts'
import { ClientsSchema } from '../src/modules/owncast/model.ts'
import { createPointsRepo } from '../src/modules/points/repo.ts'
import { BUN, fmt, median, startChild, tempDir } from './lib.ts'

const viewers = Number(process.argv[2] ?? 100_000)
const knownCycles = Number(process.argv[3] ?? 5)
const TOKEN = 'bench-token'
const fake = await startChild([BUN, join(import.meta.dir, 'fake-owncast.ts'), '--token', TOKEN, '--clients', String(viewers)])

let timings = new Map<string, number>()
const add = (label: string, ms: number) => timings.set(label, (timings.get(label) ?? 0) + ms)
const time = <T>(label: string, fn: () => T): T => {
	const t0 = performance.now()
	const r = fn()
	add(label, performance.now() - t0)
	return r
}
async function fetchClients(): Promise<string> {
	const t0 = performance.now()
	const res = await fetch(`${fake.url}/api/integrations/clients`, { headers: { authorization: `Bearer ${TOKEN}` } })
	const text = await res.text()
	add('fetch /api/integrations/clients + response.text()', performance.now() - t0)
	return text
}
function report(title: string, runs: Map<string, number>[]) {
	console.log(`\n${title}${runs.length > 1 ? ` (median of ${runs.length})` : ''}`)
	for (const label of runs[0]?.keys() ?? []) {
		const ms = median(runs.map((r) => r.get(label) ?? 0))
		console.log(`  ${label.padEnd(100)} ${fmt(ms, 1).padStart(8)} ms`)
	}
}
async function cycles(title: string, one: () => Promise<void>) {
	timings = new Map()
	await one()
	report(`${title}, ${fmt(viewers)} viewers, every viewer new`, [timings])
	const runs: Map<string, number>[] = []
	for (let i = 0; i < knownCycles; i++) {
		timings = new Map()
		await one()
		runs.push(timings)
	}
	report(`${title}, ${fmt(viewers)} viewers, every viewer known`, runs)
}

// Wrap every statement prepared from now on, so the repo's own SQL is timed as it runs.
const originalQuery = Database.prototype.query
Database.prototype.query = function (this: Database, sql: string) {
	const statement = originalQuery.call(this, sql) as unknown as Record<string, (...args: unknown[]) => unknown>
	const label = `  sql: ${sql.replace(/\s+/g, ' ').trim().slice(0, 88)}`
	return new Proxy(statement, {
		get(target, key, receiver) {
			const value = Reflect.get(target, key, receiver)
			if (key === 'run' || key === 'get' || key === 'all') {
				return (...args: unknown[]) => time(label, () => (value as (...a: unknown[]) => unknown).apply(target, args))
			}
			return typeof value === 'function' ? value.bind(target) : value
		}
	})
} as unknown as typeof Database.prototype.query

let now = Date.now()

// ---------------------------------------------------------------------------------------------------------------
// As it is: OwncastClient.chatUsers + runPointsCycle's map + PointsRepo.awardPoints.
{
	const dir = tempDir('profile-cycle')
	const db = openDatabase(join(dir, 'tlapbot.sqlite'))
	const repo = createPointsRepo(db, { startingPoints: 10 })
	await cycles('AS IS', async () => {
		const t0 = performance.now()
		const text = await fetchClients()
		const json = time(`JSON.parse (${fmt(text.length / 1024 / 1024, 1)} MB)`, () => JSON.parse(text) as unknown)
		const parsed = time('valibot safeParse(ClientsSchema) (copies every object)', () => v.safeParse(ClientsSchema, json))
		if (!parsed.success) throw new Error('invalid clients')
		const list = time('dedupe by user id (Map) + map to {id, displayName}', () => {
			const map = new Map<string, { id: string; displayName: string }>()
			for (const c of parsed.output) if (c.user && !c.user.isBot) map.set(c.user.id, c.user)
			return [...map.values()].map((u) => ({ id: u.id, displayName: u.displayName || u.id }))
		})
		now += 600_000
		const result = time('awardPoints total (IMMEDIATE transaction; includes JSON.stringify of the list)', () => repo.awardPoints(list, 10, now, 0))
		if (!result.awarded) throw new Error('not awarded')
		add('WHOLE CYCLE', performance.now() - t0)
	})
	db.close()
	rmSync(dir, { recursive: true, force: true })
}
Database.prototype.query = originalQuery

// ---------------------------------------------------------------------------------------------------------------
// PROTOTYPE of the proposed changes (same viewers, balances and ledger rows as the original):
//  - OwncastClient.chatUsers: a hand-written check of the few fields used instead of valibot over 100,000 objects,
//    building the award list in the same pass;
//  - PointsRepo.awardPoints: temp_store = MEMORY and a WITHOUT ROWID temp table; the balance UPDATE no longer
//    sets display_name (an indexed column: every row rewrote its index entry), a second UPDATE renames only
//    viewers whose name changed; ledger_redemption becomes a partial index (cycle rows have no redemption).
{
	const dir = tempDir('profile-cycle-proto')
	const db = openDatabase(join(dir, 'tlapbot.sqlite'))
	db.run('PRAGMA temp_store = MEMORY')
	db.run('DROP INDEX ledger_redemption')
	db.run('CREATE INDEX ledger_redemption ON ledger (redemption_id) WHERE redemption_id IS NOT NULL')
	db.run('CREATE TEMP TABLE award (id TEXT PRIMARY KEY, name TEXT NOT NULL, is_new INTEGER NOT NULL) WITHOUT ROWID')
	const q = (sql: string) => {
		const s = db.query(sql)
		const label = `  sql: ${sql.replace(/\s+/g, ' ').trim().slice(0, 88)}`
		return { run: (p?: Record<string, unknown>) => time(label, () => (p ? s.run(p as never) : s.run())) }
	}
	const fill = q(`INSERT OR IGNORE INTO temp.award (id, name, is_new)
		SELECT value ->> 'id', value ->> 'name', NOT EXISTS (SELECT 1 FROM viewers WHERE viewers.id = value ->> 'id')
		FROM json_each($json)`)
	const dropBots = q('DELETE FROM temp.award WHERE id IN (SELECT id FROM viewers WHERE is_bot = 1)')
	const insertNew = q(`INSERT INTO viewers (id, display_name, balance, created_at, seen_at) SELECT id, name, 0, $at, $at FROM temp.award WHERE is_new`)
	const startLedger = q(`INSERT INTO ledger (viewer_id, delta, reason, created_at) SELECT id, $starting, 'starting', $at FROM temp.award WHERE is_new`)
	const cycleLedger = q(`INSERT INTO ledger (viewer_id, delta, reason, created_at) SELECT id, $amount, 'cycle', $at FROM temp.award`)
	const balance = q(`UPDATE viewers SET balance = balance + $amount + award.is_new * $starting, seen_at = $at
		FROM temp.award AS award WHERE viewers.id = award.id`)
	const rename = q(`UPDATE viewers SET display_name = award.name FROM temp.award AS award
		WHERE viewers.id = award.id AND viewers.display_name IS NOT award.name`)
	const clear = q('DELETE FROM temp.award')
	const award = db.transaction((json: string, at: string) => {
		clear.run()
		fill.run({ json })
		dropBots.run()
		insertNew.run({ at })
		startLedger.run({ starting: 10, at })
		cycleLedger.run({ amount: 10, at })
		balance.run({ amount: 10, starting: 10, at })
		rename.run()
		clear.run()
	})
	await cycles('PROTOTYPE', async () => {
		const t0 = performance.now()
		const text = await fetchClients()
		const json = time(`JSON.parse (${fmt(text.length / 1024 / 1024, 1)} MB)`, () => JSON.parse(text) as unknown)
		const list = time('hand-written check + dedupe, straight into the award list', () => {
			if (!Array.isArray(json)) throw new Error('not an array')
			const out = new Map<string, { id: string; name: string }>()
			for (const c of json as ({ user?: { id?: unknown; displayName?: unknown; isBot?: unknown } | null } | null)[]) {
				const u = c?.user
				if (!u) continue
				if (typeof u.id !== 'string' || u.id.length === 0 || u.id.length > 200) throw new Error('bad id')
				if (u.isBot === true) continue
				out.set(u.id, { id: u.id, name: typeof u.displayName === 'string' && u.displayName ? u.displayName : u.id })
			}
			return [...out.values()]
		})
		const listJson = time('JSON.stringify of the award list', () => JSON.stringify(list))
		now += 600_000
		time('award total (IMMEDIATE transaction)', () => award.immediate(listJson, new Date(now).toISOString()))
		add('WHOLE CYCLE', performance.now() - t0)
	})
	db.close()
	rmSync(dir, { recursive: true, force: true })
}
await fake.stop()
