// Viewers, balances and every spend, in SQLite. Each change of a balance is one IMMEDIATE transaction with a
// guarded update (… WHERE balance >= cost) and its ledger row, so nothing can overspend, double-award or vanish.
import type { Database } from 'bun:sqlite'
import { nowIso } from '../redeems/repo.ts'

export type ViewerInput = { id: string; displayName: string; isModerator?: boolean }
export type Viewer = { id: string; displayName: string; balance: number; isModerator: boolean }

export type SpendResult = { ok: true; balance: number } | { ok: false; reason: 'insufficient_points'; balance: number }
export type QueueSpendResult = (SpendResult & { ok: false }) | { ok: true; balance: number; redemptionId: number }
export type CounterSpendResult = (SpendResult & { ok: false }) | { ok: true; balance: number; count: number }
export type DonationResult =
	| { ok: true; balance: number; charged: number; progress: number; goal: number; completed: boolean }
	| { ok: false; reason: 'insufficient_points'; balance: number }
	| { ok: false; reason: 'milestone_complete' | 'milestone_missing' }
export type AwardResult =
	| { awarded: true; viewers: number; newViewers: number }
	| { awarded: false; reason: 'too_soon'; lastAwardAt: number }

const LAST_AWARD_KEY = 'last_points_award_at'

type ViewerRow = { id: string; displayName: string; balance: number; isModerator: number }

