// What moderators (chat) and the streamer (admin page) change: redemption statuses and refunds, balances,
// paused and restocked redeems, active categories; each change is audited. Every balance change is a guarded
// update with its ledger row in one transaction; a refund happens at most once (a status-guarded update, and a
// unique index on refund rows). No SQL here: the stores own it.
import type { Transact } from '../../db/transaction.ts'
import type { AuditStore } from '../audit/store.ts'
import type { EventLog } from '../events/log.ts'
import type { NamedRedemption, Queue } from '../redemptions/queue.ts'
import type { RedemptionStatus, RedemptionStore } from '../redemptions/store.ts'
import type { RedeemStore } from '../redeems/store.ts'
import type { StreamStore } from '../streams/store.ts'
import type { ViewerStore } from '../viewers/store.ts'

export type ResolveAction = 'done' | 'reject' | 'refund' | 'reopen'
export type ResolveResult =
	| { ok: true; redemption: NamedRedemption; status: RedemptionStatus; refunded: number }
	| { ok: false; reason: 'not_found' }
	| { ok: false; reason: 'wrong_status'; status: RedemptionStatus }

/** 'reset', 'missing', or where a milestone that is not complete stands. */
export type MilestoneReset = 'reset' | 'missing' | { progress: number; goal: number }

export type AdjustMode = 'add' | 'remove' | 'set'
export type AdjustResult =
	| { ok: true; balance: number; delta: number }
	| { ok: false; reason: 'not_found' }
	| { ok: false; reason: 'not_enough'; balance: number }

/** Which statuses each action may start from, and where it leads. */
const TRANSITIONS: Record<ResolveAction, { from: RedemptionStatus[]; to: RedemptionStatus; refunds: boolean }> = {
	done: { from: ['pending'], to: 'fulfilled', refunds: false },
	reject: { from: ['pending'], to: 'rejected', refunds: true },
	refund: { from: ['pending', 'fulfilled'], to: 'cancelled', refunds: true },
	// A redemption marked done by mistake goes back to its place in the queue (nothing was paid back, nothing is charged).
	reopen: { from: ['fulfilled'], to: 'pending', refunds: false }
}

export type ModerationDeps = {
	transact: Transact
	viewers: Pick<ViewerStore, 'viewer' | 'debit' | 'credit'>
	redemptions: Pick<RedemptionStore, 'setStatus'>
	queue: Pick<Queue, 'get'>
	redeems: Pick<RedeemStore, 'setPaused' | 'restock' | 'pausedNames' | 'milestone' | 'resetMilestone'>
	streams: Pick<StreamStore, 'state' | 'setState' | 'deleteState'>
	audit: Pick<AuditStore, 'record'>
	/** config.toml's active_categories, as it is now. */
	configCategories: () => readonly string[]
	/** Reports status changes (redemption.updated). */
	events: EventLog
}

