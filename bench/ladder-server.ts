// One server of the "ladder" (bench/ladder.ts): the webhook and dashboard paths built up one layer at a time, and
// prototypes of the proposed changes, so each layer's cost can be measured over HTTP. Not part of `npm run bench`.
//   bun bench/ladder-server.ts <mode> <instance dir> <owncast url>
// Prints "listening on http://127.0.0.1:PORT". Modes:
//   bare          Bun.serve, request.text(), 204 (as bench/bare.ts)
//   reader        Bun.serve, the body read as webhook.ts's readCappedText does (getReader loop), 204
//   elysia        Elysia with app.ts's onRequest hook, the webhook route with readCappedText as parser, 204
//   json          elysia + JSON.parse + the valibot envelope and CHAT schemas, 204
//   nodb          the real createApp, with PointsRepo.touchViewer a no-op (everything but the SQLite write)
//   tlapbot       the real createApp (what serve runs)
//   skip-touch    PROTOTYPE: the real createApp, touchViewer reads first and writes only for a new viewer, a
//                 changed name or moderator flag, or a seen_at older than a minute
//   dashboard     the real createApp on a dashboard instance
//   dash-proto    PROTOTYPE: GET /dashboard with the redeem lookup as a Map built once, only the queries the tab
//                 shows, the page rendered once (the etag hashes the <main> part of it), and an index in the
//                 queue's order (cleared_at, status != 'pending', created_at, id)
//   dash-cache    PROTOTYPE: dash-proto plus a cache of the page per (tab, page) for requests without viewer
//                 parameters, valid while SQLite's data_version and total_changes() are unchanged
// Any mode can end in "+sender": PROTOTYPE chat sender with concurrency 16 (not 4) and 20,000 waiting (not 500);
// "+c16": only the concurrency; "+q20k": only the queue; "+fastbody": the webhook body read with arrayBuffer()
// when Content-Length is known (readCappedText's stream loop otherwise); "+cats": deps.activeCategories() without
// its SQLite read (webhook.ts reads it for every CHAT message, commands or not; lazily, plain chat would skip it);
// "+reloader": serve's config reloader (fs.watch on the instance folder, where the database and its WAL live).
import { html } from '@elysiajs/html'
import { Elysia } from 'elysia'
import * as v from 'valibot'
import { DashboardPage, TABS, type Tab } from '../templates/dashboard.tsx'
import { createApp } from '../src/app.ts'
import { ensureInstance } from '../src/config/instance.ts'
import { loadConfig, loadRedeems } from '../src/config/load.ts'
import { openDatabase } from '../src/db/database.ts'
import { createDeps, type Deps } from '../src/deps.ts'
import { createReloader } from '../src/config/reload.ts'
import { createLogger } from '../src/log.ts'
import { createChatSender } from '../src/modules/owncast/chat-sender.ts'
import { createDashboardRepo } from '../src/modules/dashboard/repo.ts'
import { findBalance, QUEUE_PAGE_SIZE, RECENT_LIMIT, type DashboardData } from '../src/modules/dashboard/service.ts'
import { ChatEventSchema, WebhookEnvelopeSchema } from '../src/modules/owncast/model.ts'
import { createWebhookHandler, MAX_WEBHOOK_BYTES, owncastWebhook } from '../src/modules/owncast/webhook.ts'
import { SIGNATURE_HEADER } from '../src/modules/owncast/signature.ts'
import { adminRoutes } from '../src/modules/admin/routes.tsx'
import { dashboardRoutes } from '../src/modules/dashboard/routes.tsx'
import { isRedeemActive } from '../src/modules/redeems/model.ts'

const [mode, instanceDir, owncastUrl] = process.argv.slice(2) as [string, string, string]

/** A copy of webhook.ts's readCappedText (not exported). */
async function readCappedText(request: Request, limit: number): Promise<string | undefined> {
	const declared = Number(request.headers.get('content-length') ?? Number.NaN)
	if (declared > limit) return undefined
	if (!request.body) return ''
	const reader = request.body.getReader()
	const chunks: Uint8Array[] = []
	let size = 0
	for (;;) {
		const { done, value } = await reader.read()
		if (done) break
		size += value.byteLength
		if (size > limit) {
			await reader.cancel()
			return undefined
		}
		chunks.push(value)
	}
	return new TextDecoder().decode(Buffer.concat(chunks))
}

