// A real bot for tests: a temporary instance folder, an on-disk database, the real app, a fake Owncast.
import type { Database } from 'bun:sqlite'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../src/app.ts'
import { ensureInstance } from '../../src/config/instance.ts'
import { loadConfig, loadRedeems } from '../../src/config/load.ts'
import { openDatabase } from '../../src/db/database.ts'
import { createDeps, type Deps } from '../../src/deps.ts'
import { createLogger } from '../../src/log.ts'
import { startFakeOwncast, type FakeOwncast } from './fake-owncast.ts'
import { chatEvent, type Shape, type TestUser } from './payloads.ts'

export type TestBot = {
	dir: string
	fake: FakeOwncast
	deps: Deps
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
	close(): void
}

export async function createTestBot(
	options: { env?: Record<string, string>; redeemsToml?: string; fake?: FakeOwncast; clock?: () => number } = {}
): Promise<TestBot> {
	const dir = mkdtempSync(join(tmpdir(), 'tlapbot-bot-'))
	ensureInstance(dir)
	if (options.redeemsToml !== undefined) writeFileSync(join(dir, 'redeems.toml'), options.redeemsToml)
	const fake = options.fake ?? startFakeOwncast()
	const { config } = loadConfig(dir, {
		TLAPBOT_OWNCAST_URL: fake.url,
		TLAPBOT_OWNCAST_ACCESS_TOKEN: fake.token,
		// Most tests send many commands at once; the rate limit has tests of its own.
		TLAPBOT_COMMAND_RATE_LIMIT: '0',
		// Replies all land in fake.messages unless a test turns private replies on.
		TLAPBOT_PRIVATE_REPLIES: 'false',
		...options.env
	})
	const { redeems } = loadRedeems(dir)
	const db = openDatabase(config.databasePath)
	const logs: string[] = []
	const log = createLogger('debug', (_level, line) => logs.push(line))
	const deps = createDeps({ config, redeems, db, log, ...(options.clock ? { clock: options.clock } : {}) })
	deps.redeemsRepo.addMissingRows(redeems, Date.now())
	const app = createApp(deps)

	const postRaw = (body: string, headers: Record<string, string> = {}) =>
		app.handle(
			new Request('http://localhost/owncastWebhook', {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'user-agent': 'Go-http-client/1.1', ...headers },
				body
			})
		)
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
		balance: (id) => deps.points.viewer(id)?.balance,
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
	await bot.deps.chat.idle()
	await Bun.sleep(20)
	await bot.deps.chat.idle()
}
