// Per-viewer command rate limit: a token bucket per viewer id, so one viewer cannot flood chat through the bot.

export type RateLimiter = { allow(viewerId: string, nowMs: number): boolean }

/** perSecond commands per second per viewer, with bursts up to max(1, perSecond); 0 turns the limit off. */
export function createRateLimiter(perSecond: number): RateLimiter {
	if (perSecond <= 0) return { allow: () => true }
	const capacity = Math.max(1, perSecond)
	const buckets = new Map<string, { tokens: number; at: number }>()
	let lastSweep = 0
	return {
		allow(viewerId, nowMs) {
			// Forget viewers whose bucket is full again, so memory stays bounded by recent activity.
			if (buckets.size > 10_000 && nowMs - lastSweep > 1000) {
				lastSweep = nowMs
				for (const [id, b] of buckets) if (b.tokens + ((nowMs - b.at) / 1000) * perSecond >= capacity) buckets.delete(id)
			}
			const bucket = buckets.get(viewerId) ?? { tokens: capacity, at: nowMs }
			bucket.tokens = Math.min(capacity, bucket.tokens + (Math.max(0, nowMs - bucket.at) / 1000) * perSecond)
			bucket.at = nowMs
			const allowed = bucket.tokens >= 1
			if (allowed) bucket.tokens -= 1
			buckets.set(viewerId, bucket)
			return allowed
		}
	}
}
