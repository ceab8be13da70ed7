// The viewer store on the Redeems tab in a real headless Chromium, the way Owncast shows it: a host page on one
// origin embedding the bot's dashboard from another origin, in an iframe with Owncast's sandbox attribute. Signing
// in with a code typed in chat, redeeming a note and donating to a milestone from the page, activity, a personal
// login link from !store in a new top-level tab, signing out; axe-core (WCAG 2.1 A/AA) on every state, light and dark.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Frame, FrameLocator, Page } from 'playwright-core'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'
import { describeInBrowser, expectAccessible, launchChromium } from '../support/browser.ts'
import { chatEvent } from '../support/payloads.ts'

const SCREENSHOTS = join(import.meta.dir, '..', 'screenshots')
/** Exactly what Owncast puts on an external action's iframe. */
const OWNCAST_SANDBOX = 'allow-same-origin allow-scripts allow-popups allow-forms'

// The default redeems, with a few limits to show, and one redeem whose texts try to inject markup.
const REDEEMS = `
[redeems.hydrate]
type = "list"
price = 60
cooldown = 120

[redeems.lurk]
type = "counter"
price = 1
info = "Let us know you're going to lurk."

[redeems.react]
type = "note"
price = 200
max_note_length = 200
info = "Attach link to a video for me to react to."

[redeems.request]
type = "note"
price = 100
max_per_user_per_stream = 2
info = "Request a level, gamemode, skin, etc."

[redeems.go_nap]
type = "milestone"
goal = 1000
info = "Streamer will go nap when the goal is reached."

[redeems.trap]
type = "list"
price = 5000
stock = 3
title = "<img src=x onerror=\\"window.pwned=1\\">Trap"
info = "<script>window.pwned = 2</script> & <b>bold</b>"
`

