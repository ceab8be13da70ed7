// The overlay pages for OBS (/overlay/alerts, /goal, /queue, /counter) through app.handle: the overlay key, the
// pages and their headers, their starting state and options, user text escaped, unknown goals and counters, the
// state a page re-reads after a reconnect; and `tlapbot overlay-urls`.
import { afterEach, describe, expect, test } from 'bun:test'
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { overlayKey } from '../../src/modules/events/routes.ts'
import { OVERLAY_CSP } from '../../src/modules/overlays/routes.tsx'
import { expectExit, makeInstance, redeemsToml, runTlapbot, useTempDirs } from '../helpers.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'

useTempDirs()

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const alice = { id: 'alice', displayName: 'Alice' }
const mallory = { id: 'mallory', displayName: '<img src=x onerror=alert(1)>' }
const mod = { id: 'mod', displayName: 'Mod', moderator: true }
const rich = { TLAPBOT_STARTING_POINTS: '5000' }

const PAGES = ['/overlay/alerts', '/overlay/goal?milestone=go_nap', '/overlay/queue', '/overlay/counter?counter=lurk']
const STATES = ['/overlay/api/goal?milestone=go_nap', '/overlay/api/queue', '/overlay/api/counter?counter=lurk']

const withKey = (path: string, key: string) => `${path}${path.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}`
const get = (b: TestBot, path: string) => b.app.handle(new Request(`http://localhost${path}`))
const keyOf = (b: TestBot) => overlayKey(b.deps.settings().config)
/** A data-* attribute of the page's body. */
const bodyData = (html: string, name: string) => new RegExp(`<body[^>]* data-${name}="([^"]*)"`).exec(html)?.[1]

describe('the overlay key', () => {
	test('every overlay page and state answers 401 without the key and with a wrong one', async () => {
		bot = await createTestBot()
		for (const path of [...PAGES, ...STATES]) {
			for (const url of [path, withKey(path, 'not-the-key'), withKey(path, ''), withKey(path, 'x'.repeat(500))]) {
				const response = await get(bot, url)
				expect({ url, status: response.status }).toEqual({ url, status: 401 })
			}
		}
		// The page says what to do, and runs nothing.
		const page = await (await get(bot, '/overlay/alerts?key=nope')).text()
		expect(page).toContain('Overlay key needed')
		expect(page).toContain('tlapbot overlay-urls')
		expect(page).not.toContain('<script')
	})

	test('with the key every page is 200, transparent-page HTML under the overlay CSP, not cached', async () => {
		bot = await createTestBot()
		for (const path of PAGES) {
			const response = await get(bot, withKey(path, keyOf(bot)))
			expect({ path, status: response.status }).toEqual({ path, status: 200 })
			expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
			expect(response.headers.get('content-security-policy')).toBe(OVERLAY_CSP)
			expect(response.headers.get('cache-control')).toBe('no-store')
			expect(response.headers.get('referrer-policy')).toBe('no-referrer')
			const html = await response.text()
			expect(html.startsWith('<!doctype html>')).toBe(true)
			// No inline script or style (the CSP would refuse them), and the key is not written into the page.
			expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/)
			expect(html).not.toMatch(/\sstyle=/)
			expect(html).not.toContain(keyOf(bot))
			expect(html).toContain('<script src="/overlay/assets/overlay.js" defer></script>')
		}
		for (const path of STATES) expect((await get(bot, withKey(path, keyOf(bot)))).status).toBe(200)
	})

	test('the assets need no key; a new overlay_key refuses the old one at once', async () => {
		bot = await createTestBot()
		const js = await get(bot, '/overlay/assets/overlay.js')
		expect(js.status).toBe(200)
		expect(js.headers.get('content-type')).toContain('javascript')
		expect(await js.text()).toContain('EventSource')
		const css = await get(bot, '/overlay/assets/overlay.css')
		expect(css.headers.get('content-type')).toContain('text/css')
		const old = keyOf(bot)
		bot.reconfigure({ overlay_key: 'a-fresh-overlay-key-for-obs-0123' })
		expect((await get(bot, withKey('/overlay/alerts', old))).status).toBe(401)
		expect((await get(bot, withKey('/overlay/alerts', 'a-fresh-overlay-key-for-obs-0123'))).status).toBe(200)
	})
})

