// Predictions, as on Twitch: a moderator opens a question with 2 to 10 outcomes, viewers bet points on one outcome
// each, betting closes (a moderator locks it, or its window ends), and the answer pays the whole pool to the
// winners in proportion to their bets. Points are money: every change of a balance happens in the same `transact`
// as the bet row or the status change it belongs to, with its ledger row (reason bet / payout / bet_refund, ref
// "prediction:<id>"), so a crash or a race leaves a prediction either settled in full or not at all, and each
// bettor is paid or refunded at most once (also guarded by the ledger's unique index). No SQL here.
import { nowIso } from '../../db/time.ts'
import type { Transact } from '../../db/transaction.ts'
import type { AuditStore } from '../audit/store.ts'
import type { EventLog } from '../events/log.ts'
import type { ViewerStore } from '../viewers/store.ts'
import type { Bet, Pool, Prediction, PredictionStore } from './store.ts'

export const PREDICTION_LIMITS = {
	minOutcomes: 2,
	maxOutcomes: 10,
	maxOutcomeLength: 50,
	maxQuestionLength: 200,
	maxWindowSeconds: 86_400
} as const

export type OutcomeView = {
	name: string
	pool: number
	bettors: number
	/** Total pool / this outcome's pool, 2 decimals: what one point on it would pay back; null while nobody bet on it. */
	odds: number | null
}
/** The prediction that is running. An open one whose window has ended shows as locked. */
export type PredictionView = {
	id: number
	question: string
	status: 'open' | 'locked'
	closesAt: string | null
	outcomes: OutcomeView[]
	pool: number
}
/** A prediction that is over: resolved (winner is the answer) or cancelled (winner null). */
export type SettledPredictionView = Omit<PredictionView, 'status'> & { status: 'resolved' | 'cancelled'; winner: string | null }

/** What a viewer was paid or refunded when a prediction was settled. */
export type Payout = { viewerId: string; amount: number }

export type OpenInput = { question: string; outcomes: readonly string[]; windowSeconds?: number | undefined }
export type OpenResult =
	| { ok: true; prediction: PredictionView }
	| { ok: false; reason: 'already_open'; current: PredictionView }
	| { ok: false; reason: 'invalid'; problem: string }

export type BetResult =
	| { ok: true; prediction: PredictionView; outcome: string; amount: number; total: number; balance: number }
	| { ok: false; reason: 'none' }
	| { ok: false; reason: 'closed'; prediction: PredictionView }
	| { ok: false; reason: 'unknown_outcome'; prediction: PredictionView }
	| { ok: false; reason: 'other_outcome'; prediction: PredictionView; outcome: string }
	| { ok: false; reason: 'not_enough'; prediction: PredictionView; balance: number; amount: number }

export type LockResult =
	| { ok: true; prediction: PredictionView }
	| { ok: false; reason: 'none' }
	| { ok: false; reason: 'already_locked'; prediction: PredictionView }

export type ResolveResult =
	| {
			ok: true
			prediction: SettledPredictionView
			outcome: string
			/** The whole pool, all of it paid out (or refunded). */
			pool: number
			/** How many viewers bet on the answer (0 when everyone was refunded). */
			winners: number
			/** Nobody bet on the answer: every bet went back to its viewer. */
			refunded: boolean
			payouts: Payout[]
	  }
	| { ok: false; reason: 'none' }
	| { ok: false; reason: 'unknown_outcome'; prediction: PredictionView }

export type CancelResult =
	| { ok: true; prediction: SettledPredictionView; refunded: number; refunds: Payout[] }
	| { ok: false; reason: 'none' }

export type PredictionDeps = {
	transact: Transact
	store: PredictionStore
	viewers: Pick<ViewerStore, 'debit' | 'credit' | 'names'>
	/** prediction.opened, prediction.bet, prediction.locked, prediction.resolved, prediction.cancelled. */
	events: EventLog
	audit: Pick<AuditStore, 'record'>
}

/** The ledger's `ref` of a prediction's bets, payouts and refunds. */
export const predictionRef = (id: number) => `prediction:${id}`

/** Length in characters as people count them (code points), not UTF-16 units. */
const length = (text: string) => [...text].length

