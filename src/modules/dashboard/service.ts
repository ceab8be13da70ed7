// Builds what the dashboard shows (page and JSON) from the stores. No HTTP, no SQL.
import type { NamedRedemption, Queue } from '../redemptions/queue.ts'
import { queuePosition, type QueuePosition } from '../redemptions/store.ts'
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
/** ?page= counts past every earlier entry; deeper than this, pages are reached with ?after= cursors only. */
export const MAX_QUEUE_PAGE = 100

/**
 * The `next` cursor: base64url of "<0 pending | 1 resolved>|<id>|<created_at>", the last entry's place in the
 * queue order. Opaque to clients; decodeCursor accepts only what encodeCursor can produce.
 */
export const encodeCursor = (p: QueuePosition) =>
	Buffer.from(`${p.resolved ? 1 : 0}|${p.id}|${p.createdAt}`, 'utf8').toString('base64url')

const MAX_CURSOR_LENGTH = 200

export function decodeCursor(text: string): QueuePosition | undefined {
	if (text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined
	const match = /^([01])\|([1-9]\d{0,14})\|(\P{Cc}{1,64})$/u.exec(Buffer.from(text, 'base64url').toString('utf8'))
	if (!match) return undefined
	const position = { resolved: match[1] === '1', id: Number(match[2]), createdAt: match[3]! }
	// Only canonical text: one cursor, one string (and one cache entry).
	return encodeCursor(position) === text ? position : undefined
}

export type Balance =
	| { kind: 'known'; name: string; points: number }
	| { kind: 'ambiguous'; name: string }

/** How viewers earn points, from config.toml: `amount` points every `cycleSeconds` while the stream is live. */
export type EarnFacts = { amount: number; cycleSeconds: number }

/** The viewers' built-in commands by their current names; undefined when a redeem took the name. */
export type CommandNames = { help?: string | undefined; points?: string | undefined; store?: string | undefined; link?: string | undefined }

export type DashboardData = {
	passive: boolean
	prefix: string
	earn: EarnFacts
	commands: CommandNames
	counters: CounterRow[]
	milestones: MilestoneRow[]
	recent: QueueEntry[]
	queue: {
		entries: QueueEntry[]
		total: number
		/** The page number when asked by ?page=; null after a cursor (its number is not counted). */
		page: number | null
		pageSize: number
		pages: number
		/** The cursor this page starts after (null for a ?page= page). */
		after: string | null
		/** The cursor for the next page; null on the last one. */
		next: string | null
	}
	redeems: (Redeem & { active: boolean; paused: boolean })[]
	activeCategories: readonly string[]
	balance: Balance | undefined
}

export type DashboardSources = {
	queue: Pick<Queue, 'page' | 'after' | 'recent' | 'size'>
	viewers: Pick<ViewerStore, 'viewer' | 'findByName'>
	counters: () => CounterRow[]
	milestones: () => MilestoneRow[]
	redeems: readonly Redeem[]
	activeCategories: readonly string[]
	pausedRedeems: () => string[]
	passive: boolean
	/** public_balances: show the unverified ?username=/?userId= viewer's balance, read-only. */
	publicBalances: boolean
	prefix: string
	earn: EarnFacts
	commands: CommandNames
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

export type DashboardRequest = {
	page: number
	/** A decoded ?after= cursor; wins over page. */
	after?: QueuePosition | undefined
	userId?: string | undefined
	username?: string | undefined
	part?: DashboardPart
}

/** One page of the queue, plus whether more follow (one entry more is read to know). */
function queuePage(queue: DashboardSources['queue'], page: number, after: QueuePosition | undefined) {
	const rows = after ? queue.after(QUEUE_PAGE_SIZE + 1, after) : queue.page(QUEUE_PAGE_SIZE + 1, (page - 1) * QUEUE_PAGE_SIZE)
	const entries = rows.slice(0, QUEUE_PAGE_SIZE)
	const last = entries.at(-1)
	return { entries: entries.map(publicEntry), next: rows.length > QUEUE_PAGE_SIZE && last ? encodeCursor(queuePosition(last)) : null }
}

export function buildDashboard(sources: DashboardSources, request: DashboardRequest): DashboardData {
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
	// Never deeper than MAX_QUEUE_PAGE: the routes refuse more, this is the last guard.
	const page = Math.min(Math.max(1, request.page), pages, MAX_QUEUE_PAGE)
	const shown = wants('queue') ? queuePage(queue, page, request.after) : { entries: [], next: null }
	return {
		passive: sources.passive,
		prefix: sources.prefix,
		earn: sources.earn,
		commands: sources.commands,
		// Only what viewers can use now: counters and milestones of active redeems.
		// In redeems.toml order, as the streamer wrote them.
		counters: wants('dashboard') ? inFileOrder(sources.counters(), sources.redeems).filter((c) => active(c.name)) : [],
		milestones: wants('dashboard') ? inFileOrder(sources.milestones(), sources.redeems).filter((m) => active(m.name)) : [],
		recent: wants('dashboard') ? queue.recent(RECENT_LIMIT).map(publicEntry) : [],
		queue: {
			entries: shown.entries,
			total,
			page: request.after ? null : page,
			pageSize: QUEUE_PAGE_SIZE,
			pages,
			after: request.after ? encodeCursor(request.after) : null,
			next: shown.next
		},
		redeems: redeems.map((r) => ({ ...r, paused: paused.has(r.name.toLowerCase()) })),
		activeCategories: sources.activeCategories,
		balance: sources.publicBalances ? findBalance(sources.viewers, request.userId, request.username) : undefined
	}
}
