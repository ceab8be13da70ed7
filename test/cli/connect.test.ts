// `tlapbot connect` as a real process against a fake Owncast admin API on loopback.
import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTopLevelKeys } from '../../src/config/edit.ts'
import { exampleConfig } from '../../src/config/instance.ts'
import { loadConfig } from '../../src/config/load.ts'
import { BOT_SCOPES } from '../../src/modules/owncast/admin-client.ts'
import { WEBHOOK_EVENTS } from '../../src/modules/setup/connect.ts'
import { expectExit, hasStackTrace, makeInstance, runTlapbot, TEST_SECRET, useTempDirs, type RunResult } from '../helpers.ts'
import { startFakeOwncastAdmin, type FakeOwncastAdmin, type FakeOwncastAdminOptions } from '../support/fake-owncast-admin.ts'

useTempDirs()
setDefaultTimeout(30_000)

const PASSWORD = 'owncast-admin-pw-4711'
const PUBLIC = 'https://bot.example.com'
const WRITTEN_KEYS = ['owncast_url', 'owncast_access_token', 'public_url', 'webhook_secret']
/** The example config.toml (every comment of it) plus a table of the streamer's own, with a comment. */
const CONFIG = `${exampleConfig(TEST_SECRET)}
[messages]
# my own wording
balance = "{name} has {balance} points" # tell them
`
const EXISTING_ACTIONS = [
	{ url: 'https://shop.example.com', title: 'Merch', description: 'Buy a shirt', icon: 'https://shop.example.com/i.png', color: '#ff0000', openExternally: true },
	{ url: 'https://ko-fi.example.com/me', title: 'Tip jar', description: '', icon: '', color: '', openExternally: false, html: '' }
]

const fakes: FakeOwncastAdmin[] = []
afterEach(() => {
	for (const fake of fakes.splice(0)) fake.stop()
})

function startFake(options: FakeOwncastAdminOptions = {}): FakeOwncastAdmin {
	const fake = startFakeOwncastAdmin({ password: PASSWORD, actions: EXISTING_ACTIONS, ...options })
	fakes.push(fake)
	return fake
}

function setup(config: string | null = CONFIG) {
	const instance = makeInstance({ config })
	return { ...instance, configPath: join(instance.instanceDir, 'config.toml') }
}

function connect(fake: { url: string }, root: string, extra: string[] = [], env: Record<string, string> = {}): Promise<RunResult> {
	return runTlapbot(['connect', fake.url, ...extra], { cwd: root, env: { TLAPBOT_OWNCAST_ADMIN_PASSWORD: PASSWORD, ...env } })
}

/** The config.toml settings as the bot reads them. */
function settings(instanceDir: string) {
	return loadConfig(instanceDir, {}).config
}

/** Fails when any secret appears in what the process printed. */
function expectNoSecrets(result: RunResult, secrets: (string | undefined)[]) {
	const printed = result.stdout + result.stderr
	for (const secret of secrets) {
		if (!secret) continue
		if (printed.includes(secret) || printed.includes(encodeURIComponent(secret))) {
			throw new Error(`a secret was printed:\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`)
		}
	}
	expect(hasStackTrace(printed)).toBe(false)
}

function allSecrets(fake: FakeOwncastAdmin, instanceDir: string): string[] {
	const config = existsSync(join(instanceDir, 'config.toml')) ? settings(instanceDir) : undefined
	return [PASSWORD, ...fake.tokens.map((t) => t.accessToken), config?.webhook_secret ?? '', config?.owncast_access_token ?? '', ...fake.webhooks.map((w) => w.secret)]
}

/** The lines that are not one of the four keys connect writes: the streamer's file apart from them. */
const untouched = (text: string) => text.split('\n').filter((line) => !WRITTEN_KEYS.some((key) => line.startsWith(`${key} = `)))

function setupRows(databasePath: string): Record<string, unknown>[] {
	const db = new Database(databasePath, { readonly: true })
	try {
		return db.query<Record<string, unknown>, []>('SELECT * FROM owncast_setup').all()
	} finally {
		db.close()
	}
}

