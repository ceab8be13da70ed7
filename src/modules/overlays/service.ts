// What the overlay pages (OBS browser sources) show: their options, read from the query with sensible defaults,
// and the state they start from (a goal, a counter, the pending queue, the prediction, a poll), with the id of the
// last event it reflects, so the page's event stream picks up exactly where the state ends. No SQL, no Elysia.
import { nowIso, parseIso } from '../../db/time.ts'
import type { EventStore } from '../events/store.ts'
import type { ClosedPollView, OpenPollView, Polls } from '../polls/service.ts'
import type { Predictions } from '../predictions/service.ts'
import type { PredictionStore } from '../predictions/store.ts'
import { findRedeem, type Redeem } from '../redeems/model.ts'
import type { RedeemStore } from '../redeems/store.ts'
import type { NamedRedemption } from '../redemptions/queue.ts'

export const OVERLAY_KINDS = ['alerts', 'goal', 'queue', 'counter', 'prediction', 'poll'] as const
export type OverlayKind = (typeof OVERLAY_KINDS)[number]

export const POSITIONS = ['top-left', 'top', 'top-right', 'left', 'center', 'right', 'bottom-left', 'bottom', 'bottom-right'] as const
export type Position = (typeof POSITIONS)[number]

/** Options every overlay takes, as query parameters. Sizes are in pixels of a 1920×1080 source; smaller ones scale. */
export type OverlayOptions = {
	/** Font size. */
	size: number
	/** Text colour, the accent (the goal's bar, viewer names) and the panel behind the text ("transparent" for none). */
	color: string
	accent: string
	background: string
	/** A font installed on the streaming computer, else the system's. */
	font: string | undefined
	position: Position
	/**
	 * Alerts: seconds each one shows. Prediction and poll: seconds the result stays after the end. A beep with each
	 * (sound=1) and its volume (0-100); notes (notes=1).
	 */
	duration: number
	sound: boolean
	volume: number
	notes: boolean
	/** Queue: how many entries. Goal, prediction, poll: the panel's width. */
	n: number
	width: number
	/** Prediction and poll: the line saying how to bet or vote (hint=0 hides it). */
	hint: boolean
}

export type Query = Record<string, string | string[] | undefined>

/** A name can come twice in a query string: the first counts. */
export const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined

const DEFAULTS: Record<OverlayKind, Pick<OverlayOptions, 'size' | 'position' | 'duration' | 'width'>> = {
	alerts: { size: 48, position: 'top', duration: 5, width: 900 },
	goal: { size: 34, position: 'bottom', duration: 5, width: 900 },
	queue: { size: 30, position: 'top-left', duration: 5, width: 900 },
	counter: { size: 40, position: 'top-right', duration: 5, width: 900 },
	prediction: { size: 30, position: 'right', duration: 15, width: 640 },
	poll: { size: 30, position: 'left', duration: 15, width: 640 }
}

/** A whole number within bounds, else the default (also for anything that is not digits). */
function whole(text: string | undefined, min: number, max: number, fallback: number): number {
	if (!text || !/^\d{1,6}(\.\d+)?$/.test(text)) return fallback
	const n = Number(text)
	return n >= min && n <= max ? n : fallback
}

/**
 * A colour: hex (#rgb, #rrggbb, #rrggbbaa; the # may be left out, since it has to be written %23 in a URL) or a CSS
 * colour name. The page checks names with CSS.supports and ignores unknown ones.
 */
export function colour(text: string | undefined, fallback: string): string {
	if (!text) return fallback
	const hex = /^#?([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(text)
	if (hex) return `#${hex[1]!.toLowerCase()}`
	return /^[a-z]{3,30}$/i.test(text) ? text.toLowerCase() : fallback
}

export function readOptions(kind: OverlayKind, query: Query): OverlayOptions {
	const q = (name: string) => first(query[name])
	const position = q('position')?.toLowerCase()
	const font = q('font')
	return {
		size: whole(q('size'), 8, 400, DEFAULTS[kind].size),
		color: colour(q('color'), '#ffffff'),
		accent: colour(q('accent'), '#a78bfa'),
		background: colour(q('background'), '#0f0f19c0'),
		font: font && /^[\p{L}\p{N} _-]{1,60}$/u.test(font) ? font : undefined,
		position: POSITIONS.includes(position as Position) ? (position as Position) : DEFAULTS[kind].position,
		duration: whole(q('duration'), 1, 120, DEFAULTS[kind].duration),
		sound: q('sound') === '1',
		volume: whole(q('volume'), 0, 100, 50),
		notes: q('notes') === '1',
		n: Math.floor(whole(q('n'), 1, 50, 5)),
		width: whole(q('width'), 100, 1920, DEFAULTS[kind].width),
		hint: q('hint') !== '0'
	}
}

