// `tlapbot doctor` as a process against a fake Owncast and a stand-in for the bot's public address, plus the check
// functions on their own where a process cannot set the scene (free space, old backups, clocks).
import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/database.ts'
import { migrations } from '../../src/db/migrations/index.ts'
import { checkBackups, checkDatabase, checkDiskSpace, DISK_FAIL_BYTES } from '../../src/modules/doctor/local.ts'
import { checkClock, sameEndpoint } from '../../src/modules/doctor/owncast.ts'
import { formatDuration, type CheckResult } from '../../src/modules/doctor/result.ts'
import { VERSION } from '../../src/version.ts'
import { baseEnv, expectExit, hasStackTrace, MAIN_TS, makeInstance, makeTempDir, runTlapbot, TEST_SECRET, useTempDirs, type RunResult } from '../helpers.ts'
import { startFakeOwncast, type FakeOwncast } from '../support/fake-owncast.ts'
import { startServe, useServes } from '../support/serve.ts'

useServes()
useTempDirs()
setDefaultTimeout(30_000)

const EVENTS = ['CHAT', 'NAME_CHANGE', 'USER_JOINED', 'STREAM_STARTED', 'STREAM_STOPPED']
const ADMIN_PASSWORD = 'owncast-admin-pw-1234'

type Report = {
	ok: boolean
	version: string
	instance: string
	summary: Record<string, number>
	checks: CheckResult[]
}

const stops: (() => void)[] = []
afterEach(() => {
	for (const stop of stops.splice(0)) stop()
})

function fakeOwncast(options: Parameters<typeof startFakeOwncast>[0] = {}): FakeOwncast {
	const fake = startFakeOwncast({ adminPassword: ADMIN_PASSWORD, ...options })
	stops.push(() => fake.stop())
	return fake
}

/** Stands in for the bot behind public_url: /healthz as tlapbot answers it. */
function fakeBot(answer: { status?: number; body?: unknown } = {}): string {
	const server = Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		fetch: (request) =>
			new URL(request.url).pathname === '/healthz'
				? Response.json(answer.body ?? { status: 'ok', version: VERSION, database: 'ok' }, { status: answer.status ?? 200 })
				: new Response('not found', { status: 404 })
	})
	stops.push(() => server.stop(true))
	return `http://127.0.0.1:${server.port}`
}

/** A port nothing listens on (it was free a moment ago). */
function closedPort(): number {
	const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('') })
	const port = server.port as number
	server.stop(true)
	return port
}

type Setup = { fake: FakeOwncast; publicUrl: string; token?: string; extra?: string }

/** An instance set up the way the README says: database, today's backup, Owncast's webhook and external action. */
function healthyInstance({ fake, publicUrl, token = fake.token, extra = '' }: Setup) {
	const config = [`secret_key = "${TEST_SECRET}"`, `owncast_url = "${fake.url}"`, `owncast_access_token = "${token}"`, `public_url = "${publicUrl}"`, extra].join('\n')
	const instance = makeInstance({ config: `${config}\n` })
	openDatabase(instance.databasePath).close()
	mkdirSync(join(instance.instanceDir, 'backups'))
	copyFileSync(instance.databasePath, join(instance.instanceDir, 'backups', 'tlapbot-today.sqlite'))
	fake.webhooks = [{ id: 1, url: `${publicUrl}/owncastWebhook`, events: [...EVENTS] }]
	fake.externalActions = [{ url: `${publicUrl}/dashboard`, title: 'Redeems Dashboard' }]
	return instance
}

const doctor = (instance: { root: string; instanceDir: string }, args: string[] = [], env: Record<string, string> = {}) =>
	runTlapbot(['doctor', '--instance', instance.instanceDir, ...args], { cwd: instance.root, env })

async function doctorJson(instance: { root: string; instanceDir: string }, env: Record<string, string> = {}): Promise<{ result: RunResult; report: Report }> {
	const result = await doctor(instance, ['--json'], env)
	return { result, report: JSON.parse(result.stdout) as Report }
}

const byId = (report: Report, id: string) => {
	const found = report.checks.find((c) => c.id === id)
	if (!found) throw new Error(`no check ${id} in ${JSON.stringify(report.checks.map((c) => c.id))}`)
	return found
}

/** The text line of one check. */
const lineOf = (stdout: string, title: string) => stdout.split('\n').find((l) => l.slice(2).startsWith(`${title}:`)) ?? ''

