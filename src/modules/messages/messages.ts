// Every chat message tlapbot sends, in one place, as templates with {placeholders}. Streamers can override any
// of them in config.toml's [messages] table; the placeholders each message offers are listed with it.

export const MAX_NOTE_LENGTH = 500

/** What !help says of a redeem (a Redeem from redeems/model.ts fits; messages sit below the redeems module). */
export type ListedRedeem = { name: string } & ({ type: 'milestone'; goal: number } | { type: 'list' | 'note' | 'counter'; price: number })

/** "1 point", "10 points". */
export const points = (n: number) => `${n} ${n === 1 ? 'point' : 'points'}`

/** 600 → "10 minutes", 90 → "90 seconds", 3600 → "hour", 7200 → "2 hours". */
export function describeInterval(seconds: number): string {
	const unit = (n: number, word: string) => (n === 1 ? word : `${n} ${word}s`)
	if (seconds % 3600 === 0) return unit(seconds / 3600, 'hour')
	if (seconds % 60 === 0) return unit(seconds / 60, 'minute')
	return unit(seconds, 'second')
}

/** A wait for people: "45 seconds", "3 minutes", "2 hours". */
export function describeWait(seconds: number): string {
	const s = Math.max(1, Math.ceil(seconds))
	if (s < 90) return `${s} ${s === 1 ? 'second' : 'seconds'}`
	if (s < 5400) return `${Math.ceil(s / 60)} minutes`
	return `${Math.ceil(s / 3600)} hours`
}

