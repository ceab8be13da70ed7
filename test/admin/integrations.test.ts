// The admin page's Integrations tab: outgoing webhooks by host only (never their path or secret), their recent
// deliveries, the test-event button (CSRF, one receiver only, delivered), the overlay URLs; and its layout in Chromium.
import { afterEach, expect, test } from 'bun:test'
import type { Page } from 'playwright-core'
import { overlayKey } from '../../src/modules/events/routes.ts'
import { receiverId } from '../../src/modules/events/outbox.ts'
import { describeInBrowser, launchChromium } from '../support/browser.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'
import { flashOf as flashOfResponse } from '../support/admin-http.ts'

const PASSWORD = 'correct horse battery'
const alice = { id: 'alice', displayName: 'Alice' }
const FAST = { backoffMs: 30, maxBackoffMs: 200, pollMs: 20 }

const cleanups: (() => unknown)[] = []
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

type Hook = { url: string; hits: Record<string, unknown>[]; status: number }

/** An HTTP receiver on loopback answering `status`, recording the JSON bodies it gets. */
function hook(path: string, status = 200): Hook {
	const h: Hook = { url: '', hits: [], status }
	const server = Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		async fetch(request) {
			h.hits.push((await request.json()) as Record<string, unknown>)
			return new Response(null, { status: h.status })
		}
	})
	h.url = `http://127.0.0.1:${server.port}${path}`
	cleanups.push(() => server.stop(true))
	return h
}

async function until(check: () => unknown, what: string, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
		await Bun.sleep(10)
	}
}

async function setUp(webhooks: Record<string, unknown>[]): Promise<TestBot> {
	const bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '5000', TLAPBOT_ADMIN_PASSWORD: PASSWORD } })
	cleanups.push(() => bot.close())
	if (webhooks.length) bot.reconfigure({ outgoing_webhooks: webhooks })
	bot.deps.outbox.start(FAST)
	cleanups.push(() => bot.deps.outbox.stop())
	return bot
}

type Admin = { cookie: string; csrf: string }

function send(b: TestBot, path: string, options: { form?: Record<string, string>; cookie?: string; headers?: Record<string, string> } = {}) {
	const headers: Record<string, string> = { ...options.headers }
	if (options.cookie) headers.cookie = options.cookie
	if (options.form) headers['content-type'] = 'application/x-www-form-urlencoded'
	return b.app.handle(
		new Request(`http://localhost${path}`, {
			method: options.form ? 'POST' : 'GET',
			headers,
			...(options.form ? { body: new URLSearchParams(options.form).toString() } : {})
		})
	)
}

async function login(b: TestBot): Promise<Admin> {
	const response = await send(b, '/admin/login', { form: { password: PASSWORD } })
	expect(response.status).toBe(303)
	const cookie = /^(tlapbot_admin=[^;]*)/.exec(response.headers.get('set-cookie') ?? '')?.[1] ?? ''
	const page = await (await send(b, '/admin', { cookie })).text()
	return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '' }
}

async function integrations(b: TestBot, admin: Admin): Promise<string> {
	const response = await send(b, '/admin/integrations', { cookie: admin.cookie })
	expect(response.status).toBe(200)
	expect(response.headers.get('content-security-policy')).toContain("default-src 'none'")
	return response.text()
}

function flashOf(response: Response) {
	const { path, ok, error } = flashOfResponse(response)
	return { path, ok: ok ?? null, error: error ?? null }
}

const events = (b: TestBot) => b.db.query<{ name: string }, []>('SELECT name FROM events ORDER BY id').all().map((r) => r.name)
const outbox = (b: TestBot) =>
	b.db
		.query<{ receiver: string; delivered: number }, []>('SELECT receiver, delivered_at IS NOT NULL AS delivered FROM outbox ORDER BY id')
		.all()

test('the tab needs a login, and shows up in the tabs of every admin page', async () => {
	const bot = await setUp([])
	const response = await send(bot, '/admin/integrations')
	expect(response.status).toBe(303)
	expect(response.headers.get('location')).toBe('/admin/login')
	const admin = await login(bot)
	expect(await (await send(bot, '/admin', { cookie: admin.cookie })).text()).toContain('<a href="/admin/integrations" class="tab"')
	const page = await integrations(bot, admin)
	expect(page).toContain('aria-current="page"')
	expect(page).toContain('No outgoing webhooks are set.')
	expect(page).toContain('Nothing was sent yet.')
})

