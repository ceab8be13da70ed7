// Imports an original (Python) tlapbot database: points, counters, milestones and the redeem queue.
// Idempotent: every imported item is recorded in legacy_imports, so a second run changes nothing.
import { Database } from 'bun:sqlite'
import { existsSync } from 'node:fs'
import { findRedeem, type Redeem } from '../redeems/model.ts'
import { nowIso } from '../redeems/repo.ts'

export type LegacyImportResult = {
	viewers: number
	points: number
	counters: number
	milestones: number
	queue: number
	skipped: number
	warnings: string[]
}

export class LegacyImportError extends Error {
	readonly exitCode = 1
	override name = 'LegacyImportError'
}

type Columns = Set<string>

function columnsOf(legacy: Database, table: string): Columns {
	const rows = legacy.query<{ name: string }, []>(`SELECT name FROM pragma_table_info('${table}')`).all()
	return new Set(rows.map((r) => r.name))
}

/** SQLite's CURRENT_TIMESTAMP ("2024-05-01 18:03:11", UTC) or Python's isoformat, as ISO-8601 UTC. */
export function legacyTimeToIso(value: unknown): string | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000).toISOString()
	if (typeof value !== 'string') return undefined
	let text = value.trim().replace(' ', 'T')
	if (!/(Z|[+-]\d\d:?\d\d)$/i.test(text)) text += 'Z'
	const ms = Date.parse(text)
	return Number.isNaN(ms) ? undefined : new Date(ms).toISOString()
}

const toInt = (value: unknown): number => {
	const n = typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value.trim()) : value
	return typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : 0
}

export function importLegacyDatabase(
	db: Database,
	legacyPath: string,
	redeems: readonly Redeem[],
	now: number = Date.now()
): LegacyImportResult {
	if (!existsSync(legacyPath)) throw new LegacyImportError(`${legacyPath}: no such file`)
	let legacy: Database
	try {
		legacy = new Database(legacyPath, { readonly: true })
		legacy.query('SELECT count(*) FROM sqlite_master').get()
	} catch (error) {
		throw new LegacyImportError(`${legacyPath}: not an SQLite database (${(error as Error).message})`)
	}
	try {
		const tables = new Set(
			legacy.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name)
		)
		if (!tables.has('points')) {
			throw new LegacyImportError(
				`${legacyPath}: not an original tlapbot database (it has no "points" table; tables: ${[...tables].join(', ') || 'none'})`
			)
		}
		return db.transaction(() => importTables(db, legacy, tables, redeems, nowIso(now)))()
	} finally {
		legacy.close()
	}
}

