// Imports an original (Python) tlapbot database: points, counters, milestones and the redeem queue.
// Idempotent: every imported item is recorded in legacy_imports (this module's own table), so a second run
// changes nothing. What is imported goes through the stores that own each table, in one transaction.
import { Database } from 'bun:sqlite'
import { existsSync } from 'node:fs'
import { nowIso } from '../../db/time.ts'
import { createTransact } from '../../db/transaction.ts'
import { createRedemptionStore } from '../redemptions/store.ts'
import { findRedeem, type Redeem } from '../redeems/model.ts'
import { createRedeemStore } from '../redeems/store.ts'
import { createViewerStore } from '../viewers/store.ts'

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
		return createTransact(db)(() => importTables(db, legacy, tables, redeems, now))
	} finally {
		legacy.close()
	}
}

function importTables(
	db: Database,
	legacy: Database,
	tables: Set<string>,
	redeems: readonly Redeem[],
	nowMs: number
): LegacyImportResult {
	const now = nowIso(nowMs)
	const viewers = createViewerStore(db, { startingPoints: () => 0 })
	const counters = createRedeemStore(db)
	const redemptions = createRedemptionStore(db)
	const result: LegacyImportResult = { viewers: 0, points: 0, counters: 0, milestones: 0, queue: 0, skipped: 0, warnings: [] }
	const markImported = db.query<{ changes: number }, { kind: string; key: string; now: string }>(
		'INSERT INTO legacy_imports (kind, key, imported_at) VALUES ($kind, $key, $now) ON CONFLICT DO NOTHING'
	)
	/** True the first time a (kind, key) is seen; false when an earlier run imported it. */
	const firstTime = (kind: string, key: string) => markImported.run({ kind, key, now }).changes === 1

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
		viewers.ensure(id, name, nowMs)
		let delta = toInt(row.points)
		const balance = viewers.balance(id) ?? 0
		if (balance + delta < 0) {
			result.warnings.push(`viewer ${id} had ${delta} points in the old database; imported as ${-balance} so the balance stays at 0 or more`)
			delta = -balance
		}
		if (delta > 0) viewers.credit(id, delta, { reason: 'import' }, nowMs)
		else if (delta < 0) viewers.debit(id, -delta, { reason: 'import' }, nowMs)
		result.viewers++
		result.points += delta
	}

	if (tables.has('counters')) {
		for (const row of legacy.query<{ name: unknown; count: unknown }, []>('SELECT name, count FROM counters').all()) {
			if (typeof row.name !== 'string' || row.name === '') continue
			if (!firstTime('counter', row.name)) {
				result.skipped++
				continue
			}
			const count = Math.max(0, toInt(row.count))
			counters.importCounter(row.name, count)
			result.counters++
		}
	}

	if (tables.has('milestones')) {
		const columns = columnsOf(legacy, 'milestones')
		// Early versions of the original called the progress column "count".
		const progressColumn = columns.has('progress') ? 'progress' : columns.has('count') ? 'count' : undefined
		const completeColumn = columns.has('complete') ? 'complete' : '0'
		if (progressColumn) {
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
				counters.importMilestone(
					{ name: row.name, progress: Math.max(0, toInt(row.progress)), goal, complete: toInt(row.complete) !== 0 },
					nowMs
				)
				result.milestones++
			}
		} else {
			result.warnings.push('the milestones table has no progress column; milestones not imported')
		}
	}

	if (tables.has('redeem_queue')) {
		const columns = columnsOf(legacy, 'redeem_queue')
		const idColumn = columns.has('id') ? 'id' : 'rowid'
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
			viewers.ensure(viewer, viewer, nowMs)
			const configured = findRedeem(redeems, redeem)
			const type = configured?.type === 'list' || configured?.type === 'note' ? configured.type : note ? 'note' : 'list'
			// The price paid is not in the old database; 0 means a later refund can never mint points.
			redemptions.add({ redeem, type, viewerId: viewer, cost: 0, note, status: 'pending', createdAt: created ?? now })
			result.queue++
		}
	}
	return result
}
