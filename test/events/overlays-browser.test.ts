// The overlay pages in a real headless Chromium, as OBS loads them (a browser source at 1920×1080, or smaller),
// against a listening bot: an alert appears after a `!hydrate` webhook, alerts queue without overlapping, viewer
// text stays text, the goal bar moves after a donation and celebrates the goal, the queue and a counter follow
// their events, the prediction and poll follow their bets and votes and show the answer or the results for a while,
// a page that lost its stream catches up and re-reads its state; transparent, no scrollbars, scaled
// down at 1280×720, no console errors. Screenshots in test/screenshots/ (overlay-*.png as OBS gets them, with a
// transparent background; overlay-*-preview.png the same over a stand-in for the stream picture, to look at).
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { inflateSync } from 'node:zlib'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { overlayKey } from '../../src/modules/events/routes.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'
import { AXE_SOURCE, describeInBrowser, launchChromium } from '../support/browser.ts'
import { chatEvent, type TestUser } from '../support/payloads.ts'

const SCREENSHOTS = join(import.meta.dir, '..', 'screenshots')

const REDEEMS = `
[redeems.hydrate]
type = "list"
price = 60
title = "Hydrate"

[redeems.lurk]
type = "counter"
price = 1

[redeems.react]
type = "note"
price = 200

[redeems.go_nap]
type = "milestone"
goal = 1000
title = "Streamer goes to nap"

[redeems.pizza]
type = "milestone"
goal = 500
`

/** Pixel (0, 0) of a PNG: whatever the row filter, the first pixel of the first row is stored as is. */
function cornerPixel(png: Buffer): { colorType: number; rgba: number[] } {
	let offset = 8
	let colorType = -1
	const idat: Buffer[] = []
	while (offset < png.length) {
		const length = png.readUInt32BE(offset)
		const type = png.toString('ascii', offset + 4, offset + 8)
		const data = png.subarray(offset + 8, offset + 8 + length)
		if (type === 'IHDR') colorType = data[9] as number
		if (type === 'IDAT') idat.push(data)
		offset += 12 + length
	}
	return { colorType, rgba: [...inflateSync(Buffer.concat(idat)).subarray(1, 5)] }
}

