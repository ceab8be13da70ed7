// Live reload: every setting the README says reloads does so without a restart (one test per setting, in-process,
// through the runtime as a file edit would), host/port/database wait for a restart, and a real serve applies file
// edits and SIGHUP.
import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Elysia } from 'elysia'
import { parseRedeems } from '../../src/config/load.ts'
import { BACKUP_DIR, dailyBackupName } from '../../src/modules/backup/backup.ts'
import { CONFIG_KEYS } from '../../src/modules/settings/schema.ts'
import { cycleDepsOf, startDailyBackups } from '../../src/scheduler.ts'
import { runPointsCycle } from '../../src/modules/points/cycle.ts'
import { makeTempDir, useTempDirs, waitFor } from '../helpers.ts'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'
import { startFakeOwncast, type FakeOwncast } from '../support/fake-owncast.ts'
import { chatEvent, streamEvent } from '../support/payloads.ts'
import { startServe, useServes } from '../support/serve.ts'
import { sign } from '../../src/modules/owncast/signature.ts'

useTempDirs()
useServes()

let bot: TestBot | undefined
const cleanups: (() => void)[] = []
afterEach(() => {
	for (const cleanup of cleanups.splice(0).reverse()) cleanup()
	bot?.close()
	bot = undefined
})

const alice = { id: 'alice', displayName: 'Alice' }
const PASSWORD = 'correct horse battery'

async function json(b: TestBot, path: string): Promise<Record<string, unknown>> {
	return (await (await b.app.handle(new Request(`http://localhost${path}`))).json()) as Record<string, unknown>
}

async function loginStatus(b: TestBot, password: string): Promise<{ status: number; cookie: string }> {
	const response = await b.app.handle(
		new Request('http://localhost/admin/login', {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ password })
		})
	)
	const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
	return { status: response.status, cookie }
}

/** A reply to one chat message, or undefined when none came (after the sender went idle). */
async function replyTo(b: TestBot, text: string): Promise<string | undefined> {
	const before = b.fake.messages.length
	await b.chat(alice, text)
	await settle(b)
	return b.fake.messages[before]
}