describe('tlapbot doctor against a healthy set-up', () => {
	test('every check passes, one line each with ✓, exit 0; nothing reaches chat', async () => {
		const fake = fakeOwncast()
		const instance = healthyInstance({ fake, publicUrl: fakeBot() })
		const databaseMtime = statSync(instance.databasePath).mtimeMs
		const result = expectExit(await doctor(instance, [], { TLAPBOT_OWNCAST_ADMIN_PASSWORD: ADMIN_PASSWORD }), 0)
		const lines = result.stdout.trim().split('\n')
		for (const title of ['Configuration', 'Database', 'Backups', 'Owncast', 'Clock', 'Access token', 'public_url', 'Webhook', 'External action']) {
			expect(lineOf(result.stdout, title)).toStartWith('✓ ')
		}
		for (const scope of ['send chat messages', 'send system messages', 'perform administrative actions']) {
			expect(lineOf(result.stdout, `Token scope: ${scope}`)).toBe(`✓ Token scope: ${scope}: granted`)
		}
		expect(lineOf(result.stdout, 'Stream')).toBe('· Stream: live')
		expect(lineOf(result.stdout, 'Owncast')).toContain('Owncast 0.3.0 answers')
		expect(lineOf(result.stdout, 'Webhook')).toContain('/owncastWebhook with CHAT, NAME_CHANGE, USER_JOINED, STREAM_STARTED, STREAM_STOPPED')
		expect(lineOf(result.stdout, 'External action')).toContain('"Redeems Dashboard" opens')
		expect(result.stdout).not.toContain('✗')
		// Not a terminal: no colour codes.
		expect(result.stdout).not.toContain('\u001B[')
		expect(lines.at(-1)).toMatch(/^no check failed|^everything checked is fine/)
		expect(result.stderr).toBe('')
		// The probes are refused by Owncast after the token check: no chat message, no private message.
		expect(fake.messages).toEqual([])
		expect(fake.privateMessages).toEqual([])
		// The database is read, never changed, and no -wal or -shm file is left behind.
		expect(['-wal', '-shm'].filter((suffix) => existsSync(instance.databasePath + suffix))).toEqual([])
		expect(statSync(instance.databasePath).mtimeMs).toBe(databaseMtime)
		const probes = fake.requests.filter((r) => r.path.startsWith('/api/integrations/')).map((r) => `${r.method} ${r.path}`)
		expect(probes.sort()).toEqual([
			'GET /api/integrations/clients',
			'POST /api/integrations/chat/send',
			'POST /api/integrations/chat/system/client/2147483647'
		])
	})

	test('--json: ok, version, instance, a summary and one entry per check with id, title, status, detail', async () => {
		const fake = fakeOwncast()
		const instance = healthyInstance({ fake, publicUrl: fakeBot() })
		const { result, report } = await doctorJson(instance, { TLAPBOT_OWNCAST_ADMIN_PASSWORD: ADMIN_PASSWORD })
		expectExit(result, 0)
		expect(report.ok).toBe(true)
		expect(report.version).toBe(VERSION)
		expect(report.instance).toBe(instance.instanceDir)
		expect(report.checks.map((c) => c.id)).toEqual([
			'config',
			'database',
			'disk_space',
			'backups',
			'owncast',
			'clock',
			'token',
			'scope_send_messages',
			'scope_system_messages',
			'scope_admin',
			'stream',
			'public_url',
			'webhook',
			'external_action'
		])
		for (const c of report.checks) {
			expect(Object.keys(c).sort()).toEqual(c.fix === undefined ? ['detail', 'id', 'status', 'title'] : ['detail', 'fix', 'id', 'status', 'title'])
			expect(['ok', 'warn', 'fail', 'info', 'skip']).toContain(c.status)
			expect(c.detail.length).toBeGreaterThan(0)
		}
		const total = Object.values(report.summary).reduce((a, b) => a + b, 0)
		expect(total).toBe(report.checks.length)
		expect(report.summary.fail).toBe(0)
		expect(byId(report, 'stream')).toMatchObject({ status: 'info', detail: 'live' })
		expect(byId(report, 'database').detail).toContain(`schema version ${migrations.length} (current)`)
	})

	test('without the admin password the webhook is skipped with how to give it; the external action comes from /api/config', async () => {
		const fake = fakeOwncast()
		const instance = healthyInstance({ fake, publicUrl: fakeBot() })
		const { result, report } = await doctorJson(instance)
		expectExit(result, 0)
		expect(byId(report, 'webhook')).toMatchObject({ status: 'skip' })
		expect(byId(report, 'webhook').fix).toContain('TLAPBOT_OWNCAST_ADMIN_PASSWORD')
		expect(byId(report, 'webhook').fix).toContain('--owncast-admin')
		expect(byId(report, 'external_action').status).toBe('ok')
		expect(fake.requests.some((r) => r.path === '/api/config')).toBe(true)
		expect(fake.requests.some((r) => r.path.startsWith('/api/admin/'))).toBe(false)
		// The admin password variable is the doctor's own: no "not a tlapbot setting" warning for it.
		const withPassword = await doctorJson(instance, { TLAPBOT_OWNCAST_ADMIN_PASSWORD: ADMIN_PASSWORD })
		expect(byId(withPassword.report, 'config').status).toBe('ok')
	})
})

