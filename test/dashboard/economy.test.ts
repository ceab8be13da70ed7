// The economy on the dashboard, through chat and app.handle on a real bot: the prediction running (pools, bettors,
// odds) and the last result, open and closed polls with their points, the Leaderboard tab, the earning rules and the
// features in force on the Redeems tab's help, switched-off features gone from page, help and API, hostile text
// escaped, and the JSON API in step (names and points, never viewer ids).
import { afterEach, describe, expect, test } from 'bun:test'
import { runPointsCycle } from '../../src/modules/points/cycle.ts'
import { cycleDepsOf } from '../../src/scheduler.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'
import type { TestUser } from '../support/payloads.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const get = (b: TestBot, path: string) => b.app.handle(new Request(`http://localhost${path}`))
const page = async (b: TestBot, path: string) => {
	const response = await get(b, path)
	expect(response.status).toBe(200)
	return response.text()
}
const api = async (b: TestBot, path = '/api/dashboard') => (await (await get(b, path)).json()) as Record<string, unknown>
/** The part of a page between two markers (a section by its heading id, for example). */
const between = (html: string, from: string, to: string) => {
	const start = html.indexOf(from)
	expect(start).toBeGreaterThan(-1)
	const end = html.indexOf(to, start + from.length)
	return html.slice(start, end === -1 ? undefined : end)
}

const mod: TestUser = { id: 'mod', displayName: 'Mod', moderator: true }
const alice: TestUser = { id: 'alice-id', displayName: 'Alice' }
const bob: TestUser = { id: 'bob-id', displayName: 'Bob' }
const carol: TestUser = { id: 'carol-id', displayName: 'Carol' }
const rich = { TLAPBOT_STARTING_POINTS: '500' }

describe('the prediction on the Dashboard tab', () => {
	test('live pools, bettors and odds while betting is open; locked; then the result and its pool', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(mod, '!predict open 60 Will it rain? | yes | no')
		const empty = await page(bot, '/dashboard')
		expect(empty).toContain('<h2 id="prediction-title">Prediction</h2>')
		expect(empty).toContain('<p class="question">Will it rain?</p>')
		expect(empty).toContain('Betting is open</strong>; it closes <time datetime=')
		expect(empty).toContain('class="countdown"')
		expect(empty).toContain('0 points in the pool.')
		// Nobody bet yet: no odds.
		expect(empty).toContain('<th scope="row"><span>1. yes</span></th><td>0</td><td>0</td><td>–</td>')

		await bot.chatReplies(alice, '!bet yes 10')
		await bot.chatReplies(carol, '!bet yes 20')
		await bot.chatReplies(bob, '!bet no 45')
		const html = await page(bot, '/dashboard')
		// Pool 75: yes 30 by two bettors (x2.50), no 45 by one (x1.67).
		expect(html).toContain('75 points in the pool.')
		expect(html).toContain('<th scope="row"><span>1. yes</span></th><td>30</td><td>2</td><td>x2.50</td>')
		expect(html).toContain('<th scope="row"><span>2. no</span></th><td>45</td><td>1</td><td>x1.67</td>')
		expect(html).toContain('<th scope="col">Odds</th>')
		// How to take part, with the real command.
		expect(html).toContain('Bet with <code>!bet &lt;outcome&gt; &lt;points&gt;</code>, for example <code>!bet yes 10</code>')

		await bot.chatReplies(mod, '!predict lock')
		const locked = await page(bot, '/dashboard')
		expect(locked).toContain('Betting is locked</strong>: waiting for the answer.')
		expect(locked).not.toContain('Bet with')
		expect(locked).toContain('<td>x2.50</td>')

		await bot.chatReplies(mod, '!predict resolve yes')
		const resolved = await page(bot, '/dashboard')
		expect(resolved).toContain('<h2 id="prediction-title">Last prediction</h2>')
		expect(resolved).toContain('The answer: yes. The pool of 75 points went to 2 viewers who bet on it.')
		expect(resolved).toContain('<tr class="winner"><th scope="row"><span>1. yes</span><span class="answer"> ✓ the answer</span></th>')
		// The next one: how to bet once a moderator opens it.
		expect(resolved).toContain('When a moderator opens a prediction, bet with <code>!bet &lt;outcome&gt; &lt;points&gt;</code>')
	})

	test('a cancelled prediction says so; with none at all the section says how predictions work', async () => {
		bot = await createTestBot({ env: rich })
		const none = await page(bot, '/dashboard')
		expect(none).toContain('No prediction right now.')
		expect(none).toContain('When a moderator opens a prediction, bet with <code>!bet &lt;outcome&gt; &lt;points&gt;</code>')
		await bot.chatReplies(mod, '!predict open Best pet? | cat | dog')
		await bot.chatReplies(alice, '!bet dog 15')
		const open = await page(bot, '/dashboard')
		expect(open).toContain('Betting is open</strong> until a moderator locks it.')
		await bot.chatReplies(mod, '!predict cancel')
		const cancelled = await page(bot, '/dashboard')
		expect(cancelled).toContain('<p class="question">Best pet?</p>')
		expect(cancelled).toContain('Cancelled: every bet was refunded (15 points).')
		expect(cancelled).not.toContain('class="winner"')
	})

	test('the betting window ending shows as locked at once, with no write to the database (the cached page expires)', async () => {
		let now = Date.parse('2026-05-10T18:00:00.000Z')
		bot = await createTestBot({ env: rich, clock: () => now })
		await bot.chatReplies(mod, '!predict open 60 Quick one? | a | b')
		expect(await page(bot, '/dashboard')).toContain('Betting is open')
		expect(await page(bot, '/dashboard')).toContain('<time datetime="2026-05-10T18:01:00.000Z" class="countdown">2026-05-10 18:01 UTC</time>')
		now += 61_000
		const later = await page(bot, '/dashboard')
		expect(later).toContain('Betting is locked')
		expect(later).not.toContain('Betting is open')
	})
})

