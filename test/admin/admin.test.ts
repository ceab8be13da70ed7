import { afterEach, describe, expect, test } from 'bun:test'
import { createTestBot, type TestBot } from '../support/bot.ts'
import { act, flashCookieHeader, flashOf, follow, html, login as loginWith, send, sessionFrom, type Send } from '../support/admin-http.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const PASSWORD = 'correct horse battery'
const rich = { TLAPBOT_STARTING_POINTS: '5000', TLAPBOT_ADMIN_PASSWORD: PASSWORD }
const alice = { id: 'alice-id', displayName: 'Alice' }
const bob = { id: 'bob-id', displayName: 'Bob' }

const login = (b: TestBot, password = PASSWORD) => loginWith(b, password)

const statusOf = (b: TestBot, id: number) =>
	b.db.query<{ status: string }, [number]>('SELECT status FROM redemptions WHERE id = ?').get(id)?.status
const refundsOf = (b: TestBot, id: number) =>
	b.db.query<{ delta: number }, [number]>("SELECT delta FROM ledger WHERE redemption_id = ? AND reason = 'refund'").all(id)
const auditRows = (b: TestBot) =>
	b.db.query<{ actor: string; action: string; detail: string }, []>('SELECT actor, action, detail FROM audit_log ORDER BY id').all()
const moderatorLedger = (b: TestBot, viewer: string) =>
	b.db
		.query<{ delta: number }, [string]>("SELECT delta FROM ledger WHERE viewer_id = ? AND reason = 'moderator' ORDER BY id")
		.all(viewer)
		.map((r) => r.delta)

