// What a redeem is, independent of where it was configured or how it is stored.

/** Limits checked before a redeem charges anything. Times are in seconds. */
export type RedeemLimits = {
	cooldown?: number
	userCooldown?: number
	maxPerStream?: number
	maxPerUserPerStream?: number
	stock?: number
	onlyLive?: boolean
	maxNoteLength?: number
}

type RedeemBase = {
	name: string
	/** What the store card shows instead of the command (the command stays the name). */
	title?: string
	info?: string
	categories: string[]
	limits: RedeemLimits
	/** List and note redeems: skip the queue (the redemption is fulfilled at once). */
	autoFulfil: boolean
}
export type PricedRedeem = RedeemBase & { type: 'list' | 'note' | 'counter'; price: number }
export type MilestoneRedeem = RedeemBase & { type: 'milestone'; goal: number }
export type Redeem = PricedRedeem | MilestoneRedeem

/** A redeem without categories is always active; otherwise one of its categories must be switched on. */
export function isRedeemActive(redeem: Redeem, activeCategories: readonly string[]): boolean {
	if (redeem.categories.length === 0) return true
	const active = new Set(activeCategories.map((c) => c.toLowerCase()))
	return redeem.categories.some((c) => active.has(c.toLowerCase()))
}

/** Redeem names are chat commands, and commands compare case-insensitively. */
export function findRedeem(redeems: readonly Redeem[], name: string): Redeem | undefined {
	const wanted = name.toLowerCase()
	return redeems.find((r) => r.name.toLowerCase() === wanted)
}

/** Every category some redeem is in, each once, in the order redeems.toml first names it. */
export const redeemCategories = (redeems: readonly Redeem[]): string[] => [...new Set(redeems.flatMap((r) => r.categories))]

/** The category as redeems.toml spells it; categories, like commands, compare case-insensitively. */
export function findCategory(redeems: readonly Redeem[], name: string): string | undefined {
	const wanted = name.toLowerCase()
	return redeemCategories(redeems).find((c) => c.toLowerCase() === wanted)
}

export const counterNames = (redeems: readonly Redeem[]) =>
	redeems.filter((r) => r.type === 'counter').map((r) => r.name)

export const milestoneGoals = (redeems: readonly Redeem[]) =>
	redeems.filter((r): r is MilestoneRedeem => r.type === 'milestone').map((r) => ({ name: r.name, goal: r.goal }))

/**
 * Rows named after redeems (counters, milestones), in the order redeems.toml lists them: streamers order the
 * file on purpose. Rows without a redeem come last, by name.
 */
export function inFileOrder<T extends { name: string }>(rows: readonly T[], redeems: readonly Redeem[]): T[] {
	const position = new Map(redeems.map((r, i) => [r.name.toLowerCase(), i]))
	const at = (row: T) => position.get(row.name.toLowerCase()) ?? Number.MAX_SAFE_INTEGER
	return [...rows].sort((a, b) => at(a) - at(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}
