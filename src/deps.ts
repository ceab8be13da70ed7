// Everything the running bot needs, built once and passed down (no globals, so tests get their own).
import type { Database } from 'bun:sqlite'
import type { Config } from './config/load.ts'
import type { Logger } from './log.ts'
import { createChatSender, type ChatSender } from './modules/owncast/chat-sender.ts'
import { createOwncastClient, type OwncastClient } from './modules/owncast/client.ts'
import { createPointsRepo, type PointsRepo } from './modules/points/repo.ts'
import type { Redeem } from './modules/redeems/model.ts'
import { createRedeemsRepo, type RedeemsRepo } from './modules/redeems/repo.ts'

export type Deps = {
	config: Config
	redeems: Redeem[]
	db: Database
	log: Logger
	points: PointsRepo
	redeemsRepo: RedeemsRepo
	owncast: OwncastClient
	chat: ChatSender
	clock: () => number
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
	return {
		...input,
		points: createPointsRepo(input.db, { startingPoints: config.starting_points }),
		redeemsRepo: createRedeemsRepo(input.db),
		owncast,
		chat: createChatSender(owncast, log),
		clock: input.clock ?? Date.now
	}
}

/** The dashboard's public address, when the streamer told us where the bot is reachable. */
export const dashboardUrl = (config: Config) => (config.public_url ? `${config.public_url}/dashboard` : undefined)