/** The problem with an opening, or undefined when it is fine. */
export function checkOpening(input: OpenInput): string | undefined {
	const L = PREDICTION_LIMITS
	const question = input.question.trim()
	if (length(question) < 1 || length(question) > L.maxQuestionLength) return `the question needs 1 to ${L.maxQuestionLength} characters`
	const outcomes = input.outcomes.map((o) => o.trim())
	if (outcomes.length < L.minOutcomes || outcomes.length > L.maxOutcomes) return `a prediction needs ${L.minOutcomes} to ${L.maxOutcomes} outcomes`
	if (outcomes.some((o) => length(o) < 1 || length(o) > L.maxOutcomeLength)) return `each outcome needs 1 to ${L.maxOutcomeLength} characters`
	if (new Set(outcomes.map((o) => o.toLowerCase())).size !== outcomes.length) return 'the outcomes must all be different'
	const w = input.windowSeconds
	if (w !== undefined && (!Number.isInteger(w) || w < 1 || w > L.maxWindowSeconds)) {
		return `the betting window must be 1 to ${L.maxWindowSeconds} seconds`
	}
	return undefined
}

/** An outcome by name (case-insensitive, which wins) or by 1-based number; undefined when neither. */
export function findOutcome(outcomes: readonly string[], text: string): number | undefined {
	const wanted = text.trim().toLowerCase()
	if (!wanted) return undefined
	const byName = outcomes.findIndex((o) => o.toLowerCase() === wanted)
	if (byName >= 0) return byName
	if (/^#?[0-9]{1,2}$/.test(wanted)) {
		const n = Number(wanted.replace('#', ''))
		if (n >= 1 && n <= outcomes.length) return n - 1
	}
	return undefined
}

/**
 * The pool shared between the winning bets (already in payout order: amount descending, earlier bet, viewer id):
 * floor(pool * bet / winningTotal) each, in BigInt (bets and pools go far past 2^53 when multiplied), then the
 * remainder one point each to the first bets in that order, so the payouts add up to the pool exactly.
 */
export function splitPool(pool: number, winning: readonly Pick<Bet, 'viewerId' | 'amount'>[]): Payout[] {
	const total = winning.reduce((sum, b) => sum + BigInt(b.amount), 0n)
	if (total === 0n) return []
	const big = BigInt(pool)
	const shares = winning.map((b) => (big * BigInt(b.amount)) / total)
	let remainder = big - shares.reduce((sum, s) => sum + s, 0n)
	// floor loses less than one point per bet, so the remainder is smaller than the number of winning bets.
	for (let i = 0; remainder > 0n; i++, remainder--) shares[i] = (shares[i] as bigint) + 1n
	return winning.map((b, i) => ({ viewerId: b.viewerId, amount: Number(shares[i]) }))
}

const odds = (total: number, pool: number) => (pool > 0 ? Math.round((total / pool) * 100) / 100 : null)

function outcomeViews(prediction: Prediction, pools: readonly Pool[]): { outcomes: OutcomeView[]; pool: number } {
	const byOutcome = new Map(pools.map((p) => [p.outcome, p]))
	const total = pools.reduce((sum, p) => sum + p.pool, 0)
	const outcomes = prediction.outcomes.map((name, i) => {
		const p = byOutcome.get(i)
		return { name, pool: p?.pool ?? 0, bettors: p?.bettors ?? 0, odds: odds(total, p?.pool ?? 0) }
	})
	return { outcomes, pool: total }
}

/** "yes 300, no 100" data for events: each outcome's name, pool and bettors. */
const poolsData = (view: { outcomes: readonly OutcomeView[] }) => view.outcomes.map((o) => ({ outcome: o.name, pool: o.pool, bettors: o.bettors }))

