// A stream starts at STREAM_STARTED, or when the points cycle sees the stream online after it was offline
// (Owncast never resends a lost STREAM_STARTED). Per-stream limits count from there; optional resets run once.
import type { Config } from '../../config/load.ts'
import type { Logger } from '../../log.ts'
import type { PointsRepo } from '../points/repo.ts'
import type { RedeemsRepo } from '../redeems/repo.ts'

export type StreamDeps = {
	config: Pick<Config, 'reset_on_stream_start'>
	points: Pick<PointsRepo, 'startStream'>
	redeemsRepo: Pick<RedeemsRepo, 'archiveQueue' | 'zeroCounters'>
	log: Logger
}

/** Records the start (once per stream) and runs reset_on_stream_start; true when a new stream began. */
export function streamStarted(deps: StreamDeps, now: number): boolean {
	if (!deps.points.startStream(now)) return false
	const resets = deps.config.reset_on_stream_start
	const done: string[] = []
	// Archiving, never deleting, and never refunding.
	if (resets.includes('queue')) done.push(`${deps.redeemsRepo.archiveQueue(now)} queue entries archived`)
	if (resets.includes('counters')) done.push(`${deps.redeemsRepo.zeroCounters()} counters set to 0`)
	deps.log.info(`the stream started${done.length ? ` (reset_on_stream_start: ${done.join(', ')})` : ''}`)
	return true
}
