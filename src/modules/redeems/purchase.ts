// Spending points on a redeem: limits, charge, and what the points buy (a queue entry, a count, milestone
// progress), all in one IMMEDIATE transaction, so a refusal or a lack of points leaves no trace at all and two
// racing purchases can never overspend or both take the last unit of stock. No SQL here: the stores own it.
import { parseIso } from '../../db/time.ts'
import type { Transact } from '../../db/transaction.ts'
import type { EventLog } from '../events/log.ts'
import type { RedemptionSource, RedemptionStore } from '../redemptions/store.ts'
import type { ViewerStore } from '../viewers/store.ts'
import { checkLimits, type LimitRefusal, type RedeemUsage } from './limits.ts'
import type { MilestoneRedeem, PricedRedeem, Redeem } from './model.ts'
import type { RedeemStore } from './store.ts'

type Refused = { ok: false; reason: 'refused'; refusal: LimitRefusal }
type Insufficient = { ok: false; reason: 'insufficient_points'; balance: number }

export type QueuePurchase = Insufficient | Refused | { ok: true; balance: number; redemptionId: number }
export type CounterPurchase = Insufficient | Refused | { ok: true; balance: number; count: number }
export type Donation =
	| { ok: true; balance: number; charged: number; progress: number; goal: number; completed: boolean }
	| Insufficient
	| Refused
	| { ok: false; reason: 'milestone_complete' | 'milestone_missing' }

export type PurchaseDeps = {
	transact: Transact
	viewers: Pick<ViewerStore, 'debit' | 'uses' | 'viewer'>
	redemptions: Pick<RedemptionStore, 'add'>
	redeems: Pick<RedeemStore, 'bumpCounter' | 'addProgress' | 'milestone' | 'consumeStock' | 'controls'>
	/** The streams store: whether the stream is live, and when this stream began. */
	streams: { isLive(): boolean; currentStart(): string | undefined }
	/** Reports each use (redemption.created, counter.updated, milestone.progress, milestone.completed). */
	events: EventLog
}

