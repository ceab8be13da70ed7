// The webhook events held in memory while the database is locked (bot/backlog.ts), also written to a file next to
// the database as they are held: a webhook answered 204 survives a crash (even kill -9) before its event could be
// applied, and the next start applies it. The file is emptied each time the backlog is. Applying an event twice is
// harmless: commands count once by their event id (processed_events), the rest only refreshes viewers and streams.
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs'
import type { OwncastEvent } from '../owncast/model.ts'
import { tightenMode } from '../../db/files.ts'

export type HeldEvent = { event: OwncastEvent; receivedAt: number }

/** The journal of a database: beside it, like SQLite's own -wal file. */
export const heldJournalPath = (databasePath: string) => `${databasePath}-held.jsonl`

export type HeldJournal = {
	/** Appends an event as it is held. */
	append(held: HeldEvent): void
	/** The backlog is empty: nothing in the file needs applying any more. */
	clear(): void
	/**
	 * At start: the events a previous run held and may not have applied, in order; they stay in the file (a
	 * second crash replays them again) until the backlog is next empty. Lines that cannot be read are skipped and
	 * counted (a crash in the middle of writing one).
	 */
	recover(): { events: HeldEvent[]; unreadable: number }
	close(): void
}

export function createHeldJournal(path: string): HeldJournal {
	let fd: number | undefined
	let written = false
	const open = () => {
		if (fd === undefined) {
			// Chat messages and viewers' names: owner-only, like the database.
			fd = openSync(path, 'a', 0o600)
			tightenMode(path)
		}
		return fd
	}
	return {
		append(held) {
			writeSync(open(), `${JSON.stringify(held)}\n`)
			written = true
		},
		clear() {
			if (!written) return
			ftruncateSync(open(), 0)
			written = false
		},
		recover() {
			if (!existsSync(path)) return { events: [], unreadable: 0 }
			const events: HeldEvent[] = []
			let unreadable = 0
			for (const line of readFileSync(path, 'utf8').split('\n')) {
				if (line.trim() === '') continue
				try {
					const held = JSON.parse(line) as HeldEvent
					if (typeof held?.event?.type !== 'string' || typeof held.receivedAt !== 'number') throw new Error('not a held event')
					events.push(held)
				} catch {
					unreadable++
				}
			}
			// They stay in the file until the backlog is next empty (events held while they are applied go after them).
			written = events.length + unreadable > 0
			return { events, unreadable }
		},
		close() {
			if (fd !== undefined) closeSync(fd)
			fd = undefined
		}
	}
}
