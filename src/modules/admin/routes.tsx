/** @jsxImportSource @kitajs/html */
// The streamer's admin page under /admin: login (admin_password or a one-time link from `tlapbot admin-link`),
// the pending queue, viewers and balances and their dashboard sign-ins, integrations (outgoing webhooks and their
// deliveries, a test event, the overlay URLs), the audit log. Server-rendered forms
// that work without JavaScript; every POST needs a signed session cookie whose session is still in
// admin_sessions, and the session's CSRF token, and is answered by a 303 back. Bodies are capped (body.ts) before anything else looks at a request.
import { Elysia, type Context } from 'elysia'
import * as v from 'valibot'
import {
	AuditPage,
	ChatLoginPage,
	ConfirmPage,
	DockPage,
	IntegrationsPage,
	LinkConfirmPage,
	LoginPage,
	MessagePage,
	QueuePage,
	queueHref,
	type QueueFilter,
	RedeemsPage,
	type RedeemRow,
	ViewerSessionsPage,
	ViewersPage,
	shortUserAgent,
	type Flash
} from '../../../templates/admin.tsx'
import { RedeemChangeConfirmPage, RedeemEditorPage, type RedeemImpact } from '../../../templates/admin-redeems.tsx'
import { ViewerPage } from '../../../templates/admin-viewer.tsx'
import { EconomyPage } from '../../../templates/admin-economy.tsx'
import type { PlainReply } from '../chat/reply.ts'
import { sayTo } from '../chat/reply.ts'
import { handlePollCommand } from '../polls/commands.ts'
import type { Polls } from '../polls/service.ts'
import { handlePredictCommand } from '../predictions/commands.ts'
import type { Predictions } from '../predictions/service.ts'
import adminCss from '../../../templates/assets/admin.css' with { type: 'file' }
import adminJs from '../../../templates/assets/admin.js' with { type: 'file' }
import type { Logger } from '../../log.ts'
import type { AuditStore } from '../audit/store.ts'
import type { Outbox } from '../events/outbox.ts'
import type { EventFeed } from '../events/routes.ts'
import { overlayUrls } from '../overlays/urls.ts'
import { counterNames, findCategory, findRedeem, isRedeemActive, milestoneGoals, redeemCategories } from '../redeems/model.ts'
import type { RedeemStore } from '../redeems/store.ts'
import type { RedeemEdit, RedeemsFileAccess } from '../redeems/file.ts'
import { errorField, formFromPost, formFromTable, nameInFile, redeemFromForm } from './redeem-form.ts'
import type { Identity } from '../identity/service.ts'
import type { AdjustMode, Moderation, ResolveAction } from '../moderation/service.ts'
import type { NamedRedemption, Queue } from '../redemptions/queue.ts'
import type { RedemptionStatus } from '../redemptions/store.ts'
import type { Config } from '../settings/schema.ts'
import type { Settings } from '../settings/settings.ts'
import type { ViewerStore } from '../viewers/store.ts'
import {
	ADMIN_ACTOR,
	chatLoginCookie,
	chatLoginFrom,
	checkPassword,
	clearedChatLoginCookie,
	clearedFlashCookie,
	clearedSessionCookie,
	cookieValues,
	createLoginThrottle,
	createSession,
	csrfToken,
	flashCookie,
	flashFrom,
	passwordFingerprint,
	SESSION_COOKIE,
	sessionCookie,
	validCsrf,
	verifySession,
	type Session
} from './auth.ts'
import { parseAdminBody, TOO_LARGE, MAX_ADMIN_FORM_BYTES } from './body.ts'
import { createClientKeyOf, createTrustOf, fromTrustedProxy } from '../http/client-address.ts'
import { LINK_MINUTES, type AdminLinks, type LinkState } from './links.ts'
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
const AUDIT_PAGE_SIZE = 50
const ADMIN_QUEUE_PAGE = 200
/** The dock shows the oldest pending entries only: it is a to-do list, not the queue's history. */
const DOCK_SIZE = 50
/** A viewer's page shows their latest redemptions and balance changes, this many of each. */
const VIEWER_ROWS = 100
const MAX_AMOUNT = 1_000_000_000
const MAX_PASSWORD_LENGTH = 1024
const LOGGED_OUT = 'Logged out.'
const LOGGED_OUT_EVERYWHERE = 'Logged out everywhere.'
/** A viewer session's id in URLs: the sha256 of its token (the token itself is never stored or shown). */
const SESSION_HASH = /^[0-9a-f]{64}$/i
const MAX_VIEWER_ID_LENGTH = 200
const METHOD_WORDS = { code: 'code typed in chat', link: 'personal link' } as const
/** A receiver's id in URLs (outbox.ts: part of its URL's sha256; the URL itself is never in a page). */
const RECEIVER_ID = /^[0-9a-f]{16}$/
const DELIVERIES_SHOWN = 50

type ResponseSet = Context['set']
type Form = Record<string, unknown>
type Server = Context['server']
type Query = Record<string, string | string[] | undefined>

const first = (value: unknown): string | undefined => {
	const one = Array.isArray(value) ? value[0] : value
	return typeof one === 'string' ? one : undefined
}

/** The viewers search as typed (in a query or a form), trimmed and at most 100 characters. */
const searchText = (fields: unknown): string => (first(((fields ?? {}) as Form).q) ?? '').trim().slice(0, 100)

const AMOUNT_ERROR = `The amount must be a whole number from 0 to ${MAX_AMOUNT}.`
const PointsForm = v.object({
	mode: v.picklist(['add', 'remove', 'set'], 'Choose add, remove or set.'),
	amount: v.pipe(
		v.string(AMOUNT_ERROR),
		v.trim(),
		v.regex(/^\d{1,10}$/, AMOUNT_ERROR),
		v.transform(Number),
		v.integer(AMOUNT_ERROR),
		v.minValue(0, AMOUNT_ERROR),
		v.maxValue(MAX_AMOUNT, AMOUNT_ERROR)
	)
})
const RedemptionForm = v.object({
	action: v.picklist(['done', 'reject', 'refund', 'reopen'], 'Choose Done, Reject, Refund or Reopen.'),
	reason: v.optional(v.pipe(v.string('The reason must be text.'), v.trim(), v.maxLength(200, 'The reason may be at most 200 characters.')), '')
})