describe('polls on the Dashboard tab', () => {
	test("each open poll with its options' points (a bar and text), then the closed poll's results", async () => {
		bot = await createTestBot({ env: rich })
		const none = await page(bot, '/dashboard')
		expect(none).toContain('No poll is open right now.')
		await bot.chatReplies(mod, '!poll open food Which? | pizza | soup | salad')
		await bot.chatReplies(alice, '!vote food pizza 5')
		await bot.chatReplies(bob, '!vote food 2 15')
		await bot.chatReplies(alice, '!vote food pizza 10')
		const html = await page(bot, '/dashboard')
		const poll = between(html, '<h2 id="polls-title">', '</section>')
		expect(poll).toContain('<h3 id="poll-0-title">Which?</h3>')
		expect(poll).toContain('Poll <code>food</code>, open: <span>30 points spent</span>')
		expect(poll).toContain('<span class="name">1. pizza</span><span class="option-points">15 points (50%), 1 voter</span>')
		expect(poll).toContain('<span class="name">2. soup</span><span class="option-points">15 points (50%), 1 voter</span>')
		expect(poll).toContain('<span class="name">3. salad</span><span class="option-points">0 points (0%), 0 voters</span>')
		expect(poll).toContain('<progress aria-hidden="true" max="30" value="15"></progress>')
		expect(poll).toContain('Vote with <code>!vote food &lt;option&gt; &lt;points&gt;</code>, for example <code>!vote food pizza 10</code>')
		expect(poll).not.toContain('No poll is open')

		await bot.chatReplies(bob, '!vote food soup 1')
		await bot.chatReplies(mod, '!poll close food')
		const closed = between(await page(bot, '/dashboard'), '<h2 id="polls-title">', '<h2 id="counters-title">')
		expect(closed).toContain('No poll is open right now.')
		expect(closed).toContain('Closed: <span>Which?</span>')
		expect(closed).toContain('Poll <code>food</code>, closed <time datetime=')
		expect(closed).toContain('<li class="top"><div class="option-head"><span class="name">2. soup</span><span class="option-points">16 points (52%), 1 voter, most points</span>')
		expect(closed).toContain('When a poll is open, vote with <code>!vote &lt;poll&gt; &lt;option&gt; &lt;points&gt;</code>')
	})

	test('the polls of redeems.toml show too, and how to take part uses the current prefix and command names', async () => {
		bot = await createTestBot({
			env: rich,
			redeemsToml: '[redeems.hug]\ntype = "list"\nprice = 1\n\n[polls.favourite_food]\ninfo = "Which food?"\noptions = ["ice cream", "soup"]\n'
		})
		bot.reconfigure({ prefix: '?', commands: { vote: 'ballot', bet: 'wager' } })
		await bot.chatReplies(alice, '?ballot favourite_food 1 7')
		const html = await page(bot, '/dashboard')
		expect(html).toContain('<h3 id="poll-0-title">Which food?</h3>')
		expect(html).toContain('<span class="name">1. ice cream</span><span class="option-points">7 points (100%), 1 voter</span>')
		// An option with a space is given by its number in the example.
		expect(html).toContain('Vote with <code>?ballot favourite_food &lt;option&gt; &lt;points&gt;</code>, for example <code>?ballot favourite_food 1 10</code>')
		expect(html).toContain('bet with <code>?wager &lt;outcome&gt; &lt;points&gt;</code>')
		const help = await page(bot, '/dashboard?tab=help')
		expect(help).toContain('<code>?ballot &lt;poll&gt; &lt;option&gt; &lt;points&gt;</code>')
		expect(help).toContain('<code>?wager &lt;outcome&gt; &lt;points&gt;</code>')
		expect(help).not.toContain('!vote')
	})
})

