// The leaderboard: the top viewers by balance, by points earned this stream and this calendar month (UTC), without
// bots, ignore_users and viewers who asked to be left out (!hide). No SQL here: the viewer store owns it.
import type { Config } from '../settings/schema.ts'
import type { StreamStore } from '../streams/store.ts'
import type { ViewerStore } from '../viewers/store.ts'

export type LeaderboardDeps = {
	viewers: Pick<ViewerStore, 'leaderboard' | 'rank' | 'setHidden' | 'isHidden' | 'balance'>
	streams: Pick<StreamStore, 'currentIds'>
	config: () => Pick<Config, 'ignore_users'>
}

export function createLeaderboard(deps: LeaderboardDeps) {
	const { viewers } = deps
	return {
		/** The three lists, `limit` each. */
		board: (now: number, limit = 10) => viewers.leaderboard(deps.config().ignore_users, limit, now, deps.streams.currentIds()?.id),
		/** !top: the top by balance, and where the asker stands (undefined when they are not listed). */
		top(viewerId: string, now: number, limit = 5) {
			const ignore = deps.config().ignore_users
			return { top: viewers.leaderboard(ignore, limit, now, undefined).balance, rank: viewers.rank(viewerId, ignore), balance: viewers.balance(viewerId) ?? 0 }
		},
		/** !hide: toggles; returns whether the viewer is hidden now. */
		toggleHidden(viewerId: string): boolean {
			const hidden = !viewers.isHidden(viewerId)
			viewers.setHidden(viewerId, hidden)
			return hidden
		}
	}
}

export type Leaderboard = ReturnType<typeof createLeaderboard>