describe('tlapbot doctor says which check failed', () => {
	test('a wrong token: refused everywhere, the scopes are skipped, exit 1', async () => {
		const fake = fakeOwncast()
		const instance = healthyInstance({ fake, publicUrl: fakeBot(), token: 'not-the-token' })
		const result = expectExit(await doctor(instance), 1)
		expect(lineOf(result.stdout, 'Access token')).toStartWith('✗ Access token: Owncast refuses the token everywhere')
		expect(lineOf(result.stdout, 'Access token')).toContain('→ in Owncast\'s admin, Integrations → Access Tokens')
		expect(lineOf(result.stdout, 'Token scope: send chat messages')).toStartWith('- ')
		expect(result.stdout.trim().split('\n').at(-1)).toBe('1 check failed')
		expect(hasStackTrace(result.stdout + result.stderr)).toBe(false)
	})

	test('a token without "send system messages": the token works, that one scope fails', async () => {
		const fake = fakeOwncast({ scopes: ['CAN_SEND_MESSAGES', 'HAS_ADMIN_ACCESS'] })
		const instance = healthyInstance({ fake, publicUrl: fakeBot() })
		const { result, report } = await doctorJson(instance)
		expectExit(result, 1)
		expect(report.ok).toBe(false)
		expect(byId(report, 'token').status).toBe('ok')
		expect(byId(report, 'scope_send_messages').status).toBe('ok')
		expect(byId(report, 'scope_admin').status).toBe('ok')
		const missing = byId(report, 'scope_system_messages')
		expect(missing.status).toBe('fail')
		expect(missing.detail).toContain('missing: private replies go to public chat')
		expect(missing.fix).toContain('create a new one')
		expect(fake.privateMessages).toEqual([])
	})

	test('a token without "perform administrative actions": nobody earns points', async () => {
		const fake = fakeOwncast({ scopes: ['CAN_SEND_MESSAGES', 'CAN_SEND_SYSTEM_MESSAGES'] })
		const instance = healthyInstance({ fake, publicUrl: fakeBot() })
		const result = expectExit(await doctor(instance), 1)
		expect(lineOf(result.stdout, 'Token scope: perform administrative actions')).toStartWith(
			'✗ Token scope: perform administrative actions: missing: the bot cannot list who is in chat'
		)
		expect(lineOf(result.stdout, 'Access token')).toStartWith('✓ ')
	})

	test('in passive mode a missing chat scope is only a warning', async () => {
		const fake = fakeOwncast({ scopes: ['HAS_ADMIN_ACCESS'] })
		const instance = healthyInstance({ fake, publicUrl: fakeBot(), extra: 'passive = true' })
		const { result, report } = await doctorJson(instance)
		expectExit(result, 0)
		expect(byId(report, 'scope_send_messages').status).toBe('warn')
		expect(byId(report, 'scope_system_messages').status).toBe('warn')
	})

	test('no token at all', async () => {
		const fake = fakeOwncast()
		const instance = healthyInstance({ fake, publicUrl: fakeBot(), token: '' })
		const { result, report } = await doctorJson(instance)
		expectExit(result, 1)
		expect(byId(report, 'token')).toMatchObject({ status: 'fail', detail: 'owncast_access_token is not set' })
	})

	test('an unreachable Owncast: the Owncast check fails and what depends on it is skipped', async () => {
		const fake = fakeOwncast()
		const instance = healthyInstance({ fake, publicUrl: fakeBot() })
		fake.stop()
		const { result, report } = await doctorJson(instance)
		expectExit(result, 1)
		const owncast = byId(report, 'owncast')
		expect(owncast.status).toBe('fail')
		expect(owncast.detail).toContain(`cannot reach Owncast at ${fake.url}`)
		expect(owncast.fix).toContain('owncast_url')
		for (const id of ['clock', 'token', 'scope_admin', 'stream', 'webhook', 'external_action']) expect(byId(report, id).status).toBe('skip')
		// The local checks and public_url do not depend on Owncast.
		expect(byId(report, 'database').status).toBe('ok')
		expect(byId(report, 'public_url').status).toBe('ok')
		const text = expectExit(await doctor(instance), 1)
		expect(lineOf(text.stdout, 'Owncast')).toStartWith('✗ Owncast: cannot reach Owncast')
	})

	test('owncast_url that is not Owncast', async () => {
		const fake = fakeOwncast()
		const instance = healthyInstance({ fake, publicUrl: fakeBot() })
		fake.mode = 'garbage'
		const { result, report } = await doctorJson(instance)
		expectExit(result, 1)
		expect(byId(report, 'owncast').detail).toContain('not JSON')
	})

	test('a database file that is not SQLite', async () => {
		const fake = fakeOwncast()
		const instance = healthyInstance({ fake, publicUrl: fakeBot() })
		writeFileSync(instance.databasePath, 'these are my notes, not a database\n'.repeat(200))
		const result = expectExit(await doctor(instance), 1)
		expect(lineOf(result.stdout, 'Database')).toStartWith('✗ Database: cannot read instance/tlapbot.sqlite: it is not an SQLite database')
		expect(lineOf(result.stdout, 'Database')).toContain('→ stop tlapbot and put the newest file from the backups folder in its place')
		expect(result.stdout.trim().split('\n').at(-1)).toBe('1 check failed')
	})

	test('a damaged database (pages overwritten)', async () => {
		const fake = fakeOwncast()
		const instance = healthyInstance({ fake, publicUrl: fakeBot() })
		const db = new Database(instance.databasePath)
		db.run('PRAGMA journal_mode = DELETE')
		db.run('CREATE TABLE filler (x TEXT)')
		db.run('CREATE INDEX filler_x ON filler (x)')
		db.transaction(() => {
			for (let i = 0; i < 3000; i++) db.query('INSERT INTO filler VALUES (?)').run(`row ${i} ${'x'.repeat(80)}`)
		})()
		db.close()
		const bytes = await Bun.file(instance.databasePath).bytes()
		const pageSize = (bytes[16] as number) * 256 + (bytes[17] as number)
		// Overwrite the middle of the file (whole pages, never page 1), as a disk error would.
		const middle = Math.floor(bytes.length / pageSize / 2) * pageSize
		bytes.fill(0x5a, middle, middle + 4 * pageSize)
		await Bun.write(instance.databasePath, bytes)
		const { result, report } = await doctorJson(instance)
		expectExit(result, 1)
		const database = byId(report, 'database')
		expect(database.status).toBe('fail')
		expect(database.detail).toMatch(/is damaged: quick_check says|malformed/)
	})

	test('a database from an older or a newer tlapbot', async () => {
		const fake = fakeOwncast()
		const instance = healthyInstance({ fake, publicUrl: fakeBot() })
		const setVersion = (n: number) => {
			const db = new Database(instance.databasePath)
			db.run(`PRAGMA user_version = ${n}`)
			db.close()
		}
		setVersion(migrations.length - 1)
		const older = await doctorJson(instance)
		expectExit(older.result, 1)
		expect(byId(older.report, 'database').fix).toContain('run `tlapbot init-db`')
		setVersion(migrations.length + 1)
		const newer = await doctorJson(instance)
		expectExit(newer.result, 1)
		expect(byId(newer.report, 'database').detail).toContain('newer than this tlapbot knows')
		expect(byId(newer.report, 'database').fix).toContain('upgrade tlapbot')
	})

	test('no database yet; doctor does not create one', async () => {
		const fake = fakeOwncast()
		const instance = healthyInstance({ fake, publicUrl: fakeBot() })
		rmSync(instance.databasePath)
		const { result, report } = await doctorJson(instance)
		expectExit(result, 1)
		expect(byId(report, 'database').detail).toContain('does not exist')
		expect(existsSync(instance.databasePath)).toBe(false)
	})

	test('a config.toml that does not load: the ConfigError line, the rest skipped', async () => {
		const instance = makeInstance({ config: `secret_key = "${TEST_SECRET}"\nponts_amount_given = 5\n` })
		const { result, report } = await doctorJson(instance)
		expectExit(result, 1)
		expect(byId(report, 'config')).toMatchObject({ status: 'fail' })
		expect(byId(report, 'config').detail).toContain('ponts_amount_given: unknown key; did you mean "points_amount_given"?')
		expect(byId(report, 'database').status).toBe('skip')
		expect(byId(report, 'owncast').status).toBe('skip')
		const missing = await runTlapbot(['doctor', '--instance', join(makeTempDir(), 'nowhere')], { cwd: makeTempDir() })
		expectExit(missing, 1)
		expect(missing.stdout).toContain('✗ Configuration:')
		expect(missing.stdout).toContain('run `tlapbot init`')
	})

	test('public_url that does not answer, or is not tlapbot', async () => {
		const fake = fakeOwncast()
		const instance = healthyInstance({ fake, publicUrl: `http://127.0.0.1:${closedPort()}` })
		const down = await doctorJson(instance)
		expectExit(down.result, 1)
		expect(byId(down.report, 'public_url').detail).toContain('/healthz does not answer from here')
		expect(byId(down.report, 'public_url').fix).toContain('is `tlapbot serve` running')
		const other = healthyInstance({ fake, publicUrl: fakeBot({ body: { hello: 'world' } }) })
		const wrong = await doctorJson(other)
		expectExit(wrong.result, 1)
		expect(byId(wrong.report, 'public_url').detail).toContain('but not as tlapbot does')
	})

	test('the webhook: missing, lacking events, a wrong admin password', async () => {
		const fake = fakeOwncast()
		const publicUrl = fakeBot()
		const instance = healthyInstance({ fake, publicUrl })
		const env = { TLAPBOT_OWNCAST_ADMIN_PASSWORD: ADMIN_PASSWORD }
		fake.webhooks = [{ id: 3, url: 'https://elsewhere.example/hook', events: ['CHAT'] }]
		const none = await doctorJson(instance, env)
		expectExit(none.result, 1)
		expect(byId(none.report, 'webhook').detail).toContain(`none to ${publicUrl}/owncastWebhook`)
		expect(byId(none.report, 'webhook').fix).toContain('Integrations → Webhooks')
		fake.webhooks = [{ id: 4, url: `${publicUrl}/owncastWebhook`, events: ['CHAT', 'STREAM_STARTED'] }]
		const lacking = await doctorJson(instance, env)
		expectExit(lacking.result, 1)
		expect(byId(lacking.report, 'webhook').detail).toContain('lacks the events NAME_CHANGE, USER_JOINED, STREAM_STOPPED')
		const wrong = await doctorJson(instance, { TLAPBOT_OWNCAST_ADMIN_PASSWORD: 'not-the-password' })
		expectExit(wrong.result, 1)
		expect(byId(wrong.report, 'webhook')).toMatchObject({ status: 'fail', detail: 'Owncast refused the admin password' })
		// The external actions then come from Owncast's public configuration.
		expect(byId(wrong.report, 'external_action').status).toBe('ok')
	})

	test('the webhook with webhook_secret: older Owncast needs ?secret=, and it must match', async () => {
		const fake = fakeOwncast()
		const publicUrl = fakeBot()
		const instance = healthyInstance({ fake, publicUrl, extra: 'webhook_secret = "hook-secret-abc"' })
		const env = { TLAPBOT_OWNCAST_ADMIN_PASSWORD: ADMIN_PASSWORD }
		expect(byId((await doctorJson(instance, env)).report, 'webhook').status).toBe('ok')
		fake.version = '0.2.3'
		const unsigned = await doctorJson(instance, env)
		expect(byId(unsigned.report, 'webhook').detail).toContain('does not sign webhooks')
		fake.webhooks = [{ id: 1, url: `${publicUrl}/owncastWebhook?secret=hook-secret-abc`, events: [...EVENTS] }]
		expect(byId((await doctorJson(instance, env)).report, 'webhook').status).toBe('ok')
		fake.webhooks = [{ id: 1, url: `${publicUrl}/owncastWebhook?secret=other-secret-xyz`, events: [...EVENTS] }]
		const mismatch = await doctorJson(instance, env)
		expectExit(mismatch.result, 1)
		expect(byId(mismatch.report, 'webhook').detail).toContain('carries a ?secret= that is not webhook_secret')
		expect(mismatch.result.stdout).not.toContain('other-secret-xyz')
		// Owncast 0.3 signs with the secret it lists: another one than webhook_secret fails too.
		fake.version = '0.3.0'
		fake.webhooks = [{ id: 1, url: `${publicUrl}/owncastWebhook`, events: [...EVENTS], secret: 'a-different-secret-abc' }]
		const signedWrong = await doctorJson(instance, env)
		expectExit(signedWrong.result, 1)
		expect(byId(signedWrong.report, 'webhook').detail).toContain('signed by Owncast with a secret that is not webhook_secret')
		expect(signedWrong.result.stdout).not.toContain('a-different-secret-abc')
		// With the variable set, --owncast-admin does not ask.
		fake.webhooks = [{ id: 1, url: `${publicUrl}/owncastWebhook`, events: [...EVENTS], secret: 'hook-secret-abc' }]
		const both = await doctor(instance, ['--json', '--owncast-admin'], env)
		expect(byId(JSON.parse(both.stdout) as Report, 'webhook').status).toBe('ok')
	})

	test('no external action to <public_url>/dashboard', async () => {
		const fake = fakeOwncast()
		const publicUrl = fakeBot()
		const instance = healthyInstance({ fake, publicUrl })
		fake.externalActions = [{ url: 'https://other.example/page', title: 'Other' }]
		const { result, report } = await doctorJson(instance)
		expectExit(result, 1)
		expect(byId(report, 'external_action').detail).toBe(`none opens ${publicUrl}/dashboard`)
		expect(byId(report, 'external_action').fix).toContain('Integrations → External Actions')
	})

	test("Owncast's clock: 90 s off warns, 400 s off fails when webhooks are signed", async () => {
		const fake = fakeOwncast()
		const instance = healthyInstance({ fake, publicUrl: fakeBot(), extra: 'webhook_secret = "hook-secret-abc"' })
		fake.clockOffsetMs = 90_000
		const warned = await doctorJson(instance)
		expectExit(warned.result, 0)
		expect(byId(warned.report, 'clock')).toMatchObject({ status: 'warn' })
		expect(byId(warned.report, 'clock').detail).toContain("Owncast's clock is 1 minute 30 seconds ahead of this machine's")
		fake.clockOffsetMs = -400_000
		const failed = await doctorJson(instance)
		expectExit(failed.result, 1)
		expect(byId(failed.report, 'clock').status).toBe('fail')
		expect(byId(failed.report, 'clock').detail).toContain('6 minutes 40 seconds behind')
		expect(byId(failed.report, 'clock').fix).toContain('NTP')
	})

	test('--owncast-admin without a terminal and nothing on standard input is a usage error', async () => {
		const fake = fakeOwncast()
		const instance = healthyInstance({ fake, publicUrl: fakeBot() })
		const result = expectExit(await doctor(instance, ['--owncast-admin']), 1)
		expect(result.stderr).toStartWith('error: --owncast-admin: no password on standard input')
	})

	test('--owncast-admin reads the password from standard input when it is not a terminal', async () => {
		const fake = fakeOwncast()
		const instance = healthyInstance({ fake, publicUrl: fakeBot() })
		const child = Bun.spawn([process.execPath, MAIN_TS, 'doctor', '--instance', instance.instanceDir, '--owncast-admin', '--json'], {
			cwd: instance.root,
			env: baseEnv(),
			stdin: new TextEncoder().encode(`${ADMIN_PASSWORD}\n`),
			stdout: 'pipe',
			stderr: 'pipe'
		})
		const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited])
		expect(code).toBe(0)
		const report = JSON.parse(stdout) as Report
		expect(byId(report, 'webhook').status).toBe('ok')
		expect(stdout).not.toContain(ADMIN_PASSWORD)
	})
})

