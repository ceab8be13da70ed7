/** @jsxImportSource @kitajs/html */
// The streamer's admin page under /admin: login (admin_password, a one-time link from `tlapbot admin-link`, or a
// code a moderator types in chat), logout, the audit log, and the tabs put together: queue-routes.tsx,
// redeem-routes.tsx, economy-routes.tsx, viewer-routes.tsx, integration-routes.tsx, all over context.tsx.
// Server-rendered forms that work without JavaScript; every POST needs a signed session cookie whose session is still
// in admin_sessions, and the session's CSRF token, and is answered by a 303 back. Bodies are capped (body.ts) before
// anything else looks at a request.
import { Elysia } from 'elysia'
import { AuditPage, ChatLoginPage, LinkConfirmPage, LoginPage, MessagePage } from '../../../templates/admin.tsx'
import adminCss from '../../../templates/assets/admin.css' with { type: 'file' }
import adminJs from '../../../templates/assets/admin.js' with { type: 'file' }
import { ADMIN_ACTOR, chatLoginCookie, chatLoginFrom, checkPassword, clearedChatLoginCookie, clearedSessionCookie, createLoginThrottle, createSession, sessionCookie, type Session } from './auth.ts'
import { LINK_MINUTES, type LinkState } from './links.ts'
import { createAdminContext, first, page, redirect, type AdminDeps, type Form, type Query, type ResponseSet } from './context.tsx'
import { queueRoutes } from './queue-routes.tsx'
import { redeemRoutes } from './redeem-routes.tsx'
import { economyRoutes } from './economy-routes.tsx'
import { viewerRoutes } from './viewer-routes.tsx'
import { integrationRoutes } from './integration-routes.tsx'

const AUDIT_PAGE_SIZE = 50
const MAX_PASSWORD_LENGTH = 1024
const LOGGED_OUT = 'Logged out.'
const LOGGED_OUT_EVERYWHERE = 'Logged out everywhere.'

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
	const ctx = createAdminContext(deps)
	const { secret, secure, fingerprint, currentSession, clientOf, addCookie, redirectWith, takeFlash, pageBasics, screen, parse } = ctx
	const { links } = deps
	// Failed logins and login links, per client address (client-address.ts); in memory, per process.
	const throttle = createLoginThrottle()
	// Codes for moderators, per client address: asking again and again slows down like failed logins do.
	const codeThrottle = createLoginThrottle({ maxWaitMs: 30_000 })
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

	// What needs no session: the assets and logging in. Every other instance comes from ctx.guarded(), whose hooks
	// (session, CSRF) cover its own routes only.
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
	// The audit log, logging out, and what is not an admin page.
	const rest = ctx
		.guarded()
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

	return new Elysia({ name: 'admin' })
		.use(open)
		.use(queueRoutes(ctx))
		.use(redeemRoutes(ctx))
		.use(economyRoutes(ctx))
		.use(viewerRoutes(ctx))
		.use(integrationRoutes(ctx))
		.use(rest)
}
