// The admin page in a real Chromium: browsers send Origin (or "null") on form posts, which app.handle tests
// cannot show. Logs in, marks a redemption done and refunds another, all through the forms.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type Browser } from 'playwright-core'
import { describeInBrowser, launchChromium } from '../support/browser.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'

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
		await page.waitForLoadState()
		expect(await page.textContent('body')).not.toContain('Refused')

		const statuses = bot.db.query('SELECT id, status FROM redemptions ORDER BY id').all()
		expect(statuses).toEqual([
			{ id: 1, status: 'fulfilled' },
			{ id: 2, status: 'rejected' }
		])
		expect(bot.balance('alice')).toBe(940)
		await page.close()
	})
})
