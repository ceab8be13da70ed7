// Redeem limits (cooldowns, per-stream caps, stock, live only), decided before anything is charged. Returns
// what refused the use, as a code with its numbers; the chat layer turns it into words.
import type { Redeem } from './model.ts'

/** What the stores know about past uses of one redeem, read inside the purchase transaction. */
export type RedeemUsage = {
	lastUseAt: number | undefined
	lastUseByViewerAt: number | undefined
	usesThisStream: number
	usesByViewerThisStream: number
	stockUsed: number
	paused: boolean
	live: boolean
}

export type LimitRefusal =
	| { code: 'paused' | 'only_live' | 'out_of_stock' }
	| { code: 'stream_limit' | 'user_stream_limit'; limit: number }
	| { code: 'cooldown' | 'user_cooldown'; waitSeconds: number }

/** Why this use is refused, in the order a viewer can act on it, or undefined when it may go ahead. */
export function checkLimits(redeem: Redeem, usage: RedeemUsage, now: number): LimitRefusal | undefined {
	const limits = redeem.limits
	if (usage.paused) return { code: 'paused' }
	if (limits.onlyLive && !usage.live) return { code: 'only_live' }
	if (limits.stock !== undefined && usage.stockUsed >= limits.stock) return { code: 'out_of_stock' }
	if (limits.maxPerStream !== undefined && usage.usesThisStream >= limits.maxPerStream) {
		return { code: 'stream_limit', limit: limits.maxPerStream }
	}
	if (limits.maxPerUserPerStream !== undefined && usage.usesByViewerThisStream >= limits.maxPerUserPerStream) {
		return { code: 'user_stream_limit', limit: limits.maxPerUserPerStream }
	}
	if (limits.cooldown && usage.lastUseAt !== undefined) {
		const left = usage.lastUseAt + limits.cooldown * 1000 - now
		if (left > 0) return { code: 'cooldown', waitSeconds: left / 1000 }
	}
	if (limits.userCooldown && usage.lastUseByViewerAt !== undefined) {
		const left = usage.lastUseByViewerAt + limits.userCooldown * 1000 - now
		if (left > 0) return { code: 'user_cooldown', waitSeconds: left / 1000 }
	}
	return undefined
}
