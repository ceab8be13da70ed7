// A real bot for tests: a temporary instance folder, an on-disk database, the real app, a fake Owncast.
import type { Database } from 'bun:sqlite'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../src/app.ts'
import { ensureInstance } from '../../src/config/instance.ts'
import { loadConfig, loadRedeems } from '../../src/config/load.ts'
import { openDatabase } from '../../src/db/database.ts'
import { createBot, type Bot } from '../../src/bot.ts'
import { createLogger } from '../../src/log.ts'
import { startFakeOwncast, type FakeOwncast } from './fake-owncast.ts'
import { chatEvent, type Shape, type TestUser } from './payloads.ts'

export type TestBot = {
	dir: string
	fake: FakeOwncast
	deps: Bot
	db: Database
	app: ReturnType<typeof createApp>
	logs: string[]
	post(event: unknown): Promise<Response>
	postRaw(body: string, headers?: Record<string, string>): Promise<Response>
	/** Sends a CHAT webhook and returns its response. */
	chat(user: TestUser, text: string, shape?: Shape): Promise<Response>
	/** Sends a CHAT webhook and waits for the replies it causes (n of them). */
	chatReplies(user: TestUser, text: string, n?: number, shape?: Shape): Promise<string[]>
	balance(id: string): number | undefined
	/** Replaces the clock every part of the bot reads. */
	setClock(clock: () => number): void
	/**
	 * Sets keys in config.toml (strings, numbers, booleans, lists, inline tables) and reloads, as a streamer
	 * editing the file would; fails when the reload is refused.
	 */
	reconfigure(values: Record<string, unknown>): void
	close(): void
}

/** A TOML value for reconfigure: JSON is TOML for strings, numbers, booleans and lists of them. */
function tomlValue(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`
	if (value && typeof value === 'object') {
		return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)} = ${tomlValue(v)}`).join(', ')} }`
	}
	return JSON.stringify(value)
}

export async function createTestBot(
	options: { env?: Record<string, string | undefined>; redeemsToml?: string; fake?: FakeOwncast; clock?: () => number } = {}
): Promise<TestBot> {
	const dir = mkdtempSync(join(tmpdir(), 'tlapbot-bot-'))
	ensureInstance(dir)
	if (options.redeemsToml !== undefined) writeFileSync(join(dir, 'redeems.toml'), options.redeemsToml)
	const fake = options.fake ?? startFakeOwncast()
	// Most tests send many commands at once (the rate limit has tests of its own), and replies all land in
	// fake.messages unless a test turns private replies on. A reload reads the same environment.
	const env = {
		TLAPBOT_OWNCAST_URL: fake.url,
		TLAPBOT_OWNCAST_ACCESS_TOKEN: fake.token,
		TLAPBOT_COMMAND_RATE_LIMIT: '0',
		TLAPBOT_PRIVATE_REPLIES: 'false',
		...options.env
	}
	const { config } = loadConfig(dir, env)
	const { redeems } = loadRedeems(dir)
	const db = openDatabase(config.databasePath)
	const logs: string[] = []
	const log = createLogger('debug', (_level, line) => logs.push(line))
	let clock = options.clock ?? Date.now
	const deps = createBot({ config, redeems, db, log, env, clock: () => clock() })
	const app = createApp(deps)

	// Like serve's once-a-second flush, right after each webhook: tests see viewers seen in plain chat at once.
	const postRaw = async (body: string, headers: Record<string, string> = {}) => {
		const response = await app.handle(
			new Request('http://localhost/owncastWebhook', {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'user-agent': 'Go-http-client/1.1', ...headers },
				body
			})
		)
		try {
			deps.sightings.flush()
		} catch {
			// A test that locks the database: the sightings wait, as in serve.
		}
		return response
	}
	const post = (event: unknown) => postRaw(JSON.stringify(event))
	const bot: TestBot = {
		dir,
		fake,
		deps,
		db,
		app,
		logs,
		post,
		postRaw,
		chat: (user, text, shape) => post(chatEvent(user, text, shape)),
		async chatReplies(user, text, n = 1, shape) {
			const before = fake.messages.length
			const response = await post(chatEvent(user, text, shape))
			if (response.status !== 204) throw new Error(`webhook answered ${response.status}: ${await response.text()}`)
			const all = await fake.waitForMessages(before + n)
			return all.slice(before)
		},
		balance: (id) => deps.stores.viewers.balance(id),
		setClock(next) {
			clock = next
		},
		reconfigure(values) {
			const file = join(dir, 'config.toml')
			const keys = new Set(Object.keys(values))
			// Top-level keys go before any [table]; a key set again replaces its old line.
			const kept = readFileSync(file, 'utf8')
				.split('\n')
				.filter((line) => !keys.has(/^([A-Za-z_]+)\s*=/.exec(line)?.[1] ?? ''))
			const lines = Object.entries(values).map(([key, value]) => `${key} = ${tomlValue(value)}`)
			writeFileSync(file, [...lines, ...kept].join('\n'))
			if (!deps.runtime.reload('test')) throw new Error(`reload refused:\n${logs.slice(-3).join('\n')}`)
		},
		close() {
			if (!options.fake) fake.stop()
			db.close()
			rmSync(dir, { recursive: true, force: true })
		}
	}
	return bot
}

/** Waits until the bot has sent every reply (the chat sender is idle), then a little for stray ones. */
export async function settle(bot: TestBot): Promise<void> {
	await bot.deps.runtime.chat.idle()
	await Bun.sleep(20)
	await bot.deps.runtime.chat.idle()
}
