// Outgoing webhooks: delivers the outbox (rows written with each event, one per receiver that wants it) to the
// URLs in [[outgoing_webhooks]]. A loop apart from webhook handling: woken when this process records events and
// every second (events recorded by another process, retries that fall due), it sends each receiver's oldest
// undelivered event, one request at a time per receiver, so each receiver gets its events in order and a receiver
// that is down holds back only its own. Failures retry with exponential backoff for up to 24 hours after the event,
// then the delivery is given up. Everything is in SQLite, so a crash or restart loses nothing: a delivery whose
// answer was never written is sent again, with the same tlapbot-delivery id. No SQL here: the event store owns it.
// Webhook URLs and secrets are secrets (a Discord webhook URL is its own password): logs and the admin page name a
// receiver by its number in config.toml and its host only.
import { createHash, createHmac } from 'node:crypto'
import { parseIso } from '../../db/time.ts'
import type { Transact } from '../../db/transaction.ts'
import type { Logger } from '../../log.ts'
import type { Config } from '../settings/schema.ts'
import type { FullEventLog, Receiver } from './log.ts'
import { deliveryStatus, EVENTS_KEEP_MS, type Delivery, type DeliveryStatus, type EventStore, type RecentDelivery, type StoredEvent } from './store.ts'

export type WebhookConfig = Config['outgoing_webhooks'][number]

/** One configured outgoing webhook. `url` and `secret` never leave this module's requests. */
export type ConfiguredReceiver = Receiver & {
	/** Its place in config.toml's [[outgoing_webhooks]], from 1: how logs and the admin page name it. */
	number: number
	host: string
	url: string
	secret: string | undefined
	format: 'json' | 'discord'
}

/** What the admin page shows of a receiver: no URL path, no secret. */
export type ReceiverView = {
	id: string
	number: number
	label: string
	host: string
	events: readonly string[]
	format: 'json' | 'discord'
	signed: boolean
	/** Its oldest delivery not yet made, if any. */
	next: { event: string | null; status: DeliveryStatus; attempts: number; nextAt: string; lastError: string | null } | undefined
}

export type DeliveryView = RecentDelivery & { status: DeliveryStatus; receiverLabel: string }

export type OutboxTiming = {
	/** The wait after a first failure; doubles after each further one. */
	backoffMs: number
	maxBackoffMs: number
	/** How long a request may take. */
	timeoutMs: number
	/** How long after its event a delivery is tried before it is given up. */
	giveUpMs: number
	/** How often the loop looks for deliveries without being woken. */
	pollMs: number
}

export const OUTBOX_TIMING: OutboxTiming = {
	backoffMs: 5000,
	maxBackoffMs: 10 * 60_000,
	timeoutMs: 10_000,
	giveUpMs: EVENTS_KEEP_MS,
	pollMs: 1000
}

/** A receiver's id in the outbox: stable across restarts and reloads, and no secret (the URL's hash). */
export const receiverId = (url: string) => createHash('sha256').update(url).digest('hex').slice(0, 16)

export const receiverLabel = (r: Pick<ConfiguredReceiver, 'number' | 'host'>) => `outgoing webhook #${r.number} (${r.host})`

const receiverCache = new WeakMap<readonly WebhookConfig[], ConfiguredReceiver[]>()

/**
 * The receivers of [[outgoing_webhooks]] (computed once per settings object). Entries with the same URL are one
 * receiver, wanting the events of both, so no event goes to a URL twice; the first entry's format and secret count.
 */
export function configuredReceivers(list: readonly WebhookConfig[]): ConfiguredReceiver[] {
	const cached = receiverCache.get(list)
	if (cached) return cached
	const byId = new Map<string, ConfiguredReceiver>()
	list.forEach((w, i) => {
		const id = receiverId(w.url)
		const seen = byId.get(id)
		if (seen) {
			seen.events = [...new Set([...seen.events, ...w.events])]
			return
		}
		byId.set(id, { id, number: i + 1, host: new URL(w.url).host, url: w.url, secret: w.secret, format: w.format ?? 'json', events: [...w.events] })
	})
	const receivers = [...byId.values()]
	receiverCache.set(list, receivers)
	return receivers
}

