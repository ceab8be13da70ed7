// Every chat message tlapbot sends, in one place.
import type { Redeem } from '../redeems/model.ts'

export const MAX_NOTE_LENGTH = 500

const points = (n: number) => `${n} ${n === 1 ? 'point' : 'points'}`

/** 600 → "10 minutes", 90 → "90 seconds", 3600 → "hour", 7200 → "2 hours". */
export function describeInterval(seconds: number): string {
	const unit = (n: number, word: string) => (n === 1 ? word : `${n} ${word}s`)
	if (seconds % 3600 === 0) return unit(seconds / 3600, 'hour')
	if (seconds % 60 === 0) return unit(seconds / 60, 'minute')
	return unit(seconds, 'second')
}

function describeRedeem(redeem: Redeem, prefix: string): string {
	switch (redeem.type) {
		case 'milestone':
			return `${prefix}${redeem.name} <points> (milestone, goal ${redeem.goal})`
		case 'note':
			return `${prefix}${redeem.name} <note> (${points(redeem.price)}, note)`
		default:
			return `${prefix}${redeem.name} (${points(redeem.price)}, ${redeem.type})`
	}
}

export type HelpFacts = {
	prefix: string
	cycleSeconds: number
	amount: number
	dashboardUrl: string | undefined
	/** Only when list_redeems is on. */
	activeRedeems: Redeem[] | undefined
}

export const messages = {
	help(f: HelpFacts): string {
		const p = f.prefix
		const earn = `Tlapbot gives everyone in chat ${points(f.amount)} every ${describeInterval(f.cycleSeconds)} while the stream is live.`
		const spend = `Spend them on redeems: ${p}<redeem>. Commands: ${p}help, ${p}points, ${p}name_update.`
		const where = f.dashboardUrl
			? `Redeems, prices and your balance: ${f.dashboardUrl}`
			: 'Redeems, prices and your balance are on the Redeems dashboard (the button on the stream page).'
		const list = f.activeRedeems
			? ` Redeems: ${f.activeRedeems.length ? f.activeRedeems.map((r) => describeRedeem(r, p)).join(', ') : 'none right now'}.`
			: ''
		return `${earn} ${spend} ${where}${list}`
	},
	balance: (name: string, balance: number) => `@${name}, you have ${points(balance)}.`,
	nameUpdated: (name: string) => `@${name}, your name on the dashboard is now ${name}.`,
	notEnoughPoints: (name: string, redeem: string, price: number, balance: number) =>
		`@${name}, ${redeem} costs ${points(price)} and you have ${points(balance)}.`,
	inactive: (name: string, redeem: string) => `@${name}, ${redeem} is not active right now.`,
	queued: (name: string, redeem: string, balance: number) => `@${name} redeemed ${redeem}! ${points(balance)} left.`,
	noteMissing: (name: string, prefix: string, redeem: string) =>
		`@${name}, ${redeem} needs a note: ${prefix}${redeem} <your message>. Nothing was charged.`,
	noteTooLong: (name: string, length: number) =>
		`@${name}, that note is ${length} characters; the limit is ${MAX_NOTE_LENGTH}. Nothing was charged.`,
	counted: (name: string, redeem: string, count: number, balance: number) =>
		`@${name} redeemed ${redeem}! It is at ${count} now. ${points(balance)} left.`,
	amountInvalid: (name: string, prefix: string, redeem: string) =>
		`@${name}, say how many points to donate, as a whole number above 0: ${prefix}${redeem} 50. Nothing was charged.`,
	milestoneComplete: (name: string, redeem: string) =>
		`@${name}, the ${redeem} milestone is already complete. It takes donations again once it is reset.`,
	donated: (name: string, redeem: string, charged: number, progress: number, goal: number, capped: boolean) =>
		`@${name} donated ${points(charged)} to ${redeem}${capped ? ' (just what it needed)' : ''}: ${progress}/${goal}.`,
	milestoneReached: (redeem: string, goal: number) =>
		`The ${redeem} milestone reached its goal of ${points(goal)}! Thank you, everyone!`,
	notEnoughForDonation: (name: string, amount: number, balance: number) =>
		`@${name}, you can't donate ${points(amount)}: you have ${points(balance)}.`
}
