// The chat side of predictions: !predict for moderators (open, lock, resolve, cancel) and !bet for everyone. Pure
// functions over the predictions service: they parse the arguments, call it, and say what happened with the
// prediction_* messages (announcements go to everyone, refusals to the viewer who wrote).
import { parseAmount } from '../chat/commands.ts'
import type { Reply, Say } from '../chat/reply.ts'
import { describeWait, points } from '../messages/messages.ts'
import type { OutcomeView, Predictions } from './service.ts'

export type PredictCommandDeps = {
	predictions: Pick<Predictions, 'open' | 'lock' | 'resolve' | 'cancel'>
	say: Say
	now: number
	/** Who does it, for the audit log ("Name (id)"). */
	actor: string
	/** The name of the !bet command, for the messages that tell viewers how to bet. */
	betCommand: string
}

export type BetCommandDeps = {
	predictions: Pick<Predictions, 'bet'>
	say: Say
	now: number
	viewerId: string
	betCommand: string
}

/** "1. yes, 2. no" */
export const listOutcomes = (outcomes: readonly (string | { name: string })[]) =>
	outcomes.map((o, i) => `${i + 1}. ${typeof o === 'string' ? o : o.name}`).join(', ')
/** "yes 300, no 100" */
export const listPools = (outcomes: readonly OutcomeView[]) => outcomes.map((o) => `${o.name} ${o.pool}`).join(', ')

/** Parses "[seconds] <question> | <outcome> | <outcome>...": undefined when it is not that shape. */
export function parseOpening(text: string): { question: string; outcomes: string[]; windowSeconds?: number } | undefined {
	const parts = text.split('|').map((p) => p.trim())
	if (parts.length < 3) return undefined
	let question = parts[0] as string
	let windowSeconds: number | undefined
	const first = /^([0-9]+)\s+([\s\S]+)$/.exec(question)
	if (first?.[1] && first[2]) {
		windowSeconds = Number(first[1])
		question = first[2].trim()
	}
	const outcomes = parts.slice(1)
	if (!question || outcomes.some((o) => !o)) return undefined
	return windowSeconds === undefined ? { question, outcomes } : { question, outcomes, windowSeconds }
}

/**
 * !predict open [seconds] <question> | <outcome> | <outcome>..., lock, resolve <outcome>, cancel. Undefined when
 * the arguments do not fit (or the opening breaks a rule): the caller answers with the command's usage.
 */
export function handlePredictCommand(deps: PredictCommandDeps, args: string): Reply[] | undefined {
	const { predictions, say, now, actor } = deps
	const text = args.trim()
	const space = text.search(/\s/)
	const verb = (space < 0 ? text : text.slice(0, space)).toLowerCase()
	const rest = space < 0 ? '' : text.slice(space).trim()

	if (verb === 'open') {
		const opening = parseOpening(rest)
		if (!opening) return undefined
		const result = predictions.open(opening, actor, now)
		if (!result.ok) {
			if (result.reason === 'already_open') return [say('prediction_already_open', { question: result.current.question })]
			// Which rule the opening broke (2 to 10 outcomes, lengths, the window), in words.
			return [say('prediction_invalid', { problem: result.problem })]
		}
		const p = result.prediction
		// Messages come back trimmed: the space before the window's sentence is put back here.
		const windowText = opening.windowSeconds === undefined ? '' : say('prediction_window', { wait: describeWait(opening.windowSeconds) }).text
		const window = windowText ? ` ${windowText}` : ''
		return [say('prediction_opened', { question: p.question, outcomes: listOutcomes(p.outcomes), window, bet: deps.betCommand }, 'public')]
	}
	if (verb === 'lock') {
		if (rest) return undefined
		const result = predictions.lock(actor, now)
		if (!result.ok) {
			if (result.reason === 'none') return [say('prediction_mod_none')]
			// Already locked: tell the moderator how it stands, without announcing it again.
			return [say('prediction_locked', { question: result.prediction.question, pools: listPools(result.prediction.outcomes) })]
		}
		return [say('prediction_locked', { question: result.prediction.question, pools: listPools(result.prediction.outcomes) }, 'public')]
	}
	if (verb === 'resolve') {
		if (!rest) return undefined
		const result = predictions.resolve(rest, actor, now)
		if (!result.ok) {
			if (result.reason === 'none') return [say('prediction_mod_none')]
			return [say('prediction_unknown_outcome', { outcomes: listOutcomes(result.prediction.outcomes) })]
		}
		const question = result.prediction.question
		if (result.refunded) return [say('prediction_resolved_nobody', { question, outcome: result.outcome }, 'public')]
		return [say('prediction_resolved', { question, outcome: result.outcome, winners: result.winners, pool: points(result.pool) }, 'public')]
	}
	if (verb === 'cancel') {
		if (rest) return undefined
		const result = predictions.cancel(actor, now)
		if (!result.ok) return [say('prediction_mod_none')]
		return [say('prediction_cancelled', { question: result.prediction.question }, 'public')]
	}
	return undefined
}

/** !bet <outcome or number> <points>: the outcome may contain spaces, the amount is the last word. */
export function handleBetCommand(deps: BetCommandDeps, args: string): Reply[] {
	const { predictions, say, now } = deps
	const match = /^(.+?)\s+(\S+)$/.exec(args.trim())
	const amount = match?.[2] === undefined ? undefined : parseAmount(match[2])
	if (!match?.[1] || amount === undefined) return [say('prediction_bet_usage', { bet: deps.betCommand })]
	const result = predictions.bet(deps.viewerId, match[1], amount, now)
	if (result.ok) {
		return [say('prediction_bet', { amount: points(result.amount), outcome: result.outcome, total: points(result.total), balance: points(result.balance) })]
	}
	switch (result.reason) {
		case 'none':
			return [say('prediction_none')]
		case 'closed':
			return [say('prediction_closed')]
		case 'unknown_outcome':
			return [say('prediction_unknown_outcome', { outcomes: listOutcomes(result.prediction.outcomes) })]
		case 'other_outcome':
			return [say('prediction_other_outcome', { outcome: result.outcome })]
		case 'not_enough':
			return [say('prediction_not_enough', { balance: points(result.balance), amount: points(result.amount) })]
	}
}
