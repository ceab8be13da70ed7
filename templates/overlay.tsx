/** @jsxImportSource @kitajs/html */
// The overlay pages OBS shows as browser sources: a transparent page with the state it starts from; the script
// (templates/assets/overlay.js) applies the options, follows /api/events and animates. Everything the pages show
// that a viewer wrote (names, notes) goes through `safe` here and textContent in the script.
import type { PropsWithChildren } from '@kitajs/html'
import type {
	CounterState,
	GoalState,
	OverlayKind,
	OverlayOptions,
	PollShown,
	PollState,
	PredictionShown,
	PredictionState,
	QueueState
} from '../src/modules/overlays/service.ts'

const TITLES: Record<OverlayKind, string> = {
	alerts: 'Alerts',
	goal: 'Goal',
	queue: 'Queue',
	counter: 'Counter',
	prediction: 'Prediction',
	poll: 'Poll'
}

type PageProps = {
	kind: OverlayKind
	options: OverlayOptions
	/** The last event the page's state reflects: its event stream starts after it. */
	eventId: number
	/** The milestone or counter shown (its name as stored). */
	subject?: string
}

export function OverlayPage({ kind, options, eventId, subject, children }: PropsWithChildren<PageProps>): JSX.Element {
	return (
		<html lang="en">
			<head>
				<meta charset="utf-8" />
				<meta name="viewport" content="width=device-width, initial-scale=1" />
				<meta name="robots" content="noindex, nofollow" />
				<link rel="icon" href="data:," />
				<title safe>{`tlapbot overlay: ${TITLES[kind]}${subject ? ` ${subject}` : ''}`}</title>
				<link rel="stylesheet" href="/overlay/assets/overlay.css" />
				<script src="/overlay/assets/overlay.js" defer></script>
			</head>
			<body
				class={`overlay overlay-${kind} at-${options.position}`}
				data-overlay={kind}
				data-event-id={String(eventId)}
				data-subject={subject}
				data-size={String(options.size)}
				data-color={options.color}
				data-accent={options.accent}
				data-background={options.background}
				data-font={options.font}
				data-duration={String(options.duration)}
				data-sound={options.sound ? '1' : '0'}
				data-volume={String(options.volume)}
				data-notes={options.notes ? '1' : '0'}
				data-n={String(options.n)}
				data-width={String(options.width)}
				data-hint={options.hint ? '1' : '0'}
			>
				<main class="stage">{children}</main>
			</body>
		</html>
	)
}

/** Alerts come and go in here, one at a time. */
export function AlertsBody(): JSX.Element {
	return <div class="alerts" id="alerts" aria-live="polite"></div>
}

export function GoalBody({ state }: { state: GoalState }): JSX.Element {
	return (
		<section class={state.completed ? 'panel goal completed' : 'panel goal'} id="goal" data-progress={String(state.progress)} data-goal={String(state.goal)}>
			<div class="goal-head">
				<span class="goal-title" safe>
					{state.title}
				</span>
				<span class="goal-numbers">
					<span class="goal-progress" safe>
						{String(state.progress)}
					</span>
					{' / '}
					<span class="goal-goal" safe>
						{String(state.goal)}
					</span>
				</span>
			</div>
			<div class="bar" role="progressbar" aria-label={state.title} aria-valuemin="0" aria-valuemax={String(state.goal)} aria-valuenow={String(state.progress)}>
				<div class="bar-fill"></div>
			</div>
			<p class="goal-done">Goal reached!</p>
		</section>
	)
}

export function CounterBody({ state }: { state: CounterState }): JSX.Element {
	return (
		<section class="panel counter" id="counter">
			<span class="counter-title" safe>
				{state.title}
			</span>
			<span class="counter-count" safe>
				{String(state.count)}
			</span>
		</section>
	)
}

