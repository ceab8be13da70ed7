// Predictions and their bets: the only module that reads or writes the predictions and prediction_bets tables.
// Every statement runs inside the caller's transaction (the predictions service combines them with the viewers'
// balances and ledger in one `transact`). Outcomes are stored as a JSON list of names; a bet's `outcome` and a
// prediction's `winner` are 0-based indexes into that list. The pool of an outcome is the sum of its bets.
import type { Database } from 'bun:sqlite'
import { nowIso } from '../../db/time.ts'

export type PredictionStatus = 'open' | 'locked' | 'resolved' | 'cancelled'

export type Prediction = {
	id: number
	question: string
	outcomes: string[]
	status: PredictionStatus
	/** When betting ends (unix ms), or null: only a moderator locks it. */
	closesAt: number | null
	/** The winning outcome's index, once resolved. */
	winner: number | null
	openedBy: string
	createdAt: string
	lockedAt: string | null
	settledAt: string | null
}

/** One outcome's pool: the sum of its bets and how many viewers bet on it. */
export type Pool = { outcome: number; pool: number; bettors: number }
/** One viewer's bet on a prediction (one row per viewer; later bets add to it). */
export type Bet = { viewerId: string; outcome: number; amount: number; createdAt: string }

type PredictionRow = Omit<Prediction, 'outcomes'> & { outcomes: string }

const COLUMNS = `id, question, outcomes, status, closes_at AS closesAt, winner, opened_by AS openedBy, created_at AS createdAt,
	locked_at AS lockedAt, settled_at AS settledAt`

export function createPredictionStore(db: Database) {
	const selectActive = db.query<PredictionRow, []>(
		`SELECT ${COLUMNS} FROM predictions WHERE status IN ('open', 'locked') ORDER BY id DESC LIMIT 1`
	)
	const selectLatestSettled = db.query<PredictionRow, []>(
		`SELECT ${COLUMNS} FROM predictions WHERE status IN ('resolved', 'cancelled') ORDER BY id DESC LIMIT 1`
	)
	const selectById = db.query<PredictionRow, { id: number }>(`SELECT ${COLUMNS} FROM predictions WHERE id = $id`)
	// What the once-a-second timer reads: no write transaction unless there is something to lock.
	const selectDue = db.query<{ id: number }, { now: number }>(
		"SELECT id FROM predictions WHERE status = 'open' AND closes_at IS NOT NULL AND closes_at <= $now LIMIT 1"
	)
	const insert = db.query<{ id: number }, { question: string; outcomes: string; closesAt: number | null; by: string; at: string }>(
		`INSERT INTO predictions (question, outcomes, status, closes_at, opened_by, created_at)
		VALUES ($question, $outcomes, 'open', $closesAt, $by, $at) RETURNING id`
	)
	const lockStmt = db.query<unknown, { id: number; at: string }>(
		"UPDATE predictions SET status = 'locked', locked_at = $at WHERE id = $id AND status = 'open'"
	)
	// The guard that makes settling happen once: only from open or locked, checked in the same statement.
	const settleStmt = db.query<unknown, { id: number; status: string; winner: number | null; at: string }>(
		`UPDATE predictions SET status = $status, winner = $winner, settled_at = $at, locked_at = coalesce(locked_at, $at)
		WHERE id = $id AND status IN ('open', 'locked')`
	)
	const selectPools = db.query<Pool, { id: number }>(
		`SELECT outcome, sum(amount) AS pool, count(*) AS bettors FROM prediction_bets
		WHERE prediction_id = $id GROUP BY outcome ORDER BY outcome`
	)
	const selectBet = db.query<Bet, { id: number; viewer: string }>(
		`SELECT viewer_id AS viewerId, outcome, amount, created_at AS createdAt FROM prediction_bets
		WHERE prediction_id = $id AND viewer_id = $viewer`
	)
	// One row per viewer: a later bet on the same outcome adds to it and keeps the first bet's time; a bet on
	// another outcome changes nothing (no row returned).
	const upsertBet = db.query<{ amount: number }, { id: number; viewer: string; outcome: number; amount: number; at: string }>(
		`INSERT INTO prediction_bets (prediction_id, viewer_id, outcome, amount, created_at)
		VALUES ($id, $viewer, $outcome, $amount, $at)
		ON CONFLICT (prediction_id, viewer_id) DO UPDATE SET amount = amount + excluded.amount WHERE outcome = excluded.outcome
		RETURNING amount`
	)
	// The payout order: largest bet first, then the earlier bet, then the viewer id (the remainder goes in this order).
	const selectBetsOn = db.query<Bet, { id: number; outcome: number }>(
		`SELECT viewer_id AS viewerId, outcome, amount, created_at AS createdAt FROM prediction_bets
		WHERE prediction_id = $id AND outcome = $outcome ORDER BY amount DESC, created_at, viewer_id`
	)
	const selectBets = db.query<Bet, { id: number }>(
		`SELECT viewer_id AS viewerId, outcome, amount, created_at AS createdAt FROM prediction_bets
		WHERE prediction_id = $id ORDER BY viewer_id`
	)

	const toPrediction = (row: PredictionRow | null): Prediction | undefined =>
		row ? { ...row, outcomes: JSON.parse(row.outcomes) as string[] } : undefined

	return {
		/** The prediction that is open or locked (at most one: the database's unique index says so too). */
		active: () => toPrediction(selectActive.get()),
		/** The latest resolved or cancelled prediction. */
		latestSettled: () => toPrediction(selectLatestSettled.get()),
		byId: (id: number) => toPrediction(selectById.get({ id })),
		/** The id of an open prediction whose window has ended (now >= closes_at), if any. */
		dueToLock: (now: number): number | undefined => selectDue.get({ now })?.id,

		/** A new open prediction; throws (unique index) when one is already open or locked. Returns its id. */
		open(input: { question: string; outcomes: readonly string[]; closesAt: number | null; openedBy: string }, now: number): number {
			const row = insert.get({
				question: input.question,
				outcomes: JSON.stringify(input.outcomes),
				closesAt: input.closesAt,
				by: input.openedBy,
				at: nowIso(now)
			}) as { id: number }
			return row.id
		},
		/** Open -> locked; false when it was not open. */
		lock: (id: number, now: number): boolean => lockStmt.run({ id, at: nowIso(now) }).changes === 1,
		/** Open or locked -> resolved (with its winner) or cancelled; false when it was neither (settled already). */
		settle: (id: number, status: 'resolved' | 'cancelled', winner: number | null, now: number): boolean =>
			settleStmt.run({ id, status, winner, at: nowIso(now) }).changes === 1,

		/** Pools of the outcomes that have bets, by outcome index. */
		pools: (id: number): Pool[] => selectPools.all({ id }),
		bet: (id: number, viewerId: string) => selectBet.get({ id, viewer: viewerId }) ?? undefined,
		/** Adds to the viewer's bet (or makes it); returns the viewer's bet now, or undefined if they bet on another outcome. */
		addBet(id: number, viewerId: string, outcome: number, amount: number, now: number): number | undefined {
			return upsertBet.get({ id, viewer: viewerId, outcome, amount, at: nowIso(now) })?.amount
		},
		/** The bets on one outcome in payout order: amount descending, then the earlier bet, then viewer id. */
		betsOn: (id: number, outcome: number): Bet[] => selectBetsOn.all({ id, outcome }),
		/** Every bet of a prediction. */
		bets: (id: number): Bet[] => selectBets.all({ id })
	}
}

export type PredictionStore = ReturnType<typeof createPredictionStore>
