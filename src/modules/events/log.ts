// What services call to report a change: an event, recorded in the caller's transaction, sent to the outgoing
// webhooks that want it, and announced in this process (so /api/events streams it at once) after the caller's
// transaction has finished. No SQL here: the event store owns it.
import type { EventName, EventStore } from './store.ts'

export type EventLog = {
	/** Inside the transaction of the change. A viewer's note goes apart: only clients that ask for notes get it. */
	record(name: EventName, data: Record<string, unknown>, now: number, note?: string | null): void
}

/** The event log the bot builds: also records an event for chosen receivers only (the admin page's test event). */
export type FullEventLog = EventLog & {
	/** Records an event delivered to these receivers only, whatever events they asked for. */
	recordFor(name: EventName, data: Record<string, unknown>, now: number, receivers: readonly string[]): void
}

export type Receiver = { id: string; events: readonly string[] }

export function createEventLog(deps: {
	store: Pick<EventStore, 'record'>
	/** The outgoing webhooks in force now. */
	receivers: () => readonly Receiver[]
	/** Called once the recording transaction is over (committed or rolled back: readers look for new rows). */
	recorded: () => void
}): FullEventLog {
	let announced = false
	const announce = () => {
		// A synchronous transaction is over by the next microtask.
		if (announced) return
		announced = true
		queueMicrotask(() => {
			announced = false
			deps.recorded()
		})
	}
	return {
		record(name, data, now, note = null) {
			const wanted = deps.receivers().filter((r) => r.events.includes('*') || r.events.includes(name)).map((r) => r.id)
			deps.store.record(name, data, note, wanted, now)
			announce()
		},
		recordFor(name, data, now, receivers) {
			deps.store.record(name, data, null, receivers, now)
			announce()
		}
	}
}

/** An event log that records nothing (tools and tests that do not care about events). */
export const noEvents: EventLog = { record: () => {} }
