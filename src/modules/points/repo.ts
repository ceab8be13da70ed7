// Viewers, balances and every spend, in SQLite. Each change of a balance is one IMMEDIATE transaction with a
// guarded update (… WHERE balance >= cost) and its ledger row, so nothing can overspend, double-award or vanish.
import type { Database } from 'bun:sqlite'
import type { RedeemUsage } from '../redeems/limits.ts'
import type { RedeemLimits } from '../redeems/model.ts'
import { nowIso } from '../redeems/repo.ts'

export type ViewerInput = { id: string; displayName: string; isModerator?: boolean }
export type Viewer = { id: string; displayName: string; balance: number; isModerator: boolean }

/** Checks run inside the spend transaction, before anything is charged: a refusal leaves no trace at all. */
export type SpendGuard<R> = () => R | undefined
type Refused<R> = { ok: false; reason: 'refused'; refusal: R }
type Insufficient = { ok: false; reason: 'insufficient_points'; balance: number }
type UseOptions<R> = {
	/** Limits, read and decided inside the transaction. */
	guard?: SpendGuard<R>
	/** Counts this use against the redeem's stock. */
	consumesStock?: boolean
}

export type SpendResult = { ok: true; balance: number } | Insufficient
export type QueueSpendResult<R = never> = Insufficient | Refused<R> | { ok: true; balance: number; redemptionId: number }
export type CounterSpendResult<R = never> = Insufficient | Refused<R> | { ok: true; balance: number; count: number }
export type DonationResult<R = never> =
	| { ok: true; balance: number; charged: number; progress: number; goal: number; completed: boolean }
	| Insufficient
	| Refused<R>
	| { ok: false; reason: 'milestone_complete' | 'milestone_missing' }

/** Past uses of one redeem, for limits; whether the stream is live comes from elsewhere. */
export type UsageFacts = Omit<RedeemUsage, 'live'>

export type AwardResult =
	| { awarded: true; viewers: number; newViewers: number }
	| { awarded: false; reason: 'too_soon'; lastAwardAt: number }

const LAST_AWARD_KEY = 'last_points_award_at'
/** seen_at only orders name look-ups; refreshing it once a minute is enough. */
const SEEN_REFRESH_MS = 60_000

type ViewerRow = { id: string; displayName: string; balance: number; isModerator: number }

