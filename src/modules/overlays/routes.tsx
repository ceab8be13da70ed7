/** @jsxImportSource @kitajs/html */
// The overlay pages for OBS browser sources (/overlay/alerts, /overlay/goal, /overlay/queue, /overlay/counter,
// /overlay/prediction, /overlay/poll), their assets, and the state they re-read after a reconnect (/overlay/api/...). Every page and state needs the
// overlay key as ?key= (OBS cannot send headers); `tlapbot overlay-urls` prints the URLs with it.
import { Elysia } from 'elysia'
import overlayCss from '../../../templates/assets/overlay.css' with { type: 'file' }
import overlayJs from '../../../templates/assets/overlay.js' with { type: 'file' }
import { AlertsBody, CounterBody, GoalBody, OverlayMessage, OverlayPage, PollBody, PredictionBody, QueueBody } from '../../../templates/overlay.tsx'
import { validOverlayKey } from '../events/routes.ts'
import type { SettingsSource } from '../settings/settings.ts'
import { createOverlayService, first, readOptions, type OverlayKind, type OverlaySources, type Query } from './service.ts'

export type OverlayDeps = {
	settings: SettingsSource
	store: OverlaySources['store']
	queue: OverlaySources['queue']
	events: OverlaySources['events']
	predictions: OverlaySources['predictions']
	predictionRows: OverlaySources['predictionRows']
	polls: OverlaySources['polls']
	clock: () => number
}

/**
 * OBS loads these pages itself; nothing else should frame them. Scripts, styles, the event stream and the state come
 * from the bot only; no fonts, no media (the beep is synthesized with Web Audio); images only the empty favicon.
 */
export const OVERLAY_CSP =
	"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const PAGE_HEADERS = {
	'content-security-policy': OVERLAY_CSP,
	'cache-control': 'no-store',
	'content-type': 'text/html; charset=utf-8'
}

const page = async (status: number, html: JSX.Element) => new Response(`<!doctype html>${await html}`, { status, headers: PAGE_HEADERS })

const noKey = () =>
	page(
		401,
		<OverlayMessage title="Overlay key needed">
			<p>
				This overlay needs the overlay key in its address (<code>?key=…</code>). Copy the address from <code>tlapbot overlay-urls</code> or
				the admin page; after a new <code>overlay_key</code> in config.toml the old addresses stop working.
			</p>
		</OverlayMessage>
	)

function unknown(what: 'milestone' | 'counter', name: string | undefined, known: string[]) {
	const list = known.length ? known.join(', ') : 'none'
	return page(
		400,
		<OverlayMessage title={name ? `Unknown ${what}` : `Which ${what}?`}>
			{name ? (
				<p>
					There is no {what} called “<strong safe>{name}</strong>”.
				</p>
			) : (
				<p>
					This overlay needs <code safe>{`?${what}=NAME`}</code>.
				</p>
			)}
			<p safe>{`Known ${what === 'milestone' ? 'milestones' : 'counters'}: ${list}. Names come from redeems.toml.`}</p>
		</OverlayMessage>
	)
}

const json = (status: number, body: unknown) =>
	new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } })

const asset = (path: string, type: string) => () =>
	new Response(Bun.file(path), { headers: { 'content-type': type, 'cache-control': 'public, max-age=3600' } })