describeInBrowser('the overlays in Chromium, as OBS browser sources', () => {
	let bot: TestBot
	let browser: Browser
	let base: string
	let port: number
	let key: string
	/** Shows screenshots over a stand-in for the stream picture. */
	let preview: Page
	const errors: string[] = []
	/** Failures the reconnect test causes on purpose (the bot is away for a moment). */
	let botAway = false
	const contexts: BrowserContext[] = []
	const alice: TestUser = { id: 'alice', displayName: 'Alice' }
	const mallory: TestUser = { id: 'mallory', displayName: '<img src=x onerror="window.pwned=1">Mallory' }
	const mod: TestUser = { id: 'mod', displayName: 'Mod', moderator: true }

	beforeAll(async () => {
		mkdirSync(SCREENSHOTS, { recursive: true })
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '5000' }, redeemsToml: REDEEMS })
		bot.app.listen({ hostname: '127.0.0.1', port: 0 })
		port = bot.app.server?.port as number
		base = `http://127.0.0.1:${port}`
		key = overlayKey(bot.deps.settings().config)
		browser = await launchChromium()
		preview = await (await browser.newContext()).newPage()
	})

	afterAll(async () => {
		await browser?.close()
		await bot?.app.stop(true)
		bot?.close()
	})

	/** A CHAT webhook over HTTP, as Owncast sends it. */
	async function chat(user: TestUser, text: string) {
		const response = await fetch(`${base}/owncastWebhook`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'user-agent': 'Go-http-client/1.1' },
			body: JSON.stringify(chatEvent(user, text))
		})
		expect(response.status).toBe(204)
	}

	/** An overlay page in its own browser, recording console errors and script errors. */
	async function open(path: string, viewport = { width: 1920, height: 1080 }): Promise<Page> {
		const context = await browser.newContext({ viewport })
		contexts.push(context)
		const page = await context.newPage()
		page.on('console', (m) => {
			if (m.type() !== 'error') return
			// While the bot is away on purpose, the stream's connection attempts fail.
			if (botAway && /ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_CONNECTION_RESET/.test(m.text())) return
			errors.push(`${path}: ${m.text()}`)
		})
		page.on('pageerror', (e) => errors.push(`${path}: ${e.message}`))
		const response = await page.goto(`${base}${path}${path.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}`)
		expect(response?.status()).toBe(200)
		return page
	}

	/** Until every animation and transition on the page has finished. */
	const settled = (page: Page) =>
		page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 15_000 })

	/** A screenshot as OBS gets the page (transparent), and a preview of it over a stand-in for the stream. */
	async function shoot(page: Page, name: string): Promise<Buffer> {
		const png = await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), omitBackground: true })
		const size = page.viewportSize() ?? { width: 1920, height: 1080 }
		await preview.setViewportSize(size)
		await preview.setContent(
			`<!doctype html><html><body style="margin:0;background:linear-gradient(120deg,#0f172a,#475569 40%,#cbd5e1 70%,#fef3c7)">` +
				`<img alt="" style="display:block;width:100vw;height:100vh" src="data:image/png;base64,${png.toString('base64')}"></body></html>`
		)
		await preview.screenshot({ path: join(SCREENSHOTS, `${name}-preview.png`) })
		return png
	}

	/** The page is transparent and shows no scrollbars. */
	async function expectTransparent(page: Page, png: Buffer) {
		const { colorType, rgba } = cornerPixel(png)
		expect(colorType).toBe(6)
		expect(rgba[3]).toBe(0)
		const look = await page.evaluate(() => {
			const html = getComputedStyle(document.documentElement)
			const body = getComputedStyle(document.body)
			const root = document.documentElement
			return {
				backgrounds: [html.backgroundColor, body.backgroundColor],
				overflow: [html.overflow, body.overflow],
				scrolls: root.scrollWidth > root.clientWidth || root.scrollHeight > root.clientHeight
			}
		})
		expect(look).toEqual({ backgrounds: ['rgba(0, 0, 0, 0)', 'rgba(0, 0, 0, 0)'], overflow: ['hidden', 'hidden'], scrolls: false })
	}

	/** WCAG 2.1 A/AA rules but contrast: the page is drawn over the stream, which axe cannot see. */
	async function expectAccessible(page: Page, what: string) {
		if (!AXE_SOURCE) {
			if (process.env.TLAPBOT_REQUIRE_BROWSER === '1') throw new Error('axe-core is not installed: npm install --save-dev axe-core')
			return
		}
		await page.evaluate(AXE_SOURCE)
		const result = (await page.evaluate(() =>
			(window as unknown as { axe: { run(context: Document, options: unknown): Promise<unknown> } }).axe.run(document, {
				runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
				rules: { 'color-contrast': { enabled: false } },
				resultTypes: ['violations']
			})
		)) as { violations: { id: string; nodes: { target: string[] }[] }[] }
		const violations = result.violations.map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)
		expect({ what, violations }).toEqual({ what, violations: [] })
	}

	test('alerts: a `!hydrate` webhook shows "Alice redeemed Hydrate!"; transparent, scaled to 1280×720', async () => {
		const page = await open('/overlay/alerts?duration=60')
		// How long this takes is a bench row (bench/README.md, "events fan-out"); here only that it happens.
		await chat(alice, '!hydrate')
		const alert = page.locator('.alert', { hasText: 'redeemed' })
		await alert.waitFor({ timeout: 15_000 })
		expect(await alert.locator('.alert-line').textContent()).toBe('Alice redeemed Hydrate!')
		await settled(page)
		const wide = await alert.boundingBox()
		await expectTransparent(page, await shoot(page, 'overlay-alerts-1920'))
		await expectAccessible(page, 'alerts')

		await page.setViewportSize({ width: 1280, height: 720 })
		await settled(page)
		const narrow = await alert.boundingBox()
		// The same alert, two thirds the size: the layout scales with the source.
		expect(Math.abs((narrow?.width ?? 0) - ((wide?.width ?? 0) * 2) / 3)).toBeLessThan(4)
		expect(Math.abs((narrow?.height ?? 0) - ((wide?.height ?? 0) * 2) / 3)).toBeLessThan(4)
		await expectTransparent(page, await shoot(page, 'overlay-alerts-1280'))

		// With notes=1 a note redeem shows its note, under the line.
		const noted = await open('/overlay/alerts?duration=60&notes=1&position=center')
		await chat(alice, '!react https://example.com/a-very-funny-cat-video please react to this one')
		const withNote = noted.locator('.alert', { hasText: 'react' })
		await withNote.waitFor({ timeout: 15_000 })
		expect(await withNote.locator('.alert-note').textContent()).toBe('https://example.com/a-very-funny-cat-video please react to this one')
		expect(await page.locator('.alert-note').count()).toBe(0)
		await settled(noted)
		await shoot(noted, 'overlay-alerts-note-1920')
		expect(errors).toEqual([])
	})

	test('alerts queue one after another, never two at once; names and notes stay text; with sound=1', async () => {
		const page = await open('/overlay/alerts?duration=1&notes=1&sound=1')
		await page.evaluate(() => {
			const w = window as unknown as { seen: string[]; notes: string[]; most: number }
			w.seen = []
			w.notes = []
			w.most = 0
			const stage = document.getElementById('alerts') as HTMLElement
			new MutationObserver(() => {
				const alerts = stage.querySelectorAll('.alert')
				w.most = Math.max(w.most, alerts.length)
				for (const alert of Array.from(alerts)) {
					const line = alert.querySelector('.alert-line')?.textContent ?? ''
					if (w.seen.at(-1) !== line) {
						w.seen.push(line)
						w.notes.push(alert.querySelector('.alert-note')?.textContent ?? '')
					}
				}
			}).observe(stage, { childList: true, subtree: true })
		})
		await chat(mallory, '!react <script>window.pwned=2</script> & <b>watch</b> this')
		await chat(alice, '!lurk')
		await chat(alice, '!pizza 500')
		await page.waitForFunction(() => (window as unknown as { seen: string[] }).seen.length >= 4, undefined, { timeout: 20_000 })
		const seen = await page.evaluate(() => {
			const w = window as unknown as { seen: string[]; notes: string[]; most: number }
			return { seen: w.seen, notes: w.notes, most: w.most }
		})
		expect(seen).toEqual({
			seen: [
				'<img src=x onerror="window.pwned=1">Mallory redeemed react!',
				'Alice redeemed lurk!',
				'Alice donated 500 to pizza!',
				'pizza completed!'
			],
			notes: ['<script>window.pwned=2</script> & <b>watch</b> this', '', '', ''],
			most: 1
		})
		expect(await page.evaluate(() => ({ pwned: (window as unknown as { pwned?: number }).pwned, images: document.images.length }))).toEqual({
			pwned: undefined,
			images: 0
		})
		expect(errors).toEqual([])
	})

	test('goal: the bar moves after `!go_nap 50` and celebrates the goal', async () => {
		const page = await open('/overlay/goal?milestone=go_nap')
		const fill = page.locator('.bar-fill')
		const widthOf = () => fill.evaluate((el) => el.getBoundingClientRect().width / (el.parentElement as HTMLElement).getBoundingClientRect().width)
		expect(await page.locator('.goal-progress').textContent()).toBe('0')
		expect(await page.locator('.goal-title').textContent()).toBe('Streamer goes to nap')
		expect(await widthOf()).toBe(0)

		await chat(alice, '!go_nap 50')
		await page.locator('.goal-progress', { hasText: /^50$/ }).waitFor({ timeout: 15_000 })
		await settled(page)
		expect(await widthOf()).toBeCloseTo(0.05, 2)
		expect(await page.locator('.bar').getAttribute('aria-valuenow')).toBe('50')
		await expectTransparent(page, await shoot(page, 'overlay-goal-1920'))
		await expectAccessible(page, 'goal')
		await page.setViewportSize({ width: 1280, height: 720 })
		await settled(page)
		await expectTransparent(page, await shoot(page, 'overlay-goal-1280'))
		await page.setViewportSize({ width: 1920, height: 1080 })

		// More than the rest: only what the goal still needs is charged.
		await chat(alice, '!go_nap 5000')
		await page.locator('.goal.completed').waitFor({ timeout: 15_000 })
		expect(await page.locator('.goal-done').isVisible()).toBe(true)
		expect(await page.locator('.goal-progress').textContent()).toBe('1000')
		await page.locator('.confetti').first().waitFor({ timeout: 5000 })
		await page.waitForTimeout(500) // Mid-celebration, for the picture.
		await shoot(page, 'overlay-goal-completed-1920')
		await settled(page)
		expect(await widthOf()).toBeCloseTo(1, 2)
		expect(errors).toEqual([])
	})

	test('queue: entries appear on redemption.created and go on redemption.updated; notes with notes=1', async () => {
		const page = await open('/overlay/queue?n=4&notes=1')
		const entries = page.locator('.queue-entry')
		const before = await entries.count()
		await chat(mallory, '!react <b>not bold</b> please')
		for (let i = 0; i < 4; i++) await chat(alice, '!hydrate')
		await page.locator('.queue-more', { hasText: /more/ }).waitFor({ timeout: 15_000 })
		expect(await entries.count()).toBe(4)
		const texts = await entries.allTextContents()
		expect(texts.some((t) => t.includes('<b>not bold</b> please'))).toBe(true)
		expect(await page.locator('.queue-entry b').count()).toBe(0)
		const first = await entries.first().getAttribute('data-id')
		await settled(page)
		await expectTransparent(page, await shoot(page, 'overlay-queue-1920'))
		await expectAccessible(page, 'queue')

		await chat(mod, `!done ${first}`)
		await page.waitForFunction((id) => !document.querySelector(`.queue-entry[data-id="${id}"]`), first, { timeout: 15_000 })
		expect(before).toBeGreaterThanOrEqual(0)
		expect(errors).toEqual([])
	})

	test('counter: follows counter.updated', async () => {
		const page = await open('/overlay/counter?counter=lurk&position=bottom-left')
		const count = page.locator('.counter-count')
		const start = Number(await count.textContent())
		await chat(alice, '!lurk')
		await page.locator('.counter-count', { hasText: new RegExp(`^${start + 1}$`) }).waitFor({ timeout: 15_000 })
		await settled(page)
		await expectTransparent(page, await shoot(page, 'overlay-counter-1920'))
		await expectAccessible(page, 'counter')
		expect(errors).toEqual([])
	})

	test('after a lost stream: the events missed come (Last-Event-ID) and the state is read again', async () => {
		const alerts = await open('/overlay/alerts?duration=2')
		const counter = await open('/overlay/counter?counter=lurk')
		expect(Number(await counter.locator('.counter-count').textContent())).toBeGreaterThan(0)
		// The stream is up: the pages have seen an event.
		await chat(alice, '!lurk')
		await alerts.locator('.alert', { hasText: 'lurk' }).waitFor({ timeout: 15_000 })

		// The bot goes away; meanwhile a redeem is made and the counters are set to 0 (no event tells that).
		botAway = true
		await bot.app.stop(true)
		expect((await bot.chat(alice, '!hydrate')).status).toBe(204)
		bot.deps.stores.redeems.zeroCounters()
		bot.app.listen({ hostname: '127.0.0.1', port })
		// Both pages reconnect by themselves; no reload.
		await alerts.locator('.alert', { hasText: 'Alice redeemed Hydrate!' }).waitFor({ timeout: 30_000 })
		await counter.locator('.counter-count', { hasText: /^0$/ }).waitFor({ timeout: 30_000 })
		botAway = false
		await chat(alice, '!lurk')
		await counter.locator('.counter-count', { hasText: /^1$/ }).waitFor({ timeout: 15_000 })
		expect(errors).toEqual([])
	})

	test('prediction: appears when opened, follows `!bet` within a second or two, shows the answer, then hides', async () => {
		const page = await open('/overlay/prediction')
		const panel = page.locator('#prediction')
		expect(await panel.isHidden()).toBe(true)
		// A second page with a short duration, to see the answer go.
		const brief = await open('/overlay/prediction?duration=2&position=bottom-right')

		await chat(mod, '!predict open 90 Will the boss fall on the first try? | yes | no | &lt;img src=x onerror="window.pwned=3"&gt;')
		await panel.waitFor({ state: 'visible', timeout: 15_000 })
		expect(await page.locator('.economy-question').textContent()).toBe('Will the boss fall on the first try?')
		expect(await page.locator('.item-name').allTextContents()).toEqual(['yes', 'no', '<img src=x onerror="window.pwned=3">'])
		expect(await page.locator('.economy-status').textContent()).toMatch(/^Betting open \(closes in 1:(2\d|30)\)$/)
		expect(await page.locator('.economy-hint').textContent()).toBe('Bet with !bet <outcome> <points>')

		const points = page.locator('.item-points')
		const share = (i: number) =>
			page.locator('.bar-fill').nth(i).evaluate((el) => el.getBoundingClientRect().width / (el.parentElement as HTMLElement).getBoundingClientRect().width)
		// The page updates by itself after a bet, without a reload, within a second or two.
		const started = performance.now()
		await chat(alice, '!bet yes 100')
		await page.locator('.item-points', { hasText: /^100 points · 1 viewer$/ }).waitFor({ timeout: 15_000 })
		const took = performance.now() - started
		expect(took).toBeLessThan(2000)
		await chat(mallory, '!bet no 300')
		await page.locator('.item-points', { hasText: /^300 points · 1 viewer$/ }).waitFor({ timeout: 15_000 })
		expect(await points.allTextContents()).toEqual(['100 points · 1 viewer', '300 points · 1 viewer', '0 points · 0 viewers'])
		expect(await page.locator('.item-share').allTextContents()).toEqual(['25%', '75%', '0%'])
		expect(await page.locator('.item-side').allTextContents()).toEqual(['1:4', '1:1.33', '–'])
		await settled(page)
		expect(await share(0)).toBeCloseTo(0.25, 2)
		expect(await share(1)).toBeCloseTo(0.75, 2)
		// The countdown runs.
		const before = await page.locator('.economy-status').textContent()
		await page.waitForFunction((text) => document.querySelector('.economy-status')?.textContent !== text, before, { timeout: 5000 })
		await expectTransparent(page, await shoot(page, 'overlay-prediction-1920'))
		await expectAccessible(page, 'prediction')
		await page.setViewportSize({ width: 1280, height: 720 })
		await settled(page)
		await expectTransparent(page, await shoot(page, 'overlay-prediction-1280'))
		await page.setViewportSize({ width: 1920, height: 1080 })

		await chat(mod, '!predict lock')
		await page.locator('.economy-status', { hasText: /^Betting closed$/ }).waitFor({ timeout: 15_000 })
		expect(await page.locator('.economy-hint').isHidden()).toBe(true)

		await chat(mod, '!predict resolve yes')
		await page.locator('.economy-status', { hasText: /^Answer: yes$/ }).waitFor({ timeout: 15_000 })
		expect(await page.locator('.economy-result').textContent()).toBe('400 points paid out to 1 viewer')
		expect(await page.locator('.economy-item.winner .item-name').textContent()).toBe('yes')
		expect(await page.locator('.economy-item.loser').count()).toBe(2)
		await page.waitForTimeout(300) // Mid-glow, for the picture.
		await shoot(page, 'overlay-prediction-resolved-1920')
		// duration=2: the answer goes after two seconds; the other page keeps it for 15.
		await brief.locator('.economy-status', { hasText: /^Answer: yes$/ }).waitFor({ timeout: 15_000 })
		await brief.locator('#prediction').waitFor({ state: 'hidden', timeout: 10_000 })
		expect(await panel.isVisible()).toBe(true)
		expect(await page.evaluate(() => ({ pwned: (window as unknown as { pwned?: number }).pwned, images: document.images.length }))).toEqual({
			pwned: undefined,
			images: 0
		})

		// Called off: says so.
		await chat(mod, '!predict open Another? | a | b')
		await page.locator('.economy-question', { hasText: /^Another\?$/ }).waitFor({ timeout: 15_000 })
		await chat(alice, '!bet a 40')
		await page.locator('.item-points', { hasText: /^40 points/ }).waitFor({ timeout: 15_000 })
		await chat(mod, '!predict cancel')
		await page.locator('.economy-status', { hasText: /^Prediction cancelled$/ }).waitFor({ timeout: 15_000 })
		expect(await page.locator('.economy-result').textContent()).toBe('All 40 points refunded')

		// Ten outcomes of 50 characters under a long question: the text shrinks until the panel fits the source.
		const outcomes = Array.from({ length: 10 }, (_, i) => `outcome ${String(i + 1).padStart(2, '0')} ${'with a rather long name '.repeat(2)}`.slice(0, 50).trim())
		await chat(mod, `!predict open ${'A question long enough to take a few lines on the overlay, '.repeat(3).trim()}? | ${outcomes.join(' | ')}`)
		await page.locator('.economy-item').nth(9).waitFor({ timeout: 15_000 })
		await settled(page)
		const box = await panel.boundingBox()
		expect(box?.y ?? -1).toBeGreaterThanOrEqual(0)
		expect((box?.y ?? 0) + (box?.height ?? 2000)).toBeLessThanOrEqual(1080)
		await shoot(page, 'overlay-prediction-ten-1920')
		await chat(mod, '!predict cancel')
		expect(errors).toEqual([])
	}, 60_000)

	test('poll: waits for its poll, shows votes as they come, then the results', async () => {
		const page = await open('/overlay/poll?poll=food')
		const newest = await open('/overlay/poll?duration=2')
		const panel = page.locator('#poll')
		expect(await panel.isHidden()).toBe(true)
		await chat(mod, '!poll open food Which food for the next stream? | pizza | soup | &lt;b&gt;not bold&lt;/b&gt;')
		await panel.waitFor({ state: 'visible', timeout: 15_000 })
		await newest.locator('#poll').waitFor({ state: 'visible', timeout: 15_000 })
		expect(await page.locator('.economy-question').textContent()).toBe('Which food for the next stream?')
		expect(await page.locator('.item-name').allTextContents()).toEqual(['pizza', 'soup', '<b>not bold</b>'])
		expect(await page.locator('.economy-item b').count()).toBe(0)
		expect(await page.locator('.economy-hint').textContent()).toBe('Vote with !vote food <option> <points>')

		const started = performance.now()
		await chat(alice, '!vote food pizza 50')
		await page.locator('.item-points', { hasText: /^50 points · 1 viewer$/ }).waitFor({ timeout: 15_000 })
		expect(performance.now() - started).toBeLessThan(2000)
		await chat(mallory, '!vote food 2 30')
		await chat(alice, '!vote food 3 20')
		await page.locator('.economy-status', { hasText: /^100 points in all$/ }).waitFor({ timeout: 15_000 })
		expect(await page.locator('.item-share').allTextContents()).toEqual(['50%', '30%', '20%'])
		expect(await page.locator('.economy-item.leading .item-name').textContent()).toBe('pizza')
		await settled(page)
		await expectTransparent(page, await shoot(page, 'overlay-poll-1920'))
		await expectAccessible(page, 'poll')

		await chat(mod, '!poll close food')
		await page.locator('.economy-status', { hasText: /^Poll closed: pizza wins with 50 points$/ }).waitFor({ timeout: 15_000 })
		expect(await page.locator('.economy-hint').isHidden()).toBe(true)
		await page.waitForTimeout(300)
		await shoot(page, 'overlay-poll-closed-1920')
		await newest.locator('#poll').waitFor({ state: 'hidden', timeout: 10_000 })
		expect(errors).toEqual([])
	}, 60_000)

	test('the pages themselves need the key: 401 without it, and the goal page names an unknown milestone', async () => {
		const context = await browser.newContext()
		contexts.push(context)
		const page = await context.newPage()
		const refused = await page.goto(`${base}/overlay/alerts`)
		expect(refused?.status()).toBe(401)
		expect(await page.locator('h1').textContent()).toBe('Overlay key needed')
		const unknown = await page.goto(`${base}/overlay/goal?milestone=nope&key=${encodeURIComponent(key)}`)
		expect(unknown?.status()).toBe(400)
		expect(await page.locator('.message').textContent()).toContain('There is no milestone called “nope”')
		await page.setViewportSize({ width: 1920, height: 1080 })
		await shoot(page, 'overlay-unknown-goal-1920')
	})
})
