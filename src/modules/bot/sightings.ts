// Viewers seen in plain chat (not a command), kept in memory and written together: a few at a time, ten times a
// second, by serve, and
// before any command is handled (a command may name a viewer who just spoke: `!give Bob 5`). A plain message then
// costs no database read or write; a new viewer's starting points and a changed name reach the database within a
// second. Nothing here moves points a viewer could spend before the write: starting points are only usable once
// the viewer's row exists, which a command's own touch makes sure of. No SQL here: the viewer store owns it.
import type { Transact } from '../../db/transaction.ts'
import type { ViewerInput, ViewerStore } from '../viewers/store.ts'

/** More distinct viewers than this waiting: some are written at once. */
const MAX_PENDING = 20_000
/** What the timer writes at a time: a short transaction, so a flood of new viewers never holds up a request. */
export const FLUSH_CHUNK = 2000

export function createSightings(deps: { transact: Transact; viewers: Pick<ViewerStore, 'touchMany'>; clock: () => number }) {
	let pending = new Map<string, ViewerInput>()
	/** Writes the viewers waiting longest, at most `limit` of them (all by default). */
	function flush(limit = Number.POSITIVE_INFINITY): number {
		if (pending.size === 0) return 0
		const batch: ViewerInput[] = []
		for (const [id, viewer] of pending) {
			if (batch.length >= limit) break
			batch.push(viewer)
			pending.delete(id)
		}
		try {
			return deps.transact(() => deps.viewers.touchMany(batch, deps.clock()))
		} catch (error) {
			// A locked database: kept for the next flush (later sightings of the same viewers win).
			for (const v of batch) if (!pending.has(v.id)) pending.set(v.id, v)
			throw error
		}
	}
	return {
		/** A viewer wrote a plain message. */
		note(viewer: ViewerInput) {
			pending.delete(viewer.id)
			pending.set(viewer.id, { id: viewer.id, displayName: viewer.displayName, isModerator: viewer.isModerator === true })
			if (pending.size >= MAX_PENDING) flush(FLUSH_CHUNK)
		},
		/** Writes what is waiting; returns how many viewers were new. Throws SQLITE_BUSY when another process holds the lock. */
		flush,
		get pending() {
			return pending.size
		}
	}
}

export type Sightings = ReturnType<typeof createSightings>