describe('secrets never appear in the output', () => {
	const SECRETS = {
		token: 'tok-VERY-secret-123456',
		secretKey: 'sk-SECRET-0123456789abcdef',
		webhookSecret: 'whs-SECRET-456789',
		adminPassword: 'admin-SECRET-pass-789',
		owncastUser: 'oc-user-SECRET',
		owncastPassword: 'oc-pw-SECRET-000',
		proxyPassword: 'proxy-pw-SECRET-111',
		owncastAdmin: ADMIN_PASSWORD
	}

	const expectClean = (text: string) => {
		for (const secret of Object.values(SECRETS)) {
			expect(text).not.toContain(secret)
			expect(text).not.toContain(encodeURIComponent(secret))
		}
	}

	test('in text and JSON, with failures that involve them', async () => {
		const fake = fakeOwncast()
		const bot = new URL(fakeBot())
		const owncast = new URL(fake.url)
		const publicUrl = `http://proxy-user:${SECRETS.proxyPassword}@${bot.host}`
		const config = [
			`secret_key = "${SECRETS.secretKey}"`,
			// Credentials inside owncast_url (a proxy in front of Owncast); the token is wrong for this Owncast.
			`owncast_url = "http://${SECRETS.owncastUser}:${SECRETS.owncastPassword}@${owncast.host}"`,
			`owncast_access_token = "${SECRETS.token}"`,
			`webhook_secret = "${SECRETS.webhookSecret}"`,
			`admin_password = "${SECRETS.adminPassword}"`,
			`public_url = "${publicUrl}"`
		].join('\n')
		const instance = makeInstance({ config: `${config}\n` })
		openDatabase(instance.databasePath).close()
		// The webhook's URL carries the secret (older Owncast), and one points nowhere with it.
		fake.webhooks = [{ id: 1, url: `http://${bot.host}/owncastWebhook?secret=${SECRETS.webhookSecret}`, events: ['CHAT'] }]
		const env = { TLAPBOT_OWNCAST_ADMIN_PASSWORD: SECRETS.owncastAdmin }
		const text = await doctor(instance, [], env)
		expect(text.code).toBe(1)
		expectClean(text.stdout + text.stderr)
		const json = await doctor(instance, ['--json'], env)
		expectClean(json.stdout + json.stderr)
		// The URLs are still shown, without their credentials.
		expect(text.stdout).toContain(`http://***@${owncast.host}`)

		// The same secrets through the environment, and a config error about one of them.
		const broken = makeInstance({ config: `secret_key = "short-SECRET"\nowncast_access_token = "${SECRETS.token}"\n` })
		const envSecrets = { ...env, TLAPBOT_WEBHOOK_SECRET: SECRETS.webhookSecret, TLAPBOT_ADMIN_PASSWORD: SECRETS.adminPassword }
		const failed = await doctor(broken, [], envSecrets)
		expect(failed.code).toBe(1)
		expect(failed.stdout).toContain('✗ Configuration:')
		expect(failed.stdout).not.toContain('short-SECRET')
		expectClean(failed.stdout + failed.stderr)
		const envOnly = await doctor(broken, ['--json'], { TLAPBOT_SECRET_KEY: 'tiny-SECRET' })
		expect(envOnly.stdout).not.toContain('tiny-SECRET')
	})
})

