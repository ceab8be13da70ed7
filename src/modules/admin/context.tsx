/** @jsxImportSource @kitajs/html */
// What every route of the admin page shares: its dependencies, the session (a signed cookie whose session is
// still in admin_sessions) and who it is, the flash cookie, the page headers, the body cap and the same-origin
// screen, and the guarded instance each tab's routes hang on (routes.tsx puts them together).
import { Elysia, type Context } from 'elysia'
import { MessagePage, type Flash } from '../../../templates/admin.tsx'
import type { PlainReply } from '../chat/reply.ts'
import type { Polls } from '../polls/service.ts'
import type { Predictions } from '../predictions/service.ts'
import type { Logger } from '../../log.ts'
import type { AuditStore } from '../audit/store.ts'
import type { Outbox } from '../events/outbox.ts'
import type { EventFeed } from '../events/routes.ts'
import type { RedeemStore } from '../redeems/store.ts'
import type { RedeemsFileAccess } from '../redeems/file.ts'
import type { Identity } from '../identity/service.ts'
import type { Moderation } from '../moderation/service.ts'
import type { Queue } from '../redemptions/queue.ts'
import type { Config } from '../settings/schema.ts'
import type { Settings } from '../settings/settings.ts'
import type { ViewerStore } from '../viewers/store.ts'
import { ADMIN_ACTOR, clearedFlashCookie, cookieValues, csrfToken, flashCookie, flashFrom, passwordFingerprint, SESSION_COOKIE, validCsrf, verifySession, type Session } from './auth.ts'
import { parseAdminBody, TOO_LARGE, MAX_ADMIN_FORM_BYTES } from './body.ts'
import { createClientKeyOf, createTrustOf, fromTrustedProxy } from '../http/client-address.ts'
import type { AdminLinks } from './links.ts'
import type { AdminSessions } from './sessions.ts'

export type AdminDeps = {
	config: () => Pick<Config, 'secret_key' | 'public_url' | 'admin_password' | 'trusted_proxies'>
	moderation: Pick<
		Moderation,
		| 'resolve'
		| 'adjustPoints'
		| 'audit'
		| 'setPaused'
		| 'restock'
		| 'pausedRedeems'
		| 'activeCategories'
		| 'setCategory'
		| 'resetCompletedMilestone'
		| 'hardResetMilestone'
	>
	/** Where each redeem stands (stock used, milestone progress), for the Redeems tab. */
	redeemState: Pick<RedeemStore, 'controls' | 'milestone' | 'counter' | 'counters' | 'milestones'>
	/** redeems.toml for the redeem editor (comment-keeping edits, .bak, conflicts; the settings reload on save). */
	redeemsFile: RedeemsFileAccess
	queue: Pick<Queue, 'get' | 'pending' | 'pendingCount' | 'pendingMatching' | 'pendingMatchingCount' | 'recentlyFulfilled' | 'byViewer'>
	viewers: Pick<ViewerStore, 'viewer' | 'search' | 'history'>
	audit: Pick<AuditStore, 'entries'>
	links: Pick<AdminLinks, 'state' | 'consume'>
	sessions: Pick<AdminSessions, 'create' | 'active' | 'end' | 'endAll'>
	/** Viewers' dashboard sign-ins: listed and ended from the viewers page. */
	identity: Pick<Identity, 'sessionsOf' | 'revoke' | 'signOutEverywhere' | 'newCode' | 'peekModeratorCode' | 'collectModerator'>
	/** Outgoing webhooks (the Integrations tab): receivers, recent deliveries, test events. */
	outbox: Pick<Outbox, 'receivers' | 'recentDeliveries' | 'sendTest'>
	/** The event log as a stream: the live queue (new redemptions, status and balance changes without a reload). */
	feed: Pick<EventFeed, 'open'>
	/** The Predictions & polls tab: the same services (and chat commands' code) as !predict and !poll. */
	predictions: Pick<Predictions, 'open' | 'lock' | 'resolve' | 'cancel' | 'current' | 'last'>
	polls: Pick<Polls, 'open' | 'close' | 'openPolls'>
	/** Announcements in chat (a prediction opened from the page is announced like one opened in chat). */
	chat: { send(replies: readonly PlainReply[]): void }
	/** For the overlay URLs: the overlay key, the bot's address, the counter and goal names; messages and names. */
	settings: () => Pick<Settings, 'config' | 'baseUrl' | 'redeems' | 'commands' | 'messages' | 'polls'>
	log: Logger
	clock: () => number
}