describe('a first connect to Owncast 0.3', () => {
	test('creates one token, one signed webhook and the Points button, keeps every action, writes config.toml with its comments', async () => {
		const fake = startFake({ version: '0.3.0' })
		const { root, instanceDir, configPath, databasePath } = setup()
		const result = expectExit(await connect(fake, root, ['--public-url', `${PUBLIC}/`]), 0)

		expect(fake.tokens).toHaveLength(1)
		const token = fake.tokens[0]!
		expect(token.displayName).toBe('tlapbot')
		expect([...token.scopes].sort()).toEqual([...BOT_SCOPES].sort())

		const config = settings(instanceDir)
		expect(config.owncast_url).toBe(fake.url)
		expect(config.owncast_access_token).toBe(token.accessToken)
		expect(config.public_url).toBe(PUBLIC)
		expect(config.webhook_secret).toMatch(/^[0-9a-f]{64}$/)

		expect(fake.webhooks).toHaveLength(1)
		const hook = fake.webhooks[0]!
		expect(hook.url).toBe(`${PUBLIC}/owncastWebhook`)
		expect([...hook.events].sort()).toEqual([...WEBHOOK_EVENTS].sort())
		expect(hook.secret).toBe(config.webhook_secret as string)

		expect(fake.actions).toEqual([...EXISTING_ACTIONS, { url: `${PUBLIC}/dashboard`, title: 'Points', description: '', icon: '', color: '', openExternally: false }])

		// Comments, order and every other line of the streamer's file are as they were.
		const text = readFileSync(configPath, 'utf8')
		expect(untouched(text)).toEqual(untouched(CONFIG))
		expect(text).toContain('# my own wording\nbalance = "{name} has {balance} points" # tell them\n')
		expect(text).toContain('# public_url = "https://bot.example.com"\npublic_url = "https://bot.example.com"\n')
		for (const key of WRITTEN_KEYS) expect(text.match(new RegExp(`^${key} = `, 'gm'))).toHaveLength(1)

		// What it made is remembered, without a secret.
		const rows = setupRows(databasePath)
		expect(rows).toHaveLength(1)
		expect(rows[0]).toMatchObject({ owncast_url: fake.url, token_name: 'tlapbot', webhook_id: hook.id, action_url: `${PUBLIC}/dashboard`, action_title: 'Points' })
		expect(JSON.stringify(rows)).not.toContain(token.accessToken)
		expect(JSON.stringify(rows)).not.toContain(config.webhook_secret as string)

		expect(result.stdout).toContain('Access token: created "tlapbot"')
		expect(result.stdout).toContain(`Webhook: registered ${PUBLIC}/owncastWebhook`)
		expect(result.stdout).toContain('signed with webhook_secret')
		expect(result.stdout).toContain('External action: added "Points"')
		expect(result.stdout).toContain('2 other actions kept')
		expectNoSecrets(result, allSecrets(fake, instanceDir))
	})

	test('a second run changes nothing: still one token, one webhook, one button', async () => {
		const fake = startFake()
		const { root, instanceDir, configPath } = setup()
		expectExit(await connect(fake, root, ['--public-url', PUBLIC]), 0)
		const state = fake.snapshot()
		const changes = fake.changes.length
		const text = readFileSync(configPath, 'utf8')

		const again = expectExit(await connect(fake, root), 0)
		expect(fake.snapshot()).toEqual(state)
		expect(fake.changes).toHaveLength(changes)
		expect(readFileSync(configPath, 'utf8')).toBe(text)
		expect(again.stdout).toContain('Access token: keeping the token in use ("tlapbot"), it works')
		expect(again.stdout).toContain('already registered, unchanged')
		expect(again.stdout).toContain('"Points" -> https://bot.example.com/dashboard already there, unchanged')
		expect(again.stdout).toContain('config.toml: already has')
		expectNoSecrets(again, allSecrets(fake, instanceDir))
	})

	test('after public_url changed, its own webhook and button are replaced (not duplicated) and nothing else is touched', async () => {
		const otherToken = { id: 'u0', accessToken: 'hand-made-token-0123456789', displayName: 'overlay', scopes: ['CAN_SEND_MESSAGES'], createdAt: '2026-01-01T00:00:00Z' }
		const otherHook = { id: 7, url: 'https://discord-relay.example.com/hook', events: ['CHAT'], secret: '' }
		const fake = startFake({ tokens: [otherToken], webhooks: [otherHook] })
		const { root, instanceDir } = setup()
		expectExit(await connect(fake, root, ['--public-url', PUBLIC]), 0)
		const token = fake.tokens.find((t) => t.displayName === 'tlapbot')!
		const firstHook = fake.webhooks.find((w) => w.id !== 7)!

		const moved = 'https://points.example.org'
		const result = expectExit(await connect(fake, root, ['--public-url', moved]), 0)
		expect(fake.tokens).toEqual([otherToken, token])
		expect(fake.webhooks).toHaveLength(2)
		expect(fake.webhooks[0]).toEqual(otherHook)
		const hook = fake.webhooks[1]!
		expect(hook.id).not.toBe(firstHook.id)
		expect(hook.url).toBe(`${moved}/owncastWebhook`)
		expect(hook.secret).toBe(firstHook.secret)
		expect(fake.actions).toEqual([...EXISTING_ACTIONS, { url: `${moved}/dashboard`, title: 'Points', description: '', icon: '', color: '', openExternally: false }])
		expect(settings(instanceDir).public_url).toBe(moved)
		expect(result.stdout).toContain(`replaced its webhook (id ${firstHook.id})`)
		expect(result.stdout).toContain(`Clean-up: deleted the webhook (id ${firstHook.id}) connect made before`)
		expect(result.stdout).toContain(`replaced its action (${PUBLIC}/dashboard)`)
		expectNoSecrets(result, [...allSecrets(fake, instanceDir), otherToken.accessToken])

		// A third run with the same address is quiet again.
		const changes = fake.changes.length
		expectExit(await connect(fake, root, ['--public-url', moved]), 0)
		expect(fake.changes).toHaveLength(changes)
	})

	test('a token deleted in Owncast is replaced by a new one; a working token from config.toml is kept', async () => {
		const fake = startFake()
		const { root, instanceDir } = setup()
		expectExit(await connect(fake, root, ['--public-url', PUBLIC]), 0)
		fake.tokens.length = 0 // Deleted by hand in Owncast's admin.
		const result = expectExit(await connect(fake, root), 0)
		expect(fake.tokens).toHaveLength(1)
		expect(settings(instanceDir).owncast_access_token).toBe(fake.tokens[0]!.accessToken)
		expect(result.stdout).toContain("the token in use is not one of this Owncast's tokens")
		expect(result.stdout).toContain('Access token: created "tlapbot"')

		// A hand-made working token in config.toml is used as it is (and never deleted).
		const handMade = { id: 'u9', accessToken: 'my-own-token-abcdefghijklmnop', displayName: 'MyBot', scopes: [...BOT_SCOPES], createdAt: '2026-01-01T00:00:00Z' }
		fake.tokens.push(handMade)
		const configPath = join(instanceDir, 'config.toml')
		writeFileSync(configPath, readFileSync(configPath, 'utf8').replace(/^owncast_access_token = .*$/m, `owncast_access_token = "${handMade.accessToken}"`))
		const kept = expectExit(await connect(fake, root), 0)
		expect(kept.stdout).toContain('Access token: keeping the token in use ("MyBot"), it works')
		// The one connect made earlier is no longer used: it is deleted; the hand-made one stays.
		expect(fake.tokens.map((t) => t.displayName)).toEqual(['MyBot'])
		expect(settings(instanceDir).owncast_access_token).toBe(handMade.accessToken)
		expectNoSecrets(kept, [...allSecrets(fake, instanceDir), handMade.accessToken])
	})

	test('--bot-name names the token; an action to the dashboard made by hand is kept and not added twice', async () => {
		const handAction = { url: `${PUBLIC}/dashboard`, title: 'Redeems Dashboard', description: '', icon: '', color: '', openExternally: false }
		const fake = startFake({ actions: [handAction] })
		const { root } = setup()
		const result = expectExit(await connect(fake, root, ['--public-url', PUBLIC, '--bot-name', 'PointsBot']), 0)
		expect(fake.tokens.map((t) => t.displayName)).toEqual(['PointsBot'])
		expect(fake.actions).toEqual([handAction])
		expect(result.stdout).toContain('(not made by connect), kept; none added')
	})
})

