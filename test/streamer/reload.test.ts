import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseRedeems } from '../../src/config/load.ts'
import { createReloader } from '../../src/config/reload.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'
import { startFakeOwncast, type FakeOwncast } from '../support/fake-owncast.ts'
import { chatEvent } from '../support/payloads.ts'
import { collectText } from '../support/streams.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const alice = { id: 'alice', displayName: 'Alice' }
const env = (b: TestBot) => ({
	TLAPBOT_OWNCAST_URL: b.fake.url,
	TLAPBOT_OWNCAST_ACCESS_TOKEN: b.fake.token,
	TLAPBOT_COMMAND_RATE_LIMIT: '0',
	TLAPBOT_PRIVATE_REPLIES: 'false',
	TLAPBOT_STARTING_POINTS: '500'
})

describe('reload in the running bot', () => {
	test('a valid edit of redeems.toml and config.toml takes effect', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '500' } })
		const reloader = createReloader(bot.deps, { env: env(bot) })
		writeFileSync(join(bot.dir, 'redeems.toml'), '[redeems.wave]\ntype = "counter"\nprice = 2\n')
		const config = readFileSync(join(bot.dir, 'config.toml'), 'utf8').replace('prefix = "!"', 'prefix = "?"')
		writeFileSync(join(bot.dir, 'config.toml'), config)
		expect(reloader.reload('test')).toBe(true)
		expect(await bot.chatReplies(alice, '?wave')).toEqual(['@Alice redeemed wave! It is at 1 now. 498 points left.'])
		expect(bot.logs.some((l) => l.includes('settings reloaded after test; added wave'))).toBe(true)
	})

	test('an invalid edit is logged and the previous settings stay', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '500' } })
		const reloader = createReloader(bot.deps, { env: env(bot) })
		writeFileSync(join(bot.dir, 'redeems.toml'), '[redeems.hydrate]\ntype = "list"\nprice = "free"\n')
		expect(reloader.reload('test')).toBe(false)
		expect(bot.logs.some((l) => l.includes('reload after test failed, keeping the previous settings') && l.includes('redeems.hydrate.price'))).toBe(true)
		expect(await bot.chatReplies(alice, '!hydrate')).toEqual(['@Alice redeemed hydrate (#1)! 440 points left.'])
	})

	test('host, port and database only change on restart', async () => {
		bot = await createTestBot()
		const reloader = createReloader(bot.deps, { env: { ...env(bot), TLAPBOT_PORT: '9999' } })
		const port = bot.deps.config.port
		expect(reloader.reload('test')).toBe(true)
		expect(bot.deps.config.port).toBe(port)
		expect(bot.logs.some((l) => l.includes('port changed in config.toml; it takes effect after a restart'))).toBe(true)
	})

	test('names like "constructor" cannot be redeems, instead of vanishing silently', () => {
		expect(() => parseRedeems('[redeems.constructor]\ntype = "list"\nprice = 1\n', 'redeems.toml')).toThrow(
			'redeems.toml: redeems.constructor: "constructor" cannot be a redeem name'
		)
	})
})

describe('reload in a real serve process', () => {
	let dir: string
	let fake: FakeOwncast
	let child: ReturnType<typeof Bun.spawn> | undefined
	afterEach(async () => {
		child?.kill('SIGKILL')
		await child?.exited
		child = undefined
		fake?.stop()
		rmSync(dir, { recursive: true, force: true })
	})

	async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, what: string, capMs = 10_000): Promise<T> {
		const deadline = Date.now() + capMs
		for (;;) {
			const value = await check()
			if (value !== undefined) return value
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
			await Bun.sleep(50)
		}
	}

	test('a file edit applies within seconds; an invalid edit and SIGHUP keep the old config', async () => {
		dir = mkdtempSync(join(tmpdir(), 'tlapbot-reload-'))
		fake = startFakeOwncast()
		const instance = join(dir, 'instance')
		child = Bun.spawn([process.execPath, join(import.meta.dir, '..', '..', 'src', 'main.ts'), 'serve', '--instance', instance, '--port', '0'], {
			env: { PATH: process.env.PATH ?? '', TLAPBOT_OWNCAST_URL: fake.url, TLAPBOT_OWNCAST_ACCESS_TOKEN: fake.token, TLAPBOT_PRIVATE_REPLIES: 'false', TLAPBOT_COMMAND_RATE_LIMIT: '0', TLAPBOT_POINTS_CYCLE_TIME: '3600' },
			stdout: 'pipe',
			stderr: 'pipe'
		})
		const stdout = collectText(child.stdout as ReadableStream<Uint8Array>)
		const stderr = collectText(child.stderr as ReadableStream<Uint8Array>)
		const output = () => stdout.text() + stderr.text()
		const port = await waitFor(() => /listening on http:\/\/[^:]+:(\d+)/.exec(output())?.[1], 'serve to start')
		const chat = (text: string) =>
			fetch(`http://127.0.0.1:${port}/owncastWebhook`, { method: 'POST', body: JSON.stringify(chatEvent(alice, text)) })

		writeFileSync(join(instance, 'redeems.toml'), '[redeems.wave]\ntype = "counter"\nprice = 0\n')
		await waitFor(async () => {
			await chat('!wave')
			await Bun.sleep(100)
			return fake.messages.find((m) => m.includes('redeemed wave')) ? true : undefined
		}, 'the new redeem to answer')

		writeFileSync(join(instance, 'redeems.toml'), '[redeems.wave]\ntype = "nonsense"\n')
		child.kill('SIGHUP')
		await waitFor(() => (output().includes('keeping the previous settings') ? true : undefined), 'the failed reload to be logged')
		const before = fake.messages.length
		await chat('!wave')
		await waitFor(() => (fake.messages.length > before ? true : undefined), 'a reply')
		expect(fake.messages.at(-1)).toContain('redeemed wave')
		// The process is still healthy.
		expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
	}, 30_000)
})
