// One run of the points timer: if the stream is live, everyone connected to chat gets points.
import type { Logger } from '../../log.ts'
import type { OwncastClient } from '../owncast/client.ts'
import type { Award, AwardResult, EarningRules } from './award.ts'

/**
 * The chat users fetched and awarded in one go elsewhere (serve runs it on a worker thread: src/points-offload.ts),
 * instead of `client.chatUsers()` and `award` here.
 */
export type FetchAndAward = (
	amount: number,
	now: number,
	minIntervalMs: number,
	rules: EarningRules | undefined
) => Promise<{ ok: true; result: AwardResult; timings?: { fetchMs: number; awardMs: number } } | { ok: false; message: string }>

export type CycleDeps = {
	client: Pick<OwncastClient, 'status' | 'chatUsers'>
	award: Award
	/** The stream as the database knows it; a cycle that sees it online or offline first starts or ends it. */
	stream: { isLive(): boolean; started(now: number): void; stopped(now: number): void; markLive(online: boolean): void }
	log: Logger
	cycleSeconds: number
	amount: number
	/** The earning rules in force and who chatted since the last cycle (taking it starts a new list). */
	earning?: () => EarningRules
	fetchAndAward?: FetchAndAward
}

export type CycleOutcome =
	| { kind: 'awarded'; viewers: number; newViewers: number }
	| { kind: 'offline' }
	| { kind: 'too_soon' }
	| { kind: 'failed'; message: string }

export async function runPointsCycle(deps: CycleDeps, clock: () => number = Date.now): Promise<CycleOutcome> {
	const { client, log } = deps
	const status = await client.status()
	if (!status.ok) {
		log.warn(`points cycle skipped: ${status.message}`)
		return { kind: 'failed', message: status.message }
	}
	// Owncast never resends a lost STREAM_STARTED or STREAM_STOPPED: the cycle catches up.
	const wasLive = deps.stream.isLive()
	if (status.value.online && !wasLive) deps.stream.started(clock())
	else if (!status.value.online && wasLive) deps.stream.stopped(clock())
	else deps.stream.markLive(status.value.online)
	// Chat since the last cycle counts for this one only: taken now, also when nothing is awarded.
	const rules = deps.earning?.()
	if (!status.value.online) {
		log.debug('points cycle: the stream is offline, no points given')
		return { kind: 'offline' }
	}
	// Another process on the same database may have just awarded: 90% of a cycle is "too soon".
	const minIntervalMs = deps.cycleSeconds * 1000 * 0.9
	let result: AwardResult
	if (deps.fetchAndAward) {
		const done = await deps.fetchAndAward(deps.amount, clock(), minIntervalMs, rules)
		if (!done.ok) {
			log.warn(`points cycle skipped: ${done.message}`)
			return { kind: 'failed', message: done.message }
		}
		result = done.result
	} else {
		const users = await client.chatUsers()
		if (!users.ok) {
			log.warn(`points cycle skipped: ${users.message}`)
			return { kind: 'failed', message: users.message }
		}
		const viewers = users.value.map((u) => ({ id: u.id, displayName: u.displayName || u.id }))
		result = deps.award(viewers, deps.amount, clock(), minIntervalMs, rules)
	}
	if (!result.awarded) {
		log.info('points cycle skipped: points were already given less than a cycle ago (just restarted, or another tlapbot on this database)')
		return { kind: 'too_soon' }
	}
	const bonus =
		result.bonusPoints > 0 ? `, bonuses: ${result.bonusPoints} points to ${result.bonusViewers} viewer${result.bonusViewers === 1 ? '' : 's'}` : ''
	log.info(`points cycle: ${deps.amount} points to ${result.viewers} viewers (${result.newViewers} new)${bonus}`)
	return { kind: 'awarded', viewers: result.viewers, newViewers: result.newViewers }
}
