// Answers already given to store requests with an Idempotency-Key: the only module that reads or writes
// idempotency_keys. One click is one redemption, also on a double click or a retried request.
import type { Database } from 'bun:sqlite'
import { nowIso } from '../../db/time.ts'

export const IDEMPOTENCY_KEEP_MS = 24 * 60 * 60 * 1000

export function createIdempotencyStore(db: Database) {
	const select = db.query<{ response: string }, { viewer: string; key: string }>(
		'SELECT response FROM idempotency_keys WHERE viewer_id = $viewer AND key = $key'
	)
	const insert = db.query<unknown, { viewer: string; key: string; response: string; at: string }>(
		'INSERT INTO idempotency_keys (viewer_id, key, response, created_at) VALUES ($viewer, $key, $response, $at)'
	)
	const forget = db.query<unknown, { before: string }>('DELETE FROM idempotency_keys WHERE created_at < $before')
	return {
		/** The answer given before to this viewer's key, if any. Inside the caller's transaction. */
		get: (viewerId: string, key: string): unknown => {
			const row = select.get({ viewer: viewerId, key })
			return row ? (JSON.parse(row.response) as unknown) : undefined
		},
		/** Remembers the answer; inside the transaction that made it. */
		put: (viewerId: string, key: string, response: unknown, now: number) =>
			void insert.run({ viewer: viewerId, key, response: JSON.stringify(response), at: nowIso(now) }),
		prune: (now: number) => forget.run({ before: nowIso(now - IDEMPOTENCY_KEEP_MS) }).changes
	}
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>
