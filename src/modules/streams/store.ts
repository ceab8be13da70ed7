// Streams and the bot's shared state: the only module that reads or writes the streams and bot_state tables.
// bot_state is a small key/value table every process on the database shares (live or not, the last points
// award, the categories moderators switched in chat).
import type { Database } from 'bun:sqlite'
import { nowIso } from '../../db/time.ts'

export type StateKey = 'stream_live' | 'last_points_award_at' | 'active_categories' | 'active_categories_config'

export function createStreamStore(db: Database) {
	const selectState = db.query<{ value: string }, { key: string }>('SELECT value FROM bot_state WHERE key = $key')
	const upsertState = db.query<unknown, { key: string; value: string }>(
		'INSERT INTO bot_state (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value'
	)
	const deleteState = db.query<unknown, { key: string }>('DELETE FROM bot_state WHERE key = $key')
	const openStream = db.query<{ id: number }, []>('SELECT id FROM streams WHERE ended_at IS NULL ORDER BY id DESC LIMIT 1')
	const latestStart = db.query<{ startedAt: string }, []>('SELECT started_at AS startedAt FROM streams ORDER BY id DESC LIMIT 1')
	const insertStream = db.query<unknown, { at: string }>('INSERT INTO streams (started_at) VALUES ($at)')
	const lastStream = db.query<{ id: number; endedAt: string | null }, []>(
		'SELECT id, ended_at AS endedAt FROM streams ORDER BY id DESC LIMIT 1'
	)
	const reopen = db.query<unknown, { id: number }>('UPDATE streams SET ended_at = NULL WHERE id = $id')
	const streamsSince = db.query<{ id: number; startedAt: string; endedAt: string | null }, { since: string }>(
		'SELECT id, started_at AS startedAt, ended_at AS endedAt FROM streams WHERE ended_at IS NULL OR ended_at >= $since ORDER BY id'
	)
	// "This stream" and the one before it (the streak bonus counts streams in a row).
	const latestWithPrevious = db.query<{ id: number; previousId: number | null }, []>(
		'SELECT id, (SELECT max(id) FROM streams AS earlier WHERE earlier.id < latest.id) AS previousId FROM streams AS latest ORDER BY id DESC LIMIT 1'
	)
	const closeStreams = db.query<unknown, { at: string }>('UPDATE streams SET ended_at = $at WHERE ended_at IS NULL')

	return {
		state: (key: StateKey): string | undefined => selectState.get({ key })?.value,
		setState: (key: StateKey, value: string) => void upsertState.run({ key, value }),
		deleteState: (key: StateKey) => void deleteState.run({ key }),

		/** Streams that were on at some point since a time, oldest first. */
		since: (time: number) => streamsSince.all({ since: nowIso(time) }),
		isLive: () => selectState.get({ key: 'stream_live' })?.value === '1',
		/** When "this stream" began: the latest stream's start, or undefined before the first stream. */
		currentStart: () => latestStart.get()?.startedAt,
		/** The latest stream's id and the one before it; undefined before the first stream. */
		currentIds: () => latestWithPrevious.get() ?? undefined,
		/**
		 * Records a start: a new stream, or the last one again when it stopped less than continueWithinMs ago
		 * (an encoder blip), or nothing when a stream is open. Inside the caller's transaction.
		 */
		start(now: number, continueWithinMs: number): 'started' | 'continued' | 'open' {
			upsertState.run({ key: 'stream_live', value: '1' })
			if (openStream.get()) return 'open'
			const last = lastStream.get()
			if (last?.endedAt && now - Date.parse(last.endedAt) < continueWithinMs) {
				reopen.run({ id: last.id })
				return 'continued'
			}
			insertStream.run({ at: nowIso(now) })
			return 'started'
		},
		/** Closes the open stream. Inside the caller's transaction. */
		end(now: number) {
			upsertState.run({ key: 'stream_live', value: '0' })
			closeStreams.run({ at: nowIso(now) })
		}
	}
}

export type StreamStore = ReturnType<typeof createStreamStore>
