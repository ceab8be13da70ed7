// GET /api/events: the event log as Server-Sent Events, for overlays in OBS and other tools. Access needs the
// overlay key as ?key= (OBS browser sources cannot send headers). A client that reconnects with Last-Event-ID gets
// what it missed, in order; notes written by viewers are sent only with &notes=1.
import { createHmac } from 'node:crypto'
import { Elysia } from 'elysia'
import { sameText } from '../admin/auth.ts'
import type { Config } from '../settings/schema.ts'
import type { EventStore, StoredEvent } from './store.ts'

/** A comment line every so often keeps proxies and OBS from closing an idle stream. */
export const KEEP_ALIVE_MS = 15_000
/** Events recorded by another process on the database are seen within this time. */
const POLL_MS = 1000

export type EventRouteDeps = {
	config: () => Pick<Config, 'overlay_key' | 'secret_key' | 'event_clients'>
	store: Pick<EventStore, 'after' | 'latestId'>
	/** Wakes the listener when this process recorded events; returns a function that stops it. */
	onEvents(listener: () => void): () => void
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
 * lines (keep-alive), which that helper cannot send.
 */
function frame(event: StoredEvent, notes: boolean): string {
	const data = notes && event.note !== null ? { ...event.data, note: event.note } : event.data
	return `id: ${event.id}\nevent: ${event.name}\ndata: ${JSON.stringify({ ...data, at: event.createdAt })}\n\n`
}

export function eventRoutes(deps: EventRouteDeps) {
	let clients = 0
	return new Elysia({ name: 'events' }).get('/api/events', ({ query, request, set }) => {
		const q = query as Record<string, string | undefined>
		if (!validOverlayKey(deps.config(), q.key)) {
			set.status = 401
			return { error: 'a valid ?key= is needed (see `tlapbot overlay-urls`)' }
		}
		if (clients >= deps.config().event_clients) {
			set.status = 503
			set.headers['retry-after'] = '10'
			return { error: 'too many event-stream connections (event_clients)' }
		}
		const notes = q.notes === '1'
		const lastId = request.headers.get('last-event-id') ?? q.lastEventId
		let sent = lastId && /^\d{1,15}$/.test(lastId) ? Number(lastId) : deps.store.latestId()
		const encoder = new TextEncoder()
		let stop = () => {}
		clients++
		const stream = new ReadableStream<Uint8Array>({
			start(controller) {
				const write = (text: string) => {
					try {
						controller.enqueue(encoder.encode(text))
					} catch {
						stop()
					}
				}
				const flush = () => {
					try {
						for (;;) {
							const events = deps.store.after(sent, 500)
							for (const event of events) {
								write(frame(event, notes))
								sent = event.id
							}
							if (events.length < 500) break
						}
					} catch {
						// A locked or busy database: the next wake-up or poll tries again.
					}
				}
				write(`retry: 2000\n: connected\n\n`)
				flush()
				const unsubscribe = deps.onEvents(flush)
				const poll = setInterval(flush, POLL_MS)
				const keepAlive = setInterval(() => write(': keep-alive\n\n'), KEEP_ALIVE_MS)
				let stopped = false
				stop = () => {
					if (stopped) return
					stopped = true
					clients--
					unsubscribe()
					clearInterval(poll)
					clearInterval(keepAlive)
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
		return new Response(stream, {
			headers: {
				'content-type': 'text/event-stream; charset=utf-8',
				'cache-control': 'no-store',
				'x-accel-buffering': 'no'
			}
		})
	})
}