export function createModeration(deps: ModerationDeps) {
	const { transact, viewers, audit } = deps
	const storedCategories = (): string[] | undefined => {
		const value = deps.streams.state('active_categories')
		return value === undefined ? undefined : (JSON.parse(value) as string[])
	}

	return {
		resolve(id: number, action: ResolveAction, actor: string, reason: string, now: number): ResolveResult {
			return transact<ResolveResult>(() => {
				const redemption = deps.queue.get(id)
				if (!redemption) return { ok: false, reason: 'not_found' }
				const rule = TRANSITIONS[action]
				// The status guard makes a second, racing resolve a no-op.
				if (!deps.redemptions.setStatus(id, rule.to, rule.from, now, reason)) return { ok: false, reason: 'wrong_status', status: redemption.status }
				let refunded = 0
				if (rule.refunds && redemption.cost > 0) {
					viewers.credit(redemption.viewerId, redemption.cost, { reason: 'refund', redeem: redemption.redeem, redemptionId: id }, now)
					refunded = redemption.cost
				}
				const why = reason ? `: ${reason}` : ''
				audit.record(actor, action, `#${id} ${redemption.redeem} by ${redemption.viewerName}${why}${refunded ? ` (refunded ${refunded})` : ''}`, now)
				deps.events.record(
					'redemption.updated',
					{ id, redeem: redemption.redeem, viewer: { id: redemption.viewerId, name: redemption.viewerName }, status: rule.to, reason: reason || null, refunded },
					now
				)
				return { ok: true, redemption, status: rule.to, refunded }
			})
		},

		adjustPoints(viewerId: string, mode: AdjustMode, amount: number, actor: string, now: number): AdjustResult {
			return transact<AdjustResult>(() => {
				const viewer = viewers.viewer(viewerId)
				if (!viewer) return { ok: false, reason: 'not_found' }
				const delta = mode === 'add' ? amount : mode === 'remove' ? -amount : amount - viewer.balance
				let balance = viewer.balance
				if (delta < 0) {
					const charged = viewers.debit(viewerId, -delta, { reason: 'moderator' }, now)
					if (!charged.ok) return { ok: false, reason: 'not_enough', balance: charged.balance }
					balance = charged.balance
				} else if (delta > 0) {
					balance = viewers.credit(viewerId, delta, { reason: 'moderator' }, now) ?? balance
				}
				audit.record(actor, `${mode}points`, `${viewer.displayName} (${viewerId}): ${delta >= 0 ? '+' : ''}${delta}, now ${balance}`, now)
				return { ok: true, balance, delta }
			})
		},

		setPaused: (redeem: string, paused: boolean, actor: string, now: number) =>
			transact(() => {
				deps.redeems.setPaused(redeem, paused)
				audit.record(actor, paused ? 'pause' : 'resume', redeem, now)
			}),
		pausedRedeems: () => deps.redeems.pausedNames(),
		/**
		 * Starts a completed milestone again from 0 (a milestone still under way is left alone: hard resets stay on
		 * the command line). Donations are not refunded: they went into the goal that was reached.
		 */
		/** Starts a milestone again from 0, complete or not (the admin page, after a confirmation). */
		hardResetMilestone: (name: string, actor: string, now: number): boolean =>
			transact(() => {
				const milestone = deps.redeems.milestone(name)
				if (!milestone) return false
				deps.redeems.resetMilestone(milestone.name)
				audit.record(actor, 'milestone_hard_reset', `${milestone.name} (was ${milestone.progress}/${milestone.goal}${milestone.completed ? ', complete' : ''})`, now)
				return true
			}),
		resetCompletedMilestone: (name: string, actor: string, now: number): MilestoneReset =>
			transact<MilestoneReset>(() => {
				const milestone = deps.redeems.milestone(name)
				if (!milestone) return 'missing'
				if (!milestone.completed) return { progress: milestone.progress, goal: milestone.goal }
				deps.redeems.resetMilestone(milestone.name)
				audit.record(actor, 'milestone_reset', `${milestone.name} (was ${milestone.progress}/${milestone.goal}, complete)`, now)
				return 'reset'
			}),
		restock: (redeem: string, actor: string, now: number) =>
			transact(() => {
				deps.redeems.restock(redeem)
				audit.record(actor, 'restock', redeem, now)
			}),

		/** Categories switched on now: what moderators set in chat, else config.toml's active_categories. */
		activeCategories: (): readonly string[] => storedCategories() ?? deps.configCategories(),
		setCategory: (category: string, on: boolean, actor: string, now: number): string[] =>
			transact(() => {
				const current = storedCategories() ?? [...deps.configCategories()]
				const others = current.filter((c) => c.toLowerCase() !== category.toLowerCase())
				const next = on ? [...others, category] : others
				deps.streams.setState('active_categories', JSON.stringify(next))
				audit.record(actor, on ? 'category_on' : 'category_off', category, now)
				return next
			}),
		/**
		 * config.toml's active_categories wins whenever it changes: returns true when it replaced what chat had set.
		 * The first call on a database only remembers the config value.
		 */
		applyConfigCategories: (fromConfig: readonly string[]): boolean =>
			transact(() => {
				const value = JSON.stringify(fromConfig)
				if (deps.streams.state('active_categories_config') === value) return false
				deps.streams.setState('active_categories_config', value)
				const hadRuntime = storedCategories() !== undefined
				deps.streams.deleteState('active_categories')
				return hadRuntime
			}),

		audit: (actor: string, action: string, detail: string, now: number) => audit.record(actor, action, detail, now)
	}
}

export type Moderation = ReturnType<typeof createModeration>
