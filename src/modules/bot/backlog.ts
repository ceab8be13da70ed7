// Webhook events that could not be written because another process holds the database's write lock. The bot
// never waits for a lock (SQLite calls are synchronous: waiting would stall every request), and Owncast never
// retries a webhook: so such events are held in memory, in arrival order, and applied as soon as the lock is
// free. Only when the backlog is full is an event refused (the webhook answers 503) and its loss logged.
// With a journal (serve: bot/held-journal.ts), each held event is also written to a file before the webhook is
// answered, so a crash before it is applied loses nothing: the next start replays the file.
import { isBusy } from '../../db/database.ts'
import type { Logger } from '../../log.ts'
import type { OwncastEvent } from '../owncast/model.ts'
import type { HeldEvent, HeldJournal } from './held-journal.ts'

export type Accepted = 'applied' | 'held' | 'full'

export type BacklogOptions = {
	/** Most events held at once. */
	limit?: number
	/** First retry after this long; doubles up to maxRetryMs while the lock lasts. */
	retryMs?: number
	maxRetryMs?: number
	/** A lock lasting longer than this is logged as a warning (and again every this long). */
	warnAfterMs?: number
	/** Where held events are also written, so that a crash does not lose them. */
	journal?: HeldJournal | undefined
}

export function createEventBacklog(
	/** Applies an event; receivedAt is when the webhook arrived (a held event is applied later). */
	handle: (event: OwncastEvent, receivedAt: number) => void,
	log: Logger,
	options: BacklogOptions = {},
	clock: () => number = Date.now
) {
	const limit = options.limit ?? 10_000
	const firstRetry = options.retryMs ?? 20
	const maxRetry = options.maxRetryMs ?? 500
	const warnAfter = options.warnAfterMs ?? 5000
	const held: HeldEvent[] = []
	const journal = options.journal
	let timer: Timer | undefined
	let retry = firstRetry
	let since = 0
	let warnedAt = 0
	let dropped = 0

	const describe = (event: OwncastEvent) => ('user' in event ? `${event.type} from viewer ${event.user.id}` : event.type)

	function schedule() {
		if (timer) return
		timer = setTimeout(() => {
			timer = undefined
			drain()
		}, retry)
		retry = Math.min(maxRetry, retry * 2)
	}

	/** Applies held events in order until the lock is met again (then retries later) or none are left. */
	function drain() {
		let applied = 0
		while (held.length > 0) {
			const next = held[0] as { event: OwncastEvent; receivedAt: number }
			try {
				handle(next.event, next.receivedAt)
			} catch (error) {
				if (isBusy(error)) {
					const now = clock()
					if (now - since > warnAfter && now - warnedAt > warnAfter) {
						warnedAt = now
						log.warn(`the database has been locked by another process for ${Math.round((now - since) / 1000)} s; ${held.length} webhook events held in memory`)
					}
					schedule()
					return
				}
				log.error(`a held webhook event (${describe(next.event)}) failed and was dropped`, error)
			}
			held.shift()
			applied++
		}
		retry = firstRetry
		journal?.clear()
		log.info(`the database is free again: applied ${applied} held webhook events after ${((clock() - since) / 1000).toFixed(1)} s${dropped ? `; ${dropped} were dropped while the backlog was full` : ''}`)
		dropped = 0
	}

	/** Applies the event now, or holds it (written to the journal first). */
	function take(event: OwncastEvent, receivedAt: number): Accepted {
		if (held.length === 0) {
			try {
				handle(event, receivedAt)
				return 'applied'
			} catch (error) {
				if (!isBusy(error)) throw error
				since = clock()
				warnedAt = 0
				log.info('the database is locked (a points award, or another process): holding webhook events in memory until it is free')
			}
		} else if (held.length >= limit) {
			// Later events wait behind the held ones, so that each viewer's events keep their order.
			if (dropped++ % 1000 === 0) log.warn(`webhook backlog full (${limit} events held): dropped ${describe(event)} (503)`)
			return 'full'
		}
		journal?.append({ event, receivedAt })
		held.push({ event, receivedAt })
		schedule()
		return 'held'
	}

	return {
		/** Applies the event now, or holds it while the database is locked. */
		accept(event: OwncastEvent): Accepted {
			return take(event, clock())
		},
		/**
		 * At start: the events a previous run held (its journal), applied in order as if they had just arrived, each
		 * with the time it was received; returns how many had to be held again (and are in this run's journal now).
		 */
		replay(events: readonly HeldEvent[]): number {
			let again = 0
			for (const { event, receivedAt } of events) {
				try {
					if (take(event, receivedAt) !== 'applied') again++
				} catch (error) {
					log.error(`a webhook event held by the previous run (${describe(event)}) failed and was dropped`, error)
				}
			}
			if (held.length === 0) journal?.clear()
			return again
		},
		get size() {
			return held.length
		},
		/** Tries once more to apply what is held (at shutdown); returns how many are still held. */
		flush(): number {
			clearTimeout(timer)
			timer = undefined
			if (held.length > 0) drain()
			clearTimeout(timer)
			timer = undefined
			return held.length
		}
	}
}

export type EventBacklog = ReturnType<typeof createEventBacklog>
