/** @jsxImportSource @kitajs/html */
// The overlay pages OBS shows as browser sources: a transparent page with the state it starts from; the script
// (templates/assets/overlay.js) applies the options, follows /api/events and animates. Everything the pages show
// that a viewer wrote (names, notes) goes through `safe` here and textContent in the script.
import type { PropsWithChildren } from '@kitajs/html'
import type { CounterState, GoalState, OverlayKind, OverlayOptions, QueueState } from '../src/modules/overlays/service.ts'

const TITLES: Record<OverlayKind, string> = { alerts: 'Alerts', goal: 'Goal', queue: 'Queue', counter: 'Counter' }

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
