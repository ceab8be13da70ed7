/** @jsxImportSource @kitajs/html */
// GET /dashboard (the page Owncast shows as an external action), its assets, and GET /api/dashboard (JSON).
import { html } from '@elysiajs/html'
import { Elysia } from 'elysia'
import { DashboardContent, DashboardError, DashboardPage, TABS, type PageLinks, type Tab } from '../../../templates/dashboard.tsx'
import dashboardJs from '../../../templates/assets/dashboard.js' with { type: 'file' }
import storeJs from '../../../templates/assets/store.js' with { type: 'file' }
import styleCss from '../../../templates/assets/style.css' with { type: 'file' }
import type { Moderation } from '../moderation/service.ts'
import type { RedeemStore } from '../redeems/store.ts'
import type { SettingsSource } from '../settings/settings.ts'
import type { QueuePosition } from '../redemptions/store.ts'
import { buildDashboard, decodeCursor, freshUntil, MAX_QUEUE_PAGE, type DashboardData, type DashboardSources } from './service.ts'

export type DashboardDeps = {
	settings: SettingsSource
	queue: DashboardSources['queue']
	viewers: DashboardSources['viewers']
	redeems: Pick<RedeemStore, 'counters' | 'milestones'>
	moderation: Pick<Moderation, 'activeCategories' | 'pausedRedeems'>
	/** Changes whenever the database does (see db/database.ts); the page cache is valid while it is the same. */
	changeStamp: () => string
	/** The rendered page cache; one of its own by default. */
	pageCache?: PageCache
	/** The clock (the bot's); Date.now by default. */
	clock?: () => number
	/**
	 * The economy, each shown while its switch in config.toml is on: the prediction running and the last result,
	 * the open polls and the last closed one (Dashboard tab), the leaderboard (its own tab). Left out, not shown.
	 */
	predictions?: DashboardSources['predictions']
	polls?: DashboardSources['polls']
	leaderboard?: DashboardSources['leaderboard']
}

// Owncast shows the dashboard in an iframe on its own origin: framing must be allowed from anywhere.
const PAGE_HEADERS = {
	'content-security-policy':
		"frame-ancestors *; default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'",
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'no-referrer',
	'cache-control': 'no-store'
}

type Query = Record<string, string | string[] | undefined>

/** Owncast appends parameters with URLSearchParams.append, so a name can come twice: take the first. */
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined

// Owncast display names are at most 30 characters and ids are short (OwncastUserSchema takes up to 200): a longer
// value cannot be a viewer, so it is treated as absent: never looked up, never part of a cached page or a link.
const MAX_USERNAME = 100
const MAX_USER_ID = 200
const upTo = (max: number, value: string | undefined) => (value && value.length <= max ? value : undefined)

export const DEEP_PAGE_ERROR = `?page= goes up to ${MAX_QUEUE_PAGE}; for later entries use ?after=<next>, the \`next\` cursor of the page before`
export const BAD_CURSOR_ERROR = 'malformed ?after= cursor: use the `next` value of the page before, unchanged'

type Request = {
	tab: Tab
	page: number
	after: QueuePosition | undefined
	/** The ?after= text as given (decodeCursor accepts only canonical cursors). */
	cursor: string | undefined
	username: string | undefined
	userId: string | undefined
}

/** The request, or why it is refused (with the viewer parameters still read, for the links of the error page). */
function readRequest(query: Query): { request: Request; error?: string } {
	const tabParam = first(query.tab)
	// A personal login link from !store (/dashboard?login=<token>) opens the Redeems tab, where the script signs in.
	const fallback: Tab = first(query.login) ? 'help' : 'dashboard'
	const tab: Tab = TABS.includes(tabParam as Tab) ? (tabParam as Tab) : fallback
	const request: Request = {
		tab,
		page: 1,
		after: undefined,
		cursor: undefined,
		username: upTo(MAX_USERNAME, first(query.username)),
		userId: upTo(MAX_USER_ID, first(query.userId))
	}
	const cursor = first(query.after)
	if (cursor) {
		const after = decodeCursor(cursor)
		return after ? { request: { ...request, after, cursor } } : { request, error: BAD_CURSOR_ERROR }
	}
	// Anything but digits falls back to the first page; a deep page is refused, however many digits.
	const pageText = first(query.page) ?? '1'
	if (!/^\d+$/.test(pageText)) return { request }
	if (pageText.length > 3 || Number(pageText) > MAX_QUEUE_PAGE) return { request, error: DEEP_PAGE_ERROR }
	return { request: { ...request, page: Number(pageText) } }
}

