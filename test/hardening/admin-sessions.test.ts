// Admin sessions live in SQLite (admin_sessions): logging out, "log out everywhere" and a changed admin_password
// hold after a restart and for every process on the database.
import { afterEach, describe, expect, test } from 'bun:test'
import { createHash, createHmac } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createApp } from '../../src/app.ts'
import { createBot } from '../../src/bot.ts'
import { loadConfig, loadRedeems } from '../../src/config/load.ts'
import { openDatabase } from '../../src/db/database.ts'
import { createLogger } from '../../src/log.ts'
import { createAdminLinks } from '../../src/modules/admin/links.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'
import { flashCookieHeader, flashCookieOf } from '../support/admin-http.ts'

const PASSWORD = 'correct horse battery'

let bot: TestBot | undefined
const closers: (() => void)[] = []
afterEach(() => {
	for (const close of closers.splice(0).reverse()) close()
	bot?.close()
	bot = undefined
})

type Handle = (request: Request) => Promise<Response>
type App = { handle: Handle; db: import('bun:sqlite').Database; logs: string[] }

/**
 * Another bot process on the same instance folder and database file: its own createBot, app and connection, as
 * after a restart or in a second process. The environment wins over config.toml, as for the first one.
 */
function secondBot(dir: string, env: Record<string, string> = {}): App {
	const { config } = loadConfig(dir, { TLAPBOT_OWNCAST_URL: 'http://127.0.0.1:9', ...env })
	const db = openDatabase(config.databasePath)
	const logs: string[] = []
	const log = createLogger('debug', (_level, line) => logs.push(line))
	const deps = createBot({ config, redeems: loadRedeems(dir).redeems, db, log, env })
	const app = createApp(deps)
	closers.push(() => db.close())
	return { handle: (request) => app.handle(request), db, logs }
}

const asApp = (b: TestBot): App => ({ handle: (request) => b.app.handle(request), db: b.db, logs: b.logs })

