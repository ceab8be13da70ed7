// The prediction and poll overlays (/overlay/prediction, /overlay/poll) through app.handle: the overlay key, the
// pages and their headers, the state they start from and re-read after each of their events
// (/overlay/api/prediction, /overlay/api/poll), a result shown for `duration` seconds and then gone, hostile text
// escaped, options; and the ready-to-paste URLs. In Chromium: test/events/overlays-browser.test.ts.
import { afterEach, describe, expect, test } from 'bun:test'
import { overlayKey } from '../../src/modules/events/routes.ts'
import { OVERLAY_CSP } from '../../src/modules/overlays/routes.tsx'
import type { PollState, PredictionState } from '../../src/modules/overlays/service.ts'
import { overlayUrls } from '../../src/modules/overlays/urls.ts'
import { useTempDirs } from '../helpers.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'

useTempDirs()

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const mod = { id: 'mod', displayName: 'Mod', moderator: true }
const alice = { id: 'alice', displayName: 'Alice' }
const bob = { id: 'bob', displayName: 'Bob' }
const carol = { id: 'carol', displayName: 'Carol' }
const rich = { TLAPBOT_STARTING_POINTS: '5000' }

const PAGES = ['/overlay/prediction', '/overlay/poll', '/overlay/poll?poll=food']
const STATES = ['/overlay/api/prediction', '/overlay/api/poll', '/overlay/api/poll?poll=food']

const withKey = (path: string, key: string) => `${path}${path.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}`
const get = (b: TestBot, path: string) => b.app.handle(new Request(`http://localhost${path}`))
const keyOf = (b: TestBot) => overlayKey(b.deps.settings().config)
const html = async (b: TestBot, path: string) => {
	const response = await get(b, withKey(path, keyOf(b)))
	expect({ path, status: response.status }).toEqual({ path, status: 200 })
	return response.text()
}
const predictionState = async (b: TestBot, query = '') =>
	(await (await get(b, withKey(`/overlay/api/prediction${query}`, keyOf(b)))).json()) as PredictionState
const pollState = async (b: TestBot, query = '') => (await (await get(b, withKey(`/overlay/api/poll${query}`, keyOf(b)))).json()) as PollState
/** A data-* attribute of the page's body. */
const bodyData = (page: string, name: string) => new RegExp(`<body[^>]* data-${name}="([^"]*)"`).exec(page)?.[1]
/** The panel's opening tag. */
const panelTag = (page: string, id: string) => new RegExp(`<section[^>]* id="${id}"[^>]*>`).exec(page)?.[0] ?? ''

/** A bot whose clock stands still until the test moves it. */
async function botAt(start = Date.parse('2025-05-01T18:00:00.000Z')) {
	let now = start
	const b = await createTestBot({ env: rich, clock: () => now })
	return { bot: b, advance: (ms: number) => void (now += ms), now: () => now }
}