/** `t=<unix seconds>,s=<hex HMAC-SHA256(secret, "<t>." + body)>`: what tlapbot-signature carries. */
export function webhookSignature(secret: string, unixSeconds: number, body: string): string {
	const s = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')
	return `t=${unixSeconds},s=${s}`
}

/** The JSON format's body. A viewer's note (viewer text) is in data.note, as /api/events sends it with notes=1. */
export function jsonBody(event: StoredEvent): string {
	const data = event.note !== null ? { ...event.data, note: event.note } : event.data
	return JSON.stringify({ id: event.id, event: event.name, at: event.createdAt, data })
}

// Discord's markdown: a backslash shows the character as it is. Spaces (new lines) fold, so no text starts a line.
const MARKDOWN = /[\\*_~`|>#[\]()<-]/g
// A link in viewer text: Discord makes it clickable as it is (a backslash put into it would break it), and <link>
// keeps it from unfolding a preview in the streamer's channel.
const LINK = /https?:\/\/[^\s<>]+/g
/** Viewer or streamer text for a Discord message: one line, markdown shown as typed, links as links without previews. */
export const discordText = (value: unknown) => {
	const text = String(value ?? '')
		.replace(/\s+/g, ' ')
		.trim()
	let out = ''
	let last = 0
	for (const link of text.matchAll(LINK)) {
		out += `${text.slice(last, link.index).replace(MARKDOWN, '\\$&')}<${link[0]}>`
		last = link.index + link[0].length
	}
	return out + text.slice(last).replace(MARKDOWN, '\\$&')
}

const count = (n: unknown, one: string, many: string) => `${Number(n) || 0} ${Number(n) === 1 ? one : many}`

/** The readable line a Discord channel gets for an event. */
export function discordLine(event: StoredEvent): string {
	const d = event.data as Record<string, unknown> & { viewer?: { id?: string; name?: string } }
	const viewer = discordText(d.viewer?.name ?? d.viewer?.id ?? 'Someone')
	const note = event.note ? `: ${discordText(event.note)}` : ''
	switch (event.name) {
		case 'redemption.created':
			return `${viewer} redeemed ${discordText(d.title ?? d.redeem)}${note || '!'}`
		case 'redemption.updated': {
			const what = `${viewer}'s ${discordText(d.redeem)} (#${Number(d.id)})`
			const reason = d.reason ? `: ${discordText(d.reason)}` : ''
			if (d.status === 'fulfilled') return `${what} is done.`
			if (d.status === 'rejected') return `${what} was rejected${reason}`
			if (d.status === 'cancelled') return `${what} was refunded (${count(d.refunded, 'point', 'points')} back)${reason}`
			return `${what} is ${discordText(d.status)}.`
		}
		case 'counter.updated':
			return `${viewer} redeemed ${discordText(d.title ?? d.counter)}! Count: ${Number(d.count)}`
		case 'milestone.progress':
			return `${viewer} donated ${Number(d.amount)} to ${discordText(d.title ?? d.milestone)} (${Number(d.progress)}/${Number(d.goal)})`
		case 'milestone.completed':
			return `The ${discordText(d.title ?? d.milestone)} goal is complete: ${Number(d.progress)}/${Number(d.goal)}!`
		case 'points.awarded':
			return `${count(d.amount, 'point', 'points')} each for ${count(d.viewers, 'viewer', 'viewers')} (${Number(d.newViewers) || 0} new)`
		case 'stream.started':
			return 'The stream started.'
		case 'stream.stopped':
			return 'The stream ended.'
		case 'prediction.opened':
			return `Prediction: ${discordText(d.question)} (${(Array.isArray(d.outcomes) ? d.outcomes : []).map(discordText).join(' / ')})`
		case 'prediction.bet':
			return `${viewer} bet ${count(d.amount, 'point', 'points')} on ${discordText(d.outcome)}`
		case 'prediction.locked':
			return `Betting is closed: ${discordText(d.question)}`
		case 'prediction.resolved':
			return d.refunded
				? `${discordText(d.question)}: ${discordText(d.outcome)}. Nobody bet on it; every bet was refunded.`
				: `${discordText(d.question)}: ${discordText(d.outcome)}! ${count(d.winners, 'winner shares', 'winners share')} ${count(d.pool, 'point', 'points')}.`
		case 'prediction.cancelled':
			return `The prediction ${discordText(d.question)} was cancelled; every bet was refunded.`
		case 'poll.opened':
			return `Poll ${discordText(d.poll)}: ${discordText(d.question)} (${(Array.isArray(d.options) ? d.options : []).map(discordText).join(' / ')})`
		case 'poll.vote':
			return `${viewer} spent ${count(d.amount, 'point', 'points')} on ${discordText(d.option)} in ${discordText(d.poll)}`
		case 'poll.closed':
			return `Poll ${discordText(d.poll)} is closed.`
		case 'points.given': {
			const from = discordText((d.from as { name?: string } | undefined)?.name ?? 'Someone')
			const to = discordText((d.to as { name?: string } | undefined)?.name ?? 'someone')
			return `${from} gave ${count(d.amount, 'point', 'points')} to ${to}`
		}
		case 'test':
			return 'Test event from tlapbot: this webhook works.'
		default:
			return discordText(event.name)
	}
}