/** One test per config.toml key: what a streamer would see change after editing it. */
const RELOADS: Record<(typeof CONFIG_KEYS)[number], () => Promise<void>> = {
	async owncast_url() {
		bot = await createTestBot({ env: { TLAPBOT_OWNCAST_URL: undefined } })
		const other: FakeOwncast = startFakeOwncast({ token: bot.fake.token })
		cleanups.push(() => other.stop())
		bot.reconfigure({ owncast_url: other.url })
		await bot.chat(alice, '!points')
		await settle(bot)
		expect(other.messages).toEqual(['@Alice, you have 10 points.'])
		expect(bot.fake.messages).toEqual([])
	},
	async owncast_access_token() {
		bot = await createTestBot({ env: { TLAPBOT_OWNCAST_ACCESS_TOKEN: undefined } })
		expect(await replyTo(bot, '!points')).toBeUndefined()
		bot.reconfigure({ owncast_access_token: bot.fake.token })
		expect(await replyTo(bot, '!points')).toBe('@Alice, you have 10 points.')
	},
	async secret_key() {
		bot = await createTestBot()
		bot.reconfigure({ admin_password: PASSWORD })
		const { cookie } = await loginStatus(bot, PASSWORD)
		const admin = () => bot!.app.handle(new Request('http://localhost/admin', { headers: { cookie } }))
		expect((await admin()).status).toBe(200)
		bot.reconfigure({ secret_key: 'another-secret-0123456789abcdef' })
		expect((await admin()).status).toBe(303)
	},
	async points_cycle_time() {
		bot = await createTestBot()
		bot.reconfigure({ points_cycle_time: 120 })
		expect(await replyTo(bot, '!help')).toContain('every 2 minutes')
	},
	async points_amount_given() {
		bot = await createTestBot()
		bot.reconfigure({ points_amount_given: 5 })
		expect(await replyTo(bot, '!help')).toContain('gives everyone in chat 5 points every')
	},
	async passive() {
		bot = await createTestBot()
		expect((await json(bot, '/api/dashboard')).passive).toBe(false)
		bot.reconfigure({ passive: true })
		expect((await json(bot, '/api/dashboard')).passive).toBe(true)
		expect(await replyTo(bot, '!points')).toBeUndefined()
	},
	async list_redeems() {
		bot = await createTestBot()
		expect(await replyTo(bot, '!help')).not.toContain('Redeems: ')
		bot.reconfigure({ list_redeems: true })
		expect(await replyTo(bot, '!help')).toContain('Redeems: !hydrate (60 points, list)')
	},
	async active_categories() {
		bot = await createTestBot()
		bot.reconfigure({ active_categories: ['gaming'] })
		expect((await json(bot, '/api/dashboard')).activeCategories).toEqual(['gaming'])
	},
	async prefix() {
		bot = await createTestBot()
		bot.reconfigure({ prefix: '?' })
		expect(await replyTo(bot, '?points')).toBe('@Alice, you have 10 points.')
		expect(await replyTo(bot, '!points')).toBeUndefined()
	},
	async starting_points() {
		bot = await createTestBot()
		bot.reconfigure({ starting_points: 77 })
		await bot.chat(alice, 'hello')
		expect(bot.balance('alice')).toBe(77)
	},
	async host() {
		await restartOnly({ host: '0.0.0.0' })
	},
	async port() {
		await restartOnly({ port: 9999 })
	},
	async public_url() {
		bot = await createTestBot()
		bot.reconfigure({ public_url: 'https://bot.example.com' })
		expect(await replyTo(bot, '!help')).toContain('https://bot.example.com/dashboard')
	},
	async webhook_secret() {
		bot = await createTestBot()
		expect((await bot.chat(alice, 'hi')).status).toBe(204)
		bot.reconfigure({ webhook_secret: 'hook-secret' })
		expect((await bot.chat(alice, 'hi')).status).toBe(401)
		const body = JSON.stringify(chatEvent(alice, 'hi'))
		const t = Math.floor(Date.now() / 1000)
		expect((await bot.postRaw(body, { 'owncast-signature': `t=${t}.s=${sign('hook-secret', t, body)}` })).status).toBe(204)
	},
	async database() {
		await restartOnly({ database: 'elsewhere.sqlite' })
	},
	async log_level() {
		bot = await createTestBot()
		bot.reconfigure({ log_level: 'warn' })
		expect(bot.deps.log.level).toBe('warn')
	},
	async command_rate_limit() {
		bot = await createTestBot({ env: { TLAPBOT_COMMAND_RATE_LIMIT: undefined } })
		bot.reconfigure({ command_rate_limit: 0 })
		expect(await replyTo(bot, '!points')).toBeDefined()
		expect(await replyTo(bot, '!points')).toBeDefined()
		bot.reconfigure({ command_rate_limit: 0.01 })
		expect(await replyTo(bot, '!points')).toBeDefined()
		expect(await replyTo(bot, '!points')).toBeUndefined()
	},
	async backup_keep() {
		bot = await createTestBot({ env: { TLAPBOT_BACKUP_KEEP: undefined } })
		const dir = join(bot.dir, BACKUP_DIR)
		mkdirSync(dir, { recursive: true })
		for (const day of ['2026-01-01', '2026-01-02', '2026-01-03']) writeFileSync(join(dir, `tlapbot-${day}.sqlite`), '')
		const backups = startDailyBackups(new Elysia(), bot.deps)
		cleanups.push(() => {
			backups.stop()
			const timer = (backups.app.store as { cron?: Record<string, { stop(): void }> }).cron?.backup
			timer?.stop()
		})
		const today = dailyBackupName(Date.now())
		expect(readdirSync(dir).sort()).toEqual(['tlapbot-2026-01-01.sqlite', 'tlapbot-2026-01-02.sqlite', 'tlapbot-2026-01-03.sqlite', today])
		bot.reconfigure({ backup_keep: 2 })
		expect(readdirSync(dir).sort()).toEqual(['tlapbot-2026-01-03.sqlite', today])
		bot.reconfigure({ backup_keep: 0 })
		expect(existsSync(join(dir, today))).toBe(true)
	},
	async admin_password() {
		bot = await createTestBot()
		expect((await loginStatus(bot, PASSWORD)).status).toBe(403)
		bot.reconfigure({ admin_password: PASSWORD })
		expect((await loginStatus(bot, PASSWORD)).status).toBe(303)
	},
	async trusted_proxies() {
		// A real socket (in this process), so that the peer address is known: 127.0.0.1.
		bot = await createTestBot({ env: { TLAPBOT_ADMIN_PASSWORD: PASSWORD } })
		const app = bot.app.listen({ hostname: '127.0.0.1', port: 0 })
		cleanups.push(() => void app.stop(true))
		const wrong = async (forwardedFor: string) =>
			(
				await fetch(`http://127.0.0.1:${app.server?.port}/admin/login`, {
					method: 'POST',
					headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
					body: 'password=wrong'
				})
			).status
		// Not trusted yet: X-Forwarded-For is ignored, so both come from 127.0.0.1, which must wait after a failure.
		expect(await wrong('198.51.100.1')).toBe(401)
		expect(await wrong('198.51.100.2')).toBe(429)
		bot.reconfigure({ trusted_proxies: ['127.0.0.1'] })
		expect(await wrong('198.51.100.3')).toBe(401)
		expect(await wrong('198.51.100.4')).toBe(401)
		expect(await wrong('198.51.100.3')).toBe(429)
	},
	async private_replies() {
		bot = await createTestBot({ env: { TLAPBOT_PRIVATE_REPLIES: undefined } })
		bot.reconfigure({ private_replies: false })
		await bot.post(chatEvent(alice, '!points', 'v0.3', { clientId: 4 }))
		await settle(bot)
		expect(bot.fake.privateMessages).toEqual([])
		bot.reconfigure({ private_replies: true })
		await bot.post(chatEvent(alice, '!points', 'v0.3', { clientId: 4 }))
		await settle(bot)
		expect(bot.fake.privateMessages).toEqual([{ clientId: 4, body: '@Alice, you have 10 points.' }])
		expect(bot.fake.messages).toEqual(['@Alice, you have 10 points.'])
	},
	async reset_on_stream_start() {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '100' } })
		await bot.chatReplies(alice, '!hydrate')
		bot.reconfigure({ reset_on_stream_start: ['queue'] })
		await bot.post(streamEvent('STREAM_STARTED'))
		expect(bot.db.query('SELECT count(*) AS n FROM redemptions WHERE cleared_at IS NULL').get()).toEqual({ n: 0 })
	},
	async messages() {
		bot = await createTestBot()
		bot.reconfigure({ messages: { balance: '{name} holds {balance}' } })
		expect(await replyTo(bot, '!points')).toBe('Alice holds 10 points')
	},
	async viewer_session_days() {
		bot = await createTestBot()
		bot.reconfigure({ viewer_session_days: 2 })
		const { code, claim } = bot.deps.identity.newCode(Date.now())
		await bot.chat(alice, `!link ${code}`)
		const state = bot.deps.identity.collect(code, claim, 'test', Date.now())
		expect(state.status).toBe('signed_in')
		if (state.status !== 'signed_in') return
		expect(Math.round((state.expiresAt - Date.now()) / 3_600_000)).toBe(48)
	},
	async public_balances() {
		bot = await createTestBot()
		await bot.chat(alice, 'hello')
		expect((await json(bot, '/api/dashboard?userId=alice')).balance).toEqual({ kind: 'known', name: 'Alice', points: 10 })
		bot.reconfigure({ public_balances: false })
		expect((await json(bot, '/api/dashboard?userId=alice')).balance).toBeUndefined()
	},
	async overlay_key() {
		bot = await createTestBot()
		bot.reconfigure({ overlay_key: 'overlay-key-after-a-reload-0123' })
		const response = await bot.app.handle(new Request('http://localhost/api/events?key=overlay-key-after-a-reload-0123'))
		expect(response.status).toBe(200)
		await response.body?.cancel()
	},
	async event_clients() {
		bot = await createTestBot()
		bot.reconfigure({ event_clients: 1, overlay_key: 'overlay-key-after-a-reload-0123' })
		const first = await bot.app.handle(new Request('http://localhost/api/events?key=overlay-key-after-a-reload-0123'))
		expect(first.status).toBe(200)
		expect((await bot.app.handle(new Request('http://localhost/api/events?key=overlay-key-after-a-reload-0123'))).status).toBe(503)
		await first.body?.cancel()
	},
	async outgoing_webhooks() {
		bot = await createTestBot()
		bot.reconfigure({ outgoing_webhooks: [{ url: 'https://example.com/hook', events: ['*'] }] })
		expect(bot.deps.settings().config.outgoing_webhooks).toEqual([{ url: 'https://example.com/hook', events: ['*'], format: 'json' }])
	},
	async commands() {
		bot = await createTestBot()
		bot.reconfigure({ commands: { points: 'balance' } })
		expect(await replyTo(bot, '!balance')).toBe('@Alice, you have 10 points.')
		expect(await replyTo(bot, '!points')).toBeUndefined()
	},
	async predictions_enabled() {
		bot = await createTestBot()
		expect(await replyTo(bot, '!bet yes 5')).toBe('@Alice, there is no prediction to bet on right now.')
		bot.reconfigure({ predictions_enabled: false })
		expect(await replyTo(bot, '!bet yes 5')).toBeUndefined()
	},
	async polls_enabled() {
		bot = await createTestBot()
		expect(await replyTo(bot, '!vote food pizza 5')).toBe('@Alice, there is no open poll called food.')
		bot.reconfigure({ polls_enabled: false })
		expect(await replyTo(bot, '!vote food pizza 5')).toBeUndefined()
	},
	async leaderboard_enabled() {
		bot = await createTestBot()
		expect(await replyTo(bot, '!top')).toStartWith('Top by points: 1. Alice (10).')
		bot.reconfigure({ leaderboard_enabled: false })
		expect(await replyTo(bot, '!top')).toBeUndefined()
	},
	async give_enabled() {
		bot = await createTestBot()
		expect(await replyTo(bot, '!give Nobody 5')).toBe('@Alice, nobody called Nobody has been seen in chat.')
		bot.reconfigure({ give_enabled: false })
		expect(await replyTo(bot, '!give Nobody 5')).toBeUndefined()
	},
	async give_max_per_day() {
		bot = await createTestBot({ env: { TLAPBOT_GIVE_MIN_EARNED: '0' } })
		await bot.chat({ id: 'bob', displayName: 'Bob' }, 'hi')
		bot.reconfigure({ give_max_per_day: 3 })
		expect(await replyTo(bot, '!give Bob 5')).toBe('@Alice, you can give 3 points a day; 3 points left for now.')
		bot.reconfigure({ give_max_per_day: 5 })
		expect(await replyTo(bot, '!give Bob 5')).toBe('@Alice gave 5 points to Bob! 5 points left.')
	},
	async give_min_earned() {
		bot = await createTestBot()
		await bot.chat({ id: 'bob', displayName: 'Bob' }, 'hi')
		expect(await replyTo(bot, '!give Bob 5')).toBe('@Alice, giving opens once you have earned 100 points by being in chat (you have 0 points).')
		bot.reconfigure({ give_min_earned: 0 })
		expect(await replyTo(bot, '!give Bob 5')).toBe('@Alice gave 5 points to Bob! 5 points left.')
	},
	async ignore_users() {
		bot = await createTestBot()
		expect(await replyTo(bot, '!points')).toBe('@Alice, you have 10 points.')
		bot.reconfigure({ ignore_users: ['alice'] })
		expect(await replyTo(bot, '!points')).toBeUndefined()
	},
	async active_chatter_bonus() {
		await earningRule({ active_chatter_bonus: 4 }, 'active_chatter', 4)
	},
	async first_chat_bonus() {
		await earningRule({ first_chat_bonus: 6 }, 'first_chat', 6)
	},
	async streak_bonus() {
		await earningRule({ streak_bonus: 9, streak_streams: 1 }, 'streak', 9)
	},
	async streak_streams() {
		// With a streak of 1 stream needed, the second stream's first cycle pays it (earningRule runs two streams).
		await earningRule({ streak_bonus: 9, streak_streams: 1 }, 'streak', 9)
		bot?.close()
		await expect(earningRule({ streak_bonus: 9, streak_streams: 2 }, 'streak', 9)).rejects.toThrow()
	}
}

