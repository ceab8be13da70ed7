// Nobody can lock the admin out: failed logins slow down only the address they came from. Behind a reverse proxy
// (trusted_proxies), the address is the one the proxy saw; anyone else's X-Forwarded-For / X-Forwarded-Host is
// ignored. These tests run the app on a real loopback socket, so that the peer address is known (127.0.0.1).
import { afterEach, describe, expect, test } from 'bun:test'
import { createAdminLinks } from '../../src/modules/admin/links.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'

const PASSWORD = 'correct horse battery'

let bot: TestBot | undefined
let stop: (() => Promise<unknown>) | undefined
afterEach(async () => {
	await stop?.()
	stop = undefined
	bot?.close()
	bot = undefined
})

type Served = { bot: TestBot; base: string; now: { value: number } }

/** A test bot listening on 127.0.0.1 (a random port), with a clock the test moves. */
async function serve(env: Record<string, string>): Promise<Served> {
	bot = await createTestBot({ env: { TLAPBOT_ADMIN_PASSWORD: PASSWORD, ...env } })
	const now = { value: Date.now() }
	bot.setClock(() => now.value)
	const app = bot.app.listen({ hostname: '127.0.0.1', port: 0 })
	stop = () => app.stop(true)
	return { bot, base: `http://127.0.0.1:${app.server?.port}`, now }
}

type Attempt = { status: number; retryAfter: string | null }

async function attempt(s: Served, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Attempt> {
	const response = await fetch(`${s.base}/admin/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
		body: new URLSearchParams(form).toString(),
		redirect: 'manual'
	})
	await response.arrayBuffer()
	return { status: response.status, retryAfter: response.headers.get('retry-after') }
}
const password = (s: Served, typed: string, from?: string) => attempt(s, { password: typed }, from ? { 'x-forwarded-for': from } : {})
const statusOf = async (p: Promise<Attempt>) => (await p).status

describe('behind a trusted proxy (trusted_proxies = ["127.0.0.1"])', () => {
	test('20 wrong guesses from all over do not keep the right password out', async () => {
		const s = await serve({ TLAPBOT_TRUSTED_PROXIES: '127.0.0.1' })
		for (let i = 1; i <= 40; i++) expect(await statusOf(password(s, `guess ${i}`, `198.51.100.${i}`))).toBe(401)
		expect(await statusOf(password(s, PASSWORD, '203.0.113.9'))).toBe(303)
	})

	test('one address that keeps failing waits longer and longer; others never wait; the right password works after the wait', async () => {
		const s = await serve({ TLAPBOT_TRUSTED_PROXIES: '127.0.0.1' })
		const attacker = '198.51.100.66'
		const admin = '203.0.113.9'
		for (const wait of [1, 2, 4, 8]) {
			expect(await statusOf(password(s, 'wrong', attacker))).toBe(401)
			expect(await password(s, 'wrong', attacker)).toEqual({ status: 429, retryAfter: String(wait) })
			expect(await password(s, PASSWORD, attacker)).toEqual({ status: 429, retryAfter: String(wait) })
			// Changing the part of X-Forwarded-For the client writes itself does not help.
			expect((await password(s, 'wrong', `1.2.3.${wait}, ${attacker}`)).status).toBe(429)
			s.now.value += wait * 1000
		}
		expect(await statusOf(password(s, 'wrong', admin))).toBe(401)
		s.now.value += 1000
		expect(await statusOf(password(s, PASSWORD, admin))).toBe(303)
		// After its wait, the attacker's address could log in with the right password too.
		s.now.value += 16_000
		expect(await statusOf(password(s, PASSWORD, attacker))).toBe(303)
	})

	test('IPv6 clients are counted by their /64', async () => {
		const s = await serve({ TLAPBOT_TRUSTED_PROXIES: '127.0.0.1' })
		expect(await statusOf(password(s, 'wrong', '2001:db8:1:2::1'))).toBe(401)
		expect(await statusOf(password(s, 'wrong', '2001:db8:1:2:ffff:ffff:ffff:ffff'))).toBe(429)
		expect(await statusOf(password(s, 'wrong', '2001:db8:1:3::1'))).toBe(401)
	})

	test('made-up login links count per address too', async () => {
		const s = await serve({ TLAPBOT_TRUSTED_PROXIES: '127.0.0.1' })
		const madeUp = 'A'.repeat(43)
		const link = (token: string, from: string) => attempt(s, { token }, { 'x-forwarded-for': from })
		expect(await statusOf(link(madeUp, '198.51.100.1'))).toBe(400)
		expect(await link(madeUp, '198.51.100.1')).toEqual({ status: 429, retryAfter: '1' })
		const opened = await fetch(`${s.base}/admin/login?token=${madeUp}`, { headers: { 'x-forwarded-for': '198.51.100.1' } })
		expect(opened.status).toBe(429)
		// Another address opens and uses a real link at once.
		const { token } = createAdminLinks(s.bot.db).create(s.now.value)
		const preview = await fetch(`${s.base}/admin/login?token=${token}`, { headers: { 'x-forwarded-for': '203.0.113.9' } })
		expect(preview.status).toBe(200)
		expect(await statusOf(link(token, '203.0.113.9'))).toBe(303)
		// A used link is no guess: it does not make that address wait.
		expect(await statusOf(link(token, '203.0.113.9'))).toBe(410)
		expect(await statusOf(link(token, '203.0.113.9'))).toBe(410)
	})

	test('X-Forwarded-Host from the proxy counts for the origin check', async () => {
		const s = await serve({ TLAPBOT_TRUSTED_PROXIES: '127.0.0.1' })
		const origin = { origin: 'https://bot.example.com', 'x-forwarded-host': 'bot.example.com' }
		expect(await statusOf(attempt(s, { password: PASSWORD }, origin))).toBe(303)
	})
})

describe('without trusted_proxies', () => {
	test('X-Forwarded-For is ignored: everyone on one socket address shares its wait', async () => {
		const s = await serve({})
		expect(await statusOf(password(s, 'wrong', '198.51.100.1'))).toBe(401)
		expect(await password(s, PASSWORD, '203.0.113.9')).toEqual({ status: 429, retryAfter: '1' })
		s.now.value += 1000
		expect(await statusOf(password(s, PASSWORD, '203.0.113.9'))).toBe(303)
	})

	test('X-Forwarded-Host from a client is ignored by the origin check', async () => {
		const s = await serve({})
		const spoofed = { origin: 'https://evil.example', 'x-forwarded-host': 'evil.example' }
		expect(await statusOf(attempt(s, { password: PASSWORD }, spoofed))).toBe(403)
		// Also through app.handle (no socket at all).
		const b = s.bot
		const response = await b.app.handle(
			new Request('http://localhost/admin/login', {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded', ...spoofed },
				body: new URLSearchParams({ password: PASSWORD }).toString()
			})
		)
		expect(response.status).toBe(403)
		expect(response.headers.get('set-cookie')).toBeNull()
	})

	test('a peer that is not listed gets no trust either', async () => {
		const s = await serve({ TLAPBOT_TRUSTED_PROXIES: '10.0.0.0/8, ::1' })
		expect(await statusOf(password(s, 'wrong', '198.51.100.1'))).toBe(401)
		expect(await statusOf(password(s, 'wrong', '198.51.100.2'))).toBe(429)
	})
})
