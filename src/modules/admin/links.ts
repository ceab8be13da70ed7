// One-time admin login links (`tlapbot admin-link`): a random token whose sha256 is kept in admin_links,
// valid for 15 minutes and usable once. The only module that reads or writes the admin_links table.
import type { Database } from 'bun:sqlite'
import { createHash, randomBytes } from 'node:crypto'
import { nowIso } from '../../db/time.ts'

export const LINK_MINUTES = 15
/** 32 random bytes in base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/

export type LinkState = 'valid' | 'unknown' | 'used' | 'expired'

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

export function createAdminLinks(db: Database) {
	const insert = db.query<unknown, { hash: string; expires: string }>(
		'INSERT INTO admin_links (token_hash, expires_at) VALUES ($hash, $expires)'
	)
	const forget = db.query<unknown, { before: string }>('DELETE FROM admin_links WHERE expires_at < $before')
	const select = db.query<{ expiresAt: string; usedAt: string | null }, { hash: string }>(
		'SELECT expires_at AS expiresAt, used_at AS usedAt FROM admin_links WHERE token_hash = $hash'
	)
	const use = db.query<unknown, { hash: string; now: string }>(
		'UPDATE admin_links SET used_at = $now WHERE token_hash = $hash AND used_at IS NULL AND expires_at > $now'
	)

	function state(token: string, now: number): LinkState {
		if (!TOKEN.test(token)) return 'unknown'
		const row = select.get({ hash: hashToken(token) })
		if (!row) return 'unknown'
		if (row.usedAt !== null) return 'used'
		return row.expiresAt > nowIso(now) ? 'valid' : 'expired'
	}

	return {
		/** A new token, valid for LINK_MINUTES from now. Links that expired a day ago or more are forgotten. */
		create(now: number): { token: string; expiresAt: string } {
			const token = randomBytes(32).toString('base64url')
			const expiresAt = nowIso(now + LINK_MINUTES * 60_000)
			db.transaction(() => {
				forget.run({ before: nowIso(now - 24 * 60 * 60_000) })
				insert.run({ hash: hashToken(token), expires: expiresAt })
			}).immediate()
			return { token, expiresAt }
		},
		/** What the token is now, without using it (GET shows a confirm button; link previews must not burn it). */
		state,
		/** Marks the token used; 'valid' only for the one call that did. */
		consume(token: string, now: number): LinkState {
			if (!TOKEN.test(token)) return 'unknown'
			if (use.run({ hash: hashToken(token), now: nowIso(now) }).changes === 1) return 'valid'
			const after = state(token, now)
			// Lost a race with another use of the same link: it is used now.
			return after === 'valid' ? 'used' : after
		}
	}
}

export type AdminLinks = ReturnType<typeof createAdminLinks>