export function createPointsRepo(db: Database, options: { startingPoints: number }) {
	const selectViewer = db.query<ViewerRow, { id: string }>(
		'SELECT id, display_name AS displayName, balance, is_moderator AS isModerator FROM viewers WHERE id = $id'
	)
	const insertViewer = db.query<unknown, { id: string; name: string; moderator: number; balance: number; now: string }>(
		`INSERT INTO viewers (id, display_name, balance, is_moderator, created_at, seen_at)
		VALUES ($id, $name, $balance, $moderator, $now, $now) ON CONFLICT (id) DO NOTHING`
	)
	const updateViewerSeen = db.query<unknown, { id: string; name: string; moderator: number; now: string }>(
		'UPDATE viewers SET display_name = $name, is_moderator = $moderator, seen_at = $now WHERE id = $id'
	)
	const renameViewer = db.query<unknown, { id: string; name: string }>(
		'UPDATE viewers SET display_name = $name WHERE id = $id'
	)
	const insertLedger = db.query<
		unknown,
		{ id: string; delta: number; reason: string; redeem: string | null; redemption: number | null; now: string }
	>(
		`INSERT INTO ledger (viewer_id, delta, reason, redeem, redemption_id, created_at)
		VALUES ($id, $delta, $reason, $redeem, $redemption, $now)`
	)
	// The guard: a charge only happens when the balance covers it, checked by SQLite in the same statement.
	const charge = db.query<{ balance: number }, { id: string; cost: number }>(
		'UPDATE viewers SET balance = balance - $cost WHERE id = $id AND balance >= $cost RETURNING balance'
	)
	const balanceOf = db.query<{ balance: number }, { id: string }>('SELECT balance FROM viewers WHERE id = $id')
	const insertRedemption = db.query<
		{ id: number },
		{ redeem: string; type: string; viewer: string; cost: number; note: string | null; now: string }
	>(
		`INSERT INTO redemptions (redeem, redeem_type, viewer_id, cost, note, created_at)
		VALUES ($redeem, $type, $viewer, $cost, $note, $now) RETURNING id`
	)
	const bumpCounter = db.query<{ count: number }, { name: string }>(
		`INSERT INTO counters (name, count) VALUES ($name, 1)
		ON CONFLICT (name) DO UPDATE SET count = count + 1 RETURNING count`
	)
	const selectMilestone = db.query<{ progress: number; goal: number; completed: number }, { name: string }>(
		'SELECT progress, goal, completed FROM milestones WHERE name = $name'
	)
	const addProgress = db.query<{ progress: number; completed: number }, { name: string; amount: number; now: string }>(
		`UPDATE milestones SET progress = progress + $amount,
			completed = (progress + $amount >= goal),
			completed_at = CASE WHEN progress + $amount >= goal THEN $now END
		WHERE name = $name AND completed = 0 AND progress + $amount <= goal
		RETURNING progress, completed`
	)
	const selectState = db.query<{ value: string }, { key: string }>('SELECT value FROM bot_state WHERE key = $key')
	const upsertState = db.query<unknown, { key: string; value: string }>(
		'INSERT INTO bot_state (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value'
	)

	// The points award works set-wise on a per-connection temporary list, so 100,000 viewers stay fast.
	db.run('CREATE TEMP TABLE IF NOT EXISTS award_list (id TEXT PRIMARY KEY, name TEXT NOT NULL, is_new INTEGER NOT NULL)')
	const clearAwardList = db.query<unknown, []>('DELETE FROM temp.award_list')
	const fillAwardList = db.query<unknown, { json: string }>(
		`INSERT OR IGNORE INTO temp.award_list (id, name, is_new)
		SELECT value ->> 'id', value ->> 'name', NOT EXISTS (SELECT 1 FROM viewers WHERE viewers.id = value ->> 'id')
		FROM json_each($json)`
	)
	const dropBotsFromAwardList = db.query<unknown, []>(
		'DELETE FROM temp.award_list WHERE id IN (SELECT id FROM viewers WHERE is_bot = 1)'
	)
	const insertNewViewers = db.query<unknown, { at: string }>(
		`INSERT INTO viewers (id, display_name, balance, created_at, seen_at)
		SELECT id, name, 0, $at, $at FROM temp.award_list WHERE is_new`
	)
	const insertStartingLedger = db.query<unknown, { starting: number; at: string }>(
		`INSERT INTO ledger (viewer_id, delta, reason, created_at)
		SELECT id, $starting, 'starting', $at FROM temp.award_list WHERE is_new`
	)
	const insertCycleLedger = db.query<unknown, { amount: number; at: string }>(
		`INSERT INTO ledger (viewer_id, delta, reason, created_at) SELECT id, $amount, 'cycle', $at FROM temp.award_list`
	)
	const applyAward = db.query<unknown, { amount: number; starting: number; at: string }>(
		`UPDATE viewers SET balance = balance + $amount + award.is_new * $starting, display_name = award.name, seen_at = $at
		FROM temp.award_list AS award WHERE viewers.id = award.id`
	)
	const countAwardList = db.query<{ viewers: number; newViewers: number }, []>(
		'SELECT count(*) AS viewers, coalesce(sum(is_new), 0) AS newViewers FROM temp.award_list'
	)

	const toViewer = (row: ViewerRow): Viewer => ({ ...row, isModerator: row.isModerator === 1 })

	/** Creates the viewer if new (with starting points, in the ledger) or refreshes name and moderator flag. */
	function upsertViewer(viewer: ViewerInput, now: string): { created: boolean } {
		const moderator = viewer.isModerator ? 1 : 0
		const created =
			insertViewer.run({ id: viewer.id, name: viewer.displayName, moderator, balance: options.startingPoints, now }).changes === 1
		if (created) {
			if (options.startingPoints > 0) {
				insertLedger.run({ id: viewer.id, delta: options.startingPoints, reason: 'starting', redeem: null, redemption: null, now })
			}
		} else {
			updateViewerSeen.run({ id: viewer.id, name: viewer.displayName, moderator, now })
		}
		return { created }
	}

	/** Charges cost, or reports the balance that was not enough. Runs inside the caller's transaction. */
	function chargeViewer(id: string, cost: number): { ok: true; balance: number } | { ok: false; balance: number } {
		const row = charge.get({ id, cost })
		if (row) return { ok: true, balance: row.balance }
		return { ok: false, balance: balanceOf.get({ id })?.balance ?? 0 }
	}

	const touch = db.transaction((viewer: ViewerInput, now: number) => upsertViewer(viewer, nowIso(now)))

	const spendOnQueue = db.transaction(
		(input: { viewerId: string; redeem: string; type: 'list' | 'note'; price: number; note: string | null }, now: number): QueueSpendResult => {
			const at = nowIso(now)
			const charged = chargeViewer(input.viewerId, input.price)
			if (!charged.ok) return { ok: false, reason: 'insufficient_points', balance: charged.balance }
			const redemption = insertRedemption.get({
				redeem: input.redeem,
				type: input.type,
				viewer: input.viewerId,
				cost: input.price,
				note: input.note,
				now: at
			}) as { id: number }
			insertLedger.run({ id: input.viewerId, delta: -input.price, reason: 'redeem', redeem: input.redeem, redemption: redemption.id, now: at })
			return { ok: true, balance: charged.balance, redemptionId: redemption.id }
		}
	)

	const spendOnCounter = db.transaction(
		(input: { viewerId: string; redeem: string; price: number }, now: number): CounterSpendResult => {
			const at = nowIso(now)
			const charged = chargeViewer(input.viewerId, input.price)
			if (!charged.ok) return { ok: false, reason: 'insufficient_points', balance: charged.balance }
			const { count } = bumpCounter.get({ name: input.redeem }) as { count: number }
			insertLedger.run({ id: input.viewerId, delta: -input.price, reason: 'redeem', redeem: input.redeem, redemption: null, now: at })
			return { ok: true, balance: charged.balance, count }
		}
	)

	const donate = db.transaction(
		(input: { viewerId: string; milestone: string; amount: number }, now: number): DonationResult => {
			const at = nowIso(now)
			const milestone = selectMilestone.get({ name: input.milestone })
			if (!milestone) return { ok: false, reason: 'milestone_missing' }
			if (milestone.completed) return { ok: false, reason: 'milestone_complete' }
			// Only what the goal still needs is charged.
			const amount = Math.min(input.amount, milestone.goal - milestone.progress)
			if (amount <= 0) return { ok: false, reason: 'milestone_complete' }
			const charged = chargeViewer(input.viewerId, amount)
			if (!charged.ok) return { ok: false, reason: 'insufficient_points', balance: charged.balance }
			const updated = addProgress.get({ name: input.milestone, amount, now: at })
			// Cannot happen inside this transaction, but never charge without the progress.
			if (!updated) throw new Error(`milestone ${input.milestone} changed during a donation`)
			insertLedger.run({ id: input.viewerId, delta: -amount, reason: 'donation', redeem: input.milestone, redemption: null, now: at })
			return {
				ok: true,
				balance: charged.balance,
				charged: amount,
				progress: updated.progress,
				goal: milestone.goal,
				completed: updated.completed === 1
			}
		}
	)

	/**
	 * One points award for everyone in chat, as one transaction. Skipped when another award (from this or any other
	 * process on this database) happened less than minIntervalMs ago.
	 */
	const award = db.transaction(
		(viewers: readonly ViewerInput[], amount: number, now: number, minIntervalMs: number): AwardResult => {
			const last = Number(selectState.get({ key: LAST_AWARD_KEY })?.value ?? Number.NaN)
			// Either order counts: a process that read the clock first may get the lock second.
			if (Number.isFinite(last) && Math.abs(now - last) < minIntervalMs) {
				return { awarded: false, reason: 'too_soon', lastAwardAt: last }
			}
			upsertState.run({ key: LAST_AWARD_KEY, value: String(now) })
			const at = nowIso(now)
			const json = JSON.stringify(viewers.map((v) => ({ id: v.id, name: v.displayName })))
			clearAwardList.run()
			fillAwardList.run({ json })
			// Viewers the bot has marked as bots never earn.
			dropBotsFromAwardList.run()
			insertNewViewers.run({ at })
			if (options.startingPoints > 0) insertStartingLedger.run({ starting: options.startingPoints, at })
			if (amount > 0) insertCycleLedger.run({ amount, at })
			applyAward.run({ amount, starting: options.startingPoints, at })
			const counts = countAwardList.get() as { viewers: number; newViewers: number }
			clearAwardList.run()
			return { awarded: true, ...counts }
		}
	)

	return {
		viewer: (id: string): Viewer | undefined => {
			const row = selectViewer.get({ id })
			return row ? toViewer(row) : undefined
		},
		touchViewer: (viewer: ViewerInput, now: number) => touch.immediate(viewer, now),
		renameViewer: (id: string, name: string) => renameViewer.run({ id, name }).changes === 1,
		spendOnQueue: (input: Parameters<typeof spendOnQueue>[0], now: number) => spendOnQueue.immediate(input, now),
		spendOnCounter: (input: Parameters<typeof spendOnCounter>[0], now: number) => spendOnCounter.immediate(input, now),
		donateToMilestone: (input: Parameters<typeof donate>[0], now: number) => donate.immediate(input, now),
		awardPoints: (viewers: readonly ViewerInput[], amount: number, now: number, minIntervalMs: number) =>
			award.immediate(viewers, amount, now, minIntervalMs),
		state: (key: string) => selectState.get({ key })?.value,
		setState: (key: string, value: string) => upsertState.run({ key, value })
	}
}

export type PointsRepo = ReturnType<typeof createPointsRepo>
