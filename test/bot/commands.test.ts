import { afterEach, describe, expect, test } from 'bun:test'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'
import { chatEvent } from '../support/payloads.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const alice = { id: 'aB3kPq9xR', displayName: 'Alice' }
const rich = { TLAPBOT_STARTING_POINTS: '1000' }

const queueRows = (b: TestBot) =>
	b.db
		.query<{ redeem: string; redeem_type: string; viewer_id: string; cost: number; note: string | null; status: string }, []>(
			'SELECT redeem, redeem_type, viewer_id, cost, note, status FROM redemptions ORDER BY id'
		)
		.all()
const counter = (b: TestBot, name: string) => b.deps.stores.redeems.counter(name)?.count
const milestone = (b: TestBot, name: string) => b.deps.stores.redeems.milestone(name)

/** Sends messages that should get no reply, then !points: the next reply must be the balance. */
async function expectNoReply(b: TestBot, texts: string[]) {
	const before = b.fake.messages.length
	for (const text of texts) expect((await b.chat(alice, text)).status).toBe(204)
	await settle(b)
	expect(b.fake.messages.slice(before)).toEqual([])
	const [reply] = await b.chatReplies(alice, '!points')
	expect(reply).toStartWith('@Alice, you have')
}

describe('built-in commands', () => {
	test('!help explains points with the real numbers and the commands with the prefix', async () => {
		bot = await createTestBot()
		const [help] = await bot.chatReplies(alice, '!help')
		expect(help).toContain('10 points every 10 minutes')
		expect(help).toContain('!help, !points, !name_update')
		expect(help).toContain('dashboard')
		expect(help).not.toContain('hydrate')
	})

	test('!help uses the configured numbers, prefix and public dashboard URL', async () => {
		bot = await createTestBot({
			env: {
				TLAPBOT_POINTS_CYCLE_TIME: '300',
				TLAPBOT_POINTS_AMOUNT_GIVEN: '25',
				TLAPBOT_PREFIX: '?',
				TLAPBOT_PUBLIC_URL: 'https://bot.example.com/'
			}
		})
		const [help] = await bot.chatReplies(alice, '?help')
		expect(help).toContain('25 points every 5 minutes')
		expect(help).toContain('?help, ?points, ?name_update')
		expect(help).toContain('https://bot.example.com/dashboard')
	})

	test('with list_redeems, !help lists the active redeems with price and type', async () => {
		bot = await createTestBot({ env: { TLAPBOT_LIST_REDEEMS: 'true' } })
		const [help] = await bot.chatReplies(alice, '!help')
		expect(help).toContain('!hydrate (60 points, list)')
		expect(help).toContain('!lurk (1 point, counter)')
		expect(help).toContain('!react <note> (200 points, note)')
		expect(help).toContain('!go_nap <points> (milestone, goal 1000)')
		expect(help).not.toContain('inactive')
	})

	test('commands are case-insensitive and matched exactly', async () => {
		bot = await createTestBot()
		expect(await bot.chatReplies(alice, '!POINTS')).toEqual(['@Alice, you have 10 points.'])
		await expectNoReply(bot, ['!pointsXYZ', '!', '! points', '!unknown', '!!points', 'points', 'hello !points'])
	})

	test('!name_update stores the display name from the message and confirms', async () => {
		bot = await createTestBot()
		await bot.chat(alice, 'hi')
		bot.db.query("UPDATE viewers SET display_name = 'stale' WHERE id = ?").run(alice.id)
		const [reply] = await bot.chatReplies({ ...alice, displayName: 'Alice2' }, '!name_update')
		expect(reply).toContain('Alice2')
		expect(bot.deps.stores.viewers.viewer(alice.id)?.displayName).toBe('Alice2')
	})

	test('a custom prefix replaces "!" everywhere', async () => {
		bot = await createTestBot({ env: { TLAPBOT_PREFIX: '$', ...rich } })
		const before = bot.fake.messages.length
		await bot.chat(alice, '!hydrate')
		await settle(bot)
		expect(bot.fake.messages.length).toBe(before)
		expect(await bot.chatReplies(alice, '$hydrate')).toEqual(['@Alice redeemed hydrate (#1)! 940 points left.'])
	})
})