/** A copy of app.ts's onRequest hook. */
const EMBEDDABLE = /^\/dashboard(\/|$)/
const securityHeaders = ({ request, set }: { request: Request; set: { headers: Record<string, string | number> } }) => {
	set.headers['x-content-type-options'] = 'nosniff'
	set.headers['referrer-policy'] = 'no-referrer'
	if (!EMBEDDABLE.test(new URL(request.url).pathname)) {
		set.headers['x-frame-options'] = 'DENY'
		set.headers['content-security-policy'] = "default-src 'none'; frame-ancestors 'none'"
	}
}

function makeDeps(): Deps {
	ensureInstance(instanceDir)
	const { config } = loadConfig(instanceDir, {
		TLAPBOT_OWNCAST_URL: owncastUrl,
		TLAPBOT_OWNCAST_ACCESS_TOKEN: 'bench-token',
		TLAPBOT_LOG_LEVEL: 'warn',
		TLAPBOT_BACKUP_KEEP: '0'
	})
	const { redeems } = loadRedeems(instanceDir)
	const db = openDatabase(config.databasePath)
	const deps = createDeps({ config, redeems, db, log: createLogger('warn') })
	deps.redeemsRepo.addMissingRows(redeems, Date.now())
	return deps
}

// ---------------------------------------------------------------------------------------------------------------
// Prototype: touchViewer that writes only when something changed.

/** seen_at (moderation picks the most recently seen viewer of a name) is refreshed at most this often per viewer. */
const SEEN_REFRESH_MS = 60_000