/** The Discord format's body: one line, and nobody pinged whatever a viewer's name or note says (@everyone). */
export function discordBody(event: StoredEvent): string {
	// A leading "1. " would make a list.
	const content = discordLine(event).replace(/^(\d+)\. /, '$1\\. ').slice(0, 2000)
	return JSON.stringify({ content, allowed_mentions: { parse: [] } })
}

type Attempt = { ok: true; status: number } | { ok: false; status: number | null; error: string; retryAfterMs?: number }

/** An error's text with the receiver's URL, its path and its secret taken out (fetch errors may quote the URL). */
function scrub(text: string, r: ConfiguredReceiver): string {
	let out = text
	const url = new URL(r.url)
	const secrets = [r.url, url.href, `${url.pathname}${url.search}`, url.pathname, url.search, r.secret]
	for (const secret of secrets) if (secret && secret.length > 1) out = out.split(secret).join('***')
	return out
}

export function createOutbox(deps: {
	store: Pick<EventStore, 'nextDeliveries' | 'markDelivered' | 'markFailed' | 'markGivenUp' | 'event' | 'recentDeliveries'>
	events: Pick<FullEventLog, 'recordFor'>
	transact: Transact
	config: () => Pick<Config, 'outgoing_webhooks'>
	/** Wakes the loop when this process recorded events; returns a function that stops it. */
	onEvents(listener: () => void): () => void
	log: Logger
	clock: () => number
	userAgent: string
	fetch?: typeof fetch
}) {
	const { store, log } = deps
	const doFetch = deps.fetch ?? fetch
	let timing = OUTBOX_TIMING
	let running = false
	let timer: Timer | undefined
	let timerAt = Number.POSITIVE_INFINITY
	let unsubscribe = () => {}
	/** Per receiver: its request under way (one at a time). */
	const inFlight = new Map<string, Promise<void>>()
	/** Per receiver: an answer not yet written (the database was busy); written before that receiver sends again. */
	const unsaved = new Map<string, () => void>()
	let lastLoopError = Number.NEGATIVE_INFINITY

	const receivers = () => configuredReceivers(deps.config().outgoing_webhooks)

	/** Runs the loop in `ms`, unless it is to run sooner anyway. */
	function schedule(ms: number) {
		if (!running) return
		const at = performance.now() + Math.max(0, ms)
		if (timer !== undefined && timerAt <= at) return
		clearTimeout(timer)
		timerAt = at
		timer = setTimeout(tick, Math.max(0, ms))
	}
	const wake = () => schedule(0)

	async function attempt(r: ConfiguredReceiver, delivery: Delivery, event: StoredEvent): Promise<Attempt> {
		const body = r.format === 'discord' ? discordBody(event) : jsonBody(event)
		const headers: Record<string, string> = {
			'content-type': 'application/json',
			'user-agent': deps.userAgent,
			'tlapbot-delivery': String(delivery.id),
			'tlapbot-event': event.name
		}
		if (r.secret) headers['tlapbot-signature'] = webhookSignature(r.secret, Math.floor(deps.clock() / 1000), body)
		try {
			const response = await doFetch(r.url, {
				method: 'POST',
				headers,
				body,
				redirect: 'manual',
				signal: AbortSignal.timeout(timing.timeoutMs)
			})
			await response.body?.cancel().catch(() => {})
			const status = response.status
			if (status >= 200 && status < 300) return { ok: true, status }
			if (status >= 300 && status < 400) return { ok: false, status, error: `HTTP ${status}: a redirect (set url to the address it leads to)` }
			const retryAfter = Number(response.headers.get('retry-after'))
			return {
				ok: false,
				status,
				error: `HTTP ${status}`,
				...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {})
			}
		} catch (error) {
			const e = error as Error & { code?: string }
			if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
				return { ok: false, status: null, error: `no answer within ${Math.round(timing.timeoutMs / 100) / 10} s` }
			}
			const message = typeof e?.message === 'string' ? e.message : String(error)
			const detail = e?.code && !message.startsWith(e.code) ? `${e.code}: ${message}` : message
			return { ok: false, status: null, error: scrub(`network error${detail ? `: ${detail}` : ''}`, r).slice(0, 300) }
		}
	}

	/** Writes a delivery's answer: delivered, failed (next try), or given up. */
	function save(r: ConfiguredReceiver, delivery: Delivery, event: StoredEvent, result: Attempt) {
		const now = deps.clock()
		const label = receiverLabel(r)
		const tries = delivery.attempts + 1
		if (result.ok) {
			store.markDelivered(delivery.id, result.status, now)
			if (delivery.attempts > 0) log.info(`${label}: ${event.name} #${event.id} delivered after ${tries} attempts`)
			else log.debug(`${label}: ${event.name} #${event.id} delivered`)
			return
		}
		const deadline = (parseIso(event.createdAt) ?? now) + timing.giveUpMs
		if (now >= deadline) {
			store.markGivenUp(delivery.id, now, true, result.status, result.error)
			log.warn(`${label}: gave up delivering ${event.name} #${event.id} after ${tries} attempts (last: ${result.error})`)
			return
		}
		const backoff = Math.min(timing.maxBackoffMs, timing.backoffMs * 2 ** Math.min(delivery.attempts, 30))
		const wait = Math.min(timing.maxBackoffMs, Math.max(backoff, result.retryAfterMs ?? 0))
		store.markFailed(delivery.id, Math.min(now + wait, deadline), result.status, result.error)
		const message = `${label}: delivering ${event.name} #${event.id} failed (${result.error}); trying again in ${Math.ceil(wait / 1000)} s`
		// The first failure of a delivery is worth a warning; its retries are not (a receiver down for hours).
		if (delivery.attempts === 0) log.warn(`${message}, for up to ${Math.round(timing.giveUpMs / 3_600_000)} hours`)
		else log.debug(message)
	}

	async function send(r: ConfiguredReceiver, delivery: Delivery, event: StoredEvent) {
		const result = await attempt(r, delivery, event)
		const write = () => save(r, delivery, event, result)
		try {
			write()
		} catch {
			// A locked database: written before this receiver's next request. Unwritten at exit, it is sent again.
			unsaved.set(r.id, write)
		} finally {
			inFlight.delete(r.id)
			schedule(0)
		}
	}

	function tick() {
		timer = undefined
		timerAt = Number.POSITIVE_INFINITY
		if (!running) return
		let next = timing.pollMs
		try {
			for (const [id, write] of unsaved) {
				write()
				unsaved.delete(id)
			}
			const byId = new Map(receivers().map((r) => [r.id, r]))
			const now = deps.clock()
			// No receivers, nothing to send (rows of removed ones wait for them, or for housekeeping).
			for (const head of byId.size ? store.nextDeliveries() : []) {
				const r = byId.get(head.receiver)
				// A receiver no longer configured keeps its rows (it may come back) until they are a day old.
				if (!r || inFlight.has(r.id) || unsaved.has(r.id)) continue
				const due = parseIso(head.nextAt) ?? now
				if (due > now) {
					next = Math.min(next, due - now)
					continue
				}
				const event = store.event(head.eventId)
				if (!event) {
					store.markGivenUp(head.id, now, false, null, 'the event is no longer kept')
					next = 0
					continue
				}
				inFlight.set(r.id, send(r, head, event))
			}
		} catch (error) {
			// A locked database, mostly: the next round tries again. Said at most once a minute.
			if (performance.now() - lastLoopError > 60_000) {
				lastLoopError = performance.now()
				log.warn(`outgoing webhooks: the outbox could not be read or written (${(error as Error).message}); trying again`)
			}
		}
		schedule(next)
	}

	const views = () => {
		const heads = new Map(store.nextDeliveries().map((d) => [d.receiver, d]))
		return receivers().map((r): ReceiverView => {
			const head = heads.get(r.id)
			return {
				id: r.id,
				number: r.number,
				label: receiverLabel(r),
				host: r.host,
				events: r.events,
				format: r.format,
				signed: r.secret !== undefined,
				next: head
					? {
							event: store.event(head.eventId)?.name ?? null,
							status: deliveryStatus(head),
							attempts: head.attempts,
							nextAt: head.nextAt,
							lastError: head.lastError
						}
					: undefined
			}
		})
	}

	return {
		/** The configured receivers, as the admin page shows them. */
		receivers: views,
		/** The latest deliveries, newest first, named by receiver number and host. */
		recentDeliveries(limit = 50): DeliveryView[] {
			const labels = new Map(receivers().map((r) => [r.id, receiverLabel(r)]))
			return store.recentDeliveries(limit).map((d) => ({
				...d,
				status: deliveryStatus(d),
				receiverLabel: labels.get(d.receiver) ?? 'a webhook no longer configured'
			}))
		},
		/** Records a `test` event for one receiver only; undefined when there is no such receiver. */
		sendTest(id: string, now: number): ReceiverView | undefined {
			const r = receivers().find((x) => x.id === id)
			if (!r) return undefined
			deps.transact(() =>
				deps.events.recordFor('test', { message: 'A test event from the tlapbot admin page.', webhook: r.number }, now, [r.id])
			)
			return views().find((v) => v.id === id)
		},
		/** Starts delivering (timing overrides are for tests). */
		start(overrides: Partial<OutboxTiming> = {}) {
			if (running) return
			timing = { ...OUTBOX_TIMING, ...overrides }
			running = true
			unsubscribe = deps.onEvents(wake)
			wake()
		},
		wake,
		/** Stops sending; resolves once the requests under way have their answers (written, if the database is open). */
		async stop(): Promise<void> {
			running = false
			unsubscribe()
			clearTimeout(timer)
			timer = undefined
			await Promise.allSettled([...inFlight.values()])
		}
	}
}

export type Outbox = ReturnType<typeof createOutbox>
