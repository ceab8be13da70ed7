import { afterEach, describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load.ts'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'
import { chatEvent } from '../support/payloads.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const alice = { id: 'alice', displayName: 'Alice' }

describe('private replies', () => {
	test('replies for one viewer go privately to their connection; a successful redeem is announced publicly once', async () => {
		bot = await createTestBot({ env: { TLAPBOT_PRIVATE_REPLIES: 'true', TLAPBOT_STARTING_POINTS: '100' } })
		await bot.post(chatEvent(alice, '!points', 'v0.3', { clientId: 7 }))
		await bot.post(chatEvent(alice, '!react', 'v0.3', { clientId: 7 }))
		await bot.post(chatEvent(alice, '!hydrate', 'v0.3', { clientId: 7 }))
		await settle(bot)
		expect(bot.fake.privateMessages).toEqual([
			{ clientId: 7, body: '@Alice, you have 100 points.' },
			{ clientId: 7, body: '@Alice, react needs a note: !react <your message>. Nothing was charged.' }
		])
		expect(bot.fake.messages).toEqual(['@Alice redeemed hydrate (#1)! 40 points left.'])
	})

	test('a CHAT without clientId is connection 0 (Go drops the zero value)', async () => {
		bot = await createTestBot({ env: { TLAPBOT_PRIVATE_REPLIES: 'true' } })
		const event = chatEvent(alice, '!points')
		const { clientId: _, ...eventData } = event.eventData
		await bot.post({ ...event, eventData })
		await settle(bot)
		expect(bot.fake.privateMessages).toEqual([{ clientId: 0, body: '@Alice, you have 10 points.' }])
	})

	test('when a private message fails with a 500, the reply is dropped, never made public (it may have arrived)', async () => {
		bot = await createTestBot({ env: { TLAPBOT_PRIVATE_REPLIES: 'true' } })
		bot.fake.failPrivate = 500
		await bot.post(chatEvent(alice, '!points', 'v0.3', { clientId: 3 }))
		await settle(bot)
		expect(bot.fake.messages).toEqual([])
		expect(bot.logs.filter((l) => l.includes('private reply not delivered and not posted publicly'))).toHaveLength(1)
	})

	for (const status of [403, 404]) {
		test(`when Owncast refuses a private message with ${status}, the reply goes to public chat`, async () => {
			bot = await createTestBot({ env: { TLAPBOT_PRIVATE_REPLIES: 'true' } })
			bot.fake.failPrivate = status
			await bot.post(chatEvent(alice, '!points', 'v0.3', { clientId: 3 }))
			await settle(bot)
			expect(bot.fake.messages).toEqual(['@Alice, you have 10 points.'])
		})
	}

	test('a 401 on private messages turns them off (logged once) and public chat is used from then on', async () => {
		bot = await createTestBot({ env: { TLAPBOT_PRIVATE_REPLIES: 'true' } })
		bot.fake.refusePrivate = true
		for (let i = 0; i < 3; i++) {
			await bot.post(chatEvent(alice, '!points', 'v0.3', { clientId: 3 }))
			await settle(bot)
		}
		expect(bot.fake.messages).toEqual(Array(3).fill('@Alice, you have 10 points.'))
		expect(bot.fake.requests.filter((r) => r.path.startsWith('/api/integrations/chat/system/client/'))).toHaveLength(1)
		const warnings = bot.logs.filter((l) => l.includes('private replies turned off'))
		expect(warnings).toHaveLength(1)
		expect(warnings[0]).toContain('send system messages')
	})

	test('after a 401, private replies are tried again a few minutes later and after a reload, and come back when they work', async () => {
		let now = Date.now()
		bot = await createTestBot({ env: { TLAPBOT_PRIVATE_REPLIES: 'true' }, clock: () => now })
		const privateRequests = () => bot!.fake.requests.filter((r) => r.path.startsWith('/api/integrations/chat/system/client/')).length
		const points = async () => {
			await bot!.post(chatEvent(alice, '!points', 'v0.3', { clientId: 3 }))
			await settle(bot!)
		}
		bot.fake.refusePrivate = true
		await points()
		await points()
		expect(privateRequests()).toBe(1)
		// The scope was added in Owncast: five minutes later the bot tries again, and private replies are back.
		bot.fake.refusePrivate = false
		now += 5 * 60_000 + 1
		await points()
		expect(privateRequests()).toBe(2)
		expect(bot.fake.privateMessages).toHaveLength(1)
		expect(bot.logs.some((l) => l.includes('private replies work again'))).toBe(true)
		// Refused again, then fixed and reloaded: tried at once.
		bot.fake.refusePrivate = true
		await points()
		bot.fake.refusePrivate = false
		expect(bot.deps.runtime.reload('test')).toBe(true)
		await points()
		expect(bot.fake.privateMessages).toHaveLength(2)
	})

	test('a wrong token is told apart from a missing scope', async () => {
		bot = await createTestBot({ env: { TLAPBOT_PRIVATE_REPLIES: 'true', TLAPBOT_OWNCAST_ACCESS_TOKEN: 'wrong-token' } })
		await bot.post(chatEvent(alice, '!points', 'v0.3', { clientId: 3 }))
		await settle(bot)
		const warning = bot.logs.find((l) => l.includes('private replies turned off'))
		expect(warning).toContain('Owncast refused the access token itself')
		expect(warning).not.toContain('send system messages')
	})

	test('private_replies = false keeps everything public', async () => {
		bot = await createTestBot({ env: { TLAPBOT_PRIVATE_REPLIES: 'false' } })
		await bot.post(chatEvent(alice, '!points', 'v0.3', { clientId: 3 }))
		await settle(bot)
		expect(bot.fake.privateMessages).toEqual([])
		expect(bot.fake.messages).toEqual(['@Alice, you have 10 points.'])
	})
})

describe('[messages] overrides', () => {
	test('a message can be reworded with its placeholders', async () => {
		bot = await createTestBot()
		writeFileSync(
			join(bot.dir, 'config.toml'),
			`secret_key = "0123456789abcdef0123"\n[messages]\nbalance = "{name} has {balance}, nice"\n`
		)
		expect(bot.deps.runtime.reload('test')).toBe(true)
		expect(await bot.chatReplies(alice, '!points')).toEqual(['Alice has 10 points, nice'])
	})

	test('unknown messages and unknown placeholders are errors naming the key', async () => {
		bot = await createTestBot()
		const write = (messages: string) =>
			writeFileSync(join(bot!.dir, 'config.toml'), `secret_key = "0123456789abcdef0123"\n[messages]\n${messages}\n`)
		write('balanse = "x"')
		expect(() => loadConfig(bot!.dir, {})).toThrow('messages.balanse: unknown key; did you mean "balance"?')
		write('balance = "{name} {points}"')
		expect(() => loadConfig(bot!.dir, {})).toThrow('messages.balance: unknown placeholder {points}; this message offers {name}, {balance}')
		write('constructor = "x"')
		expect(() => loadConfig(bot!.dir, {})).toThrow('messages.constructor: unknown key')
	})
})
