/** @jsxImportSource @kitajs/html */
// The admin page's viewers: search, a viewer's page (balance, redemptions, points history, sign-ins), changing a
// balance, and signing a viewer's dashboard out.
import * as v from 'valibot'
import { MessagePage, ViewerSessionsPage, ViewersPage, shortUserAgent, type Flash } from '../../../templates/admin.tsx'
import { ViewerPage } from '../../../templates/admin-viewer.tsx'
import type { AdjustMode } from '../moderation/service.ts'
import { type AdminContext, type Form, type ResponseSet, first, page, searchText } from './context.tsx'

/** A viewer's page shows their latest redemptions and balance changes, this many of each. */
const VIEWER_ROWS = 100
const MAX_AMOUNT = 1_000_000_000
/** A viewer session's id in URLs: the sha256 of its token (the token itself is never stored or shown). */
const SESSION_HASH = /^[0-9a-f]{64}$/i
const MAX_VIEWER_ID_LENGTH = 200
const METHOD_WORDS = { code: 'code typed in chat', link: 'personal link' } as const

const AMOUNT_ERROR = `The amount must be a whole number from 0 to ${MAX_AMOUNT}.`
const PointsForm = v.object({
	mode: v.picklist(['add', 'remove', 'set'], 'Choose add, remove or set.'),
	amount: v.pipe(
		v.string(AMOUNT_ERROR),
		v.trim(),
		v.regex(/^\d{1,10}$/, AMOUNT_ERROR),
		v.transform(Number),
		v.integer(AMOUNT_ERROR),
		v.minValue(0, AMOUNT_ERROR),
		v.maxValue(MAX_AMOUNT, AMOUNT_ERROR)
	)
})

