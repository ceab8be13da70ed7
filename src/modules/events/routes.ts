// The event log as Server-Sent Events: one shared feed (createEventFeed) that every stream joins, opened by
// GET /api/events for overlays in OBS and other tools (the overlay key as ?key=: OBS browser sources cannot send
// headers) and by the admin page's live queue (/admin/events, behind the admin session). A client that reconnects
// with Last-Event-ID gets what it missed, in order; notes written by viewers are sent only to streams that ask.
import { createHmac } from 'node:crypto'
import { Elysia } from 'elysia'
import { sameText } from '../admin/auth.ts'
import type { Config } from '../settings/schema.ts'
import type { EventRow, EventStore } from './store.ts'

/** A comment line every so often keeps proxies and OBS from closing an idle stream. */
export const KEEP_ALIVE_MS = 15_000
/** Events recorded by another process on the database are seen within this time. */
const POLL_MS = 1000

export type EventFeedDeps = {
	config: () => Pick<Config, 'event_clients'>
	store: Pick<EventStore, 'afterAsText' | 'latestId'>
	/** Wakes the listener when this process recorded events; returns a function that stops it. */
	onEvents(listener: () => void): () => void
}

export type EventRouteDeps = {
	config: () => Pick<Config, 'overlay_key' | 'secret_key'>
	feed: EventFeed
}

/** How one stream is opened: with notes or not, from which event on, and while what holds. */
export type StreamOptions = {
	notes: boolean
	/** Last-Event-ID (or ?lastEventId=): the stream starts after it; else after the newest event. */
	lastId: string | null | undefined
	/** Checked before each send: false ends the stream (a rotated key, an ended admin session). */
	allowed(): boolean
}

/** The overlay key: overlay_key when set, else derived from secret_key, so nothing rewrites the streamer's file. */
export function overlayKey(config: Pick<Config, 'overlay_key' | 'secret_key'>): string {
	return config.overlay_key ?? createHmac('sha256', config.secret_key).update('tlapbot overlay key').digest('base64url').slice(0, 32)
}

/** Whether a request carries the overlay key in force now. */
export const validOverlayKey = (config: Pick<Config, 'overlay_key' | 'secret_key'>, key: unknown) =>
	typeof key === 'string' && key.length <= 200 && sameText(key, overlayKey(config))

/**
 * One event in the SSE wire format. Written here rather than with Elysia's sse(): the stream also needs comment
 * lines (keep-alive), which that helper cannot send. The data line is the stored JSON text of the event's data with
 * the note (when asked for) and the time added before its closing brace: no parse and no stringify of each event
 * under load. Data that has those keys already is parsed, and theirs replaced, as the spread `{ ...data, at }` would.
 */
export function frame(event: EventRow, notes: boolean): string {
	const note = notes && event.note !== null
	let data: string
	if (!/"(at|note)":/.test(event.data) && event.data.startsWith('{') && event.data.endsWith('}')) {
		const added = `${note ? `"note":${JSON.stringify(event.note)},` : ''}"at":${JSON.stringify(event.createdAt)}}`
		data = event.data === '{}' ? `{${added}` : `${event.data.slice(0, -1)},${added}`
	} else {
		const parsed = JSON.parse(event.data) as Record<string, unknown>
		data = JSON.stringify(note ? { ...parsed, note: event.note, at: event.createdAt } : { ...parsed, at: event.createdAt })
	}
	return `id: ${event.id}\nevent: ${event.name}\ndata: ${data}\n\n`
}

/**
 * Under load, events are sent at most this often, several at a time: one write per client, not one per event. 25 ms
 * (was 10): with 100 clients the bot spends about half the CPU on them, and an event still reaches them within 30 ms
 * (p99) under the bench's load.
 */
export const FAN_OUT_MS = 25

type Client = { sent: number; notes: boolean; allowed(): boolean; write(bytes: Uint8Array): void; stop(): void }