describe('the Leaderboard tab', () => {
	/** A points cycle at `now` with these viewers in chat: earned this stream and this month. */
	async function cycle(b: TestBot, now: number, users: TestUser[]) {
		b.fake.clients = users.map((u) => ({ user: { id: u.id, displayName: u.displayName } }))
		expect((await runPointsCycle(cycleDepsOf(b.deps), () => now)).kind).toBe('awarded')
	}
	const names = (html: string, id: string) =>
		[...between(html, `id="${id}"`, '</section>').matchAll(/<span class="name">([^<]*)<\/span><span class="points">([^<]*)<\/span>/g)].map(
			(m) => `${m[1]} ${m[2]}`
		)

	test('top 10 by balance, earned this stream and this month; !hide takes a viewer off; a tab of its own', async () => {
		const now = Date.parse('2026-05-10T18:00:00.000Z')
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '100', TLAPBOT_POINTS_AMOUNT_GIVEN: '10' }, clock: () => now })
		await bot.chatReplies(mod, '!points')
		for (const [who, points] of [
			['Alice', 900],
			['Bob', 300],
			['Carol', 600]
		] as const) {
			await bot.chatReplies({ id: `${who.toLowerCase()}-id`, displayName: who }, '!points')
			await bot.chatReplies(mod, `!setpoints ${who} ${points}`)
		}
		for (let i = 1; i <= 11; i++) await bot.chat({ id: `extra-${i}`, displayName: `Extra${i}` }, 'hi')
		await cycle(bot, now, [alice, bob])
		await cycle(bot, now + 600_000, [bob])

		const html = await page(bot, '/dashboard?tab=leaderboard')
		expect(html).toContain('<title>Leaderboard</title>')
		expect(html).toContain('aria-current="page">Leaderboard</a>')
		expect(html).toContain('data-live="?tab=leaderboard"')
		const balance = names(html, 'board-balance')
		// Top 10 only: after the three, seven of the twelve viewers with 100 (ties in id order).
		expect(balance.slice(0, 3)).toEqual(['Alice 910 points', 'Carol 600 points', 'Bob 320 points'])
		expect(balance).toHaveLength(10)
		expect(balance.slice(3)).toEqual(['Extra1', 'Extra10', 'Extra11', 'Extra2', 'Extra3', 'Extra4', 'Extra5'].map((n) => `${n} 100 points`))
		expect(names(html, 'board-stream')).toEqual(['Bob 20 points', 'Alice 10 points'])
		expect(html).toContain('Earned in May 2026 (UTC)')
		expect(names(html, 'board-month')).toEqual(['Bob 20 points', 'Alice 10 points'])
		expect(html).toContain('<code>!top</code> in chat tells you your place. <code>!hide</code> takes you off the list')
		// The tab is in every page's tabs.
		expect(await page(bot, '/dashboard?username=Alice')).toContain('href="?tab=leaderboard&username=Alice"')

		await bot.chatReplies(alice, '!hide')
		const hidden = await page(bot, '/dashboard?tab=leaderboard')
		expect(hidden).not.toContain('>Alice<')
		expect(names(hidden, 'board-balance')[0]).toBe('Carol 600 points')
		expect(names(hidden, 'board-stream')).toEqual(['Bob 20 points'])
		await bot.chatReplies(alice, '!hide')
		expect(names(await page(bot, '/dashboard?tab=leaderboard'), 'board-balance')[0]).toBe('Alice 910 points')
	})

	test('empty lists say so; ignore_users are never listed', async () => {
		bot = await createTestBot({ env: rich })
		const empty = await page(bot, '/dashboard?tab=leaderboard')
		expect(empty).toContain('Nobody is on the leaderboard yet.')
		expect(empty).toContain('Nobody has earned points this stream yet.')
		expect(empty).toContain('Nobody has earned points this month yet.')
		await bot.chatReplies(alice, '!points')
		await bot.chatReplies({ id: 'other-bot', displayName: 'OtherBot' }, 'hi', 0)
		bot.reconfigure({ ignore_users: ['OtherBot'] })
		const html = await page(bot, '/dashboard?tab=leaderboard')
		expect(html).toContain('<span class="name">Alice</span>')
		expect(html).not.toContain('OtherBot')
	})
})

