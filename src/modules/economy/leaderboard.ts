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

/** The lists are read with a scan of the viewers (no index slows the points award down): kept this long. */
export const LEADERBOARD_KEEP_MS = 5000

export function createLeaderboard(deps: LeaderboardDeps) {
	const { viewers } = deps
	let kept: { key: string; at: number; board: ReturnType<ViewerStore['leaderboard']> } | undefined
	return {
		/** The three lists, `limit` each; the same lists for a few seconds (LEADERBOARD_KEEP_MS). */
		board(now: number, limit = 10) {
			const ignore = deps.config().ignore_users
			const stream = deps.streams.currentIds()?.id
			const key = JSON.stringify([limit, stream ?? null, ignore, new Date(now).toISOString().slice(0, 7)])
			if (kept && kept.key === key && now - kept.at >= 0 && now - kept.at < LEADERBOARD_KEEP_MS) return kept.board
			const board = viewers.leaderboard(ignore, limit, now, stream)
			kept = { key, at: now, board }
			return board
		},
		/** !top: the top by balance, and where the asker stands (undefined when they are not listed). */
		top(viewerId: string, now: number, limit = 5) {
			const ignore = deps.config().ignore_users
			return { top: viewers.leaderboard(ignore, limit, now, undefined).balance, rank: viewers.rank(viewerId, ignore), balance: viewers.balance(viewerId) ?? 0 }
		},
		/** !hide: toggles; returns whether the viewer is hidden now. */
		toggleHidden(viewerId: string): boolean {
			const hidden = !viewers.isHidden(viewerId)
			viewers.setHidden(viewerId, hidden)
			// Leaving the list (or coming back) shows at once.
			kept = undefined
			return hidden
		}
	}
}

export type Leaderboard = ReturnType<typeof createLeaderboard>