describe('redeems', () => {
	test('list: charges the price, adds a queue entry and confirms', async () => {
		bot = await createTestBot({ env: rich })
		expect(await bot.chatReplies(alice, '!hydrate')).toEqual(['@Alice redeemed hydrate (#1)! 940 points left.'])
		expect(queueRows(bot)).toEqual([
			{ redeem: 'hydrate', redeem_type: 'list', viewer_id: alice.id, cost: 60, note: null, status: 'pending' }
		])
		expect(bot.balance(alice.id)).toBe(940)
	})

	test('note: keeps the text as typed, with only Owncast markup removed', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!react <3 this one: https://example.com/v?a=1&b=2')
		// Older Owncast versions put HTML (emoji images, paragraphs) in rawBody.
		await bot.post(
			chatEvent(alice, '<p>!request level 3 <img class="emoji" alt=":wave:" title=":wave:" src="/img/emoji/wave.gif"> please</p>')
		)
		await settle(bot)
		expect(queueRows(bot).map((r) => r.note)).toEqual(['<3 this one: https://example.com/v?a=1&b=2', 'level 3 :wave: please'])
	})

	test('note: falls back to the rendered body when there is no rawBody', async () => {
		bot = await createTestBot({ env: rich })
		const event = chatEvent(alice, 'x')
		const { rawBody: _, ...eventData } = event.eventData
		await bot.post({ ...event, eventData: { ...eventData, body: '<p>!react a &lt;b&gt; &amp; <strong>c</strong></p>' } })
		await settle(bot)
		expect(queueRows(bot).map((r) => r.note)).toEqual(['a <b> & c'])
	})

	test('note: without text, a clear error and no charge', async () => {
		bot = await createTestBot({ env: rich })
		const [reply] = await bot.chatReplies(alice, '!react')
		expect(reply).toContain('needs a note')
		expect(reply).toContain('!react <your message>')
		expect(bot.balance(alice.id)).toBe(1000)
		expect(queueRows(bot)).toEqual([])
	})

	test('note: up to 500 characters; longer is refused without charge', async () => {
		bot = await createTestBot({ env: rich })
		const [tooLong] = await bot.chatReplies(alice, `!react ${'x'.repeat(501)}`)
		expect(tooLong).toContain('501 characters')
		expect(bot.balance(alice.id)).toBe(1000)
		await bot.chatReplies(alice, `!react ${'y'.repeat(500)}`)
		expect(queueRows(bot)[0]?.note).toHaveLength(500)
		expect(bot.balance(alice.id)).toBe(800)
	})

	test('counter: charges, adds 1 and confirms with the new count', async () => {
		bot = await createTestBot()
		expect(await bot.chatReplies(alice, '!lurk')).toEqual(['@Alice redeemed lurk! It is at 1 now. 9 points left.'])
		expect(await bot.chatReplies(alice, '!LURK')).toEqual(['@Alice redeemed lurk! It is at 2 now. 8 points left.'])
		expect(counter(bot, 'lurk')).toBe(2)
		expect(queueRows(bot)).toEqual([])
	})

	test('not enough points: a clear error with balance and price, nothing changes', async () => {
		bot = await createTestBot()
		expect(await bot.chatReplies(alice, '!hydrate')).toEqual(['@Alice, hydrate costs 60 points and you have 10 points.'])
		expect(bot.balance(alice.id)).toBe(10)
		expect(queueRows(bot)).toEqual([])
	})

	test('a redeem with price 0 works at 0 points', async () => {
		bot = await createTestBot({
			env: { TLAPBOT_STARTING_POINTS: '0' },
			redeemsToml: '[redeems.wave]\ntype = "list"\nprice = 0\n[redeems.clap]\ntype = "counter"\nprice = 0\n'
		})
		expect(await bot.chatReplies(alice, '!wave')).toEqual(['@Alice redeemed wave (#1)! 0 points left.'])
		expect(await bot.chatReplies(alice, '!clap')).toEqual(['@Alice redeemed clap! It is at 1 now. 0 points left.'])
		expect(bot.balance(alice.id)).toBe(0)
	})

	test('a redeem whose categories are all inactive is "not active right now"', async () => {
		bot = await createTestBot({ env: rich })
		expect(await bot.chatReplies(alice, '!inactive hello')).toEqual(['@Alice, inactive is not active right now.'])
		expect(bot.balance(alice.id)).toBe(1000)
	})

	test('active_categories switches categorised redeems on', async () => {
		bot = await createTestBot({
			env: { ...rich, TLAPBOT_ACTIVE_CATEGORIES: '["singing"]' },
			redeemsToml:
				'[redeems.karaoke]\ntype = "list"\nprice = 5\ncategory = ["Singing", "party"]\n[redeems.speedrun]\ntype = "list"\nprice = 5\ncategory = ["gaming"]\n'
		})
		expect(await bot.chatReplies(alice, '!karaoke')).toEqual(['@Alice redeemed karaoke (#1)! 995 points left.'])
		expect(await bot.chatReplies(alice, '!speedrun')).toEqual(['@Alice, speedrun is not active right now.'])
	})
})