describe('how to earn, and the features in force', () => {
	test('the earning rules with their numbers, on the Redeems tab, the Dashboard tab and in passive mode', async () => {
		bot = await createTestBot()
		const plain = await page(bot, '/dashboard?tab=help')
		expect(plain).toContain('<h2 id="earning-title">How to earn points</h2>')
		expect(plain).toContain('Everyone in chat gets <strong>10 points every 10 minutes</strong> while the stream is live.')
		expect(plain).not.toContain('On top of that')
		expect(plain).not.toContain('class="rules"')

		bot.reconfigure({ points_amount_given: 7, points_cycle_time: 300, active_chatter_bonus: 3, first_chat_bonus: 25, streak_bonus: 50, streak_streams: 3 })
		const rules = [
			'<li>+3 points each cycle when you chatted since the last one.</li>',
			'<li>+25 for your first message of a stream.</li>',
			'<li>+50 when you were in each of the last 3 streams.</li>'
		]
		for (const path of ['/dashboard?tab=help', '/dashboard']) {
			const html = await page(bot, path)
			expect(html).toContain('Everyone in chat gets <strong>7 points every 5 minutes</strong> while the stream is live.')
			for (const rule of rules) expect(html).toContain(rule)
		}
		// Only the bonuses that are not 0; one stream makes "the last stream".
		bot.reconfigure({ active_chatter_bonus: 1, first_chat_bonus: 0, streak_streams: 1 })
		const some = await page(bot, '/dashboard?tab=help')
		expect(some).toContain('<li>+1 point each cycle when you chatted since the last one.</li>')
		expect(some).not.toContain('first message')
		expect(some).toContain('<li>+50 when you were in the last stream.</li>')

		bot.reconfigure({ passive: true })
		expect(await page(bot, '/dashboard')).toContain(
			'you earn points for watching (7 points every 5 minutes while the stream is live; +1 point each cycle when you chatted since the last one; +50 when you were in the last stream)'
		)
	})

	test('each switched-on feature in a sentence, with its numbers and command names', async () => {
		bot = await createTestBot()
		bot.reconfigure({ give_max_per_day: 250, give_min_earned: 40 })
		const help = await page(bot, '/dashboard?tab=help')
		const more = between(help, '<h2 id="more-title">', '</section>')
		expect(more).toContain('<strong>Predictions</strong>: when a moderator asks a question, bet on an answer with <code>!bet &lt;outcome&gt; &lt;points&gt;</code>')
		expect(more).toContain('<strong>Polls</strong>: spend points on an option with <code>!vote &lt;poll&gt; &lt;option&gt; &lt;points&gt;</code>; the points are spent')
		expect(more).toContain('<strong>Leaderboard</strong>: the <a href="?tab=leaderboard">Leaderboard</a> tab and <code>!top</code> show who has the most points; <code>!hide</code> takes you off the list')
		expect(more).toContain(
			'<strong>Giving</strong>: <code>!give &lt;viewer&gt; &lt;points&gt;</code> gives some of your points to another viewer, <span>up to 250 points a day, once you have earned 40 points by being in chat</span>.'
		)
		// The Dashboard tab's Points box names giving and the leaderboard (predictions and polls have their sections).
		const dashboard = between(await page(bot, '/dashboard'), '<h2 id="earn-title">', '</section>')
		expect(dashboard).toContain('up to 250 points a day, once you have earned 40 points by being in chat')
		expect(dashboard).toContain('<code>!hide</code> takes you off the list')
		bot.reconfigure({ give_min_earned: 0, commands: { give: 'gift' } })
		expect(await page(bot, '/dashboard?tab=help')).toContain('<code>!gift &lt;viewer&gt; &lt;points&gt;</code> gives some of your points to another viewer, <span>up to 250 points a day</span>.')
	})

	test('switched-off features disappear from the page, the help, the tabs and the API', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(mod, '!predict open Q? | yes | no')
		await bot.chatReplies(mod, '!poll open food Which? | pizza | soup')

		bot.reconfigure({ predictions_enabled: false })
		let html = await page(bot, '/dashboard')
		expect(html).not.toContain('prediction-title')
		expect(html).not.toContain('Q?')
		expect(html).toContain('polls-title')
		let help = await page(bot, '/dashboard?tab=help')
		expect(help).not.toContain('<strong>Predictions</strong>')
		expect(help).not.toContain('!bet')
		expect(help).toContain('<strong>Polls</strong>')
		let json = await api(bot)
		expect(json.features).toEqual({ predictions: false, polls: true, leaderboard: true, give: true })
		expect(json).not.toHaveProperty('prediction')

		bot.reconfigure({ polls_enabled: false, leaderboard_enabled: false, give_enabled: false })
		html = await page(bot, '/dashboard')
		expect(html).not.toContain('polls-title')
		expect(html).not.toContain('Which?')
		expect(html).not.toContain('Leaderboard')
		expect(html).not.toContain('!give')
		expect(html).not.toContain('tab=leaderboard')
		help = await page(bot, '/dashboard?tab=help')
		expect(help).not.toContain('more-title')
		for (const word of ['!vote', '!top', '!hide', '!give', 'Leaderboard']) expect(help).not.toContain(word)
		// ?tab=leaderboard falls back to the Dashboard tab.
		const fallback = await page(bot, '/dashboard?tab=leaderboard')
		expect(fallback).toContain('aria-current="page">Dashboard</a>')
		expect(fallback).not.toContain('board-balance')
		json = await api(bot)
		expect(json.features).toEqual({ predictions: false, polls: false, leaderboard: false, give: false })
		for (const key of ['prediction', 'polls', 'leaderboard', 'give']) expect(json).not.toHaveProperty(key)

		// Back on: the running prediction and the open poll show again.
		bot.reconfigure({ predictions_enabled: true, polls_enabled: true, leaderboard_enabled: true })
		html = await page(bot, '/dashboard')
		expect(html).toContain('<p class="question">Q?</p>')
		expect(html).toContain('<h3 id="poll-0-title">Which?</h3>')
		expect(html).toContain('href="?tab=leaderboard"')
	})
})

