// Who did what, when: the only module that reads or writes the audit_log table.
import type { Database } from 'bun:sqlite'
import { nowIso } from '../../db/time.ts'

export type AuditEntry = { id: number; actor: string; action: string; detail: string; createdAt: string }

export function createAuditStore(db: Database) {
	const insert = db.query<unknown, { actor: string; action: string; detail: string; at: string }>(
		'INSERT INTO audit_log (actor, action, detail, created_at) VALUES ($actor, $action, $detail, $at)'
	)
	const select = db.query<AuditEntry, { limit: number; offset: number }>(
		'SELECT id, actor, action, detail, created_at AS createdAt FROM audit_log ORDER BY id DESC LIMIT $limit OFFSET $offset'
	)
	return {
		record: (actor: string, action: string, detail: string, now: number) =>
			void insert.run({ actor, action, detail, at: nowIso(now) }),
		/** Newest first. */
		entries: (limit = 100, offset = 0) => select.all({ limit, offset })
	}
}

export type AuditStore = ReturnType<typeof createAuditStore>
