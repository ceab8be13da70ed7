// The admin page's credentials: signed session cookies (each also a row in admin_sessions, see sessions.ts),
// CSRF tokens bound to the session, the admin password (plain text or a Bun.password hash), its fingerprint,
// and a per-client throttle on failed logins.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export const SESSION_COOKIE = 'tlapbot_admin'
export const SESSION_SECONDS = 12 * 60 * 60
export const ADMIN_ACTOR = 'admin (web)'

export type Session = { id: string; expires: number }

const hmac = (secret: string, message: string) => createHmac('sha256', secret).update(message).digest('base64url')

/** Equal strings in time that depends only on their lengths (lengths of HMACs are public anyway). */
export function sameText(a: string, b: string): boolean {
	const left = Buffer.from(a)
	const right = Buffer.from(b)
	return left.length === right.length && timingSafeEqual(left, right)
}

/** A new session: `<expiry seconds>.<random id>.<HMAC(secret_key, expiry.id)>`. */
export function createSession(secret: string, nowMs: number): { session: Session; value: string } {
	const expires = Math.floor(nowMs / 1000) + SESSION_SECONDS
	const id = randomBytes(18).toString('base64url')
	return { session: { id, expires }, value: `${expires}.${id}.${hmac(secret, `${expires}.${id}`)}` }
}

