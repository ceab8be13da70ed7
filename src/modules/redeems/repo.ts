// Counters, milestones and the redeem queue in SQLite. The only SQL for them lives here.
import type { Database } from 'bun:sqlite'
import { counterNames, milestoneGoals, type Redeem } from './model.ts'

export type CounterRow = { name: string; count: number }
export type MilestoneRow = { name: string; progress: number; goal: number; completed: boolean }
export type SyncResult = { added: string[]; removed: string[]; changed: string[] }

type MilestoneDbRow = { name: string; progress: number; goal: number; completed: number }

export const nowIso = (now: number = Date.now()) => new Date(now).toISOString()

export function createRedeemsRepo(db: Database) {
	const selectCounters = db.query<CounterRow, []>('SELECT name, count FROM counters ORDER BY name')
	const selectMilestones = db.query<MilestoneDbRow, []>(
		'SELECT name, progress, goal, completed FROM milestones ORDER BY name'
	)
	const selectMilestone = db.query<MilestoneDbRow, { name: string }>(
		'SELECT name, progress, goal, completed FROM milestones WHERE name = $name'
	)
	const selectCounter = db.query<CounterRow, { name: string }>('SELECT name, count FROM counters WHERE name = $name')
	const insertCounter = db.query<unknown, { name: string }>(
		'INSERT INTO counters (name, count) VALUES ($name, 0) ON CONFLICT (name) DO NOTHING'
	)
	const deleteCounter = db.query<unknown, { name: string }>('DELETE FROM counters WHERE name = $name')
	const insertMilestone = db.query<unknown, { name: string; goal: number }>(
		'INSERT INTO milestones (name, progress, goal, completed) VALUES ($name, 0, $goal, 0) ON CONFLICT (name) DO NOTHING'
	)
	const deleteMilestone = db.query<unknown, { name: string }>('DELETE FROM milestones WHERE name = $name')
	const updateMilestoneGoal = db.query<unknown, { name: string; goal: number; now: string }>(
		`UPDATE milestones SET goal = $goal, completed = (progress >= $goal),
			completed_at = CASE WHEN progress >= $goal THEN coalesce(completed_at, $now) ELSE NULL END
		WHERE name = $name`
	)
	const resetMilestoneProgress = db.query<unknown, { name: string }>(
		'UPDATE milestones SET progress = 0, completed = 0, completed_at = NULL WHERE name = $name'
	)
	const archiveQueue = db.query<unknown, { now: string }>(
		'UPDATE redemptions SET cleared_at = $now WHERE cleared_at IS NULL'
	)
	const zeroCounters = db.query<unknown, []>('UPDATE counters SET count = 0')

	const toMilestone = (row: MilestoneDbRow): MilestoneRow => ({ ...row, completed: row.completed === 1 })

	// Counters and milestones are matched case-insensitively (the columns are COLLATE NOCASE).
	const lowerSet = (names: readonly string[]) => new Set(names.map((n) => n.toLowerCase()))

	const syncCounters = db.transaction((names: readonly string[], removeStale: boolean): SyncResult => {
		const existing = selectCounters.all()
		const known = lowerSet(existing.map((c) => c.name))
		const wanted = lowerSet(names)
		const added = names.filter((n) => !known.has(n.toLowerCase()))
		for (const name of added) insertCounter.run({ name })
		const removed = removeStale ? existing.map((c) => c.name).filter((n) => !wanted.has(n.toLowerCase())) : []
		for (const name of removed) deleteCounter.run({ name })
		return { added, removed, changed: [] }
	})

	const syncMilestones = db.transaction(
		(goals: readonly { name: string; goal: number }[], refresh: boolean, now: number): SyncResult => {
			const existing = new Map(selectMilestones.all().map((m) => [m.name.toLowerCase(), m]))
			const wanted = lowerSet(goals.map((g) => g.name))
			const added: string[] = []
			const changed: string[] = []
			for (const { name, goal } of goals) {
				const current = existing.get(name.toLowerCase())
				if (!current) {
					insertMilestone.run({ name, goal })
					added.push(name)
				} else if (refresh && current.goal !== goal) {
					updateMilestoneGoal.run({ name, goal, now: nowIso(now) })
					changed.push(`${current.name} (goal ${current.goal} -> ${goal})`)
				}
			}
			const removed = refresh
				? [...existing.values()].map((m) => m.name).filter((n) => !wanted.has(n.toLowerCase()))
				: []
			for (const name of removed) deleteMilestone.run({ name })
			return { added, removed, changed }
		}
	)

	return {
		counters: () => selectCounters.all(),
		counter: (name: string) => selectCounter.get({ name }) ?? undefined,
		milestones: () => selectMilestones.all().map(toMilestone),
		milestone: (name: string) => {
			const row = selectMilestone.get({ name })
			return row ? toMilestone(row) : undefined
		},

		/** Adds counters that are missing; with removeStale, deletes those not named. Keeps every count. */
		syncCounters,
		/**
		 * Adds milestones that are missing. With refresh, also deletes those not named and applies changed goals
		 * (recomputing completion); progress is always kept.
		 */
		syncMilestones,
		/** What serve does at start: add the counters and milestones redeems.toml names; delete none. */
		addMissingRows: (redeems: readonly Redeem[], now: number) => ({
			counters: syncCounters(counterNames(redeems), false),
			milestones: syncMilestones(milestoneGoals(redeems), false, now)
		}),

		/** Archives every queue entry (redemption rows are kept) and sets every counter to 0. */
		clearQueue: db.transaction((now: number) => {
			const archived = archiveQueue.run({ now: nowIso(now) }).changes
			const counters = zeroCounters.run().changes
			return { archived, counters }
		}),

		/** Archives the queue only (stream-start reset). */
		archiveQueue: (now: number) => archiveQueue.run({ now: nowIso(now) }).changes,
		/** Sets every counter to 0 (stream-start reset). */
		zeroCounters: () => zeroCounters.run().changes,

		resetMilestone: (name: string) => resetMilestoneProgress.run({ name }).changes === 1
	}
}

export type RedeemsRepo = ReturnType<typeof createRedeemsRepo>
