// Builds what the dashboard shows (page and JSON) from the stores. No HTTP, no SQL.
import type { NamedRedemption, Queue } from '../redemptions/queue.ts'
import { queuePosition, type QueuePosition } from '../redemptions/store.ts'
import { inFileOrder, isRedeemActive, type Redeem } from '../redeems/model.ts'
import type { CounterRow, MilestoneRow } from '../redeems/store.ts'
import type { ViewerStore } from '../viewers/store.ts'
import type { Leaderboard } from '../economy/leaderboard.ts'
import type { ClosedPollView, OpenPollView, Polls } from '../polls/service.ts'
import type { PredictionView, Predictions, SettledPredictionView } from '../predictions/service.ts'

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

/**
 * How viewers earn points, from config.toml: `amount` points every `cycleSeconds` while the stream is live, and the
 * earning rules' bonuses (0 = off; left out, off).
 */
export type EarnFacts = {
	amount: number
	cycleSeconds: number
	/** Extra points each cycle for viewers who chatted since the previous one. */
	activeChatterBonus?: number
	/** Points once per stream for a viewer's first message. */
	firstChatBonus?: number
	/** Points once per stream for viewers who were in each of the previous `streakStreams` streams. */
	streakBonus?: number
	streakStreams?: number
}

/** The viewers' built-in commands by their current names; undefined when a redeem took the name or its feature is off. */
export type CommandNames = {
	help?: string | undefined
	points?: string | undefined
	store?: string | undefined
	link?: string | undefined
	bet?: string | undefined
	vote?: string | undefined
	top?: string | undefined
	hide?: string | undefined
	give?: string | undefined
}

/** The economy's features in force (config.toml's switches; all off in passive mode, where chat commands are). */
export type Features = { predictions: boolean; polls: boolean; leaderboard: boolean; give: boolean }
export const NO_FEATURES: Features = { predictions: false, polls: false, leaderboard: false, give: false }

/** `!give`'s limits, from config.toml. */
export type GiveFacts = { maxPerDay: number; minEarned: number }

/** The prediction running (open or locked) and the last one that is over; no viewer ids in either. */
export type PredictionPart = {
	current: Omit<PredictionView, 'id'> | null
	last: Omit<SettledPredictionView, 'id'> | null
}
/** The open polls and the poll closed last, with their points. */
export type PollsPart = { open: OpenPollView[]; closed: ClosedPollView | null }
/** One row of a leaderboard: a name and points, never an id. */
export type BoardRow = { name: string; points: number }
export type LeaderboardPart = {
	balance: BoardRow[]
	stream: BoardRow[]
	month: BoardRow[]
	/** The month of `month`, "2026-05" (UTC). */
	monthOf: string
}

export const LEADERBOARD_LIMIT = 10

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
	features: Features
	give: GiveFacts
	/** Present when predictions are on and the part shows them. */
	prediction: PredictionPart | undefined
	/** Present when polls are on and the part shows them. */
	polls: PollsPart | undefined
	/** Present when the leaderboard is on and the part shows it. */
	leaderboard: LeaderboardPart | undefined
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
	/** The economy's switches; all off when left out. */
	features?: Features
	give?: GiveFacts
	predictions?: Pick<Predictions, 'current' | 'last'> | undefined
	polls?: Pick<Polls, 'openPolls' | 'recentlyClosed'> | undefined
	leaderboard?: Pick<Leaderboard, 'board'> | undefined
	/** The time the page is built for (predictions lock when their window ends, months turn). */
	now?: number
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
export type DashboardPart = 'dashboard' | 'queue' | 'help' | 'leaderboard' | 'all'

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

const withoutId = <T extends { id: number }>({ id: _, ...rest }: T): Omit<T, 'id'> => rest

const rows = (list: readonly { displayName: string; balance?: number; points?: number }[]): BoardRow[] =>
	list.map((r) => ({ name: r.displayName, points: r.points ?? r.balance ?? 0 }))

/** The economy's parts a page (or the API) shows, each only when its feature is on and its source is there. */
function economyParts(sources: DashboardSources, features: Features, wants: (p: DashboardPart) => boolean, now: number) {
	const prediction: PredictionPart | undefined =
		features.predictions && sources.predictions && wants('dashboard')
			? (() => {
					const current = sources.predictions.current(now)
					const last = sources.predictions.last()
					return { current: current ? withoutId(current) : null, last: last ? withoutId(last) : null }
				})()
			: undefined
	const polls: PollsPart | undefined =
		features.polls && sources.polls && wants('dashboard')
			? { open: sources.polls.openPolls(), closed: sources.polls.recentlyClosed(1)[0] ?? null }
			: undefined
	const leaderboard: LeaderboardPart | undefined =
		features.leaderboard && sources.leaderboard && wants('leaderboard')
			? (() => {
					const board = sources.leaderboard.board(now, LEADERBOARD_LIMIT)
					return { balance: rows(board.balance), stream: rows(board.stream), month: rows(board.month), monthOf: new Date(now).toISOString().slice(0, 7) }
				})()
			: undefined
	return { prediction, polls, leaderboard }
}

/**
 * Until when a rendered page stays true with no change to the database: an open prediction shows as locked once its
 * window ends, and the month's leaderboard starts again when the month turns (UTC). Undefined: until a change.
 */
export function freshUntil(data: DashboardData, now: number): number | undefined {
	const times: number[] = []
	const current = data.prediction?.current
	if (current?.status === 'open' && current.closesAt) times.push(Date.parse(current.closesAt))
	if (data.leaderboard) {
		const d = new Date(now)
		times.push(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))
	}
	const later = times.filter((t) => Number.isFinite(t) && t > now)
	return later.length ? Math.min(...later) : times.length ? now : undefined
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
	// Chat commands do nothing in passive mode: neither do the features they belong to.
	const features = sources.passive ? NO_FEATURES : (sources.features ?? NO_FEATURES)
	const economy = economyParts(sources, features, wants, sources.now ?? Date.now())
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
		balance: sources.publicBalances ? findBalance(sources.viewers, request.userId, request.username) : undefined,
		features,
		give: sources.give ?? { maxPerDay: 0, minEarned: 0 },
		...economy
	}
}
