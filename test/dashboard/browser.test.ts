// The dashboard in a real headless Chromium (Debian's package, driven by playwright-core).
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, type Page } from 'playwright-core'
import { describeInBrowser, expectAccessible, launchChromium } from '../support/browser.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'

const SCREENSHOTS = join(import.meta.dir, '..', 'screenshots')

/** Polls until check passes or the cap runs out; never a fixed sleep. */
async function eventually(check: () => Promise<boolean> | boolean, what: string, capMs = 10_000) {
	const deadline = Date.now() + capMs
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
		await Bun.sleep(50)
	}
}

describeInBrowser('dashboard in Chromium', () => {
	let bot: TestBot
	let browser: Browser
	let base: string
	const alice = { id: 'alice-id', displayName: 'Alice' }

	beforeAll(async () => {
		mkdirSync(SCREENSHOTS, { recursive: true })
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '5000' } })
		bot.app.listen({ hostname: '127.0.0.1', port: 0 })
		base = `http://127.0.0.1:${bot.app.server?.port}`
		await bot.chatReplies(alice, '!lurk')
		await bot.chatReplies(alice, '!go_nap 400')
		await bot.chatReplies(alice, `!react ${'a-very-long-unbroken-link-'.repeat(8)} <script>window.pwned = 1</script> " onmouseover="window.pwned = 2`)
		await bot.chatReplies({ id: 'bob', displayName: 'Bob "the <b>bold</b>"' }, '!hydrate')
		// The economy on the Dashboard tab: a prediction with bets, a poll with votes (Alice's balance is left alone).
		const mod = { id: 'mod', displayName: 'Mod', moderator: true }
		await bot.chatReplies(mod, '!predict open Will the boss fall on the first try? | yes | no | it never falls')
		await bot.chatReplies({ id: 'bob', displayName: 'Bob "the <b>bold</b>"' }, '!bet no 250')
		await bot.chatReplies({ id: 'carol', displayName: 'Carol' }, '!bet yes 100')
		await bot.chatReplies(mod, '!poll open snack Which snack tonight? | popcorn | nachos | fruit')
		await bot.chatReplies({ id: 'bob', displayName: 'Bob "the <b>bold</b>"' }, '!vote snack nachos 120')
		await bot.chatReplies({ id: 'carol', displayName: 'Carol' }, '!vote snack popcorn 40')
		browser = await launchChromium()
	})

	afterAll(async () => {
		await browser?.close()
		await bot?.app.stop()
		bot?.close()
	})

	async function open(width: number, path: string): Promise<{ page: Page; errors: string[] }> {
		const page = await browser.newPage({ viewport: { width, height: 800 } })
		const errors: string[] = []
		page.on('console', (m) => {
			if (m.type() === 'error') errors.push(m.text())
		})
		page.on('pageerror', (e) => errors.push(e.message))
		page.on('dialog', (d) => {
			errors.push(`dialog opened: ${d.message()}`)
			void d.dismiss()
		})
		await page.goto(`${base}${path}`)
		return { page, errors }
	}

	for (const width of [360, 1280]) {
		test(`at ${width} px: tabs switch, balance shows, no horizontal scroll, no console errors`, async () => {
			const { page, errors } = await open(width, '/dashboard?username=Alice&instance=https%3A%2F%2Flive.example.com%2F')
			expect(await page.textContent('#balance')).toContain('Alice: 4399 points')
			expect(await page.textContent('main')).toContain('Counters')
			const noScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)
			expect(await noScroll()).toBe(true)
			expect(await page.textContent('.earn')).toContain('Everyone in chat gets 10 points every 10 minutes while the stream is live.')
			expect(await page.textContent('.prediction')).toContain('x1.40')
			expect(await page.textContent('.polls')).toContain('120 points (75%)')
			await expectAccessible(page, `dashboard tab at ${width} px`)
			await page.screenshot({ path: join(SCREENSHOTS, `dashboard-${width}.png`), fullPage: true })

			await page.click('text=Redeem queue')
			await page.waitForURL(/tab=queue/)
			expect(await page.textContent('main')).toContain('2 entries, pending first, oldest first')
			expect(await page.textContent('#balance')).toContain('Alice: 4399 points')
			expect(await noScroll()).toBe(true)
			await expectAccessible(page, `queue tab at ${width} px`)
			await page.screenshot({ path: join(SCREENSHOTS, `queue-${width}.png`), fullPage: true })

			await page.getByRole('link', { name: 'Redeems', exact: true }).click()
			await page.waitForURL(/tab=help/)
			expect(await page.textContent('main')).toContain('How redeems work')
			await page.getByRole('button', { name: 'Sign in to redeem here' }).waitFor()
			expect(await noScroll()).toBe(true)
			await expectAccessible(page, `Redeems tab at ${width} px`)
			await page.screenshot({ path: join(SCREENSHOTS, `help-${width}.png`), fullPage: true })

			await page.locator('nav.tabs').getByRole('link', { name: 'Leaderboard', exact: true }).click()
			await page.waitForURL(/tab=leaderboard/)
			expect(await page.textContent('main')).toContain('Most points')
			expect(await page.textContent('main')).toContain('!hide takes you off the list')
			expect(await page.textContent('#board-balance + ol')).toContain('Carol')
			expect(await noScroll()).toBe(true)
			await expectAccessible(page, `Leaderboard tab at ${width} px`)
			await page.screenshot({ path: join(SCREENSHOTS, `leaderboard-${width}.png`), fullPage: true })
			expect(errors).toEqual([])
			await page.close()
		})
	}

	test('a hostile note and name render as text', async () => {
		const { page, errors } = await open(360, '/dashboard?tab=queue')
		const note = await page.textContent('.note')
		expect(note).toContain('<script>window.pwned = 1</script>')
		expect(note).toContain('" onmouseover="window.pwned = 2')
		expect(await page.textContent('main')).toContain('Bob "the <b>bold</b>"')
		await page.hover('.note')
		expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined()
		expect(await page.locator('main script').count()).toBe(0)
		expect(errors).toEqual([])
		await page.close()
	})

	test('times show in local time once the script runs', async () => {
		const { page } = await open(1280, '/dashboard')
		await eventually(async () => !(await page.textContent('time'))?.includes('UTC'), 'local times')
		expect(await page.textContent('time')).toMatch(/just now|min ago/)
		await page.close()
	})

	test('the page updates itself after a redeem, without reload', async () => {
		const { page, errors } = await open(360, '/dashboard?username=Alice')
		await page.evaluate(() => {
			;(window as unknown as { marker: string }).marker = 'same page'
		})
		const count = () => page.textContent('.counters .count')
		expect(await count()).toBe('1')
		await bot.chatReplies(alice, '!lurk')
		await bot.chatReplies(alice, '!go_nap 100')
		await eventually(async () => (await count()) === '2', 'the counter to reach 2')
		await eventually(async () => (await page.textContent('.milestone'))?.includes('500 / 1000') ?? false, 'milestone progress')
		expect(await page.textContent('#balance')).toContain('Alice: 4298 points')
		expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page')
		expect(errors).toEqual([])
		await page.close()
	})

	test('a betting window counts down, and the prediction shows as locked when it ends, without reload', async () => {
		const mod = { id: 'mod', displayName: 'Mod', moderator: true }
		await bot.chatReplies(mod, '!predict cancel')
		await bot.chatReplies(mod, '!predict open 4 Quick one? | a | b')
		const { page, errors } = await open(360, '/dashboard')
		await eventually(async () => /^in \d s$/.test((await page.textContent('.prediction time.countdown')) ?? ''), 'the countdown')
		await eventually(async () => (await page.textContent('.prediction'))?.includes('Betting is locked') ?? false, 'the lock', 15_000)
		expect(errors).toEqual([])
		await page.close()
	}, 30_000)
})
