// Builds what the dashboard shows (page and JSON) from the stores. No HTTP, no SQL.
import { isRedeemActive, type Redeem } from '../redeems/model.ts'
import type { CounterRow, MilestoneRow } from '../redeems/repo.ts'
import type { DashboardRepo, QueueEntry } from './repo.ts'

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
	repo: DashboardRepo
	counters: () => CounterRow[]
	milestones: () => MilestoneRow[]
	redeems: readonly Redeem[]
	activeCategories: readonly string[]
	pausedRedeems: () => string[]
	passive: boolean
	prefix: string
}

/** The viewer's balance from Owncast's external-action parameters: userId first, a name only if unambiguous. */
export function findBalance(repo: DashboardRepo, userId: string | undefined, username: string | undefined): Balance | undefined {
	if (userId) {
		const viewer = repo.viewerById(userId)
		if (viewer) return { kind: 'known', name: viewer.displayName, points: viewer.balance }
	}
	if (!username) return undefined
	const matches = repo.viewersByName(username)
	if (matches.length === 1 && matches[0]) return { kind: 'known', name: matches[0].displayName, points: matches[0].balance }
	if (matches.length > 1) return { kind: 'ambiguous', name: username }
	return undefined
}

/** Which parts to read: a tab shows only some of them; the JSON API wants everything. */
export type DashboardPart = 'dashboard' | 'queue' | 'help' | 'all'

export function buildDashboard(
	sources: DashboardSources,
	request: { page: number; userId?: string | undefined; username?: string | undefined; part?: DashboardPart }
): DashboardData {
	const { repo } = sources
	const part = request.part ?? 'all'
	const wants = (p: DashboardPart) => part === 'all' || part === p
	const redeems = sources.redeems.map((r) => ({ ...r, active: isRedeemActive(r, sources.activeCategories) }))
	// Looked up by lower-cased name once, not searched for every counter and milestone.
	const activeNames = new Set(redeems.filter((r) => r.active).map((r) => r.name.toLowerCase()))
	const active = (name: string) => activeNames.has(name.toLowerCase())
	const paused = new Set(sources.pausedRedeems().map((n) => n.toLowerCase()))
	const total = wants('queue') ? repo.queueSize() : 0
	const pages = Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE))
	const page = Math.min(Math.max(1, request.page), pages)
	return {
		passive: sources.passive,
		prefix: sources.prefix,
		// Only what viewers can use now: counters and milestones of active redeems.
		counters: wants('dashboard') ? sources.counters().filter((c) => active(c.name)) : [],
		milestones: wants('dashboard') ? sources.milestones().filter((m) => active(m.name)) : [],
		recent: wants('dashboard') ? repo.recent(RECENT_LIMIT) : [],
		queue: {
			entries: wants('queue') ? repo.queuePage(QUEUE_PAGE_SIZE, (page - 1) * QUEUE_PAGE_SIZE) : [],
			total,
			page,
			pageSize: QUEUE_PAGE_SIZE,
			pages
		},
		redeems: redeems.map((r) => ({ ...r, paused: paused.has(r.name.toLowerCase()) })),
		activeCategories: sources.activeCategories,
		balance: findBalance(repo, request.userId, request.username)
	}
}
