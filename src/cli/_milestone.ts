import { findRedeem, type Redeem } from '../modules/redeems/model.ts'
import type { MilestoneRow, RedeemStore } from '../modules/redeems/store.ts'
import { list, UserError } from './_instance.ts'

export const milestoneArg = {
	name: { type: 'positional', description: 'The milestone, as named in redeems.toml', required: true }
} as const

/** The milestone row for a name, or a UserError that says what the name is instead. */
export function findMilestone(repo: RedeemStore, redeems: readonly Redeem[], name: string): MilestoneRow {
	const milestone = repo.milestone(name)
	if (milestone) return milestone
	const redeem = findRedeem(redeems, name)
	if (repo.counter(name) || redeem?.type === 'counter') {
		throw new UserError(`"${name}" is a counter, not a milestone; counters are reset by clear-queue`)
	}
	if (redeem?.type === 'milestone') {
		throw new UserError(`milestone "${redeem.name}" is not in the database yet; run \`tlapbot init-db\` first`)
	}
	if (redeem) throw new UserError(`"${redeem.name}" is a ${redeem.type} redeem, not a milestone`)
	throw new UserError(`no milestone named "${name}"; milestones: ${list(repo.milestones().map((m) => m.name))}`)
}
