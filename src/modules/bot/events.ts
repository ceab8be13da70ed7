// What the bot does with each Owncast event, once the webhook route has read, authenticated and parsed it:
// chat messages (commands, new viewers), name changes, joins, stream starts and stops. Replies go out
// afterwards through the chat sender; nothing here waits for Owncast.
import type { ChatSender } from '../owncast/chat-sender.ts'
import type { OwncastEvent } from '../owncast/model.ts'
import { handleChatMessage, type ChatDeps } from '../chat/service.ts'
import type { RateLimiter } from '../chat/rate-limit.ts'
import type { Moderation } from '../moderation/service.ts'
import type { Purchases } from '../redeems/purchase.ts'
import type { SettingsSource } from '../settings/settings.ts'
import type { StreamService } from '../streams/service.ts'
import type { ViewerStore } from '../viewers/store.ts'

export type EventDeps = {
	settings: SettingsSource
	viewers: ChatDeps['viewers'] & Pick<ViewerStore, 'touch'>
	purchases: Pick<Purchases, 'queue' | 'counter' | 'donate'>
	moderation: ChatDeps['moderation'] & Pick<Moderation, 'activeCategories'>
	streams: Pick<StreamService, 'started' | 'stopped'>
	replies: Pick<ChatSender, 'send'>
	limiter: RateLimiter
	clock: () => number
}

/** Remembers recent chat message ids, so a message delivered twice (two registrations) counts once. */
function createRecentIds(limit: number) {
	const seen = new Set<string>()
	return (id: string): boolean => {
		if (seen.has(id)) return false
		seen.add(id)
		if (seen.size > limit) seen.delete(seen.values().next().value as string)
		return true
	}
}

export function createEventService(deps: EventDeps) {
	const firstDelivery = createRecentIds(10_000)

	function handleOwncastEvent(event: OwncastEvent): void {
		const now = deps.clock()
		switch (event.type) {
			case 'CHAT': {
				if (event.user.isBot) return
				if (event.id && !firstDelivery(event.id)) return
				const settings = deps.settings()
				const replies = handleChatMessage(
					{
						settings,
						// A getter: plain chat (no command) never needs the categories, which cost a database read.
						get activeCategories() {
							return deps.moderation.activeCategories()
						},
						viewers: deps.viewers,
						purchases: deps.purchases,
						moderation: deps.moderation,
						now,
						allowCommand: (viewerId) => deps.limiter.allow(viewerId, now)
					},
					{ user: event.user, rawBody: event.rawBody, body: event.body }
				)
				if (!settings.config.passive) deps.replies.send(replies, event.clientId)
				return
			}
			case 'NAME_CHANGE':
			case 'USER_JOINED':
				if (!event.user.isBot) deps.viewers.touch(event.user, now)
				return
			case 'STREAM_STARTED':
				deps.streams.started(now)
				return
			case 'STREAM_STOPPED':
				deps.streams.stopped(now)
				return
			default:
				return
		}
	}

	return { handleOwncastEvent }
}

export type EventService = ReturnType<typeof createEventService>