function linksFor(request: { username: string | undefined; userId: string | undefined }): PageLinks {
	return {
		href(tab, at) {
			const params = new URLSearchParams({ tab })
			if (at && 'after' in at) params.set('after', at.after)
			else if (at && at.page > 1) params.set('page', String(at.page))
			if (request.username) params.set('username', request.username)
			if (request.userId) params.set('userId', request.userId)
			return `?${params}`
		}
	}
}

const etagOf = (text: string) => `"${Bun.hash(text).toString(36)}"`

type RenderedPage = {
	content: string
	etag: string
	page: () => Promise<string>
	/** When what it shows goes out of date by itself (a betting window ending, a new month); never when left out. */
	until?: number | undefined
}

/** What a cached string costs: JavaScript strings take up to 2 bytes a character. */
const bytesOf = (text: string) => 2 * text.length

/**
 * Rendered pages, kept while nothing they show can have changed: no write to the database (by any process) and
 * the same settings (a reload replaces them). Many viewers polling an unchanged dashboard then cost a look-up.
 * Bounded in bytes (the content, and the full page once rendered), least recently used evicted first: a count
 * of pages alone would let big pages (long notes, many distinct names) take hundreds of MB.
 */
export function createPageCache(
	deps: Pick<DashboardDeps, 'settings' | 'changeStamp' | 'clock'>,
	limits: { maxBytes?: number; maxEntries?: number } = {}
) {
	const maxBytes = limits.maxBytes ?? 4 * 1024 * 1024
	const maxEntries = limits.maxEntries ?? 500
	type Slot = { page: Promise<RenderedPage>; bytes: number; until: number }
	const clock = deps.clock ?? Date.now
	const slots = new Map<string, Slot>()
	let bytes = 0
	let version = ''
	let settings = deps.settings()

	const drop = (key: string, slot: Slot) => {
		if (slots.get(key) !== slot) return
		slots.delete(key)
		bytes -= slot.bytes
	}
	/** Counts more text of a slot still cached, then evicts until the cache fits its budget again. */
	const grow = (key: string, slot: Slot, more: number) => {
		if (slots.get(key) !== slot) return
		slot.bytes += more
		bytes += more
		// A page bigger than the whole budget is served, not kept; it must not flush every other page first.
		if (slot.bytes > maxBytes) drop(key, slot)
		for (const [k, s] of slots) {
			if (bytes <= maxBytes) break
			drop(k, s)
		}
	}

	return {
		get(key: string, render: () => Promise<RenderedPage>): Promise<RenderedPage> {
			const now = deps.changeStamp()
			if (now !== version || settings !== deps.settings()) {
				slots.clear()
				bytes = 0
				version = now
				settings = deps.settings()
			}
			const cached = slots.get(key)
			// Out of date by the clock (a prediction's betting window ended): rendered again.
			if (cached && clock() >= cached.until) drop(key, cached)
			else if (cached) {
				// Most recently used last: eviction takes the first.
				slots.delete(key)
				slots.set(key, cached)
				return cached.page
			}
			if (slots.size >= maxEntries) {
				const [oldestKey, oldest] = slots.entries().next().value!
				drop(oldestKey, oldest)
			}
			const slot: Slot = { page: Promise.resolve(undefined as unknown as RenderedPage), bytes: 0, until: Number.POSITIVE_INFINITY }
			slot.page = render().then((rendered) => {
				slot.until = rendered.until ?? Number.POSITIVE_INFINITY
				grow(key, slot, bytesOf(key) + bytesOf(rendered.content) + bytesOf(rendered.etag))
				let full: Promise<string> | undefined
				const page = () => (full ??= rendered.page().then((html) => (grow(key, slot, bytesOf(html)), html)))
				return { ...rendered, page }
			})
			slots.set(key, slot)
			// A failed render is not kept.
			slot.page.catch(() => drop(key, slot))
			return slot.page
		},
		/** Read-only figures, for tests and diagnostics. */
		stats: () => ({ entries: slots.size, bytes })
	}
}

