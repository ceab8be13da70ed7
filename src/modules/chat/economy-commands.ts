// The economy's chat commands: !give, !top and !hide (and, from their modules, predictions and polls). Plain logic
// over narrow services returning replies: no HTTP, no SQL.
import type { CommandId, CommandTable } from '../commands/registry.ts'
import type { Giving } from '../economy/give.ts'
import type { Leaderboard } from '../economy/leaderboard.ts'
import { points } from '../messages/messages.ts'
import { handlePollCommand, handleVoteCommand } from '../polls/commands.ts'
import { handleBetCommand, handlePredictCommand } from '../predictions/commands.ts'
import type { Predictions } from '../predictions/service.ts'
import type { Polls } from '../polls/service.ts'
import { parseAmount } from './commands.ts'
import type { Reply, Say } from './reply.ts'

export type EconomyDeps = {
	giving: Pick<Giving, 'give'>
	leaderboard: Pick<Leaderboard, 'top' | 'toggleHidden'>
	polls: Pick<Polls, 'open' | 'close' | 'vote'>
	predictions: Pick<Predictions, 'open' | 'lock' | 'resolve' | 'cancel' | 'bet'>
}

export type EconomyContext = {
	viewerId: string
	/** "Name (id)", for the audit log of moderator actions. */
	actor: string
	say: Say
	now: number
	commands: CommandTable
	prefix: string
}

/** Replies for an economy command, or undefined when the command is not one of these. */
export function handleEconomyCommand(deps: EconomyDeps, ctx: EconomyContext, id: CommandId, args: string): Reply[] | undefined {
	const { say, now, viewerId } = ctx
	const names = { give: ctx.commands.nameOf('give') ?? 'give', hide: ctx.commands.nameOf('hide') ?? 'hide' }
	const usage = () => [say('mod_usage', { usage: ctx.commands.usage(id, ctx.prefix) })]
	const betCommand = ctx.commands.nameOf('bet') ?? 'bet'
	switch (id) {
		case 'predict':
			return handlePredictCommand({ predictions: deps.predictions, say, now, actor: ctx.actor, betCommand }, args) ?? usage()
		case 'bet':
			return handleBetCommand({ predictions: deps.predictions, say, now, viewerId, betCommand }, args)
		case 'poll':
			return handlePollCommand({ polls: deps.polls, say, now, actor: ctx.actor, voteCommand: ctx.commands.nameOf('vote') ?? 'vote' }, args) ?? usage()
		case 'vote':
			return handleVoteCommand({ polls: deps.polls, say, now, viewerId, voteCommand: ctx.commands.nameOf('vote') ?? 'vote' }, args)
		case 'give': {
			// The name may contain spaces (Owncast display names do), quoted or not; the amount is the last word.
			const match = /^"@?([^"]+)"\s+(\S+)$/.exec(args) ?? /^@?(.+?)\s+(\S+)$/.exec(args)
			const amount = match?.[2] ? parseAmount(match[2]) : undefined
			if (!match?.[1] || amount === undefined) return [say('give_usage', names)]
			const viewer = match[1].trim()
			const result = deps.giving.give(viewerId, viewer, amount, now)
			if (result.ok) return [say('give_done', { viewer: result.to.displayName, amount: points(amount), balance: points(result.balance) }, 'public')]
			switch (result.reason) {
				case 'self':
					return [say('give_self')]
				case 'bot':
					return [say('give_bot')]
				case 'no_viewer':
					return [say('give_no_viewer', { viewer })]
				case 'ambiguous':
					return [say('give_ambiguous', { viewer })]
				case 'not_enough':
					return [say('give_not_enough', { amount: points(amount), balance: points(result.balance) })]
				case 'daily_limit':
					return [say('give_daily_limit', { limit: points(result.limit), left: points(result.left) })]
				case 'not_earned':
					return [say('give_not_earned', { needed: points(result.needed), earned: points(result.earned) })]
			}
			return []
		}
		case 'top': {
			const { top, rank, balance } = deps.leaderboard.top(viewerId, now)
			if (top.length === 0) return [say('top_empty')]
			const list = top.map((v, i) => `${i + 1}. ${v.displayName} (${v.balance})`).join(', ')
			const mine = rank === undefined ? say('top_unranked', names).text : say('top_rank', { rank, balance: points(balance) }).text
			return [say('top', { list, rank: mine })]
		}
		case 'hide':
			return [say(deps.leaderboard.toggleHidden(viewerId) ? 'hidden' : 'shown', names)]
		default:
			return undefined
	}
}