/** An earning rule set by a reload pays its bonus in the next cycles (two streams, Alice chatting in each). */
async function earningRule(values: Record<string, unknown>, ref: string, amount: number) {
	let now = Date.parse('2026-11-01T12:00:00Z')
	bot = await createTestBot({ clock: () => now })
	const b = bot
	const bonus = () => b.db.query<{ delta: number }, [string]>("SELECT delta FROM ledger WHERE reason = 'bonus' AND ref = ?").all(ref)
	b.reconfigure(values)
	for (const online of [true, false, true]) {
		b.fake.online = online
		b.fake.clients = [{ user: alice }]
		await b.chat(alice, 'hello')
		now += 600_000
		await runPointsCycle(cycleDepsOf(b.deps), () => now)
	}
	expect(bonus().map((r) => r.delta)).toContain(amount)
}

/** A restart-only key: the reload keeps the running value and says so. */
async function restartOnly(values: Record<string, unknown>) {
	bot = await createTestBot()
	const [key] = Object.keys(values) as [keyof ReturnType<TestBot['deps']['settings']>['config']]
	const before = bot.deps.settings().config[key]
	bot.reconfigure(values)
	expect(bot.deps.settings().config[key]).toEqual(before)
	expect(bot.logs.some((l) => l.includes(`${String(key)} changed in config.toml; it takes effect after a restart`))).toBe(true)
}

