/** @jsxImportSource @kitajs/html */
// The admin page's integrations: outgoing webhooks and their recent deliveries, a test event, the overlay URLs.
import { IntegrationsPage, type Flash } from '../../../templates/admin.tsx'
import { overlayUrls } from '../overlays/urls.ts'
import { counterNames, milestoneGoals } from '../redeems/model.ts'
import { type AdminContext, page } from './context.tsx'

/** A receiver's id in URLs (outbox.ts: part of its URL's sha256; the URL itself is never in a page). */
const RECEIVER_ID = /^[0-9a-f]{16}$/
const DELIVERIES_SHOWN = 50

/** The Integrations tab. */
export function integrationRoutes(ctx: AdminContext) {
	const { deps, redirectWith, pageBasics } = ctx
	return ctx
		.guarded()
		.get('/admin/integrations', ({ headers, session, query, set }) => {
			const { config, baseUrl, redeems } = deps.settings()
			const names = {
				counters: counterNames(redeems),
				milestones: milestoneGoals(redeems).map((m) => m.name),
				polls: deps.settings().polls.map((p) => p.name)
			}
			return page(
				set,
				200,
				<IntegrationsPage
					{...pageBasics(session, headers, set)}
					receivers={deps.outbox.receivers()}
					deliveries={deps.outbox.recentDeliveries(DELIVERIES_SHOWN)}
					overlays={overlayUrls(config, baseUrl, names)}
				/>
			)
		})
		.post('/admin/integrations/:id/test', ({ actor, params, set }) => {
			const back = (flash: Flash) => redirectWith(set, '/admin/integrations', flash)
			const now = deps.clock()
			const receiver = RECEIVER_ID.test(params.id) ? deps.outbox.sendTest(params.id, now) : undefined
			if (!receiver) return back({ kind: 'error', text: 'There is no such outgoing webhook (was config.toml changed?); nothing was sent.' })
			deps.moderation.audit(actor, 'webhook test', `test event for ${receiver.label}`, now)
			deps.log.info(`admin page: test event recorded for ${receiver.label}`)
			return back({ kind: 'ok', text: `A test event is on its way to ${receiver.label}; its delivery shows below.` })
		})
}