export type GoalState = { eventId: number; milestone: string; title: string; progress: number; goal: number; completed: boolean }
export type CounterState = { eventId: number; counter: string; title: string; count: number }
export type QueueEntryState = { id: number; redeem: string; title: string; viewer: string; note?: string }
export type QueueState = { eventId: number; total: number; entries: QueueEntryState[] }

/** One outcome of a prediction: its pool, bettors, odds (null while nobody bet on it) and share of the whole pool (0-1). */
export type OutcomeState = { name: string; pool: number; bettors: number; odds: number | null; share: number }
/** The prediction on screen: running (open, locked), or over (resolved, cancelled) and shown until hideAt. */
export type PredictionShown = {
	id: number
	question: string
	status: 'open' | 'locked' | 'resolved' | 'cancelled'
	/** When betting ends by itself (null: when a moderator locks it). */
	closesAt: string | null
	pool: number
	outcomes: OutcomeState[]
	/** Resolved: the answer. */
	winner: string | null
	/** Resolved: how many viewers bet on the answer and share the pool. */
	winners: number
	/** Every bet went back: cancelled, or nobody bet on the answer. */
	refunded: boolean
	settledAt: string | null
	/** A prediction that is over leaves the screen at this time (settledAt + duration). */
	hideAt: string | null
}
export type PredictionState = {
	eventId: number
	/** The bot's clock: the page counts down and hides by it, whatever the clock of the computer running OBS says. */
	now: string
	/** How viewers bet ("!bet"), or null when betting is not available (predictions off, the name taken by a redeem). */
	command: string | null
	prediction: PredictionShown | null
}

export type PollOptionState = { name: string; points: number; voters: number; share: number }
/** The poll on screen: open, or closed and shown until hideAt. */
export type PollShown = {
	name: string
	question: string
	status: 'open' | 'closed'
	options: PollOptionState[]
	total: number
	closedAt: string | null
	hideAt: string | null
}
export type PollState = {
	eventId: number
	now: string
	/** How viewers vote ("!vote"), or null. */
	command: string | null
	/** The poll asked for (?poll=), or null for the newest open one. */
	asked: string | null
	poll: PollShown | null
}

export type OverlaySources = {
	redeems: () => readonly Redeem[]
	store: Pick<RedeemStore, 'milestone' | 'milestones' | 'counter' | 'counters'>
	queue: { pending(limit?: number): NamedRedemption[]; pendingCount(): number }
	events: Pick<EventStore, 'latestId'>
	predictions: Pick<Predictions, 'current' | 'last'>
	/** When the last prediction was settled (the service's view of it does not say). */
	predictionRows: Pick<PredictionStore, 'byId'>
	polls: Pick<Polls, 'openPolls' | 'recentlyClosed'>
	/** The chat commands viewers bet and vote with, with the prefix; undefined when unavailable. */
	command: (id: 'bet' | 'vote') => string | undefined
	clock: () => number
}

/** A part of a whole, 0-1, to 4 decimals. */
const shareOf = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0)
const sameName = (a: string, b: string) => a.toLocaleLowerCase('und') === b.toLocaleLowerCase('und')
/** How many closed polls are looked through for a named poll's results. */
const CLOSED_LOOKBACK = 20

function openPollShown(poll: OpenPollView): PollShown {
	return {
		name: poll.name,
		question: poll.question,
		status: 'open',
		options: poll.options.map((o) => ({ name: o.name, points: o.points, voters: o.voters, share: shareOf(o.points, poll.total) })),
		total: poll.total,
		closedAt: null,
		hideAt: null
	}
}
function closedPollShown(poll: ClosedPollView, durationMs: number): PollShown {
	return {
		name: poll.name,
		question: poll.question,
		status: 'closed',
		options: poll.results.map((r) => ({ name: r.option, points: r.points, voters: r.voters, share: shareOf(r.points, poll.total) })),
		total: poll.total,
		closedAt: poll.closedAt,
		hideAt: nowIso((parseIso(poll.closedAt) ?? 0) + durationMs)
	}
}

const titleOf = (redeems: readonly Redeem[], name: string) => findRedeem(redeems, name)?.title ?? name

