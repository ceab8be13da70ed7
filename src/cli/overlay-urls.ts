// `tlapbot overlay-urls`: the overlay addresses to paste into OBS as browser sources, with the overlay key. The
// addresses alone on stdout (one per line, after a title); the warning about the key and the options on stderr.
import { randomBytes } from 'node:crypto'
import { defineCommand } from 'citty'
import { redactUrl } from '../log.ts'
import { counterNames, milestoneGoals } from '../modules/redeems/model.ts'
import { overlayUrls } from '../modules/overlays/urls.ts'
import type { Config } from '../modules/settings/schema.ts'
import { instanceArgs } from './_args.ts'
import { readInstance } from './_instance.ts'
import { loadPolls } from '../config/load.ts'

/**
 * Where OBS reaches the bot: public_url, else the address serve listens on. An address that listens on every
 * interface (0.0.0.0, ::) is no address to connect to: the same computer's loopback instead.
 */
export function overlayBase(config: Pick<Config, 'public_url' | 'host' | 'port'>): string {
	if (config.public_url) return redactUrl(config.public_url)
	const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host
	return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`
}

export default defineCommand({
	meta: {
		name: 'overlay-urls',
		description:
			'Print the overlay addresses for OBS browser sources (alerts, queue, goals, counters, prediction, polls); they contain the overlay key'
	},
	args: { ...instanceArgs },
	run({ args }) {
		// Counters and goals from redeems.toml: the database is not opened, so this works while serve runs.
		const { config, redeems } = readInstance(args.instance)
		const base = overlayBase(config)
		const urls = overlayUrls(config, base, {
			counters: counterNames(redeems),
			milestones: milestoneGoals(redeems).map((m) => m.name),
			polls: loadPolls(config.instanceDir).map((p) => p.name)
		})
		const width = Math.max(...urls.map((u) => u.title.length))
		for (const { title, url } of urls) console.log(`${title.padEnd(width)}  ${url}`)

		const say = (text: string) => console.error(text)
		say('')
		say('Warning: these addresses contain the overlay key. Anyone who has one can open your overlays and the event')
		say('stream (with &notes=1 also what viewers wrote). Keep them off stream, out of screenshots and out of chat.')
		say(
			config.overlay_key
				? 'To rotate the key, set a new overlay_key in config.toml, 16 or more random characters, for example:'
				: 'To rotate the key (until you set one it is derived from secret_key), set overlay_key in config.toml to 16 or'
		)
		if (!config.overlay_key) say('more random characters, for example:')
		say(`  overlay_key = "${randomBytes(18).toString('base64url')}"`)
		say('The bot reloads config.toml by itself and the old addresses stop working at once. Then run')
		say('`tlapbot overlay-urls` again and paste the new addresses into OBS.')
		say('')
		say('Browser source size: 1920×1080 (smaller sizes scale the overlay down). Options, added to an address:')
		say('  &position=top-left … bottom-right, &size=48 (font size at 1080p), &color=ffffff, &accent=a78bfa,')
		say('  &background=transparent (the panel behind the text), &font=NAME (a font installed on this computer);')
		say('  alerts: &duration=5 (seconds each), &sound=1, &volume=50, &notes=1 (show notes); queue: &n=5, &notes=1;')
		say('  goal: &width=900; prediction and poll: &duration=15 (seconds the result stays), &width=640, &hint=0')
		say('  (no "how to take part" line); poll: &poll=NAME (else the newest open poll).')
		if (!config.public_url) {
			say('')
			say(`public_url is not set: these use ${base}. If OBS runs on another computer, use the address it reaches the bot at.`)
		}
	}
})