describe('login', () => {
	test('every admin page needs a login: a 303 to /admin/login, and a POST changes nothing', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!hydrate')
		for (const path of ['/admin', '/admin/viewers?q=a', '/admin/audit', '/admin/no-such-page']) {
			const response = await send(bot, path)
			expect(response.status).toBe(303)
			expect(response.headers.get('location')).toBe('/admin/login')
		}
		const post = await send(bot, '/admin/redemptions/1', { form: { action: 'reject', csrf: 'x' } })
		expect(post.status).toBe(303)
		expect(post.headers.get('location')).toBe('/admin/login')
		expect(statusOf(bot, 1)).toBe('pending')
		expect(bot.balance(alice.id)).toBe(4940)
		// A cookie that is not ours does not count either.
		const forged = await send(bot, '/admin', { cookie: 'tlapbot_admin=9999999999.aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' })
		expect(forged.status).toBe(303)
		const page = await send(bot, '/admin/login')
		expect(page.status).toBe(200)
		expect(await page.text()).toContain('<input type="password" id="password" name="password"')
	})

	test('the plain-text password logs in with a strict, HttpOnly, 12-hour cookie on /admin', async () => {
		bot = await createTestBot({ env: rich })
		const response = await send(bot, '/admin/login', { form: { password: PASSWORD } })
		expect(response.status).toBe(303)
		expect(response.headers.get('location')).toBe('/admin')
		const header = response.headers.get('set-cookie') ?? ''
		expect(header).toMatch(/^tlapbot_admin=\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43};/)
		const flags = header.split(';').slice(1).map((f) => f.trim())
		expect(flags).toContain('HttpOnly')
		expect(flags).toContain('SameSite=Strict')
		expect(flags).toContain('Path=/admin')
		expect(flags).toContain('Max-Age=43200')
		// public_url is not https here, so the cookie must also work over plain http.
		expect(flags).not.toContain('Secure')
		const cookie = sessionFrom(response)
		const page = await send(bot, '/admin', { cookie })
		expect(page.status).toBe(200)
		expect(await page.text()).toContain('Pending redeems')
		// Logged in, the login page sends you on.
		expect((await send(bot, '/admin/login', { cookie })).status).toBe(303)
		expect(auditRows(bot)).toEqual([{ actor: 'admin (web)', action: 'login', detail: 'the password' }])
	})

	test('the session ends after 12 hours, when the cookie is tampered with, and when secret_key changes', async () => {
		bot = await createTestBot({ env: rich })
		const { cookie } = await login(bot)
		const b = bot
		const status = async (c: string) => (await send(b, '/admin', { cookie: c })).status
		expect(await status(cookie)).toBe(200)
		const [name, value] = cookie.split('=') as [string, string]
		const [expiry, id, mac] = value.split('.') as [string, string, string]
		expect(await status(`${name}=${Number(expiry) + 3600}.${id}.${mac}`)).toBe(303)
		expect(await status(`${name}=${expiry}.${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}.${mac}`)).toBe(303)
		const start = Date.now()
		bot.setClock(() => start + 12 * 3600_000 - 60_000)
		expect(await status(cookie)).toBe(200)
		bot.setClock(() => start + 12 * 3600_000 + 60_000)
		expect(await status(cookie)).toBe(303)
		bot.setClock(Date.now)
		bot.reconfigure({ secret_key: 'a-different-secret-0123456789' })
		expect(await status(cookie)).toBe(303)
	})

	test('the cookie is Secure when public_url is https', async () => {
		bot = await createTestBot({ env: { ...rich, TLAPBOT_PUBLIC_URL: 'https://bot.example.com' } })
		const response = await send(bot, '/admin/login', { form: { password: PASSWORD } })
		expect(response.headers.get('set-cookie')).toContain('; Secure')
	})

	test('a Bun.password hash (argon2id or bcrypt) as admin_password', async () => {
		const argon = await Bun.password.hash(PASSWORD, { algorithm: 'argon2id', memoryCost: 256, timeCost: 1 })
		const bcrypt = await Bun.password.hash(PASSWORD, { algorithm: 'bcrypt', cost: 4 })
		expect(argon).toStartWith('$argon2id$')
		expect(bcrypt).toStartWith('$2')
		for (const hash of [argon, bcrypt]) {
			bot = await createTestBot({ env: { TLAPBOT_ADMIN_PASSWORD: hash } })
			// Past the wait each wrong password brings (1 s, then 2 s).
			let now = Date.now()
			bot.setClock(() => now)
			expect((await send(bot, '/admin/login', { form: { password: hash } })).status).toBe(401)
			now += 1000
			expect((await send(bot, '/admin/login', { form: { password: 'correct horse' } })).status).toBe(401)
			now += 2000
			await login(bot)
			bot.close()
			bot = undefined
		}
	})

	test('each wrong password doubles the wait (1 s, 2 s, 4 s ... 60 s): 429 with Retry-After, then the right one works', async () => {
		bot = await createTestBot({ env: rich })
		let now = Date.now()
		bot.setClock(() => now)
		const b = bot
		const attempt = (password: string) => send(b, '/admin/login', { form: { password } })
		const waits = [1, 2, 4, 8, 16, 32, 60, 60]
		for (const [i, wait] of waits.entries()) {
			const response = await attempt(`wrong ${i}`)
			expect(response.status).toBe(401)
			expect(response.headers.get('set-cookie')).toBeNull()
			expect(await response.text()).toContain('Wrong password.')
			// While waiting, even the right password is refused, and says how long is left.
			const early = await attempt(PASSWORD)
			expect(early.status).toBe(429)
			expect(early.headers.get('retry-after')).toBe(String(wait))
			expect(early.headers.get('set-cookie')).toBeNull()
			expect(await early.text()).toContain(`wait ${wait} second`)
			now += wait * 1000 - 1
			expect((await attempt(PASSWORD)).headers.get('retry-after')).toBe('1')
			now += 1
		}
		expect((await attempt(PASSWORD)).status).toBe(303)
		// A right password forgets the failures: logging in again and again never waits.
		for (let i = 0; i < 4; i++) expect((await attempt(PASSWORD)).status).toBe(303)
		expect((await attempt('nope')).status).toBe(401)
		now += 1000
		// And a wrong one after that starts again from 1 s.
		expect((await attempt('nope again')).status).toBe(401)
		expect((await attempt(PASSWORD)).headers.get('retry-after')).toBe('2')
	})

	test('without admin_password the login page explains how to get in, and no password works', async () => {
		bot = await createTestBot()
		const page = await send(bot, '/admin/login')
		expect(page.status).toBe(200)
		const text = await page.text()
		expect(text).toContain('admin_password')
		expect(text).toContain('tlapbot admin-link')
		expect(text).not.toContain('type="password"')
		const post = await send(bot, '/admin/login', { form: { password: '' } })
		expect(post.status).toBe(403)
		expect(post.headers.get('set-cookie')).toBeNull()
	})

	test('logging out clears the cookie and ends the session; it needs the CSRF token', async () => {
		bot = await createTestBot({ env: rich })
		const admin = await login(bot)
		expect((await send(bot, '/admin/logout', { cookie: admin.cookie, form: {} })).status).toBe(403)
		expect((await send(bot, '/admin', { cookie: admin.cookie })).status).toBe(200)
		const out = await act(bot, admin, '/admin/logout', {})
		expect(flashOf(out)).toEqual({ path: '/admin/login', ok: 'Logged out.' })
		expect(out.headers.get('set-cookie')).toMatch(/^tlapbot_admin=; Path=\/admin; Max-Age=0;/)
		expect((await send(bot, '/admin', { cookie: admin.cookie })).status).toBe(303)
		// The message comes in a signed cookie, shown once: a reload does not show it again.
		const shown = await send(bot, '/admin/login', { cookie: flashCookieHeader(out) })
		expect(await shown.text()).toContain('Logged out.')
		expect(shown.headers.getSetCookie().some((c) => c.startsWith('tlapbot_flash=; Path=/admin; Max-Age=0'))).toBe(true)
		// The login page is public: it shows no text a stranger's link puts in the query string or a forged cookie.
		const spoof = await (await send(bot, '/admin/login?error=Session+expired%2C+log+in+at+evil.example')).text()
		expect(spoof).not.toContain('evil.example')
		const forged = `tlapbot_flash=${Buffer.from(JSON.stringify({ k: 'error', t: 'evil.example' })).toString('base64url')}.${'A'.repeat(43)}`
		expect(await (await send(bot, '/admin/login', { cookie: forged })).text()).not.toContain('evil.example')
	})

	test('"Logged in." shows once: a reload of the page does not repeat it', async () => {
		bot = await createTestBot({ env: rich })
		const response = await send(bot, '/admin/login', { form: { password: PASSWORD } })
		expect(response.headers.get('location')).toBe('/admin')
		const cookie = sessionFrom(response)
		const first = await send(bot, '/admin', { cookie: `${cookie}; ${flashCookieHeader(response)}` })
		expect(await first.text()).toContain('Logged in.')
		// The browser drops the cleared cookie; the reload sends only the session.
		expect(first.headers.getSetCookie().some((c) => c.startsWith('tlapbot_flash=;'))).toBe(true)
		expect(await (await send(bot, '/admin', { cookie })).text()).not.toContain('Logged in.')
	})
})