export function overlayRoutes(deps: OverlayDeps) {
	const service = createOverlayService({
		redeems: () => deps.settings().redeems,
		store: deps.store,
		queue: deps.queue,
		events: deps.events,
		predictions: deps.predictions,
		predictionRows: deps.predictionRows,
		polls: deps.polls,
		command: (id) => {
			const { config, commands } = deps.settings()
			const name = commands.nameOf(id)
			return name === undefined ? undefined : `${config.prefix}${name}`
		},
		clock: deps.clock
	})
	const keyed = (query: Query) => validOverlayKey(deps.settings().config, first(query.key))

	return (
		new Elysia({ name: 'overlays' })
			.get('/overlay/alerts', ({ query }) => {
				const q = query as Query
				if (!keyed(q)) return noKey()
				const options = readOptions('alerts', q)
				return page(
					200,
					<OverlayPage kind="alerts" options={options} eventId={service.latestEventId()}>
						<AlertsBody />
					</OverlayPage>
				)
			})
			.get('/overlay/goal', ({ query }) => {
				const q = query as Query
				if (!keyed(q)) return noKey()
				const name = first(q.milestone)
				const state = name ? service.goal(name) : undefined
				if (!state) return unknown('milestone', name, service.milestoneNames())
				return page(
					200,
					<OverlayPage kind="goal" options={readOptions('goal', q)} eventId={state.eventId} subject={state.milestone}>
						<GoalBody state={state} />
					</OverlayPage>
				)
			})
			.get('/overlay/counter', ({ query }) => {
				const q = query as Query
				if (!keyed(q)) return noKey()
				const name = first(q.counter)
				const state = name ? service.counter(name) : undefined
				if (!state) return unknown('counter', name, service.counterNames())
				return page(
					200,
					<OverlayPage kind="counter" options={readOptions('counter', q)} eventId={state.eventId} subject={state.counter}>
						<CounterBody state={state} />
					</OverlayPage>
				)
			})
			.get('/overlay/queue', ({ query }) => {
				const q = query as Query
				if (!keyed(q)) return noKey()
				const options = readOptions('queue', q)
				const state = service.queue(options.n, options.notes)
				return page(
					200,
					<OverlayPage kind="queue" options={options} eventId={state.eventId}>
						<QueueBody state={state} />
					</OverlayPage>
				)
			})
			.get('/overlay/prediction', ({ query }) => {
				const q = query as Query
				if (!keyed(q)) return noKey()
				const options = readOptions('prediction', q)
				const state = service.prediction(options.duration)
				return page(
					200,
					<OverlayPage kind="prediction" options={options} eventId={state.eventId}>
						<PredictionBody state={state} hint={options.hint} />
					</OverlayPage>
				)
			})
			// A poll by name (?poll=), which need not be open yet, or the newest open poll.
			.get('/overlay/poll', ({ query }) => {
				const q = query as Query
				if (!keyed(q)) return noKey()
				const options = readOptions('poll', q)
				const state = service.poll(first(q.poll), options.duration)
				return page(
					200,
					<OverlayPage kind="poll" options={options} eventId={state.eventId} {...(state.asked ? { subject: state.asked } : {})}>
						<PollBody state={state} hint={options.hint} />
					</OverlayPage>
				)
			})
			// The state a page re-reads after its event stream reconnected (and now and then, for changes that are no
			// events, such as clear-queue or reset-milestone from the command line). The prediction and poll pages
			// re-read theirs after each of their events, so the numbers they show are always the bot's.
			.get('/overlay/api/:kind', ({ params, query }) => {
				const q = query as Query
				if (!keyed(q)) return json(401, { error: 'a valid ?key= is needed (see `tlapbot overlay-urls`)' })
				const kind = params.kind as OverlayKind
				if (kind === 'goal' || kind === 'counter') {
					const name = first(kind === 'goal' ? q.milestone : q.counter)
					const state = name ? (kind === 'goal' ? service.goal(name) : service.counter(name)) : undefined
					return state ? json(200, state) : json(400, { error: `unknown ${kind === 'goal' ? 'milestone' : 'counter'}` })
				}
				if (kind === 'queue') {
					const options = readOptions('queue', q)
					return json(200, service.queue(options.n, options.notes))
				}
				if (kind === 'prediction') return json(200, service.prediction(readOptions('prediction', q).duration))
				if (kind === 'poll') return json(200, service.poll(first(q.poll), readOptions('poll', q).duration))
				return json(404, { error: 'not_found' })
			})
			// The assets read nothing from the request and hold nothing secret: no key needed.
			.get('/overlay/assets/overlay.js', asset(overlayJs, 'text/javascript; charset=utf-8'))
			.get('/overlay/assets/overlay.css', asset(overlayCss, 'text/css; charset=utf-8'))
	)
}
