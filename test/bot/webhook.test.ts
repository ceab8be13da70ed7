import { afterEach, describe, expect, test } from 'bun:test'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'
import { chatEvent, nameChangeEvent, streamEvent, userJoinedEvent, type Shape } from '../support/payloads.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const alice = { id: 'k3Jd9-Q2g', displayName: 'PixelPanda' }

const ledgerOf = (b: TestBot, id: string) =>
	b.db.query<{ delta: number; reason: string }, [string]>('SELECT delta, reason FROM ledger WHERE viewer_id = ? ORDER BY id').all(id)

for (const shape of ['v0.2', 'v0.3'] as Shape[]) {
	describe(`Owncast ${shape} payloads`, () => {
		test('a CHAT creates the viewer by user id with starting points in the ledger', async () => {
			bot = await createTestBot()
			const response = await bot.chat(alice, 'hello everyone', shape)
			expect(response.status).toBe(204)
			expect(bot.deps.stores.viewers.viewer(alice.id)).toMatchObject({ displayName: 'PixelPanda', balance: 10 })
			expect(ledgerOf(bot, alice.id)).toEqual([{ delta: 10, reason: 'starting' }])
		})

		test('!points answers with the balance, by name', async () => {
			bot = await createTestBot()
			expect(await bot.chatReplies(alice, '!points', 1, shape)).toEqual(['@PixelPanda, you have 10 points.'])
		})

		test('NAME_CHANGE updates the display name, keyed by id', async () => {
			bot = await createTestBot()
			await bot.chat(alice, 'hi', shape)
			expect((await bot.post(nameChangeEvent(alice, 'SleepyPanda', shape))).status).toBe(204)
			expect(bot.deps.stores.viewers.viewer(alice.id)?.displayName).toBe('SleepyPanda')
			expect(bot.balance(alice.id)).toBe(10)
		})

		test('USER_JOINED creates a new viewer once', async () => {
			bot = await createTestBot()
			expect((await bot.post(userJoinedEvent(alice, shape))).status).toBe(204)
			expect((await bot.post(userJoinedEvent(alice, shape))).status).toBe(204)
			expect(bot.balance(alice.id)).toBe(10)
			expect(ledgerOf(bot, alice.id)).toHaveLength(1)
		})

		test('STREAM_STARTED and STREAM_STOPPED record the live state', async () => {
			bot = await createTestBot()
			expect((await bot.post(streamEvent('STREAM_STARTED', shape))).status).toBe(204)
			expect(bot.deps.stores.streams.state('stream_live')).toBe('1')
			expect((await bot.post(streamEvent('STREAM_STOPPED', shape))).status).toBe(204)
			expect(bot.deps.stores.streams.state('stream_live')).toBe('0')
		})
	})
}

describe('webhook input', () => {
	test('the misspelt NAME_CHANGED is accepted too', async () => {
		bot = await createTestBot()
		await bot.chat(alice, 'hi')
		await bot.post(nameChangeEvent(alice, 'Renamed', 'v0.3', 'NAME_CHANGED'))
		expect(bot.deps.stores.viewers.viewer(alice.id)?.displayName).toBe('Renamed')
	})

	test('other event types, known or unknown, get 204 and change nothing', async () => {
		bot = await createTestBot()
		for (const type of ['STREAM_TITLE_UPDATED', 'VISIBILITY-UPDATE', 'USER_PARTED', 'FEDIVERSE_ENGAGEMENT_FOLLOW', 'SOMETHING_NEW']) {
			const response = await bot.post({ type, eventData: { user: alice, id: 'x' } })
			expect(response.status).toBe(204)
		}
		expect(bot.deps.stores.viewers.viewer(alice.id)).toBeUndefined()
	})

	test('malformed JSON and wrong shapes get 400 with a short JSON error, never 500', async () => {
		bot = await createTestBot()
		const bodies = [
			'not json',
			'',
			'[]',
			'null',
			'{"eventData":{}}',
			'{"type":5}',
			'{"type":"CHAT"}',
			'{"type":"CHAT","eventData":{"user":{"id":7,"displayName":"x"}}}',
			'{"type":"CHAT","eventData":{"user":{"displayName":"x"},"rawBody":"!points"}}',
			'{"type":"CHAT","eventData":{"user":{"id":"a"},"rawBody":42}}',
			'{"type":"NAME_CHANGE","eventData":{"newName":"x"}}',
			'{"type":"USER_JOINED","eventData":{"user":null}}'
		]
		for (const body of bodies) {
			const response = await bot.postRaw(body)
			expect({ body, status: response.status }).toEqual({ body, status: 400 })
			const json = (await response.json()) as { error: string }
			expect(typeof json.error).toBe('string')
			expect(json.error.length).toBeLessThan(200)
		}
		expect(bot.db.query('SELECT count(*) AS n FROM viewers').get()).toEqual({ n: 0 })
	})

	test('bots never become viewers, never earn and never redeem', async () => {
		bot = await createTestBot()
		const botUser = { id: 'bot1', displayName: 'Helper', isBot: true }
		await bot.post(userJoinedEvent(botUser))
		await bot.chat(botUser, '!hydrate')
		await bot.chat(botUser, '!points')
		await settle(bot)
		expect(bot.deps.stores.viewers.viewer('bot1')).toBeUndefined()
		expect(bot.fake.messages).toEqual([])
	})

	test('the same CHAT delivered twice (two webhook registrations) counts once', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '100' } })
		const event = chatEvent(alice, '!hydrate')
		await bot.post(event)
		await bot.post(event)
		await settle(bot)
		expect(bot.balance(alice.id)).toBe(40)
		expect(bot.fake.messages).toHaveLength(1)
	})

	test('the webhook is answered before Owncast receives the reply', async () => {
		bot = await createTestBot()
		bot.fake.mode = 'slow'
		const response = await bot.chat(alice, '!points')
		expect(response.status).toBe(204)
		// The reply is on its way (or queued) while the webhook already has its answer.
		expect(bot.fake.messages).toEqual([])
		expect(bot.deps.stores.viewers.viewer(alice.id)?.balance).toBe(10)
	})

	test('a viewer renamed while the bot was down gets the new name from their next message', async () => {
		bot = await createTestBot()
		await bot.chat(alice, 'hi')
		// NAME_CHANGE was lost; the next CHAT carries the new display name.
		await bot.chat({ ...alice, displayName: 'NewName' }, 'back again')
		expect(bot.deps.stores.viewers.viewer(alice.id)?.displayName).toBe('NewName')
		expect(await bot.chatReplies({ ...alice, displayName: 'NewName' }, '!points')).toEqual(['@NewName, you have 10 points.'])
	})

	test('two viewers with the same display name stay separate', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '100' } })
		const twin = { id: 'other-id', displayName: alice.displayName }
		await bot.chatReplies(alice, '!hydrate')
		await bot.chat(twin, 'hi')
		expect(bot.balance(alice.id)).toBe(40)
		expect(bot.balance(twin.id)).toBe(100)
	})
})
