// What the bot does with one chat message: find the command, check who may use it, spend or answer, and return
// the replies to send. Plain logic over narrow services: no HTTP, no SQL.
import type { CommandId } from '../commands/registry.ts'
import type { Moderation } from '../moderation/service.ts'
import { handleModeratorCommand } from './moderator-commands.ts'
import { handleEconomyCommand, type EconomyDeps } from './economy-commands.ts'
import { isIgnored } from '../economy/ignore.ts'
import type { Sightings } from '../bot/sightings.ts'
import type { LimitRefusal } from '../redeems/limits.ts'
import { findRedeem, isRedeemActive, type Redeem } from '../redeems/model.ts'
import type { Purchases } from '../redeems/purchase.ts'
import type { RedemptionSource } from '../redemptions/store.ts'
import { dashboardUrl, type Settings } from '../settings/settings.ts'
import type { Identity } from '../identity/service.ts'
import type { ViewerStore } from '../viewers/store.ts'
import { parseAmount, parseCommand } from './commands.ts'
import { describeWait, MAX_NOTE_LENGTH, points, type MessageKey, type Params } from '../messages/messages.ts'
import { sayTo, type Reply, type Say } from './reply.ts'
import { commandText, noteText } from './text.ts'

export type { Reply } from './reply.ts'

export type ChatMessage = {
	user: { id: string; displayName: string; isBot: boolean; isModerator: boolean }
	/** What the viewer sent (rawBody), when Owncast gave it. */
	rawBody: string | undefined
	/** Owncast's rendered HTML body, the fallback. */
	body: string | undefined
	/** The chat connection it came from, when the event said. */
	clientId?: number | undefined
}

export type ChatDeps = {
	settings: Settings
	/** Categories switched on now (config.toml, or what moderators set in chat); read only when needed. */
	readonly activeCategories: readonly string[]
	viewers: Pick<ViewerStore, 'touch' | 'balance' | 'rename' | 'findByName'>
	purchases: Pick<Purchases, 'queue' | 'counter' | 'donate'>
	moderation: Pick<Moderation, 'resolve' | 'adjustPoints' | 'setPaused' | 'restock' | 'setCategory' | 'resetCompletedMilestone'>
	identity: Pick<Identity, 'linkCode' | 'newLoginToken'>
	now: number
	/** When the message reached the bot (earlier than now when it was held while the database was locked). */
	receivedAt?: number
	/** Per-viewer rate limit for commands; false means ignore this one silently. */
	allowCommand?: (viewerId: string) => boolean
	/** Giving, the leaderboard, predictions and polls. */
	economy?: EconomyDeps
	/** Who chatted since the last points cycle (the earning rules' bonuses). */
	chatActivity?: { note(viewerId: string): void }
	/** Viewers seen in plain chat, written together (src/modules/bot/sightings.ts); without it, touched one by one. */
	sightings?: Pick<Sightings, 'note' | 'flush'>
}

/** Whether a message starts with the command prefix and a word: such messages may change something. */
export function isCommandMessage(prefix: string, message: Pick<ChatMessage, 'rawBody' | 'body'>): boolean {
	return parseCommand(commandText(message.rawBody ?? message.body ?? ''), prefix) !== undefined
}

/** A login link not sent within this time (a backlog, a slow Owncast) is dropped, never sent late. */
const STORE_LINK_SEND_WITHIN_MS = 30_000

/** The words for a limit that refused a redeem. */
function refusalText(refusal: LimitRefusal): { key: MessageKey; params: Params } {
	switch (refusal.code) {
		case 'stream_limit':
		case 'user_stream_limit':
			return { key: refusal.code, params: { limit: refusal.limit } }
		case 'cooldown':
		case 'user_cooldown':
			return { key: refusal.code, params: { wait: describeWait(refusal.waitSeconds) } }
		default:
			return { key: refusal.code, params: {} }
	}
}

