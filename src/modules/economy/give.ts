// Giving points: `!give <viewer> <amount>` moves points from the sender to another viewer in one transaction with
// two ledger rows (reason 'give', each naming the other viewer in ref). Refused, with nothing changed: to oneself,
// to bots and ignore_users, to unknown or ambiguous names, more than the balance, more than give_max_per_day over
// the last 24 hours, or by a viewer who has earned fewer than give_min_earned points in chat (throwaway chat
// identities cannot farm starting points into one account). No SQL here: the viewer store owns it.
import type { Transact } from '../../db/transaction.ts'
import type { EventLog } from '../events/log.ts'
import type { Config } from '../settings/schema.ts'
import type { ViewerStore, ViewerSummary } from '../viewers/store.ts'
import { isIgnored } from './ignore.ts'

export const GIVE_WINDOW_MS = 24 * 60 * 60 * 1000

export type GiveResult =
	| { ok: true; amount: number; balance: number; to: ViewerSummary }
	| { ok: false; reason: 'self' | 'bot' | 'no_viewer' | 'ambiguous' }
	| { ok: false; reason: 'not_enough'; balance: number }
	| { ok: false; reason: 'daily_limit'; limit: number; left: number }
	| { ok: false; reason: 'not_earned'; needed: number; earned: number }

export type GivingDeps = {
	transact: Transact
	viewers: Pick<ViewerStore, 'findByName' | 'isBotName' | 'viewer' | 'debit' | 'credit' | 'earnedOf' | 'givenSince'>
	events: EventLog
	config: () => Pick<Config, 'give_max_per_day' | 'give_min_earned' | 'ignore_users'>
}

export function createGiving(deps: GivingDeps) {
	const { viewers } = deps
	return {
		/** Gives `amount` (a positive integer) from one viewer to the viewer called `toName`. */
		give(fromId: string, toName: string, amount: number, now: number): GiveResult {
			const config = deps.config()
			return deps.transact<GiveResult>(() => {
				const name = toName.replace(/^@/, '')
				const found = viewers.findByName(name)
				if (found.kind === 'none') return { ok: false, reason: viewers.isBotName(name) ? 'bot' : 'no_viewer' }
				if (found.kind === 'several') return { ok: false, reason: 'ambiguous' }
				const to = found.viewer
				if (to.id === fromId) return { ok: false, reason: 'self' }
				const target = viewers.earnedOf(to.id)
				if (!target || target.isBot || isIgnored(config.ignore_users, to.id, to.displayName)) return { ok: false, reason: 'bot' }
				const sender = viewers.earnedOf(fromId)
				const earned = sender?.earned ?? 0
				if (earned < config.give_min_earned) return { ok: false, reason: 'not_earned', needed: config.give_min_earned, earned }
				const given = viewers.givenSince(fromId, now - GIVE_WINDOW_MS)
				if (given + amount > config.give_max_per_day) {
					return { ok: false, reason: 'daily_limit', limit: config.give_max_per_day, left: Math.max(0, config.give_max_per_day - given) }
				}
				const charged = viewers.debit(fromId, amount, { reason: 'give', ref: to.id }, now)
				if (!charged.ok) return { ok: false, reason: 'not_enough', balance: charged.balance }
				viewers.credit(to.id, amount, { reason: 'give', ref: fromId }, now)
				const from = viewers.viewer(fromId)
				deps.events.record(
					'points.given',
					{ from: { id: fromId, name: from?.displayName ?? fromId }, to: { id: to.id, name: to.displayName }, amount },
					now
				)
				return { ok: true, amount, balance: charged.balance, to }
			})
		}
	}
}

export type Giving = ReturnType<typeof createGiving>