function importTables(
	db: Database,
	legacy: Database,
	tables: Set<string>,
	redeems: readonly Redeem[],
	now: string
): LegacyImportResult {
	const result: LegacyImportResult = { viewers: 0, points: 0, counters: 0, milestones: 0, queue: 0, skipped: 0, warnings: [] }
	const markImported = db.query<{ changes: number }, { kind: string; key: string; now: string }>(
		'INSERT INTO legacy_imports (kind, key, imported_at) VALUES ($kind, $key, $now) ON CONFLICT DO NOTHING'
	)
	/** True the first time a (kind, key) is seen; false when an earlier run imported it. */
	const firstTime = (kind: string, key: string) => markImported.run({ kind, key, now }).changes === 1
	const ensureViewer = db.query<unknown, { id: string; name: string; now: string }>(
		`INSERT INTO viewers (id, display_name, balance, created_at, seen_at) VALUES ($id, $name, 0, $now, $now)
		ON CONFLICT (id) DO NOTHING`
	)
	const balanceOf = db.query<{ balance: number }, { id: string }>('SELECT balance FROM viewers WHERE id = $id')
	const addBalance = db.query<unknown, { id: string; delta: number }>(
		'UPDATE viewers SET balance = balance + $delta WHERE id = $id'
	)
	const insertLedger = db.query<unknown, { id: string; delta: number; now: string }>(
		"INSERT INTO ledger (viewer_id, delta, reason, created_at) VALUES ($id, $delta, 'import', $now)"
	)

	// Viewers and their balances. NULL names show as the id; NULL points count as 0.
	type PointsRow = { id: unknown; name: unknown; points: unknown }
	for (const row of legacy.query<PointsRow, []>('SELECT id, name, points FROM points').all()) {
		if (row.id === null || row.id === undefined || String(row.id) === '') {
			result.warnings.push('skipped a points row without a user id')
			continue
		}
		const id = String(row.id)
		if (!firstTime('points', id)) {
			result.skipped++
			continue
		}
		const name = typeof row.name === 'string' && row.name.trim() !== '' ? row.name : id
		ensureViewer.run({ id, name, now })
		let delta = toInt(row.points)
		const balance = balanceOf.get({ id })?.balance ?? 0
		if (balance + delta < 0) {
			result.warnings.push(`viewer ${id} had ${delta} points in the old database; imported as ${-balance} so the balance stays at 0 or more`)
			delta = -balance
		}
		if (delta !== 0) {
			addBalance.run({ id, delta })
			insertLedger.run({ id, delta, now })
		}
		result.viewers++
		result.points += delta
	}

	if (tables.has('counters')) {
		const upsertCounter = db.query<unknown, { name: string; count: number }>(
			'INSERT INTO counters (name, count) VALUES ($name, $count) ON CONFLICT (name) DO UPDATE SET count = count + excluded.count'
		)
		for (const row of legacy.query<{ name: unknown; count: unknown }, []>('SELECT name, count FROM counters').all()) {
			if (typeof row.name !== 'string' || row.name === '') continue
			if (!firstTime('counter', row.name)) {
				result.skipped++
				continue
			}
			const count = Math.max(0, toInt(row.count))
			upsertCounter.run({ name: row.name, count })
			result.counters++
		}
	}

	if (tables.has('milestones')) {
		const columns = columnsOf(legacy, 'milestones')
		// Early versions of the original called the progress column "count".
		const progressColumn = columns.has('progress') ? 'progress' : columns.has('count') ? 'count' : undefined
		const completeColumn = columns.has('complete') ? 'complete' : '0'
		if (progressColumn) {
			const upsertMilestone = db.query<unknown, { name: string; progress: number; goal: number; complete: number; now: string }>(
				`INSERT INTO milestones (name, progress, goal, completed, completed_at)
				VALUES ($name, $progress, $goal, ($complete OR $progress >= $goal), CASE WHEN $complete OR $progress >= $goal THEN $now END)
				ON CONFLICT (name) DO UPDATE SET progress = progress + excluded.progress,
					completed = (completed OR progress + excluded.progress >= goal),
					completed_at = CASE WHEN completed OR progress + excluded.progress >= goal THEN coalesce(completed_at, $now) END`
			)
			type MilestoneRow = { name: unknown; progress: unknown; goal: unknown; complete: unknown }
			const rows = legacy
				.query<MilestoneRow, []>(`SELECT name, ${progressColumn} AS progress, goal, ${completeColumn} AS complete FROM milestones`)
				.all()
			for (const row of rows) {
				if (typeof row.name !== 'string' || row.name === '') continue
				const goal = toInt(row.goal)
				// Checked before marking it imported, so a later run (after fixing the old row) can bring it in.
				if (goal <= 0) {
					result.warnings.push(`milestone ${row.name} had goal ${String(row.goal)}; not imported`)
					continue
				}
				if (!firstTime('milestone', row.name)) {
					result.skipped++
					continue
				}
				upsertMilestone.run({
					name: row.name,
					progress: Math.max(0, toInt(row.progress)),
					goal,
					complete: toInt(row.complete) ? 1 : 0,
					now
				})
				result.milestones++
			}
		} else {
			result.warnings.push('the milestones table has no progress column; milestones not imported')
		}
	}

	if (tables.has('redeem_queue')) {
		const columns = columnsOf(legacy, 'redeem_queue')
		const idColumn = columns.has('id') ? 'id' : 'rowid'
		const insertRedemption = db.query<unknown, { redeem: string; type: string; viewer: string; note: string | null; created: string }>(
			`INSERT INTO redemptions (redeem, redeem_type, viewer_id, cost, note, status, created_at)
			VALUES ($redeem, $type, $viewer, 0, $note, 'pending', $created)`
		)
		type QueueRow = { id: unknown; created: unknown; redeem: unknown; redeemer_id: unknown; note: unknown }
		const rows = legacy
			.query<QueueRow, []>(`SELECT ${idColumn} AS id, created, redeem, redeemer_id, note FROM redeem_queue ORDER BY ${idColumn}`)
			.all()
		for (const row of rows) {
			const redeem = typeof row.redeem === 'string' ? row.redeem : undefined
			if (!redeem || row.redeemer_id === null || row.redeemer_id === undefined) {
				result.warnings.push(`skipped queue entry ${String(row.id)} without a redeem or redeemer`)
				continue
			}
			const viewer = String(row.redeemer_id)
			const note = row.note === null || row.note === undefined ? null : String(row.note)
			const key = [row.id, row.created, redeem, viewer, note].map((p) => String(p ?? '')).join('\u001f')
			if (!firstTime('queue', key)) {
				result.skipped++
				continue
			}
			const created = legacyTimeToIso(row.created)
			if (!created) result.warnings.push(`queue entry ${String(row.id)} had time ${JSON.stringify(row.created)}; imported with the import time`)
			ensureViewer.run({ id: viewer, name: viewer, now })
			const configured = findRedeem(redeems, redeem)
			const type = configured?.type === 'list' || configured?.type === 'note' ? configured.type : note ? 'note' : 'list'
			// The price paid is not in the old database; 0 means a later refund can never mint points.
			insertRedemption.run({ redeem, type, viewer, note, created: created ?? now })
			result.queue++
		}
	}
	return result
}
