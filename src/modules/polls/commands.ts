// The chat side of polls: a moderator's !poll (open, close) and a viewer's !vote. Plain functions from the
// command's arguments to replies; the polls service does the work.
import { parseAmount } from '../chat/commands.ts'
import type { Reply, Say } from '../chat/reply.ts'
import { points } from '../messages/messages.ts'
import type { PollResult, Polls } from './service.ts'

export type PollCommandDeps = {
	polls: Pick<Polls, 'open' | 'close'>
	say: Say
	now: number
	/** Who is acting, for the audit log ("Name (id)"). */
	actor: string
	/** The word !vote answers to now (it can be renamed), without the prefix. */
	voteCommand: string
}

export type VoteCommandDeps = {
	polls: Pick<Polls, 'vote'>
	say: Say
	now: number
	viewerId: string
	/** The word !vote answers to now, without the prefix. */
	voteCommand: string
}

/** "1. pizza, 2. soup". */
export const numberedOptions = (options: readonly string[]) => options.map((option, i) => `${i + 1}. ${option}`).join(', ')

/** "pizza 150, soup 50": most points first (ties in the poll's order). */
export const resultsText = (results: readonly PollResult[]) =>
	[...results]
		.sort((a, b) => b.points - a.points)
		.map((r) => `${r.option} ${r.points}`)
		.join(', ')

/**
 * `open <name> <question> | <option> | <option>...` or `close <name>`. Undefined when the arguments do not fit
 * either (the caller answers with the command's usage).
 */
export function handlePollCommand(deps: PollCommandDeps, args: string): Reply[] | undefined {
	const { polls, say, now } = deps
	const open = /^open\s+(\S+)\s+([\s\S]+)$/i.exec(args.trim())
	if (open?.[1] && open[2]) {
		const [question = '', ...options] = open[2].split('|').map((part) => part.trim())
		if (!question || options.length === 0) return undefined
		const result = polls.open(open[1], question, options, deps.actor, now)
		if (result.ok) {
			return [
				say('poll_opened', { poll: result.poll, question: result.question, options: numberedOptions(result.options), vote: deps.voteCommand }, 'public')
			]
		}
		if (result.reason === 'already_open') return [say('poll_already_open', { poll: result.poll })]
		// No message of its own says what is wrong with a poll: the usage message carries the problem.
		return [say('poll_invalid', { problem: result.problem })]
	}
	const close = /^close\s+(\S+)$/i.exec(args.trim())
	if (close?.[1]) {
		const result = polls.close(close[1], deps.actor, now)
		if (!result.ok) return [say('poll_unknown', { poll: result.poll })]
		return [say('poll_closed', { poll: result.poll, question: result.question, results: resultsText(result.results) }, 'public')]
	}
	return undefined
}

/** `<poll> <option...> <points>`: the poll is the first word, the points the last, the option what is between. */
export function handleVoteCommand(deps: VoteCommandDeps, args: string): Reply[] {
	const { say } = deps
	const usage = () => [say('poll_vote_usage', { vote: deps.voteCommand })]
	const words = args.trim().split(/\s+/)
	if (words.length < 3) return usage()
	const pollName = words[0] as string
	const amount = parseAmount(words[words.length - 1] as string)
	if (amount === undefined) return usage()
	const option = words.slice(1, -1).join(' ')
	const result = deps.polls.vote(deps.viewerId, pollName, option, amount, deps.now)
	if (result.ok) {
		return [say('poll_vote', { poll: result.poll, option: result.option, amount: points(result.amount), balance: points(result.balance) })]
	}
	switch (result.reason) {
		case 'unknown_poll':
			return [say('poll_unknown', { poll: result.poll })]
		case 'unknown_option':
			return [say('poll_unknown_option', { poll: result.poll, option: result.option, options: numberedOptions(result.options) })]
		case 'not_enough':
			return [say('poll_not_enough', { balance: points(result.balance), amount: points(result.amount) })]
		case 'invalid_amount':
			return usage()
	}
}