test('lists receivers by host only and their deliveries: delivered, retrying, attempts, last answer', async () => {
	const good = hook('/hooks/s3cr3t-good')
	const bad = hook('/api/webhooks/1/s3cr3t-bad', 500)
	const bot = await setUp([
		{ url: good.url, events: ['counter.updated', 'redemption.created'], secret: 'sign-s3cr3t' },
		{ url: bad.url, events: ['*'], format: 'discord' }
	])
	await bot.chatReplies(alice, '!lurk')
	await until(() => good.hits.length === 1 && bad.hits.length >= 2, 'the deliveries')
	const page = await integrations(bot, await login(bot))
	expect(page).not.toContain('s3cr3t')
	const host = new URL(good.url).host
	expect(page).toContain(`<code>${host}</code>`)
	expect(page).toContain('JSON, signed')
	expect(page).toContain('counter.updated, redemption.created')
	expect(page).toContain('Discord')
	expect(page).toMatch(/>all</)
	// Newest first: the Discord one (retrying, HTTP 500) was recorded second.
	const rows = [...page.matchAll(/<tr><td><time[^>]*>[^<]*<\/time><\/td><td>([^<]*)<\/td><td[^>]*>([^<]*)<\/td><td><span class="delivery delivery-([a-z-]+)">[^<]*<\/span><\/td><td[^>]*>(\d+)<\/td><td[^>]*>([^<]*)<\/td><\/tr>/g)].map(
		(m) => m.slice(1)
	)
	expect(rows).toHaveLength(2)
	expect(rows[0]).toEqual([`outgoing webhook #2 (${new URL(bad.url).host})`, 'counter.updated', 'retrying', expect.stringMatching(/^\d+$/), 'HTTP 500'])
	expect(rows[1]).toEqual([`outgoing webhook #1 (${host})`, 'counter.updated', 'delivered', '1', 'HTTP 200'])
	// The Discord receiver is stuck on its first event: the Waiting column says so.
	expect(page).toContain('<span>counter.updated</span> <span class="delivery delivery-retrying">retrying</span>')
})

test('"Send a test event" records a test event for that receiver only, delivers it, and is audited', async () => {
	const one = hook('/one/s3cr3t-1')
	const two = hook('/two/s3cr3t-2')
	const bot = await setUp([
		{ url: one.url, events: ['stream.started'] },
		{ url: two.url, events: ['*'] }
	])
	const admin = await login(bot)
	const id = receiverId(one.url)
	let page = await integrations(bot, admin)
	expect(page).toContain(`action="/admin/integrations/${id}/test"`)

	// Without the CSRF token, or from another site: refused, nothing recorded.
	expect((await send(bot, `/admin/integrations/${id}/test`, { cookie: admin.cookie, form: { csrf: 'nope' } })).status).toBe(403)
	const foreign = await send(bot, `/admin/integrations/${id}/test`, {
		cookie: admin.cookie,
		form: { csrf: admin.csrf },
		headers: { origin: 'https://evil.example' }
	})
	expect(foreign.status).toBe(403)
	expect(events(bot)).toEqual([])

	const sent = flashOf(await send(bot, `/admin/integrations/${id}/test`, { cookie: admin.cookie, form: { csrf: admin.csrf } }))
	expect(sent.path).toBe('/admin/integrations')
	expect(sent.ok).toContain('A test event is on its way to outgoing webhook #1 (127.0.0.1:')
	expect(events(bot)).toEqual(['test'])
	expect(outbox(bot).map((r) => r.receiver)).toEqual([id])
	await until(() => outbox(bot)[0]?.delivered, 'the test delivery')
	expect(one.hits).toEqual([{ id: expect.any(Number), event: 'test', at: expect.any(String), data: { message: 'A test event from the tlapbot admin page.', webhook: 1 } }])
	expect(two.hits).toEqual([])
	page = await integrations(bot, admin)
	expect(page).toMatch(/<td data-label="Event">test<\/td><td><span class="delivery delivery-delivered">delivered<\/span>/)
	const audit = bot.db.query<{ action: string; detail: string }, []>('SELECT action, detail FROM audit_log').all()
	expect(audit.filter((a) => a.action === 'webhook test')).toEqual([{ action: 'webhook test', detail: expect.stringContaining('outgoing webhook #1 (127.0.0.1:') }])

	// A receiver that is not (or no longer) configured: an error, nothing recorded.
	const unknown = flashOf(await send(bot, '/admin/integrations/0123456789abcdef/test', { cookie: admin.cookie, form: { csrf: admin.csrf } }))
	expect(unknown.error).toContain('There is no such outgoing webhook')
	const malformed = flashOf(await send(bot, '/admin/integrations/..%2Fx/test', { cookie: admin.cookie, form: { csrf: admin.csrf } }))
	expect(malformed.error).toContain('There is no such outgoing webhook')
	expect(events(bot)).toEqual(['test'])
	for (const line of bot.logs) expect(line).not.toContain('s3cr3t')
})

