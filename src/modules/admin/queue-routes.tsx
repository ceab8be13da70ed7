/** @jsxImportSource @kitajs/html */
// The admin page's queue: the pending redemptions (filters, paging, live updates), the dock for OBS, and marking
// them done, rejecting or refunding (after an in-page confirmation), one or many at once.
import * as v from 'valibot'
import { ConfirmPage, DockPage, QueuePage, queueHref, type QueueFilter, type Flash } from '../../../templates/admin.tsx'
import { findRedeem } from '../redeems/model.ts'
import type { ResolveAction } from '../moderation/service.ts'
import type { NamedRedemption } from '../redemptions/queue.ts'
import type { RedemptionStatus } from '../redemptions/store.ts'
import { csrfToken, type Session } from './auth.ts'
import { type AdminContext, type Form, type Query, type ResponseSet, first, page } from './context.tsx'

const ADMIN_QUEUE_PAGE = 200
/** The dock shows the oldest pending entries only: it is a to-do list, not the queue's history. */
const DOCK_SIZE = 50

const RedemptionForm = v.object({
	action: v.picklist(['done', 'reject', 'refund', 'reopen'], 'Choose Done, Reject, Refund or Reopen.'),
	reason: v.optional(v.pipe(v.string('The reason must be text.'), v.trim(), v.maxLength(200, 'The reason may be at most 200 characters.')), '')
})

/** Where a queue form leads back to: the queue (with its filters and page) or the dock; nothing else. */
const BACK_PATH = /^\/admin(?:\/dock)?(?:\?[A-Za-z0-9_.~%+=&-]{0,400})?$/
function backOf(form: Form): string {
	const back = first(form.back)
	return back && BACK_PATH.test(back) ? back : '/admin'
}

const STATUS_WORDS: Record<RedemptionStatus, string> = {
	pending: 'still pending',
	fulfilled: 'already done',
	rejected: 'already rejected',
	cancelled: 'already refunded'
}
const ACTION_WORDS: Record<ResolveAction, string> = { done: 'marked done', reject: 'rejected', refund: 'refunded', reopen: 'back in the queue' }

