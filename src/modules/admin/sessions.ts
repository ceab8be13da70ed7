// Admin sessions in SQLite, so that logging out, "log out everywhere" and a changed admin_password last across
// restarts and hold for every process on the database. A row per session: the sha256 of the session id (the
// cookie carries the id itself), the fingerprint of admin_password at login (auth.ts passwordFingerprint), the
// expiry, and for a moderator who signed in from chat, their viewer id and the name the audit log gives them. The only module that reads or writes the admin_sessions table.
import type { Database } from 'bun:sqlite'
import { createHash } from 'node:crypto'
import { nowIso } from '../../db/time.ts'

const hashId = (id: string) => createHash('sha256').update(id).digest('hex')

export function createAdminSessions(db: Database) {
	const insert = db.query<
		unknown,
		{ hash: string; fingerprint: string; created: string; expires: string; viewer: string | null; actor: string | null }
	>(
		`INSERT INTO admin_sessions (id_hash, password_fingerprint, created_at, expires_at, viewer_id, actor)
		VALUES ($hash, $fingerprint, $created, $expires, $viewer, $actor)`
	)
	const select = db.query<{ viewerId: string | null; actor: string | null }, { hash: string; fingerprint: string; now: string }>(
		`SELECT viewer_id AS viewerId, actor FROM admin_sessions
		WHERE id_hash = $hash AND password_fingerprint = $fingerprint AND expires_at > $now`
	)
	const remove = db.query<unknown, { hash: string }>('DELETE FROM admin_sessions WHERE id_hash = $hash')
	const removeAll = db.query<unknown, []>('DELETE FROM admin_sessions')
	const forgetExpired = db.query<unknown, { now: string }>('DELETE FROM admin_sessions WHERE expires_at <= $now')
	const forgetStale = db.query<unknown, { now: string; fingerprint: string }>(
		'DELETE FROM admin_sessions WHERE expires_at <= $now OR password_fingerprint <> $fingerprint'
	)

	return {
		/** Records a new session (a moderator's names them), and forgets expired ones. */
		create(id: string, fingerprint: string, now: number, expiresMs: number, moderator?: { viewerId: string; actor: string }): void {
			db.transaction(() => {
				forgetExpired.run({ now: nowIso(now) })
				insert.run({
					hash: hashId(id),
					fingerprint,
					created: nowIso(now),
					expires: nowIso(expiresMs),
					viewer: moderator?.viewerId ?? null,
					actor: moderator?.actor ?? null
				})
			}).immediate()
		},
		/** True while the session exists, was made under this password and has not expired. */
		isActive(id: string, fingerprint: string, now: number): boolean {
			return select.get({ hash: hashId(id), fingerprint, now: nowIso(now) }) !== null
		},
		/** The session while it is active: whose it is (a moderator's viewer id and name, or nulls for the admin). */
		active(id: string, fingerprint: string, now: number): { viewerId: string | null; actor: string | null } | undefined {
			return select.get({ hash: hashId(id), fingerprint, now: nowIso(now) }) ?? undefined
		},
		/** Log out: the session is gone, for every process. */
		end(id: string): void {
			remove.run({ hash: hashId(id) })
		},
		/** Log out everywhere; returns how many sessions ended. */
		endAll(): number {
			return removeAll.run().changes
		},
		/**
		 * Forgets expired sessions and those made under another admin_password (or secret_key), which can never
		 * be used again; at start and after a reload. Returns how many went.
		 */
		forgetStale(fingerprint: string, now: number): number {
			return forgetStale.run({ now: nowIso(now), fingerprint }).changes
		}
	}
}

export type AdminSessions = ReturnType<typeof createAdminSessions>
