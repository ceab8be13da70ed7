// Everything the running bot needs, built once and passed down (no globals, so tests get their own).
import type { Database } from 'bun:sqlite'
import type { Config } from './config/load.ts'
import type { Logger } from './log.ts'
import { createMessages, type MessageOverrides, type Messages } from './modules/chat/messages.ts'
import { createModerationRepo, type ModerationRepo } from './modules/moderation/repo.ts'
import { createChatSender, type ChatSender } from './modules/owncast/chat-sender.ts'
import { createOwncastClient, type OwncastClient } from './modules/owncast/client.ts'
import { createPointsRepo, type PointsRepo } from './modules/points/repo.ts'
import type { Redeem } from './modules/redeems/model.ts'
import { createRedeemsRepo, type RedeemsRepo } from './modules/redeems/repo.ts'

export type Deps = {
	/** Replaced as a whole when config.toml is reloaded. */
	config: Config
	/** Replaced as a whole when redeems.toml is reloaded. */
	redeems: Redeem[]
	messages: Messages
	db: Database
	log: Logger
	points: PointsRepo
	redeemsRepo: RedeemsRepo
	moderation: ModerationRepo
	owncast: OwncastClient
	chat: ChatSender
	clock: () => number
	/** Categories switched on now: what moderators set in chat, else config.toml's active_categories. */
	activeCategories(): string[]
}

export function createDeps(input: {
	config: Config
	redeems: Redeem[]
	db: Database
	log: Logger
	fetch?: typeof fetch
	clock?: () => number
}): Deps {
	const { config, log } = input
	const owncast = createOwncastClient({
		baseUrl: config.owncast_url,
		accessToken: config.owncast_access_token,
		...(input.fetch ? { fetch: input.fetch } : {})
	})
	const moderation = createModerationRepo(input.db)
	const deps: Deps = {
		...input,
		messages: createMessages(config.messages as MessageOverrides),
		points: createPointsRepo(input.db, { startingPoints: config.starting_points }),
		redeemsRepo: createRedeemsRepo(input.db),
		moderation,
		owncast,
		// Through deps.owncast, so a reload that replaces the client (new URL or token) applies to replies too.
		chat: createChatSender(
			{ sendChat: (text) => deps.owncast.sendChat(text), sendPrivate: (id, text) => deps.owncast.sendPrivate(id, text) },
			log,
			{ privateReplies: () => deps.config.private_replies }
		),
		clock: input.clock ?? Date.now,
		activeCategories: () => moderation.activeCategories() ?? deps.config.active_categories
	}
	if (moderation.applyConfigCategories(config.active_categories)) {
		log.info('active_categories from config.toml replaces the categories moderators set in chat')
	}
	return deps
}

/** The dashboard's public address, when the streamer told us where the bot is reachable. */
export const dashboardUrl = (config: Config) => (config.public_url ? `${config.public_url}/dashboard` : undefined)