describe('the queue', () => {
	test('Done, Reject and Refund change the status; a refund happens exactly once', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!hydrate')
		await bot.chatReplies(alice, '!request level 2')
		await bot.chatReplies(bob, '!react https://example.com/v')
		expect(bot.balance(alice.id)).toBe(4840)
		const admin = await login(bot)
		const queue = await html(bot, '/admin', admin)
		for (const id of [1, 2, 3]) expect(queue).toContain(`action="/admin/redemptions/${id}"`)
		expect(queue).toContain('level 2')

		const done = await act(bot, admin, '/admin/redemptions/1', { action: 'done', reason: '' })
		expect(flashOf(done)).toEqual({ path: '/admin', ok: '#1 hydrate by Alice: marked done.' })
		expect(statusOf(bot, 1)).toBe('fulfilled')
		expect(bot.balance(alice.id)).toBe(4840)
		expect(refundsOf(bot, 1)).toEqual([])

		// Reject and Refund first ask, in the page: nothing changes until the confirmation's button.
		const ask = await act(bot, admin, '/admin/redemptions/2', { action: 'reject', reason: 'not today', back: '/admin?redeem=request' })
		expect(ask.status).toBe(200)
		const askPage = await ask.text()
		expect(askPage).toContain('<h1>Reject #2?</h1>')
		expect(askPage).toContain('#2 request by Alice: 100 points back')
		expect(askPage).toContain('name="confirm" value="yes"')
		expect(askPage).toContain('>not today</textarea>')
		expect(askPage).toContain('href="/admin?redeem=request">Cancel</a>')
		expect(statusOf(bot, 2)).toBe('pending')
		expect(bot.balance(alice.id)).toBe(4840)
		const reject = await act(bot, admin, '/admin/redemptions/2', { action: 'reject', reason: 'not today', confirm: 'yes', back: '/admin?redeem=request' })
		expect(flashOf(reject).path).toBe('/admin')
		expect(reject.headers.get('location')).toBe('/admin?redeem=request')
		expect(flashOf(reject).ok).toBe('#2 request by Alice: rejected; Alice got 100 points back.')
		expect(statusOf(bot, 2)).toBe('rejected')
		expect(bot.balance(alice.id)).toBe(4940)
		expect(refundsOf(bot, 2)).toEqual([{ delta: 100 }])

		// A second reject (a double click, another tab) does nothing.
		const again = await act(bot, admin, '/admin/redemptions/2', { action: 'reject', reason: '', confirm: 'yes' })
		expect(flashOf(again).error).toBe('Redemption #2 is already rejected; nothing changed.')
		expect(bot.balance(alice.id)).toBe(4940)
		expect(refundsOf(bot, 2)).toEqual([{ delta: 100 }])

		// What was marked done is listed with a Refund button, and refunds once.
		const after = await html(bot, '/admin', admin)
		expect(after).not.toContain('action="/admin/redemptions/2"')
		expect(after).toMatch(/action="\/admin\/redemptions\/1"[^]*value="refund"/)
		expect((await act(bot, admin, '/admin/redemptions/1', { action: 'refund', reason: '' })).status).toBe(200)
		expect(statusOf(bot, 1)).toBe('fulfilled')
		const refund = await act(bot, admin, '/admin/redemptions/1', { action: 'refund', reason: '', confirm: 'yes' })
		expect(flashOf(refund).ok).toBe('#1 hydrate by Alice: refunded; Alice got 60 points back.')
		expect(statusOf(bot, 1)).toBe('cancelled')
		expect(bot.balance(alice.id)).toBe(5000)
		const twice = await act(bot, admin, '/admin/redemptions/1', { action: 'refund', reason: '', confirm: 'yes' })
		expect(flashOf(twice).error).toBe('Redemption #1 is already refunded; nothing changed.')
		expect(bot.balance(alice.id)).toBe(5000)
		expect(refundsOf(bot, 1)).toEqual([{ delta: 60 }])

		expect(auditRows(bot).slice(1)).toEqual([
			{ actor: 'admin (web)', action: 'done', detail: '#1 hydrate by Alice' },
			{ actor: 'admin (web)', action: 'reject', detail: '#2 request by Alice: not today (refunded 100)' },
			{ actor: 'admin (web)', action: 'refund', detail: '#1 hydrate by Alice (refunded 60)' }
		])
		expect(statusOf(bot, 3)).toBe('pending')
		expect(bot.balance(bob.id)).toBe(4800)
	})

	test('unknown redemptions and bad actions are clear errors, never a 500', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!hydrate')
		const admin = await login(bot)
		expect(flashOf(await act(bot, admin, '/admin/redemptions/99', { action: 'done' })).error).toBe('There is no redemption #99.')
		expect(flashOf(await act(bot, admin, '/admin/redemptions/abc', { action: 'done' })).error).toBe('There is no redemption #abc.')
		expect(flashOf(await act(bot, admin, '/admin/redemptions/1', { action: 'delete' })).error).toBe('Choose Done, Reject, Refund or Reopen.')
		// A form cannot send the admin anywhere but back to the queue.
		expect(flashOf(await act(bot, admin, '/admin/redemptions/99', { action: 'done', back: 'https://evil.example/' })).path).toBe('/admin')
		expect((await act(bot, admin, '/admin/redemptions/99', { action: 'done', back: '//evil.example' })).headers.get('location')).toBe('/admin')
		expect(flashOf(await act(bot, admin, '/admin/redemptions/1', { action: 'reject', reason: 'x'.repeat(201) })).error).toBe(
			'The reason may be at most 200 characters.'
		)
		expect(statusOf(bot, 1)).toBe('pending')
		expect(bot.balance(alice.id)).toBe(4940)
	})

	test('a POST without the CSRF token, with a wrong one or from another site is refused with 403 and changes nothing', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!hydrate')
		const admin = await login(bot)
		const other = await login(bot)
		expect(other.csrf).not.toBe(admin.csrf)
		const before = auditRows(bot).length
		const attempts: Send[] = [
			{ cookie: admin.cookie, form: { action: 'reject' } },
			{ cookie: admin.cookie, form: { action: 'reject', csrf: '' } },
			{ cookie: admin.cookie, form: { action: 'reject', csrf: `${admin.csrf.slice(0, -1)}x` } },
			// Another session's token is no good either.
			{ cookie: admin.cookie, form: { action: 'reject', csrf: other.csrf } },
			// The right token, but the form was posted from another site's page.
			{ cookie: admin.cookie, form: { action: 'reject', csrf: admin.csrf }, headers: { origin: 'https://evil.example' } },
			{ cookie: admin.cookie, form: { action: 'reject', csrf: admin.csrf }, headers: { origin: 'null' } }
		]
		for (const attempt of attempts) {
			const response = await send(bot, '/admin/redemptions/1', attempt)
			expect(response.status).toBe(403)
			expect(await response.text()).toContain('nothing changed')
		}
		const points = await send(bot, `/admin/viewers/${alice.id}/points`, { cookie: admin.cookie, form: { mode: 'set', amount: '0' } })
		expect(points.status).toBe(403)
		expect(statusOf(bot, 1)).toBe('pending')
		expect(bot.balance(alice.id)).toBe(4940)
		expect(auditRows(bot).length).toBe(before)
		// The same form from our own page goes through.
		const sameSite = await send(bot, '/admin/redemptions/1', {
			cookie: admin.cookie,
			form: { action: 'reject', csrf: admin.csrf, confirm: 'yes' },
			headers: { origin: 'http://localhost' }
		})
		expect(flashOf(sameSite).ok).toContain('rejected')
		expect(statusOf(bot, 1)).toBe('rejected')
	})
})