describe('hostile text', () => {
	// Chat strips tags from commands but decodes entities, so "&lt;b&gt;" typed in chat arrives as "<b>".
	test('questions, outcomes, poll names, options and viewer names are escaped everywhere', async () => {
		bot = await createTestBot({
			env: rich,
			redeemsToml: '[redeems.hug]\ntype = "list"\nprice = 1\n\n[polls.file_poll]\ninfo = "<svg onload=alert(4)>"\noptions = ["<em>x</em>", "y"]\n'
		})
		const evil: TestUser = { id: 'evil', displayName: '<img src=x onerror=alert(1)>' }
		await bot.chatReplies(mod, '!predict open &lt;script&gt;alert("q")&lt;/script&gt; | &lt;b&gt;yes&lt;/b&gt; | " onmouseover="alert(2)')
		await bot.chatReplies(evil, '!bet 1 10')
		await bot.chatReplies(mod, '!poll open &lt;i&gt;p&lt;/i&gt; &lt;script&gt;alert(3)&lt;/script&gt;? | &lt;u&gt;a&lt;/u&gt; | b')
		await bot.chatReplies(evil, '!vote &lt;i&gt;p&lt;/i&gt; 1 5')
		for (const path of ['/dashboard', '/dashboard?tab=help', '/dashboard?tab=leaderboard', '/dashboard?fragment=1']) {
			const html = await page(bot, path)
			for (const raw of ['<script>alert', '<img src=x', '<b>yes', '<i>p', '<u>a', '<svg', '<em>', '" onmouseover="']) expect(html).not.toContain(raw)
		}
		const dashboard = await page(bot, '/dashboard')
		expect(dashboard).toContain('<p class="question">&lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt;</p>')
		expect(dashboard).toContain('<span>1. &lt;b&gt;yes&lt;/b&gt;</span>')
		expect(dashboard).toContain('<span>2. &quot; onmouseover=&quot;alert(2)</span>')
		expect(dashboard).toContain('<h3 id="poll-0-title">&lt;svg onload=alert(4)&gt;</h3>')
		expect(dashboard).toContain('<span class="name">1. &lt;em&gt;x&lt;/em&gt;</span>')
		expect(dashboard).toContain('<h3 id="poll-1-title">&lt;script&gt;alert(3)&lt;/script&gt;?</h3>')
		expect(dashboard).toContain('Poll <code>&lt;i&gt;p&lt;/i&gt;</code>')
		expect(dashboard).toContain('<span class="name">1. &lt;u&gt;a&lt;/u&gt;</span>')
		expect(dashboard).toContain('<code>!vote &lt;i&gt;p&lt;/i&gt; &lt;option&gt; &lt;points&gt;</code>')
		const board = await page(bot, '/dashboard?tab=leaderboard')
		expect(board).toContain('<span class="name">&lt;img src=x onerror=alert(1)&gt;</span>')
		await bot.chatReplies(mod, '!predict lock')
		await bot.chatReplies(mod, '!predict resolve 1')
		const resolved = await page(bot, '/dashboard')
		expect(resolved).toContain('The answer: &lt;b&gt;yes&lt;/b&gt;.')
		expect(resolved).not.toContain('<b>yes')
	})
})