describe('every setting reloads without a restart', () => {
	test('each config.toml key has a reload test', () => {
		expect(Object.keys(RELOADS).sort()).toEqual([...CONFIG_KEYS].sort())
	})
	for (const [key, run] of Object.entries(RELOADS)) test(key, run)
})

describe('reload in the running bot', () => {
	test('a valid edit of redeems.toml and config.toml takes effect, with new counters added', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '500' } })
		writeFileSync(join(bot.dir, 'redeems.toml'), '[redeems.wave]\ntype = "counter"\nprice = 2\n')
		bot.reconfigure({ prefix: '?' })
		expect(await bot.chatReplies(alice, '?wave')).toEqual(['@Alice redeemed wave! It is at 1 now. 498 points left.'])
		expect(bot.logs.some((l) => l.includes('settings reloaded after test; added wave'))).toBe(true)
	})

	test('an invalid edit is logged and the previous settings stay', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '500' } })
		writeFileSync(join(bot.dir, 'redeems.toml'), '[redeems.hydrate]\ntype = "list"\nprice = "free"\n')
		expect(bot.deps.runtime.reload('test')).toBe(false)
		expect(bot.logs.some((l) => l.includes('reload after test failed, keeping the previous settings') && l.includes('redeems.hydrate.price'))).toBe(true)
		expect(await bot.chatReplies(alice, '!hydrate')).toEqual(['@Alice redeemed hydrate (#1)! 440 points left.'])
	})

	test('a redeem taking a built-in name after a reload wins, with one warning naming both', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '500' } })
		writeFileSync(join(bot.dir, 'redeems.toml'), '[redeems.points]\ntype = "counter"\nprice = 1\n')
		expect(bot.deps.runtime.reload('test')).toBe(true)
		expect(bot.deps.runtime.reload('test again')).toBe(true)
		const warnings = bot.logs.filter((l) => l.includes('the redeem "points" has the name of the built-in command !points'))
		expect(warnings).toHaveLength(1)
		expect(warnings[0]).toContain('[commands] points = "another_name"')
		expect(await bot.chatReplies(alice, '!points')).toEqual(['@Alice redeemed points! It is at 1 now. 499 points left.'])
	})

	test('a change the bot reloaded itself (the redeem editor saving) is not reloaded again by the watcher; edits after it are', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '500' } })
		const b = bot
		const reloads = () => b.logs.filter((l) => l.includes('settings reloaded after')).length
		const stop = b.deps.runtime.watch({ pollMs: 10, settleMs: 10 })
		try {
			const before = reloads()
			// The editor's way: write the file, then reload at once.
			writeFileSync(join(b.dir, 'redeems.toml'), '[redeems.wave]\ntype = "counter"\nprice = 2\n')
			expect(b.deps.runtime.reload('the admin page changed redeems.toml')).toBe(true)
			// Ten polls and more than the settling time: nothing more.
			await Bun.sleep(150)
			expect(reloads()).toBe(before + 1)
			// A hand edit afterwards is still seen.
			writeFileSync(join(b.dir, 'redeems.toml'), '[redeems.wave]\ntype = "counter"\nprice = 3\n')
			await waitFor(() => (reloads() === before + 2 ? true : undefined), { what: 'the watcher to reload the hand edit' })
			expect(b.logs.at(-1)).toContain('settings reloaded after a change to redeems.toml')
		} finally {
			stop()
		}
	})

	test('names like "constructor" cannot be redeems, instead of vanishing silently', () => {
		expect(() => parseRedeems('[redeems.constructor]\ntype = "list"\nprice = 1\n', 'redeems.toml')).toThrow(
			'redeems.toml: redeems.constructor: "constructor" cannot be a redeem name'
		)
	})
})