/** The session a cookie value stands for, if it is well formed, signed with this secret and not expired. */
export function verifySession(secret: string, value: string, nowMs: number): Session | undefined {
	const match = /^(\d{1,12})\.([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{43})$/.exec(value)
	if (!match) return undefined
	const [, expiresText, id, mac] = match as unknown as [string, string, string, string]
	if (!sameText(mac, hmac(secret, `${expiresText}.${id}`))) return undefined
	const expires = Number(expiresText)
	if (expires * 1000 <= nowMs) return undefined
	return { id, expires }
}

/** The CSRF token every admin form carries: HMAC(secret_key, 'csrf.' + session id). */
export const csrfToken = (secret: string, session: Session) => hmac(secret, `csrf.${session.id}`)

export function validCsrf(secret: string, session: Session, token: unknown): boolean {
	return typeof token === 'string' && sameText(token, csrfToken(secret, session))
}

/** Every value of one cookie in a Cookie header (a browser may send the same name twice, for two paths). */
export function cookieValues(header: string | undefined, name: string): string[] {
	if (!header) return []
	const values: string[] = []
	for (const part of header.split(';')) {
		const eq = part.indexOf('=')
		if (eq < 0 || part.slice(0, eq).trim() !== name) continue
		values.push(part.slice(eq + 1).trim())
	}
	return values
}

export function sessionCookie(value: string, secure: boolean): string {
	return `${SESSION_COOKIE}=${value}; Path=/admin; Max-Age=${SESSION_SECONDS}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
}

export function clearedSessionCookie(secure: boolean): string {
	return `${SESSION_COOKIE}=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
}

/** True when admin_password is a Bun.password hash (argon2 or bcrypt) rather than the password itself. */
export const isPasswordHash = (configured: string) => configured.startsWith('$argon2') || configured.startsWith('$2')

/** Checks a typed password against admin_password. Throws only when a configured hash is malformed. */
export async function checkPassword(configured: string, typed: string): Promise<boolean> {
	if (isPasswordHash(configured)) return typed !== '' && (await Bun.password.verify(typed, configured))
	// Compare digests, so the time does not even depend on the password's length.
	const digest = (text: string) => createHash('sha256').update(text).digest()
	return timingSafeEqual(digest(configured), digest(typed)) && typed.length > 0
}

/**
 * The fingerprint of admin_password stored with each session: HMAC-SHA256 with secret_key over the configured
 * value ("" when none is set), never the password itself. When admin_password (or secret_key) changes, the
 * fingerprint changes and every session made before ends, also when the change was made while the bot was stopped.
 */
export const passwordFingerprint = (secret: string, password: string | undefined) =>
	createHmac('sha256', secret).update(password ?? '').digest('hex')

/** The first wait after a failed login, doubled by each further failure up to LOGIN_MAX_WAIT_MS. */
export const LOGIN_FIRST_WAIT_MS = 1000
export const LOGIN_MAX_WAIT_MS = 60_000
/** A client that has not failed for this long starts again from the first wait. */
export const LOGIN_FORGET_MS = 15 * 60_000
/** At most this many clients are remembered; the ones that failed longest ago are forgotten first. */
const LOGIN_MAX_CLIENTS = 10_000

/**
 * Failed logins (wrong passwords, wrong or unknown login links) slow down the client that made them, and only
 * that client: each failure doubles its wait (1 s, 2 s, 4 s ... up to 60 s), during which its attempts are
 * refused. Nobody is ever locked out: the right password works as soon as the wait is over, and one client's
 * failures never make another wait. An attempt counts as a failure as soon as it starts (so parallel guesses
 * cannot slip through while a password hash is checked); a right password forgets the client's failures.
 */
export function createLoginThrottle(
	options: { firstWaitMs?: number; maxWaitMs?: number; forgetMs?: number; maxClients?: number } = {}
) {
	const firstWait = options.firstWaitMs ?? LOGIN_FIRST_WAIT_MS
	const maxWait = options.maxWaitMs ?? LOGIN_MAX_WAIT_MS
	const forgetAfter = options.forgetMs ?? LOGIN_FORGET_MS
	const maxClients = options.maxClients ?? LOGIN_MAX_CLIENTS
	type State = { failures: number; until: number; failedAt: number }
	// In order of the last failure (a failure moves its client to the end).
	const clients = new Map<string, State>()

	const current = (client: string, now: number): State | undefined => {
		const state = clients.get(client)
		if (state && now - state.failedAt >= forgetAfter) {
			clients.delete(client)
			return undefined
		}
		return state
	}

	return {
		/**
		 * Starts an attempt, counted as a failure: undefined while the client must wait (the caller answers 429
		 * with retryAfter), else a function that takes the attempt back when it was no guess after all (a used
		 * or expired link, a broken password hash). After a right password, call reset instead.
		 */
		begin(client: string, now: number): (() => void) | undefined {
			const before = current(client, now)
			if (before && now < before.until) return undefined
			const failures = (before?.failures ?? 0) + 1
			const wait = Math.min(maxWait, firstWait * 2 ** Math.min(failures - 1, 30))
			const state = { failures, until: now + wait, failedAt: now }
			clients.delete(client)
			clients.set(client, state)
			for (const [key, old] of clients) {
				if (clients.size <= maxClients && now - old.failedAt < forgetAfter) break
				clients.delete(key)
			}
			return () => {
				if (clients.get(client) === state) {
					if (before) clients.set(client, before)
					else clients.delete(client)
				}
			}
		},
		/** A right password: the client's failures are forgotten. */
		reset(client: string) {
			clients.delete(client)
		},
		/** Whole seconds until the client may try again (at least 1). */
		retryAfter(client: string, now: number): number {
			const state = current(client, now)
			return Math.max(1, Math.ceil(((state?.until ?? now) - now) / 1000))
		}
	}
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>

/**
 * The message shown once after a form (“Logged in.”, “#12 refunded”): a short-lived cookie signed with
 * secret_key, read and cleared by the next admin page, so that a reload never shows it again and a link
 * cannot carry a made-up message.
 */
export const FLASH_COOKIE = 'tlapbot_flash'
export type FlashMessage = { kind: 'ok' | 'error'; text: string }

export function flashCookie(secret: string, flash: FlashMessage, secure: boolean): string {
	const payload = Buffer.from(JSON.stringify({ k: flash.kind, t: flash.text.slice(0, 500) })).toString('base64url')
	return `${FLASH_COOKIE}=${payload}.${hmac(secret, `flash.${payload}`)}; Path=/admin; Max-Age=120; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
}

export function clearedFlashCookie(secure: boolean): string {
	return `${FLASH_COOKIE}=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
}

/** The flash a Cookie header carries, when one is there and signed with this secret. */
export function flashFrom(secret: string, cookieHeader: string | undefined): FlashMessage | undefined {
	for (const value of cookieValues(cookieHeader, FLASH_COOKIE)) {
		const dot = value.lastIndexOf('.')
		if (dot < 1) continue
		const payload = value.slice(0, dot)
		if (!sameText(value.slice(dot + 1), hmac(secret, `flash.${payload}`))) continue
		try {
			const { k, t } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { k: unknown; t: unknown }
			if ((k === 'ok' || k === 'error') && typeof t === 'string') return { kind: k, text: t.slice(0, 500) }
		} catch {}
	}
	return undefined
}

/**
 * A moderator's sign-in from chat: the code the login page shows and the secret that collects it, in a cookie only
 * this browser sends to the admin page (never in the page or a URL).
 */
export const CHAT_LOGIN_COOKIE = 'tlapbot_admin_code'
export const chatLoginCookie = (code: string, claim: string, secure: boolean) =>
	`${CHAT_LOGIN_COOKIE}=${code}.${claim}; Path=/admin; Max-Age=300; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
export const clearedChatLoginCookie = (secure: boolean) =>
	`${CHAT_LOGIN_COOKIE}=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
/** The code and its claim from the cookie, if one is there. */
export function chatLoginFrom(cookieHeader: string | undefined): { code: string; claim: string } | undefined {
	for (const value of cookieValues(cookieHeader, CHAT_LOGIN_COOKIE)) {
		const match = /^([A-Z0-9]{6})\.([A-Za-z0-9_-]{43})$/.exec(value)
		if (match) return { code: match[1] as string, claim: match[2] as string }
	}
	return undefined
}
