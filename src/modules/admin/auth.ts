// The admin page's credentials: signed session cookies (no server-side table), CSRF tokens bound to the
// session, the admin password (plain text or a Bun.password hash) and a throttle on failed logins.
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
 * Failed logins per client address and in total within a sliding window. An attempt is counted as soon as it
 * starts (so parallel guesses count too) and forgiven when it turns out to be right.
 */
export function createLoginThrottle(options: { perClient: number; total: number; windowMs: number }) {
	type Attempt = { at: number; client: string }
	let attempts: Attempt[] = []
	const prune = (now: number) => {
		if (attempts.length && attempts[0]!.at <= now - options.windowMs) attempts = attempts.filter((a) => a.at > now - options.windowMs)
	}
	const mine = (client: string) => attempts.filter((a) => a.client === client)

	return {
		/** Starts an attempt; undefined when too many failed lately (then the caller answers 429). */
		begin(client: string, now: number): (() => void) | undefined {
			prune(now)
			if (attempts.length >= options.total || mine(client).length >= options.perClient) return undefined
			const attempt = { at: now, client }
			attempts.push(attempt)
			/** The attempt succeeded: it is not a failure. */
			return () => {
				attempts = attempts.filter((a) => a !== attempt)
			}
		},
		/** Seconds until enough counted failures leave the window for this client to try again. */
		retryAfter(client: string, now: number): number {
			prune(now)
			const counted = attempts.length >= options.total ? attempts : mine(client)
			const oldest = counted[0]?.at ?? now
			return Math.max(1, Math.ceil((oldest + options.windowMs - now) / 1000))
		}
	}
}

/** Session ids logged out before their expiry (until the process restarts; the cookie itself is cleared too). */
export function createRevocations() {
	const revoked = new Map<string, number>()
	return {
		revoke(session: Session, nowMs: number) {
			revoked.set(session.id, session.expires)
			for (const [id, expires] of revoked) if (expires * 1000 <= nowMs) revoked.delete(id)
		},
		has: (session: Session) => revoked.has(session.id)
	}
}