describe('the overlay key', () => {
	test('the prediction and poll pages and states answer 401 without the key and with a wrong one', async () => {
		bot = await createTestBot()
		for (const path of [...PAGES, ...STATES]) {
			for (const url of [path, withKey(path, 'not-the-key'), withKey(path, ''), withKey(path, 'x'.repeat(500))]) {
				const response = await get(bot, url)
				expect({ url, status: response.status }).toEqual({ url, status: 401 })
			}
		}
		const refused = await get(bot, '/overlay/prediction?key=nope')
		expect(refused.headers.get('content-security-policy')).toBe(OVERLAY_CSP)
		const page = await refused.text()
		expect(page).toContain('Overlay key needed')
		expect(page).not.toContain('<script')
		expect(await (await get(bot, '/overlay/api/poll')).json()).toEqual({ error: 'a valid ?key= is needed (see `tlapbot overlay-urls`)' })
	})

	test('with the key: 200, HTML under the overlay CSP, not cached, no inline script or style, no key in the page', async () => {
		bot = await createTestBot()
		for (const path of PAGES) {
			const response = await get(bot, withKey(path, keyOf(bot)))
			expect({ path, status: response.status }).toEqual({ path, status: 200 })
			expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
			expect(response.headers.get('content-security-policy')).toBe(OVERLAY_CSP)
			expect(response.headers.get('cache-control')).toBe('no-store')
			expect(response.headers.get('referrer-policy')).toBe('no-referrer')
			const page = await response.text()
			expect(page.startsWith('<!doctype html>')).toBe(true)
			expect(page).not.toMatch(/<script(?![^>]*\bsrc=)/)
			expect(page).not.toMatch(/\sstyle=/)
			expect(page).not.toContain(keyOf(bot))
			expect(page).toContain('<script src="/overlay/assets/overlay.js" defer></script>')
		}
		for (const path of STATES) {
			const response = await get(bot, withKey(path, keyOf(bot)))
			expect(response.status).toBe(200)
			expect(response.headers.get('cache-control')).toBe('no-store')
		}
		// A new overlay_key refuses the old one at once.
		const old = keyOf(bot)
		bot.reconfigure({ overlay_key: 'a-fresh-overlay-key-for-obs-0123' })
		expect((await get(bot, withKey('/overlay/prediction', old))).status).toBe(401)
		expect((await get(bot, withKey('/overlay/api/poll', old))).status).toBe(401)
		expect((await get(bot, withKey('/overlay/poll', 'a-fresh-overlay-key-for-obs-0123'))).status).toBe(200)
	})
})

