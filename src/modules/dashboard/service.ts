// Builds what the dashboard shows (page and JSON) from the stores. No HTTP, no SQL.
import type { NamedRedemption, Queue } from '../redemptions/queue.ts'
import { inFileOrder, isRedeemActive, type Redeem } from '../redeems/model.ts'
import type { CounterRow, MilestoneRow } from '../redeems/store.ts'
import type { ViewerStore } from '../viewers/store.ts'

/** A queue entry as viewers see it: no viewer ids, no prices. */
export type QueueEntry = Pick<NamedRedemption, 'id' | 'redeem' | 'type' | 'note' | 'status' | 'createdAt' | 'viewerName'>

const publicEntry = (r: NamedRedemption): QueueEntry => ({
	id: r.id,
	redeem: r.redeem,
	type: r.type,
	note: r.note,
	status: r.status,
	createdAt: r.createdAt,
	viewerName: r.viewerName
})

export const QUEUE_PAGE_SIZE = 100
export const RECENT_LIMIT = 20

export type Balance =
	| { kind: 'known'; name: string; points: number }
	| { kind: 'ambiguous'; name: string }

export type DashboardData = {
	passive: boolean
	prefix: string
	counters: CounterRow[]
	milestones: MilestoneRow[]
	recent: QueueEntry[]
	queue: { entries: QueueEntry[]; total: number; page: number; pageSize: number; pages: number }
	redeems: (Redeem & { active: boolean; paused: boolean })[]
	activeCategories: readonly string[]
	balance: Balance | undefined
}

export type DashboardSources = {
	queue: Pick<Queue, 'page' | 'recent' | 'size'>
	viewers: Pick<ViewerStore, 'viewer' | 'findByName'>
	counters: () => CounterRow[]
	milestones: () => MilestoneRow[]
	redeems: readonly Redeem[]
	activeCategories: readonly string[]
	pausedRedeems: () => string[]
	passive: boolean
	prefix: string
}

/** The viewer's balance from Owncast's external-action parameters: userId first, a name only if unambiguous. */
export function findBalance(
	viewers: DashboardSources['viewers'],
	userId: string | undefined,
	username: string | undefined
): Balance | undefined {
	if (userId) {
		const viewer = viewers.viewer(userId)
		if (viewer) return { kind: 'known', name: viewer.displayName, points: viewer.balance }
	}
	if (!username) return undefined
	const match = viewers.findByName(username)
	if (match.kind === 'one') return { kind: 'known', name: match.viewer.displayName, points: match.viewer.balance }
	if (match.kind === 'several') return { kind: 'ambiguous', name: username }
	return undefined
}

/** Which parts to read: a tab shows only some of them; the JSON API wants everything. */
export type DashboardPart = 'dashboard' | 'queue' | 'help' | 'all'

export function buildDashboard(
	sources: DashboardSources,
	request: { page: number; userId?: string | undefined; username?: string | undefined; part?: DashboardPart }
): DashboardData {
	const { queue } = sources
	const part = request.part ?? 'all'
	const wants = (p: DashboardPart) => part === 'all' || part === p
	const redeems = sources.redeems.map((r) => ({ ...r, active: isRedeemActive(r, sources.activeCategories) }))
	// Looked up by lower-cased name once, not searched for every counter and milestone.
	const activeNames = new Set(redeems.filter((r) => r.active).map((r) => r.name.toLowerCase()))
	const active = (name: string) => activeNames.has(name.toLowerCase())
	const paused = new Set(sources.pausedRedeems().map((n) => n.toLowerCase()))
	const total = wants('queue') ? queue.size() : 0
	const pages = Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE))
	const page = Math.min(Math.max(1, request.page), pages)
	return {
		passive: sources.passive,
		prefix: sources.prefix,
		// Only what viewers can use now: counters and milestones of active redeems.
		// In redeems.toml order, as the streamer wrote them.
		counters: wants('dashboard') ? inFileOrder(sources.counters(), sources.redeems).filter((c) => active(c.name)) : [],
		milestones: wants('dashboard') ? inFileOrder(sources.milestones(), sources.redeems).filter((m) => active(m.name)) : [],
		recent: wants('dashboard') ? queue.recent(RECENT_LIMIT).map(publicEntry) : [],
		queue: {
			entries: wants('queue') ? queue.page(QUEUE_PAGE_SIZE, (page - 1) * QUEUE_PAGE_SIZE).map(publicEntry) : [],
			total,
			page,
			pageSize: QUEUE_PAGE_SIZE,
			pages
		},
		redeems: redeems.map((r) => ({ ...r, paused: paused.has(r.name.toLowerCase()) })),
		activeCategories: sources.activeCategories,
		balance: findBalance(sources.viewers, request.userId, request.username)
	}
}