export const DEFAULT_MESSAGES = {
	help: '{earn} {spend} {where}{list}',
	help_earn: 'Tlapbot gives everyone in chat {amount} every {interval} while the stream is live.',
	help_spend: 'Spend them on redeems: {prefix}<redeem>. Commands: {commands}.',
	help_where_url: 'Redeems, prices and your balance: {url}',
	help_where: 'Redeems, prices and your balance are on the Redeems dashboard (the button on the stream page).',
	help_list: ' Redeems: {redeems}.',
	balance: '@{name}, you have {balance}.',
	name_updated: '@{name}, your name on the dashboard is now {name}.',
	not_enough_points: '@{name}, {redeem} costs {price} and you have {balance}.',
	inactive: '@{name}, {redeem} is not active right now.',
	paused: '@{name}, {redeem} is paused right now.',
	queued: '@{name} redeemed {redeem} (#{id})! {balance} left.',
	fulfilled: '@{name} redeemed {redeem}! {balance} left.',
	note_missing: '@{name}, {redeem} needs a note: {prefix}{redeem} <your message>. Nothing was charged.',
	note_too_long: '@{name}, that note is {length} characters; the limit is {limit}. Nothing was charged.',
	counted: '@{name} redeemed {redeem}! It is at {count} now. {balance} left.',
	amount_invalid: '@{name}, say how many points to donate, as a whole number above 0: {prefix}{redeem} 50. Nothing was charged.',
	milestone_complete: '@{name}, the {redeem} milestone is already complete. It takes donations again once it is reset.',
	donated: '@{name} donated {amount} to {redeem}: {progress}/{goal}.',
	donated_capped: '@{name} donated {amount} to {redeem} (just what it needed): {progress}/{goal}.',
	milestone_reached: 'The {redeem} milestone reached its goal of {goal}! Thank you, everyone!',
	not_enough_for_donation: "@{name}, you can't donate {amount}: you have {balance}.",
	cooldown: '@{name}, {redeem} is cooling down. Try again in {wait}.',
	user_cooldown: '@{name}, you can use {redeem} again in {wait}.',
	stream_limit: '@{name}, {redeem} has been used {limit} times this stream, its limit. Try again next stream.',
	user_stream_limit: '@{name}, you have used {redeem} {limit} times this stream, your limit. Try again next stream.',
	out_of_stock: '@{name}, {redeem} is sold out until the streamer restocks it.',
	only_live: '@{name}, {redeem} only works while the stream is live.',
	mod_done: 'Redemption #{id} ({redeem} by {viewer}) is done.',
	mod_rejected: '@{viewer}, your {redeem} (#{id}) was rejected{reason}. {refund} refunded.',
	mod_refunded: '@{viewer}, your {redeem} (#{id}) was refunded: {refund}.',
	mod_not_found: '@{name}, there is no redemption #{id}.',
	mod_wrong_status: '@{name}, redemption #{id} is {status} already.',
	mod_points_changed: '@{name}: {viewer} now has {balance}.',
	mod_no_viewer: '@{name}, nobody called {viewer} has been seen in chat.',
	mod_ambiguous: '@{name}, several viewers are called {viewer}; use the admin page to pick one.',
	mod_not_enough: '@{name}, {viewer} has only {balance}.',
	mod_usage: '@{name}, usage: {usage}',
	mod_redeem_paused: 'Redeem {redeem} is paused.',
	mod_redeem_resumed: 'Redeem {redeem} is back.',
	mod_redeem_restocked: 'Redeem {redeem} is restocked.',
	mod_unknown_redeem: '@{name}, there is no redeem called {redeem}.',
	link_signed_in: '@{name}, a browser was signed in as you; sign out everywhere from the Redeems tab if that was not you.',
	link_admin_signed_in: '@{name}, the admin page is signed in as you, a moderator; if that was not you, tell the streamer.',
	link_admin_refused: '@{name}, only moderators can sign in to the admin page with a code.',
	link_invalid: '@{name}, that sign-in code is not valid or has expired: press "Sign in" on the Redeems tab for a new one.',
	store_link: 'Your personal link to redeem on the dashboard (it works once, for 10 minutes; do not share it): {url}',
	store_link_unavailable: '@{name}, I cannot send you a private link here: open the Redeems tab and press "Sign in" instead.',
	mod_unknown_category: '@{name}, no redeem is in the category {category}; the categories are: {categories}.',
	mod_category_on: 'Category {category} is on.',
	mod_category_off: 'Category {category} is off.',
	mod_milestone_reset: 'The {redeem} milestone starts again from 0!',
	mod_milestone_not_complete: '@{name}, the {redeem} milestone is not complete ({progress}/{goal}); only a completed one can be reset from chat.',
	mod_unknown_milestone: '@{name}, there is no milestone called {redeem}.',
	// Predictions
	prediction_opened: 'Prediction: {question} Bet with {prefix}{bet} <outcome> <points>: {outcomes}.{window}',
	prediction_window: ' Betting closes in {wait}.',
	prediction_locked: 'Betting is closed: {question} Pools: {pools}.',
	prediction_resolved: '{question} The answer is {outcome}! {winners} won {pool} between them.',
	prediction_resolved_nobody: '{question} The answer is {outcome}. Nobody bet on it, so every bet was refunded.',
	prediction_cancelled: 'The prediction "{question}" was cancelled; every bet was refunded.',
	prediction_bet: '@{name}, you bet {amount} on {outcome} (your bet: {total}). {balance} left.',
	prediction_none: '@{name}, there is no prediction to bet on right now.',
	prediction_closed: '@{name}, betting on this prediction is closed.',
	prediction_other_outcome: '@{name}, you already bet on {outcome}; one outcome per viewer.',
	prediction_unknown_outcome: '@{name}, that is not an outcome of this prediction: {outcomes}.',
	prediction_bet_usage: '@{name}, bet like this: {prefix}{bet} <outcome or number> <points>, e.g. {prefix}{bet} 1 100.',
	prediction_not_enough: '@{name}, you have {balance}, not enough to bet {amount}.',
	prediction_invalid: '@{name}, no prediction was opened: {problem}.',
	prediction_already_open: '@{name}, a prediction is already running: {question} Resolve or cancel it first.',
	prediction_mod_none: '@{name}, no prediction is running.',
	// Polls
	poll_opened: 'Poll {poll}: {question} Vote with {prefix}{vote} {poll} <option> <points>: {options}.',
	poll_closed: 'Poll {poll} is closed: {results}.',
	poll_vote: '@{name}, {amount} for {option} in {poll}. {balance} left.',
	poll_unknown: '@{name}, there is no open poll called {poll}.',
	poll_unknown_option: '@{name}, {poll} has no option {option}: {options}.',
	poll_vote_usage: '@{name}, vote like this: {prefix}{vote} <poll> <option> <points>.',
	poll_not_enough: '@{name}, you have {balance}, not enough to spend {amount}.',
	poll_already_open: '@{name}, a poll called {poll} is already open.',
	poll_invalid: '@{name}, no poll was opened: {problem}.',
	// Leaderboard
	top: 'Top by points: {list}. {rank}',
	top_rank: 'You are #{rank} with {balance}.',
	top_unranked: 'You are not on the leaderboard ({prefix}{hide} to show yourself again).',
	top_empty: 'Nobody is on the leaderboard yet.',
	hidden: '@{name}, you are off the leaderboard now; {prefix}{hide} again to be back on it.',
	shown: '@{name}, you are back on the leaderboard.',
	// Giving
	give_done: '@{name} gave {amount} to {viewer}! {balance} left.',
	give_usage: '@{name}, give like this: {prefix}{give} <viewer> <points>.',
	give_self: '@{name}, you cannot give points to yourself.',
	give_bot: '@{name}, bots do not take points.',
	give_no_viewer: '@{name}, nobody called {viewer} has been seen in chat.',
	give_ambiguous: '@{name}, several viewers are called {viewer}; ask a moderator.',
	give_not_enough: '@{name}, you have {balance}, not enough to give {amount}.',
	give_daily_limit: '@{name}, you can give {limit} a day; {left} left for now.',
	give_not_earned: '@{name}, giving opens once you have earned {needed} by being in chat (you have {earned}).'
} as const

