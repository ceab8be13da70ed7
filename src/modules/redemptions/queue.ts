// The queue as pages show it: redemptions with the names of the viewers who redeemed, and clearing it.
import type { Transact } from '../../db/transaction.ts'
import type { ViewerStore } from '../viewers/store.ts'
import type { PendingFilter, QueuePosition, Redemption, RedemptionStore } from './store.ts'

export type NamedRedemption = Redemption & { viewerName: string }

export type QueueDeps = {
	transact: Transact
	redemptions: Pick<
		RedemptionStore,
		| 'get'
		| 'queuePage'
		| 'queueAfter'
		| 'recent'
		| 'queueSize'
		| 'pending'
		| 'pendingCount'
		| 'pendingMatching'
		| 'pendingMatchingCount'
		| 'byViewer'
		| 'recentlyFulfilled'
		| 'archiveAll'
	>
	viewers: Pick<ViewerStore, 'names'>
	/** The redeems store's counters, which clearing the queue sets to 0. */
	redeems: { zeroCounters(): number }
}

export function createQueue(deps: QueueDeps) {
	const { redemptions } = deps
	function named(rows: readonly Redemption[]): NamedRedemption[] {
		const names = deps.viewers.names(rows.map((r) => r.viewerId))
		return rows.map((r) => ({ ...r, viewerName: names.get(r.viewerId) ?? r.viewerId }))
	}
	return {
		get(id: number): NamedRedemption | undefined {
			const row = redemptions.get(id)
			return row ? named([row])[0] : undefined
		},
		/** Pending first, each group oldest first. */
		page: (limit: number, offset: number) => named(redemptions.queuePage(limit, offset)),
		/** The same order, from just after a position: as fast on the last page as on the first. */
		after: (limit: number, position?: QueuePosition) => named(redemptions.queueAfter(limit, position)),
		recent: (limit: number) => named(redemptions.recent(limit)),
		size: () => redemptions.queueSize(),
		/** Pending entries oldest first; after the redemption with that id, the ones that follow it. */
		pending(limit = 200, afterId?: number): NamedRedemption[] {
			const after = afterId === undefined ? undefined : redemptions.get(afterId)
			return named(redemptions.pending(limit, after))
		},
		pendingCount: () => redemptions.pendingCount(),
		/** Pending entries that match a filter, oldest first; after the redemption with that id, the ones that follow. */
		pendingMatching(filter: PendingFilter, limit = 200, afterId?: number): NamedRedemption[] {
			const after = afterId === undefined ? undefined : redemptions.get(afterId)
			return named(redemptions.pendingMatching(filter, limit, after))
		},
		pendingMatchingCount: (filter: PendingFilter) => redemptions.pendingMatchingCount(filter),
		byViewer: (viewerId: string, limit = 50) => named(redemptions.byViewer(viewerId, limit)),
		recentlyFulfilled: (limit = 20) => named(redemptions.recentlyFulfilled(limit)),
		clear: (now: number) => clearQueue(deps, now)
	}
}

export type ClearResult = {
	archived: number
	counters: number
	/** Pending redemptions refunded before archiving (only with options.refund), and their points in all. */
	refunded: number
	points: number
}

/**
 * Archives the queue (entries are kept) and sets every counter to 0, together (clear-queue). With refund, every
 * pending redemption is first handed to it (the moderation service's refund, which credits the viewer with its
 * ledger row and audits it) in the same transaction, so an entry arriving meanwhile cannot be archived unrefunded.
 */
export function clearQueue(
	deps: { transact: Transact; redemptions: Pick<RedemptionStore, 'archiveAll' | 'pending'>; redeems: { zeroCounters(): number } },
	now: number,
	/** Refunds one pending redemption; returns the points given back, or undefined when it was not refunded. */
	options: { refund?: (redemption: Redemption) => number | undefined } = {}
): ClearResult {
	return deps.transact(() => {
		let refunded = 0
		let points = 0
		if (options.refund) {
			// Keyset pages from the last one seen: each entry is offered once, whatever the refund did with it.
			for (let page = deps.redemptions.pending(200); page.length > 0; page = deps.redemptions.pending(200, page.at(-1))) {
				for (const redemption of page) {
					const amount = options.refund(redemption)
					if (amount === undefined) continue
					points += amount
					refunded++
				}
			}
		}
		return { archived: deps.redemptions.archiveAll(now), counters: deps.redeems.zeroCounters(), refunded, points }
	})
}

export type Queue = ReturnType<typeof createQueue>