function skipUnchangedTouch(deps: Deps) {
	const original = deps.points.touchViewer
	const select = deps.db.query<{ name: string; moderator: number; seenAt: string }, { id: string }>(
		'SELECT display_name AS name, is_moderator AS moderator, seen_at AS seenAt FROM viewers WHERE id = $id'
	)
	deps.points.touchViewer = (viewer, now) => {
		const row = select.get({ id: viewer.id })
		if (
			row &&
			row.name === viewer.displayName &&
			row.moderator === (viewer.isModerator ? 1 : 0) &&
			now - Date.parse(row.seenAt) < SEEN_REFRESH_MS
		) {
			return { created: false }
		}
		return original(viewer, now)
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Prototype: GET /dashboard.

type Query = Record<string, string | string[] | undefined>
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined
const PAGE_HEADERS = {
	'content-security-policy':
		"frame-ancestors *; default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'",
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'no-referrer',
	'cache-control': 'no-store'
}

function prototypeDashboard(deps: Deps, cache: boolean) {
	// A migration would add this: the queue's order (pending first, then oldest), so a page needs no sort.
	deps.db.run("CREATE INDEX IF NOT EXISTS redemptions_queue_order ON redemptions (cleared_at, status != 'pending', created_at, id)")
	const repo = createDashboardRepo(deps.db)
	const { config } = deps
	// A Map from lower-cased name to redeem, built once (redeems.toml reloads would rebuild it).
	const byName = new Map(deps.redeems.map((r) => [r.name.toLowerCase(), r]))
	const dataVersion = deps.db.query<{ data_version: number }, []>('PRAGMA data_version')
	const totalChanges = deps.db.query<{ n: number }, []>('SELECT total_changes() AS n')
	const pages = new Map<string, { version: string; page: string; content: string; etag: string }>()

	async function render(tab: Tab, pageNumber: number, userId: string | undefined, username: string | undefined) {
		const activeCategories = deps.activeCategories()
		const active = (name: string) => {
			const redeem = byName.get(name.toLowerCase())
			return redeem ? isRedeemActive(redeem, activeCategories) : false
		}
		const paused = new Set(deps.moderation.pausedRedeems().map((n) => n.toLowerCase()))
		const onQueue = tab === 'queue'
		const total = onQueue ? repo.queueSize() : 0
		const pageCount = Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE))
		const page = Math.min(Math.max(1, pageNumber), pageCount)
		const data: DashboardData = {
			passive: config.passive,
			prefix: config.prefix,
			counters: tab === 'dashboard' ? deps.redeemsRepo.counters().filter((c) => active(c.name)) : [],
			milestones: tab === 'dashboard' ? deps.redeemsRepo.milestones().filter((m) => active(m.name)) : [],
			recent: tab === 'dashboard' ? repo.recent(RECENT_LIMIT) : [],
			queue: {
				entries: onQueue ? repo.queuePage(QUEUE_PAGE_SIZE, (page - 1) * QUEUE_PAGE_SIZE) : [],
				total,
				page,
				pageSize: QUEUE_PAGE_SIZE,
				pages: pageCount
			},
			redeems: deps.redeems.map((r) => ({
				...r,
				active: isRedeemActive(r, activeCategories),
				paused: paused.has(r.name.toLowerCase())
			})),
			activeCategories,
			balance: findBalance(repo, userId, username)
		}
		const links = {
			href(t: Tab, p?: number) {
				const params = new URLSearchParams({ tab: t })
				if (p && p > 1) params.set('page', String(p))
				if (username) params.set('username', username)
				if (userId) params.set('userId', userId)
				return `?${params}`
			}
		}
		const full = await DashboardPage({ data, tab: config.passive ? 'dashboard' : tab, links })
		// The content is what <main> holds: hash it from the one rendering.
		const open = full.indexOf('<main id="content"')
		const contentStart = full.indexOf('>', open) + 1
		const contentEnd = full.lastIndexOf('</main>')
		const content = full.slice(contentStart, contentEnd)
		const etag = `"${Bun.hash(content).toString(36)}"`
		return { page: full, content, etag }
	}

	return new Elysia({ name: 'dashboard-prototype' }).use(html()).get('/dashboard', async ({ query, headers, set }) => {
		const q = query as Query
		const tabParam = first(q.tab)
		const tab: Tab = TABS.includes(tabParam as Tab) ? (tabParam as Tab) : 'dashboard'
		const pageText = first(q.page) ?? '1'
		const pageNumber = /^\d{1,9}$/.test(pageText) ? Number(pageText) : 1
		const userId = first(q.userId)
		const username = first(q.username)
		let rendered: { page: string; content: string; etag: string }
		if (cache && !userId && !username) {
			const version = `${dataVersion.get()?.data_version}:${totalChanges.get()?.n}`
			const key = `${tab}:${pageNumber}`
			const hit = pages.get(key)
			if (hit && hit.version === version) rendered = hit
			else {
				rendered = await render(tab, pageNumber, userId, username)
				pages.set(key, { ...rendered, version })
			}
		} else rendered = await render(tab, pageNumber, userId, username)
		Object.assign(set.headers, PAGE_HEADERS, { etag: rendered.etag })
		if (first(q.fragment) === '1') {
			if (headers['if-none-match'] === rendered.etag) {
				set.status = 304
				return ''
			}
			set.headers['content-type'] = 'text/html; charset=utf-8'
			return rendered.content
		}
		return rendered.page.replace('<main id="content"', `<main id="content" data-etag="${rendered.etag.replace(/"/g, '&quot;')}"`)
	})
}

// ---------------------------------------------------------------------------------------------------------------
// Prototype: the webhook's body read without a ReadableStream when Content-Length is known (Owncast sends it).

async function readBody(request: Request, limit: number): Promise<string | undefined> {
	const declared = Number(request.headers.get('content-length') ?? Number.NaN)
	if (declared > limit) return undefined
	if (Number.isFinite(declared)) {
		// Bun has the whole (small) body already; arrayBuffer() takes it without stream machinery.
		const bytes = await request.arrayBuffer()
		return bytes.byteLength > limit ? undefined : new TextDecoder().decode(bytes)
	}
	return readCappedText(request, limit)
}

const TOO_LARGE = Symbol('too large')

function fastBodyWebhook(deps: Deps) {
	const processWebhook = createWebhookHandler(deps)
	return new Elysia({ name: 'owncast.webhook' }).post(
		'/owncastWebhook',
		({ body, set, headers, query }) => {
			const outcome =
				body === TOO_LARGE
					? ({ status: 413, error: 'too large' } as const)
					: processWebhook({
							rawBody: typeof body === 'string' ? body : '',
							signatureHeader: headers[SIGNATURE_HEADER],
							urlSecret: typeof query.secret === 'string' ? query.secret : undefined
						})
			set.status = outcome.status
			return outcome.status === 204 ? undefined : { error: outcome.error }
		},
		{ parse: async ({ request }) => (await readBody(request, MAX_WEBHOOK_BYTES)) ?? TOO_LARGE }
	)
}