/** The Viewers tab: the list, a viewer's page, their balance and their dashboard sign-ins. */
export function viewerRoutes(ctx: AdminContext) {
	const { deps, redirectWith, pageBasics } = ctx
	/** A viewer by the id in a URL; undefined for ids no viewer can have. */
	const viewerOf = (id: string) => (id.length > 0 && id.length <= MAX_VIEWER_ID_LENGTH ? deps.viewers.viewer(id) : undefined)

	/**
	 * A sign-out form's viewer and where it goes back to: the viewer's sign-ins page (keeping the viewers search),
	 * or the viewers page when there is no such viewer.
	 */
	function sessionsForm(id: string, body: unknown, set: ResponseSet) {
		const q = searchText(body)
		const viewer = viewerOf(id)
		const params: Record<string, string> = q ? { q } : {}
		const toViewer = first(((body ?? {}) as Form).back) === 'viewer'
		const path = viewer ? `/admin/viewers/${encodeURIComponent(viewer.id)}${toViewer ? '' : '/sessions'}` : '/admin/viewers'
		return { viewer, back: (flash: Flash) => redirectWith(set, path, flash, params) }
	}
	/** The page for a viewer id nobody has. */
	const noSuchViewer = (set: ResponseSet, id: string) =>
		page(set, 404, <MessagePage title="No such viewer" text={`There is no viewer with id ${id.slice(0, MAX_VIEWER_ID_LENGTH)}.`} />)

	return ctx
		.guarded()
		.get('/admin/viewers', ({ headers, session, query, set }) => {
			const q = searchText(query)
			const viewers = deps.viewers.search(q, 50)
			const now = deps.clock()
			const signIns = new Map(viewers.map((viewer) => [viewer.id, deps.identity.sessionsOf(viewer.id, now).length]))
			return page(
				set,
				200,
				<ViewersPage {...pageBasics(session, headers, set)} q={q} viewers={viewers} signIns={signIns} />
			)
		})
		.get('/admin/viewers/:id', ({ headers, params, session, query, set }) => {
			const q = searchText(query)
			const viewer = viewerOf(params.id)
			if (!viewer) return noSuchViewer(set, params.id)
			return page(
				set,
				200,
				<ViewerPage
					{...pageBasics(session, headers, set)}
					viewer={viewer}
					redemptions={deps.queue.byViewer(viewer.id, VIEWER_ROWS)}
					history={deps.viewers.history(viewer.id, 0, VIEWER_ROWS)}
					sessions={deps.identity.sessionsOf(viewer.id, deps.clock())}
					q={q}
				/>
			)
		})
		.get('/admin/viewers/:id/sessions', ({ headers, params, session, query, set }) => {
			const q = searchText(query)
			const viewer = viewerOf(params.id)
			if (!viewer) return noSuchViewer(set, params.id)
			return page(
				set,
				200,
				<ViewerSessionsPage
					{...pageBasics(session, headers, set)}
					viewer={viewer}
					sessions={deps.identity.sessionsOf(viewer.id, deps.clock())}
					q={q}
				/>
			)
		})
		.post('/admin/viewers/:id/points', ({ actor, params, body, set }) => {
			const form = (body ?? {}) as Form
			const q = searchText(form)
			const viewer = viewerOf(params.id)
			// Back to the viewer's page when the form was there, else to the viewers list.
			const to = viewer && first(form.back) === 'viewer' ? `/admin/viewers/${encodeURIComponent(viewer.id)}` : '/admin/viewers'
			const back = (flash: Flash) => redirectWith(set, to, flash, q ? { q } : {})
			if (!viewer) return back({ kind: 'error', text: `There is no viewer with id ${params.id}.` })
			const parsed = v.safeParse(PointsForm, form)
			if (!parsed.success) return back({ kind: 'error', text: parsed.issues[0].message })
			const { mode, amount } = parsed.output as { mode: AdjustMode; amount: number }
			const result = deps.moderation.adjustPoints(viewer.id, mode, amount, actor, deps.clock())
			if (!result.ok) {
				if (result.reason === 'not_found') return back({ kind: 'error', text: `There is no viewer with id ${params.id}.` })
				return back({
					kind: 'error',
					text: `${viewer.displayName} has only ${result.balance} points, so ${amount} cannot be removed; nothing changed.`
				})
			}
			const change = result.delta === 0 ? 'no change' : `${result.delta > 0 ? '+' : ''}${result.delta}`
			return back({ kind: 'ok', text: `${viewer.displayName}: ${change}, balance now ${result.balance}.` })
		})
		.post('/admin/viewers/:id/sessions/revoke-all', ({ actor, params, body, set }) => {
			const { viewer, back } = sessionsForm(params.id, body, set)
			if (!viewer) return back({ kind: 'error', text: `There is no viewer with id ${params.id.slice(0, MAX_VIEWER_ID_LENGTH)}.` })
			const ended = deps.identity.signOutEverywhere(viewer.id)
			if (ended === 0) return back({ kind: 'error', text: `${viewer.displayName} is not signed in on any browser; nothing changed.` })
			const browsers = `${ended} browser${ended === 1 ? '' : 's'}`
			deps.moderation.audit(actor, 'viewer_signout', `${viewer.displayName} (${viewer.id}): everywhere, ${browsers} signed out`, deps.clock())
			deps.log.info(`admin page: signed a viewer out everywhere (${browsers})`)
			return back({ kind: 'ok', text: `${viewer.displayName}: signed out everywhere (${browsers}).` })
		})
		.post('/admin/viewers/:id/sessions/:hash/revoke', ({ actor, params, body, set }) => {
			const { viewer, back } = sessionsForm(params.id, body, set)
			if (!viewer) return back({ kind: 'error', text: `There is no viewer with id ${params.id.slice(0, MAX_VIEWER_ID_LENGTH)}.` })
			if (!SESSION_HASH.test(params.hash)) {
				return back({ kind: 'error', text: 'That is not a sign-in of this viewer (the link is malformed); nothing changed.' })
			}
			const hash = params.hash.toLowerCase()
			const now = deps.clock()
			const signIn = deps.identity.sessionsOf(viewer.id, now).find((s) => s.idHash === hash)
			if (!deps.identity.revoke(viewer.id, hash)) {
				return back({ kind: 'error', text: `That sign-in of ${viewer.displayName} has already ended (or is not theirs); nothing changed.` })
			}
			const how = signIn ? `, ${METHOD_WORDS[signIn.method] ?? signIn.method}, ${shortUserAgent(signIn.userAgent)}` : ''
			deps.moderation.audit(
				actor,
				'viewer_signout',
				`${viewer.displayName} (${viewer.id}): 1 browser signed out (sign-in ${hash.slice(0, 8)}${how})`,
				now
			)
			deps.log.info('admin page: signed out one browser of a viewer')
			return back({ kind: 'ok', text: `${viewer.displayName}: signed out of that browser.` })
		})
}