describe('older Owncast', () => {
	test('0.2: the webhook secret goes in the URL, and is never printed', async () => {
		const fake = startFake({ version: '0.2.5' })
		const { root, instanceDir } = setup()
		const result = expectExit(await connect(fake, root, ['--public-url', PUBLIC]), 0)
		const secret = settings(instanceDir).webhook_secret as string
		expect(fake.webhooks).toHaveLength(1)
		expect(fake.webhooks[0]!.url).toBe(`${PUBLIC}/owncastWebhook?secret=${secret}`)
		expect(fake.webhooks[0]!.secret).toBe('')
		expect(result.stdout).toContain(`${PUBLIC}/owncastWebhook?secret=***`)
		expect(result.stdout).toContain('webhook_secret in the URL')
		expectNoSecrets(result, allSecrets(fake, instanceDir))

		// The same again: unchanged.
		const changes = fake.changes.length
		expectExit(await connect(fake, root), 0)
		expect(fake.changes).toHaveLength(changes)
	})

	test('a missing admin route: the rest is done, and what to do by hand is said; exit 1', async () => {
		const fake = startFake({ version: '0.1.3' })
		fake.missing.add('GET /api/admin/webhooks')
		const { root, instanceDir } = setup()
		const result = expectExit(await connect(fake, root, ['--public-url', PUBLIC]), 1)
		expect(fake.tokens).toHaveLength(1)
		expect(fake.actions).toHaveLength(3)
		expect(fake.webhooks).toHaveLength(0)
		expect(result.stderr).toContain('To do by hand: webhook: this Owncast has no /api/admin/webhooks')
		expect(result.stderr).toContain(`add ${PUBLIC}/owncastWebhook?secret=<webhook_secret from config.toml> with the events CHAT, NAME_CHANGE, USER_JOINED, STREAM_STARTED, STREAM_STOPPED`)
		const config = settings(instanceDir)
		expect(config.owncast_access_token).toBe(fake.tokens[0]!.accessToken)
		// The webhook to add by hand needs the secret: it is in config.toml, never on the screen.
		expect(config.webhook_secret).toMatch(/^[0-9a-f]{64}$/)
		expectNoSecrets(result, allSecrets(fake, instanceDir))
	})
})

