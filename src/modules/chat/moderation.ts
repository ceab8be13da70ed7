// Moderator commands in chat. Only viewers whose Owncast user has the MODERATOR scope get here.
import type { AdjustMode, ModerationRepo, ResolveAction } from '../moderation/repo.ts'
import { findRedeem, type Redeem } from '../redeems/model.ts'
import type { ParsedCommand } from './commands.ts'
import { points, type MessageKey, type Params } from './messages.ts'
import type { Reply } from './service.ts'

export const MODERATOR_COMMANDS = new Set(['done', 'reject', 'refund', 'addpoints', 'removepoints', 'setpoints', 'redeem', 'category'])

export type ModeratorDeps = {
	moderation: ModerationRepo
	redeems: readonly Redeem[]
	activeCategories: readonly string[]
	now: number
	say: (key: MessageKey, params?: Params, to?: Reply['to']) => Reply
}

const USAGE: Record<string, string> = {
	done: '!done <id>',
	reject: '!reject <id> [reason]',
	refund: '!refund <id>',
	addpoints: '!addpoints <name> <points>',
	removepoints: '!removepoints <name> <points>',
	setpoints: '!setpoints <name> <points>',
	redeem: '!redeem pause|resume|restock <redeem>',
	category: '!category on|off <category>'
}

const RESOLVE: Record<string, ResolveAction> = { done: 'done', reject: 'reject', refund: 'refund' }
const ADJUST: Record<string, AdjustMode> = { addpoints: 'add', removepoints: 'remove', setpoints: 'set' }

export function handleModeratorCommand(
	deps: ModeratorDeps,
	actor: { id: string; name: string },
	command: ParsedCommand
): Reply[] {
	const { moderation, now, say } = deps
	const who = `${actor.name} (${actor.id})`
	const usage = () => [say('mod_usage', { usage: USAGE[command.name]?.replace('!', '') ?? command.name })]
	const args = command.args

	const resolveAction = RESOLVE[command.name]
	if (resolveAction) {
		const match = /^#?(\d{1,12})(?:\s+([\s\S]*))?$/.exec(args)
		if (!match?.[1]) return usage()
		const id = Number(match[1])
		const reason = (match[2] ?? '').trim().slice(0, 200)
		const result = moderation.resolve(id, resolveAction, who, reason, now)
		if (!result.ok) {
			if (result.reason === 'not_found') return [say('mod_not_found', { id })]
			return [say('mod_wrong_status', { id, status: result.status })]
		}
		const params = { id, redeem: result.redemption.redeem, viewer: result.redemption.viewerName, refund: points(result.refunded) }
		if (resolveAction === 'done') return [say('mod_done', params)]
		if (resolveAction === 'reject') return [say('mod_rejected', { ...params, reason: reason ? `: ${reason}` : '' }, 'public')]
		return [say('mod_refunded', params, 'public')]
	}

	const adjustMode = ADJUST[command.name]
	if (adjustMode) {
		// The name can contain spaces (Owncast display names do); the amount is the last word.
		const match = /^@?(.+?)\s+([0-9]{1,9})$/.exec(args)
		if (!match?.[1] || !match[2]) return usage()
		const viewerName = match[1].trim()
		const amount = Number(match[2])
		if (adjustMode !== 'set' && amount === 0) return usage()
		const viewers = moderation.viewersNamed(viewerName)
		if (viewers.length === 0) return [say('mod_no_viewer', { viewer: viewerName })]
		if (viewers.length > 1) return [say('mod_ambiguous', { viewer: viewerName })]
		const target = viewers[0] as { id: string; displayName: string }
		const result = moderation.adjustPoints(target.id, adjustMode, amount, who, now)
		if (!result.ok) {
			if (result.reason === 'not_enough') return [say('mod_not_enough', { viewer: target.displayName, balance: points(result.balance) })]
			return [say('mod_no_viewer', { viewer: viewerName })]
		}
		return [say('mod_points_changed', { viewer: target.displayName, balance: points(result.balance) })]
	}

	const [verb, ...rest] = args.split(/\s+/)
	const target = rest.join(' ').trim()
	if (command.name === 'redeem') {
		if ((verb !== 'pause' && verb !== 'resume' && verb !== 'restock') || !target) return usage()
		const redeem = findRedeem(deps.redeems, target)
		if (!redeem) return [say('mod_unknown_redeem', { redeem: target })]
		if (verb === 'restock') {
			moderation.restock(redeem.name, who, now)
			return [say('mod_redeem_restocked', { redeem: redeem.name }, 'public')]
		}
		moderation.setPaused(redeem.name, verb === 'pause', who, now)
		return [say(verb === 'pause' ? 'mod_redeem_paused' : 'mod_redeem_resumed', { redeem: redeem.name }, 'public')]
	}
	if (command.name === 'category') {
		if ((verb !== 'on' && verb !== 'off') || !target || /\s/.test(target)) return usage()
		moderation.setCategory(target, verb === 'on', deps.activeCategories, who, now)
		return [say(verb === 'on' ? 'mod_category_on' : 'mod_category_off', { category: target }, 'public')]
	}
	return []
}
