import { afterEach, describe, expect, test } from 'bun:test'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const alice = { id: 'alice', displayName: 'Alice' }
const mod = { id: 'mod1', displayName: 'Mod', moderator: true }
const rich = { TLAPBOT_STARTING_POINTS: '1000' }

const redemption = (b: TestBot, id: number) =>
	b.db.query<{ status: string }, [number]>('SELECT status FROM redemptions WHERE id = ?').get(id)?.status
const refunds = (b: TestBot) =>
	b.db.query<{ n: number; total: number }, []>("SELECT count(*) AS n, coalesce(sum(delta), 0) AS total FROM ledger WHERE reason = 'refund'").get()
const audit = (b: TestBot) => b.deps.stores.audit.entries().map((e) => `${e.action}: ${e.detail}`)

describe('redemption statuses', () => {
	test('a list redeem starts pending; !done fulfils it without refund', async () => {
		bot = await createTestBot({ env: rich })
		expect(await bot.chatReplies(alice, '!hydrate')).toEqual(['@Alice redeemed hydrate (#1)! 940 points left.'])
		expect(redemption(bot, 1)).toBe('pending')
		expect(await bot.chatReplies(mod, '!done 1')).toEqual(['Redemption #1 (hydrate by Alice) is done.'])
		expect(redemption(bot, 1)).toBe('fulfilled')
		expect(bot.balance('alice')).toBe(940)
		expect(await bot.chatReplies(mod, '!done #1')).toEqual(['@Mod, redemption #1 is fulfilled already.'])
	})

	test('!reject refunds and tells the viewer, with the reason', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!react a video')
		expect(await bot.chatReplies(mod, '!reject 1 not today')).toEqual([
			'@Alice, your react (#1) was rejected: not today. 200 points refunded.'
		])
		expect(redemption(bot, 1)).toBe('rejected')
		expect(bot.balance('alice')).toBe(1000)
		expect(refunds(bot)).toEqual({ n: 1, total: 200 })
		expect(await bot.chatReplies(mod, '!refund 1')).toEqual(['@Mod, redemption #1 is rejected already.'])
		expect(refunds(bot)).toEqual({ n: 1, total: 200 })
	})

	test('!refund cancels a fulfilled redemption and refunds once', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!hydrate')
		await bot.chatReplies(mod, '!done 1')
		expect(await bot.chatReplies(mod, '!refund 1')).toEqual(['@Alice, your hydrate (#1) was refunded: 60 points.'])
		expect(redemption(bot, 1)).toBe('cancelled')
		expect(bot.balance('alice')).toBe(1000)
	})

	test('two concurrent rejects refund once', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!hydrate')
		await Promise.all(Array.from({ length: 10 }, (_, i) => bot!.chat(mod, i % 2 ? '!reject 1' : '!refund 1')))
		await settle(bot)
		expect(refunds(bot)).toEqual({ n: 1, total: 60 })
		expect(bot.balance('alice')).toBe(1000)
	})

	test('auto_fulfil skips the queue', async () => {
		bot = await createTestBot({ env: rich, redeemsToml: '[redeems.wave]\ntype = "list"\nprice = 5\nauto_fulfil = true\n' })
		expect(await bot.chatReplies(alice, '!wave')).toEqual(['@Alice redeemed wave! 995 points left.'])
		expect(redemption(bot, 1)).toBe('fulfilled')
		const queue = await bot.app.handle(new Request('http://localhost/dashboard?tab=queue'))
		const html = await queue.text()
		expect(html).toContain('#1 fulfilled')
	})

	test('the dashboard queue shows statuses, pending first', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!hydrate')
		await bot.chatReplies(alice, '!request old one')
		await bot.chatReplies(alice, '!request new one')
		await bot.chatReplies(mod, '!done 1')
		const html = await (await bot.app.handle(new Request('http://localhost/dashboard?tab=queue'))).text()
		expect(html.indexOf('#2 pending')).toBeGreaterThan(0)
		expect(html.indexOf('#2 pending')).toBeLessThan(html.indexOf('#3 pending'))
		expect(html.indexOf('#3 pending')).toBeLessThan(html.indexOf('#1 fulfilled'))
	})

	test('non-moderators get no reply and change nothing', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!hydrate')
		const before = bot.fake.messages.length
		for (const text of ['!done 1', '!reject 1', '!refund 1', '!addpoints Alice 100', '!setpoints Alice 0', '!redeem pause hydrate', '!category on inactive']) {
			await bot.chat({ id: 'bob', displayName: 'Bob' }, text)
		}
		await settle(bot)
		expect(bot.fake.messages.length).toBe(before)
		expect(redemption(bot, 1)).toBe('pending')
		expect(bot.balance('alice')).toBe(940)
		expect(audit(bot)).toEqual([])
	})
})

