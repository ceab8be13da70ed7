// The one HTTP application: health check, Owncast webhooks, the dashboard, the admin page. Each route group gets
// the narrow parts of the bot it uses.
import { Elysia } from 'elysia'
import type { Bot } from './bot.ts'
import { isBusy } from './db/database.ts'
import { adminRoutes } from './modules/admin/routes.tsx'
import { storeRoutes } from './modules/store/routes.ts'
import { createEventFeed, eventRoutes } from './modules/events/routes.ts'
import { overlayRoutes } from './modules/overlays/routes.tsx'
import { dashboardRoutes } from './modules/dashboard/routes.tsx'
import { owncastWebhook } from './modules/owncast/webhook.ts'
import { VERSION } from './version.ts'

/**
 * The largest request body the server accepts at all (Bun.serve's maxRequestBodySize, set by `serve`); larger
 * ones get 413 from Bun before any route runs. Routes cap their own bodies far lower (webhooks 64 KB, admin
 * forms 16 KB); 1 MB leaves room for what a large redeems.toml needs, for a future redeem editor.
 */
export const MAX_REQUEST_BYTES = 1024 * 1024

/** The dashboard is embedded by Owncast in an iframe; everything else must never be framed. */
const EMBEDDABLE = /^\/dashboard(\/|$)/

export function createApp(bot: Bot) {
	const config = () => bot.settings().config
	// One event feed: overlays' streams and the admin page's live queue share its reads of the event log.
	const feed = createEventFeed({ config, store: bot.stores.events, onEvents: bot.onEvents })
	return new Elysia()
		.onRequest(({ request, set }) => {
			set.headers['x-content-type-options'] = 'nosniff'
			set.headers['referrer-policy'] = 'no-referrer'
			if (!EMBEDDABLE.test(new URL(request.url).pathname)) {
				set.headers['x-frame-options'] = 'DENY'
				set.headers['content-security-policy'] = "default-src 'none'; frame-ancestors 'none'"
			}
		})
		.onError(({ code, error, set, request }) => {
			set.headers['content-type'] = 'application/json; charset=utf-8'
			if (code === 'NOT_FOUND') {
				set.status = 404
				return { error: 'not_found' }
			}
			if (code === 'PARSE' || code === 'VALIDATION') {
				set.status = 400
				return { error: 'bad_request' }
			}
			if (isBusy(error)) {
				// Another process holds the write lock; nothing was changed (the transaction never began).
				bot.log.warnOnce('busy-request', 'a request found the database locked by another process and answered 503 (logged once)')
				set.status = 503
				set.headers['retry-after'] = '1'
				const message = 'The database is busy (another process is writing); nothing changed. Try again in a moment.'
				if (new URL(request.url).pathname.startsWith('/admin')) {
					// The admin page's forms get a page, not JSON: a static text, nothing from the request.
					set.headers['content-type'] = 'text/html; charset=utf-8'
					return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Busy</title><link rel="stylesheet" href="/admin/assets/admin.css"></head><body><main><h1>Busy</h1><p>${message}</p><p><a href="/admin">Back to the admin page</a></p></main></body></html>`
				}
				return { error: 'busy', message }
			}
			bot.log.error('request failed', error)
			set.status = 500
			return { error: 'internal_error' }
		})
		.get('/healthz', ({ set }) => {
			let database = 'ok'
			try {
				bot.db.query('SELECT 1').get()
			} catch {
				database = 'error'
				set.status = 503
			}
			return { status: database === 'ok' ? 'ok' : 'error', version: VERSION, database }
		})
		.use(owncastWebhook({ config, events: bot.backlog, log: bot.log, clock: bot.clock }))
		.use(
			dashboardRoutes({
				settings: bot.settings,
				queue: bot.queue,
				viewers: bot.stores.viewers,
				redeems: bot.stores.redeems,
				moderation: bot.moderation,
				changeStamp: bot.changeStamp,
				clock: bot.clock,
				predictions: bot.predictions,
				polls: bot.polls,
				leaderboard: bot.leaderboard
			})
		)
		.use(eventRoutes({ config, feed }))
		.use(
			overlayRoutes({
				settings: bot.settings,
				store: bot.stores.redeems,
				queue: bot.queue,
				events: bot.stores.events,
				predictions: bot.predictions,
				predictionRows: bot.stores.predictions,
				polls: bot.polls,
				clock: bot.clock
			})
		)
		.use(storeRoutes({ settings: bot.settings, identity: bot.identity, store: bot.store, log: bot.log, clock: bot.clock }))
		.use(
			adminRoutes({
				config,
				moderation: bot.moderation,
				redeemState: bot.stores.redeems,
				redeemsFile: bot.redeemsFile,
				queue: bot.queue,
				viewers: bot.stores.viewers,
				audit: bot.stores.audit,
				links: bot.stores.adminLinks,
				sessions: bot.stores.adminSessions,
				identity: bot.identity,
				outbox: bot.outbox,
				feed,
				predictions: bot.predictions,
				polls: bot.polls,
				chat: { send: (replies) => bot.runtime.chat.send(replies) },
				settings: bot.settings,
				log: bot.log,
				clock: bot.clock
			})
		)
}

export type App = ReturnType<typeof createApp>