describe('reload in a real serve process', () => {
	test('a file edit applies within seconds; an invalid edit and SIGHUP keep the old config', async () => {
		const root = makeTempDir()
		const fake = startFakeOwncast()
		cleanups.push(() => fake.stop())
		const instance = join(root, 'instance')
		const served = await startServe({
			cwd: root,
			args: ['--instance', instance],
			env: {
				TLAPBOT_OWNCAST_URL: fake.url,
				TLAPBOT_OWNCAST_ACCESS_TOKEN: fake.token,
				TLAPBOT_PRIVATE_REPLIES: 'false',
				TLAPBOT_COMMAND_RATE_LIMIT: '0',
				TLAPBOT_POINTS_CYCLE_TIME: '3600'
			}
		})
		const chat = (text: string) => fetch(`${served.base}/owncastWebhook`, { method: 'POST', body: JSON.stringify(chatEvent(alice, text)) })

		const since = served.mark()
		writeFileSync(join(instance, 'redeems.toml'), '[redeems.wave]\ntype = "counter"\nprice = 0\n')
		await served.waitForOutput('settings reloaded after a change to redeems.toml', { since })
		await chat('!wave')
		await fake.waitForMessages(1)
		expect(fake.messages.at(-1)).toContain('redeemed wave')

		// An invalid edit: the file poll reports it, then SIGHUP reads the files again; the old settings stay.
		writeFileSync(join(instance, 'redeems.toml'), '[redeems.wave]\ntype = "nonsense"\n')
		await served.waitForOutput('reload after a change to redeems.toml failed, keeping the previous settings')
		const beforeHup = served.mark()
		served.signal('SIGHUP')
		await served.waitForOutput('reload after SIGHUP failed, keeping the previous settings', { since: beforeHup })
		expect((await chat('!wave')).status).toBe(204)
		await fake.waitForMessages(2)
		expect(fake.messages.at(-1)).toContain('redeemed wave')
		// The process is still healthy.
		expect((await fetch(`${served.base}/healthz`)).status).toBe(200)
	}, 60_000)
})