describe('moderator commands', () => {
	test('!addpoints, !removepoints and !setpoints change balances through the ledger', async () => {
		bot = await createTestBot()
		await bot.chat(alice, 'hi')
		expect(await bot.chatReplies(mod, '!addpoints Alice 50')).toEqual(['@Mod: Alice now has 60 points.'])
		expect(await bot.chatReplies(mod, '!removepoints @alice 20')).toEqual(['@Mod: Alice now has 40 points.'])
		expect(await bot.chatReplies(mod, '!removepoints Alice 100')).toEqual(['@Mod, Alice has only 40 points.'])
		expect(await bot.chatReplies(mod, '!setpoints Alice 7')).toEqual(['@Mod: Alice now has 7 points.'])
		expect(bot.balance('alice')).toBe(7)
		const rows = bot.db.query("SELECT delta FROM ledger WHERE reason = 'moderator' ORDER BY id").all()
		expect(rows).toEqual([{ delta: 50 }, { delta: -20 }, { delta: -33 }])
		expect(audit(bot)).toEqual([
			'setpoints: Alice (alice): -33, now 7',
			'removepoints: Alice (alice): -20, now 40',
			'addpoints: Alice (alice): +50, now 60'
		])
	})

	test('names with spaces work; unknown and ambiguous names are clear errors', async () => {
		bot = await createTestBot()
		await bot.chat({ id: 'sp', displayName: 'Space Cadet' }, 'hi')
		await bot.chat({ id: 't1', displayName: 'Twin' }, 'hi')
		await bot.chat({ id: 't2', displayName: 'twin' }, 'hi')
		expect(await bot.chatReplies(mod, '!addpoints Space Cadet 5')).toEqual(['@Mod: Space Cadet now has 15 points.'])
		expect(await bot.chatReplies(mod, '!addpoints Nobody 5')).toEqual(['@Mod, nobody called Nobody has been seen in chat.'])
		expect(await bot.chatReplies(mod, '!addpoints Twin 5')).toEqual(['@Mod, several viewers are called Twin; use the admin page to pick one.'])
		expect(await bot.chatReplies(mod, '!addpoints Twin')).toEqual(['@Mod, usage: !addpoints <name> <points>'])
		expect(bot.balance('t1')).toBe(10)
		// Quoted names work too, in either quotes, with or without @.
		expect(await bot.chatReplies(mod, '!addpoints "Space Cadet" 5')).toEqual(['@Mod: Space Cadet now has 20 points.'])
		expect(await bot.chatReplies(mod, "!removepoints '@Space Cadet' 5")).toEqual(['@Mod: Space Cadet now has 15 points.'])
	})

	test('!redeem pause and resume', async () => {
		bot = await createTestBot({ env: rich })
		expect(await bot.chatReplies(mod, '!redeem pause Hydrate')).toEqual(['Redeem hydrate is paused.'])
		expect(await bot.chatReplies(alice, '!hydrate')).toEqual(['@Alice, hydrate is paused right now.'])
		expect(bot.balance('alice')).toBe(1000)
		const help = await (await bot.app.handle(new Request('http://localhost/dashboard?tab=help'))).text()
		expect(help).toContain('list, paused')
		expect(await bot.chatReplies(mod, '!redeem resume hydrate')).toEqual(['Redeem hydrate is back.'])
		expect(await bot.chatReplies(alice, '!hydrate')).toEqual(['@Alice redeemed hydrate (#1)! 940 points left.'])
		expect(await bot.chatReplies(mod, '!redeem pause nothing')).toEqual(['@Mod, there is no redeem called nothing.'])
	})

	test('!category on/off changes active categories at run time, kept in the database and shown on the dashboard', async () => {
		bot = await createTestBot({ env: rich })
		expect(await bot.chatReplies(alice, '!inactive hello')).toEqual(['@Alice, inactive is not active right now.'])
		expect(await bot.chatReplies(mod, '!category on inactive')).toEqual(['Category inactive is on.'])
		expect(await bot.chatReplies(alice, '!inactive hello')).toEqual(['@Alice redeemed inactive (#1)! 900 points left.'])
		const help = await (await bot.app.handle(new Request('http://localhost/dashboard?tab=help'))).text()
		expect(help).toContain('Active categories: inactive')
		expect(bot.deps.moderation.activeCategories()).toEqual(['inactive'])
		expect(await bot.chatReplies(mod, '!category off inactive')).toEqual(['Category inactive is off.'])
		expect(await bot.chatReplies(alice, '!inactive again')).toEqual(['@Alice, inactive is not active right now.'])
		// A category no redeem uses is refused with the list (the default redeems use "inactive" only).
		expect(await bot.chatReplies(mod, '!category off gamng')).toEqual(['@Mod, no redeem is in the category gamng; the categories are: inactive.'])
		expect(await bot.chatReplies(mod, '!category on INACTIVE')).toEqual(['Category inactive is on.'])
	})

	test('a later change of active_categories in config.toml replaces what chat set', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(mod, '!category on inactive')
		// Same config value again: chat's setting stays.
		expect(bot.deps.moderation.applyConfigCategories([])).toBe(false)
		expect(bot.deps.moderation.activeCategories()).toEqual(['inactive'])
		// The streamer edits config.toml: the reload applies it and it wins over chat.
		bot.reconfigure({ active_categories: ['gaming'] })
		expect(bot.deps.moderation.activeCategories()).toEqual(['gaming'])
		expect(bot.logs.some((l) => l.includes('active_categories changed in config.toml'))).toBe(true)
		expect(bot.deps.moderation.applyConfigCategories(['gaming'])).toBe(false)
	})
})

