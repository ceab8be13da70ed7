// The queue as pages show it: redemptions with the names of the viewers who redeemed, and clearing it.
import type { Transact } from '../../db/transaction.ts'
import type { ViewerStore } from '../viewers/store.ts'
import type { QueuePosition, Redemption, RedemptionStore } from './store.ts'

export type NamedRedemption = Redemption & { viewerName: string }

export type QueueDeps = {
	transact: Transact
	redemptions: Pick<RedemptionStore, 'get' | 'queuePage' | 'queueAfter' | 'recent' | 'queueSize' | 'pending' | 'pendingCount' | 'recentlyFulfilled' | 'archiveAll'>
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
		recentlyFulfilled: (limit = 20) => named(redemptions.recentlyFulfilled(limit)),
		clear: (now: number) => clearQueue(deps, now)
	}
}

/** Archives the queue (entries are kept) and sets every counter to 0, together (clear-queue). */
export function clearQueue(
	deps: { transact: Transact; redemptions: Pick<RedemptionStore, 'archiveAll'>; redeems: { zeroCounters(): number } },
	now: number
): { archived: number; counters: number } {
	return deps.transact(() => ({ archived: deps.redemptions.archiveAll(now), counters: deps.redeems.zeroCounters() }))
}

export type Queue = ReturnType<typeof createQueue>