export function QueueBody({ state }: { state: QueueState }): JSX.Element {
	const more = state.total - state.entries.length
	return (
		<section class="panel queue" id="queue">
			<h1 class="queue-title">Queue</h1>
			<ol class="queue-list">
				{state.entries.map((e) => (
					<li class="queue-entry" data-id={String(e.id)}>
						<span class="queue-redeem" safe>
							{e.title}
						</span>
						<span class="queue-viewer" safe>
							{e.viewer}
						</span>
						{e.note ? (
							<span class="queue-note" safe>
								{e.note}
							</span>
						) : (
							''
						)}
					</li>
				))}
			</ol>
			<p class="queue-empty" hidden={state.entries.length > 0}>
				Nothing in the queue
			</p>
			<p class="queue-more" hidden={more <= 0} safe>
				{`+${more} more`}
			</p>
		</section>
	)
}

// ---- Prediction and poll: the same texts as overlay.js writes when it updates them ----

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`
const points = (n: number) => plural(n, 'point', 'points')
const percent = (share: number) => `${Math.round(share * 100)}%`

/** "1:23", "1:02:03": what is left of a betting window. */
export function countdown(ms: number): string {
	const s = Math.max(0, Math.ceil(ms / 1000))
	const two = (n: number) => String(n).padStart(2, '0')
	const h = Math.floor(s / 3600)
	const m = Math.floor((s % 3600) / 60)
	return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`
}

/** The status line of a prediction at a time (the bot's clock). */
export function predictionStatus(p: PredictionShown, now: number): string {
	if (p.status === 'resolved') return `Answer: ${p.winner ?? ''}`
	if (p.status === 'cancelled') return 'Prediction cancelled'
	const left = p.closesAt === null ? undefined : Date.parse(p.closesAt) - now
	if (p.status === 'locked' || (left !== undefined && left <= 0)) return 'Betting closed'
	return left === undefined ? 'Betting open' : `Betting open (closes in ${countdown(left)})`
}

/** What happened to the pool of a prediction that is over. */
export function predictionResult(p: PredictionShown): string {
	if (p.status === 'cancelled') return p.pool > 0 ? `All ${points(p.pool)} refunded` : 'Nobody had bet'
	if (p.status !== 'resolved') return ''
	if (p.pool === 0) return 'Nobody had bet'
	if (p.refunded) return `Nobody bet on ${p.winner ?? 'the answer'}: ${points(p.pool)} refunded`
	return `${points(p.pool)} paid out to ${plural(p.winners, 'viewer', 'viewers')}`
}

/** The poll's line under its options. */
export function pollStatus(p: PollShown): string {
	if (p.status === 'open') return `${points(p.total)} in all`
	const best = Math.max(0, ...p.options.map((o) => o.points))
	const top = best > 0 ? p.options.filter((o) => o.points === best).map((o) => o.name) : []
	if (top.length === 0) return 'Poll closed: no votes'
	if (top.length === 1) return `Poll closed: ${top[0]} wins with ${points(best)}`
	return `Poll closed: ${top.join(' and ')} tie with ${points(best)} each`
}

/** More than five outcomes or options: a tighter list, so ten fit a 1080p source at the default size. */
const listClass = (items: number) => (items > 5 ? 'economy-list many' : 'economy-list')

function Item({ name, side, numbers, share, mark }: { name: string; side: string; numbers: string; share: number; mark: string }): JSX.Element {
	return (
		<li class={`economy-item${mark ? ` ${mark}` : ''}`}>
			<div class="item-head">
				<span class="item-name" safe>
					{name}
				</span>
				<span class="item-side" safe>
					{side}
				</span>
			</div>
			<div class="bar" aria-hidden="true">
				<div class="bar-fill" data-share={String(share)}></div>
			</div>
			<div class="item-numbers">
				<span class="item-points" safe>
					{numbers}
				</span>
				<span class="item-share" safe>
					{percent(share)}
				</span>
			</div>
		</li>
	)
}

/**
 * The prediction: question, outcomes (pool, share, odds), whether betting is open; the answer once resolved. The
 * page starts with it as the bot had it; overlay.js re-reads it after every prediction event.
 */