function post(app: App, path: string, form: Record<string, string>, cookie?: string): Promise<Response> {
	return app.handle(
		new Request(`http://localhost${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
			body: new URLSearchParams(form).toString()
		})
	)
}
const get = (app: App, path: string, cookie: string) => app.handle(new Request(`http://localhost${path}`, { headers: { cookie } }))
/** 200 while the session is good; 303 (to the login page) once it is over. */
const status = async (app: App, cookie: string) => (await get(app, '/admin', cookie)).status

type Admin = { cookie: string; csrf: string }

async function adminFrom(app: App, response: Response): Promise<Admin> {
	expect(response.status).toBe(303)
	const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] as string
	const page = await get(app, '/admin', cookie)
	expect(page.status).toBe(200)
	const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? ''
	expect(csrf).not.toBe('')
	return { cookie, csrf }
}

const login = async (app: App, password = PASSWORD) => adminFrom(app, await post(app, '/admin/login', { password }))

const sessionRows = (app: App) =>
	app.db
		.query<{ id_hash: string; password_fingerprint: string; created_at: string; expires_at: string }, []>(
			'SELECT id_hash, password_fingerprint, created_at, expires_at FROM admin_sessions ORDER BY created_at'
		)
		.all()

const fingerprintOf = (secret: string, password: string) => createHmac('sha256', secret).update(password).digest('hex')
const secretOf = (b: TestBot) => b.deps.settings().config.secret_key

describe('sessions are rows in admin_sessions', () => {
	test('a login stores the sha256 of the session id and a fingerprint of the password, never the password', async () => {
		bot = await createTestBot({ env: { TLAPBOT_ADMIN_PASSWORD: PASSWORD } })
		const app = asApp(bot)
		const admin = await login(app)
		const rows = sessionRows(app)
		expect(rows).toHaveLength(1)
		const row = rows[0]!
		const id = admin.cookie.split('=')[1]!.split('.')[1] as string
		expect(row.id_hash).toBe(createHash('sha256').update(id).digest('hex'))
		expect(row.password_fingerprint).toBe(fingerprintOf(secretOf(bot), PASSWORD))
		expect(JSON.stringify(rows)).not.toContain(PASSWORD)
		expect(JSON.stringify(rows)).not.toContain(id)
		// 12 hours (the expiry is in whole seconds, as in the cookie).
		const lasts = Date.parse(row.expires_at) - Date.parse(row.created_at)
		expect(lasts).toBeGreaterThan(12 * 3600_000 - 1000)
		expect(lasts).toBeLessThanOrEqual(12 * 3600_000)
	})

	test('logout in one process is seen by another on the same database, and after a restart', async () => {
		bot = await createTestBot({ env: { TLAPBOT_ADMIN_PASSWORD: PASSWORD } })
		const one = asApp(bot)
		const two = secondBot(bot.dir, { TLAPBOT_ADMIN_PASSWORD: PASSWORD })
		const admin = await login(one)
		const other = await login(two)
		// Each process accepts the other's sessions.
		expect(await status(two, admin.cookie)).toBe(200)
		expect(await status(one, other.cookie)).toBe(200)
		const out = await post(one, '/admin/logout', { csrf: admin.csrf }, admin.cookie)
		expect(out.status).toBe(303)
		expect(await status(one, admin.cookie)).toBe(303)
		expect(await status(two, admin.cookie)).toBe(303)
		// A restart (a new process on the same file) does not bring it back; the other session lives on.
		const restarted = secondBot(bot.dir, { TLAPBOT_ADMIN_PASSWORD: PASSWORD })
		expect(await status(restarted, admin.cookie)).toBe(303)
		expect(await status(restarted, other.cookie)).toBe(200)
		expect(sessionRows(one)).toHaveLength(1)
	})

	test('changing admin_password ends every session, in every process', async () => {
		bot = await createTestBot()
		bot.reconfigure({ admin_password: PASSWORD })
		const one = asApp(bot)
		const first = await login(one)
		const second = await login(one)
		const two = secondBot(bot.dir)
		expect(await status(two, first.cookie)).toBe(200)
		bot.reconfigure({ admin_password: 'a brand new password' })
		expect(await status(one, first.cookie)).toBe(303)
		expect(await status(one, second.cookie)).toBe(303)
		// The other process has not reloaded yet, and still refuses them: they were made under another password.
		expect(await status(two, first.cookie)).toBe(303)
		// The reload forgot them altogether, so changing the password back does not revive them.
		expect(sessionRows(one)).toEqual([])
		expect(bot.logs.some((l) => l.includes('2 admin sessions ended'))).toBe(true)
		bot.reconfigure({ admin_password: PASSWORD })
		expect(await status(one, first.cookie)).toBe(303)
		await login(one, PASSWORD)
	})

	test('a password changed while the bot was stopped ends the sessions at the next start', async () => {
		bot = await createTestBot({ env: { TLAPBOT_ADMIN_PASSWORD: PASSWORD } })
		const admin = await login(asApp(bot))
		// config.toml gets a new password; the running bot has it from TLAPBOT_ADMIN_PASSWORD, the next start does not.
		const file = join(bot.dir, 'config.toml')
		writeFileSync(file, `admin_password = "changed while stopped"\n${readFileSync(file, 'utf8')}`)
		const restarted = secondBot(bot.dir)
		expect(await status(restarted, admin.cookie)).toBe(303)
		expect(sessionRows(restarted)).toEqual([])
		// Started with the old password (TLAPBOT_ADMIN_PASSWORD), its sessions would have been kept.
		const again = await login(asApp(bot))
		expect(await status(secondBot(bot.dir, { TLAPBOT_ADMIN_PASSWORD: PASSWORD }), again.cookie)).toBe(200)
	})

	test('a one-time link login gets the fingerprint of "" without a password, and ends when one is set', async () => {
		bot = await createTestBot()
		const app = asApp(bot)
		const { token } = createAdminLinks(bot.db).create(Date.now())
		const admin = await adminFrom(app, await post(app, '/admin/login', { token }))
		expect(sessionRows(app).map((r) => r.password_fingerprint)).toEqual([fingerprintOf(secretOf(bot), '')])
		bot.reconfigure({ admin_password: PASSWORD })
		expect(await status(app, admin.cookie)).toBe(303)
		// With a password set, a link login gets that password's fingerprint.
		const link = createAdminLinks(bot.db).create(Date.now())
		const next = await adminFrom(app, await post(app, '/admin/login', { token: link.token }))
		expect(sessionRows(app).map((r) => r.password_fingerprint)).toEqual([fingerprintOf(secretOf(bot), PASSWORD)])
		expect(await status(app, next.cookie)).toBe(200)
	})

	test('"Log out everywhere" ends every session, needs the CSRF token, and is audited', async () => {
		bot = await createTestBot({ env: { TLAPBOT_ADMIN_PASSWORD: PASSWORD } })
		const one = asApp(bot)
		const two = secondBot(bot.dir, { TLAPBOT_ADMIN_PASSWORD: PASSWORD })
		const laptop = await login(one)
		const phone = await login(two)
		const page = await (await get(one, '/admin', laptop.cookie)).text()
		expect(page).toMatch(/<form method="post" action="\/admin\/logout-everywhere" class="logout"><input type="hidden" name="csrf" value="[^"]+"\/>/)
		expect(page).toContain('Log out everywhere')
		// Without the token (another site's form), nothing happens.
		expect((await post(one, '/admin/logout-everywhere', {}, laptop.cookie)).status).toBe(403)
		expect((await post(one, '/admin/logout-everywhere', { csrf: phone.csrf }, laptop.cookie)).status).toBe(403)
		expect(await status(one, phone.cookie)).toBe(200)

		const out = await post(one, '/admin/logout-everywhere', { csrf: laptop.csrf }, laptop.cookie)
		expect(out.status).toBe(303)
		expect(out.headers.get('location')).toBe('/admin/login')
		expect(flashCookieOf(out)).toEqual({ ok: 'Logged out everywhere.' })
		expect(out.headers.get('set-cookie')).toMatch(/^tlapbot_admin=; Path=\/admin; Max-Age=0;/)
		for (const app of [one, two]) {
			expect(await status(app, laptop.cookie)).toBe(303)
			expect(await status(app, phone.cookie)).toBe(303)
		}
		expect(sessionRows(one)).toEqual([])
		const shown = await (await one.handle(new Request(`http://localhost${out.headers.get('location')}`, { headers: { cookie: flashCookieHeader(out) } }))).text()
		expect(shown).toContain('Logged out everywhere.')
		expect(bot.db.query('SELECT actor, action, detail FROM audit_log ORDER BY id').all()).toEqual([
			{ actor: 'admin (web)', action: 'login', detail: 'the password' },
			{ actor: 'admin (web)', action: 'login', detail: 'the password' },
			{ actor: 'admin (web)', action: 'logout everywhere', detail: '2 sessions ended' }
		])
	})

	test('expired sessions are refused and their rows cleaned up', async () => {
		bot = await createTestBot({ env: { TLAPBOT_ADMIN_PASSWORD: PASSWORD } })
		let now = Date.now()
		bot.setClock(() => now)
		const app = asApp(bot)
		const old = await login(app)
		now += 6 * 3600_000
		const newer = await login(app)
		expect(sessionRows(app)).toHaveLength(2)
		now += 6 * 3600_000 + 1000
		expect(await status(app, old.cookie)).toBe(303)
		expect(await status(app, newer.cookie)).toBe(200)
		// The next login forgets the expired row.
		await login(app)
		expect(sessionRows(app)).toHaveLength(2)
		// So does a start: after 13 more hours, every row is expired and the next process removes them.
		const later = now + 13 * 3600_000
		const { config } = loadConfig(bot.dir, { TLAPBOT_ADMIN_PASSWORD: PASSWORD })
		const db = openDatabase(config.databasePath)
		closers.push(() => db.close())
		createBot({ config, redeems: [], db, log: createLogger('error', () => {}), clock: () => later })
		expect(sessionRows(app)).toEqual([])
	})
})