describe('viewers', () => {
	test('search by name or id shows balances', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!points')
		await bot.chatReplies(bob, '!points')
		const admin = await login(bot)
		const byName = await html(bot, '/admin/viewers?q=ali', admin)
		expect(byName).toContain('<td class="viewer"><a href="/admin/viewers/alice-id?q=ali"><span>Alice</span></a></td>')
		expect(byName).toContain('<td class="num" data-label="Balance">5000</td>')
		expect(byName).not.toContain('>Bob<')
		const byId = await html(bot, '/admin/viewers?q=bob-i', admin)
		expect(byId).toContain('<td class="viewer"><a href="/admin/viewers/bob-id?q=bob-i"><span>Bob</span></a></td>')
		expect(byId).not.toContain('>Alice<')
		const all = await html(bot, '/admin/viewers', admin)
		expect(all).toContain('>Alice<')
		expect(all).toContain('>Bob<')
		expect(byName).toContain(`action="/admin/viewers/${alice.id}/points"`)
	})

	test('add, remove and set write moderator ledger rows and audit entries; removing too much is refused', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!hydrate')
		const admin = await login(bot)
		const path = `/admin/viewers/${alice.id}/points`

		const add = await act(bot, admin, path, { mode: 'add', amount: '50', q: 'ali' })
		expect(flashOf(add)).toEqual({ path: '/admin/viewers', q: 'ali', ok: 'Alice: +50, balance now 4990.' })
		expect(new URL(add.headers.get('location') ?? '', 'http://x').searchParams.get('q')).toBe('ali')
		expect(bot.balance(alice.id)).toBe(4990)

		expect(flashOf(await act(bot, admin, path, { mode: 'remove', amount: '30' })).ok).toBe('Alice: -30, balance now 4960.')
		expect(flashOf(await act(bot, admin, path, { mode: 'set', amount: '1000' })).ok).toBe('Alice: -3960, balance now 1000.')
		expect(flashOf(await act(bot, admin, path, { mode: 'set', amount: '1000' })).ok).toBe('Alice: no change, balance now 1000.')
		expect(bot.balance(alice.id)).toBe(1000)
		expect(moderatorLedger(bot, alice.id)).toEqual([50, -30, -3960])

		const tooMuch = await act(bot, admin, path, { mode: 'remove', amount: '1001' })
		expect(flashOf(tooMuch).error).toBe('Alice has only 1000 points, so 1001 cannot be removed; nothing changed.')
		expect(bot.balance(alice.id)).toBe(1000)
		expect(moderatorLedger(bot, alice.id)).toEqual([50, -30, -3960])

		const audit = auditRows(bot).filter((r) => r.action !== 'login')
		expect(audit).toEqual([
			{ actor: 'admin (web)', action: 'addpoints', detail: 'Alice (alice-id): +50, now 4990' },
			{ actor: 'admin (web)', action: 'removepoints', detail: 'Alice (alice-id): -30, now 4960' },
			{ actor: 'admin (web)', action: 'setpoints', detail: 'Alice (alice-id): -3960, now 1000' },
			{ actor: 'admin (web)', action: 'setpoints', detail: 'Alice (alice-id): +0, now 1000' }
		])
		// The viewers page shows the new balance and the message.
		const shown = await follow(bot, admin, tooMuch)
		expect(shown).toContain('<td class="num" data-label="Balance">1000</td>')
		expect(shown).toContain('Alice has only 1000 points')
	})

	test('bad amounts and unknown viewers are clear errors and change nothing', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!points')
		const admin = await login(bot)
		const path = `/admin/viewers/${alice.id}/points`
		for (const amount of ['-5', '1.5', 'abc', '', '1000000001', '99999999999']) {
			const response = await act(bot, admin, path, { mode: 'add', amount })
			expect(flashOf(response).error).toBe('The amount must be a whole number from 0 to 1000000000.')
		}
		expect(flashOf(await act(bot, admin, path, { mode: 'double', amount: '5' })).error).toBe('Choose add, remove or set.')
		expect(flashOf(await act(bot, admin, '/admin/viewers/nobody/points', { mode: 'add', amount: '5' })).error).toBe(
			'There is no viewer with id nobody.'
		)
		expect(flashOf(await act(bot, admin, path, { mode: 'add', amount: '1000000000' })).ok).toBe('Alice: +1000000000, balance now 1000005000.')
		expect(moderatorLedger(bot, alice.id)).toEqual([1_000_000_000])
	})
})