/** createApp's routes, with the prototype webhook route (no onError: the bench sends valid requests only). */
function appWithFastBody(deps: Deps) {
	return new Elysia()
		.onRequest(securityHeaders)
		.get('/healthz', () => ({ status: 'ok' }))
		.use(fastBodyWebhook(deps))
		.use(dashboardRoutes(deps))
		.use(adminRoutes(deps))
}

// ---------------------------------------------------------------------------------------------------------------

function listen(fetch: (request: Request) => Response | Promise<Response>) {
	const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch })
	console.log(`listening on http://127.0.0.1:${server.port}`)
}

// A mode can carry "+sender": the chat sender with concurrency 16 and room for 20,000 waiting replies (PROTOTYPE).
const [base, ...flags] = mode.split('+')
function withFlags(deps: Deps): Deps {
	// As serve does: watch the instance folder for config.toml / redeems.toml changes (it also holds the database).
	if (flags.includes('reloader')) createReloader(deps).start()
	// PROTOTYPE: no SQLite read of the run-time categories for every chat message. The bound of what computing
	// them lazily (only for a message that names a redeem) saves on plain chat; commands would still read them.
	if (flags.includes('cats')) deps.activeCategories = () => deps.config.active_categories
	if (flags.includes('sender')) deps.chat = createChatSender(deps.owncast, deps.log, { concurrency: 16, maxWaiting: 20_000 })
	if (flags.includes('c16')) deps.chat = createChatSender(deps.owncast, deps.log, { concurrency: 16 })
	if (flags.includes('q20k')) deps.chat = createChatSender(deps.owncast, deps.log, { maxWaiting: 20_000 })
	return deps
}

switch (base) {
	case 'bare':
		listen(async (request) => {
			await request.text()
			return new Response(null, { status: 204 })
		})
		break
	case 'reader':
		listen(async (request) => {
			await readCappedText(request, 64 * 1024)
			return new Response(null, { status: 204 })
		})
		break
	case 'elysia':
	case 'json': {
		const app = new Elysia().onRequest(securityHeaders).post(
			'/owncastWebhook',
			({ body, set }) => {
				if (base === 'json') {
					const envelope = v.safeParse(WebhookEnvelopeSchema, JSON.parse(body as string))
					if (!envelope.success || !v.safeParse(ChatEventSchema, envelope.output.eventData).success) throw new Error('invalid')
				}
				set.status = 204
				return undefined
			},
			{ parse: async ({ request }) => (await readCappedText(request, 64 * 1024)) ?? '' }
		)
		app.listen({ hostname: '127.0.0.1', port: 0 })
		console.log(`listening on http://127.0.0.1:${app.server?.port}`)
		break
	}
	case 'nodb':
	case 'tlapbot':
	case 'skip-touch':
	case 'dashboard': {
		const deps = withFlags(makeDeps())
		if (base === 'nodb') deps.points.touchViewer = () => ({ created: false })
		if (base === 'skip-touch') skipUnchangedTouch(deps)
		const app = flags.includes('fastbody') ? appWithFastBody(deps) : createApp(deps)
		app.listen({ hostname: '127.0.0.1', port: 0 })
		console.log(`listening on http://127.0.0.1:${app.server?.port}`)
		break
	}
	case 'dash-proto':
	case 'dash-cache': {
		const deps = withFlags(makeDeps())
		const app = new Elysia().onRequest(securityHeaders).use(owncastWebhook(deps)).use(prototypeDashboard(deps, base === 'dash-cache'))
		app.listen({ hostname: '127.0.0.1', port: 0 })
		console.log(`listening on http://127.0.0.1:${app.server?.port}`)
		break
	}
	default:
		throw new Error(`unknown mode ${mode}`)
}

// Exit cleanly on SIGTERM, so `bun --cpu-prof` can write its profile.
process.on('SIGTERM', () => process.exit(0))