test('the overlay URLs, with the overlay key and a note that they contain it', async () => {
	const bot = await setUp([])
	const page = await integrations(bot, await login(bot))
	const key = overlayKey(bot.deps.settings().config)
	expect(page).toContain('These URLs contain the overlay key')
	expect(page).toContain(`/overlay/alerts?key=${key}`)
	expect(page).toContain(`/overlay/goal?key=${key}&amp;milestone=go_nap`)
	expect(page).toContain(`/overlay/counter?key=${key}&amp;counter=lurk`)
	expect(page).toContain(`/api/events?key=${key}`)
})

/** Words split across two lines in tables, the header and headings (free text and URLs excepted). */
const brokenWords = (page: Page) =>
	page.evaluate(() => {
		const broken: string[] = []
		for (const element of Array.from(document.querySelectorAll('th, td, .admin-header a, .admin-header button, h1, h2'))) {
			const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT)
			for (let node = walker.nextNode(); node; node = walker.nextNode()) {
				if (node.parentElement?.closest('.detail, .visually-hidden')) continue
				const text = node.textContent ?? ''
				for (const match of text.matchAll(/\S+/g)) {
					const range = document.createRange()
					range.setStart(node, match.index)
					range.setEnd(node, match.index + match[0].length)
					if (new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size > 1) broken.push(match[0])
				}
			}
		}
		return broken
	})

describeInBrowser('the Integrations tab in Chromium', () => {
	test('at 1280 and 360 px: no horizontal scroll, no column narrower than its words; the test button works', async () => {
		const up = hook('/hooks/s3cr3t-up')
		const down = hook('/api/webhooks/123456789012345678/s3cr3t-down', 500)
		const bot = await setUp([
			{ url: up.url, events: ['redemption.created', 'redemption.updated', 'milestone.completed'], secret: 'x' },
			{ url: down.url, events: ['*'], format: 'discord' }
		])
		await bot.chatReplies(alice, '!hydrate')
		await until(() => up.hits.length === 1 && down.hits.length >= 2, 'the deliveries')
		bot.app.listen({ hostname: '127.0.0.1', port: 0 })
		cleanups.push(() => bot.app.stop())
		const base = `http://127.0.0.1:${bot.app.server?.port}`
		const browser = await launchChromium()
		cleanups.push(() => browser.close())
		for (const width of [1280, 360]) {
			const page = await browser.newPage({ viewport: { width, height: 900 } })
			await page.goto(`${base}/admin/login`)
			await page.fill('input[type=password]', PASSWORD)
			await page.click('button[type=submit]')
			await page.waitForURL(`${base}/admin**`)
			await page.goto(`${base}/admin/integrations`)
			const where = `at ${width} px`
			expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), where).toBe(true)
			expect(await brokenWords(page), where).toEqual([])
			if (width === 1280) {
				await page.locator('tr', { hasText: '#1' }).locator('button', { hasText: 'Send a test event' }).click()
				await page.waitForLoadState()
				expect(await page.textContent('main')).toContain('A test event is on its way to outgoing webhook #1')
				await until(() => up.hits.some((h) => h.event === 'test'), 'the test event')
			}
			await page.close()
		}
	})
})