export function createEventFeed(deps: EventFeedDeps) {
	let clients = 0
	const encoder = new TextEncoder()
	// The clients that have caught up: one read of the log for all of them, each event framed once (with and
	// without notes), each client's share written in one piece.
	const live = new Set<Client>()
	let lastBroadcast = 0
	let timer: ReturnType<typeof setTimeout> | undefined
	const broadcast = () => {
		timer = undefined
		lastBroadcast = performance.now()
		if (live.size === 0) return
		// A rotated overlay_key ends the streams opened with the old one (a leaked key stops working at once), a
		// logout the admin page's.
		for (const c of live) if (!c.allowed()) c.stop()
		if (live.size === 0) return
		let from = Number.POSITIVE_INFINITY
		for (const c of live) from = Math.min(from, c.sent)
		try {
			for (;;) {
				const events = deps.store.afterAsText(from, 500)
				if (events.length === 0) break
				const plain: string[] = []
				const noted: string[] = []
				for (const event of events) {
					plain.push(frame(event, false))
					noted.push(event.note === null ? (plain.at(-1) as string) : frame(event, true))
				}
				const last = (events.at(-1) as EventRow).id
				let allPlain: Uint8Array | undefined
				let allNoted: Uint8Array | undefined
				for (const c of live) {
					if (c.sent >= last) continue
					const skip = events.findIndex((e) => e.id > c.sent)
					if (skip === 0) c.write(c.notes ? (allNoted ??= encoder.encode(noted.join(''))) : (allPlain ??= encoder.encode(plain.join(''))))
					else c.write(encoder.encode((c.notes ? noted : plain).slice(skip).join('')))
					c.sent = last
				}
				from = last
				if (events.length < 500) break
			}
		} catch {
			// A locked or busy database: the next wake-up or poll tries again.
		}
	}
	const wake = () => {
		if (timer) return
		const wait = lastBroadcast + FAN_OUT_MS - performance.now()
		if (wait <= 0) broadcast()
		else timer = setTimeout(broadcast, wait)
	}
	let unsubscribe: (() => void) | undefined
	let poll: ReturnType<typeof setInterval> | undefined
	let keepAlive: ReturnType<typeof setInterval> | undefined
	const start = () => {
		unsubscribe = deps.onEvents(wake)
		poll = setInterval(wake, POLL_MS)
		const ping = encoder.encode(': keep-alive\n\n')
		keepAlive = setInterval(() => {
			for (const c of live) c.write(ping)
		}, KEEP_ALIVE_MS)
	}
	const stopAll = () => {
		unsubscribe?.()
		clearInterval(poll)
		clearInterval(keepAlive)
		unsubscribe = undefined
	}

	return {
		/** A Server-Sent Events response joined to the feed, or undefined when event_clients streams are open. */
		open(request: Request, options: StreamOptions): Response | undefined {
			if (clients >= deps.config().event_clients) return undefined
			return stream(request, options)
		}
	}

	function stream(request: Request, options: StreamOptions): Response {
		const { notes } = options
		const lastId = options.lastId
		let stop = () => {}
		clients++
		const body = new ReadableStream<Uint8Array>({
			start(controller) {
				const client: Client = {
					sent: lastId && /^\d{1,15}$/.test(lastId) ? Number(lastId) : deps.store.latestId(),
					notes,
					allowed: options.allowed,
					write(bytes) {
						try {
							controller.enqueue(bytes)
						} catch {
							stop()
						}
					},
					stop: () => stop()
				}
				client.write(encoder.encode(`retry: 2000\n: connected\n\n`))
				// What it missed, read for it alone; then it joins the others.
				try {
					for (;;) {
						const events = deps.store.afterAsText(client.sent, 500)
						if (events.length) client.write(encoder.encode(events.map((e) => frame(e, notes)).join('')))
						if (events.length) client.sent = (events.at(-1) as EventRow).id
						if (events.length < 500) break
					}
				} catch {
					// The broadcast catches up.
				}
				if (live.size === 0) start()
				live.add(client)
				let stopped = false
				stop = () => {
					if (stopped) return
					stopped = true
					clients--
					live.delete(client)
					if (live.size === 0) stopAll()
					try {
						controller.close()
					} catch {
						// Already closed by the client.
					}
				}
				request.signal.addEventListener('abort', stop)
			},
			cancel() {
				stop()
			}
		})
		return new Response(body, {
			headers: {
				'content-type': 'text/event-stream; charset=utf-8',
				'cache-control': 'no-store',
				'x-accel-buffering': 'no'
			}
		})
	}
}

export type EventFeed = ReturnType<typeof createEventFeed>

/** GET /api/events: the feed for overlays and tools, with the overlay key. */
export function eventRoutes(deps: EventRouteDeps) {
	return new Elysia({ name: 'events' }).get('/api/events', ({ query, request, set }) => {
		const q = query as Record<string, string | undefined>
		if (!validOverlayKey(deps.config(), q.key)) {
			set.status = 401
			return { error: 'a valid ?key= is needed (see `tlapbot overlay-urls`)' }
		}
		const key = q.key as string
		const response = deps.feed.open(request, {
			notes: q.notes === '1',
			lastId: request.headers.get('last-event-id') ?? q.lastEventId,
			allowed: () => validOverlayKey(deps.config(), key)
		})
		if (response) return response
		set.status = 503
		set.headers['retry-after'] = '10'
		return { error: 'too many event-stream connections (event_clients)' }
	})
}
