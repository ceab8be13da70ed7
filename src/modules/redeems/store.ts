// Counters, milestones and redeem controls (paused, stock used): the only module that reads or writes the
// counters, milestones and redeem_controls tables. The statements that change them during a purchase run
// inside the caller's transaction (see purchase.ts).
import type { Database } from 'bun:sqlite'
import { nowIso } from '../../db/time.ts'
import { counterNames, milestoneGoals, type Redeem } from './model.ts'

export type CounterRow = { name: string; count: number }
export type MilestoneRow = { name: string; progress: number; goal: number; completed: boolean }
export type SyncResult = { added: string[]; removed: string[]; changed: string[] }

type MilestoneDbRow = { name: string; progress: number; goal: number; completed: number }

export type RedeemControls = { paused: boolean; stockUsed: number }

export function createRedeemStore(db: Database) {
	// In no particular order: pages show them in redeems.toml order (see inFileOrder in model.ts).
	const selectCounters = db.query<CounterRow, []>('SELECT name, count FROM counters')
	const selectMilestones = db.query<MilestoneDbRow, []>('SELECT name, progress, goal, completed FROM milestones')
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
	const zeroCounters = db.query<unknown, []>('UPDATE counters SET count = 0')
	const bumpCounter = db.query<{ count: number }, { name: string }>(
		`INSERT INTO counters (name, count) VALUES ($name, 1)
		ON CONFLICT (name) DO UPDATE SET count = count + 1 RETURNING count`
	)
	const addToCounter = db.query<unknown, { name: string; count: number }>(
		'INSERT INTO counters (name, count) VALUES ($name, $count) ON CONFLICT (name) DO UPDATE SET count = count + excluded.count'
	)
	const addProgress = db.query<{ progress: number; completed: number }, { name: string; amount: number; now: string }>(
		`UPDATE milestones SET progress = progress + $amount,
			completed = (progress + $amount >= goal),
			completed_at = CASE WHEN progress + $amount >= goal THEN $now END
		WHERE name = $name AND completed = 0 AND progress + $amount <= goal
		RETURNING progress, completed`
	)
	const mergeMilestone = db.query<unknown, { name: string; progress: number; goal: number; complete: number; now: string }>(
		`INSERT INTO milestones (name, progress, goal, completed, completed_at)
		VALUES ($name, $progress, $goal, ($complete OR $progress >= $goal), CASE WHEN $complete OR $progress >= $goal THEN $now END)
		ON CONFLICT (name) DO UPDATE SET progress = progress + excluded.progress,
			completed = (completed OR progress + excluded.progress >= goal),
			completed_at = CASE WHEN completed OR progress + excluded.progress >= goal THEN coalesce(completed_at, $now) END`
	)
	const selectControls = db.query<{ paused: number; stockUsed: number }, { name: string }>(
		'SELECT paused, stock_used AS stockUsed FROM redeem_controls WHERE name = $name'
	)
	const consumeStock = db.query<unknown, { name: string }>(
		`INSERT INTO redeem_controls (name, stock_used) VALUES ($name, 1)
		ON CONFLICT (name) DO UPDATE SET stock_used = stock_used + 1`
	)
	const setPaused = db.query<unknown, { name: string; paused: number }>(
		`INSERT INTO redeem_controls (name, paused) VALUES ($name, $paused)
		ON CONFLICT (name) DO UPDATE SET paused = excluded.paused`
	)
	const pausedNames = db.query<{ name: string }, []>('SELECT name FROM redeem_controls WHERE paused = 1')
	const restock = db.query<unknown, { name: string }>(
		'INSERT INTO redeem_controls (name, stock_used) VALUES ($name, 0) ON CONFLICT (name) DO UPDATE SET stock_used = 0'
	)

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

		/** Sets every counter to 0; returns how many. */
		zeroCounters: () => zeroCounters.run().changes,

		resetMilestone: (name: string) => resetMilestoneProgress.run({ name }).changes === 1,

		// Inside the caller's transaction (a purchase):
		/** One more use of a counter redeem; returns the new count. */
		bumpCounter: (name: string) => (bumpCounter.get({ name }) as { count: number }).count,
		/**
		 * Adds a donation to a milestone that is not complete and whose goal it does not overshoot; the new
		 * progress, or undefined when it cannot take that amount.
		 */
		addProgress(name: string, amount: number, now: number): { progress: number; completed: boolean } | undefined {
			const row = addProgress.get({ name, amount, now: nowIso(now) })
			return row ? { progress: row.progress, completed: row.completed === 1 } : undefined
		},
		/** Counts one use against the redeem's stock. */
		consumeStock: (name: string) => void consumeStock.run({ name }),

		controls(name: string): RedeemControls {
			const row = selectControls.get({ name })
			return { paused: row?.paused === 1, stockUsed: row?.stockUsed ?? 0 }
		},
		setPaused: (name: string, paused: boolean) => void setPaused.run({ name, paused: paused ? 1 : 0 }),
		pausedNames: () => pausedNames.all().map((r) => r.name),
		restock: (name: string) => void restock.run({ name }),

		// What import-legacy brings in: counts and progress added to what is there.
		importCounter: (name: string, count: number) => void addToCounter.run({ name, count }),
		importMilestone: (input: { name: string; progress: number; goal: number; complete: boolean }, now: number) =>
			void mergeMilestone.run({ ...input, complete: input.complete ? 1 : 0, now: nowIso(now) })
	}
}

export type RedeemStore = ReturnType<typeof createRedeemStore>