/** Where a queue form leads back to: the queue (with its filters and page) or the dock; nothing else. */
const BACK_PATH = /^\/admin(?:\/dock)?(?:\?[A-Za-z0-9_.~%+=&-]{0,400})?$/
function backOf(form: Form): string {
	const back = first(form.back)
	return back && BACK_PATH.test(back) ? back : '/admin'
}

const CONFLICT =
	'redeems.toml was changed on disk since this page was loaded (by hand or in another tab); nothing was saved. The form shows your changes: check them and save again to apply them to the file as it is now.'

const STATUS_WORDS: Record<RedemptionStatus, string> = {
	pending: 'still pending',
	fulfilled: 'already done',
	rejected: 'already rejected',
	cancelled: 'already refunded'
}
const ACTION_WORDS: Record<ResolveAction, string> = { done: 'marked done', reject: 'rejected', refund: 'refunded', reopen: 'back in the queue' }

/** Sends an HTML page with the admin headers. */
async function page(set: ResponseSet, status: number, body: JSX.Element): Promise<string> {
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

function redirect(set: ResponseSet, location: string): string {
	set.status = 303
	set.headers.location = location
	set.headers['cache-control'] = 'no-store'
	return ''
}

const LINK_ERRORS: Record<Exclude<LinkState, 'valid'>, { status: number; title: string; text: string }> = {
	used: {
		status: 410,
		title: 'Link already used',
		text: 'This login link was already used; each link works only once. Run `tlapbot admin-link` on the server for a new one.'
	},
	expired: {
		status: 410,
		title: 'Link expired',
		text: `This login link has expired (links last ${LINK_MINUTES} minutes). Run \`tlapbot admin-link\` on the server for a new one.`
	},
	unknown: {
		status: 400,
		title: 'Link not valid',
		text: 'This login link is not valid: check that it was copied whole, or run `tlapbot admin-link` on the server for a new one.'
	}
}

export function adminRoutes(deps: AdminDeps) {
	const { links } = deps
	// Failed logins and login links, per client address (client-address.ts); in memory, per process.
	const throttle = createLoginThrottle()
	// Codes for moderators, per client address: asking again and again slows down like failed logins do.
	const codeThrottle = createLoginThrottle({ maxWaitMs: 30_000 })
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

	/** A new admin session (a moderator's names them in the audit log), and the queue. */
	function logIn(set: ResponseSet, how: string, moderator?: { viewerId: string; actor: string }): string {
		const now = deps.clock()
		const { session, value } = createSession(secret(), now)
		deps.sessions.create(session.id, fingerprint(), now, session.expires * 1000, moderator)
		addCookie(set, sessionCookie(value, secure()))
		deps.moderation.audit(moderator?.actor ?? ADMIN_ACTOR, 'login', how, now)
		deps.log.info(`admin page: ${moderator ? 'a moderator ' : ''}logged in with ${how}`)
		return redirectWith(set, '/admin', { kind: 'ok', text: moderator ? `Logged in as ${moderator.actor}.` : 'Logged in.' })
	}

	/** A viewer by the id in a URL; undefined for ids no viewer can have. */
	const viewerOf = (id: string) => (id.length > 0 && id.length <= MAX_VIEWER_ID_LENGTH ? deps.viewers.viewer(id) : undefined)

	/**
	 * A sign-out form's viewer and where it goes back to: the viewer's sign-ins page (keeping the viewers search),
	 * or the viewers page when there is no such viewer.
	 */
	function sessionsForm(id: string, body: unknown, set: ResponseSet) {
		const q = searchText(body)
		const viewer = viewerOf(id)
		const params: Record<string, string> = q ? { q } : {}
		const toViewer = first(((body ?? {}) as Form).back) === 'viewer'
		const path = viewer ? `/admin/viewers/${encodeURIComponent(viewer.id)}${toViewer ? '' : '/sessions'}` : '/admin/viewers'
		return { viewer, back: (flash: Flash) => redirectWith(set, path, flash, params) }
	}

	/** The queue's filters as store arguments; undefined for none. A viewer filter matches names and ids as the viewers search does. */
	function pendingFilter(filter: QueueFilter) {
		if (!filter.redeem && !filter.viewer) return undefined
		return {
			...(filter.redeem ? { redeem: filter.redeem } : {}),
			...(filter.viewer ? { viewerIds: deps.viewers.search(filter.viewer, 200).map((v) => v.id) } : {})
		}
	}

	/** Rejects and refunds give points back: they happen only after the in-page confirmation. */
	const needsConfirm = (action: ResolveAction, form: Form) => (action === 'reject' || action === 'refund') && first(form.confirm) !== 'yes'

	/** The confirmation step: what will be rejected or refunded, and how many points go back. */
	function confirmPage(set: ResponseSet, session: Session, action: 'reject' | 'refund', ids: string[], reason: string, back: string, bulk: boolean) {
		const from = action === 'reject' ? 'pending' : undefined
		const rows: NamedRedemption[] = []
		const skipped: string[] = []
		for (const text of ids) {
			const r = /^\d{1,15}$/.test(text) ? deps.queue.get(Number(text)) : undefined
			const can = r && (from ? r.status === from : r.status === 'pending' || r.status === 'fulfilled')
			if (r && can) rows.push(r)
			else skipped.push(`#${text.slice(0, 16)}`)
		}
		if (rows.length === 0) {
			return redirectWith(set, back, { kind: 'error', text: `${skipped.join(', ')}: already resolved or not found; nothing changed.` })
		}
		return page(
			set,
			200,
			<ConfirmPage csrf={csrfToken(secret(), session)} action={action} rows={rows} skipped={skipped} reason={reason} back={back} bulk={bulk} dock={back.startsWith('/admin/dock')} />
		)
	}

	/** What every page of a logged-in admin carries: the session's CSRF token, and the flash the browser brought. */
	const pageBasics = (session: Session | undefined, headers: Record<string, string | undefined>, set: ResponseSet) => ({
		csrf: csrfToken(secret(), session as Session),
		flash: takeFlash(headers, set)
	})

	/** The page for a viewer id nobody has. */
	const noSuchViewer = (set: ResponseSet, id: string) =>
		page(set, 404, <MessagePage title="No such viewer" text={`There is no viewer with id ${id.slice(0, MAX_VIEWER_ID_LENGTH)}.`} />)
	/** Back to the Redeems tab: the redeem is not (or no longer) in redeems.toml. */
	const noRedeemInFile = (set: ResponseSet, asked: string) =>
		redirectWith(set, '/admin/redeems', { kind: 'error', text: `There is no redeem called ${asked.slice(0, 64)} in redeems.toml.` })


	function editorPage(
		set: ResponseSet,
		session: Session,
		status: number,
		editing: string | undefined,
		version: string,
		fields: Record<string, string>,
		error: { key: string; text: string } | undefined,
		flash: Flash | undefined
	) {
		return page(
			set,
			status,
			<RedeemEditorPage csrf={csrfToken(secret(), session)} flash={flash} editing={editing} version={version} fields={fields} error={error} />
		)
	}

	/** What a rename or delete leaves behind under the old name: pending redemptions, a counter's count, a milestone's progress. */
	function impactOf(name: string): RedeemImpact {
		const counter = deps.redeemState.counter(name)
		const milestone = deps.redeemState.milestone(name)
		const progress = counter && counter.count > 0 ? `count of ${counter.count}` : milestone && milestone.progress > 0 ? `progress of ${milestone.progress}/${milestone.goal}` : undefined
		return { pending: deps.queue.pendingMatchingCount({ redeem: name }), progress }
	}

	/** Creates (editing undefined) or saves a redeem from the editor's form; a rename asks first. */
	function saveRedeem(set: ResponseSet, session: Session, actor: string, asked: string | undefined, form: Form) {
		// The redeem as redeems.toml spells it (the URL may differ in case); gone since the page loaded: said so.
		const editing = asked === undefined ? undefined : nameInFile(deps.redeemsFile.read().tables, asked)
		if (asked !== undefined && editing === undefined) {
			return redirectWith(set, '/admin/redeems', { kind: 'error', text: `There is no redeem called ${asked.slice(0, 64)} in redeems.toml; nothing was saved.` })
		}
		const posted = redeemFromForm(form)
		const version = first(form.version) ?? ''
		const again = (status: number, error: { key: string; text: string } | undefined, flash: Flash | undefined, at = version) =>
			editorPage(set, session, status, editing, at, formFromPost(form), error, flash)
		if (posted.name === '') return again(422, { key: 'name', text: 'Give the redeem a command name.' }, { kind: 'error', text: 'Nothing was saved: the command name is missing.' })
		const renamed = editing !== undefined && posted.name.toLowerCase() !== editing.toLowerCase()
		if (renamed && first(form.confirm) !== 'yes') {
			const hidden: Record<string, string> = {}
			for (const [key, value] of Object.entries(form)) if (key !== 'csrf' && key !== 'confirm' && typeof value === 'string') hidden[key] = value
			return page(
				set,
				200,
				<RedeemChangeConfirmPage
					csrf={csrfToken(secret(), session)}
					kind="rename"
					name={editing}
					newName={posted.name}
					impact={impactOf(editing)}
					action={`/admin/redeems/${encodeURIComponent(editing)}/edit`}
					hidden={hidden}
				/>
			)
		}
		const edit: RedeemEdit = { kind: 'save', name: posted.name, values: posted.values, ...(editing !== undefined ? { previousName: editing } : {}) }
		const result = deps.redeemsFile.save(version, edit)
		if (!result.ok) {
			if (result.reason === 'conflict') return again(409, undefined, { kind: 'error', text: CONFLICT }, deps.redeemsFile.read().version)
			const error = errorField(result.message) ?? { key: result.reason === 'exists' ? 'name' : 'name', text: result.message }
			return again(422, error, { kind: 'error', text: `Nothing was saved: ${result.message}` })
		}
		const what = editing === undefined ? 'created' : renamed ? `renamed from ${editing}` : 'saved'
		deps.moderation.audit(actor, editing === undefined ? 'redeem created' : renamed ? 'redeem renamed' : 'redeem edited', `${posted.name}: ${what}`, deps.clock())
		deps.log.info(`admin page: redeem ${posted.name} ${what} in redeems.toml`)
		return redirectWith(set, '/admin/redeems', {
			kind: 'ok',
			text: `${posted.name} is ${what}; viewers can use !${posted.name} now. redeems.toml is saved (the previous version is redeems.toml.bak).`
		})
	}

	/**
	 * What a !predict or !poll from the page said: announcements go to chat and show as done; a reply meant for the
	 * moderator shows as the error (without its "@name, "); undefined (the command's usage) as `invalid`.
	 */
	function announced(set: ResponseSet, replies: readonly (PlainReply | { to: string; text: string })[] | undefined, invalid: string) {
		const back = (flash: Flash) => redirectWith(set, '/admin/economy', flash)
		if (!replies || replies.length === 0) return back({ kind: 'error', text: invalid })
		const announcements = replies.filter((r): r is PlainReply => r.to === 'public')
		if (announcements.length === 0) {
			const text = (replies[0]?.text ?? '').replace(/^@[^,]*, /, '')
			return back({ kind: 'error', text: `${text.charAt(0).toUpperCase()}${text.slice(1)}` })
		}
		if (!deps.settings().config.passive) deps.chat.send(announcements)
		return back({ kind: 'ok', text: `Done; said in chat: ${announcements.map((r) => r.text).join(' ')}` })
	}

	const linkError = (set: ResponseSet, state: Exclude<LinkState, 'valid'>) => {
		const error = LINK_ERRORS[state]
		return page(set, error.status, <MessagePage title={error.title} text={error.text} loginLink />)
	}

	const waitWords = (seconds: number) => `${seconds} second${seconds === 1 ? '' : 's'}`
	/** 429 for a client that must wait after failed logins. */
	function throttled(set: ResponseSet, client: string, link: boolean): Promise<string> {
		const seconds = throttle.retryAfter(client, deps.clock())
		set.headers['retry-after'] = String(seconds)
		const text = `Too many failed logins from your address: wait ${waitWords(seconds)}, then try again.`
		if (link) return page(set, 429, <MessagePage title="Too many attempts" text={text} loginLink />)
		return page(set, 429, <LoginPage passwordSet flash={{ kind: 'error', text }} />)
	}

	/**
	 * Checks a login link (GET shows it, POST uses it) as one throttled attempt: a made-up token is a failed
	 * login; a used or expired one is not (it was a real link).
	 */
	function checkLink(set: ResponseSet, client: string, check: () => LinkState, onValid: () => string | Promise<string>) {
		const forgive = throttle.begin(client, deps.clock())
		if (!forgive) return throttled(set, client, true)
		const state = check()
		if (state === 'unknown') return linkError(set, state)
		forgive()
		return state === 'valid' ? onValid() : linkError(set, state)
	}

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

	// Two instances, so that the session guard's hooks cover only the second one's routes.
	const open = new Elysia()
		.onParse(parse)
		.onBeforeHandle(screen)
		.get('/admin/assets/admin.css', ({ headers, set }) => {
			set.headers['cache-control'] = 'public, max-age=3600'
			return new Response(Bun.file(adminCss), { headers: { 'content-type': 'text/css; charset=utf-8' } })
		})
		.get('/admin/assets/admin.js', ({ set }) => {
			set.headers['cache-control'] = 'public, max-age=3600'
			return new Response(Bun.file(adminJs), { headers: { 'content-type': 'text/javascript; charset=utf-8' } })
		})
		.post('/admin/login/chat', ({ request, server, set }) => {
			// A code for a moderator to type in chat; its claim stays in this browser's cookie.
			const client = clientOf(server, request)
			if (!codeThrottle.begin(client, deps.clock())) {
				const seconds = codeThrottle.retryAfter(client, deps.clock())
				set.headers['retry-after'] = String(seconds)
				const text = `Too many codes asked from your address: wait ${waitWords(seconds)}, then try again.`
				return page(set, 429, <LoginPage passwordSet={deps.config().admin_password !== undefined} flash={{ kind: 'error', text }} />)
			}
			const { config, commands } = deps.settings()
			const link = commands.nameOf('link')
			const unavailable = config.passive
				? 'Signing in from chat needs the bot to read chat commands, and passive mode is on; use the password or `tlapbot admin-link`.'
				: !link
					? 'Signing in from chat is unavailable: a redeem has the name of the link command; use the password or `tlapbot admin-link`.'
					: undefined
			if (unavailable) return page(set, 503, <LoginPage passwordSet={deps.config().admin_password !== undefined} flash={{ kind: 'error', text: unavailable }} />)
			const { code, claim } = deps.identity.newCode(deps.clock(), 'admin')
			addCookie(set, chatLoginCookie(code, claim, secure()))
			return page(set, 200, <ChatLoginPage code={code} command={`${config.prefix}${link}`} />)
		})
		.get('/admin/login/chat/status', ({ headers, set }) => {
			const held = chatLoginFrom(headers.cookie)
			set.headers['cache-control'] = 'no-store'
			return { status: held ? deps.identity.peekModeratorCode(held.code, held.claim, deps.clock()) : 'unknown' }
		})
		.post('/admin/login/chat/collect', ({ headers, request, server, set }) => {
			const held = chatLoginFrom(headers.cookie)
			const passwordSet = deps.config().admin_password !== undefined
			const result = held ? deps.identity.collectModerator(held.code, held.claim, deps.clock()) : { status: 'unknown' as const }
			if (result.status === 'waiting' && held) {
				const command = `${deps.settings().config.prefix}${deps.settings().commands.nameOf('link') ?? 'link'}`
				return page(set, 200, <ChatLoginPage code={held.code} command={command} flash={{ kind: 'error', text: 'The code has not been typed in chat yet.' }} />)
			}
			addCookie(set, clearedChatLoginCookie(secure()))
			if (result.status !== 'linked') {
				const text = 'That code has expired or was already used: get a new one.'
				return page(set, 410, <LoginPage passwordSet={passwordSet} flash={{ kind: 'error', text }} />)
			}
			// Typed by a moderator (the code binds to no one else); still one when the page collects it.
			const viewer = deps.viewers.viewer(result.viewerId)
			if (!viewer?.isModerator) {
				const text = 'Only moderators of the Owncast chat can sign in with a code.'
				return page(set, 403, <LoginPage passwordSet={passwordSet} flash={{ kind: 'error', text }} />)
			}
			codeThrottle.reset(clientOf(server, request))
			return logIn(set, `a code typed in chat by ${viewer.displayName} (${viewer.id})`, {
				viewerId: viewer.id,
				actor: `${viewer.displayName} (moderator)`
			})
		})
		.get('/admin/login', ({ query, headers, request, server, set }) => {
			const token = first((query as Query).token)
			if (token !== undefined) {
				return checkLink(
					set,
					clientOf(server, request),
					() => links.state(token, deps.clock()),
					() => page(set, 200, <LinkConfirmPage token={token} />)
				)
			}
			if (currentSession(headers.cookie)) return redirect(set, '/admin')
			// Only our own messages are shown (the flash cookie is signed), never text a link carries.
			return page(set, 200, <LoginPage passwordSet={deps.config().admin_password !== undefined} flash={takeFlash(headers, set)} />)
		})
		.post('/admin/login', async ({ body, request, server, set }) => {
			const form = (body ?? {}) as Form
			const token = first(form.token)
			const client = clientOf(server, request)
			if (token !== undefined) {
				return checkLink(
					set,
					client,
					() => links.consume(token, deps.clock()),
					() => {
						throttle.reset(client)
						return logIn(set, 'a one-time link')
					}
				)
			}
			const configured = deps.config().admin_password
			if (configured === undefined) {
				return page(set, 403, <LoginPage passwordSet={false} flash={{ kind: 'error', text: 'No admin password is set.' }} />)
			}
			const forgive = throttle.begin(client, deps.clock())
			if (!forgive) return throttled(set, client, false)
			const typed = first(form.password) ?? ''
			let right: boolean
			try {
				right = typed.length <= MAX_PASSWORD_LENGTH && (await checkPassword(configured, typed))
			} catch (error) {
				forgive()
				deps.log.error(`admin_password looks like a password hash but cannot be used: ${(error as Error).message}`)
				return page(
					set,
					503,
					<MessagePage
						title="Login unavailable"
						text="admin_password in config.toml looks like a password hash but is not a valid one. Set it again, or use `tlapbot admin-link`."
					/>
				)
			}
			if (!right) {
				return page(set, 401, <LoginPage passwordSet flash={{ kind: 'error', text: 'Wrong password.' }} />)
			}
			throttle.reset(client)
			return logIn(set, 'the password')
		})

	// Everything here needs a session; POSTs also need its CSRF token.
	const guarded = new Elysia()
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
		.get('/admin', ({ headers, session, query, set }) => {
			// 200 pending entries a page, oldest first; ?after=<id> shows the ones after that redemption;
			// ?redeem= and ?viewer= (a name or id, as on the viewers page) filter them.
			const q = query as Query
			const afterText = first(q.after)
			const after = afterText && /^\d{1,15}$/.test(afterText) ? Number(afterText) : undefined
			const filter: QueueFilter = { redeem: (first(q.redeem) ?? '').trim().slice(0, 64), viewer: (first(q.viewer) ?? '').trim().slice(0, 100) }
			const matching = pendingFilter(filter)
			const rows = matching ? deps.queue.pendingMatching(matching, ADMIN_QUEUE_PAGE + 1, after) : deps.queue.pending(ADMIN_QUEUE_PAGE + 1, after)
			const pending = rows.slice(0, ADMIN_QUEUE_PAGE)
			const { redeems } = deps.settings()
			return page(
				set,
				200,
				<QueuePage
					{...pageBasics(session, headers, set)}
					pending={pending}
					pendingTotal={matching ? deps.queue.pendingMatchingCount(matching) : deps.queue.pendingCount()}
					nextAfter={rows.length > ADMIN_QUEUE_PAGE ? pending.at(-1)?.id : undefined}
					paged={after !== undefined}
					fulfilled={deps.queue.recentlyFulfilled()}
					filter={filter}
					redeemNames={redeems.filter((r) => r.type === 'list' || r.type === 'note').map((r) => r.name)}
					archived={(name) => !findRedeem(redeems, name)}
					self={queueHref(filter, after)}
				/>
			)
		})
		.get('/admin/dock', ({ headers, session, set }) => {
			const rows = deps.queue.pending(DOCK_SIZE)
			return page(
				set,
				200,
				<DockPage {...pageBasics(session, headers, set)} pending={rows} pendingTotal={deps.queue.pendingCount()} />
			)
		})
		.get('/admin/events', ({ session, request, set }) => {
			// The live queue: the event stream behind the admin session (never the overlay key); it ends when the
			// session does (logout, logout everywhere, a new admin_password).
			const id = (session as Session).id
			const response = deps.feed.open(request, {
				notes: true,
				lastId: request.headers.get('last-event-id'),
				allowed: () => activeActor(id, deps.clock()) !== undefined
			})
			if (response) return response
			set.status = 503
			set.headers['retry-after'] = '10'
			return 'Too many event streams are open (event_clients); the page reloads by hand.'
		})
		.get('/admin/viewers', ({ headers, session, query, set }) => {
			const q = searchText(query)
			const viewers = deps.viewers.search(q, 50)
			const now = deps.clock()
			const signIns = new Map(viewers.map((viewer) => [viewer.id, deps.identity.sessionsOf(viewer.id, now).length]))
			return page(
				set,
				200,
				<ViewersPage {...pageBasics(session, headers, set)} q={q} viewers={viewers} signIns={signIns} />
			)
		})
		.get('/admin/viewers/:id', ({ headers, params, session, query, set }) => {
			const q = searchText(query)
			const viewer = viewerOf(params.id)
			if (!viewer) return noSuchViewer(set, params.id)
			return page(
				set,
				200,
				<ViewerPage
					{...pageBasics(session, headers, set)}
					viewer={viewer}
					redemptions={deps.queue.byViewer(viewer.id, VIEWER_ROWS)}
					history={deps.viewers.history(viewer.id, 0, VIEWER_ROWS)}
					sessions={deps.identity.sessionsOf(viewer.id, deps.clock())}
					q={q}
				/>
			)
		})
		.get('/admin/viewers/:id/sessions', ({ headers, params, session, query, set }) => {
			const q = searchText(query)
			const viewer = viewerOf(params.id)
			if (!viewer) return noSuchViewer(set, params.id)
			return page(
				set,
				200,
				<ViewerSessionsPage
					{...pageBasics(session, headers, set)}
					viewer={viewer}
					sessions={deps.identity.sessionsOf(viewer.id, deps.clock())}
					q={q}
				/>
			)
		})
		.get('/admin/integrations', ({ headers, session, query, set }) => {
			const { config, baseUrl, redeems } = deps.settings()
			const names = {
				counters: counterNames(redeems),
				milestones: milestoneGoals(redeems).map((m) => m.name),
				polls: deps.settings().polls.map((p) => p.name)
			}
			return page(
				set,
				200,
				<IntegrationsPage
					{...pageBasics(session, headers, set)}
					receivers={deps.outbox.receivers()}
					deliveries={deps.outbox.recentDeliveries(DELIVERIES_SHOWN)}
					overlays={overlayUrls(config, baseUrl, names)}
				/>
			)
		})
		.get('/admin/economy', ({ headers, session, set }) => {
			const { config } = deps.settings()
			const now = deps.clock()
			return page(
				set,
				200,
				<EconomyPage
					{...pageBasics(session, headers, set)}
					predictionsOn={config.predictions_enabled}
					pollsOn={config.polls_enabled}
					prediction={config.predictions_enabled ? deps.predictions.current(now) : undefined}
					last={config.predictions_enabled ? deps.predictions.last() : undefined}
					polls={config.polls_enabled ? deps.polls.openPolls() : []}
				/>
			)
		})
		.post('/admin/economy/prediction', ({ actor, body, set }) => {
			const form = (body ?? {}) as Form
			const back = (flash: Flash) => redirectWith(set, '/admin/economy', flash)
			if (!deps.settings().config.predictions_enabled) return back({ kind: 'error', text: 'Predictions are off (predictions_enabled in config.toml).' })
			const field = (name: string) => (first(form[name]) ?? '').trim()
			let args: string
			switch (first(form.action)) {
				case 'open': {
					const outcomes = field('outcomes').split(/\r?\n/).map((o) => o.trim()).filter(Boolean)
					const question = field('question')
					const seconds = field('seconds')
					if ([question, ...outcomes].some((t) => t.includes('|'))) return back({ kind: 'error', text: 'The question and outcomes cannot contain "|"; nothing changed.' })
					if (seconds && !/^\d{1,6}$/.test(seconds)) return back({ kind: 'error', text: 'The betting window is a whole number of seconds; nothing changed.' })
					if (!question || outcomes.length < 2) return back({ kind: 'error', text: 'Give a question and at least 2 outcomes, one per line; nothing changed.' })
					args = `open ${seconds ? `${seconds} ` : ''}${question} | ${outcomes.join(' | ')}`
					break
				}
				case 'lock':
					args = 'lock'
					break
				case 'resolve':
					args = `resolve ${field('outcome')}`
					break
				case 'cancel':
					if (first(form.confirm) !== 'yes') return back({ kind: 'error', text: 'Tick "I am sure" to cancel the prediction and refund every bet; nothing changed.' })
					args = 'cancel'
					break
				default:
					return back({ kind: 'error', text: 'Choose open, lock, resolve or cancel.' })
			}
			const { config, commands, messages } = deps.settings()
			const say = sayTo(messages, config.prefix, actor)
			const replies = handlePredictCommand({ predictions: deps.predictions, say, now: deps.clock(), actor, betCommand: commands.nameOf('bet') ?? 'bet' }, args)
			return announced(set, replies, 'The prediction needs a question of 1 to 200 characters and 2 to 10 different outcomes of at most 50 characters; the window is 1 to 86400 seconds. Nothing changed.')
		})
		.post('/admin/economy/poll', ({ actor, body, set }) => {
			const form = (body ?? {}) as Form
			const back = (flash: Flash) => redirectWith(set, '/admin/economy', flash)
			if (!deps.settings().config.polls_enabled) return back({ kind: 'error', text: 'Polls are off (polls_enabled in config.toml).' })
			const field = (name: string) => (first(form[name]) ?? '').trim()
			const name = field('name')
			if (!name || /\s/.test(name)) return back({ kind: 'error', text: 'A poll name is one word (viewers type it); nothing changed.' })
			let args: string
			if (first(form.action) === 'close') args = `close ${name}`
			else if (first(form.action) === 'open') {
				const options = field('options').split(/\r?\n/).map((o) => o.trim()).filter(Boolean)
				const question = field('question')
				if ([question, ...options].some((t) => t.includes('|'))) return back({ kind: 'error', text: 'The question and options cannot contain "|"; nothing changed.' })
				if (!question || options.length < 2) return back({ kind: 'error', text: 'Give a question and at least 2 options, one per line; nothing changed.' })
				args = `open ${name} ${question} | ${options.join(' | ')}`
			} else return back({ kind: 'error', text: 'Choose open or close.' })
			const { config, commands, messages } = deps.settings()
			const say = sayTo(messages, config.prefix, actor)
			const replies = handlePollCommand({ polls: deps.polls, say, now: deps.clock(), actor, voteCommand: commands.nameOf('vote') ?? 'vote' }, args)
			return announced(set, replies, 'A poll has 2 to 10 different options of at most 50 characters and a question of at most 300; nothing changed.')
		})
		.get('/admin/redeems', ({ headers, session, query, set }) => {
			const { redeems } = deps.settings()
			const paused = new Set(deps.moderation.pausedRedeems().map((n) => n.toLowerCase()))
			const active = deps.moderation.activeCategories()
			const rows: RedeemRow[] = redeems.map((r) => {
				const controls = deps.redeemState.controls(r.name)
				const milestone = r.type === 'milestone' ? deps.redeemState.milestone(r.name) : undefined
				return {
					name: r.name,
					title: r.title ?? r.name,
					type: r.type,
					cost: r.type === 'milestone' ? `goal ${r.goal}` : `${r.price}`,
					categories: r.categories,
					active: isRedeemActive(r, active),
					paused: paused.has(r.name.toLowerCase()),
					stock: r.limits.stock !== undefined ? `${Math.max(0, r.limits.stock - controls.stockUsed)} of ${r.limits.stock} left` : undefined,
					milestone: milestone ? { progress: milestone.progress, goal: milestone.goal, completed: milestone.completed } : undefined
				}
			})
			const activeNames = new Set(active.map((c) => c.toLowerCase()))
			const categories = redeemCategories(redeems).map((name) => ({ name, on: activeNames.has(name.toLowerCase()) }))
			const gone = (name: string) => !findRedeem(redeems, name)
			const archived = [
				...deps.redeemState.counters().filter((c) => gone(c.name)).map((c) => ({ name: c.name, kind: 'counter' as const, value: `count ${c.count}` })),
				...deps.redeemState
					.milestones()
					.filter((m) => gone(m.name))
					.map((m) => ({ name: m.name, kind: 'milestone' as const, value: `${m.progress}/${m.goal}${m.completed ? ', complete' : ''}` }))
			]
			return page(
				set,
				200,
				<RedeemsPage
					{...pageBasics(session, headers, set)}
					redeems={rows}
					categories={categories}
					archived={archived}
				/>
			)
		})
		.get('/admin/new-redeem', ({ headers, session, set }) =>
			editorPage(set, session as Session, 200, undefined, deps.redeemsFile.read().version, { type: 'list' }, undefined, takeFlash(headers, set))
		)
		.post('/admin/new-redeem', ({ actor, session, body, set }) => saveRedeem(set, session as Session, actor, undefined, (body ?? {}) as Form))
		.get('/admin/redeems/:name/edit', ({ headers, params, session, set }) => {
			const file = deps.redeemsFile.read()
			const name = nameInFile(file.tables, params.name)
			if (name === undefined) return noRedeemInFile(set, params.name)
			const fields = { name, ...formFromTable(file.tables[name] ?? {}) }
			return editorPage(set, session as Session, 200, name, file.version, fields, undefined, takeFlash(headers, set))
		})
		.post('/admin/redeems/:name/edit', ({ actor, params, session, body, set }) =>
			saveRedeem(set, session as Session, actor, params.name, (body ?? {}) as Form)
		)
		.post('/admin/redeems/:name/delete', ({ actor, params, session, body, set }) => {
			const form = (body ?? {}) as Form
			const file = deps.redeemsFile.read()
			const name = nameInFile(file.tables, params.name)
			if (name === undefined) return noRedeemInFile(set, params.name)
			const version = first(form.version) ?? ''
			if (first(form.confirm) !== 'yes') {
				return page(
					set,
					200,
					<RedeemChangeConfirmPage
						csrf={csrfToken(secret(), session as Session)}
						kind="delete"
						name={name}
						impact={impactOf(name)}
						action={`/admin/redeems/${encodeURIComponent(name)}/delete`}
						hidden={{ version }}
					/>
				)
			}
			const result = deps.redeemsFile.save(version, { kind: 'delete', name })
			if (!result.ok) {
				const text = result.reason === 'conflict' ? CONFLICT : result.message
				return redirectWith(set, `/admin/redeems/${encodeURIComponent(name)}/edit`, { kind: 'error', text })
			}
			deps.moderation.audit(actor, 'redeem deleted', `${name}: removed from redeems.toml`, deps.clock())
			deps.log.info(`admin page: deleted the redeem ${name} from redeems.toml`)
			return redirectWith(set, '/admin/redeems', { kind: 'ok', text: `${name} is deleted; redeems.toml is saved (the previous version is redeems.toml.bak).` })
		})
		.post('/admin/redeems/:name', ({ actor, params, body, set }) => {
			const back = (flash: Flash) => redirectWith(set, '/admin/redeems', flash)
			const redeem = findRedeem(deps.settings().redeems, params.name)
			if (!redeem) return back({ kind: 'error', text: `There is no redeem called ${params.name.slice(0, 64)}.` })
			const form = (body ?? {}) as Form
			const now = deps.clock()
			switch (first(form.action)) {
				case 'pause':
				case 'resume': {
					const pause = first(form.action) === 'pause'
					deps.moderation.setPaused(redeem.name, pause, actor, now)
					return back({ kind: 'ok', text: `${redeem.name} is ${pause ? 'paused' : 'back'}.` })
				}
				case 'restock':
					deps.moderation.restock(redeem.name, actor, now)
					return back({ kind: 'ok', text: `${redeem.name} is restocked.` })
				case 'reset': {
					if (redeem.type !== 'milestone') return back({ kind: 'error', text: `${redeem.name} is not a milestone.` })
					const result = deps.moderation.resetCompletedMilestone(redeem.name, actor, now)
					if (result === 'reset') return back({ kind: 'ok', text: `${redeem.name} starts again from 0.` })
					if (result === 'missing') return back({ kind: 'error', text: `${redeem.name} is not in the database yet; run tlapbot init-db.` })
					return back({ kind: 'error', text: `${redeem.name} is not complete (${result.progress}/${result.goal}); nothing changed.` })
				}
				case 'hard_reset': {
					if (redeem.type !== 'milestone') return back({ kind: 'error', text: `${redeem.name} is not a milestone.` })
					// The in-page confirmation: a reset of progress that was not completed loses the donations' effect.
					if (first(form.confirm) !== 'yes') return back({ kind: 'error', text: `Tick "I am sure" to reset ${redeem.name}; nothing changed.` })
					if (!deps.moderation.hardResetMilestone(redeem.name, actor, now)) {
						return back({ kind: 'error', text: `${redeem.name} is not in the database yet; run tlapbot init-db.` })
					}
					return back({ kind: 'ok', text: `${redeem.name} is back to 0.` })
				}
				default:
					return back({ kind: 'error', text: 'Choose pause, resume, restock or a reset.' })
			}
		})
		.post('/admin/categories/:name', ({ actor, params, body, set }) => {
			const back = (flash: Flash) => redirectWith(set, '/admin/redeems', flash)
			const category = findCategory(deps.settings().redeems, params.name)
			if (!category) return back({ kind: 'error', text: `No redeem is in the category ${params.name.slice(0, 64)}.` })
			const on = first(((body ?? {}) as Form).on) === '1'
			deps.moderation.setCategory(category, on, actor, deps.clock())
			return back({ kind: 'ok', text: `Category ${category} is ${on ? 'on' : 'off'}.` })
		})
		.get('/admin/audit', ({ headers, session, query, set }) => {
			const pageText = first((query as Query).page) ?? '1'
			const number = /^\d{1,6}$/.test(pageText) ? Math.max(1, Number(pageText)) : 1
			const rows = deps.audit.entries(AUDIT_PAGE_SIZE + 1, (number - 1) * AUDIT_PAGE_SIZE)
			return page(
				set,
				200,
				<AuditPage
					{...pageBasics(session, headers, set)}
					entries={rows.slice(0, AUDIT_PAGE_SIZE)}
					page={number}
					hasNext={rows.length > AUDIT_PAGE_SIZE}
				/>
			)
		})
		.post('/admin/redemptions/bulk', ({ actor, session, body, set }) => {
			const form = (body ?? {}) as Form
			const back = backOf(form)
			const parsed = v.safeParse(RedemptionForm, form)
			if (!parsed.success) return redirectWith(set, back, { kind: 'error', text: parsed.issues[0].message })
			const { action, reason } = parsed.output
			const ids = [...new Set((Array.isArray(form.ids) ? form.ids : [form.ids]).filter((id): id is string => typeof id === 'string'))]
			if (ids.length === 0) return redirectWith(set, back, { kind: 'error', text: 'Select one or more redemptions first; nothing changed.' })
			if (ids.length > ADMIN_QUEUE_PAGE) return redirectWith(set, back, { kind: 'error', text: `Select at most ${ADMIN_QUEUE_PAGE} at a time; nothing changed.` })
			if (needsConfirm(action, form)) return confirmPage(set, session as Session, action as 'reject' | 'refund', ids, reason, back, true)
			const now = deps.clock()
			const done: string[] = []
			const refused: string[] = []
			let points = 0
			for (const text of ids) {
				const result = /^\d{1,15}$/.test(text) ? deps.moderation.resolve(Number(text), action, actor, reason, now) : undefined
				if (!result?.ok) {
					refused.push(`#${text.slice(0, 16)} ${result && result.reason === 'wrong_status' ? STATUS_WORDS[result.status] : 'not found'}`)
					continue
				}
				done.push(`#${text}`)
				points += result.refunded
			}
			const refunded = points ? `; ${points} points given back` : ''
			const summary = done.length ? `${done.length} ${ACTION_WORDS[action]} (${done.join(', ')})${refunded}.` : 'Nothing changed.'
			const others = refused.length ? ` Left as they were: ${refused.join(', ')}.` : ''
			return redirectWith(set, back, { kind: done.length ? 'ok' : 'error', text: `${summary}${others}` })
		})
		.post('/admin/redemptions/:id', ({ actor, session, params, body, set }) => {
			const form = (body ?? {}) as Form
			const to = backOf(form)
			const back = (flash: Flash) => redirectWith(set, to, flash)
			if (!/^\d{1,15}$/.test(params.id)) return back({ kind: 'error', text: `There is no redemption #${params.id.slice(0, 16)}.` })
			const id = Number(params.id)
			const parsed = v.safeParse(RedemptionForm, form)
			if (!parsed.success) return back({ kind: 'error', text: parsed.issues[0].message })
			const { action, reason } = parsed.output
			if (needsConfirm(action, form)) return confirmPage(set, session as Session, action as 'reject' | 'refund', [params.id], reason, to, false)
			const result = deps.moderation.resolve(id, action, actor, reason, deps.clock())
			if (!result.ok) {
				if (result.reason === 'not_found') return back({ kind: 'error', text: `There is no redemption #${id}.` })
				return back({ kind: 'error', text: `Redemption #${id} is ${STATUS_WORDS[result.status]}; nothing changed.` })
			}
			const r = result.redemption
			const refunded = result.refunded ? `; ${r.viewerName} got ${result.refunded} points back` : ''
			return back({ kind: 'ok', text: `#${id} ${r.redeem} by ${r.viewerName}: ${ACTION_WORDS[action]}${refunded}.` })
		})
		.post('/admin/viewers/:id/points', ({ actor, params, body, set }) => {
			const form = (body ?? {}) as Form
			const q = searchText(form)
			const viewer = viewerOf(params.id)
			// Back to the viewer's page when the form was there, else to the viewers list.
			const to = viewer && first(form.back) === 'viewer' ? `/admin/viewers/${encodeURIComponent(viewer.id)}` : '/admin/viewers'
			const back = (flash: Flash) => redirectWith(set, to, flash, q ? { q } : {})
			if (!viewer) return back({ kind: 'error', text: `There is no viewer with id ${params.id}.` })
			const parsed = v.safeParse(PointsForm, form)
			if (!parsed.success) return back({ kind: 'error', text: parsed.issues[0].message })
			const { mode, amount } = parsed.output as { mode: AdjustMode; amount: number }
			const result = deps.moderation.adjustPoints(viewer.id, mode, amount, actor, deps.clock())
			if (!result.ok) {
				if (result.reason === 'not_found') return back({ kind: 'error', text: `There is no viewer with id ${params.id}.` })
				return back({
					kind: 'error',
					text: `${viewer.displayName} has only ${result.balance} points, so ${amount} cannot be removed; nothing changed.`
				})
			}
			const change = result.delta === 0 ? 'no change' : `${result.delta > 0 ? '+' : ''}${result.delta}`
			return back({ kind: 'ok', text: `${viewer.displayName}: ${change}, balance now ${result.balance}.` })
		})
		.post('/admin/viewers/:id/sessions/revoke-all', ({ actor, params, body, set }) => {
			const { viewer, back } = sessionsForm(params.id, body, set)
			if (!viewer) return back({ kind: 'error', text: `There is no viewer with id ${params.id.slice(0, MAX_VIEWER_ID_LENGTH)}.` })
			const ended = deps.identity.signOutEverywhere(viewer.id)
			if (ended === 0) return back({ kind: 'error', text: `${viewer.displayName} is not signed in on any browser; nothing changed.` })
			const browsers = `${ended} browser${ended === 1 ? '' : 's'}`
			deps.moderation.audit(actor, 'viewer_signout', `${viewer.displayName} (${viewer.id}): everywhere, ${browsers} signed out`, deps.clock())
			deps.log.info(`admin page: signed a viewer out everywhere (${browsers})`)
			return back({ kind: 'ok', text: `${viewer.displayName}: signed out everywhere (${browsers}).` })
		})
		.post('/admin/viewers/:id/sessions/:hash/revoke', ({ actor, params, body, set }) => {
			const { viewer, back } = sessionsForm(params.id, body, set)
			if (!viewer) return back({ kind: 'error', text: `There is no viewer with id ${params.id.slice(0, MAX_VIEWER_ID_LENGTH)}.` })
			if (!SESSION_HASH.test(params.hash)) {
				return back({ kind: 'error', text: 'That is not a sign-in of this viewer (the link is malformed); nothing changed.' })
			}
			const hash = params.hash.toLowerCase()
			const now = deps.clock()
			const signIn = deps.identity.sessionsOf(viewer.id, now).find((s) => s.idHash === hash)
			if (!deps.identity.revoke(viewer.id, hash)) {
				return back({ kind: 'error', text: `That sign-in of ${viewer.displayName} has already ended (or is not theirs); nothing changed.` })
			}
			const how = signIn ? `, ${METHOD_WORDS[signIn.method] ?? signIn.method}, ${shortUserAgent(signIn.userAgent)}` : ''
			deps.moderation.audit(
				actor,
				'viewer_signout',
				`${viewer.displayName} (${viewer.id}): 1 browser signed out (sign-in ${hash.slice(0, 8)}${how})`,
				now
			)
			deps.log.info('admin page: signed out one browser of a viewer')
			return back({ kind: 'ok', text: `${viewer.displayName}: signed out of that browser.` })
		})
		.post('/admin/integrations/:id/test', ({ actor, params, set }) => {
			const back = (flash: Flash) => redirectWith(set, '/admin/integrations', flash)
			const now = deps.clock()
			const receiver = RECEIVER_ID.test(params.id) ? deps.outbox.sendTest(params.id, now) : undefined
			if (!receiver) return back({ kind: 'error', text: 'There is no such outgoing webhook (was config.toml changed?); nothing was sent.' })
			deps.moderation.audit(actor, 'webhook test', `test event for ${receiver.label}`, now)
			deps.log.info(`admin page: test event recorded for ${receiver.label}`)
			return back({ kind: 'ok', text: `A test event is on its way to ${receiver.label}; its delivery shows below.` })
		})
		.post('/admin/logout', ({ session, set }) => {
			deps.sessions.end((session as Session).id)
			set.headers['set-cookie'] = clearedSessionCookie(secure())
			return redirectWith(set, '/admin/login', { kind: 'ok', text: LOGGED_OUT })
		})
		.post('/admin/logout-everywhere', ({ actor, set }) => {
			const ended = deps.sessions.endAll()
			deps.moderation.audit(actor, 'logout everywhere', `${ended} session${ended === 1 ? '' : 's'} ended`, deps.clock())
			deps.log.info(`admin page: logged out everywhere (${ended} session${ended === 1 ? '' : 's'} ended)`)
			set.headers['set-cookie'] = clearedSessionCookie(secure())
			return redirectWith(set, '/admin/login', { kind: 'ok', text: LOGGED_OUT_EVERYWHERE })
		})
		.get('/admin/*', ({ headers, path, set }) => {
			if (path === '/admin/') return redirect(set, '/admin')
			return page(set, 404, <MessagePage title="Not found" text="There is no such admin page." />)
		})
		.post('/admin/*', ({ set }) => page(set, 404, <MessagePage title="Not found" text="There is no such admin page." />))

	return new Elysia({ name: 'admin' }).use(open).use(guarded)
}