/** Polls until check passes or the cap runs out; never a fixed sleep. `explain` says what was there instead. */
async function eventually(check: () => Promise<boolean> | boolean, what: string, capMs = 15_000, explain?: () => Promise<string> | string) {
	const deadline = Date.now() + capMs
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${explain ? `; instead: ${await explain()}` : ''}`)
		await Bun.sleep(50)
	}
}

describeInBrowser('the viewer store in Chromium, in an Owncast-like sandboxed iframe', () => {
	let bot: TestBot
	let browser: Browser
	let host: ReturnType<typeof Bun.serve>
	let botBase: string
	let hostBase: string
	/** The viewer's browser: the host page with the dashboard in its iframe, signed in once. */
	let viewer: BrowserContext
	let framed: Page
	const errors: string[] = []
	const alice = { id: 'alice', displayName: 'Alice' }

	beforeAll(async () => {
		mkdirSync(SCREENSHOTS, { recursive: true })
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '1000', TLAPBOT_PRIVATE_REPLIES: 'true' }, redeemsToml: REDEEMS })
		bot.app.listen({ hostname: '127.0.0.1', port: 0 })
		// Another site than the host page: "localhost" and "127.0.0.1" are different origins and different sites.
		botBase = `http://localhost:${bot.app.server?.port}`
		const src = `${botBase}/dashboard?tab=help&username=Alice&userId=alice&instance=${encodeURIComponent('http://127.0.0.1/')}`
		host = Bun.serve({
			hostname: '127.0.0.1',
			port: 0,
			fetch: () =>
				new Response(
					`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Owncast</title><style>html,body{margin:0}iframe{display:block;width:100%;height:100vh;border:0}</style></head>
<body><iframe id="action" title="Redeems" src="${src.replace(/&/g, '&amp;')}" sandbox="${OWNCAST_SANDBOX}"></iframe></body></html>`,
					{ headers: { 'content-type': 'text/html; charset=utf-8' } }
				)
		})
		hostBase = `http://127.0.0.1:${host.port}`
		browser = await launchChromium()
		viewer = await browser.newContext({ viewport: { width: 360, height: 800 } })
	})

	afterAll(async () => {
		await browser?.close()
		host?.stop(true)
		await bot?.app.stop()
		bot?.close()
	})

	/** A page that records console errors, failed requests of our scripts and any dialog (there must be none). */
	async function open(context: BrowserContext, url: string): Promise<Page> {
		const page = await context.newPage()
		page.on('console', (m) => {
			// A 401 (a session the bot no longer accepts) and a 410 (a used login link) are expected; nothing else.
			if (m.type() === 'error' && !/status of (401|410)/.test(m.text())) errors.push(m.text())
		})
		page.on('pageerror', (e) => errors.push(e.message))
		page.on('dialog', (d) => {
			errors.push(`dialog opened: ${d.message()}`)
			void d.dismiss()
		})
		await page.goto(url)
		return page
	}
	const frameOf = (page: Page): FrameLocator => page.frameLocator('#action')
	async function contentFrame(page: Page): Promise<Frame> {
		const frame = await (await page.$('#action'))?.contentFrame()
		if (!frame) throw new Error('no dashboard frame')
		await frame.waitForLoadState()
		return frame
	}
	const noHorizontalScroll = (frame: Frame | Page) =>
		frame.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)

	/**
	 * The whole dashboard as the viewer scrolls through it: the window made as tall as the frame's content (a
	 * cross-site frame is painted only within the window, so a full-page screenshot would cut it off).
	 */
	async function shoot(page: Page, name: string) {
		const frame = await contentFrame(page)
		const size = page.viewportSize() ?? { width: 360, height: 800 }
		const height = await frame.evaluate(() => document.documentElement.scrollHeight)
		await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) })
		// Painted at the new size: two animation frames of the frame itself.
		await frame.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
		await page.screenshot({ path: join(SCREENSHOTS, name) })
		await page.setViewportSize(size)
	}
	const card = (frame: FrameLocator, title: string | RegExp) => frame.locator('li.card', { has: frame.locator('h3', { hasText: title }) })
	const balanceOf = async (frame: FrameLocator) => (await frame.locator('.wallet .points').textContent())?.trim()

	test('signed out, the Redeems tab is the help plus a sign-in button and the chat way; accessible; fits 360 px', async () => {
		framed = await open(viewer, hostBase)
		const frame = frameOf(framed)
		await frame.getByRole('button', { name: 'Sign in to redeem here' }).waitFor()
		expect(await frame.locator('#store').textContent()).toContain('or type !store in chat for a personal link')
		expect(await frame.locator('#content').isVisible()).toBe(true)
		expect(await frame.locator('#content').textContent()).toContain('How redeems work')
		// The help's examples use the real redeem names.
		expect(await frame.locator('#content').textContent()).toContain('!react your message')
		expect(await frame.locator('#content').textContent()).toContain('!go_nap 50')
		expect(await frame.getByRole('link', { name: 'Redeems', exact: true }).getAttribute('aria-current')).toBe('page')
		expect(await noHorizontalScroll(await contentFrame(framed))).toBe(true)
		expect(await noHorizontalScroll(framed)).toBe(true)
		await expectAccessible(framed, 'signed out, in the iframe', await contentFrame(framed))
		await shoot(framed, 'store-signed-out-360.png')
		expect(errors).toEqual([])
	})

	test('sign in: the page shows a code, `!link CODE` in chat signs it in within seconds, the store replaces the help', async () => {
		const frame = frameOf(framed)
		await frame.getByRole('button', { name: 'Sign in to redeem here' }).click()
		const line = frame.locator('.command-line')
		await line.waitFor()
		const command = (await line.textContent()) ?? ''
		const code = /^!link ([A-Z2-9]{6})$/.exec(command)?.[1] as string
		expect(code).toBeDefined()
		expect(await frame.locator('.code').textContent()).toContain(code)
		expect(await frame.locator('.waiting').textContent()).toContain('Waiting for your message in chat')
		await expectAccessible(framed, 'the sign-in code', await contentFrame(framed))
		await shoot(framed, 'store-code-360.png')

		// How fast the page signs in is a bench row (bench/README.md, "page sign-in"); here only that it does.
		expect((await bot.post(chatEvent(alice, `!link ${code}`, 'v0.3', { clientId: 5 }))).status).toBe(204)
		await frame.locator('.wallet').waitFor({ timeout: 15_000 })
		expect(await frame.locator('.wallet').textContent()).toContain('Signed in as Alice')
		expect(await balanceOf(frame)).toBe('1000')
		expect(await frame.locator('#content').isVisible()).toBe(false)
		// Cards in the order of redeems.toml, each with its price or goal.
		expect(await frame.locator('li.card h3').allTextContents()).toEqual([
			'hydrate',
			'lurk',
			'react',
			'request',
			'go_nap',
			'<img src=x onerror="window.pwned=1">Trap'
		])
		const trap = card(frame, 'Trap')
		expect(await trap.locator('.info').textContent()).toBe('<script>window.pwned = 2</script> & <b>bold</b>')
		expect(await trap.locator('.blocked').textContent()).toBe('You need 4000 points more')
		expect(await trap.locator('.facts').textContent()).toContain('3 left in stock')
		expect(await trap.getByRole('button').isDisabled()).toBe(true)
		expect(await card(frame, 'request').locator('.facts').textContent()).toContain('2 uses left for you this stream')
		expect(await frameOf(framed).locator('img').count()).toBe(0)
		expect(await (await contentFrame(framed)).evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined()
		expect(await noHorizontalScroll(await contentFrame(framed))).toBe(true)
		await expectAccessible(framed, 'signed in, in the iframe', await contentFrame(framed))
		await shoot(framed, 'store-signed-in-360.png')
		await framed.emulateMedia({ colorScheme: 'dark' })
		await shoot(framed, 'store-signed-in-360-dark.png')
		await framed.emulateMedia({ colorScheme: 'light' })
		expect(errors).toEqual([])
	})

	test('a note redeem and a milestone donation from the page: announced in chat, the balance drops', async () => {
		const frame = frameOf(framed)
		const react = card(frame, /^react$/)
		const note = react.getByLabel('Your message')
		expect(await note.getAttribute('maxlength')).toBe('200')
		await note.fill('Play the cat video, please')
		expect(await react.locator('.count-chars').textContent()).toBe('26 / 200')
		await react.getByRole('button', { name: 'Redeem for 200 points' }).click()
		await eventually(
			() => bot.fake.messages.includes('@Alice redeemed react (#1)! 800 points left.'),
			'the announcement of react',
			15_000,
			async () => `chat ${JSON.stringify(bot.fake.messages.slice(-3))}, the card says ${JSON.stringify(await react.locator('.result').textContent())}`
		)
		await eventually(async () => (await react.locator('.result').textContent())?.includes('redeemed react (#1)') ?? false, 'the result on the card')
		await eventually(async () => (await balanceOf(frame)) === '800', 'the balance to drop to 800')
		expect(await note.inputValue()).toBe('')
		expect(bot.db.query("SELECT note, source FROM redemptions WHERE redeem = 'react'").all()).toEqual([
			{ note: 'Play the cat video, please', source: 'page' }
		])

		const nap = card(frame, 'go_nap')
		expect(await nap.getByRole('button', { name: 'What is missing (1000)' }).isVisible()).toBe(true)
		await nap.getByRole('button', { name: '50', exact: true }).click()
		expect(await nap.getByLabel('Points to donate').inputValue()).toBe('50')
		await nap.getByRole('button', { name: 'Donate' }).click()
		await eventually(() => bot.fake.messages.includes('@Alice donated 50 points to go_nap: 50/1000.'), 'the announcement of the donation')
		await eventually(async () => (await balanceOf(frame)) === '750', 'the balance to drop to 750')
		await eventually(async () => (await nap.locator('.progress-text').textContent()) === '50 / 1000', 'the milestone progress')
		expect(await nap.getByRole('button', { name: 'All I have (750)' }).isVisible()).toBe(true)
		expect(await nap.getByRole('button', { name: 'What is missing (950)' }).isVisible()).toBe(true)

		// A double click is one redemption, one charge; then the cooldown shows and the button is off.
		const hydrate = card(frame, 'hydrate')
		await hydrate.getByRole('button', { name: 'Redeem for 60 points' }).dblclick()
		await eventually(async () => (await hydrate.locator('.blocked').textContent())?.startsWith('Available in') ?? false, 'the cooldown')
		await settle(bot)
		expect(bot.db.query("SELECT count(*) AS n FROM redemptions WHERE redeem = 'hydrate'").get()).toEqual({ n: 1 })
		expect(bot.balance('alice')).toBe(690)
		expect(await hydrate.getByRole('button', { name: 'Redeem for 60 points' }).isDisabled()).toBe(true)
		await eventually(async () => (await balanceOf(frame)) === '690', 'the balance to drop to 690')
		expect(bot.fake.messages.filter((m) => m.includes('redeemed hydrate'))).toHaveLength(1)

		// The answer is lost on the way back (the bot did charge): the page retries with the same key, and the
		// bot answers what it answered the first time, charging nothing more.
		const keys: string[] = []
		await framed.route('**/api/store/redeem', async (route) => {
			keys.push(route.request().headers()['idempotency-key'] ?? '')
			if (keys.length === 1) {
				await route.fetch()
				await route.abort('connectionreset')
			} else {
				await route.continue()
			}
		})
		const lurk = card(frame, 'lurk')
		await lurk.getByRole('button', { name: 'Redeem for 1 point' }).click()
		await eventually(async () => (await lurk.locator('.result').textContent())?.includes('redeemed lurk') ?? false, 'the lurk result after a retry')
		await framed.unroute('**/api/store/redeem')
		expect(keys).toHaveLength(2)
		expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
		expect(keys[1]).toBe(keys[0] as string)
		expect(bot.db.query("SELECT count FROM counters WHERE name = 'lurk'").get()).toEqual({ count: 1 })
		expect(bot.balance('alice')).toBe(689)
		await eventually(async () => (await balanceOf(frame)) === '689', 'the balance to drop to 689')
		expect(errors.filter((e) => !/ERR_CONNECTION_RESET/.test(e))).toEqual([])
		errors.length = 0
	})

	test('my activity: redemptions with their place in the queue or the reason, and the points history', async () => {
		const frame = frameOf(framed)
		const mod = { id: 'mod1', displayName: 'Mod', moderator: true }
		expect((await bot.chat(mod, '!reject 2 not during the boss fight')).status).toBe(204)
		await frame.getByText('My activity').click()
		const activity = frame.locator('.activity-body')
		await eventually(async () => (await activity.textContent())?.includes('pending: #1 in the queue') ?? false, 'the pending react')
		const text = (await activity.textContent()) ?? ''
		expect(text).toContain('Play the cat video, please')
		expect(await frame.locator('.activity-body .status').allTextContents()).toEqual(['rejected', 'pending: #1 in the queue'])
		expect(text).toContain('Reason: not during the boss fight. 60 points refunded.')
		expect(text).toContain('Refund for hydrate')
		expect(text).toContain('Donated to go_nap')
		expect(text).toContain('Spent on react')
		expect(text).toContain('Starting points')
		expect(await frame.locator('.history .delta').allTextContents()).toEqual(['+60', '-1', '-60', '-50', '-200', '+1000'])
		await expectAccessible(framed, 'activity, in the iframe', await contentFrame(framed))
		expect(await noHorizontalScroll(await contentFrame(framed))).toBe(true)
		await shoot(framed, 'store-activity-360.png')
		expect(errors).toEqual([])
	})

	test('the open prediction shows on the page; a bet from the page is a bet like !bet; accessible', async () => {
		const frame = frameOf(framed)
		await bot.chatReplies({ id: 'mod', displayName: 'Mod', moderator: true }, '!predict open Will the boss fall? | yes | no')
		const section = frame.locator('section.prediction')
		await eventually(async () => (await section.isVisible()) && (await section.locator('.question').textContent()) === 'Will the boss fall?', 'the prediction on the page')
		const before = Number(await balanceOf(frame))
		await section.getByLabel('Points to bet').fill('25')
		await section.getByRole('button', { name: 'Bet on yes' }).click()
		await eventually(async () => (await section.locator('.result').textContent())?.includes('you bet 25 points on yes') ?? false, 'the bet result')
		await eventually(async () => Number(await balanceOf(frame)) === before - 25, 'the balance to drop by 25')
		await eventually(async () => (await section.locator('li', { hasText: 'yes' }).locator('.meta').textContent())?.startsWith('25 points, 1 bettor') ?? false, 'the pool')
		expect(bot.db.query("SELECT amount FROM prediction_bets WHERE viewer_id = 'alice'").get()).toEqual({ amount: 25 })
		await expectAccessible(framed, 'the prediction on the store page', await contentFrame(framed))
		await shoot(framed, 'store-prediction-360.png')
		await bot.chatReplies({ id: 'mod', displayName: 'Mod', moderator: true }, '!predict cancel')
		await eventually(async () => !(await section.isVisible()), 'the prediction to go away after a cancel')
	})

	test('at 1280 px: the same browser is still signed in after a reload; a fresh browser is signed out', async () => {
		const wide = await open(viewer, hostBase)
		await wide.setViewportSize({ width: 1280, height: 900 })
		const frame = frameOf(wide)
		await frame.locator('.wallet').waitFor({ timeout: 15_000 })
		expect(await balanceOf(frame)).toBe('749')
		expect(await noHorizontalScroll(await contentFrame(wide))).toBe(true)
		await shoot(wide, 'store-signed-in-1280.png')
		await frame.getByText('My activity').click()
		await frame.locator('.activity-body .history').waitFor()
		await shoot(wide, 'store-activity-1280.png')
		await wide.close()

		const fresh = await browser.newContext({ viewport: { width: 1280, height: 900 } })
		const page = await open(fresh, hostBase)
		await frameOf(page).getByRole('button', { name: 'Sign in to redeem here' }).waitFor()
		await expectAccessible(page, 'signed out at 1280 px', await contentFrame(page))
		await shoot(page, 'store-signed-out-1280.png')
		await fresh.close()
		expect(errors).toEqual([])
	})

	test('a personal link from !store signs in a new top-level tab and leaves the address bar; a used link says so', async () => {
		bot.fake.userConnections = { alice: [42] }
		expect((await bot.post(chatEvent(alice, '!store', 'v0.3', { clientId: 42 }))).status).toBe(204)
		await eventually(() => bot.fake.privateMessages.some((m) => m.body.includes('dashboard?login=')), 'the private login link')
		const token = /dashboard\?login=([A-Za-z0-9_-]{43})/.exec(bot.fake.privateMessages.at(-1)?.body ?? '')?.[1] as string
		expect(token).toBeDefined()

		const tab = await browser.newContext({ viewport: { width: 360, height: 800 } })
		const page = await open(tab, `${botBase}/dashboard?login=${token}`)
		await page.locator('.wallet').waitFor({ timeout: 15_000 })
		expect(await page.locator('.wallet').textContent()).toContain('Signed in as Alice')
		expect(page.url()).not.toContain('login')
		expect(page.url()).toContain('tab=help')
		expect(await page.getByRole('link', { name: 'Redeems', exact: true }).getAttribute('aria-current')).toBe('page')
		await expectAccessible(page, 'signed in by a login link, top level')

		// Signing out this browser: back to the signed-out state, the session is gone here and at the bot.
		const session = (await page.evaluate(() => JSON.parse(localStorage.getItem('tlapbot_session') ?? 'null')))?.session as string
		expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/)
		await page.getByRole('button', { name: 'Sign out', exact: true }).click()
		await page.getByRole('button', { name: 'Sign in to redeem here' }).waitFor()
		expect(await page.locator('.store-notice').textContent()).toBe('You are signed out on this browser.')
		expect(await page.evaluate(() => localStorage.getItem('tlapbot_session'))).toBeNull()
		expect(await page.locator('#content').isVisible()).toBe(true)
		const after = await fetch(`${botBase}/api/store`, { headers: { authorization: `Bearer ${session}` } })
		expect(after.status).toBe(401)
		await tab.close()

		const again = await browser.newContext({ viewport: { width: 360, height: 800 } })
		const used = await open(again, `${botBase}/dashboard?login=${token}`)
		await used.getByRole('button', { name: 'Sign in to redeem here' }).waitFor()
		expect(await used.locator('.store-notice').textContent()).toBe(
			'This login link was already used. Type !store in chat for a new one, or sign in with a code.'
		)
		expect(used.url()).not.toContain('login')
		await again.close()
		expect(errors).toEqual([])
	})

	test('sign out everywhere takes a second, in-page confirmation and ends every session', async () => {
		// Another browser of Alice's, signed in through the API as the page does it.
		const { code, claim } = (await (await fetch(`${botBase}/api/store/signin`, { method: 'POST' })).json()) as { code: string; claim: string }
		await bot.chat(alice, `!link ${code}`)
		const collected = (await (
			await fetch(`${botBase}/api/store/signin/collect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, claim }) })
		).json()) as { session: string }
		const other = { headers: { authorization: `Bearer ${collected.session}` } }
		expect((await fetch(`${botBase}/api/store`, other)).status).toBe(200)

		const frame = frameOf(framed)
		await frame.getByRole('button', { name: 'Sign out everywhere…' }).click()
		const confirm = frame.getByRole('group', { name: /Sign out of every browser/ })
		await confirm.waitFor()
		expect(await frame.getByRole('button', { name: 'Cancel' }).evaluate((b) => b === document.activeElement)).toBe(true)
		await frame.getByRole('button', { name: 'Yes, sign out everywhere' }).click()
		await frame.getByRole('button', { name: 'Sign in to redeem here' }).waitFor()
		expect(await frame.locator('.store-notice').textContent()).toBe('You are signed out everywhere (2 browsers).')
		expect((await fetch(`${botBase}/api/store`, other)).status).toBe(401)
		expect(await frame.locator('#content').isVisible()).toBe(true)
		expect(errors).toEqual([])
	})

	test('an expired code offers a new one', async () => {
		const context = await browser.newContext({ viewport: { width: 360, height: 800 } })
		const page = await open(context, hostBase)
		const frame = frameOf(page)
		await frame.getByRole('button', { name: 'Sign in to redeem here' }).click()
		const first = (await frame.locator('.command-line').textContent()) ?? ''
		// Six minutes later for the bot: the code's next poll is answered 410 expired.
		bot.setClock(() => Date.now() + 6 * 60_000)
		try {
			await frame.getByRole('button', { name: 'Get a new code' }).waitFor({ timeout: 15_000 })
			expect(await frame.locator('#store').textContent()).toContain('This code has expired.')
		} finally {
			bot.setClock(Date.now)
		}
		await frame.getByRole('button', { name: 'Get a new code' }).click()
		await eventually(async () => ((await frame.locator('.command-line').textContent()) ?? first) !== first, 'a new code')
		expect(await frame.locator('.command-line').textContent()).toMatch(/^!link [A-Z2-9]{6}$/)
		await frame.getByRole('button', { name: 'Cancel' }).click()
		await frame.getByRole('button', { name: 'Sign in to redeem here' }).waitFor()
		await context.close()
		expect(errors).toEqual([])
	})

	test('a viewer name with markup shows as text; a session ended elsewhere (401) signs the page out', async () => {
		const evil = { id: 'evil', displayName: '<img src=x onerror="window.pwned=3">Eve' }
		const context = await browser.newContext({ viewport: { width: 360, height: 800 } })
		const page = await open(context, hostBase)
		const frame = frameOf(page)
		await frame.getByRole('button', { name: 'Sign in to redeem here' }).click()
		const code = /([A-Z2-9]{6})$/.exec((await frame.locator('.command-line').textContent()) ?? '')?.[1] as string
		await bot.chat(evil, `!link ${code}`)
		await frame.locator('.wallet').waitFor({ timeout: 15_000 })
		expect(await frame.locator('.wallet strong').textContent()).toBe('<img src=x onerror="window.pwned=3">Eve')
		expect(await frame.locator('img').count()).toBe(0)
		expect(await (await contentFrame(page)).evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined()
		// The session kept by the frame: here third-party storage is refused, so the partitioned cookie holds it.
		expect(await (await contentFrame(page)).evaluate(() => document.cookie)).toMatch(/tlapbot_session=[A-Za-z0-9_-]{43}/)
		bot.deps.identity.signOutEverywhere('evil')
		await frame.getByRole('button', { name: 'Sign in to redeem here' }).waitFor({ timeout: 15_000 })
		expect(await frame.locator('.store-notice').textContent()).toBe('You are signed out. Sign in again to redeem here.')
		expect(await (await contentFrame(page)).evaluate(() => document.cookie)).not.toContain('tlapbot_session')
		await context.close()
		expect(errors).toEqual([])
	})

	test('without JavaScript the Redeems tab is the help, with no sign-in', async () => {
		const context = await browser.newContext({ viewport: { width: 360, height: 800 }, javaScriptEnabled: false })
		const page = await context.newPage()
		await page.goto(`${botBase}/dashboard?tab=help`)
		expect(await page.locator('#content').isVisible()).toBe(true)
		expect(await page.locator('#content').textContent()).toContain('How redeems work')
		expect(await page.locator('#store').isVisible()).toBe(false)
		expect(await page.getByText('Sign in').count()).toBe(0)
		await context.close()
	})
})
