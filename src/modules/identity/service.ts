// "I am this chat user", proven without trusting the URL Owncast appends (unsigned, editable by anyone):
// 1. the page shows a code; the viewer types `!link CODE` in chat; the CHAT webhook (whose user id Owncast sets)
//    binds the code to them; the page, holding the code's claim secret, collects a session;
// 2. `!store` sends a personal login link privately to the sender's own chat connection.
// Sessions are random tokens (only their hash is stored) sent by the page in a header, never a cookie alone, so
// no other site can spend a viewer's points. No SQL here: the identity store owns it.
import { randomBytes, randomInt } from 'node:crypto'
import type { Transact } from '../../db/transaction.ts'
import { hashSecret, type CodePurpose, type IdentityStore } from './store.ts'

export const CODE_MINUTES = 5
export const LOGIN_LINK_MINUTES = 10
/** Codes are read off a screen and typed: no 0/O, 1/I/L. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'
const CODE_LENGTH = 6
export const CODE_PATTERN = /^[A-HJ-KM-NP-Z2-9]{6}$/
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/

const newToken = () => randomBytes(32).toString('base64url')

export type SignedIn = { session: string; viewerId: string; expiresAt: number }
export type CodeState =
	| { status: 'waiting'; expiresAt: number }
	| ({ status: 'signed_in' } & SignedIn)
	| { status: 'expired' | 'unknown' | 'collected' }

export type IdentityDeps = {
	transact: Transact
	store: IdentityStore
	/** viewer_session_days, as it is now. */
	sessionDays: () => number
}