describe('the checks on their own', () => {
	test('disk space: under 100 MB fails, under 500 MB warns, else ok', () => {
		const dir = makeTempDir()
		const at = (bytes: number) =>
			checkDiskSpace({ instanceDir: dir, databasePath: join(dir, 'tlapbot.sqlite'), statfs: () => ({ bavail: bytes / 4096, bsize: 4096 }) })
		expect(at(DISK_FAIL_BYTES - 4096)).toMatchObject({ status: 'fail' })
		expect(at(DISK_FAIL_BYTES - 4096).detail).toStartWith('only 100 MB free for')
		expect(at(300 * 1024 * 1024).status).toBe('warn')
		expect(at(5 * 1024 * 1024 * 1024)).toMatchObject({ status: 'ok' })
		expect(at(5 * 1024 * 1024 * 1024).detail).toStartWith('5.0 GB free for')
		// A database folder that does not exist yet: the filesystem it will be on.
		expect(checkDiskSpace({ instanceDir: join(dir, 'a', 'b'), databasePath: join(dir, 'a', 'b', 'db.sqlite') }).status).not.toBe('skip')
	})

	test('backups: none, fresh, old with changes since, old without, switched off', () => {
		const dir = makeTempDir()
		const databasePath = join(dir, 'tlapbot.sqlite')
		writeFileSync(databasePath, 'x')
		const now = Date.now()
		const run = (keep = 7) => checkBackups({ instanceDir: dir, databasePath, backupKeep: keep, now })
		expect(run()).toMatchObject({ status: 'warn', detail: `no backup in ${join(dir, 'backups')} yet` })
		mkdirSync(join(dir, 'backups'))
		const backup = join(dir, 'backups', 'tlapbot-2024-05-01.sqlite')
		writeFileSync(backup, 'backup')
		const ageBy = (path: string, ms: number) => utimesSync(path, new Date(now - ms), new Date(now - ms))
		ageBy(backup, 5 * 3600_000)
		expect(run()).toMatchObject({ status: 'ok' })
		expect(run().detail).toContain('5 hours old')
		ageBy(backup, 3 * 86400_000)
		expect(run()).toMatchObject({ status: 'fail' })
		expect(run().detail).toContain('3 days old')
		ageBy(databasePath, 4 * 86400_000)
		expect(run()).toMatchObject({ status: 'ok' })
		expect(run().detail).toContain('the database has not changed since')
		expect(run(0).status).toBe('info')
		expect(statSync(backup).size).toBe(6)
	})

	test('database: the same verdicts on an open connection (as serve runs it)', () => {
		const dir = makeTempDir()
		const path = join(dir, 'tlapbot.sqlite')
		const db = openDatabase(path)
		try {
			expect(checkDatabase({ databasePath: path, schemaVersion: migrations.length, db }).status).toBe('ok')
			expect(checkDatabase({ databasePath: path, schemaVersion: migrations.length + 1, db }).status).toBe('fail')
		} finally {
			db.close()
		}
	})

	test('clock: serverTime halfway through the request, else the Date header', () => {
		const sentAt = 1_700_000_000_000
		const answeredAt = sentAt + 200
		const at = (offset: number) => new Date(sentAt + 100 + offset).toISOString()
		expect(checkClock({}, { serverTime: at(0), sentAt, answeredAt })).toMatchObject({ status: 'ok', detail: "within 1 second of Owncast's" })
		expect(checkClock({}, { serverTime: at(61_000), sentAt, answeredAt }).status).toBe('warn')
		expect(checkClock({}, { serverTime: at(-301_000), sentAt, answeredAt }).status).toBe('warn')
		expect(checkClock({ webhookSecret: 's' }, { serverTime: at(-301_000), sentAt, answeredAt }).status).toBe('fail')
		const date = new Date(sentAt + 400_000).toUTCString()
		expect(checkClock({ webhookSecret: 's' }, { date, sentAt, answeredAt }).status).toBe('fail')
		expect(checkClock({}, { sentAt, answeredAt }).status).toBe('skip')
	})

	test('endpoints compare without query, credentials or trailing slash', () => {
		expect(sameEndpoint('https://bot.example.com/owncastWebhook?secret=x', 'https://bot.example.com/owncastWebhook')).toBe(true)
		expect(sameEndpoint('https://BOT.example.com/owncastWebhook/', 'https://bot.example.com/owncastWebhook')).toBe(true)
		expect(sameEndpoint('https://u:p@bot.example.com:443/dashboard', 'https://bot.example.com/dashboard')).toBe(true)
		expect(sameEndpoint('http://bot.example.com/dashboard', 'https://bot.example.com/dashboard')).toBe(false)
		expect(sameEndpoint('https://bot.example.com/x/dashboard', 'https://bot.example.com/dashboard')).toBe(false)
		expect(formatDuration(93_784_000)).toBe('1 day 2 hours')
	})
})

describe('serve runs the cheap checks at start', () => {
	test('a problem found at start is logged as a warning, and serve runs on', async () => {
		const { root, instanceDir } = makeInstance()
		// A file where the backups folder belongs: the daily backup fails, and the check says no backup exists.
		writeFileSync(join(instanceDir, 'backups'), 'not a folder')
		const served = await startServe({ cwd: root, args: ['--instance', instanceDir] })
		await served.waitForOutput(/WARN\s+Backups: no backup in instance\/backups yet/)
		const health = await fetch(`${served.base}/healthz`)
		expect(health.status).toBe(200)
		expect(served.stderr()).not.toMatch(/WARN\s+Database:/)
		expect(served.running).toBe(true)
	})
})