export type MessageKey = keyof typeof DEFAULT_MESSAGES
export type MessageOverrides = Partial<Record<MessageKey, string>>
export type Params = Record<string, string | number>

/** Placeholders a template uses, e.g. ["name", "balance"]. */
export function placeholdersOf(template: string): string[] {
	return [...template.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1] as string)
}

export function fill(template: string, params: Params): string {
	return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole))
}

export type Messages = {
	text(key: MessageKey, params: Params): string
	help(f: HelpFacts): string
}

export type HelpFacts = {
	prefix: string
	/** The built-in commands everyone can use, by their current names (without the prefix). */
	commands: readonly string[]
	cycleSeconds: number
	amount: number
	dashboardUrl: string | undefined
	/** Only when list_redeems is on. */
	activeRedeems: readonly ListedRedeem[] | undefined
}

function describeRedeem(redeem: ListedRedeem, prefix: string): string {
	switch (redeem.type) {
		case 'milestone':
			return `${prefix}${redeem.name} <points> (milestone, goal ${redeem.goal})`
		case 'note':
			return `${prefix}${redeem.name} <note> (${points(redeem.price)}, note)`
		default:
			return `${prefix}${redeem.name} (${points(redeem.price)}, ${redeem.type})`
	}
}

export function createMessages(overrides: MessageOverrides = {}): Messages {
	const template = (key: MessageKey): string => overrides[key] ?? DEFAULT_MESSAGES[key]
	const text = (key: MessageKey, params: Params) => fill(template(key), params).trim()
	return {
		text,
		help(f) {
			const p = f.prefix
			const list = f.activeRedeems
				? fill(template('help_list'), {
						redeems: f.activeRedeems.length ? f.activeRedeems.map((r) => describeRedeem(r, p)).join(', ') : 'none right now'
					})
				: ''
			return text('help', {
				earn: text('help_earn', { amount: points(f.amount), interval: describeInterval(f.cycleSeconds), prefix: p }),
				spend: text('help_spend', { prefix: p, commands: f.commands.map((c) => `${p}${c}`).join(', ') }),
				where: f.dashboardUrl ? text('help_where_url', { url: f.dashboardUrl }) : text('help_where', {}),
				list
			})
		}
	}
}

/** The defaults, for code and tests that do not need overrides. */
export const messages = createMessages()
