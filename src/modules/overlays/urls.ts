// The ready-to-paste overlay URLs (OBS browser sources), with the overlay key: for `tlapbot overlay-urls` and the
// admin page. They carry the key, so they are shown only to the streamer.
import { overlayKey } from '../events/routes.ts'
import type { Config } from '../settings/schema.ts'

export type OverlayUrl = { title: string; url: string }

export function overlayUrls(
	config: Pick<Config, 'overlay_key' | 'secret_key'>,
	baseUrl: string,
	/** Polls: those of redeems.toml, each with an address of its own (moderators' polls show on the plain poll address). */
	names: { counters: readonly string[]; milestones: readonly string[]; polls?: readonly string[] }
): OverlayUrl[] {
	const key = encodeURIComponent(overlayKey(config))
	const url = (path: string, extra = '') => `${baseUrl}${path}?key=${key}${extra}`
	return [
		{ title: 'Alerts (redeems, donations, completed goals)', url: url('/overlay/alerts') },
		{ title: 'Pending queue', url: url('/overlay/queue') },
		...names.milestones.map((name) => ({ title: `Goal: ${name}`, url: url('/overlay/goal', `&milestone=${encodeURIComponent(name)}`) })),
		...names.counters.map((name) => ({ title: `Counter: ${name}`, url: url('/overlay/counter', `&counter=${encodeURIComponent(name)}`) })),
		{ title: 'Prediction (the open prediction, then its answer)', url: url('/overlay/prediction') },
		{ title: 'Poll (the newest open poll, then its results)', url: url('/overlay/poll') },
		...(names.polls ?? []).map((name) => ({ title: `Poll: ${name}`, url: url('/overlay/poll', `&poll=${encodeURIComponent(name)}`) })),
		{ title: 'Event stream (Server-Sent Events, for other tools)', url: url('/api/events') }
	]
}
