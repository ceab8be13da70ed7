// The admin page in a real Chromium: browsers send Origin (or "null") on form posts, which app.handle tests
// cannot show. Logs in, marks a redemption done and refunds another, signs a viewer's browser out, all through
// the forms; checks the layout at 1280 and 360 px and, when axe-core is installed, accessibility.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, type Page } from 'playwright-core'
import { describeInBrowser, launchChromium } from '../support/browser.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'

const SCREENSHOTS = join(import.meta.dir, '..', 'screenshots')

/** axe-core's script, when it is installed (it is not a declared dependency: without it the check is skipped). */
const AXE = (() => {
	try {
		const path = require.resolve('axe-core/axe.min.js')
		return existsSync(path) ? path : undefined
	} catch {
		return undefined
	}
})()

/**
 * Words split across two lines in the page's tables, header and headings: a column narrower than its longest
 * word. Free text (notes, audit details, user agents) may break inside a word; screen-reader-only text is 1 px wide.
 */
const brokenWords = (page: Page) =>
	page.evaluate(() => {
		const broken: string[] = []
		for (const element of Array.from(document.querySelectorAll('th, td, .admin-header a, .admin-header button, h1, h2'))) {
			if (element.closest('.note, .detail, .agent, .visually-hidden')) continue
			const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT)
			for (let node = walker.nextNode(); node; node = walker.nextNode()) {
				if (node.parentElement?.closest('.note, .detail, .agent, .visually-hidden')) continue
				const text = node.textContent ?? ''
				for (const match of text.matchAll(/\S+/g)) {
					const range = document.createRange()
					range.setStart(node, match.index)
					range.setEnd(node, match.index + match[0].length)
					const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)))
					if (lines.size > 1) broken.push(match[0])
				}
			}
		}
		return broken
	})