describe('the prediction overlay', () => {
	test('nothing running: the state says so and the panel is hidden', async () => {
		bot = await createTestBot()
		const state = await predictionState(bot)
		expect(state).toEqual({ eventId: bot.deps.stores.events.latestId(), now: expect.any(String), command: '!bet', prediction: null })
		const page = await html(bot, '/overlay/prediction')
		expect(panelTag(page, 'prediction')).toContain(' hidden')
		expect(page).toContain('class="overlay overlay-prediction at-right"')
	})

	test('open, bets, betting closed, resolved: the numbers are the bot’s, the answer shows for `duration`, then nothing', async () => {
		const at = await botAt()
		bot = at.bot
		await bot.chatReplies(mod, '!predict open 60 Q? | yes | no')
		await bot.chatReplies(alice, '!bet yes 10')
		await bot.chatReplies(bob, '!bet no 30')
		await bot.chatReplies(carol, '!bet 1 20')

		const open = await predictionState(bot)
		expect(open).toEqual({
			eventId: bot.deps.stores.events.latestId(),
			now: '2025-05-01T18:00:00.000Z',
			command: '!bet',
			prediction: {
				id: 1,
				question: 'Q?',
				status: 'open',
				closesAt: '2025-05-01T18:01:00.000Z',
				pool: 60,
				outcomes: [
					{ name: 'yes', pool: 30, bettors: 2, odds: 2, share: 0.5 },
					{ name: 'no', pool: 30, bettors: 1, odds: 2, share: 0.5 }
				],
				winner: null,
				winners: 0,
				refunded: false,
				settledAt: null,
				hideAt: null
			}
		})
		await bot.chatReplies(bob, '!bet no 20')
		expect((await predictionState(bot)).prediction?.outcomes.map((o) => [o.name, o.pool, o.odds, o.share])).toEqual([
			['yes', 30, 2.67, 0.375],
			['no', 50, 1.6, 0.625]
		])

		at.advance(37_000)
		let page = await html(bot, '/overlay/prediction')
		expect(panelTag(page, 'prediction')).not.toContain(' hidden')
		expect(panelTag(page, 'prediction')).toContain('class="panel economy prediction is-open"')
		expect(page).toContain('<h1 class="economy-question">Q?</h1>')
		expect(page).toContain('<p class="economy-status">Betting open (closes in 0:23)</p>')
		expect(page).toContain('<span class="item-name">yes</span><span class="item-side">1:2.67</span>')
		expect(page).toContain('<div class="bar-fill" data-share="0.375"></div>')
		expect(page).toContain('<span class="item-points">30 points · 2 viewers</span><span class="item-share">38%</span>')
		expect(page).toContain('<span class="item-points">50 points · 1 viewer</span><span class="item-share">63%</span>')
		expect(page).toContain('<p class="economy-hint">Bet with !bet &lt;outcome&gt; &lt;points&gt;</p>')

		// The window is over: betting closed, even before the timer (not running here) locks it.
		at.advance(23_000)
		expect((await predictionState(bot)).prediction?.status).toBe('locked')
		page = await html(bot, '/overlay/prediction')
		expect(page).toContain('<p class="economy-status">Betting closed</p>')
		expect(page).toContain('<p class="economy-hint" hidden>')

		at.advance(5000)
		await bot.chatReplies(mod, '!predict resolve yes')
		const resolved = await predictionState(bot)
		expect(resolved.prediction).toMatchObject({
			id: 1,
			status: 'resolved',
			winner: 'yes',
			pool: 80,
			winners: 2,
			refunded: false,
			settledAt: '2025-05-01T18:01:05.000Z',
			hideAt: '2025-05-01T18:01:20.000Z'
		})
		page = await html(bot, '/overlay/prediction')
		expect(panelTag(page, 'prediction')).toContain('is-resolved')
		expect(page).toContain('<p class="economy-status">Answer: yes</p>')
		expect(page).toContain('<p class="economy-result">80 points paid out to 2 viewers</p>')
		expect(page).toContain('<li class="economy-item winner">')
		expect(page).toContain('<li class="economy-item loser">')

		// For 15 seconds by default, or `duration`.
		at.advance(14_999)
		expect((await predictionState(bot)).prediction?.status).toBe('resolved')
		at.advance(1)
		expect((await predictionState(bot)).prediction).toBeNull()
		expect(panelTag(await html(bot, '/overlay/prediction'), 'prediction')).toContain(' hidden')
		expect((await predictionState(bot, '?duration=60')).prediction?.hideAt).toBe('2025-05-01T18:02:05.000Z')
		expect(bodyData(await html(bot, '/overlay/prediction?duration=60'), 'duration')).toBe('60')
	})

	test('nobody bet on the answer: refunded; cancelled: says so and what went back', async () => {
		const at = await botAt()
		bot = at.bot
		await bot.chatReplies(mod, '!predict open Will it rain? | yes | no | maybe')
		await bot.chatReplies(alice, '!bet no 25')
		let state = await predictionState(bot)
		expect(state.prediction?.closesAt).toBeNull()
		expect(state.prediction?.outcomes.map((o) => o.odds)).toEqual([null, 1, null])
		let page = await html(bot, '/overlay/prediction')
		expect(page).toContain('<p class="economy-status">Betting open</p>')
		expect(page).toContain('<span class="item-name">yes</span><span class="item-side">–</span>')
		await bot.chatReplies(mod, '!predict resolve maybe')
		state = await predictionState(bot)
		expect(state.prediction).toMatchObject({ status: 'resolved', winner: 'maybe', winners: 0, refunded: true, pool: 25 })
		expect(await html(bot, '/overlay/prediction')).toContain('<p class="economy-result">Nobody bet on maybe: 25 points refunded</p>')

		at.advance(1000)
		await bot.chatReplies(mod, '!predict open Again? | a | b')
		await bot.chatReplies(bob, '!bet a 40')
		await bot.chatReplies(mod, '!predict cancel')
		state = await predictionState(bot)
		expect(state.prediction).toMatchObject({ id: 2, status: 'cancelled', winner: null, refunded: true, pool: 40 })
		page = await html(bot, '/overlay/prediction')
		expect(page).toContain('<p class="economy-status">Prediction cancelled</p>')
		expect(page).toContain('<p class="economy-result">All 40 points refunded</p>')
		expect(bot.balance('bob')).toBe(5000)
	})

	test('a question and outcomes with markup are text in the page and JSON in the state', async () => {
		bot = await createTestBot({ env: rich })
		// Tags in chat are stripped; written as entities they come through as the characters.
		await bot.chatReplies(mod, '!predict open 90 &lt;script&gt;window.pwned=1&lt;/script&gt; "&amp;" | &lt;img src=x onerror=alert(1)&gt; | \'no\' &amp; "never"')
		const state = await predictionState(bot)
		expect(state.prediction?.question).toBe('<script>window.pwned=1</script> "&"')
		expect(state.prediction?.outcomes.map((o) => o.name)).toEqual(['<img src=x onerror=alert(1)>', `'no' & "never"`])
		const page = await html(bot, '/overlay/prediction')
		expect(page).toContain('<h1 class="economy-question">&lt;script&gt;window.pwned=1&lt;/script&gt; &quot;&amp;&quot;</h1>')
		expect(page).toContain('<span class="item-name">&lt;img src=x onerror=alert(1)&gt;</span>')
		expect(page).toContain('<span class="item-name">&#x27;no&#x27; &amp; &quot;never&quot;</span>')
		expect(page).not.toContain('<img')
		expect(page).not.toContain('<script>')
		// The title names no prediction: nothing from chat there.
		expect(page).toContain('<title>tlapbot overlay: Prediction</title>')
	})

	test('a renamed bet command is the one the hint names; hint=0 hides the hint; options', async () => {
		bot = await createTestBot({ env: rich })
		bot.reconfigure({ commands: { bet: 'wager' } })
		await bot.chatReplies(mod, '!predict open Q? | yes | no')
		expect((await predictionState(bot)).command).toBe('!wager')
		expect(await html(bot, '/overlay/prediction')).toContain('<p class="economy-hint">Bet with !wager &lt;outcome&gt; &lt;points&gt;</p>')
		const quiet = await html(bot, '/overlay/prediction?hint=0&position=top-left&size=44&width=800&accent=f59e0b&background=transparent&sound=1')
		expect(quiet).toContain('<p class="economy-hint" hidden>')
		expect(quiet).toContain('class="overlay overlay-prediction at-top-left"')
		expect([bodyData(quiet, 'hint'), bodyData(quiet, 'size'), bodyData(quiet, 'width'), bodyData(quiet, 'accent'), bodyData(quiet, 'sound')]).toEqual([
			'0',
			'44',
			'800',
			'#f59e0b',
			'1'
		])
		const plain = await html(bot, '/overlay/prediction')
		expect([bodyData(plain, 'hint'), bodyData(plain, 'size'), bodyData(plain, 'width'), bodyData(plain, 'duration')]).toEqual(['1', '30', '640', '15'])
		// Bad values keep the defaults.
		const bad = await html(bot, '/overlay/prediction?duration=-1&width=5&size=x&position=nowhere')
		expect([bodyData(bad, 'duration'), bodyData(bad, 'width'), bodyData(bad, 'size')]).toEqual(['15', '640', '30'])
		expect(bad).toContain('at-right"')
	})
})