describe('milestones', () => {
	test('a donation adds to the progress and charges the amount', async () => {
		bot = await createTestBot({ env: rich })
		expect(await bot.chatReplies(alice, '!go_nap 50')).toEqual(['@Alice donated 50 points to go_nap: 50/1000.'])
		expect(milestone(bot, 'go_nap')).toMatchObject({ progress: 50, completed: false })
		expect(bot.balance(alice.id)).toBe(950)
	})

	test('a missing, zero, negative, non-numeric or non-ASCII amount gives an error and no charge', async () => {
		bot = await createTestBot({ env: rich })
		for (const amount of ['', '0', '-5', 'abc', '²', '٣', '１０', '1.5', '5e2', '0x10', '99999999999999999999']) {
			const [reply] = await bot.chatReplies(alice, `!go_nap ${amount}`.trim())
			expect({ amount, reply }).toEqual({ amount, reply: expect.stringContaining('whole number above 0') as unknown as string })
		}
		expect(bot.balance(alice.id)).toBe(1000)
		expect(milestone(bot, 'go_nap')?.progress).toBe(0)
	})

	test('a donation larger than needed is capped; completion is announced; a complete milestone refuses', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '5000' } })
		await bot.chatReplies(alice, '!go_nap 990')
		const replies = await bot.chatReplies(alice, '!go_nap 500', 2)
		expect(replies).toEqual([
			'@Alice donated 10 points to go_nap (just what it needed): 1000/1000.',
			'The go_nap milestone reached its goal of 1000 points! Thank you, everyone!'
		])
		expect(bot.balance(alice.id)).toBe(4000)
		expect(milestone(bot, 'go_nap')).toMatchObject({ progress: 1000, completed: true })
		const [refused] = await bot.chatReplies(alice, '!go_nap 5')
		expect(refused).toContain('already complete')
		expect(bot.balance(alice.id)).toBe(4000)
	})

	test('donating more than the balance is refused', async () => {
		bot = await createTestBot()
		const [reply] = await bot.chatReplies(alice, '!go_nap 50')
		expect(reply).toBe("@Alice, you can't donate 50 points: you have 10 points.")
		expect(milestone(bot, 'go_nap')?.progress).toBe(0)
	})
})

describe('passive mode', () => {
	test('sends nothing and runs no redeem, but tracks viewers and names', async () => {
		bot = await createTestBot({ env: { TLAPBOT_PASSIVE: 'true', ...rich } })
		for (const text of ['!help', '!points', '!hydrate', '!lurk', '!go_nap 10', '!react hi', '!name_update']) {
			expect((await bot.chat(alice, text)).status).toBe(204)
		}
		await bot.chat({ ...alice, displayName: 'Renamed' }, 'hello')
		await settle(bot)
		expect(bot.fake.messages).toEqual([])
		expect(bot.fake.requests.filter((r) => r.path.includes('/chat/'))).toEqual([])
		expect(bot.balance(alice.id)).toBe(1000)
		expect(bot.deps.stores.viewers.viewer(alice.id)?.displayName).toBe('Renamed')
		expect(queueRows(bot)).toEqual([])
		expect(counter(bot, 'lurk')).toBe(0)
	})
})
