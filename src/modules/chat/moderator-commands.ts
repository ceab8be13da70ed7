// Moderator commands in chat. Only viewers whose Owncast user has the MODERATOR scope get here; the chat
// service decides that from the command registry.
import type { CommandId, CommandTable } from '../commands/registry.ts'
import { points } from '../messages/messages.ts'
import type { Reply, Say } from './reply.ts'
import { findCategory, findRedeem, redeemCategories, type Redeem } from '../redeems/model.ts'
import type { ViewerStore } from '../viewers/store.ts'
import type { AdjustMode, Moderation, ResolveAction } from '../moderation/service.ts'

export type ModeratorDeps = {
	moderation: Pick<Moderation, 'resolve' | 'adjustPoints' | 'setPaused' | 'restock' | 'setCategory' | 'resetCompletedMilestone'>
	viewers: Pick<ViewerStore, 'findByName'>
	redeems: readonly Redeem[]
	commands: CommandTable
	prefix: string
	now: number
	say: Say
}

const RESOLVE: Partial<Record<CommandId, ResolveAction>> = { done: 'done', reject: 'reject', refund: 'refund' }
const ADJUST: Partial<Record<CommandId, AdjustMode>> = { addpoints: 'add', removepoints: 'remove', setpoints: 'set' }

export function handleModeratorCommand(
	deps: ModeratorDeps,
	actor: { id: string; name: string },
	command: { id: CommandId; args: string }
): Reply[] {
	const { moderation, now, say } = deps
	const who = `${actor.name} (${actor.id})`
	const usage = () => [say('mod_usage', { usage: deps.commands.usage(command.id, deps.prefix) })]
	const args = command.args

	const resolveAction = RESOLVE[command.id]
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

	const adjustMode = ADJUST[command.id]
	if (adjustMode) {
		// The name can contain spaces (Owncast display names do), quoted or not; the amount is the last word.
		const match = /^"@?([^"]+)"\s+([0-9]{1,9})$/.exec(args) ?? /^'@?([^']+)'\s+([0-9]{1,9})$/.exec(args) ?? /^@?(.+?)\s+([0-9]{1,9})$/.exec(args)
		if (!match?.[1] || !match[2]) return usage()
		const viewerName = match[1].trim()
		const amount = Number(match[2])
		if (adjustMode !== 'set' && amount === 0) return usage()
		const found = deps.viewers.findByName(viewerName)
		if (found.kind === 'none') return [say('mod_no_viewer', { viewer: viewerName })]
		if (found.kind === 'several') return [say('mod_ambiguous', { viewer: viewerName })]
		const target = found.viewer
		const result = moderation.adjustPoints(target.id, adjustMode, amount, who, now)
		if (!result.ok) {
			if (result.reason === 'not_enough') return [say('mod_not_enough', { viewer: target.displayName, balance: points(result.balance) })]
			return [say('mod_no_viewer', { viewer: viewerName })]
		}
		return [say('mod_points_changed', { viewer: target.displayName, balance: points(result.balance) })]
	}

	const [verb, ...rest] = args.split(/\s+/)
	const target = rest.join(' ').trim()
	if (command.id === 'redeem') {
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
	if (command.id === 'milestone') {
		if (verb !== 'reset' || !target) return usage()
		const redeem = findRedeem(deps.redeems, target)
		if (!redeem || redeem.type !== 'milestone') return [say('mod_unknown_milestone', { redeem: target })]
		const result = moderation.resetCompletedMilestone(redeem.name, who, now)
		if (result === 'missing') return [say('mod_unknown_milestone', { redeem: redeem.name })]
		if (result !== 'reset') return [say('mod_milestone_not_complete', { redeem: redeem.name, ...result })]
		return [say('mod_milestone_reset', { redeem: redeem.name }, 'public')]
	}
	if (command.id === 'category') {
		if ((verb !== 'on' && verb !== 'off') || !target || /\s/.test(target)) return usage()
		// A category no redeem uses is most likely a typo: say so, and which ones there are.
		const category = findCategory(deps.redeems, target)
		if (!category) {
			const known = redeemCategories(deps.redeems)
			return [say('mod_unknown_category', { category: target, categories: known.length ? known.join(', ') : 'none' })]
		}
		moderation.setCategory(category, verb === 'on', who, now)
		return [say(verb === 'on' ? 'mod_category_on' : 'mod_category_off', { category }, 'public')]
	}
	return []
}
