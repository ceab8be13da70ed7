// The event log and the outgoing-webhook outbox: the only module that reads or writes the events and outbox tables.
// An event is recorded inside the transaction of the change it reports (a purchase, a refund, an award), together
// with an outbox row for each outgoing webhook that wants it, so nothing is reported that did not happen and
// nothing that happened is lost in a crash.
import type { Database } from 'bun:sqlite'
import { nowIso } from '../../db/time.ts'

export const EVENT_NAMES = [
	'redemption.created',
	'redemption.updated',
	'milestone.progress',
	'milestone.completed',
	'counter.updated',
	'points.awarded',
	'stream.started',
	'stream.stopped',
	'prediction.opened',
	'prediction.bet',
	'prediction.locked',
	'prediction.resolved',
	'prediction.cancelled',
	'poll.opened',
	'poll.vote',
	'poll.closed',
	'points.given'
] as const
export type EventName = (typeof EVENT_NAMES)[number] | 'test'

/** Events are kept this long: a client reconnecting within it gets what it missed; deliveries retry within it. */
export const EVENTS_KEEP_MS = 24 * 60 * 60 * 1000

export type StoredEvent = { id: number; name: EventName; data: Record<string, unknown>; note: string | null; createdAt: string }
export type Delivery = {
	id: number
	receiver: string
	eventId: number
	attempts: number
	nextAt: string
	/** When the delivery was settled: delivered (lastError null) or given up (lastError says why). */
	deliveredAt: string | null
	lastStatus: number | null
	lastError: string | null
	createdAt: string
}
/** A delivery with its event's name (null once the event is forgotten), for the admin page. */
export type RecentDelivery = Delivery & { eventName: EventName | null }
export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'given up'

/** What a delivery's row says: a settled row with an error was given up; an unsettled one that was tried is retrying. */
export function deliveryStatus(d: Pick<Delivery, 'deliveredAt' | 'lastError' | 'attempts'>): DeliveryStatus {
	if (d.deliveredAt !== null) return d.lastError === null ? 'delivered' : 'given up'
	return d.attempts > 0 ? 'retrying' : 'pending'
}

/** An event as stored: its data is the JSON text of an object. */
export type EventRow = { id: number; name: EventName; data: string; note: string | null; createdAt: string }

export function createEventStore(db: Database) {
	const insert = db.query<{ id: number }, { name: string; data: string; note: string | null; at: string }>(
		'INSERT INTO events (name, data, note, created_at) VALUES ($name, $data, $note, $at) RETURNING id'
	)
	const after = db.query<EventRow, { after: number; limit: number }>(
		'SELECT id, name, data, note, created_at AS createdAt FROM events WHERE id > $after ORDER BY id LIMIT $limit'
	)
	const one = db.query<EventRow, { id: number }>('SELECT id, name, data, note, created_at AS createdAt FROM events WHERE id = $id')
	const latest = db.query<{ id: number | null }, []>('SELECT max(id) AS id FROM events')
	const forgetEvents = db.query<unknown, { before: string }>('DELETE FROM events WHERE created_at < $before')
	const enqueue = db.query<unknown, { receiver: string; event: number; at: string }>(
		'INSERT INTO outbox (receiver, event_id, next_at, created_at) VALUES ($receiver, $event, $at, $at)'
	)
	// Per receiver, the oldest delivery not yet made: each receiver gets its events in order.
	const heads = db.query<Delivery, []>(
		`SELECT o.id, o.receiver, o.event_id AS eventId, o.attempts, o.next_at AS nextAt, o.delivered_at AS deliveredAt,
			o.last_status AS lastStatus, o.last_error AS lastError, o.created_at AS createdAt
		FROM outbox o WHERE o.delivered_at IS NULL
			AND o.id = (SELECT min(id) FROM outbox p WHERE p.receiver = o.receiver AND p.delivered_at IS NULL)`
	)
	const delivered = db.query<unknown, { id: number; at: string; status: number }>(
		'UPDATE outbox SET delivered_at = $at, attempts = attempts + 1, last_status = $status, last_error = NULL WHERE id = $id'
	)
	const failed = db.query<unknown, { id: number; next: string; status: number | null; error: string }>(
		'UPDATE outbox SET attempts = attempts + 1, next_at = $next, last_status = $status, last_error = $error WHERE id = $id'
	)
	// Settling a delivery for good without delivering it (tried for too long, or its event is gone): it stops
	// holding back the receiver's later deliveries, and keeps why.
	const givenUp = db.query<unknown, { id: number; at: string; tried: number; status: number | null; error: string }>(
		'UPDATE outbox SET delivered_at = $at, attempts = attempts + $tried, last_status = coalesce($status, last_status), last_error = $error WHERE id = $id'
	)
	const recent = db.query<RecentDelivery, { limit: number }>(
		`SELECT o.id, o.receiver, o.event_id AS eventId, o.attempts, o.next_at AS nextAt, o.delivered_at AS deliveredAt,
			o.last_status AS lastStatus, o.last_error AS lastError, o.created_at AS createdAt, e.name AS eventName
		FROM outbox o LEFT JOIN events e ON e.id = o.event_id ORDER BY o.id DESC LIMIT $limit`
	)
	const forgetDeliveries = db.query<unknown, { before: string }>('DELETE FROM outbox WHERE created_at < $before')

	const toEvent = (row: EventRow): StoredEvent => ({ ...row, data: JSON.parse(row.data) as Record<string, unknown> })

	return {
		/** Records an event (and its deliveries); inside the transaction of the change it reports. Returns its id. */
		record(name: EventName, data: Record<string, unknown>, note: string | null, receivers: readonly string[], now: number): number {
			const at = nowIso(now)
			const { id } = insert.get({ name, data: JSON.stringify(data), note, at }) as { id: number }
			for (const receiver of receivers) enqueue.run({ receiver, event: id, at })
			return id
		},
		/** Events after an id, oldest first. */
		after: (id: number, limit = 500) => after.all({ after: id, limit }).map(toEvent),
		/** The same with each event's data as its JSON text, unparsed (the event stream sends it on as it is). */
		afterAsText: (id: number, limit = 500) => after.all({ after: id, limit }),
		event: (id: number) => {
			const row = one.get({ id })
			return row ? toEvent(row) : undefined
		},
		latestId: () => latest.get()?.id ?? 0,

		/** The next delivery of each receiver (due or not): deliveries go out in order, one at a time per receiver. */
		nextDeliveries: () => heads.all(),
		markDelivered: (id: number, status: number, now: number) => void delivered.run({ id, at: nowIso(now), status }),
		markFailed: (id: number, next: number, status: number | null, error: string) =>
			void failed.run({ id, next: nowIso(next), status, error: error.slice(0, 500) }),
		/** Settles a delivery that will not be made; `tried` says whether this call reports an attempt. */
		markGivenUp: (id: number, now: number, tried: boolean, status: number | null, error: string) =>
			void givenUp.run({ id, at: nowIso(now), tried: tried ? 1 : 0, status, error: error.slice(0, 500) }),
		recentDeliveries: (limit = 50) => recent.all({ limit }),

		/** Forgets events and deliveries older than EVENTS_KEEP_MS. */
		prune(now: number) {
			const before = nowIso(now - EVENTS_KEEP_MS)
			forgetDeliveries.run({ before })
			forgetEvents.run({ before })
		}
	}
}

export type EventStore = ReturnType<typeof createEventStore>