export function createPurchases(deps: PurchaseDeps) {
	const { transact, viewers, redeems, events } = deps
	const who = (viewerId: string) => ({ id: viewerId, name: viewers.viewer(viewerId)?.displayName ?? viewerId })

	/**
	 * What limits need to know about one redeem and one viewer. Only the facts the redeem's limits use are read
	 * (a redeem without limits costs one primary-key look-up), and counts stop at the limit.
	 */
	function usage(redeem: Redeem, viewerId: string): RedeemUsage {
		const { limits, name } = redeem
		const controls = redeems.controls(name)
		// "This stream" is the latest one; before the first stream, every use counts.
		const since = limits.maxPerStream || limits.maxPerUserPerStream ? (deps.streams.currentStart() ?? '') : ''
		return {
			lastUseAt: limits.cooldown ? parseIso(viewers.uses.lastAt(name)) : undefined,
			lastUseByViewerAt: limits.userCooldown ? parseIso(viewers.uses.lastByViewerAt(name, viewerId)) : undefined,
			usesThisStream: limits.maxPerStream ? viewers.uses.since(name, since, limits.maxPerStream) : 0,
			usesByViewerThisStream: limits.maxPerUserPerStream
				? viewers.uses.byViewerSince(name, viewerId, since, limits.maxPerUserPerStream)
				: 0,
			stockUsed: controls.stockUsed,
			paused: controls.paused,
			live: limits.onlyLive ? deps.streams.isLive() : true
		}
	}

	/** Limits, checked inside the transaction before anything is charged. */
	const refusal = (redeem: Redeem, viewerId: string, now: number): Refused | undefined => {
		const refused = checkLimits(redeem, usage(redeem, viewerId), now)
		return refused ? { ok: false, reason: 'refused', refusal: refused } : undefined
	}
	const afterUse = (redeem: Redeem) => {
		if (redeem.limits.stock !== undefined) redeems.consumeStock(redeem.name)
	}

	return {
		usage,

		/** A list or note redeem: charged, and queued (or fulfilled at once with auto_fulfil). */
		queue(input: { viewerId: string; redeem: PricedRedeem; note: string | null; source?: RedemptionSource }, now: number): QueuePurchase {
			const { redeem, viewerId } = input
			return transact<QueuePurchase>((rollback) => {
				const refused = refusal(redeem, viewerId, now)
				if (refused) return refused
				// The ledger row points at the redemption, so the entry comes first; no points, no entry.
				const redemptionId = deps.redemptions.add({
					redeem: redeem.name,
					type: redeem.type === 'note' ? 'note' : 'list',
					viewerId,
					cost: redeem.price,
					note: input.note,
					status: redeem.autoFulfil ? 'fulfilled' : 'pending',
					createdAt: now,
					source: input.source ?? 'chat'
				})
				const charged = viewers.debit(viewerId, redeem.price, { reason: 'redeem', redeem: redeem.name, redemptionId }, now)
				if (!charged.ok) return rollback({ ok: false, reason: 'insufficient_points', balance: charged.balance })
				afterUse(redeem)
				events.record(
					'redemption.created',
					{
						id: redemptionId,
						redeem: redeem.name,
						title: redeem.title ?? redeem.name,
						type: redeem.type,
						viewer: who(viewerId),
						cost: redeem.price,
						status: redeem.autoFulfil ? 'fulfilled' : 'pending',
						source: input.source ?? 'chat'
					},
					now,
					input.note
				)
				return { ok: true, balance: charged.balance, redemptionId }
			})
		},

		/** A counter redeem: charged, and the counter goes up by one. */
		counter(input: { viewerId: string; redeem: PricedRedeem }, now: number): CounterPurchase {
			const { redeem, viewerId } = input
			return transact<CounterPurchase>(() => {
				const refused = refusal(redeem, viewerId, now)
				if (refused) return refused
				const charged = viewers.debit(viewerId, redeem.price, { reason: 'redeem', redeem: redeem.name }, now)
				if (!charged.ok) return { ok: false, reason: 'insufficient_points', balance: charged.balance }
				const count = redeems.bumpCounter(redeem.name)
				afterUse(redeem)
				events.record('counter.updated', { counter: redeem.name, title: redeem.title ?? redeem.name, count, viewer: who(viewerId), cost: redeem.price }, now)
				return { ok: true, balance: charged.balance, count }
			})
		},

		/** A donation to a milestone: only what the goal still needs is charged. */
		donate(input: { viewerId: string; redeem: MilestoneRedeem; amount: number }, now: number): Donation {
			const { redeem, viewerId } = input
			return transact<Donation>(() => {
				const milestone = redeems.milestone(redeem.name)
				if (!milestone) return { ok: false, reason: 'milestone_missing' }
				if (milestone.completed) return { ok: false, reason: 'milestone_complete' }
				const refused = refusal(redeem, viewerId, now)
				if (refused) return refused
				const amount = Math.min(input.amount, milestone.goal - milestone.progress)
				if (amount <= 0) return { ok: false, reason: 'milestone_complete' }
				const charged = viewers.debit(viewerId, amount, { reason: 'donation', redeem: redeem.name }, now)
				if (!charged.ok) return { ok: false, reason: 'insufficient_points', balance: charged.balance }
				const updated = redeems.addProgress(redeem.name, amount, now)
				// Cannot happen inside this transaction, but never charge without the progress.
				if (!updated) throw new Error(`milestone ${milestone.name} changed during a donation`)
				afterUse(redeem)
				const facts = { milestone: redeem.name, title: redeem.title ?? redeem.name, progress: updated.progress, goal: milestone.goal }
				events.record('milestone.progress', { ...facts, amount, viewer: who(viewerId) }, now)
				if (updated.completed) events.record('milestone.completed', facts, now)
				return { ok: true, balance: charged.balance, charged: amount, progress: updated.progress, goal: milestone.goal, completed: updated.completed }
			})
		}
	}
}

export type Purchases = ReturnType<typeof createPurchases>