describe('the pages', () => {
	test('goal: an unknown milestone is a 400 page naming it and the known ones; none given says how', async () => {
		bot = await createTestBot()
		const unknown = await get(bot, withKey('/overlay/goal?milestone=<b>nap</b>', keyOf(bot)))
		expect(unknown.status).toBe(400)
		expect(unknown.headers.get('content-type')).toBe('text/html; charset=utf-8')
		const html = await unknown.text()
		expect(html).toContain('Unknown milestone')
		expect(html).toContain('There is no milestone called “<strong>&lt;b&gt;nap&lt;/b&gt;</strong>”')
		expect(html).toContain('Known milestones: go_nap.')
		const none = await get(bot, withKey('/overlay/goal', keyOf(bot)))
		expect(none.status).toBe(400)
		expect(await none.text()).toContain('?milestone=NAME')
		const counter = await get(bot, withKey('/overlay/counter?counter=nope', keyOf(bot)))
		expect(counter.status).toBe(400)
		expect(await counter.text()).toContain('There is no counter called “<strong>nope</strong>”')
		expect((await get(bot, withKey('/overlay/api/goal?milestone=nope', keyOf(bot)))).status).toBe(400)
	})

	test('goal and counter start from the stored state, with the id of the last event it reflects', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!go_nap 250')
		await bot.chatReplies(alice, '!lurk')
		await bot.chatReplies(alice, '!lurk')
		const latest = bot.deps.stores.events.latestId()
		// Matched case-insensitively, like the commands; the page names it as stored.
		const goal = await (await get(bot, withKey('/overlay/goal?milestone=GO_NAP', keyOf(bot)))).text()
		expect(bodyData(goal, 'event-id')).toBe(String(latest))
		expect(bodyData(goal, 'subject')).toBe('go_nap')
		expect(goal).toContain('data-progress="250" data-goal="1000"')
		expect(goal).toContain('<span class="goal-progress">250</span> / <span class="goal-goal">1000</span>')
		expect(goal).toContain('aria-valuenow="250"')
		const counter = await (await get(bot, withKey('/overlay/counter?counter=lurk', keyOf(bot)))).text()
		expect(counter).toContain('<span class="counter-title">lurk</span><span class="counter-count">2</span>')
		const state = await (await get(bot, withKey('/overlay/api/goal?milestone=go_nap', keyOf(bot)))).json()
		expect(state).toEqual({ eventId: latest, milestone: 'go_nap', title: 'go_nap', progress: 250, goal: 1000, completed: false })
		expect(await (await get(bot, withKey('/overlay/api/counter?counter=lurk', keyOf(bot)))).json()).toEqual({
			eventId: latest,
			counter: 'lurk',
			title: 'lurk',
			count: 2
		})
	})

	test('queue: the first n pending entries, names escaped, notes only with notes=1', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(mallory, '!react <script>window.pwned=1</script>')
		for (let i = 0; i < 6; i++) await bot.chatReplies(alice, '!hydrate')
		await bot.chatReplies(mod, '!done 2')
		const html = await (await get(bot, withKey('/overlay/queue?n=3', keyOf(bot)))).text()
		expect(html.match(/<li class="queue-entry"/g)?.length).toBe(3)
		expect(html).toContain('<span class="queue-viewer">&lt;img src=x onerror=alert(1)&gt;</span>')
		expect(html).not.toContain('<img')
		expect(html).not.toContain('pwned')
		expect(html).toContain('<p class="queue-more">+3 more</p>')
		const noted = await (await get(bot, withKey('/overlay/queue?n=3&notes=1', keyOf(bot)))).text()
		expect(noted).toContain('<span class="queue-note">&lt;script&gt;window.pwned=1&lt;/script&gt;</span>')
		const state = (await (await get(bot, withKey('/overlay/api/queue?n=2', keyOf(bot)))).json()) as Record<string, unknown>
		expect(state).toEqual({
			eventId: bot.deps.stores.events.latestId(),
			total: 6,
			entries: [
				{ id: 1, redeem: 'react', title: 'react', viewer: '<img src=x onerror=alert(1)>' },
				{ id: 3, redeem: 'hydrate', title: 'hydrate', viewer: 'Alice' }
			]
		})
		const withNotes = (await (await get(bot, withKey('/overlay/api/queue?n=1&notes=1', keyOf(bot)))).json()) as { entries: { note?: string }[] }
		expect(withNotes.entries[0]?.note).toBe('<script>window.pwned=1</script>')
	})

	test('an empty queue says so', async () => {
		bot = await createTestBot()
		const html = await (await get(bot, withKey('/overlay/queue', keyOf(bot)))).text()
		expect(html).toContain('<ol class="queue-list"></ol><p class="queue-empty">Nothing in the queue</p>')
	})

	test('options: defaults, accepted values, and anything else falls back to the default', async () => {
		bot = await createTestBot()
		const page = async (query: string) => (await get(bot as TestBot, withKey(`/overlay/alerts${query}`, keyOf(bot as TestBot)))).text()
		const plain = await page('')
		expect(plain).toContain('class="overlay overlay-alerts at-top"')
		expect([bodyData(plain, 'size'), bodyData(plain, 'duration'), bodyData(plain, 'sound'), bodyData(plain, 'notes')]).toEqual(['48', '5', '0', '0'])
		const set = await page('?position=Bottom-Right&size=64&duration=8&sound=1&notes=1&color=FF0000&accent=%23abc&background=transparent&font=Comic%20Sans%20MS')
		expect(set).toContain('class="overlay overlay-alerts at-bottom-right"')
		expect([bodyData(set, 'size'), bodyData(set, 'duration'), bodyData(set, 'sound'), bodyData(set, 'notes')]).toEqual(['64', '8', '1', '1'])
		expect([bodyData(set, 'color'), bodyData(set, 'accent'), bodyData(set, 'background'), bodyData(set, 'font')]).toEqual([
			'#ff0000',
			'#abc',
			'transparent',
			'Comic Sans MS'
		])
		const bad = await page('?position=middle&size=-3&duration=9999&color=red;x:y&font=%22%3E%3Cscript%3E&background=url(x)')
		expect(bad).toContain('at-top"')
		expect([bodyData(bad, 'size'), bodyData(bad, 'duration'), bodyData(bad, 'color'), bodyData(bad, 'background')]).toEqual(['48', '5', '#ffffff', '#0f0f19c0'])
		expect(bad).not.toContain('data-font')
		expect(bad).not.toContain('<script>')
	})
})