/** Handles one chat message and returns the replies to send, in order (none in passive mode). */
export function handleChatMessage(deps: ChatDeps, message: ChatMessage): Reply[] {
	const { user } = message
	// Bots (Owncast integrations and plugins) never earn and never redeem; nor do ignore_users (other bots in chat).
	if (user.isBot) return []
	const { settings, viewers, now } = deps
	const { config, commands, messages } = settings
	if (isIgnored(config.ignore_users, user.id, user.displayName)) return []
	deps.chatActivity?.note(user.id)
	const seen = { id: user.id, displayName: user.displayName, isModerator: user.isModerator }

	const source = message.rawBody ?? message.body ?? ''
	const isRenderedHtml = message.rawBody === undefined
	const command = config.passive ? undefined : parseCommand(commandText(source), config.prefix)
	// A redeem keeps its name; a built-in with the same name is unavailable (the registry leaves it out).
	const redeem = command ? findRedeem(settings.redeems, command.name) : undefined
	const builtIn: CommandId | undefined = command && !redeem ? commands.lookup(command.name) : undefined
	// Plain chat (and unknown commands, which get no reply at all, so other bots' commands cause no spam): the
	// viewer is noted, written with the others a moment later; no database work now.
	if (!command || (!redeem && !builtIn)) {
		if (deps.sightings) deps.sightings.note(seen)
		else viewers.touch(seen, now)
		return []
	}
	// A command: viewers seen so far are written first (it may name one who just spoke), then this one.
	deps.sightings?.flush()
	viewers.touch(seen, now)
	const isModeratorCommand = builtIn !== undefined && commands.available('moderator').some((c) => c.id === builtIn)
	// Nor do moderator commands from viewers who are not moderators get a reply.
	if (isModeratorCommand && !user.isModerator) return []
	if (deps.allowCommand && !deps.allowCommand(user.id)) return []
	const name = user.displayName
	const say = sayTo(messages, config.prefix, name)

	// Economy commands (moderators' !predict and !poll too): giving, the leaderboard, predictions, polls.
	if (builtIn && deps.economy) {
		const replies = handleEconomyCommand(
			deps.economy,
			{ viewerId: user.id, actor: `${name} (${user.id})`, say, now, commands, prefix: config.prefix },
			builtIn,
			command.args
		)
		if (replies) return replies
	}

	if (builtIn && isModeratorCommand) {
		return handleModeratorCommand(
			{ moderation: deps.moderation, viewers, redeems: settings.redeems, commands, prefix: config.prefix, now, say },
			{ id: user.id, name },
			{ id: builtIn, args: command.args }
		)
	}

	switch (builtIn) {
		case 'help': {
			const activeRedeems = config.list_redeems ? settings.redeems.filter((r) => isRedeemActive(r, deps.activeCategories)) : undefined
			const text = messages.help({
				prefix: config.prefix,
				commands: commands.listed().map((c) => c.name),
				cycleSeconds: config.points_cycle_time,
				amount: config.points_amount_given,
				dashboardUrl: dashboardUrl(config),
				activeRedeems
			})
			return [{ text, to: 'viewer' }]
		}
		case 'points':
			return [say('balance', { balance: points(viewers.balance(user.id) ?? 0) })]
		case 'name_update':
			viewers.rename(user.id, name)
			return [say('name_updated')]
		case 'link':
			// The code is never echoed: a phished code must not be shown back in public chat.
			switch (deps.identity.linkCode(command.args, user.id, now, user.isModerator)) {
				case 'linked':
					return [say('link_signed_in')]
				case 'linked_admin':
					return [say('link_admin_signed_in')]
				case 'not_moderator':
					return [say('link_admin_refused')]
				default:
					return [say('link_invalid')]
			}
		case 'store': {
			const { token } = deps.identity.newLoginToken(user.id, now)
			const url = `${settings.baseUrl}/dashboard?login=${token}`
			return [
				{
					text: messages.text('store_link', { name, prefix: config.prefix, url }),
					to: 'secret',
					fallback: say('store_link_unavailable', {}, 'public').text,
					owner: user.id,
					clientId: message.clientId,
					// From when the message arrived: a link held back by a locked database is never sent late.
					expiresAt: (deps.receivedAt ?? now) + STORE_LINK_SEND_WITHIN_MS
				}
			]
		}
	}

	if (!redeem) return []
	const note = redeem.type === 'note' ? noteAfterCommand(source, isRenderedHtml) : ''
	return useRedeem(deps, say, user.id, redeem, { note, amount: command.args.split(' ')[0] ?? '' }, 'chat').replies
}

