// Builds what the dashboard shows (page and JSON) from the stores. No HTTP, no SQL.
import { findRedeem, isRedeemActive, type Redeem } from '../redeems/model.ts'
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

export function buildDashboard(
	sources: DashboardSources,
	request: { page: number; userId?: string | undefined; username?: string | undefined }
): DashboardData {
	const { repo } = sources
	const active = (name: string) => {
		const redeem = findRedeem(sources.redeems, name)
		return redeem ? isRedeemActive(redeem, sources.activeCategories) : false
	}
	const paused = new Set(sources.pausedRedeems().map((n) => n.toLowerCase()))
	const total = repo.queueSize()
	const pages = Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE))
	const page = Math.min(Math.max(1, request.page), pages)
	return {
		passive: sources.passive,
		prefix: sources.prefix,
		// Only what viewers can use now: counters and milestones of active redeems.
		counters: sources.counters().filter((c) => active(c.name)),
		milestones: sources.milestones().filter((m) => active(m.name)),
		recent: repo.recent(RECENT_LIMIT),
		queue: { entries: repo.queuePage(QUEUE_PAGE_SIZE, (page - 1) * QUEUE_PAGE_SIZE), total, page, pageSize: QUEUE_PAGE_SIZE, pages },
		redeems: sources.redeems.map((r) => ({
			...r,
			active: isRedeemActive(r, sources.activeCategories),
			paused: paused.has(r.name.toLowerCase())
		})),
		activeCategories: sources.activeCategories,
		balance: findBalance(repo, request.userId, request.username)
	}
}
