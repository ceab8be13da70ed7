// Redeem limits (cooldowns, per-stream caps, stock, live only), decided before anything is charged.
import { describeWait, type MessageKey, type Params } from '../chat/messages.ts'
import type { Redeem } from './model.ts'

/** What the store knows about past uses of one redeem, read inside the spend transaction. */
export type RedeemUsage = {
	lastUseAt: number | undefined
	lastUseByViewerAt: number | undefined
	usesThisStream: number
	usesByViewerThisStream: number
	stockUsed: number
	paused: boolean
	live: boolean
}

export type Refusal = { key: MessageKey; params: Params }

/** Why this use is refused, in the order a viewer can act on it, or undefined when it may go ahead. */
export function checkLimits(redeem: Redeem, usage: RedeemUsage, now: number): Refusal | undefined {
	const limits = redeem.limits
	const base = { redeem: redeem.name }
	if (usage.paused) return { key: 'paused', params: base }
	if (limits.onlyLive && !usage.live) return { key: 'only_live', params: base }
	if (limits.stock !== undefined && usage.stockUsed >= limits.stock) return { key: 'out_of_stock', params: base }
	if (limits.maxPerStream !== undefined && usage.usesThisStream >= limits.maxPerStream) {
		return { key: 'stream_limit', params: { ...base, limit: limits.maxPerStream } }
	}
	if (limits.maxPerUserPerStream !== undefined && usage.usesByViewerThisStream >= limits.maxPerUserPerStream) {
		return { key: 'user_stream_limit', params: { ...base, limit: limits.maxPerUserPerStream } }
	}
	if (limits.cooldown && usage.lastUseAt !== undefined) {
		const left = usage.lastUseAt + limits.cooldown * 1000 - now
		if (left > 0) return { key: 'cooldown', params: { ...base, wait: describeWait(left / 1000) } }
	}
	if (limits.userCooldown && usage.lastUseByViewerAt !== undefined) {
		const left = usage.lastUseByViewerAt + limits.userCooldown * 1000 - now
		if (left > 0) return { key: 'user_cooldown', params: { ...base, wait: describeWait(left / 1000) } }
	}
	return undefined
}