describe('GET /api/dashboard', () => {
	test('carries the prediction, the polls, the leaderboard, the earning rules and giving; names and points, no viewer ids', async () => {
		bot = await createTestBot({ env: rich })
		bot.reconfigure({ first_chat_bonus: 25 })
		await bot.chatReplies(mod, '!predict open Q? | yes | no')
		await bot.chatReplies(alice, '!bet yes 10')
		await bot.chatReplies(bob, '!bet no 40')
		await bot.chatReplies(mod, '!poll open food Which? | pizza | soup')
		await bot.chatReplies(alice, '!vote food pizza 5')
		const response = await get(bot, '/api/dashboard')
		const text = await response.text()
		for (const id of ['alice-id', 'bob-id', '"mod"']) expect(text).not.toContain(id)
		const json = JSON.parse(text) as Record<string, unknown>
		expect(json.features).toEqual({ predictions: true, polls: true, leaderboard: true, give: true })
		expect(json.earning).toEqual({ amount: 10, cycleSeconds: 600, activeChatterBonus: 0, firstChatBonus: 25, streakBonus: 0, streakStreams: 3 })
		expect(json.give).toEqual({ maxPerDay: 1000, minEarned: 100 })
		expect(json.prediction).toEqual({
			current: {
				question: 'Q?',
				status: 'open',
				closesAt: null,
				pool: 50,
				outcomes: [
					{ name: 'yes', pool: 10, bettors: 1, odds: 5 },
					{ name: 'no', pool: 40, bettors: 1, odds: 1.25 }
				]
			},
			last: null
		})
		expect(json.polls).toMatchObject({
			open: [{ name: 'food', question: 'Which?', total: 5, options: [{ name: 'pizza', points: 5, voters: 1 }, { name: 'soup', points: 0, voters: 0 }] }],
			closed: null
		})
		const leaderboard = json.leaderboard as Record<string, { name: string; points: number }[]>
		expect(leaderboard.balance).toEqual([
			{ name: 'Mod', points: 500 },
			{ name: 'Bob', points: 460 },
			{ name: 'Alice', points: 485 }
		].sort((a, b) => b.points - a.points))
		expect(leaderboard.stream).toEqual([])

		await bot.chatReplies(mod, '!predict lock')
		await bot.chatReplies(mod, '!predict resolve no')
		await bot.chatReplies(mod, '!poll close food')
		const after = await api(bot)
		expect(after.prediction).toMatchObject({ current: null, last: { question: 'Q?', status: 'resolved', winner: 'no', pool: 50 } })
		expect(after.polls).toMatchObject({ open: [], closed: { name: 'food', results: [{ option: 'pizza', points: 5, voters: 1 }, { option: 'soup', points: 0, voters: 0 }] } })
	})

	test('in passive mode the features are off and carry no data', async () => {
		bot = await createTestBot({ env: { TLAPBOT_PASSIVE: 'true' } })
		const json = await api(bot)
		expect(json.features).toEqual({ predictions: false, polls: false, leaderboard: false, give: false })
		for (const key of ['prediction', 'polls', 'leaderboard']) expect(json).not.toHaveProperty(key)
		expect(await page(bot, '/dashboard?tab=leaderboard')).not.toContain('Leaderboard')
	})
})
