// What the bot does with each Owncast event, once the webhook route has read, authenticated and parsed it:
// chat messages (commands, new viewers), name changes, joins, stream starts and stops. Replies go out
// afterwards through the chat sender; nothing here waits for Owncast.
//
// Replays: an event that changes something (a command, a stream start or stop) claims its Owncast id in
// processed_events inside the same transaction as its effect, so it counts once across restarts and processes.
// Plain chat only refreshes the viewer (idempotent) and keeps a cheap in-memory check. A chat message without
// an id runs no command.
import type { Transact } from '../../db/transaction.ts'
import type { ChatSender } from '../owncast/chat-sender.ts'
import type { OwncastEvent } from '../owncast/model.ts'
import { handleChatMessage, isCommandMessage, type ChatDeps, type Reply } from '../chat/service.ts'
import type { EconomyDeps } from '../chat/economy-commands.ts'
import type { Sightings } from './sightings.ts'
import type { RateLimiter } from '../chat/rate-limit.ts'
import type { Moderation } from '../moderation/service.ts'
import type { Purchases } from '../redeems/purchase.ts'
import type { SettingsSource } from '../settings/settings.ts'
import type { StreamService } from '../streams/service.ts'
import type { ViewerStore } from '../viewers/store.ts'
import type { ProcessedEvents } from './processed-events.ts'

export type EventDeps = {
	settings: SettingsSource
	transact: Transact
	processed: Pick<ProcessedEvents, 'claim' | 'prune'>
	viewers: ChatDeps['viewers'] & Pick<ViewerStore, 'touch'>
	purchases: Pick<Purchases, 'queue' | 'counter' | 'donate'>
	identity: ChatDeps['identity']
	moderation: ChatDeps['moderation'] & Pick<Moderation, 'activeCategories'>
	streams: Pick<StreamService, 'started' | 'stopped'>
	replies: Pick<ChatSender, 'send'>
	limiter: RateLimiter
	/** Giving, the leaderboard, predictions and polls, and who chatted since the last cycle. */
	economy?: EconomyDeps & { chatActivity: { note(viewerId: string): void } }
	/** Viewers seen in plain chat, written together. */
	sightings?: Pick<Sightings, 'note' | 'flush'>
	clock: () => number
}

/** Recent chat message ids in memory: a message delivered twice (two registrations) is handled once. */
function createRecentIds(limit: number) {
	const seen = new Set<string>()
	return {
		has: (id: string) => seen.has(id),
		add(id: string) {
			seen.add(id)
			if (seen.size > limit) seen.delete(seen.values().next().value as string)
		}
	}
}

const PRUNE_EVERY_MS = 60 * 60 * 1000

export function createEventService(deps: EventDeps) {
	const recent = createRecentIds(10_000)
	let prunedAt = 0

	/** Runs effect once per event id, in one transaction with the claim; false when it was applied before. */
	function once(key: string | undefined, now: number, effect: () => void): boolean {
		if (key === undefined) {
			effect()
			return true
		}
		return deps.transact(() => {
			if (!deps.processed.claim(key, now)) return false
			effect()
			return true
		})
	}

	function handleChat(event: Extract<OwncastEvent, { type: 'CHAT' }>, now: number, receivedAt: number) {
		if (event.id && recent.has(event.id)) return
		const settings = deps.settings()
		const message = { user: event.user, rawBody: event.rawBody, body: event.body, clientId: event.clientId }
		if (!event.id) {
			// Nothing tells a replay from a new message: it may refresh the viewer, never run a command.
			deps.viewers.touch(event.user, now)
			return
		}
		const chatDeps: ChatDeps = {
			settings,
			// A getter: plain chat (no command) never needs the categories, which cost a database read.
			get activeCategories() {
				return deps.moderation.activeCategories()
			},
			viewers: deps.viewers,
			purchases: deps.purchases,
			moderation: deps.moderation,
			identity: deps.identity,
			now,
			receivedAt,
			allowCommand: (viewerId) => deps.limiter.allow(viewerId, now),
			...(deps.economy ? { economy: deps.economy, chatActivity: deps.economy.chatActivity } : {}),
			...(deps.sightings ? { sightings: deps.sightings } : {})
		}
		let replies: Reply[] = []
		if (isCommandMessage(settings.config.prefix, message)) {
			once(`CHAT:${event.id}`, now, () => {
				replies = handleChatMessage(chatDeps, message)
			})
		} else {
			replies = handleChatMessage(chatDeps, message)
		}
		// Remembered only once applied: an event held back by a locked database is applied later, not dropped.
		recent.add(event.id)
		// A missing clientId is connection 0 (Go's omitempty drops the zero value).
		if (!settings.config.passive) deps.replies.send(replies, event.clientId ?? 0)
	}

	/** Applies one event; receivedAt is when its webhook arrived, when that was earlier (a held event). */
	function handleOwncastEvent(event: OwncastEvent, receivedAt?: number): void {
		const now = deps.clock()
		switch (event.type) {
			case 'CHAT':
				if (!event.user.isBot) handleChat(event, now, receivedAt ?? now)
				break
			case 'NAME_CHANGE':
			case 'USER_JOINED':
				// Owncast sends name changes with an empty id; refreshing a viewer twice changes nothing more.
				if (!event.user.isBot) deps.viewers.touch(event.user, now)
				break
			case 'STREAM_STARTED':
				once(event.id && `${event.type}:${event.id}`, now, () => void deps.streams.started(now))
				break
			case 'STREAM_STOPPED':
				once(event.id && `${event.type}:${event.id}`, now, () => deps.streams.stopped(now))
				break
			default:
				break
		}
		if (now - prunedAt > PRUNE_EVERY_MS) {
			prunedAt = now
			try {
				deps.processed.prune(now)
			} catch {
				// A locked database: the next hour's prune catches up; the event itself is applied.
			}
		}
	}

	return { handleOwncastEvent }
}

export type EventService = ReturnType<typeof createEventService>