/**
 * The states below read the latest event id first: an event recorded while the state is read (by another process)
 * then comes again on the stream, and the page applies what is newer.
 */
export function createOverlayService(sources: OverlaySources) {
	return {
		goal(name: string): GoalState | undefined {
			const eventId = sources.events.latestId()
			const row = sources.store.milestone(name)
			if (!row) return undefined
			return { eventId, milestone: row.name, title: titleOf(sources.redeems(), row.name), progress: row.progress, goal: row.goal, completed: row.completed }
		},
		counter(name: string): CounterState | undefined {
			const eventId = sources.events.latestId()
			const row = sources.store.counter(name)
			if (!row) return undefined
			return { eventId, counter: row.name, title: titleOf(sources.redeems(), row.name), count: row.count }
		},
		queue(n: number, notes: boolean): QueueState {
			const eventId = sources.events.latestId()
			const redeems = sources.redeems()
			const entries = sources.queue.pending(n).map((r) => ({
				id: r.id,
				redeem: r.redeem,
				title: titleOf(redeems, r.redeem),
				viewer: r.viewerName,
				...(notes && r.note ? { note: r.note } : {})
			}))
			return { eventId, total: sources.queue.pendingCount(), entries }
		},
		/**
		 * The prediction to show: the running one, else the last one that is over while it is less than `duration`
		 * seconds over (its answer, or that it was called off), else none.
		 */
		prediction(durationSeconds: number): PredictionState {
			const eventId = sources.events.latestId()
			const now = sources.clock()
			const state = { eventId, now: nowIso(now), command: sources.command('bet') ?? null }
			const running = sources.predictions.current(now)
			if (running) {
				const outcomes = running.outcomes.map((o) => ({ ...o, share: shareOf(o.pool, running.pool) }))
				return {
					...state,
					prediction: { ...running, outcomes, winner: null, winners: 0, refunded: false, settledAt: null, hideAt: null }
				}
			}
			const last = sources.predictions.last()
			const settledAt = last ? (sources.predictionRows.byId(last.id)?.settledAt ?? null) : null
			const hideAt = (parseIso(settledAt) ?? 0) + durationSeconds * 1000
			if (!last || settledAt === null || hideAt <= now) return { ...state, prediction: null }
			const outcomes = last.outcomes.map((o) => ({ ...o, share: shareOf(o.pool, last.pool) }))
			const winning = last.winner === null ? undefined : last.outcomes.find((o) => o.name === last.winner)
			const winners = winning?.bettors ?? 0
			return {
				...state,
				prediction: {
					...last,
					outcomes,
					winners,
					refunded: last.status === 'cancelled' || winners === 0,
					settledAt,
					hideAt: nowIso(hideAt)
				}
			}
		},
		/**
		 * The poll to show. Asked for by name: that poll while it is open, then its results for `duration` seconds.
		 * Else the newest open poll, or the results of one that closed less than `duration` seconds ago when it is
		 * at least as new (so a poll's results are not cut short by an older poll still open).
		 */
		poll(name: string | undefined, durationSeconds: number): PollState {
			const eventId = sources.events.latestId()
			const now = sources.clock()
			const durationMs = durationSeconds * 1000
			const state = { eventId, now: nowIso(now), command: sources.command('vote') ?? null, asked: name ?? null }
			const open = sources.polls.openPolls()
			const showing = (p: ClosedPollView) => (parseIso(p.closedAt) ?? 0) + durationMs > now
			if (name) {
				const poll = open.find((p) => sameName(p.name, name))
				if (poll) return { ...state, poll: openPollShown(poll) }
				const closed = sources.polls.recentlyClosed(CLOSED_LOOKBACK).find((p) => sameName(p.name, name))
				return { ...state, poll: closed && showing(closed) ? closedPollShown(closed, durationMs) : null }
			}
			let newest: OpenPollView | undefined
			for (const p of open) if (!newest || p.openedAt > newest.openedAt) newest = p
			const closed = sources.polls.recentlyClosed(1)[0]
			if (closed && showing(closed) && (!newest || closed.openedAt >= newest.openedAt)) return { ...state, poll: closedPollShown(closed, durationMs) }
			return { ...state, poll: newest ? openPollShown(newest) : null }
		},
		/** The first event the alerts page should show comes after this one. */
		latestEventId: () => sources.events.latestId(),
		milestoneNames: () => sources.store.milestones().map((m) => m.name),
		counterNames: () => sources.store.counters().map((c) => c.name)
	}
}

export type OverlayService = ReturnType<typeof createOverlayService>