describe('audit log and safety', () => {
	test('the audit log is newest first, 50 a page', async () => {
		bot = await createTestBot({ env: rich })
		const admin = await login(bot)
		const base = Date.parse('2026-01-01T00:00:00.000Z')
		for (let i = 1; i <= 60; i++) bot.deps.moderation.audit('mod Alice', 'pause', `redeem number ${i}`, base + i * 1000)
		const first = await html(bot, '/admin/audit', admin)
		expect(first.indexOf('redeem number 60<')).toBeGreaterThan(0)
		expect(first.indexOf('redeem number 60<')).toBeLessThan(first.indexOf('redeem number 59<'))
		// The login came first, so page 1 holds numbers 60 to 11.
		expect(first).toContain('redeem number 11<')
		expect(first).not.toContain('redeem number 10<')
		expect(first).toContain('<td>mod Alice</td><td>pause</td>')
		expect(first).toContain('href="/admin/audit?page=2"')
		const second = await html(bot, '/admin/audit?page=2', admin)
		expect(second).toContain('redeem number 10<')
		expect(second).toContain('redeem number 1<')
		expect(second.indexOf('redeem number 1<')).toBeLessThan(second.indexOf('<td>admin (web)</td><td>login</td>'))
		expect(second).not.toContain('redeem number 11<')
		expect(second).not.toContain('page=3')
		expect(second).toContain('href="/admin/audit?page=1"')
	})

	test('hostile names, notes, reasons and flash messages are escaped', async () => {
		bot = await createTestBot({ env: rich })
		const evil = { id: 'evil-id', displayName: '<script>alert("name")</script>' }
		await bot.chatReplies(evil, '!request <img src=x onerror=alert(1)><script>alert("note")</script>')
		await bot.chatReplies(evil, '!hydrate')
		const admin = await login(bot)
		const pages = [await html(bot, '/admin', admin)]
		expect(pages[0]).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;')
		expect(pages[0]).toContain('&lt;script&gt;alert(&quot;note&quot;)&lt;/script&gt;')
		const asked = await (await act(bot, admin, '/admin/redemptions/1', { action: 'reject', reason: '<script>alert("reason")</script>' })).text()
		expect(asked).toContain('&lt;script&gt;alert(&quot;reason&quot;)&lt;/script&gt;</textarea>')
		const reject = await act(bot, admin, '/admin/redemptions/1', { action: 'reject', reason: '<script>alert("reason")</script>', confirm: 'yes' })
		pages.push(await follow(bot, admin, reject))
		expect(pages[1]).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;: rejected')
		await act(bot, admin, '/admin/redemptions/2', { action: 'done' })
		pages.push(await html(bot, '/admin', admin))
		pages.push(await html(bot, '/admin/viewers?q=evil', admin))
		pages.push(await html(bot, '/admin/audit', admin))
		expect(pages[4]).toContain('&lt;script&gt;alert(&quot;reason&quot;)&lt;/script&gt;')
		const badFlash = await act(bot, admin, `/admin/redeems/${encodeURIComponent('<script>alert("flash")</script>')}`, { action: 'pause' })
		pages.push(await follow(bot, admin, badFlash))
		for (const page of [...pages, asked]) {
			// Our own script (live updates) is the only one.
			expect(page.replaceAll('<script src="/admin/assets/admin.js" defer></script>', '')).not.toContain('<script')
			expect(page).not.toContain('<img')
		}
		// In an attribute, the quote is what must not get through.
		const search = await html(bot, `/admin/viewers?q=${encodeURIComponent('"><script>alert("q")</script>')}`, admin)
		expect(search).toContain('name="q" value="&#34;>')
		expect(search).not.toContain('"><script>')
	})

	test('admin pages are never framed and load only our own stylesheets and script', async () => {
		bot = await createTestBot({ env: rich })
		const admin = await login(bot)
		const responses = [
			await send(bot, '/admin/login'),
			await send(bot, '/admin', { cookie: admin.cookie }),
			await send(bot, '/admin/viewers', { cookie: admin.cookie }),
			await send(bot, '/admin/audit', { cookie: admin.cookie }),
			await send(bot, '/admin/missing', { cookie: admin.cookie }),
			await send(bot, '/admin/login', { form: { password: 'wrong' } }),
			await send(bot, '/admin/redemptions/1', { cookie: admin.cookie, form: {} }),
			await send(bot, '/admin')
		]
		expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 404, 401, 403, 303])
		for (const response of responses) {
			const csp = response.headers.get('content-security-policy') ?? ''
			expect(csp).toContain("frame-ancestors 'none'")
			// Scripts and connections only from us (the live queue's admin.js and its event stream); no inline script.
			if (response.status !== 303) expect(csp).toContain("script-src 'self';")
			expect(csp).not.toContain('unsafe')
			expect(response.headers.get('x-frame-options')).toBe('DENY')
		}
		const page = await responses[1]?.text()
		expect(responses[1]?.headers.get('content-security-policy')).toBe(
			"default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
		)
		expect(await (await send(bot, '/admin/assets/admin.js')).text()).toContain("new EventSource('/admin/events')")
		expect(responses[1]?.headers.get('cache-control')).toBe('no-store')
		expect(page).toStartWith('<!doctype html>')
		expect(page).toContain('<link rel="stylesheet" href="/admin/assets/admin.css"/>')
		const css = await send(bot, '/admin/assets/admin.css')
		expect(css.status).toBe(200)
		expect(css.headers.get('content-type')).toStartWith('text/css')
		expect((await send(bot, '/dashboard/assets/style.css')).status).toBe(200)
	})
})