export function createPointsRepo(db: Database, options: { startingPoints: number }) {
	const selectViewer = db.query<ViewerRow, { id: string }>(
		'SELECT id, display_name AS displayName, balance, is_moderator AS isModerator FROM viewers WHERE id = $id'
	)
	const selectSeen = db.query<{ displayName: string; isModerator: number; seenAt: string }, { id: string }>(
		'SELECT display_name AS displayName, is_moderator AS isModerator, seen_at AS seenAt FROM viewers WHERE id = $id'
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
		{ redeem: string; type: string; viewer: string; cost: number; note: string | null; status: string; now: string; resolved: string | null }
	>(
		`INSERT INTO redemptions (redeem, redeem_type, viewer_id, cost, note, status, created_at, resolved_at)
		VALUES ($redeem, $type, $viewer, $cost, $note, $status, $now, $resolved) RETURNING id`
	)
	const consumeStock = db.query<unknown, { name: string }>(
		`INSERT INTO redeem_controls (name, stock_used) VALUES ($name, 1)
		ON CONFLICT (name) DO UPDATE SET stock_used = stock_used + 1`
	)
	const lastUse = db.query<{ at: string | null }, { redeem: string }>(
		"SELECT max(created_at) AS at FROM ledger WHERE redeem = $redeem AND reason IN ('redeem', 'donation')"
	)
	const lastUseByViewer = db.query<{ at: string | null }, { redeem: string; viewer: string }>(
		"SELECT max(created_at) AS at FROM ledger WHERE viewer_id = $viewer AND redeem = $redeem AND reason IN ('redeem', 'donation')"
	)
	// Counting stops at the limit: a popular redeem's long history costs nothing past it.
	const usesSince = db.query<{ n: number }, { redeem: string; since: string; max: number }>(
		`SELECT count(*) AS n FROM (SELECT 1 FROM ledger
		WHERE redeem = $redeem AND reason IN ('redeem', 'donation') AND created_at >= $since LIMIT $max)`
	)
	const usesByViewerSince = db.query<{ n: number }, { redeem: string; viewer: string; since: string; max: number }>(
		`SELECT count(*) AS n FROM (SELECT 1 FROM ledger
		WHERE viewer_id = $viewer AND redeem = $redeem AND reason IN ('redeem', 'donation') AND created_at >= $since LIMIT $max)`
	)
	const selectControls = db.query<{ paused: number; stockUsed: number }, { name: string }>(
		'SELECT paused, stock_used AS stockUsed FROM redeem_controls WHERE name = $name'
	)
	const currentStreamStart = db.query<{ startedAt: string }, []>(
		'SELECT started_at AS startedAt FROM streams ORDER BY id DESC LIMIT 1'
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
	db.run('CREATE TEMP TABLE IF NOT EXISTS award_list (id TEXT PRIMARY KEY, name TEXT NOT NULL, is_new INTEGER NOT NULL) WITHOUT ROWID')
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
		`UPDATE viewers SET balance = balance + $amount + award.is_new * $starting, seen_at = $at
		FROM temp.award_list AS award WHERE viewers.id = award.id`
	)
	// Names rarely change: updating only those spares rewriting the display-name index for every viewer.
	const applyNames = db.query<unknown, []>(
		`UPDATE viewers SET display_name = award.name
		FROM temp.award_list AS award WHERE viewers.id = award.id AND viewers.display_name IS NOT award.name`
	)
	const countAwardList = db.query<{ viewers: number; newViewers: number }, []>(
		'SELECT count(*) AS viewers, coalesce(sum(is_new), 0) AS newViewers FROM temp.award_list'
	)

	const openStream = db.query<{ id: number }, []>('SELECT id FROM streams WHERE ended_at IS NULL ORDER BY id DESC LIMIT 1')
	const insertStream = db.query<unknown, { at: string }>('INSERT INTO streams (started_at) VALUES ($at)')
	const closeStreams = db.query<unknown, { at: string }>('UPDATE streams SET ended_at = $at WHERE ended_at IS NULL')

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

	/** Runs the guard and consumes stock inside the caller's transaction; returns a refusal to pass on. */
	function beforeCharge<R>(options: UseOptions<R>): Refused<R> | undefined {
		const refusal = options.guard?.()
		return refusal === undefined ? undefined : { ok: false, reason: 'refused', refusal }
	}
	function afterCharge(redeem: string, options: UseOptions<unknown>) {
		if (options.consumesStock) consumeStock.run({ name: redeem })
	}

	const spendOnQueue = db.transaction(
		<R>(
			input: { viewerId: string; redeem: string; type: 'list' | 'note'; price: number; note: string | null; autoFulfil?: boolean },
			now: number,
			options: UseOptions<R> = {}
		): QueueSpendResult<R> => {
			const refused = beforeCharge(options)
			if (refused) return refused
			const at = nowIso(now)
			const charged = chargeViewer(input.viewerId, input.price)
			if (!charged.ok) return { ok: false, reason: 'insufficient_points', balance: charged.balance }
			const redemption = insertRedemption.get({
				redeem: input.redeem,
				type: input.type,
				viewer: input.viewerId,
				cost: input.price,
				note: input.note,
				status: input.autoFulfil ? 'fulfilled' : 'pending',
				now: at,
				resolved: input.autoFulfil ? at : null
			}) as { id: number }
			insertLedger.run({ id: input.viewerId, delta: -input.price, reason: 'redeem', redeem: input.redeem, redemption: redemption.id, now: at })
			afterCharge(input.redeem, options)
			return { ok: true, balance: charged.balance, redemptionId: redemption.id }
		}
	)

	const spendOnCounter = db.transaction(
		<R>(input: { viewerId: string; redeem: string; price: number }, now: number, options: UseOptions<R> = {}): CounterSpendResult<R> => {
			const refused = beforeCharge(options)
			if (refused) return refused
			const at = nowIso(now)
			const charged = chargeViewer(input.viewerId, input.price)
			if (!charged.ok) return { ok: false, reason: 'insufficient_points', balance: charged.balance }
			const { count } = bumpCounter.get({ name: input.redeem }) as { count: number }
			insertLedger.run({ id: input.viewerId, delta: -input.price, reason: 'redeem', redeem: input.redeem, redemption: null, now: at })
			afterCharge(input.redeem, options)
			return { ok: true, balance: charged.balance, count }
		}
	)

	const donate = db.transaction(
		<R>(input: { viewerId: string; milestone: string; amount: number }, now: number, options: UseOptions<R> = {}): DonationResult<R> => {
			const at = nowIso(now)
			const milestone = selectMilestone.get({ name: input.milestone })
			if (!milestone) return { ok: false, reason: 'milestone_missing' }
			if (milestone.completed) return { ok: false, reason: 'milestone_complete' }
			const refused = beforeCharge(options)
			if (refused) return refused
			// Only what the goal still needs is charged.
			const amount = Math.min(input.amount, milestone.goal - milestone.progress)
			if (amount <= 0) return { ok: false, reason: 'milestone_complete' }
			const charged = chargeViewer(input.viewerId, amount)
			if (!charged.ok) return { ok: false, reason: 'insufficient_points', balance: charged.balance }
			const updated = addProgress.get({ name: input.milestone, amount, now: at })
			// Cannot happen inside this transaction, but never charge without the progress.
			if (!updated) throw new Error(`milestone ${input.milestone} changed during a donation`)
			insertLedger.run({ id: input.viewerId, delta: -amount, reason: 'donation', redeem: input.milestone, redemption: null, now: at })
			afterCharge(input.milestone, options)
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

	const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) : undefined)

	/**
	 * What limits need to know about one redeem and one viewer; call it inside a guard. Only the facts the given
	 * limits use are read (a redeem without limits costs one primary-key look-up), and counts stop at the limit.
	 */
	function usage(redeem: string, viewerId: string, limits: RedeemLimits): UsageFacts {
		const controls = selectControls.get({ name: redeem })
		// "This stream" is the latest one; before the first stream, every use counts.
		const since = limits.maxPerStream || limits.maxPerUserPerStream ? (currentStreamStart.get()?.startedAt ?? '') : ''
		return {
			lastUseAt: limits.cooldown ? time(lastUse.get({ redeem })?.at) : undefined,
			lastUseByViewerAt: limits.userCooldown ? time(lastUseByViewer.get({ redeem, viewer: viewerId })?.at) : undefined,
			usesThisStream: limits.maxPerStream ? (usesSince.get({ redeem, since, max: limits.maxPerStream })?.n ?? 0) : 0,
			usesByViewerThisStream: limits.maxPerUserPerStream
				? (usesByViewerSince.get({ redeem, viewer: viewerId, since, max: limits.maxPerUserPerStream })?.n ?? 0)
				: 0,
			stockUsed: controls?.stockUsed ?? 0,
			paused: controls?.paused === 1
		}
	}

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
			applyNames.run()
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
		touchViewer: (viewer: ViewerInput, now: number): { created: boolean } => {
			// Most messages come from viewers already known with the same name: a read, no write transaction.
			const known = selectSeen.get({ id: viewer.id })
			if (
				known &&
				known.displayName === viewer.displayName &&
				known.isModerator === (viewer.isModerator ? 1 : 0) &&
				now - Date.parse(known.seenAt) < SEEN_REFRESH_MS
			) {
				return { created: false }
			}
			return touch.immediate(viewer, now)
		},
		renameViewer: (id: string, name: string) => renameViewer.run({ id, name }).changes === 1,
		spendOnQueue: <R = never>(input: Parameters<typeof spendOnQueue>[0], now: number, options?: UseOptions<R>) =>
			spendOnQueue.immediate(input, now, options) as QueueSpendResult<R>,
		spendOnCounter: <R = never>(input: Parameters<typeof spendOnCounter>[0], now: number, options?: UseOptions<R>) =>
			spendOnCounter.immediate(input, now, options) as CounterSpendResult<R>,
		donateToMilestone: <R = never>(input: Parameters<typeof donate>[0], now: number, options?: UseOptions<R>) =>
			donate.immediate(input, now, options) as DonationResult<R>,
		usage,
		awardPoints: (viewers: readonly ViewerInput[], amount: number, now: number, minIntervalMs: number) =>
			award.immediate(viewers, amount, now, minIntervalMs),
		/** Records a stream start unless one is already open; true when this call started it. */
		startStream: db.transaction((now: number): boolean => {
			upsertState.run({ key: 'stream_live', value: '1' })
			if (openStream.get()) return false
			insertStream.run({ at: nowIso(now) })
			return true
		}).immediate,
		endStream: db.transaction((now: number) => {
			upsertState.run({ key: 'stream_live', value: '0' })
			closeStreams.run({ at: nowIso(now) })
		}).immediate,
		isLive: () => selectState.get({ key: 'stream_live' })?.value === '1',
		state: (key: string) => selectState.get({ key })?.value,
		setState: (key: string, value: string) => upsertState.run({ key, value })
	}
}

export type PointsRepo = ReturnType<typeof createPointsRepo>
