import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { expectExit, makeTempDir, runTlapbot, useTempDirs } from '../helpers.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'

useTempDirs()
// Each test runs the real CLI once or twice (~100-200 ms each); leave room on a busy machine.
setDefaultTimeout(20_000)

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const PUBLIC_URL = 'https://bot.example.com'
const LINK = /^https:\/\/bot\.example\.com(\/admin\/login\?token=([A-Za-z0-9_-]{43}))\n$/

/** Runs `tlapbot admin-link` against the bot's instance folder (and so its database); returns the link's path and token. */
async function adminLink(b: TestBot): Promise<{ path: string; token: string; stderr: string }> {
	const result = expectExit(
		await runTlapbot(['admin-link', '--instance', b.dir], { cwd: makeTempDir(), env: { TLAPBOT_PUBLIC_URL: PUBLIC_URL } }),
		0
	)
	const match = LINK.exec(result.stdout)
	if (!match) throw new Error(`no link in ${JSON.stringify(result.stdout)}`)
	return { path: match[1] as string, token: match[2] as string, stderr: result.stderr }
}

const get = (b: TestBot, path: string, cookie?: string) =>
	b.app.handle(new Request(`http://localhost${path}`, cookie ? { headers: { cookie } } : {}))
/** Presses the login button, from the page at origin (the browser sends the Origin header with a POST). */
const useLink = (b: TestBot, token: string, origin = PUBLIC_URL) =>
	b.app.handle(
		new Request('http://localhost/admin/login', {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
			body: new URLSearchParams({ token }).toString()
		})
	)

describe('tlapbot admin-link', () => {
	test('prints a public link that logs in once: opening it only asks, the button logs in, a second use fails', async () => {
		bot = await createTestBot({ env: { TLAPBOT_PUBLIC_URL: PUBLIC_URL } })
		const link = await adminLink(bot)
		expect(link.stderr).toContain('expires in 15 minutes')
		expect(link.stderr).not.toContain('public_url is not set')
		// Only a hash of the token is kept.
		const rows = bot.db.query<{ token_hash: string; used_at: string | null }, []>('SELECT token_hash, used_at FROM admin_links').all()
		expect(rows).toEqual([{ token_hash: createHash('sha256').update(link.token).digest('hex'), used_at: null }])

		// Opening the link (or a chat app's preview of it) shows a button and uses nothing up.
		for (let i = 0; i < 2; i++) {
			const preview = await get(bot, link.path)
			expect(preview.status).toBe(200)
			expect(preview.headers.get('set-cookie')).toBeNull()
			const text = await preview.text()
			expect(text).toContain('<form method="post" action="/admin/login"')
			expect(text).toContain(`name="token" value="${link.token}"`)
		}
		expect(bot.db.query('SELECT used_at FROM admin_links').get()).toEqual({ used_at: null })

		const first = await useLink(bot, link.token)
		expect(first.status).toBe(303)
		expect(first.headers.get('location')).toBe('/admin')
		const header = first.headers.get('set-cookie') ?? ''
		expect(header).toContain('; Secure')
		const cookie = header.split(';')[0] as string
		expect((await get(bot, '/admin', cookie)).status).toBe(200)
		expect(bot.db.query<{ used_at: string | null }, []>('SELECT used_at FROM admin_links').get()?.used_at).not.toBeNull()
		expect(bot.db.query('SELECT actor, action, detail FROM audit_log').all()).toEqual([
			{ actor: 'admin (web)', action: 'login', detail: 'a one-time link' }
		])

		const second = await useLink(bot, link.token)
		expect(second.status).toBe(410)
		expect(second.headers.get('set-cookie')).toBeNull()
		expect(await second.text()).toContain('This login link was already used')
		const reopened = await get(bot, link.path)
		expect(reopened.status).toBe(410)
		expect(await reopened.text()).toContain('already used')
	})

	test('a link is refused after 15 minutes; a made-up token is refused', async () => {
		bot = await createTestBot({ env: { TLAPBOT_PUBLIC_URL: PUBLIC_URL } })
		const link = await adminLink(bot)
		const start = Date.now()
		bot.setClock(() => start + 16 * 60_000)
		const opened = await get(bot, link.path)
		expect(opened.status).toBe(410)
		expect(await opened.text()).toContain('This login link has expired')
		const used = await useLink(bot, link.token)
		expect(used.status).toBe(410)
		expect(used.headers.get('set-cookie')).toBeNull()
		expect(bot.db.query('SELECT used_at FROM admin_links').get()).toEqual({ used_at: null })

		let now = Date.now()
		bot.setClock(() => now)
		const madeUp = await useLink(bot, `${link.token.slice(0, -1)}${link.token.endsWith('A') ? 'B' : 'A'}`)
		expect(madeUp.status).toBe(400)
		expect(await madeUp.text()).toContain('This login link is not valid')
		// A made-up token is a failed login, throttled like a wrong password: this address waits 1 s, then 2 s.
		const early = await useLink(bot, 'short')
		expect(early.status).toBe(429)
		expect(early.headers.get('retry-after')).toBe('1')
		expect((await get(bot, link.path)).status).toBe(429)
		now += 1000
		expect((await useLink(bot, 'short')).status).toBe(400)
		expect((await useLink(bot, link.token)).status).toBe(429)
		now += 2000
		// Within its 15 minutes the real one still works.
		expect((await useLink(bot, link.token)).status).toBe(303)
	})

	test('without public_url it prints the local address and says to replace it', async () => {
		bot = await createTestBot()
		const result = expectExit(await runTlapbot(['admin-link', '--instance', bot.dir], { cwd: makeTempDir() }), 0)
		expect(result.stdout).toMatch(/^http:\/\/127\.0\.0\.1:8000\/admin\/login\?token=[A-Za-z0-9_-]{43}\n$/)
		expect(result.stderr).toContain('public_url is not set: replace the local address above')
		// The link works through the address that reaches the bot; a page of another site cannot use it.
		const token = new URL(result.stdout.trim()).searchParams.get('token') as string
		expect((await useLink(bot, token, PUBLIC_URL)).status).toBe(403)
		expect((await useLink(bot, token, 'http://localhost')).status).toBe(303)
	})
})