describe('!milestone reset', () => {
	test('resets a completed milestone from chat, audited; one under way is left alone; only moderators', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '5000' } })
		await bot.chatReplies(alice, '!go_nap 400')
		expect(await bot.chatReplies(mod, '!milestone reset go_nap')).toEqual([
			'@Mod, the go_nap milestone is not complete (400/1000); only a completed one can be reset from chat.'
		])
		await bot.chatReplies(alice, '!go_nap 600', 2)
		expect(bot.deps.stores.redeems.milestone('go_nap')).toMatchObject({ progress: 1000, completed: true })
		expect(await bot.chatReplies(mod, '!milestone reset GO_NAP')).toEqual(['The go_nap milestone starts again from 0!'])
		expect(bot.deps.stores.redeems.milestone('go_nap')).toMatchObject({ progress: 0, completed: false })
		expect(bot.deps.stores.audit.entries().some((e) => e.action === 'milestone_reset' && e.detail.startsWith('go_nap'))).toBe(true)
		expect(await bot.chatReplies(mod, '!milestone reset lurk')).toEqual(['@Mod, there is no milestone called lurk.'])
		expect(await bot.chatReplies(mod, '!milestone')).toEqual(['@Mod, usage: !milestone reset <milestone>'])
		const before = bot.fake.messages.length
		await bot.chat(alice, '!milestone reset go_nap')
		await settle(bot)
		expect(bot.fake.messages.length).toBe(before)
	})
})