describe('tlapbot overlay-urls', () => {
	test('prints a title and a ready URL per overlay, with the key; the warning and how to rotate on stderr', async () => {
		bot = await createTestBot()
		const result = expectExit(await runTlapbot(['overlay-urls', '--instance', bot.dir], { cwd: bot.dir }), 0)
		const key = keyOf(bot)
		const lines = result.stdout.trim().split('\n')
		const rows = lines.map((line) => /^(.+?)\s{2,}(\S+)$/.exec(line)?.slice(1))
		expect(rows.map((r) => r?.[0])).toEqual([
			'Alerts (redeems, donations, completed goals)',
			'Pending queue',
			'Goal: go_nap',
			'Counter: lurk',
			'Prediction (the open prediction, then its answer)',
			'Poll (the newest open poll, then its results)',
			'Event stream (Server-Sent Events, for other tools)'
		])
		for (const row of rows) {
			const url = new URL(row?.[1] as string)
			expect(url.origin).toBe('http://127.0.0.1:8000')
			expect(url.searchParams.get('key')).toBe(key)
			// Every overlay address works as printed.
			if (url.pathname.startsWith('/overlay/')) expect((await get(bot, `${url.pathname}${url.search}`)).status).toBe(200)
		}
		expect(result.stderr).toContain('these addresses contain the overlay key')
		expect(result.stderr).toMatch(/set overlay_key in config\.toml/)
		expect(result.stderr).toMatch(/^ {2}overlay_key = "[A-Za-z0-9_-]{24}"$/m)
		expect(result.stderr).toContain('public_url is not set')
		expect(result.stderr).not.toContain(key)
	})

	test('public_url is the base; overlay_key, when set, is the key; goals and counters come from redeems.toml', async () => {
		const redeems = redeemsToml({ nap: { type: 'milestone', goal: 500 }, 'big-goal': { type: 'milestone', goal: 10 }, hugs: { type: 'counter', price: 1 } })
		const { root, instanceDir } = makeInstance({ redeems })
		appendFileSync(join(instanceDir, 'config.toml'), 'public_url = "https://bot.example.com/"\noverlay_key = "my-own-overlay-key-1234"\n')
		const result = expectExit(await runTlapbot(['overlay-urls', '--instance', instanceDir], { cwd: root }), 0)
		expect(result.stdout).toContain('https://bot.example.com/overlay/alerts?key=my-own-overlay-key-1234\n')
		expect(result.stdout).toMatch(/^Goal: nap +https:\/\/bot\.example\.com\/overlay\/goal\?key=my-own-overlay-key-1234&milestone=nap$/m)
		expect(result.stdout).toMatch(/^Goal: big-goal +https:\/\/bot\.example\.com\/overlay\/goal\?key=my-own-overlay-key-1234&milestone=big-goal$/m)
		expect(result.stdout).toMatch(/^Counter: hugs +https:\/\/bot\.example\.com\/overlay\/counter\?key=my-own-overlay-key-1234&counter=hugs$/m)
		expect(result.stderr).toContain('set a new overlay_key in config.toml')
		expect(result.stderr).not.toContain('public_url is not set')
	})

	test('without an instance it fails with one line and no URL', async () => {
		const { root } = makeInstance({ config: null })
		const result = await runTlapbot(['overlay-urls', '--instance', join(root, 'instance')], { cwd: root })
		expect(result.code).not.toBe(0)
		expect(result.stdout).toBe('')
	})
})
