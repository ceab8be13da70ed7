/** @jsxImportSource @kitajs/html */
// GET /dashboard (the page Owncast shows as an external action), its assets, and GET /api/dashboard (JSON).
import { html } from '@elysiajs/html'
import { Elysia } from 'elysia'
import { DashboardContent, DashboardPage, TABS, type PageLinks, type Tab } from '../../../templates/dashboard.tsx'
import dashboardJs from '../../../templates/assets/dashboard.js' with { type: 'file' }
import styleCss from '../../../templates/assets/style.css' with { type: 'file' }
import type { Moderation } from '../moderation/service.ts'
import type { RedeemStore } from '../redeems/store.ts'
import type { SettingsSource } from '../settings/settings.ts'
import { buildDashboard, type DashboardSources } from './service.ts'

export type DashboardDeps = {
	settings: SettingsSource
	queue: DashboardSources['queue']
	viewers: DashboardSources['viewers']
	redeems: Pick<RedeemStore, 'counters' | 'milestones'>
	moderation: Pick<Moderation, 'activeCategories' | 'pausedRedeems'>
	/** Changes whenever the database does (see db/database.ts); the page cache is valid while it is the same. */
	changeStamp: () => string
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

function readRequest(query: Query) {
	const tabParam = first(query.tab)
	const tab: Tab = TABS.includes(tabParam as Tab) ? (tabParam as Tab) : 'dashboard'
	const pageText = first(query.page) ?? '1'
	const page = /^\d{1,9}$/.test(pageText) ? Number(pageText) : 1
	return { tab, page, username: first(query.username), userId: first(query.userId) }
}

function linksFor(request: { username: string | undefined; userId: string | undefined }): PageLinks {
	return {
		href(tab, page) {
			const params = new URLSearchParams({ tab })
			if (page && page > 1) params.set('page', String(page))
			if (request.username) params.set('username', request.username)
			if (request.userId) params.set('userId', request.userId)
			return `?${params}`
		}
	}
}

const etagOf = (text: string) => `"${Bun.hash(text).toString(36)}"`

type RenderedPage = { content: string; etag: string; page: () => Promise<string> }

/**
 * Rendered pages, kept while nothing they show can have changed: no write to the database (by any process) and
 * the same settings (a reload replaces them). Many viewers polling an unchanged dashboard then cost a look-up.
 */
function createPageCache(deps: Pick<DashboardDeps, 'settings' | 'changeStamp'>, maxEntries = 500) {
	const pages = new Map<string, Promise<RenderedPage>>()
	let version = ''
	let settings = deps.settings()
	return {
		get(key: string, render: () => Promise<RenderedPage>): Promise<RenderedPage> {
			const now = deps.changeStamp()
			if (now !== version || settings !== deps.settings()) {
				pages.clear()
				version = now
				settings = deps.settings()
			}
			let page = pages.get(key)
			if (!page) {
				if (pages.size >= maxEntries) pages.clear()
				page = render()
				pages.set(key, page)
				// A failed render is not kept.
				page.catch(() => pages.delete(key))
			}
			return page
		}
	}
}

export function dashboardRoutes(deps: DashboardDeps) {
	const sources = (): DashboardSources => {
		const { config, redeems } = deps.settings()
		return {
			queue: deps.queue,
			viewers: deps.viewers,
			counters: deps.redeems.counters,
			milestones: deps.redeems.milestones,
			redeems,
			activeCategories: deps.moderation.activeCategories(),
			pausedRedeems: deps.moderation.pausedRedeems,
			passive: config.passive,
			prefix: config.prefix
		}
	}

	const cache = createPageCache(deps)

	return new Elysia({ name: 'dashboard' })
		.use(html())
		.get('/dashboard', async ({ query, headers, set }) => {
			const request = readRequest(query as Query)
			const tab = deps.settings().config.passive ? 'dashboard' : request.tab
			const { content, page, etag } = await cache.get(`${tab}|${request.page}|${request.userId ?? ''}|${request.username ?? ''}`, async () => {
				const data = buildDashboard(sources(), { ...request, part: tab })
				const links = linksFor(request)
				const content = await (<DashboardContent data={data} tab={tab} links={links} />)
				const etag = etagOf(content)
				// Rendered lazily: live updates only ever ask for the content.
				let page: Promise<string> | undefined
				const fullPage = () =>
					(page ??= (async () => {
						const html = await (<DashboardPage data={data} tab={tab} links={links} renderedContent={content} />)
						// The first live update compares against what this page already shows.
						return html.replace('<main id="content"', `<main id="content" data-etag="${etag.replace(/"/g, '&quot;')}"`)
					})())
				return { content, etag, page: fullPage }
			})
			Object.assign(set.headers, PAGE_HEADERS, { etag })
			if (first((query as Query).fragment) === '1') {
				if (headers['if-none-match'] === etag) {
					set.status = 304
					return ''
				}
				set.headers['content-type'] = 'text/html; charset=utf-8'
				return content
			}
			return page()
		})
		.get('/dashboard/assets/style.css', ({ set }) => {
			set.headers['cache-control'] = 'public, max-age=3600'
			return new Response(Bun.file(styleCss), { headers: { 'content-type': 'text/css; charset=utf-8' } })
		})
		.get('/dashboard/assets/dashboard.js', ({ set }) => {
			set.headers['cache-control'] = 'public, max-age=3600'
			return new Response(Bun.file(dashboardJs), { headers: { 'content-type': 'text/javascript; charset=utf-8' } })
		})
		.get('/api/dashboard', ({ query, set }) => {
			set.headers['access-control-allow-origin'] = '*'
			set.headers['cache-control'] = 'no-store'
			const request = readRequest(query as Query)
			const data = buildDashboard(sources(), request)
			return {
				passive: data.passive,
				counters: data.counters,
				milestones: data.milestones,
				queue: data.passive ? { entries: [], total: 0, page: 1, pageSize: data.queue.pageSize, pages: 1 } : data.queue,
				redeems: data.passive ? [] : data.redeems.filter((r) => r.active).map(({ active: _, ...r }) => r),
				activeCategories: data.activeCategories,
				...(data.balance ? { balance: data.balance } : {})
			}
		})
}
