// What the bot does with one chat message. Plain logic over stores: no HTTP, no SQL.
import type { ModerationRepo } from '../moderation/repo.ts'
import type { PointsRepo } from '../points/repo.ts'
import { checkLimits, type Refusal } from '../redeems/limits.ts'
import { findRedeem, isRedeemActive, type Redeem } from '../redeems/model.ts'
import { parseAmount, parseCommand } from './commands.ts'
import { MAX_NOTE_LENGTH, points, type MessageKey, type Messages, type Params } from './messages.ts'
import { handleModeratorCommand, MODERATOR_COMMANDS } from './moderation.ts'
import { commandText, noteText } from './text.ts'

export type ChatStore = Pick<
	PointsRepo,
	'touchViewer' | 'viewer' | 'renameViewer' | 'spendOnQueue' | 'spendOnCounter' | 'donateToMilestone' | 'usage' | 'isLive'
>

export type ChatSettings = {
	prefix: string
	passive: boolean
	listRedeems: boolean
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

/** A reply for the viewer who wrote (may go privately) or for everyone in chat. */
export type Reply = { text: string; to: 'viewer' | 'public' }

export type ChatDeps = {
	settings: ChatSettings
	redeems: readonly Redeem[]
	/** Categories switched on now (config.toml, or what moderators set in chat); read only when needed. */
	readonly activeCategories: readonly string[]
	store: ChatStore
	moderation: ModerationRepo
	messages: Messages
	now: number
	/** Per-viewer rate limit for commands; false means ignore this one silently. */
	allowCommand?: (viewerId: string) => boolean
}

const BUILT_IN = new Set(['help', 'points', 'name_update'])

/** Handles one chat message and returns the replies to send, in order (none in passive mode). */
export function handleChatMessage(deps: ChatDeps, message: ChatMessage): Reply[] {
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
	const isModeratorCommand = MODERATOR_COMMANDS.has(command.name)
	// Unknown commands get no reply at all, so other bots' commands cause no spam; nor do moderator commands
	// from viewers who are not moderators.
	if (!redeem && !BUILT_IN.has(command.name) && !(isModeratorCommand && user.isModerator)) return []
	if (deps.allowCommand && !deps.allowCommand(user.id)) return []
	const name = user.displayName
	const say = (key: MessageKey, params: Params = {}, to: Reply['to'] = 'viewer'): Reply => ({
		text: deps.messages.text(key, { name, prefix: settings.prefix, ...params }),
		to
	})

	if (isModeratorCommand) {
		return handleModeratorCommand(
			{ moderation: deps.moderation, redeems: deps.redeems, activeCategories: deps.activeCategories, now, say },
			{ id: user.id, name },
			command
		)
	}

	switch (command.name) {
		case 'help': {
			const activeRedeems = settings.listRedeems
				? deps.redeems.filter((r) => isRedeemActive(r, deps.activeCategories))
				: undefined
			const text = deps.messages.help({
				prefix: settings.prefix,
				cycleSeconds: settings.cycleSeconds,
				amount: settings.amount,
				dashboardUrl: settings.dashboardUrl,
				activeRedeems
			})
			return [{ text, to: 'viewer' }]
		}
		case 'points':
			return [say('balance', { balance: points(store.viewer(user.id)?.balance ?? 0) })]
		case 'name_update':
			store.renameViewer(user.id, name)
			return [say('name_updated')]
	}

	if (!redeem) return []
	const base = { redeem: redeem.name }
	if (!isRedeemActive(redeem, deps.activeCategories)) return [say('inactive', base)]
	const guard = (): Refusal | undefined =>
		checkLimits(redeem, { ...store.usage(redeem.name, user.id, redeem.limits), live: redeem.limits.onlyLive ? store.isLive() : true }, now)
	const options = { guard, consumesStock: redeem.limits.stock !== undefined }
	const refused = (refusal: Refusal) => [say(refusal.key, refusal.params)]

	switch (redeem.type) {
		case 'list':
		case 'note': {
			let note: string | null = null
			if (redeem.type === 'note') {
				note = noteAfterCommand(source, isRenderedHtml)
				if (!note) return [say('note_missing', base)]
				const length = [...note].length
				const limit = redeem.limits.maxNoteLength ?? MAX_NOTE_LENGTH
				if (length > limit) return [say('note_too_long', { length, limit })]
			}
			const result = store.spendOnQueue(
				{ viewerId: user.id, redeem: redeem.name, type: redeem.type, price: redeem.price, note, autoFulfil: redeem.autoFulfil },
				now,
				options
			)
			if (!result.ok) {
				if (result.reason === 'refused') return refused(result.refusal)
				return [say('not_enough_points', { ...base, price: points(redeem.price), balance: points(result.balance) })]
			}
			const balance = points(result.balance)
			// A successful redeem is announced publicly, once.
			if (redeem.autoFulfil) return [say('fulfilled', { ...base, balance }, 'public')]
			return [say('queued', { ...base, id: result.redemptionId, balance }, 'public')]
		}
		case 'counter': {
			const result = store.spendOnCounter({ viewerId: user.id, redeem: redeem.name, price: redeem.price }, now, options)
			if (!result.ok) {
				if (result.reason === 'refused') return refused(result.refusal)
				return [say('not_enough_points', { ...base, price: points(redeem.price), balance: points(result.balance) })]
			}
			return [say('counted', { ...base, count: result.count, balance: points(result.balance) }, 'public')]
		}
		case 'milestone': {
			const amount = parseAmount(command.args.split(' ')[0] ?? '')
			if (amount === undefined) return [say('amount_invalid', base)]
			const result = store.donateToMilestone({ viewerId: user.id, milestone: redeem.name, amount }, now, options)
			if (!result.ok) {
				if (result.reason === 'refused') return refused(result.refusal)
				if (result.reason === 'insufficient_points') {
					return [say('not_enough_for_donation', { amount: points(amount), balance: points(result.balance) })]
				}
				// A milestone the database lacks is treated like a complete one: nothing is charged.
				return [say('milestone_complete', base)]
			}
			const progress = { ...base, amount: points(result.charged), progress: result.progress, goal: result.goal }
			const replies = [say(result.charged < amount ? 'donated_capped' : 'donated', progress, 'public')]
			if (result.completed) replies.push(say('milestone_reached', { ...base, goal: points(result.goal) }, 'public'))
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
