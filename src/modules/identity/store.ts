// Viewer sign-in: the only module that reads or writes viewer_sessions, viewer_link_codes and viewer_login_tokens.
// Tokens and claim secrets are kept as sha256 hashes only: the database never holds what a browser could use.
import type { Database } from 'bun:sqlite'
import { createHash } from 'node:crypto'
import { nowIso } from '../../db/time.ts'

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex')

export type ViewerSession = {
	idHash: string
	viewerId: string
	createdAt: string
	expiresAt: string
	lastSeenAt: string
	method: 'code' | 'link'
	userAgent: string
}
/** What a sign-in code is for: the viewer's dashboard, or the admin page (moderators only). */
export type CodePurpose = 'store' | 'admin'

export type LinkCode = {
	purpose: CodePurpose
	code: string
	claimHash: string
	expiresAt: string
	viewerId: string | null
	claimedAt: string | null
}

export function createIdentityStore(db: Database) {
	const insertSession = db.query<
		unknown,
		{ hash: string; viewer: string; created: string; expires: string; method: string; agent: string }
	>(
		`INSERT INTO viewer_sessions (id_hash, viewer_id, created_at, expires_at, last_seen_at, method, user_agent)
		VALUES ($hash, $viewer, $created, $expires, $created, $method, $agent)`
	)
	const selectSession = db.query<ViewerSession, { hash: string }>(
		`SELECT id_hash AS idHash, viewer_id AS viewerId, created_at AS createdAt, expires_at AS expiresAt,
			last_seen_at AS lastSeenAt, method, user_agent AS userAgent FROM viewer_sessions WHERE id_hash = $hash`
	)
	const sessionsOf = db.query<ViewerSession, { viewer: string; now: string }>(
		`SELECT id_hash AS idHash, viewer_id AS viewerId, created_at AS createdAt, expires_at AS expiresAt,
			last_seen_at AS lastSeenAt, method, user_agent AS userAgent FROM viewer_sessions
		WHERE viewer_id = $viewer AND expires_at > $now ORDER BY last_seen_at DESC`
	)
	const seen = db.query<unknown, { hash: string; now: string }>('UPDATE viewer_sessions SET last_seen_at = $now WHERE id_hash = $hash')
	const deleteSession = db.query<unknown, { hash: string }>('DELETE FROM viewer_sessions WHERE id_hash = $hash')
	const deleteSessionOf = db.query<unknown, { hash: string; viewer: string }>(
		'DELETE FROM viewer_sessions WHERE id_hash = $hash AND viewer_id = $viewer'
	)
	const deleteSessionsOf = db.query<unknown, { viewer: string }>('DELETE FROM viewer_sessions WHERE viewer_id = $viewer')

	const insertCode = db.query<unknown, { code: string; claim: string; created: string; expires: string; purpose: string }>(
		`INSERT INTO viewer_link_codes (code, claim_hash, created_at, expires_at, purpose) VALUES ($code, $claim, $created, $expires, $purpose)
		ON CONFLICT (code) DO NOTHING`
	)
	const selectCode = db.query<LinkCode, { code: string }>(
		`SELECT code, claim_hash AS claimHash, expires_at AS expiresAt, viewer_id AS viewerId, claimed_at AS claimedAt, purpose
		FROM viewer_link_codes WHERE code = $code`
	)
	const linkCode = db.query<unknown, { code: string; viewer: string; now: string }>(
		`UPDATE viewer_link_codes SET viewer_id = $viewer, linked_at = $now
		WHERE code = $code AND viewer_id IS NULL AND expires_at > $now`
	)
	const claimCode = db.query<unknown, { code: string; now: string }>(
		'UPDATE viewer_link_codes SET claimed_at = $now WHERE code = $code AND viewer_id IS NOT NULL AND claimed_at IS NULL'
	)

	const insertToken = db.query<unknown, { hash: string; viewer: string; expires: string }>(
		'INSERT INTO viewer_login_tokens (token_hash, viewer_id, expires_at) VALUES ($hash, $viewer, $expires)'
	)
	const useToken = db.query<{ viewerId: string }, { hash: string; now: string }>(
		`UPDATE viewer_login_tokens SET used_at = $now WHERE token_hash = $hash AND used_at IS NULL AND expires_at > $now
		RETURNING viewer_id AS viewerId`
	)
	const selectToken = db.query<{ usedAt: string | null; expiresAt: string }, { hash: string }>(
		'SELECT used_at AS usedAt, expires_at AS expiresAt FROM viewer_login_tokens WHERE token_hash = $hash'
	)

	const forgetSessions = db.query<unknown, { now: string }>('DELETE FROM viewer_sessions WHERE expires_at <= $now')
	const forgetCodes = db.query<unknown, { before: string }>('DELETE FROM viewer_link_codes WHERE expires_at < $before')
	const forgetTokens = db.query<unknown, { before: string }>('DELETE FROM viewer_login_tokens WHERE expires_at < $before')

	return {
		addSession: (s: { hash: string; viewerId: string; expires: number; method: 'code' | 'link'; userAgent: string }, now: number) =>
			void insertSession.run({
				hash: s.hash,
				viewer: s.viewerId,
				created: nowIso(now),
				expires: nowIso(s.expires),
				method: s.method,
				agent: s.userAgent.slice(0, 200)
			}),
		session: (hash: string) => selectSession.get({ hash }) ?? undefined,
		sessionsOf: (viewerId: string, now: number) => sessionsOf.all({ viewer: viewerId, now: nowIso(now) }),
		markSeen: (hash: string, now: number) => void seen.run({ hash, now: nowIso(now) }),
		deleteSession: (hash: string) => deleteSession.run({ hash }).changes === 1,
		deleteSessionOf: (viewerId: string, hash: string) => deleteSessionOf.run({ hash, viewer: viewerId }).changes === 1,
		deleteSessionsOf: (viewerId: string) => deleteSessionsOf.run({ viewer: viewerId }).changes,

		/** False when the code is taken (the caller draws another). */
		addCode: (code: string, claimHash: string, expires: number, now: number, purpose: CodePurpose = 'store') =>
			insertCode.run({ code, claim: claimHash, created: nowIso(now), expires: nowIso(expires), purpose }).changes === 1,
		code: (code: string) => selectCode.get({ code }) ?? undefined,
		/** Binds a code to the viewer who typed it; false when it is unknown, expired or already used. */
		linkCode: (code: string, viewerId: string, now: number) => linkCode.run({ code, viewer: viewerId, now: nowIso(now) }).changes === 1,
		/** Marks a linked code collected by its page; false when it was collected before. */
		claimCode: (code: string, now: number) => claimCode.run({ code, now: nowIso(now) }).changes === 1,

		addLoginToken: (hash: string, viewerId: string, expires: number) =>
			void insertToken.run({ hash, viewer: viewerId, expires: nowIso(expires) }),
		/** The viewer of a valid, unused token, marking it used; undefined otherwise. */
		useLoginToken: (hash: string, now: number) => useToken.get({ hash, now: nowIso(now) })?.viewerId,
		loginToken: (hash: string) => selectToken.get({ hash }) ?? undefined,

		/** Forgets expired sessions and codes and tokens that expired a day ago. */
		prune(now: number) {
			forgetSessions.run({ now: nowIso(now) })
			const dayAgo = nowIso(now - 24 * 60 * 60 * 1000)
			forgetCodes.run({ before: dayAgo })
			forgetTokens.run({ before: dayAgo })
		}
	}
}

export type IdentityStore = ReturnType<typeof createIdentityStore>
