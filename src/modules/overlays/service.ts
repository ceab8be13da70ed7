// What the overlay pages (OBS browser sources) show: their options, read from the query with sensible defaults,
// and the state they start from (a goal, a counter, the pending queue), with the id of the last event it reflects,
// so the page's event stream picks up exactly where the state ends. No SQL, no Elysia.
import type { EventStore } from '../events/store.ts'
import { findRedeem, type Redeem } from '../redeems/model.ts'
import type { RedeemStore } from '../redeems/store.ts'
import type { NamedRedemption } from '../redemptions/queue.ts'

export const OVERLAY_KINDS = ['alerts', 'goal', 'queue', 'counter'] as const
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
	/** Alerts: seconds each one shows; a beep with each (sound=1) and its volume (0-100); notes (notes=1). */
	duration: number
	sound: boolean
	volume: number
	notes: boolean
	/** Queue: how many entries. Goal: the bar's width. */
	n: number
	width: number
}

export type Query = Record<string, string | string[] | undefined>

/** A name can come twice in a query string: the first counts. */
export const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined

const DEFAULTS: Record<OverlayKind, Pick<OverlayOptions, 'size' | 'position'>> = {
	alerts: { size: 48, position: 'top' },
	goal: { size: 34, position: 'bottom' },
	queue: { size: 30, position: 'top-left' },
	counter: { size: 40, position: 'top-right' }
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
		duration: whole(q('duration'), 1, 120, 5),
		sound: q('sound') === '1',
		volume: whole(q('volume'), 0, 100, 50),
		notes: q('notes') === '1',
		n: Math.floor(whole(q('n'), 1, 50, 5)),
		width: whole(q('width'), 100, 1920, 900)
	}
}

export type GoalState = { eventId: number; milestone: string; title: string; progress: number; goal: number; completed: boolean }
export type CounterState = { eventId: number; counter: string; title: string; count: number }
export type QueueEntryState = { id: number; redeem: string; title: string; viewer: string; note?: string }
export type QueueState = { eventId: number; total: number; entries: QueueEntryState[] }

export type OverlaySources = {
	redeems: () => readonly Redeem[]
	store: Pick<RedeemStore, 'milestone' | 'milestones' | 'counter' | 'counters'>
	queue: { pending(limit?: number): NamedRedemption[]; pendingCount(): number }
	events: Pick<EventStore, 'latestId'>
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
		/** The first event the alerts page should show comes after this one. */
		latestEventId: () => sources.events.latestId(),
		milestoneNames: () => sources.store.milestones().map((m) => m.name),
		counterNames: () => sources.store.counters().map((c) => c.name)
	}
}

export type OverlayService = ReturnType<typeof createOverlayService>
