// Webhook events already applied, by Owncast's event id: the only module that reads or writes processed_events.
// A claim is written in the same transaction as the event's effect, so an event counts once even when Owncast
// delivers it twice, an attacker replays it, the bot restarts, or a second process shares the database.
import type { Database } from 'bun:sqlite'
import { nowIso } from '../../db/time.ts'

/** How long an id is remembered: far longer than a signature's 300 s, and a ?secret= URL has no time window. */
export const PROCESSED_EVENTS_KEEP_MS = 24 * 60 * 60 * 1000

export function createProcessedEvents(db: Database) {
	const insert = db.query<unknown, { key: string; at: string }>(
		'INSERT INTO processed_events (key, processed_at) VALUES ($key, $at) ON CONFLICT (key) DO NOTHING'
	)
	const forget = db.query<unknown, { before: string }>('DELETE FROM processed_events WHERE processed_at < $before')
	return {
		/** True the first time this key is claimed; inside the transaction of the event's effect. */
		claim: (key: string, now: number) => insert.run({ key, at: nowIso(now) }).changes === 1,
		/** Forgets ids older than PROCESSED_EVENTS_KEEP_MS; returns how many. */
		prune: (now: number) => forget.run({ before: nowIso(now - PROCESSED_EVENTS_KEEP_MS) }).changes
	}
}

export type ProcessedEvents = ReturnType<typeof createProcessedEvents>