/** The Queue tab, the OBS dock and the live queue: pending redemptions and what is done with them. */
export function queueRoutes(ctx: AdminContext) {
	const { deps, secret, activeActor, redirectWith, pageBasics } = ctx
	/** The queue's filters as store arguments; undefined for none. A viewer filter matches names and ids as the viewers search does. */
	function pendingFilter(filter: QueueFilter) {
		if (!filter.redeem && !filter.viewer) return undefined
		return {
			...(filter.redeem ? { redeem: filter.redeem } : {}),
			...(filter.viewer ? { viewerIds: deps.viewers.search(filter.viewer, 200).map((v) => v.id) } : {})
		}
	}

	/** Rejects and refunds give points back: they happen only after the in-page confirmation. */
	const needsConfirm = (action: ResolveAction, form: Form) => (action === 'reject' || action === 'refund') && first(form.confirm) !== 'yes'

	/** The confirmation step: what will be rejected or refunded, and how many points go back. */
	function confirmPage(set: ResponseSet, session: Session, action: 'reject' | 'refund', ids: string[], reason: string, back: string, bulk: boolean) {
		const from = action === 'reject' ? 'pending' : undefined
		const rows: NamedRedemption[] = []
		const skipped: string[] = []
		for (const text of ids) {
			const r = /^\d{1,15}$/.test(text) ? deps.queue.get(Number(text)) : undefined
			const can = r && (from ? r.status === from : r.status === 'pending' || r.status === 'fulfilled')
			if (r && can) rows.push(r)
			else skipped.push(`#${text.slice(0, 16)}`)
		}
		if (rows.length === 0) {
			return redirectWith(set, back, { kind: 'error', text: `${skipped.join(', ')}: already resolved or not found; nothing changed.` })
		}
		return page(
			set,
			200,
			<ConfirmPage csrf={csrfToken(secret(), session)} action={action} rows={rows} skipped={skipped} reason={reason} back={back} bulk={bulk} dock={back.startsWith('/admin/dock')} />
		)
	}

	return ctx
		.guarded()
		.get('/admin', ({ headers, session, query, set }) => {
			// 200 pending entries a page, oldest first; ?after=<id> shows the ones after that redemption;
			// ?redeem= and ?viewer= (a name or id, as on the viewers page) filter them.
			const q = query as Query
			const afterText = first(q.after)
			const after = afterText && /^\d{1,15}$/.test(afterText) ? Number(afterText) : undefined
			const filter: QueueFilter = { redeem: (first(q.redeem) ?? '').trim().slice(0, 64), viewer: (first(q.viewer) ?? '').trim().slice(0, 100) }
			const matching = pendingFilter(filter)
			const rows = matching ? deps.queue.pendingMatching(matching, ADMIN_QUEUE_PAGE + 1, after) : deps.queue.pending(ADMIN_QUEUE_PAGE + 1, after)
			const pending = rows.slice(0, ADMIN_QUEUE_PAGE)
			const { redeems } = deps.settings()
			return page(
				set,
				200,
				<QueuePage
					{...pageBasics(session, headers, set)}
					pending={pending}
					pendingTotal={matching ? deps.queue.pendingMatchingCount(matching) : deps.queue.pendingCount()}
					nextAfter={rows.length > ADMIN_QUEUE_PAGE ? pending.at(-1)?.id : undefined}
					paged={after !== undefined}
					fulfilled={deps.queue.recentlyFulfilled()}
					filter={filter}
					redeemNames={redeems.filter((r) => r.type === 'list' || r.type === 'note').map((r) => r.name)}
					archived={(name) => !findRedeem(redeems, name)}
					self={queueHref(filter, after)}
				/>
			)
		})
		.get('/admin/dock', ({ headers, session, set }) => {
			const rows = deps.queue.pending(DOCK_SIZE)
			return page(
				set,
				200,
				<DockPage {...pageBasics(session, headers, set)} pending={rows} pendingTotal={deps.queue.pendingCount()} />
			)
		})
		.get('/admin/events', ({ session, request, set }) => {
			// The live queue: the event stream behind the admin session (never the overlay key); it ends when the
			// session does (logout, logout everywhere, a new admin_password).
			const id = (session as Session).id
			const response = deps.feed.open(request, {
				notes: true,
				lastId: request.headers.get('last-event-id'),
				allowed: () => activeActor(id, deps.clock()) !== undefined
			})
			if (response) return response
			set.status = 503
			set.headers['retry-after'] = '10'
			return 'Too many event streams are open (event_clients); the page reloads by hand.'
		})
		.post('/admin/redemptions/bulk', ({ actor, session, body, set }) => {
			const form = (body ?? {}) as Form
			const back = backOf(form)
			const parsed = v.safeParse(RedemptionForm, form)
			if (!parsed.success) return redirectWith(set, back, { kind: 'error', text: parsed.issues[0].message })
			const { action, reason } = parsed.output
			const ids = [...new Set((Array.isArray(form.ids) ? form.ids : [form.ids]).filter((id): id is string => typeof id === 'string'))]
			if (ids.length === 0) return redirectWith(set, back, { kind: 'error', text: 'Select one or more redemptions first; nothing changed.' })
			if (ids.length > ADMIN_QUEUE_PAGE) return redirectWith(set, back, { kind: 'error', text: `Select at most ${ADMIN_QUEUE_PAGE} at a time; nothing changed.` })
			if (needsConfirm(action, form)) return confirmPage(set, session as Session, action as 'reject' | 'refund', ids, reason, back, true)
			const now = deps.clock()
			const done: string[] = []
			const refused: string[] = []
			let points = 0
			for (const text of ids) {
				const result = /^\d{1,15}$/.test(text) ? deps.moderation.resolve(Number(text), action, actor, reason, now) : undefined
				if (!result?.ok) {
					refused.push(`#${text.slice(0, 16)} ${result && result.reason === 'wrong_status' ? STATUS_WORDS[result.status] : 'not found'}`)
					continue
				}
				done.push(`#${text}`)
				points += result.refunded
			}
			const refunded = points ? `; ${points} points given back` : ''
			const summary = done.length ? `${done.length} ${ACTION_WORDS[action]} (${done.join(', ')})${refunded}.` : 'Nothing changed.'
			const others = refused.length ? ` Left as they were: ${refused.join(', ')}.` : ''
			return redirectWith(set, back, { kind: done.length ? 'ok' : 'error', text: `${summary}${others}` })
		})
		.post('/admin/redemptions/:id', ({ actor, session, params, body, set }) => {
			const form = (body ?? {}) as Form
			const to = backOf(form)
			const back = (flash: Flash) => redirectWith(set, to, flash)
			if (!/^\d{1,15}$/.test(params.id)) return back({ kind: 'error', text: `There is no redemption #${params.id.slice(0, 16)}.` })
			const id = Number(params.id)
			const parsed = v.safeParse(RedemptionForm, form)
			if (!parsed.success) return back({ kind: 'error', text: parsed.issues[0].message })
			const { action, reason } = parsed.output
			if (needsConfirm(action, form)) return confirmPage(set, session as Session, action as 'reject' | 'refund', [params.id], reason, to, false)
			const result = deps.moderation.resolve(id, action, actor, reason, deps.clock())
			if (!result.ok) {
				if (result.reason === 'not_found') return back({ kind: 'error', text: `There is no redemption #${id}.` })
				return back({ kind: 'error', text: `Redemption #${id} is ${STATUS_WORDS[result.status]}; nothing changed.` })
			}
			const r = result.redemption
			const refunded = result.refunded ? `; ${r.viewerName} got ${result.refunded} points back` : ''
			return back({ kind: 'ok', text: `#${id} ${r.redeem} by ${r.viewerName}: ${ACTION_WORDS[action]}${refunded}.` })
		})
}