/** What a use of a redeem gives: the replies (public announcements and the viewer's answer) and the balance. */
export type RedeemResult = { ok: boolean; replies: Reply[]; balance?: number }

/**
 * One use of a redeem, the same from chat and from the store page: active check, note and amount rules, then the
 * purchase (limits and charge in one transaction). `say` words replies for the viewer who asked.
 */
export function useRedeem(
	deps: Pick<ChatDeps, 'purchases' | 'activeCategories' | 'now'>,
	say: Say,
	viewerId: string,
	redeem: Redeem,
	input: { note: string; amount: string },
	source: RedemptionSource
): RedeemResult {
	const { now } = deps
	const base = { redeem: redeem.name }
	const fail = (...replies: Reply[]): RedeemResult => ({ ok: false, replies })
	if (!isRedeemActive(redeem, deps.activeCategories)) return fail(say('inactive', base))
	const refused = (refusal: LimitRefusal) => {
		const { key, params } = refusalText(refusal)
		return fail(say(key, { ...base, ...params }))
	}

	switch (redeem.type) {
		case 'list':
		case 'note': {
			let note: string | null = null
			if (redeem.type === 'note') {
				note = input.note.trim()
				if (!note) return fail(say('note_missing', base))
				const length = [...note].length
				const limit = redeem.limits.maxNoteLength ?? MAX_NOTE_LENGTH
				if (length > limit) return fail(say('note_too_long', { length, limit }))
			}
			const result = deps.purchases.queue({ viewerId, redeem, note, source }, now)
			if (!result.ok) {
				if (result.reason === 'refused') return refused(result.refusal)
				return fail(say('not_enough_points', { ...base, price: points(redeem.price), balance: points(result.balance) }))
			}
			const balance = points(result.balance)
			// A successful redeem is announced publicly, once.
			const reply = redeem.autoFulfil
				? say('fulfilled', { ...base, balance }, 'public')
				: say('queued', { ...base, id: result.redemptionId, balance }, 'public')
			return { ok: true, replies: [reply], balance: result.balance }
		}
		case 'counter': {
			const result = deps.purchases.counter({ viewerId, redeem }, now)
			if (!result.ok) {
				if (result.reason === 'refused') return refused(result.refusal)
				return fail(say('not_enough_points', { ...base, price: points(redeem.price), balance: points(result.balance) }))
			}
			return { ok: true, replies: [say('counted', { ...base, count: result.count, balance: points(result.balance) }, 'public')], balance: result.balance }
		}
		case 'milestone': {
			const amount = parseAmount(input.amount)
			if (amount === undefined) return fail(say('amount_invalid', base))
			const result = deps.purchases.donate({ viewerId, redeem, amount }, now)
			if (!result.ok) {
				if (result.reason === 'refused') return refused(result.refusal)
				if (result.reason === 'insufficient_points') {
					return fail(say('not_enough_for_donation', { amount: points(amount), balance: points(result.balance) }))
				}
				// A milestone the database lacks is treated like a complete one: nothing is charged.
				return fail(say('milestone_complete', base))
			}
			const progress = { ...base, amount: points(result.charged), progress: result.progress, goal: result.goal }
			const replies = [say(result.charged < amount ? 'donated_capped' : 'donated', progress, 'public')]
			if (result.completed) replies.push(say('milestone_reached', { ...base, goal: points(result.goal) }, 'public'))
			return { ok: true, replies, balance: result.balance }
		}
	}
}

/** The note: what follows the command word, with only Owncast's own markup removed. */
function noteAfterCommand(source: string, isRenderedHtml: boolean): string {
	const text = noteText(source, isRenderedHtml)
	const space = text.search(/\s/)
	return space === -1 ? '' : text.slice(space + 1).trim()
}