describeInBrowser('admin page in Chromium', () => {
	let bot: TestBot
	let browser: Browser
	let base: string

	beforeAll(async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '1000', TLAPBOT_ADMIN_PASSWORD: 'correct horse battery' } })
		bot.app.listen({ hostname: '127.0.0.1', port: 0 })
		base = `http://127.0.0.1:${bot.app.server?.port}`
		await bot.chatReplies({ id: 'alice', displayName: 'Alice' }, '!hydrate')
		await bot.chatReplies({ id: 'alice', displayName: 'Alice' }, '!react <b>a video</b>')
		browser = await launchChromium()
		mkdirSync(SCREENSHOTS, { recursive: true })
	})

	afterAll(async () => {
		await browser?.close()
		await bot?.app.stop()
		bot?.close()
	})

	test('log in, mark one done and reject the other through the forms', async () => {
		const page = await browser.newPage()
		await page.goto(`${base}/admin`)
		expect(page.url()).toContain('/admin/login')
		await page.fill('input[type=password]', 'correct horse battery')
		await page.click('button[type=submit]')
		await page.waitForURL(`${base}/admin**`)
		expect(await page.textContent('body')).toContain('Logged in.')
		expect(await page.textContent('body')).toContain('<b>a video</b>')

		await page.locator('tr', { hasText: 'hydrate' }).locator('button', { hasText: 'Done' }).click()
		await page.waitForLoadState()
		expect(await page.textContent('body')).not.toContain('Refused')
		const rejectRow = page.locator('tr', { hasText: 'react' })
		await rejectRow.locator('input[name=reason]').first().fill('not today')
		await rejectRow.locator('button', { hasText: 'Reject' }).click()
		// The in-page confirmation (never confirm(), which OBS docks may block): nothing is rejected until it is confirmed.
		await page.getByRole('heading', { name: 'Reject #2?' }).waitFor()
		expect(bot.db.query('SELECT status FROM redemptions WHERE id = 2').get()).toEqual({ status: 'pending' })
		expect(await page.inputValue('#confirm-reason')).toBe('not today')
		await page.getByRole('button', { name: 'Yes, reject #2' }).click()
		await page.waitForURL(`${base}/admin`)
		expect(await page.textContent('body')).not.toContain('Refused')
		expect(await page.textContent('.flash')).toBe('#2 react by Alice: rejected; Alice got 200 points back.')
		// A reload does not show the message again.
		await page.reload()
		expect(await page.locator('.flash').count()).toBe(0)

		const statuses = bot.db.query('SELECT id, status FROM redemptions ORDER BY id').all()
		expect(statuses).toEqual([
			{ id: 1, status: 'fulfilled' },
			{ id: 2, status: 'rejected' }
		])
		expect(bot.balance('alice')).toBe(940)
		await page.close()
	})

	/** Signs Alice in on the dashboard as a browser would (a code typed in chat), with this user agent. */
	async function signIn(userAgent: string): Promise<string> {
		const call = async (path: string, body?: unknown) =>
			(await bot.app.handle(
				new Request(`http://localhost${path}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json', 'user-agent': userAgent },
					...(body ? { body: JSON.stringify(body) } : {})
				})
			).then((r) => r.json())) as Record<string, string>
		const { code, claim } = await call('/api/store/signin')
		await bot.chat({ id: 'alice', displayName: 'Alice' }, `!link ${code}`)
		const collected = await call('/api/store/signin/collect', { code, claim })
		expect(collected.status).toBe('signed_in')
		return collected.session as string
	}
	const storeStatus = async (session: string) =>
		(await bot.app.handle(new Request('http://localhost/api/store', { headers: { authorization: `Bearer ${session}` } }))).status

	/** A logged-in admin page; bypassCSP only so that the test can add axe's script (the page itself has none). */
	async function loggedIn(width: number, bypassCSP = false): Promise<Page> {
		const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP })
		const page = await context.newPage()
		page.on('close', () => void context.close().catch(() => undefined))
		await page.goto(`${base}/admin/login`)
		await page.fill('input[type=password]', 'correct horse battery')
		await page.click('button[type=submit]')
		await page.waitForURL(`${base}/admin**`)
		return page
	}

	test('live: a CHAT redeem appears on the open queue and dock without a reload; Done in the dock updates the queue', async () => {
		const page = await loggedIn(1280)
		const dock = await page.context().newPage()
		await dock.setViewportSize({ width: 300, height: 700 })
		await dock.goto(`${base}/admin/dock`)
		for (const p of [page, dock]) await p.waitForFunction(() => document.body.dataset.live === 'open')
		expect(await page.textContent('.live-state')).toContain('Live')
		let navigations = 0
		for (const p of [page, dock]) p.on('framenavigated', () => navigations++)
		// The reason being typed survives the update.
		const before = bot.db.query<{ id: number }, []>("SELECT min(id) AS id FROM redemptions WHERE status = 'pending'").get()?.id
		if (before) await page.locator(`tr[data-id="${before}"] input[name=reason]`).fill('typing…')

		await bot.chatReplies({ id: 'carol', displayName: 'Carol' }, '!hydrate')
		const id = bot.db.query<{ id: number }, []>('SELECT max(id) AS id FROM redemptions').get()?.id as number
		await dock.locator(`li[data-id="${id}"]`).waitFor({ timeout: 5000 })
		expect(await dock.locator(`li[data-id="${id}"]`).textContent()).toContain('Carol')
		// The queue waits while someone types a reason, then updates when they leave the field.
		await page.locator('h1').click()
		await page.locator(`tr[data-id="${id}"]`).waitFor({ timeout: 5000 })
		if (before) expect(await page.locator(`tr[data-id="${before}"] input[name=reason]`).inputValue()).toBe('typing…')
		expect(await dock.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true)
		await dock.screenshot({ path: join(SCREENSHOTS, 'admin-dock-300.png'), fullPage: true })

		await dock.locator(`li[data-id="${id}"]`).getByRole('button', { name: `Done #${id}` }).click()
		await dock.waitForURL(`${base}/admin/dock`)
		expect(bot.db.query('SELECT status FROM redemptions WHERE id = ?').get(id)).toEqual({ status: 'fulfilled' })
		await page.locator(`tr[data-id="${id}"] button[value=reopen]`).waitFor({ timeout: 5000 })
		expect(navigations).toBe(1) // only the dock's own form
		await dock.close()
		await page.close()
	})

	test('create a redeem through the editor form; a wrong value is shown under its field', async () => {
		const page = await loggedIn(1280)
		await page.goto(`${base}/admin/redeems`)
		await page.getByRole('link', { name: 'New redeem' }).click()
		await page.getByLabel('Command').fill('stretch')
		await page.getByLabel('Type').selectOption('note')
		await page.getByLabel('Price').fill('-5')
		await page.getByLabel('Longest note').fill('120')
		await page.getByRole('button', { name: 'Create redeem' }).click()
		await page.locator('#f-price-error').waitFor()
		expect(await page.getAttribute('#f-price', 'aria-invalid')).toBe('true')
		expect(await page.inputValue('#f-max_note_length')).toBe('120')
		expect(readFileSync(join(bot.dir, 'redeems.toml'), 'utf8')).not.toContain('stretch')
		await page.getByLabel('Price').fill('15')
		await page.getByRole('button', { name: 'Create redeem' }).click()
		await page.waitForURL(`${base}/admin/redeems`)
		expect(await page.textContent('.flash')).toContain('stretch is created')
		expect(await page.textContent('main')).toContain('stretch')
		const replies = await bot.chatReplies({ id: 'dora', displayName: 'Dora' }, '!stretch the long way')
		expect(replies[0]).toContain('stretch')
		expect(existsSync(join(bot.dir, 'redeems.toml.bak'))).toBe(true)
		await page.close()
	})

	test('a moderator signs in from chat: the page goes on by itself once the code is typed', async () => {
		const context = await browser.newContext({ viewport: { width: 360, height: 800 }, bypassCSP: AXE !== undefined })
		const page = await context.newPage()
		await page.goto(`${base}/admin/login`)
		await page.getByRole('button', { name: 'Get a code' }).click()
		const code = ((await page.textContent('.chat-code code')) ?? '').replace('!link ', '')
		expect(code).toMatch(/^[A-Z0-9]{6}$/)
		if (AXE) {
			await page.addScriptTag({ path: AXE })
			const violations = await page.evaluate(async () => {
				const axe = (window as unknown as { axe: { run(): Promise<{ violations: { id: string }[] }> } }).axe
				return (await axe.run()).violations.map((v) => v.id)
			})
			expect(violations).toEqual([])
		}
		await page.screenshot({ path: join(SCREENSHOTS, 'admin-chat-login-360.png'), fullPage: true })
		await bot.chatReplies({ id: 'mod', displayName: 'Mod Erator', moderator: true }, `!link ${code}`)
		await page.waitForURL(`${base}/admin`, { timeout: 10_000 })
		expect(await page.textContent('.flash')).toBe('Logged in as Mod Erator (moderator).')
		await context.close()
	})

	test('the sound and notification switches are per browser and remembered', async () => {
		const page = await loggedIn(1280)
		await page.waitForFunction(() => document.body.dataset.live === 'open')
		expect(await page.isChecked('.live-sound')).toBe(false)
		await page.check('.live-sound')
		await page.reload()
		await page.waitForFunction(() => document.body.dataset.live === 'open')
		expect(await page.isChecked('.live-sound')).toBe(true)
		// 127.0.0.1 is a secure context; the browser asks for permission, which a test browser grants here.
		await page.context().grantPermissions(['notifications'])
		await page.check('.live-notify')
		await page.waitForFunction(() => localStorage.getItem('tlapbot.admin.notify') === '1')
		await page.uncheck('.live-sound')
		expect(await page.evaluate(() => localStorage.getItem('tlapbot.admin.sound'))).toBeNull()
		await page.close()
	})

	test('sign a viewer out of one browser, then everywhere, through the forms', async () => {
		const firefox = await signIn('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')
		const chrome = await signIn('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36')
		const page = await loggedIn(1280)
		await page.goto(`${base}/admin/viewers?q=ali`)
		await page.click('a:has-text("2 sign-ins")')
		await page.waitForURL(`${base}/admin/viewers/alice/sessions?q=ali`)
		await page.locator('tr', { hasText: 'Firefox 128 on Linux' }).locator('button', { hasText: 'Sign out' }).click()
		await page.waitForLoadState()
		expect(await page.textContent('main')).toContain('Alice: signed out of that browser.')
		expect(await storeStatus(firefox)).toBe(401)
		expect(await storeStatus(chrome)).toBe(200)
		await page.click('button:has-text("Sign out everywhere (1 browser)")')
		await page.waitForLoadState()
		expect(await page.textContent('main')).toContain('Alice: signed out everywhere (1 browser).')
		expect(await page.textContent('main')).toContain('Not signed in on any browser.')
		expect(await storeStatus(chrome)).toBe(401)
		await page.click('text=Back to the viewers')
		expect(page.url()).toBe(`${base}/admin/viewers?q=ali`)
		await page.close()
	})

	for (const width of [1280, 360]) {
		test(`at ${width} px: no horizontal scroll, no column narrower than its words${AXE ? ', no axe violations' : ''}`, async () => {
			if (!bot.db.query("SELECT 1 FROM redemptions WHERE source = 'page'").get()) {
				const session = await signIn('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1')
				await signIn('<b>curl</b>/8.0 with a very long tail that goes on and on and on and on and on and on')
				const redeem = (body: unknown) =>
					bot.app.handle(
						new Request('http://localhost/api/store/redeem', {
							method: 'POST',
							headers: { 'content-type': 'application/json', authorization: `Bearer ${session}` },
							body: JSON.stringify(body)
						})
					)
				expect((await redeem({ redeem: 'request', note: 'level 2 please, the one with the long lava section' })).status).toBe(200)
				expect((await redeem({ redeem: 'react', note: `https://example.com/watch?v=${'x'.repeat(120)}` })).status).toBe(200)
				await bot.chatReplies({ id: 'bob', displayName: 'Bob with a rather long display name' }, '!hydrate')
			}
			const page = await loggedIn(width, AXE !== undefined)
			const paths = ['/admin', '/admin/dock', '/admin/redeems', '/admin/economy', '/admin/new-redeem', '/admin/redeems/hydrate/edit', '/admin/viewers', '/admin/viewers/alice', '/admin/viewers/alice/sessions', '/admin/audit']
			for (const path of paths) {
				await page.goto(`${base}${path}`)
				const where = `${path} at ${width} px`
				expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), where).toBe(true)
				expect(await brokenWords(page), where).toEqual([])
				await page.screenshot({ path: join(SCREENSHOTS, `admin${path.replace(/^\/admin/, '').replaceAll('/', '-') || '-queue'}-${width}.png`), fullPage: true })
				if (AXE) {
					await page.addScriptTag({ path: AXE })
					const violations = await page.evaluate(async () => {
						const axe = (window as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe
						return (await axe.run()).violations.map((v) => `${v.id} (${v.nodes.length})`)
					})
					expect(violations, where).toEqual([])
				}
			}
			const queue = await (await page.goto(`${base}/admin`))?.text()
			expect(queue).toContain('via page')
			await page.close()
		})
	}
})
