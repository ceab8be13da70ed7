// Bodies sent to /admin are capped before anything reads them: no one can make the bot hold a large body in memory
// without logging in, through any /admin path (also ones that do not exist). The server as a whole refuses bodies
// over MAX_REQUEST_BYTES.
import { afterEach, describe, expect, test } from 'bun:test'
import { MAX_REQUEST_BYTES } from '../../src/app.ts'
import { MAX_ADMIN_FORM_BYTES } from '../../src/modules/admin/body.ts'
import { MAX_WEBHOOK_BYTES } from '../../src/modules/owncast/webhook.ts'
import { makeTempDir, useTempDirs } from '../helpers.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'
import { startServe, useServes } from '../support/serve.ts'

useTempDirs()
useServes()

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const PASSWORD = 'correct horse battery'
const FORM = 'application/x-www-form-urlencoded'
const MB = 1024 * 1024

/** A body of `chunks` × 16 KB that counts how many chunks were pulled from it. */
function countingBody(chunks: number) {
	const chunk = new TextEncoder().encode(`a=${'x'.repeat(16 * 1024 - 2)}`)
	const counter = { pulled: 0 }
	// highWaterMark 0: nothing is pulled ahead, only what a reader asks for.
	const stream = new ReadableStream<Uint8Array>(
		{
			pull(controller) {
				if (counter.pulled >= chunks) return controller.close()
				counter.pulled++
				controller.enqueue(chunk)
			}
		},
		{ highWaterMark: 0 }
	)
	return { stream, counter }
}

function post(b: TestBot, path: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
	return b.app.handle(
		new Request(`http://localhost${path}`, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body, duplex: 'half' } as RequestInit)
	)
}

async function login(b: TestBot): Promise<{ cookie: string; csrf: string }> {
	const response = await post(b, '/admin/login', new URLSearchParams({ password: PASSWORD }).toString())
	expect(response.status).toBe(303)
	const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] as string
	const page = await (await b.app.handle(new Request('http://localhost/admin', { headers: { cookie } }))).text()
	return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '' }
}

const auditCount = (b: TestBot) => (b.db.query('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n

describe('admin bodies are capped before they are read', () => {
	test('the caps: admin forms 16 KB, webhooks 64 KB, the whole server 1 MB', () => {
		expect(MAX_ADMIN_FORM_BYTES).toBe(16 * 1024)
		expect(MAX_WEBHOOK_BYTES).toBe(64 * 1024)
		expect(MAX_REQUEST_BYTES).toBe(MB)
		expect(MAX_REQUEST_BYTES).toBeGreaterThanOrEqual(MAX_WEBHOOK_BYTES)
	})

	test('a 1 MB+ POST with Content-Length gets 413 without a byte read, at /admin/login and at /admin/nope', async () => {
		bot = await createTestBot({ env: { TLAPBOT_ADMIN_PASSWORD: PASSWORD } })
		for (const path of ['/admin/login', '/admin/nope', '/admin/logout', '/admin/redemptions/1']) {
			const { stream, counter } = countingBody(80)
			const response = await post(bot, path, stream, { 'content-length': String(MB + 1) })
			expect(response.status).toBe(413)
			expect(response.headers.get('content-type')).toStartWith('text/html')
			expect(await response.text()).toContain('at most 16 KB')
			expect(counter.pulled).toBe(0)
		}
		// The same as a plain string body (the runtime's own Content-Length).
		const big = await post(bot, '/admin/login', `password=${'x'.repeat(MB)}`)
		expect(big.status).toBe(413)
		// The login handler never ran: no failed attempt was counted (the right password works at once), nothing audited.
		expect(auditCount(bot)).toBe(0)
		await login(bot)
		expect(auditCount(bot)).toBe(1)
	})

	test('a chunked body without Content-Length is cut off just past 16 KB', async () => {
		bot = await createTestBot({ env: { TLAPBOT_ADMIN_PASSWORD: PASSWORD } })
		for (const path of ['/admin/login', '/admin/nope']) {
			const { stream, counter } = countingBody(100)
			const response = await post(bot, path, stream)
			expect(response.status).toBe(413)
			// 16 KB is one chunk; reading stopped at the second instead of taking all 1.6 MB.
			expect(counter.pulled).toBeLessThanOrEqual(3)
		}
		await login(bot)
	})

	test('the cap comes first: also before the origin check and for a logged-in admin; nothing changes', async () => {
		bot = await createTestBot({ env: { TLAPBOT_ADMIN_PASSWORD: PASSWORD, TLAPBOT_STARTING_POINTS: '500' } })
		await bot.chatReplies({ id: 'alice', displayName: 'Alice' }, '!hydrate')
		const admin = await login(bot)
		const padding = 'p'.repeat(MAX_ADMIN_FORM_BYTES)
		const body = new URLSearchParams({ csrf: admin.csrf, action: 'reject', reason: '', padding }).toString()
		expect((await post(bot, '/admin/redemptions/1', body, { cookie: admin.cookie })).status).toBe(413)
		expect((await post(bot, '/admin/redemptions/1', body, { cookie: admin.cookie, origin: 'https://evil.example' })).status).toBe(413)
		expect(bot.db.query('SELECT status FROM redemptions WHERE id = 1').get()).toEqual({ status: 'pending' })
	})

	test('a form just under the cap is read as usual', async () => {
		bot = await createTestBot({ env: { TLAPBOT_ADMIN_PASSWORD: PASSWORD } })
		const body = new URLSearchParams({ password: PASSWORD, padding: 'p'.repeat(MAX_ADMIN_FORM_BYTES - 100) }).toString()
		expect(body.length).toBeLessThanOrEqual(MAX_ADMIN_FORM_BYTES)
		expect((await post(bot, '/admin/login', body)).status).toBe(303)
		// Streamed without Content-Length too.
		const stream = new ReadableStream<Uint8Array>({
			start(controller) {
				controller.enqueue(new TextEncoder().encode(body.slice(0, 5000)))
				controller.enqueue(new TextEncoder().encode(body.slice(5000)))
				controller.close()
			}
		})
		expect((await post(bot, '/admin/login', stream)).status).toBe(303)
	})
})

describe('the whole server', () => {
	test('serve refuses any body over 1 MB, also to paths that do not exist, and still answers after it', async () => {
		const root = makeTempDir()
		const served = await startServe({ cwd: root, args: ['--instance', `${root}/instance`] })
		const send = (path: string, bytes: number) => fetch(`${served.base}${path}`, { method: 'POST', body: 'x'.repeat(bytes) })
		expect((await send('/nope', MB + 1)).status).toBe(413)
		expect((await send('/admin/nope', MB + 1)).status).toBe(413)
		// Under the server's cap, the routes' own caps and answers apply.
		expect((await send('/nope', MB - 1)).status).toBe(404)
		expect((await send('/owncastWebhook', MB - 1)).status).toBe(413)
		expect((await fetch(`${served.base}/healthz`)).status).toBe(200)
	}, 60_000)
})