describe('a long pending queue', () => {
	test('the page shows 200 pending at a time, says how many there are, and pages on to the rest', async () => {
		bot = await createTestBot({ env: rich })
		const hydrate = bot.deps.settings().redeems.find((r) => r.name === 'hydrate')
		if (!hydrate || hydrate.type === 'milestone') throw new Error('no hydrate redeem')
		const now = Date.now()
		for (let i = 0; i < 250; i++) {
			bot.deps.stores.viewers.touch({ id: `v${i}`, displayName: `Viewer${i}` }, now)
			bot.deps.purchases.queue({ viewerId: `v${i}`, redeem: hydrate, note: null }, now + i)
		}
		const admin = await login(bot)
		const first = await html(bot, '/admin', admin)
		expect(first).toContain('250 pending in all; this page shows 200, the oldest first.')
		expect(first).toContain('>#1<')
		expect(first).not.toContain('>#201<')
		const next = /href="(\/admin\?after=\d+)"/.exec(first)?.[1] as string
		expect(next).toBe('/admin?after=200')
		const second = await html(bot, next, admin)
		expect(second).toContain('>#201<')
		expect(second).toContain('>#250<')
		expect(second).not.toContain('>#200<')
		expect(second).toContain('href="/admin"')
	})
})

describe('the Redeems tab', () => {
	const REDEEMS = `
[redeems.zebra]
type = "counter"
price = 1
title = "Zebra crossing"
stock = 3

[redeems.goal]
type = "milestone"
goal = 100

[redeems.sing]
type = "note"
price = 5
category = ["singing"]
`
	test('lists redeems in file order with their state; pause, restock, resets and categories go through the moderators\' paths and the audit log', async () => {
		bot = await createTestBot({ env: rich, redeemsToml: REDEEMS })
		const admin = await login(bot)
		await bot.chatReplies(alice, '!zebra')
		const page = await html(bot, '/admin/redeems', admin)
		expect(page.indexOf('Zebra crossing')).toBeLessThan(page.indexOf('>goal<'))
		expect(page.indexOf('>goal<')).toBeLessThan(page.indexOf('>sing<'))
		expect(page).toContain('2 of 3 left')
		expect(page).toContain('off (categories: singing)')

		expect(flashOf(await act(bot, admin, '/admin/redeems/zebra', { action: 'pause' })).ok).toBe('zebra is paused.')
		expect(await bot.chatReplies(alice, '!zebra')).toEqual(['@Alice, zebra is paused right now.'])
		expect(flashOf(await act(bot, admin, '/admin/redeems/ZEBRA', { action: 'resume' })).ok).toBe('zebra is back.')
		expect(flashOf(await act(bot, admin, '/admin/redeems/zebra', { action: 'restock' })).ok).toBe('zebra is restocked.')
		expect(await html(bot, '/admin/redeems', admin)).toContain('3 of 3 left')

		await bot.chatReplies(alice, '!goal 40')
		expect(flashOf(await act(bot, admin, '/admin/redeems/goal', { action: 'reset' })).error).toBe('goal is not complete (40/100); nothing changed.')
		expect(flashOf(await act(bot, admin, '/admin/redeems/goal', { action: 'hard_reset' })).error).toContain('Tick "I am sure"')
		expect(bot.deps.stores.redeems.milestone('goal')?.progress).toBe(40)
		expect(flashOf(await act(bot, admin, '/admin/redeems/goal', { action: 'hard_reset', confirm: 'yes' })).ok).toBe('goal is back to 0.')
		expect(bot.deps.stores.redeems.milestone('goal')?.progress).toBe(0)

		expect(flashOf(await act(bot, admin, '/admin/categories/SINGING', { on: '1' })).ok).toBe('Category singing is on.')
		expect(bot.deps.moderation.activeCategories()).toEqual(['singing'])
		expect(flashOf(await act(bot, admin, '/admin/categories/dancing', { on: '1' })).error).toBe('No redeem is in the category dancing.')
		expect(flashOf(await act(bot, admin, '/admin/redeems/nothing', { action: 'pause' })).error).toBe('There is no redeem called nothing.')

		const actions = bot.deps.stores.audit.entries().map((e) => e.action)
		for (const a of ['pause', 'resume', 'restock', 'milestone_hard_reset', 'category_on']) expect(actions).toContain(a)
		// Without the CSRF token nothing changes.
		const refused = await send(bot, '/admin/redeems/zebra', { cookie: admin.cookie, form: { action: 'pause' } })
		expect(refused.status).toBe(403)
		expect(bot.deps.moderation.pausedRedeems()).toEqual([])
	})
})
