// One run of the points timer: if the stream is live, everyone connected to chat gets points.
import type { Logger } from '../../log.ts'
import type { OwncastClient } from '../owncast/client.ts'
import type { Award, EarningRules } from './award.ts'

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
	const users = await client.chatUsers()
	if (!users.ok) {
		log.warn(`points cycle skipped: ${users.message}`)
		return { kind: 'failed', message: users.message }
	}
	const viewers = users.value.map((u) => ({ id: u.id, displayName: u.displayName || u.id }))
	// Another process on the same database may have just awarded: 90% of a cycle is "too soon".
	const result = deps.award(viewers, deps.amount, clock(), deps.cycleSeconds * 1000 * 0.9, rules)
	if (!result.awarded) {
		log.info('points cycle skipped: points were already given less than a cycle ago (just restarted, or another tlapbot on this database)')
		return { kind: 'too_soon' }
	}
	const bonus =
		result.bonusPoints > 0 ? `, bonuses: ${result.bonusPoints} points to ${result.bonusViewers} viewer${result.bonusViewers === 1 ? '' : 's'}` : ''
	log.info(`points cycle: ${deps.amount} points to ${result.viewers} viewers (${result.newViewers} new)${bonus}`)
	return { kind: 'awarded', viewers: result.viewers, newViewers: result.newViewers }
}