/** Admin pages may load only our own stylesheets, post only to us, and never be framed. */
export const ADMIN_CSP =
	"default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

export type ResponseSet = Context['set']
export type Form = Record<string, unknown>
export type Server = Context['server']
export type Query = Record<string, string | string[] | undefined>

export const first = (value: unknown): string | undefined => {
	const one = Array.isArray(value) ? value[0] : value
	return typeof one === 'string' ? one : undefined
}

/** The viewers search as typed (in a query or a form), trimmed and at most 100 characters. */
export const searchText = (fields: unknown): string => (first(((fields ?? {}) as Form).q) ?? '').trim().slice(0, 100)

/** Sends an HTML page with the admin headers. */
export async function page(set: ResponseSet, status: number, body: JSX.Element): Promise<string> {
	set.status = status
	set.headers['content-type'] = 'text/html; charset=utf-8'
	set.headers['content-security-policy'] = ADMIN_CSP
	set.headers['x-frame-options'] = 'DENY'
	set.headers['cache-control'] = 'no-store'
	// With "no-referrer" (the default everywhere else) browsers send "Origin: null" on form posts, which the
	// same-origin check must refuse; "same-origin" keeps the real Origin on our own forms.
	set.headers['referrer-policy'] = 'same-origin'
	return `<!doctype html>${await body}`
}

export function redirect(set: ResponseSet, location: string): string {
	set.status = 303
	set.headers.location = location
	set.headers['cache-control'] = 'no-store'
	return ''
}