export function PredictionBody({ state, hint }: { state: PredictionState; hint: boolean }): JSX.Element {
	const p = state.prediction
	const now = Date.parse(state.now)
	const over = p !== null && (p.status === 'resolved' || p.status === 'cancelled')
	const winner = p?.winner?.toLowerCase()
	// Texts with what moderators wrote in them (the answer, the command's name): escaped below.
	const status: string = p ? predictionStatus(p, now) : ''
	const result: string = p ? predictionResult(p) : ''
	const hintText: string = state.command ? `Bet with ${state.command} <outcome> <points>` : ''
	return (
		<section
			class={`panel economy prediction${p ? ` is-${p.status}` : ''}`}
			id="prediction"
			hidden={p === null}
			data-now={state.now}
			data-id={p ? String(p.id) : undefined}
		>
			<p class="economy-kind">Prediction</p>
			<h1 class="economy-question" safe>
				{p?.question ?? ''}
			</h1>
			<ol class={listClass(p?.outcomes.length ?? 0)}>
				{(p?.outcomes ?? []).map((o) => (
					<Item
						name={o.name}
						side={o.odds === null ? '–' : `1:${o.odds}`}
						numbers={`${points(o.pool)} · ${plural(o.bettors, 'viewer', 'viewers')}`}
						share={o.share}
						mark={p?.status === 'resolved' ? (o.name.toLowerCase() === winner ? 'winner' : 'loser') : ''}
					/>
				))}
			</ol>
			<p class="economy-status" safe>
				{status}
			</p>
			<p class="economy-result" hidden={!over} safe>
				{result}
			</p>
			<p class="economy-hint" hidden={!hint || p?.status !== 'open' || state.command === null} safe>
				{hintText}
			</p>
		</section>
	)
}

/** A poll: question, options with points and bars; the results for a while once closed. */
export function PollBody({ state, hint }: { state: PollState; hint: boolean }): JSX.Element {
	const p = state.poll
	const best = Math.max(0, ...(p?.options ?? []).map((o) => o.points))
	// Texts with what viewers and moderators wrote in them (options, the poll's name): escaped below.
	const status: string = p ? pollStatus(p) : ''
	const hintText: string = state.command && p ? `Vote with ${state.command} ${p.name} <option> <points>` : ''
	return (
		<section class={`panel economy poll${p ? ` is-${p.status}` : ''}`} id="poll" hidden={p === null} data-now={state.now} data-poll={p?.name}>
			<p class="economy-kind">Poll</p>
			<h1 class="economy-question" safe>
				{p?.question ?? ''}
			</h1>
			<ol class={listClass(p?.options.length ?? 0)}>
				{(p?.options ?? []).map((o, i) => (
					<Item
						name={o.name}
						side={`#${i + 1}`}
						numbers={`${points(o.points)} · ${plural(o.voters, 'viewer', 'viewers')}`}
						share={o.share}
						mark={best > 0 && o.points === best ? (p?.status === 'closed' ? 'winner' : 'leading') : p?.status === 'closed' ? 'loser' : ''}
					/>
				))}
			</ol>
			<p class="economy-status" safe>
				{status}
			</p>
			<p class="economy-hint" hidden={!hint || p?.status !== 'open' || state.command === null} safe>
				{hintText}
			</p>
		</section>
	)
}

/**
 * What an overlay shows instead when it cannot work (no key, an unknown goal): readable on a transparent source in
 * OBS, so the streamer sees why it is empty.
 */
export function OverlayMessage({ title, children }: PropsWithChildren<{ title: string }>): JSX.Element {
	return (
		<html lang="en">
			<head>
				<meta charset="utf-8" />
				<meta name="viewport" content="width=device-width, initial-scale=1" />
				<meta name="robots" content="noindex, nofollow" />
				<link rel="icon" href="data:," />
				<title safe>{`tlapbot overlay: ${title}`}</title>
				<link rel="stylesheet" href="/overlay/assets/overlay.css" />
			</head>
			<body class="overlay at-center">
				<main class="stage">
					<section class="panel message">
						<h1 safe>{title}</h1>
						{children}
					</section>
				</main>
			</body>
		</html>
	)
}
