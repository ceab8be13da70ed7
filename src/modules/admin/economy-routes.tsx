/** @jsxImportSource @kitajs/html */
// The admin page's predictions and polls: the same services and chat commands' code as !predict and !poll,
// announced in chat and audited as the admin or the signed-in moderator.
import type { Flash } from '../../../templates/admin.tsx'
import { EconomyPage } from '../../../templates/admin-economy.tsx'
import type { PlainReply } from '../chat/reply.ts'
import { sayTo } from '../chat/reply.ts'
import { handlePollCommand } from '../polls/commands.ts'
import { handlePredictCommand } from '../predictions/commands.ts'
import { type AdminContext, type Form, type ResponseSet, first, page } from './context.tsx'

/** The Predictions & polls tab. */
export function economyRoutes(ctx: AdminContext) {
	const { deps, redirectWith, pageBasics } = ctx
	/**
	 * What a !predict or !poll from the page said: announcements go to chat and show as done; a reply meant for the
	 * moderator shows as the error (without its "@name, "); undefined (the command's usage) as `invalid`.
	 */
	function announced(set: ResponseSet, replies: readonly (PlainReply | { to: string; text: string })[] | undefined, invalid: string) {
		const back = (flash: Flash) => redirectWith(set, '/admin/economy', flash)
		if (!replies || replies.length === 0) return back({ kind: 'error', text: invalid })
		const announcements = replies.filter((r): r is PlainReply => r.to === 'public')
		if (announcements.length === 0) {
			const text = (replies[0]?.text ?? '').replace(/^@[^,]*, /, '')
			return back({ kind: 'error', text: `${text.charAt(0).toUpperCase()}${text.slice(1)}` })
		}
		if (!deps.settings().config.passive) deps.chat.send(announcements)
		return back({ kind: 'ok', text: `Done; said in chat: ${announcements.map((r) => r.text).join(' ')}` })
	}

	return ctx
		.guarded()
		.get('/admin/economy', ({ headers, session, set }) => {
			const { config } = deps.settings()
			const now = deps.clock()
			return page(
				set,
				200,
				<EconomyPage
					{...pageBasics(session, headers, set)}
					predictionsOn={config.predictions_enabled}
					pollsOn={config.polls_enabled}
					prediction={config.predictions_enabled ? deps.predictions.current(now) : undefined}
					last={config.predictions_enabled ? deps.predictions.last() : undefined}
					polls={config.polls_enabled ? deps.polls.openPolls() : []}
				/>
			)
		})
		.post('/admin/economy/prediction', ({ actor, body, set }) => {
			const form = (body ?? {}) as Form
			const back = (flash: Flash) => redirectWith(set, '/admin/economy', flash)
			if (!deps.settings().config.predictions_enabled) return back({ kind: 'error', text: 'Predictions are off (predictions_enabled in config.toml).' })
			const field = (name: string) => (first(form[name]) ?? '').trim()
			let args: string
			switch (first(form.action)) {
				case 'open': {
					const outcomes = field('outcomes').split(/\r?\n/).map((o) => o.trim()).filter(Boolean)
					const question = field('question')
					const seconds = field('seconds')
					if ([question, ...outcomes].some((t) => t.includes('|'))) return back({ kind: 'error', text: 'The question and outcomes cannot contain "|"; nothing changed.' })
					if (seconds && !/^\d{1,6}$/.test(seconds)) return back({ kind: 'error', text: 'The betting window is a whole number of seconds; nothing changed.' })
					if (!question || outcomes.length < 2) return back({ kind: 'error', text: 'Give a question and at least 2 outcomes, one per line; nothing changed.' })
					args = `open ${seconds ? `${seconds} ` : ''}${question} | ${outcomes.join(' | ')}`
					break
				}
				case 'lock':
					args = 'lock'
					break
				case 'resolve':
					args = `resolve ${field('outcome')}`
					break
				case 'cancel':
					if (first(form.confirm) !== 'yes') return back({ kind: 'error', text: 'Tick "I am sure" to cancel the prediction and refund every bet; nothing changed.' })
					args = 'cancel'
					break
				default:
					return back({ kind: 'error', text: 'Choose open, lock, resolve or cancel.' })
			}
			const { config, commands, messages } = deps.settings()
			const say = sayTo(messages, config.prefix, actor)
			const replies = handlePredictCommand({ predictions: deps.predictions, say, now: deps.clock(), actor, betCommand: commands.nameOf('bet') ?? 'bet' }, args)
			return announced(set, replies, 'The prediction needs a question of 1 to 200 characters and 2 to 10 different outcomes of at most 50 characters; the window is 1 to 86400 seconds. Nothing changed.')
		})
		.post('/admin/economy/poll', ({ actor, body, set }) => {
			const form = (body ?? {}) as Form
			const back = (flash: Flash) => redirectWith(set, '/admin/economy', flash)
			if (!deps.settings().config.polls_enabled) return back({ kind: 'error', text: 'Polls are off (polls_enabled in config.toml).' })
			const field = (name: string) => (first(form[name]) ?? '').trim()
			const name = field('name')
			if (!name || /\s/.test(name)) return back({ kind: 'error', text: 'A poll name is one word (viewers type it); nothing changed.' })
			let args: string
			if (first(form.action) === 'close') args = `close ${name}`
			else if (first(form.action) === 'open') {
				const options = field('options').split(/\r?\n/).map((o) => o.trim()).filter(Boolean)
				const question = field('question')
				if ([question, ...options].some((t) => t.includes('|'))) return back({ kind: 'error', text: 'The question and options cannot contain "|"; nothing changed.' })
				if (!question || options.length < 2) return back({ kind: 'error', text: 'Give a question and at least 2 options, one per line; nothing changed.' })
				args = `open ${name} ${question} | ${options.join(' | ')}`
			} else return back({ kind: 'error', text: 'Choose open or close.' })
			const { config, commands, messages } = deps.settings()
			const say = sayTo(messages, config.prefix, actor)
			const replies = handlePollCommand({ polls: deps.polls, say, now: deps.clock(), actor, voteCommand: commands.nameOf('vote') ?? 'vote' }, args)
			return announced(set, replies, 'A poll has 2 to 10 different options of at most 50 characters and a question of at most 300; nothing changed.')
		})
}