export type PageCache = ReturnType<typeof createPageCache>

/**
 * The economy in the JSON API: which features are on, the earning rules, and each feature's data while it is on
 * (names and points only, no viewer ids).
 */
function economyJson(data: DashboardData) {
	const { earn, features } = data
	return {
		features,
		earning: {
			amount: earn.amount,
			cycleSeconds: earn.cycleSeconds,
			activeChatterBonus: earn.activeChatterBonus ?? 0,
			firstChatBonus: earn.firstChatBonus ?? 0,
			streakBonus: earn.streakBonus ?? 0,
			streakStreams: earn.streakStreams ?? 0
		},
		...(features.give ? { give: data.give } : {}),
		...(data.prediction ? { prediction: data.prediction } : {}),
		...(data.polls ? { polls: data.polls } : {}),
		...(data.leaderboard ? { leaderboard: data.leaderboard } : {})
	}
}

export function dashboardRoutes(deps: DashboardDeps) {
	// Counting the queue reads its whole index: once per change of the database, not once per request.
	let counted: { stamp: string; size: number } | undefined
	const queue: DashboardSources['queue'] = {
		page: deps.queue.page,
		after: deps.queue.after,
		recent: deps.queue.recent,
		size() {
			const stamp = deps.changeStamp()
			if (counted?.stamp !== stamp) counted = { stamp, size: deps.queue.size() }
			return counted.size
		}
	}
	const clock = deps.clock ?? Date.now
	const sources = (now: number): DashboardSources => {
		const { config, redeems, commands } = deps.settings()
		return {
			queue,
			viewers: deps.viewers,
			counters: deps.redeems.counters,
			milestones: deps.redeems.milestones,
			redeems,
			activeCategories: deps.moderation.activeCategories(),
			pausedRedeems: deps.moderation.pausedRedeems,
			passive: config.passive,
			publicBalances: config.public_balances,
			prefix: config.prefix,
			earn: {
				amount: config.points_amount_given,
				cycleSeconds: config.points_cycle_time,
				activeChatterBonus: config.active_chatter_bonus,
				firstChatBonus: config.first_chat_bonus,
				streakBonus: config.streak_bonus,
				streakStreams: config.streak_streams
			},
			commands: {
				help: commands.nameOf('help'),
				points: commands.nameOf('points'),
				store: commands.nameOf('store'),
				link: commands.nameOf('link'),
				bet: commands.nameOf('bet'),
				vote: commands.nameOf('vote'),
				top: commands.nameOf('top'),
				hide: commands.nameOf('hide'),
				give: commands.nameOf('give')
			},
			// A feature shows only where this bot was given its source (app.ts wires all three).
			features: {
				predictions: config.predictions_enabled && deps.predictions !== undefined,
				polls: config.polls_enabled && deps.polls !== undefined,
				leaderboard: config.leaderboard_enabled && deps.leaderboard !== undefined,
				give: config.give_enabled
			},
			give: { maxPerDay: config.give_max_per_day, minEarned: config.give_min_earned },
			predictions: deps.predictions,
			polls: deps.polls,
			leaderboard: deps.leaderboard,
			now
		}
	}
	/** The tabs this page has now: the leaderboard only while it is on, one tab in passive mode. */
	const tabOf = (wanted: Tab): Tab => {
		const { config } = deps.settings()
		if (config.passive) return 'dashboard'
		if (wanted === 'leaderboard' && !(config.leaderboard_enabled && deps.leaderboard)) return 'dashboard'
		return wanted
	}

	const cache = deps.pageCache ?? createPageCache({ ...deps, clock })

	return new Elysia({ name: 'dashboard' })
		.use(html())
		.get('/dashboard', async ({ query, headers, set }) => {
			const { request, error } = readRequest(query as Query)
			const fragment = first((query as Query).fragment) === '1'
			Object.assign(set.headers, PAGE_HEADERS)
			if (error) {
				set.status = 400
				set.headers['content-type'] = 'text/html; charset=utf-8'
				return <DashboardError message={error} links={linksFor(request)} fragment={fragment} />
			}
			const tab = tabOf(request.tab)
			// Only the queue tab has pages.
			const at = tab !== 'queue' ? '' : request.cursor ? `a${request.cursor}` : `p${request.page}`
			const key = `${tab}|${at}|${request.userId ?? ''}|${request.username ?? ''}`
			const { content, page, etag } = await cache.get(key, async () => {
				const now = clock()
				const data = buildDashboard(sources(now), { ...request, part: tab })
				const links = linksFor(request)
				const content = await (<DashboardContent data={data} tab={tab} links={links} />)
				const etag = etagOf(content)
				// Rendered lazily: live updates only ever ask for the content.
				let page: Promise<string> | undefined
				const fullPage = () =>
					(page ??= (async () => {
						const html = await (<DashboardPage data={data} tab={tab} links={links} renderedContent={content} />)
						// The first live update compares against what this page already shows.
						return html.replace('<div id="content"', `<div id="content" data-etag="${etag.replace(/"/g, '&quot;')}"`)
					})())
				return { content, etag, page: fullPage, until: freshUntil(data, now) }
			})
			set.headers.etag = etag
			if (fragment) {
				if (headers['if-none-match'] === etag) {
					set.status = 304
					return ''
				}
				set.headers['content-type'] = 'text/html; charset=utf-8'
				return content
			}
			return page()
		})
		// The assets read nothing from the request: their work is the same for any URL.
		.get('/dashboard/assets/style.css', ({ set }) => {
			set.headers['cache-control'] = 'public, max-age=3600'
			return new Response(Bun.file(styleCss), { headers: { 'content-type': 'text/css; charset=utf-8' } })
		})
		.get('/dashboard/assets/dashboard.js', ({ set }) => {
			set.headers['cache-control'] = 'public, max-age=3600'
			return new Response(Bun.file(dashboardJs), { headers: { 'content-type': 'text/javascript; charset=utf-8' } })
		})
		.get('/dashboard/assets/store.js', ({ set }) => {
			set.headers['cache-control'] = 'public, max-age=3600'
			return new Response(Bun.file(storeJs), { headers: { 'content-type': 'text/javascript; charset=utf-8' } })
		})
		.get('/api/dashboard', ({ query, set }) => {
			set.headers['access-control-allow-origin'] = '*'
			set.headers['cache-control'] = 'no-store'
			const { request, error } = readRequest(query as Query)
			if (error) {
				set.status = 400
				return { error }
			}
			const data = buildDashboard(sources(clock()), request)
			const { entries, total, page, pageSize, pages, next } = data.queue
			return {
				passive: data.passive,
				counters: data.counters,
				milestones: data.milestones,
				queue: data.passive
					? { entries: [], total: 0, page: 1, pageSize, pages: 1, next: null }
					: { entries, total, page, pageSize, pages, next },
				redeems: data.passive ? [] : data.redeems.filter((r) => r.active).map(({ active: _, ...r }) => r),
				activeCategories: data.activeCategories,
				...(data.balance ? { balance: data.balance } : {}),
				...economyJson(data)
			}
		})
}