/** The helpers every admin route shares, over one set of dependencies. */
export function createAdminContext(deps: AdminDeps) {
	const secret = () => deps.config().secret_key
	const secure = () => deps.config().public_url?.startsWith('https://') ?? false
	const publicHost = () => {
		const url = deps.config().public_url
		return url ? new URL(url).host : undefined
	}
	/** The fingerprint of the admin_password in force ("" when none is set): sessions of another one are over. */
	const fingerprint = () => passwordFingerprint(secret(), deps.config().admin_password)
	const trust = createTrustOf(() => deps.config().trusted_proxies)
	/** The socket peer's address; undefined without a server (app.handle() in tests). */
	const peerOf = (server: Server, request: Request) => server?.requestIP(request)?.address
	/** Whom the throttle counts a login attempt against: the client's address, an IPv6 one by its /64. */
	const clientKeyOf = createClientKeyOf(trust)
	const clientOf = (server: Server, request: Request) => clientKeyOf(peerOf(server, request), request.headers)

	/**
	 * Who a session is while it is active: the admin, or a moderator who signed in from chat, and only while
	 * Owncast still has them as a moderator (as their last chat message said).
	 */
	function activeActor(id: string, now: number): string | undefined {
		const row = deps.sessions.active(id, fingerprint(), now)
		if (!row) return undefined
		if (row.viewerId !== null && !deps.viewers.viewer(row.viewerId)?.isModerator) return undefined
		return row.actor ?? ADMIN_ACTOR
	}

	function currentSession(cookieHeader: string | undefined): (Session & { actor: string }) | undefined {
		const now = deps.clock()
		for (const value of cookieValues(cookieHeader, SESSION_COOKIE)) {
			const session = verifySession(secret(), value, now)
			const actor = session && activeActor(session.id, now)
			if (session && actor) return { ...session, actor }
		}
		return undefined
	}

	/** A POST from another site's page: its Origin (when the browser sends one) names another host. */
	function foreignOrigin(request: Request, peer: string | undefined): boolean {
		const origin = request.headers.get('origin')
		if (origin === null) return false
		let host: string
		try {
			host = new URL(origin).host
		} catch {
			return true
		}
		if (!host) return true
		const allowed = [new URL(request.url).host, request.headers.get('host'), publicHost()]
		// Only a trusted proxy says which host the browser asked for; from anyone else the header means nothing.
		const forwardedHost = request.headers.get('x-forwarded-host')
		if (forwardedHost !== null && fromTrustedProxy(peer, trust())) allowed.push(...forwardedHost.split(',').map((h) => h.trim()))
		return !allowed.includes(host)
	}

	/** Adds a Set-Cookie header (a response may set the session and the flash cookie both). */
	function addCookie(set: ResponseSet, cookie: string) {
		const before = set.headers['set-cookie'] as string | string[] | undefined
		;(set.headers as Record<string, string | string[]>)['set-cookie'] = before === undefined ? cookie : [...[before].flat(), cookie]
	}
	/** A 303 to the path (and its query), the message in the flash cookie, never in the URL. */
	function redirectWith(set: ResponseSet, path: string, flash: Flash, params: Record<string, string> = {}): string {
		addCookie(set, flashCookie(secret(), flash, secure()))
		const query = new URLSearchParams(params).toString()
		return redirect(set, query ? `${path}?${query}` : path)
	}
	/** The flash the browser brought, shown once: its cookie is cleared by this response. */
	function takeFlash(headers: Record<string, string | undefined>, set: ResponseSet): Flash | undefined {
		const flash = flashFrom(secret(), headers.cookie)
		if (flash) addCookie(set, clearedFlashCookie(secure()))
		return flash
	}

	/** What every page of a logged-in admin carries: the session's CSRF token, and the flash the browser brought. */
	const pageBasics = (session: Session | undefined, headers: Record<string, string | undefined>, set: ResponseSet) => ({
		csrf: csrfToken(secret(), session as Session),
		flash: takeFlash(headers, set)
	})

	/**
	 * Every /admin request, first: a body over MAX_ADMIN_FORM_BYTES (TOO_LARGE from the parse hook) is refused
	 * before anything else; a POST from another site's page too.
	 */
	const screen = ({ request, body, server, set }: { request: Request; body: unknown; server: Server; set: ResponseSet }) => {
		if (body === TOO_LARGE) {
			set.headers.connection = 'close'
			return page(
				set,
				413,
				<MessagePage title="Too large" text={`Admin forms are at most ${MAX_ADMIN_FORM_BYTES / 1024} KB; nothing was read or changed.`} />
			)
		}
		if (request.method !== 'POST' || !foreignOrigin(request, peerOf(server, request))) return
		return page(set, 403, <MessagePage title="Refused" text="This form was sent from another site; nothing changed." />)
	}
	/** Our parser for every body under /admin: capped, and run before Elysia's own (which would read it all). */
	const parse = ({ request }: { request: Request }, contentType: string) => parseAdminBody(request, contentType)

	/** A new instance for a group of routes that all need a session; POSTs also need its CSRF token. Its hooks cover its own routes only. */
	const guarded = () =>
		new Elysia()
			.onParse(parse)
			.onBeforeHandle(screen)
			.derive(({ headers }) => {
				const session = currentSession(headers.cookie)
				// Who the audit log names: the admin, or the moderator who signed in from chat.
				return { session, actor: session?.actor ?? ADMIN_ACTOR }
			})
			.onBeforeHandle(({ session, request, body, set }) => {
				if (!session) return redirect(set, '/admin/login')
				if (request.method === 'POST' && !validCsrf(secret(), session, ((body ?? {}) as Form).csrf)) {
					return page(
						set,
						403,
						<MessagePage title="Refused" text="This form has expired or did not come from the admin page; nothing changed. Go back, reload and try again." />
					)
				}
			})

	return { deps, secret, secure, fingerprint, activeActor, currentSession, clientOf, addCookie, redirectWith, takeFlash, pageBasics, screen, parse, guarded }
}

export type AdminContext = ReturnType<typeof createAdminContext>