export function createIdentity(deps: IdentityDeps) {
	const { store, transact } = deps

	function startSession(viewerId: string, method: 'code' | 'link', userAgent: string, now: number): SignedIn {
		const session = newToken()
		const expiresAt = now + deps.sessionDays() * 24 * 60 * 60 * 1000
		store.addSession({ hash: hashSecret(session), viewerId, expires: expiresAt, method, userAgent }, now)
		return { session, viewerId, expiresAt }
	}

	return {
		/** A new sign-in code and the secret the page needs to collect the session it leads to. */
		newCode(now: number, purpose: CodePurpose = 'store'): { code: string; claim: string; expiresAt: number } {
			const claim = newToken()
			const expiresAt = now + CODE_MINUTES * 60_000
			for (;;) {
				const code = Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('')
				if (store.addCode(code, hashSecret(claim), expiresAt, now, purpose)) return { code, claim, expiresAt }
			}
		},

		/**
		 * `!link CODE` from a chat user: binds the code to them. Case and spaces do not matter. A code of the admin
		 * page binds only to a moderator (the CHAT event carried Owncast's MODERATOR scope).
		 */
		linkCode(text: string, viewerId: string, now: number, isModerator = false): 'linked' | 'linked_admin' | 'not_moderator' | 'invalid' {
			const code = text.trim().toUpperCase()
			if (!CODE_PATTERN.test(code)) return 'invalid'
			const purpose = store.code(code)?.purpose
			if (purpose === 'admin' && !isModerator) return 'not_moderator'
			if (!store.linkCode(code, viewerId, now)) return 'invalid'
			return purpose === 'admin' ? 'linked_admin' : 'linked'
		},

		/** Where an admin-page code stands, without using it up (the page polls this). */
		peekModeratorCode(code: string, claim: string, now: number): 'waiting' | 'linked' | 'expired' | 'unknown' {
			if (!CODE_PATTERN.test(code) || !TOKEN_PATTERN.test(claim)) return 'unknown'
			const row = store.code(code)
			if (!row || row.purpose !== 'admin' || row.claimHash !== hashSecret(claim) || row.claimedAt) return 'unknown'
			if (row.viewerId) return 'linked'
			return Date.parse(row.expiresAt) > now ? 'waiting' : 'expired'
		},

		/**
		 * The admin page asks whether its code was typed in chat by a moderator: their viewer id, once; no dashboard
		 * session is made. Only for codes made for the admin page.
		 */
		collectModerator(code: string, claim: string, now: number): { status: 'linked'; viewerId: string } | { status: 'waiting' | 'expired' | 'unknown' | 'collected' } {
			if (!CODE_PATTERN.test(code) || !TOKEN_PATTERN.test(claim)) return { status: 'unknown' }
			return transact(() => {
				const row = store.code(code)
				if (!row || row.purpose !== 'admin' || row.claimHash !== hashSecret(claim)) return { status: 'unknown' as const }
				if (row.claimedAt) return { status: 'collected' as const }
				if (!row.viewerId) return Date.parse(row.expiresAt) > now ? { status: 'waiting' as const } : { status: 'expired' as const }
				if (!store.claimCode(code, now)) return { status: 'collected' as const }
				return { status: 'linked' as const, viewerId: row.viewerId }
			})
		},

		/** The page asks whether its code was typed in chat; the first ask after that gets the session, once. */
		collect(code: string, claim: string, userAgent: string, now: number): CodeState {
			if (!CODE_PATTERN.test(code) || !TOKEN_PATTERN.test(claim)) return { status: 'unknown' }
			return transact<CodeState>(() => {
				const row = store.code(code)
				// A code of the admin page never becomes a dashboard session.
				if (!row || row.purpose !== 'store' || row.claimHash !== hashSecret(claim)) return { status: 'unknown' }
				if (row.claimedAt) return { status: 'collected' }
				if (!row.viewerId) {
					const expiresAt = Date.parse(row.expiresAt)
					return expiresAt > now ? { status: 'waiting', expiresAt } : { status: 'expired' }
				}
				if (!store.claimCode(code, now)) return { status: 'collected' }
				return { status: 'signed_in', ...startSession(row.viewerId, 'code', userAgent, now) }
			})
		},

		/** A personal login link's token for this viewer (sent privately by !store). */
		newLoginToken(viewerId: string, now: number): { token: string; expiresAt: number } {
			const token = newToken()
			const expiresAt = now + LOGIN_LINK_MINUTES * 60_000
			store.addLoginToken(hashSecret(token), viewerId, expiresAt)
			return { token, expiresAt }
		},

		/** Opening a login link: a session for its viewer, once. */
		useLoginToken(token: string, userAgent: string, now: number): ({ ok: true } & SignedIn) | { ok: false; reason: 'used' | 'expired' | 'unknown' } {
			if (!TOKEN_PATTERN.test(token)) return { ok: false, reason: 'unknown' }
			return transact(() => {
				const hash = hashSecret(token)
				const viewerId = store.useLoginToken(hash, now)
				if (viewerId) return { ok: true as const, ...startSession(viewerId, 'link', userAgent, now) }
				const row = store.loginToken(hash)
				return { ok: false as const, reason: !row ? ('unknown' as const) : row.usedAt ? ('used' as const) : ('expired' as const) }
			})
		},

		/** The viewer a session token belongs to, if it is valid now. */
		viewerOf(session: string, now: number): { viewerId: string; sessionHash: string } | undefined {
			if (!TOKEN_PATTERN.test(session)) return undefined
			const hash = hashSecret(session)
			const row = store.session(hash)
			if (!row || Date.parse(row.expiresAt) <= now) return undefined
			// last_seen only orders the admin page's list: refreshing it once a minute is enough.
			if (now - Date.parse(row.lastSeenAt) > 60_000) {
				try {
					store.markSeen(hash, now)
				} catch {
					// A locked database: the time is refreshed on a later request.
				}
			}
			return { viewerId: row.viewerId, sessionHash: hash }
		},

		signOut: (sessionHash: string) => store.deleteSession(sessionHash),
		signOutEverywhere: (viewerId: string) => store.deleteSessionsOf(viewerId),
		sessionsOf: (viewerId: string, now: number) => store.sessionsOf(viewerId, now),
		revoke: (viewerId: string, sessionHash: string) => store.deleteSessionOf(viewerId, sessionHash),
		prune: (now: number) => store.prune(now)
	}
}

export type Identity = ReturnType<typeof createIdentity>
