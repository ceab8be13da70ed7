// What the bot does with one chat message. Plain logic over a store: no HTTP, no SQL.
import type { PointsRepo } from '../points/repo.ts'
import { findRedeem, isRedeemActive, type Redeem } from '../redeems/model.ts'
import { parseAmount, parseCommand } from './commands.ts'
import { MAX_NOTE_LENGTH, messages } from './messages.ts'
import { commandText, noteText } from './text.ts'

export type ChatStore = Pick<
	PointsRepo,
	'touchViewer' | 'viewer' | 'renameViewer' | 'spendOnQueue' | 'spendOnCounter' | 'donateToMilestone'
>

export type ChatSettings = {
	prefix: string
	passive: boolean
	listRedeems: boolean
	activeCategories: readonly string[]
	cycleSeconds: number
	amount: number
	dashboardUrl: string | undefined
}

export type ChatMessage = {
	user: { id: string; displayName: string; isBot: boolean; isModerator: boolean }
	/** What the viewer sent (rawBody), when Owncast gave it. */
	rawBody: string | undefined
	/** Owncast's rendered HTML body, the fallback. */
	body: string | undefined
}

export type ChatDeps = {
	settings: ChatSettings
	redeems: readonly Redeem[]
	store: ChatStore
	now: number
	/** Per-viewer rate limit for commands; false means ignore this one silently. */
	allowCommand?: (viewerId: string) => boolean
}

const BUILT_IN = new Set(['help', 'points', 'name_update'])

/** Handles one chat message and returns the chat replies to send, in order (none in passive mode). */
export function handleChatMessage(deps: ChatDeps, message: ChatMessage): string[] {
	const { user } = message
	// Bots (Owncast integrations and plugins) never earn and never redeem.
	if (user.isBot) return []
	const { settings, store, now } = deps
	store.touchViewer({ id: user.id, displayName: user.displayName, isModerator: user.isModerator }, now)
	if (settings.passive) return []

	const source = message.rawBody ?? message.body ?? ''
	const isRenderedHtml = message.rawBody === undefined
	const command = parseCommand(commandText(source), settings.prefix)
	if (!command) return []
	const redeem = findRedeem(deps.redeems, command.name)
	// Unknown commands get no reply at all, so other bots' commands cause no spam.
	if (!redeem && !BUILT_IN.has(command.name)) return []
	if (deps.allowCommand && !deps.allowCommand(user.id)) return []
	const name = user.displayName

	switch (command.name) {
		case 'help': {
			const activeRedeems = settings.listRedeems
				? deps.redeems.filter((r) => isRedeemActive(r, settings.activeCategories))
				: undefined
			return [
				messages.help({
					prefix: settings.prefix,
					cycleSeconds: settings.cycleSeconds,
					amount: settings.amount,
					dashboardUrl: settings.dashboardUrl,
					activeRedeems
				})
			]
		}
		case 'points':
			return [messages.balance(name, store.viewer(user.id)?.balance ?? 0)]
		case 'name_update':
			store.renameViewer(user.id, name)
			return [messages.nameUpdated(name)]
	}

	if (!redeem) return []
	if (!isRedeemActive(redeem, settings.activeCategories)) return [messages.inactive(name, redeem.name)]

	switch (redeem.type) {
		case 'list':
		case 'note': {
			let note: string | null = null
			if (redeem.type === 'note') {
				note = noteAfterCommand(source, isRenderedHtml)
				if (!note) return [messages.noteMissing(name, settings.prefix, redeem.name)]
				const length = [...note].length
				if (length > MAX_NOTE_LENGTH) return [messages.noteTooLong(name, length)]
			}
			const result = store.spendOnQueue(
				{ viewerId: user.id, redeem: redeem.name, type: redeem.type, price: redeem.price, note },
				now
			)
			if (!result.ok) return [messages.notEnoughPoints(name, redeem.name, redeem.price, result.balance)]
			return [messages.queued(name, redeem.name, result.balance)]
		}
		case 'counter': {
			const result = store.spendOnCounter({ viewerId: user.id, redeem: redeem.name, price: redeem.price }, now)
			if (!result.ok) return [messages.notEnoughPoints(name, redeem.name, redeem.price, result.balance)]
			return [messages.counted(name, redeem.name, result.count, result.balance)]
		}
		case 'milestone': {
			const amount = parseAmount(command.args.split(' ')[0] ?? '')
			if (amount === undefined) return [messages.amountInvalid(name, settings.prefix, redeem.name)]
			const result = store.donateToMilestone({ viewerId: user.id, milestone: redeem.name, amount }, now)
			if (!result.ok) {
				if (result.reason === 'insufficient_points') return [messages.notEnoughForDonation(name, amount, result.balance)]
				// A milestone the database lacks is treated like a complete one: nothing is charged.
				return [messages.milestoneComplete(name, redeem.name)]
			}
			const replies = [
				messages.donated(name, redeem.name, result.charged, result.progress, result.goal, result.charged < amount)
			]
			if (result.completed) replies.push(messages.milestoneReached(redeem.name, result.goal))
			return replies
		}
	}
}

/** The note: what follows the command word, with only Owncast's own markup removed. */
function noteAfterCommand(source: string, isRenderedHtml: boolean): string {
	const text = noteText(source, isRenderedHtml)
	const space = text.search(/\s/)
	return space === -1 ? '' : text.slice(space + 1).trim()
}