describe('the poll overlay', () => {
	test('the newest open poll, or one by name; votes count; closed: the results for `duration`, then nothing', async () => {
		const at = await botAt()
		bot = at.bot
		expect((await pollState(bot)).poll).toBeNull()
		const empty = await html(bot, '/overlay/poll')
		expect(panelTag(empty, 'poll')).toContain(' hidden')
		expect(empty).toContain('class="overlay overlay-poll at-left"')

		await bot.chatReplies(mod, '!poll open food Which? | pizza | soup')
		await bot.chatReplies(alice, '!vote food pizza 5')
		await bot.chatReplies(bob, '!vote food 2 15')
		await bot.chatReplies(alice, '!vote food pizza 10')
		const food = {
			name: 'food',
			question: 'Which?',
			status: 'open' as const,
			options: [
				{ name: 'pizza', points: 15, voters: 1, share: 0.5 },
				{ name: 'soup', points: 15, voters: 1, share: 0.5 }
			],
			total: 30,
			closedAt: null,
			hideAt: null
		}
		expect(await pollState(bot)).toEqual({ eventId: bot.deps.stores.events.latestId(), now: '2025-05-01T18:00:00.000Z', command: '!vote', asked: null, poll: food })
		expect((await pollState(bot, '?poll=FOOD')).poll).toEqual(food)
		expect((await pollState(bot, '?poll=FOOD')).asked).toBe('FOOD')

		let page = await html(bot, '/overlay/poll?poll=food')
		expect(bodyData(page, 'subject')).toBe('food')
		expect(panelTag(page, 'poll')).toContain('class="panel economy poll is-open"')
		expect(page).toContain('<h1 class="economy-question">Which?</h1>')
		expect(page).toContain('<span class="item-name">pizza</span><span class="item-side">#1</span>')
		expect(page).toContain('<span class="item-points">15 points · 1 viewer</span><span class="item-share">50%</span>')
		expect(page).toContain('<p class="economy-status">30 points in all</p>')
		expect(page).toContain('<p class="economy-hint">Vote with !vote food &lt;option&gt; &lt;points&gt;</p>')

		// A newer poll takes the plain address; the named one stays.
		at.advance(1000)
		await bot.chatReplies(mod, '!poll open drinks Tea or coffee? | tea | coffee')
		await bot.chatReplies(carol, '!vote drinks coffee 7')
		expect((await pollState(bot)).poll?.name).toBe('drinks')
		expect((await pollState(bot, '?poll=food')).poll?.name).toBe('food')
		// A poll nobody opened yet: nothing, until it opens.
		expect((await pollState(bot, '?poll=later')).poll).toBeNull()
		expect(panelTag(await html(bot, '/overlay/poll?poll=later'), 'poll')).toContain(' hidden')

		at.advance(1000)
		await bot.chatReplies(mod, '!poll close drinks')
		const closed = await pollState(bot)
		expect(closed.poll).toEqual({
			name: 'drinks',
			question: 'Tea or coffee?',
			status: 'closed',
			options: [
				{ name: 'tea', points: 0, voters: 0, share: 0 },
				{ name: 'coffee', points: 7, voters: 1, share: 1 }
			],
			total: 7,
			closedAt: '2025-05-01T18:00:02.000Z',
			hideAt: '2025-05-01T18:00:17.000Z'
		})
		page = await html(bot, '/overlay/poll')
		expect(panelTag(page, 'poll')).toContain('is-closed')
		expect(page).toContain('<p class="economy-status">Poll closed: coffee wins with 7 points</p>')
		expect(page).toContain('<p class="economy-hint" hidden>')
		expect(page).toContain('<li class="economy-item winner">')
		// Then the older poll still open comes back to the plain address.
		at.advance(15_000)
		expect((await pollState(bot)).poll?.name).toBe('food')

		// Closing the poll asked for by name: its results, for `duration`.
		await bot.chatReplies(mod, '!poll close food')
		expect((await pollState(bot, '?poll=food')).poll).toMatchObject({ status: 'closed', total: 30 })
		expect(await html(bot, '/overlay/poll?poll=food')).toContain('<p class="economy-status">Poll closed: pizza and soup tie with 15 points each</p>')
		at.advance(5000)
		expect((await pollState(bot, '?poll=food&duration=5')).poll).toBeNull()
		expect((await pollState(bot, '?poll=food')).poll?.status).toBe('closed')
		at.advance(10_000)
		expect((await pollState(bot, '?poll=food')).poll).toBeNull()
		expect((await pollState(bot)).poll).toBeNull()
	})

	test('the polls of redeems.toml show too; a closed poll with no votes says so', async () => {
		const at = await botAt()
		bot = at.bot
		bot.deps.polls.sync([{ name: 'favourite_food', question: 'Which food?', options: ['pizza', 'soup'] }], at.now())
		expect((await pollState(bot)).poll).toMatchObject({ name: 'favourite_food', question: 'Which food?', total: 0 })
		await bot.chatReplies(mod, '!poll close favourite_food')
		expect(await html(bot, '/overlay/poll?poll=favourite_food')).toContain('<p class="economy-status">Poll closed: no votes</p>')
	})

	test('a poll name, question and options with markup are text in the page', async () => {
		bot = await createTestBot({ env: rich })
		// A poll's name is one word: it can hold quotes and markup.
		await bot.chatReplies(mod, '!poll open &lt;b&gt;"x"onmouseover=alert(1)&lt;/b&gt; &lt;script&gt;window.pwned=1&lt;/script&gt;? | &lt;img src=x onerror=alert(1)&gt; | "a" &amp; \'b\'')
		const name = '<b>"x"onmouseover=alert(1)</b>'
		const state = await pollState(bot, `?poll=${encodeURIComponent(name)}`)
		expect(state.poll?.name).toBe(name)
		expect(state.poll?.question).toBe('<script>window.pwned=1</script>?')
		const page = await html(bot, `/overlay/poll?poll=${encodeURIComponent(name)}`)
		expect(page).toContain('<title>tlapbot overlay: Poll &lt;b&gt;&quot;x&quot;onmouseover=alert(1)&lt;/b&gt;</title>')
		// In attribute values the quotes are escaped (a < or > in a quoted value is only text).
		expect(bodyData(page, 'subject')).toBe('<b>&#34;x&#34;onmouseover=alert(1)</b>')
		expect(page).toContain('data-poll="<b>&#34;x&#34;onmouseover=alert(1)</b>"')
		expect(page).toContain('<h1 class="economy-question">&lt;script&gt;window.pwned=1&lt;/script&gt;?</h1>')
		expect(page).toContain('<span class="item-name">&lt;img src=x onerror=alert(1)&gt;</span>')
		expect(page).toContain('<span class="item-name">&quot;a&quot; &amp; &#x27;b&#x27;</span>')
		expect(page).toContain('<p class="economy-hint">Vote with !vote &lt;b&gt;&quot;x&quot;onmouseover=alert(1)&lt;/b&gt; &lt;option&gt; &lt;points&gt;</p>')
		expect(page).not.toContain('<img')
		expect(page).not.toContain('<script>')
		// Outside attribute values, no tag from chat.
		expect(page.replace(/"[^"]*"/g, '""')).not.toContain('<b>')
	})
})

describe('the ready-to-paste URLs', () => {
	test('a prediction URL, a poll URL for the newest open poll, and one per poll of redeems.toml when given', () => {
		const config = { overlay_key: 'my-own-overlay-key-1234', secret_key: 'x'.repeat(32) }
		const urls = overlayUrls(config, 'https://bot.example.com', { counters: [], milestones: [], polls: ['favourite_food', 'a b'] })
		expect(urls).toContainEqual({ title: 'Prediction (the open prediction, then its answer)', url: 'https://bot.example.com/overlay/prediction?key=my-own-overlay-key-1234' })
		expect(urls).toContainEqual({ title: 'Poll (the newest open poll, then its results)', url: 'https://bot.example.com/overlay/poll?key=my-own-overlay-key-1234' })
		expect(urls).toContainEqual({ title: 'Poll: favourite_food', url: 'https://bot.example.com/overlay/poll?key=my-own-overlay-key-1234&poll=favourite_food' })
		expect(urls).toContainEqual({ title: 'Poll: a b', url: 'https://bot.example.com/overlay/poll?key=my-own-overlay-key-1234&poll=a%20b' })
		// The event stream stays last; without poll names, no per-poll URL.
		expect(urls.at(-1)?.title).toBe('Event stream (Server-Sent Events, for other tools)')
		expect(overlayUrls(config, 'https://bot.example.com', { counters: [], milestones: [] }).filter((u) => u.title.startsWith('Poll: '))).toEqual([])
	})

	test('the URLs the admin page and `tlapbot overlay-urls` print work as printed', async () => {
		bot = await createTestBot()
		for (const { url } of overlayUrls(bot.deps.settings().config, 'http://127.0.0.1:8000', { counters: [], milestones: [], polls: ['food'] })) {
			const parsed = new URL(url)
			if (parsed.pathname.startsWith('/overlay/')) expect({ url, status: (await get(bot, `${parsed.pathname}${parsed.search}`)).status }).toEqual({ url, status: 200 })
		}
	})
})