export function createPredictions(deps: PredictionDeps) {
	const { transact, store, viewers, events, audit } = deps

	const isClosed = (p: Prediction, now: number) => p.status !== 'open' || (p.closesAt !== null && now >= p.closesAt)

	function view(p: Prediction, now: number, pools: readonly Pool[] = store.pools(p.id)): PredictionView {
		return {
			id: p.id,
			question: p.question,
			status: isClosed(p, now) ? 'locked' : 'open',
			closesAt: p.closesAt === null ? null : nowIso(p.closesAt),
			...outcomeViews(p, pools)
		}
	}
	function settledView(p: Prediction, pools: readonly Pool[] = store.pools(p.id)): SettledPredictionView {
		return {
			id: p.id,
			question: p.question,
			status: p.status === 'resolved' ? 'resolved' : 'cancelled',
			closesAt: p.closesAt === null ? null : nowIso(p.closesAt),
			...outcomeViews(p, pools),
			winner: p.winner === null ? null : (p.outcomes[p.winner] ?? null)
		}
	}

	/** Open -> locked, with its event; inside the caller's transaction. */
	function lockNow(p: Prediction, now: number): PredictionView | undefined {
		if (!store.lock(p.id, now)) return undefined
		const locked = view({ ...p, status: 'locked' }, now)
		events.record('prediction.locked', { id: p.id, question: p.question, pools: poolsData(locked) }, now)
		return locked
	}

	/** Gives each viewer their amount back (payout or refund); a viewer who is not there any more undoes everything. */
	function pay(p: Prediction, payouts: readonly Payout[], reason: 'payout' | 'bet_refund', now: number) {
		const entry = { reason, ref: predictionRef(p.id) } as const
		for (const { viewerId, amount } of payouts) {
			if (amount <= 0) continue
			if (viewers.credit(viewerId, amount, entry, now) === undefined) throw new Error(`prediction ${p.id}: no viewer ${viewerId} to pay`)
		}
	}

	const refundsOf = (bets: readonly Bet[]): Payout[] => bets.map((b) => ({ viewerId: b.viewerId, amount: b.amount }))
	const sum = (payouts: readonly Payout[]) => payouts.reduce((total, p) => total + p.amount, 0)

	return {
		/** Opens a prediction; one at a time (open or locked). */
		open(input: OpenInput, actor: string, now: number): OpenResult {
			const problem = checkOpening(input)
			if (problem) return { ok: false, reason: 'invalid', problem }
			const question = input.question.trim()
			const outcomes = input.outcomes.map((o) => o.trim())
			const closesAt = input.windowSeconds === undefined ? null : now + input.windowSeconds * 1000
			return transact<OpenResult>(() => {
				const running = store.active()
				if (running) return { ok: false, reason: 'already_open', current: view(running, now) }
				const id = store.open({ question, outcomes, closesAt, openedBy: actor }, now)
				const prediction = view(store.byId(id) as Prediction, now, [])
				events.record('prediction.opened', { id, question, outcomes, closesAt: prediction.closesAt }, now)
				const window = input.windowSeconds === undefined ? '' : `, ${input.windowSeconds} s`
				audit.record(actor, 'prediction_open', `#${id} ${question} (${outcomes.join(' | ')}${window})`, now)
				return { ok: true, prediction }
			})
		},

		/**
		 * A viewer's bet: the points are taken (guarded, with a 'bet' ledger row) in the same transaction as the bet
		 * row. A second bet adds to the first, on the same outcome only. Amount: a positive integer.
		 */
		bet(viewerId: string, outcomeText: string, amount: number, now: number): BetResult {
			if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError(`a bet must be a positive integer, not ${amount}`)
			return transact<BetResult>((rollback) => {
				const p = store.active()
				if (!p) return { ok: false, reason: 'none' }
				if (isClosed(p, now)) return { ok: false, reason: 'closed', prediction: view(p, now) }
				const outcome = findOutcome(p.outcomes, outcomeText)
				if (outcome === undefined) return { ok: false, reason: 'unknown_outcome', prediction: view(p, now) }
				const earlier = store.bet(p.id, viewerId)
				if (earlier && earlier.outcome !== outcome) {
					return { ok: false, reason: 'other_outcome', prediction: view(p, now), outcome: p.outcomes[earlier.outcome] ?? '' }
				}
				const charged = viewers.debit(viewerId, amount, { reason: 'bet', ref: predictionRef(p.id) }, now)
				if (!charged.ok) return { ok: false, reason: 'not_enough', prediction: view(p, now), balance: charged.balance, amount }
				const total = store.addBet(p.id, viewerId, outcome, amount, now)
				// Checked above in this same transaction; never leave a charge without its bet.
				if (total === undefined) return rollback({ ok: false, reason: 'other_outcome', prediction: view(p, now), outcome: p.outcomes[earlier?.outcome ?? 0] ?? '' })
				const prediction = view(p, now)
				const name = p.outcomes[outcome] as string
				const who = { id: viewerId, name: deps.viewers.names([viewerId]).get(viewerId) ?? viewerId }
				events.record('prediction.bet', { id: p.id, viewer: who, outcome: name, amount, pools: poolsData(prediction) }, now)
				return { ok: true, prediction, outcome: name, amount, total, balance: charged.balance }
			})
		},

		/** A moderator ends betting. */
		lock(actor: string, now: number): LockResult {
			return transact<LockResult>(() => {
				const p = store.active()
				if (!p) return { ok: false, reason: 'none' }
				if (p.status === 'locked') return { ok: false, reason: 'already_locked', prediction: view(p, now) }
				const prediction = lockNow(p, now) as PredictionView
				audit.record(actor, 'prediction_lock', `#${p.id} ${p.question}`, now)
				return { ok: true, prediction }
			})
		},

		/** The timer (every second): locks an open prediction whose window has ended. True when it locked one. */
		expire(now: number): boolean {
			// A plain read first: no write transaction every second for nothing.
			if (store.dueToLock(now) === undefined) return false
			return transact(() => {
				const id = store.dueToLock(now)
				const p = id === undefined ? undefined : store.byId(id)
				return p !== undefined && lockNow(p, now) !== undefined
			})
		},

		/**
		 * The answer: an open prediction is locked first. The whole pool goes to the viewers who bet on the answer,
		 * in proportion to their bets (see splitPool); when nobody did, every bet is refunded. Status and every
		 * payout in one transaction: settled in full, once, or not at all.
		 */
		resolve(outcomeText: string, actor: string, now: number): ResolveResult {
			return transact<ResolveResult>(() => {
				const active = store.active()
				if (!active) return { ok: false, reason: 'none' }
				const winner = findOutcome(active.outcomes, outcomeText)
				if (winner === undefined) return { ok: false, reason: 'unknown_outcome', prediction: view(active, now) }
				if (active.status === 'open') lockNow(active, now)
				if (!store.settle(active.id, 'resolved', winner, now)) return { ok: false, reason: 'none' }
				const p: Prediction = { ...active, status: 'resolved', winner }
				const pools = store.pools(p.id)
				const pool = pools.reduce((total, x) => total + x.pool, 0)
				const winning = store.betsOn(p.id, winner)
				const refunded = winning.length === 0
				const payouts = refunded ? refundsOf(store.bets(p.id)) : splitPool(pool, winning)
				// The pool is paid out exactly: anything else is a bug, and undoes the whole settlement.
				if (sum(payouts) !== pool) throw new Error(`prediction ${p.id}: paid ${sum(payouts)} of a pool of ${pool}`)
				pay(p, payouts, refunded ? 'bet_refund' : 'payout', now)
				const outcome = p.outcomes[winner] as string
				events.record('prediction.resolved', { id: p.id, question: p.question, outcome, pool, winners: winning.length, refunded }, now)
				audit.record(
					actor,
					'prediction_resolve',
					`#${p.id} ${p.question} -> ${outcome}: ${refunded ? `nobody bet on it, ${pool} refunded` : `${pool} to ${winning.length} winners`}`,
					now
				)
				return { ok: true, prediction: settledView(p, pools), outcome, pool, winners: winning.length, refunded, payouts }
			})
		},

		/** Calls the prediction off: every bet refunded, once. */
		cancel(actor: string, now: number): CancelResult {
			return transact<CancelResult>(() => {
				const active = store.active()
				if (!active) return { ok: false, reason: 'none' }
				if (!store.settle(active.id, 'cancelled', null, now)) return { ok: false, reason: 'none' }
				const p: Prediction = { ...active, status: 'cancelled', winner: null }
				const refunds = refundsOf(store.bets(p.id))
				pay(p, refunds, 'bet_refund', now)
				const refunded = sum(refunds)
				events.record('prediction.cancelled', { id: p.id, question: p.question, refunded }, now)
				audit.record(actor, 'prediction_cancel', `#${p.id} ${p.question}: ${refunded} refunded to ${refunds.length} viewers`, now)
				return { ok: true, prediction: settledView(p), refunded, refunds }
			})
		},

		/** The prediction that is running (open or locked), with its pools. */
		current(now: number): PredictionView | undefined {
			const p = store.active()
			return p ? view(p, now) : undefined
		},
		/** The latest prediction that is over, with its answer. */
		last(): SettledPredictionView | undefined {
			const p = store.latestSettled()
			return p ? settledView(p) : undefined
		}
	}
}

export type Predictions = ReturnType<typeof createPredictions>