describe('failures leave nothing unexplained', () => {
	test('a wrong admin password changes nothing and exits non-zero', async () => {
		const fake = startFake()
		const { root, instanceDir, configPath, databasePath } = setup()
		const before = fake.snapshot()
		const wrong = 'not-the-password-123'
		const result = expectExit(await connect(fake, root, ['--public-url', PUBLIC], { TLAPBOT_OWNCAST_ADMIN_PASSWORD: wrong }), 1)
		expect(result.stderr).toContain('the Owncast admin password is wrong')
		expect(result.stderr).toContain('Nothing was changed')
		expect(fake.snapshot()).toEqual(before)
		expect(fake.changes).toEqual([])
		expect(readFileSync(configPath, 'utf8')).toBe(CONFIG)
		expect(existsSync(databasePath)).toBe(false)
		expectNoSecrets(result, [wrong, ...allSecrets(fake, instanceDir)])
	})

	test('--dry-run prints the plan and changes nothing anywhere', async () => {
		const fake = startFake()
		const { root, instanceDir, configPath, databasePath } = setup()
		const before = fake.snapshot()
		const result = expectExit(await connect(fake, root, ['--public-url', PUBLIC, '--dry-run']), 0)
		expect(fake.snapshot()).toEqual(before)
		expect(fake.changes).toEqual([])
		expect(fake.requests.every((r) => r.method === 'GET')).toBe(true)
		expect(readFileSync(configPath, 'utf8')).toBe(CONFIG)
		expect(existsSync(databasePath)).toBe(false)
		expect(result.stdout).toContain('Access token: would create "tlapbot"')
		expect(result.stdout).toContain(`Webhook: would register ${PUBLIC}/owncastWebhook`)
		expect(result.stdout).toContain('External action: would add "Points"')
		expect(result.stdout).toContain('config.toml: would write owncast_url, owncast_access_token, public_url, webhook_secret')
		expectNoSecrets(result, allSecrets(fake, instanceDir))

		// After a real run, a dry run with a new address says what it would replace, and still changes nothing.
		expectExit(await connect(fake, root, ['--public-url', PUBLIC]), 0)
		const state = fake.snapshot()
		const text = readFileSync(configPath, 'utf8')
		const rows = setupRows(databasePath)
		const moved = expectExit(await connect(fake, root, ['--public-url', 'https://new.example.com', '--dry-run']), 0)
		expect(moved.stdout).toContain('would replace its webhook')
		expect(moved.stdout).toContain('would replace its action')
		expect(fake.snapshot()).toEqual(state)
		expect(readFileSync(configPath, 'utf8')).toBe(text)
		expect(setupRows(databasePath)).toEqual(rows)
	})

	test('an https Owncast with an http public_url is refused before anything is asked', async () => {
		const { root, configPath } = setup()
		const result = expectExit(await connect({ url: 'https://live.example.com' }, root, ['--public-url', 'http://bot.example.com']), 1)
		expect(result.stderr).toContain("Owncast's page is https (https://live.example.com) but public_url is not")
		expect(result.stderr).toContain('mixed content')
		expect(readFileSync(configPath, 'utf8')).toBe(CONFIG)

		// Owncast reached over http, but its page (the Server URL in its admin) is https: refused too.
		const fake = startFake({ instanceUrl: 'https://live.example.com' })
		const behind = expectExit(await connect(fake, root, ['--public-url', 'http://bot.example.com']), 1)
		expect(behind.stderr).toContain("Owncast's page is https (https://live.example.com)")
		expect(fake.changes).toEqual([])
		expect(readFileSync(configPath, 'utf8')).toBe(CONFIG)
	})

	test('unreachable Owncast, no public_url, no password: one clear line each', async () => {
		const { root, configPath } = setup()
		const down = expectExit(await connect({ url: 'http://127.0.0.1:9' }, root, ['--public-url', PUBLIC]), 1)
		expect(down.stderr).toContain('cannot reach Owncast at http://127.0.0.1:9')
		expect(down.stderr).toContain('Nothing was changed')

		const noPublic = expectExit(await connect({ url: 'http://127.0.0.1:9' }, root), 1)
		expect(noPublic.stderr).toContain('public_url is not set: pass --public-url')

		const noPassword = expectExit(await runTlapbot(['connect', 'http://127.0.0.1:9', '--public-url', PUBLIC], { cwd: root }), 1)
		expect(noPassword.stderr).toContain('no Owncast admin password: run this on a terminal to be asked for it, or set TLAPBOT_OWNCAST_ADMIN_PASSWORD')
		expect(readFileSync(configPath, 'utf8')).toBe(CONFIG)
	})

	test('a failure half-way says what was done and what not; config.toml gets the token Owncast now has', async () => {
		const fake = startFake()
		fake.failing.add('POST /api/admin/webhooks/create')
		const { root, instanceDir } = setup()
		const result = expectExit(await connect(fake, root, ['--public-url', PUBLIC]), 1)
		expect(result.stderr).toContain('registering the webhook failed: Owncast answered 500')
		expect(result.stderr).toContain('Done before the failure: access token "tlapbot" created')
		expect(result.stderr).toContain('Not done: the webhook; the external action; config.toml')
		expect(fake.tokens).toHaveLength(1)
		expect(fake.webhooks).toHaveLength(0)
		expect(fake.actions).toEqual(EXISTING_ACTIONS)
		const config = settings(instanceDir)
		expect(config.owncast_access_token).toBe(fake.tokens[0]!.accessToken)
		expect(config.webhook_secret).toBeUndefined()
		expectNoSecrets(result, allSecrets(fake, instanceDir))

		// Fixed: the next run finishes without a second token.
		fake.failing.clear()
		expectExit(await connect(fake, root), 0)
		expect(fake.tokens).toHaveLength(1)
		expect(fake.webhooks).toHaveLength(1)
		expect(fake.actions).toHaveLength(3)
	})
	test('a database connect cannot write to (newer than this tlapbot) after the token was made: said, and the token is in config.toml', async () => {
		const fake = startFake()
		const { root, instanceDir, databasePath } = setup()
		const db = new Database(databasePath, { create: true })
		db.run('PRAGMA user_version = 999')
		db.close()
		const result = expectExit(await connect(fake, root, ['--public-url', PUBLIC]), 1)
		expect(result.stderr).toContain('connect stopped: the database schema is version 999, newer than this tlapbot knows')
		expect(result.stderr).toContain('Done before the failure: access token "tlapbot" created')
		expect(settings(instanceDir).owncast_access_token).toBe(fake.tokens[0]!.accessToken)
		expect(fake.webhooks).toHaveLength(0)
		expectNoSecrets(result, allSecrets(fake, instanceDir))
	})
})

