// One points award for everyone in chat, as one transaction. Skipped when another award (from this or any other
// process on this database) happened less than minIntervalMs ago, so two bots on one database never double-pay.
import type { Transact } from '../../db/transaction.ts'
import type { EventLog } from '../events/log.ts'
import type { StreamStore } from '../streams/store.ts'
import type { AwardRules, StagedAward, ViewerInput, ViewerStore } from '../viewers/store.ts'

export type AwardResult =
	| { awarded: true; viewers: number; newViewers: number; bonusViewers: number; bonusPoints: number }
	| { awarded: false; reason: 'too_soon'; lastAwardAt: number }

/** config.toml's earning rules and who chatted since the last cycle; the stream is looked up inside the award. */
export type EarningRules = Omit<AwardRules, 'stream'>

/** The viewers in chat, or those the points worker staged in the award list as Owncast's list arrived. */
export type Award = (viewers: readonly ViewerInput[] | StagedAward, amount: number, now: number, minIntervalMs: number, rules?: EarningRules) => AwardResult

export function createAward(deps: {
	transact: Transact
	viewers: Pick<ViewerStore, 'award'>
	streams: Pick<StreamStore, 'state' | 'setState' | 'currentStart' | 'currentIds'>
	/** Reports each award (points.awarded). */
	events: EventLog
}): Award {
	return (viewers, amount, now, minIntervalMs, rules) =>
		deps.transact<AwardResult>(() => {
			const last = Number(deps.streams.state('last_points_award_at') ?? Number.NaN)
			// Either order counts: a process that read the clock first may get the lock second.
			if (Number.isFinite(last) && Math.abs(now - last) < minIntervalMs) return { awarded: false, reason: 'too_soon', lastAwardAt: last }
			deps.streams.setState('last_points_award_at', String(now))
			const ids = deps.streams.currentIds()
			const counts = deps.viewers.award(viewers, amount, now, {
				...(rules ?? { ignore: [], chatters: [], activeChatterBonus: 0, firstChatBonus: 0, streakBonus: 0, streakStreams: 3 }),
				...(ids ? { stream: { id: ids.id, previousId: ids.previousId } } : {})
			})
			deps.events.record('points.awarded', { ...counts, amount, streamStartedAt: deps.streams.currentStart() ?? null }, now)
			return { awarded: true, ...counts }
		})
}
