// A stream starts at STREAM_STARTED, or when the points cycle sees the stream online after it was offline
// (Owncast never resends a lost STREAM_STARTED). Per-stream limits count from there; optional resets run once.
import type { Transact } from '../../db/transaction.ts'
import type { Logger } from '../../log.ts'
import type { EventLog } from '../events/log.ts'
import type { Config } from '../settings/schema.ts'
import type { StreamStore } from './store.ts'

export type StreamDeps = {
	transact: Transact
	streams: Pick<StreamStore, 'start' | 'end'>
	/** What reset_on_stream_start resets (the redemptions and redeems stores). */
	redemptions: { archiveAll(now: number): number }
	redeems: { zeroCounters(): number }
	config: () => Pick<Config, 'reset_on_stream_start'>
	log: Logger
	/** Reports stream.started and stream.stopped. */
	events: EventLog
}

/** A start this soon after a stop continues the stream: an encoder blip must not reset per-stream limits. */
export const CONTINUE_WITHIN_MS = 10 * 60 * 1000

export function createStreamService(deps: StreamDeps) {
	return {
		/**
		 * Records the start (once per stream) and runs reset_on_stream_start; true when a new stream began. A start
		 * within 10 minutes of the last stop continues that stream; a start while one is open changes nothing.
		 */
		started(now: number): boolean {
			const resets = deps.config().reset_on_stream_start
			const done = deps.transact(() => {
				const start = deps.streams.start(now, CONTINUE_WITHIN_MS)
				if (start !== 'started') return start
				deps.events.record('stream.started', { at: new Date(now).toISOString() }, now)
				const done: string[] = []
				// Archiving, never deleting, and never refunding.
				if (resets.includes('queue')) done.push(`${deps.redemptions.archiveAll(now)} queue entries archived`)
				if (resets.includes('counters')) done.push(`${deps.redeems.zeroCounters()} counters set to 0`)
				return done
			})
			if (done === 'open') return false
			if (done === 'continued') {
				deps.log.info('the stream started again within 10 minutes of stopping: it continues the same stream')
				return false
			}
			deps.log.info(`the stream started${done.length ? ` (reset_on_stream_start: ${done.join(', ')})` : ''}`)
			return true
		},
		stopped(now: number) {
			deps.transact(() => {
				deps.streams.end(now)
				deps.events.record('stream.stopped', { at: new Date(now).toISOString() }, now)
			})
			deps.log.info('the stream stopped')
		}
	}
}

export type StreamService = ReturnType<typeof createStreamService>