describe('environment and instance', () => {
	test('TLAPBOT_OWNCAST_ADMIN_PASSWORD is not an unknown setting; a TLAPBOT_* that shadows a written value is warned about', async () => {
		const fake = startFake()
		const { root } = setup()
		const result = expectExit(await connect(fake, root, ['--public-url', PUBLIC], { TLAPBOT_OWNCAST_URL: 'http://owncast.internal:8080' }), 0)
		expect(result.stderr).not.toContain('is not a tlapbot setting')
		expect(result.stderr).toContain('warning: TLAPBOT_OWNCAST_URL is set in the environment and wins over config.toml')
		expect(result.stderr).not.toContain('TLAPBOT_PUBLIC_URL')
	})

	test('without an instance folder it is created, with the example config.toml and the four keys', async () => {
		const fake = startFake()
		const { root, instanceDir, databasePath } = setup(null)
		const result = expectExit(await connect(fake, root, ['--public-url', PUBLIC]), 0)
		expect(result.stdout).toContain('Created instance/config.toml')
		const config = settings(instanceDir)
		expect(config.owncast_access_token).toBe(fake.tokens[0]!.accessToken)
		expect(config.secret_key.length).toBeGreaterThanOrEqual(16)
		expect(readFileSync(join(instanceDir, 'config.toml'), 'utf8')).toContain('# Where your Owncast server is, as tlapbot reaches it.')
		expect(setupRows(databasePath)).toHaveLength(1)
	})

	test('connect --help lists its options', async () => {
		const { root } = setup()
		const help = expectExit(await runTlapbot(['connect', '--help'], { cwd: root }), 0)
		for (const option of ['--public-url', '--bot-name', '--dry-run', '--instance']) expect(help.stdout).toContain(option)
	})
})

describe('config.toml edits (src/config/edit.ts)', () => {
	test('only the values change: comments, spacing, CRLF and tables stay; a key under a table is not taken for the top-level one', () => {
		const source = '# top\r\nport = 8001   # mine\r\npublic_url = "http://old.example.com"\r\n\r\n[messages]\r\n# owncast_url = "in a table"\r\nbalance = "x"\r\n'
		const out = setTopLevelKeys(source, { public_url: 'https://new.example.com', owncast_url: 'http://localhost:8080', owncast_access_token: 'a"b\\c' })
		expect(out).toBe(
			'# top\r\nport = 8001   # mine\r\npublic_url = "https://new.example.com"\r\nowncast_url = "http://localhost:8080"\r\nowncast_access_token = "a\\"b\\\\c"\r\n\r\n[messages]\r\n# owncast_url = "in a table"\r\nbalance = "x"\r\n'
		)
		expect(setTopLevelKeys(out, { public_url: 'https://new.example.com' })).toBe(out)
	})

	test('a key that holds something other than text is refused, and nothing is returned for it', () => {
		expect(() => setTopLevelKeys('public_url = 5\n', { public_url: 'https://x.example.com' })).toThrow('public_url in config.toml is a number, not text')
	})
})
