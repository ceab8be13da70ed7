import { afterEach, describe, expect, test } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const get = (b: TestBot, path: string, headers: Record<string, string> = {}) =>
	b.app.handle(new Request(`http://localhost${path}`, { headers }))
const page = async (b: TestBot, path: string) => {
	const response = await get(b, path)
	expect(response.status).toBe(200)
	return response.text()
}

const alice = { id: 'alice-id', displayName: 'Alice' }
const rich = { TLAPBOT_STARTING_POINTS: '5000' }

describe('GET /dashboard', () => {
	test('shows counters first, then milestones, then recent redeems newest first', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!lurk')
		await bot.chatReplies(alice, '!go_nap 250')
		await bot.chatReplies(alice, '!hydrate')
		await bot.chatReplies(alice, '!react first note')
		const html = await page(bot, '/dashboard')
		expect(html).toStartWith('<!doctype html>')
		const counters = html.indexOf('Counters')
		const milestones = html.indexOf('Milestones')
		const recent = html.indexOf('Recent redeems')
		expect(counters).toBeGreaterThan(0)
		expect(milestones).toBeGreaterThan(counters)
		expect(recent).toBeGreaterThan(milestones)
		expect(html).toContain('<span class="name">lurk</span><span class="count">1</span>')
		expect(html).toContain('250 / 1000')
		expect(html).toContain('<progress max="1000" value="250">')
		expect(html.indexOf('first note')).toBeLessThan(html.indexOf('>hydrate<'))
		expect(html).toContain('>Alice<')
		// Times are ISO in the markup, with a UTC fallback text.
		expect(html).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time>/)
	})

	test('tabs are plain links that keep the viewer parameters', async () => {
		bot = await createTestBot({ env: rich })
		const html = await page(bot, '/dashboard?username=Alice&userId=alice-id')
		expect(html).toContain('href="?tab=queue&username=Alice&userId=alice-id"')
		expect(html).toContain('href="?tab=help&username=Alice&userId=alice-id"')
		expect(html).toContain('aria-current="page">Dashboard</a>')
	})

	test('the queue tab lists the whole queue oldest first; the help tab lists active redeems', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!hydrate')
		await bot.chatReplies(alice, '!request level 2')
		const queue = await page(bot, '/dashboard?tab=queue')
		expect(queue).toContain('2 entries, pending first, oldest first')
		expect(queue.indexOf('>hydrate<')).toBeLessThan(queue.indexOf('>request<'))
		const help = await page(bot, '/dashboard?tab=help')
		expect(help).toContain('How redeems work')
		expect(help).toContain('!react &lt;note&gt;')
		expect(help).toContain('200 points')
		expect(help).toContain('!go_nap &lt;points&gt;')
		expect(help).toContain('goal 1000')
		expect(help).toContain('Attach link to a video for me to react to.')
		expect(help).not.toContain('!inactive')
	})

	test('every piece of user text is escaped', async () => {
		bot = await createTestBot({
			env: rich,
			redeemsToml: '[redeems.hack]\ntype = "note"\nprice = 1\ninfo = "<img src=x onerror=alert(1)>"\n'
		})
		const evil = { id: 'evil', displayName: '<script>alert("name")</script>' }
		await bot.chatReplies(evil, '!hack <script>alert(1)</script> " onmouseover="alert(2)')
		for (const path of ['/dashboard', '/dashboard?tab=queue', '/dashboard?tab=help', `/dashboard?userId=evil`]) {
			const html = await page(bot, path)
			expect(html).not.toContain('<script>alert')
			expect(html).not.toContain('<img src=x')
			expect(html).not.toContain('" onmouseover="')
		}
		const queue = await page(bot, '/dashboard?tab=queue')
		expect(queue).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot; onmouseover=&quot;alert(2)')
		expect(queue).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;')
		expect(await page(bot, '/dashboard?tab=help')).toContain('&lt;img src=x onerror=alert(1)&gt;')
	})

	test("the viewer's balance: by userId, by an unambiguous name, ambiguous names, unknown viewers", async () => {
		bot = await createTestBot()
		await bot.chat(alice, 'hi')
		await bot.chat({ id: 'twin1', displayName: 'Twin' }, 'hi')
		await bot.chat({ id: 'twin2', displayName: 'Twin' }, 'hi')
		expect(await page(bot, '/dashboard?userId=alice-id')).toContain('<strong>Alice</strong>: <span class="points">10</span> points')
		expect(await page(bot, '/dashboard?username=Alice')).toContain('<span class="points">10</span> points')
		// userId wins over a name.
		expect(await page(bot, '/dashboard?userId=twin1&username=Alice')).toContain('<strong>Twin</strong>')
		expect(await page(bot, '/dashboard?username=Twin')).toContain('Several viewers are called <strong>Twin</strong>')
		for (const path of ['/dashboard?username=Nobody', '/dashboard?userId=nope', '/dashboard', '/dashboard?username=']) {
			expect(await page(bot, path)).not.toContain('id="balance"')
		}
		// Owncast appends with URLSearchParams.append, so a parameter can come twice.
		expect(await page(bot, '/dashboard?username=Alice&username=Alice')).toContain('<span class="points">10</span> points')
	})

	test('passive mode shows a disclaimer instead of redeems and offers no help tab', async () => {
		bot = await createTestBot({ env: { TLAPBOT_PASSIVE: 'true' } })
		await bot.chat(alice, 'hi')
		const html = await page(bot, '/dashboard?tab=help&username=Alice')
		expect(html).toContain('passive mode')
		expect(html).not.toContain('Redeems help')
		expect(html).not.toContain('How redeems work')
		expect(html).toContain('<span class="points">10</span> points')
	})

	test('can be framed by Owncast: no X-Frame-Options, frame-ancestors *', async () => {
		bot = await createTestBot()
		const response = await get(bot, '/dashboard')
		expect(response.headers.get('x-frame-options')).toBeNull()
		expect(response.headers.get('content-security-policy')).toContain('frame-ancestors *')
		expect(response.headers.get('content-type')).toStartWith('text/html')
	})

	test('10,000 queue entries are paginated, with a link to show more', async () => {
		bot = await createTestBot()
		await bot.chat(alice, 'hi')
		const insert = bot.db.query(
			"INSERT INTO redemptions (redeem, redeem_type, viewer_id, cost, note, created_at) VALUES ('request', 'note', 'alice-id', 0, ?, ?)"
		)
		bot.db.transaction(() => {
			for (let i = 0; i < 10_000; i++) insert.run(`note ${i}`, new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString())
		})()
		const first = await page(bot, '/dashboard?tab=queue')
		expect(first).toContain('10000 entries, pending first, oldest first; page 1 of 100')
		expect(first).toContain('>note 0<')
		expect(first).toContain('>note 99<')
		expect(first).not.toContain('>note 100<')
		// Show more follows a cursor, so it works without the script and costs the same on every page.
		expect(first).toMatch(/href="\?tab=queue&after=[\w-]+">Show more<\/a>/)
		const last = await page(bot, '/dashboard?tab=queue&page=100')
		expect(last).toContain('>note 9999<')
		expect(last).not.toContain('Show more')
		// The dashboard tab shows only the newest few.
		const dashboard = await page(bot, '/dashboard')
		expect(dashboard.match(/class="entry"/g)).toHaveLength(20)
		expect(dashboard).toContain('>note 9999<')
		// Nonsense page numbers fall back to a real page.
		expect(await page(bot, '/dashboard?tab=queue&page=abc')).toContain('page 1 of 100')
		expect(await page(bot, '/dashboard?tab=queue&page=0')).toContain('page 1 of 100')
		// Deeper than 100 pages needs the cursor (test/hardening/dashboard-bounds.test.ts).
		expect((await get(bot, '/dashboard?tab=queue&page=99999')).status).toBe(400)
	})

	test('live updates: the fragment answers 304 until something changes', async () => {
		bot = await createTestBot({ env: rich })
		const full = await page(bot, '/dashboard')
		const etag = /data-etag="&quot;([^&]+)&quot;"/.exec(full)?.[1]
		expect(etag).toBeString()
		const unchanged = await get(bot, '/dashboard?tab=dashboard&fragment=1', { 'if-none-match': `"${etag}"` })
		expect(unchanged.status).toBe(304)
		await bot.chatReplies(alice, '!lurk')
		const changed = await get(bot, '/dashboard?tab=dashboard&fragment=1', { 'if-none-match': `"${etag}"` })
		expect(changed.status).toBe(200)
		const fragment = await changed.text()
		expect(fragment).not.toContain('<html')
		expect(fragment).toContain('<span class="count">1</span>')
	})

	test('the stylesheet and script are served from the bot itself', async () => {
		bot = await createTestBot()
		const css = await get(bot, '/dashboard/assets/style.css')
		expect(css.headers.get('content-type')).toStartWith('text/css')
		expect(await css.text()).toContain('prefers-color-scheme: dark')
		const js = await get(bot, '/dashboard/assets/dashboard.js')
		expect(js.headers.get('content-type')).toStartWith('text/javascript')
		expect(await js.text()).toContain('if-none-match')
		const html = await page(bot, '/dashboard')
		expect(html).not.toMatch(/(src|href)="(https?:)?\/\//)
	})
})

describe('the Redeems tab and how points work', () => {
	test('the Redeems tab (id help) holds the store, hidden until its script shows it, with the prefix and current command names', async () => {
		bot = await createTestBot({ env: { ...rich, TLAPBOT_PREFIX: '?' } })
		bot.reconfigure({ commands: { store: 'shop', link: 'code' } })
		const html = await page(bot, '/dashboard?tab=help')
		expect(html).toContain('aria-current="page">Redeems</a>')
		expect(html).toContain('<title>Redeems</title>')
		expect(html).toMatch(/<section id="store" class="store" aria-label="Redeem on this page" hidden data-prefix="\?" data-link-command="code" data-store-command="shop"><\/section>/)
		expect(html).toContain('<script src="/dashboard/assets/store.js" defer></script>')
		// The help itself is unchanged, after the store.
		expect(html.indexOf('id="store"')).toBeLessThan(html.indexOf('How redeems work'))
		// The other tabs have no store.
		for (const path of ['/dashboard', '/dashboard?tab=queue']) {
			const other = await page(bot, path)
			expect(other).not.toContain('id="store"')
			expect(other).not.toContain('store.js')
		}
	})

	test('a login link from !store opens the Redeems tab; its token is in no link of the page', async () => {
		bot = await createTestBot({ env: rich })
		const token = 'a'.repeat(43)
		const html = await page(bot, `/dashboard?login=${token}&username=Alice`)
		expect(html).toContain('aria-current="page">Redeems</a>')
		expect(html).toContain('id="store"')
		expect(html).not.toContain(token)
		// An explicit tab wins.
		expect(await page(bot, `/dashboard?tab=queue&login=${token}`)).toContain('aria-current="page">Redeem queue</a>')
	})

	test('the help examples use the first note and milestone redeems of redeems.toml', async () => {
		bot = await createTestBot({
			redeemsToml: '[redeems.hug]\ntype = "list"\nprice = 1\n\n[redeems.shout]\ntype = "note"\nprice = 5\n\n[redeems.pizza]\ntype = "milestone"\ngoal = 100\n'
		})
		const html = await page(bot, '/dashboard?tab=help')
		expect(html).toContain('<code>!shout your message</code>')
		expect(html).toContain('<code>!pizza 50</code>')
		expect(html).not.toContain('!redeem ')
		bot.close()
		bot = await createTestBot({ redeemsToml: '[redeems.hug]\ntype = "list"\nprice = 1\n' })
		const plain = await page(bot, '/dashboard?tab=help')
		expect(plain).toContain('Like a list redeem, with a message after the command.')
		expect(plain).toContain('A goal everyone donates to, any amount after the command.')
	})

	test('the Dashboard tab says how points are earned and spent, from config.toml, also for an unknown visitor', async () => {
		bot = await createTestBot()
		bot.reconfigure({ points_amount_given: 5, points_cycle_time: 3600 })
		for (const path of ['/dashboard', '/dashboard?username=Nobody']) {
			const html = await page(bot, path)
			expect(html).toContain('Everyone in chat gets <strong>5 points every hour</strong> while the stream is live.')
			expect(html).toMatch(/Spend them on the <a href="\?tab=help[^"]*">Redeems<\/a> tab/)
			expect(html).toContain('<code>!hydrate</code>')
			expect(html).toContain('<code>!points</code> in chat tells you your balance.')
		}
		bot.reconfigure({ points_amount_given: 1, points_cycle_time: 90, commands: { points: 'balance' } })
		const html = await page(bot, '/dashboard')
		expect(html).toContain('<strong>1 point every 90 seconds</strong>')
		expect(html).toContain('<code>!balance</code> in chat tells you your balance.')
	})

	test('in passive mode the notice says what viewers earn, and there is no store', async () => {
		bot = await createTestBot({ env: { TLAPBOT_PASSIVE: 'true' } })
		const html = await page(bot, '/dashboard?tab=help')
		expect(html).toContain('you earn points for watching (10 points every 10 minutes while the stream is live)')
		expect(html).not.toContain('id="store"')
	})

	test('the store script is served from the bot and builds its DOM without innerHTML', async () => {
		bot = await createTestBot()
		const js = await get(bot, '/dashboard/assets/store.js')
		expect(js.status).toBe(200)
		expect(js.headers.get('content-type')).toStartWith('text/javascript')
		const text = await js.text()
		expect(text).toContain('/api/store/signin/collect')
		const code = text.replace(/^\s*\/\/.*$/gm, '')
		const unsafe = code.match(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/g)
		expect(unsafe).toBeNull()
	})
})

describe('GET /api/dashboard', () => {
	test('returns counters, milestones, a queue page, active redeems and passive', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!react <b>hi</b>')
		await bot.chatReplies(alice, '!lurk')
		await settle(bot)
		const response = await get(bot, '/api/dashboard?userId=alice-id')
		expect(response.headers.get('content-type')).toStartWith('application/json')
		const json = (await response.json()) as Record<string, unknown>
		expect(json.passive).toBe(false)
		expect(json.counters).toEqual([{ name: 'lurk', count: 1 }])
		expect(json.milestones).toEqual([{ name: 'go_nap', progress: 0, goal: 1000, completed: false }])
		expect(json.queue).toMatchObject({ total: 1, page: 1, pages: 1, entries: [{ redeem: 'react', note: '<b>hi</b>', viewerName: 'Alice', status: 'pending' }] })
		expect((json.redeems as { name: string }[]).map((r) => r.name)).toEqual(['hydrate', 'lurk', 'react', 'request', 'go_nap'])
		expect(json.balance).toEqual({ kind: 'known', name: 'Alice', points: 4799 })
	})

	test('in passive mode it has no redeems and no queue', async () => {
		bot = await createTestBot({ env: { TLAPBOT_PASSIVE: 'true' } })
		const json = (await (await get(bot, '/api/dashboard')).json()) as Record<string, unknown>
		expect(json.passive).toBe(true)
		expect(json.redeems).toEqual([])
		expect(json.queue).toMatchObject({ entries: [], total: 0 })
	})
})

describe('rendered page cache', () => {
	test('a change by another process (another connection) or a reload shows at once', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chatReplies(alice, '!lurk')
		expect(await page(bot, '/dashboard')).toContain('<span class="count">1</span>')
		// Same request again: served from the cache, same content.
		expect(await page(bot, '/dashboard')).toContain('<span class="count">1</span>')
		const { Database } = await import('bun:sqlite')
		const other = new Database(bot.deps.settings().config.databasePath)
		other.run("UPDATE counters SET count = 7 WHERE name = 'lurk'")
		other.close()
		expect(await page(bot, '/dashboard')).toContain('<span class="count">7</span>')
		const redeemsFile = join(bot.dir, 'redeems.toml')
		writeFileSync(redeemsFile, readFileSync(redeemsFile, 'utf8').replace(/\[redeems\.lurk\][^[]*/, ''))
		expect(bot.deps.runtime.reload('test')).toBe(true)
		expect(await page(bot, '/dashboard')).not.toContain('>lurk<')
	})
})

describe('file order', () => {
	const ORDERED = `
[redeems.zebra]
type = "counter"
price = 1

[redeems.yak_goal]
type = "milestone"
goal = 100

[redeems.apple]
type = "counter"
price = 1

[redeems.mango]
type = "list"
price = 1

[redeems.ant_goal]
type = "milestone"
goal = 50
`
	const order = (html: string, names: string[]) => names.map((n) => html.indexOf(`>${n}<`))

	test('counters, milestones and redeems follow redeems.toml, not the alphabet, on every page and in the API', async () => {
		bot = await createTestBot({ redeemsToml: ORDERED })
		const api = (await (await get(bot, '/api/dashboard')).json()) as Record<string, { name: string }[]>
		expect(api.counters?.map((c) => c.name)).toEqual(['zebra', 'apple'])
		expect(api.milestones?.map((m) => m.name)).toEqual(['yak_goal', 'ant_goal'])
		expect(api.redeems?.map((r) => r.name)).toEqual(['zebra', 'yak_goal', 'apple', 'mango', 'ant_goal'])
		const dashboard = await page(bot, '/dashboard')
		const counters = order(dashboard, ['zebra', 'apple'])
		expect(counters.every((i) => i > 0) && counters[0]! < counters[1]!).toBe(true)
		const milestones = order(dashboard, ['yak_goal', 'ant_goal'])
		expect(milestones.every((i) => i > 0) && milestones[0]! < milestones[1]!).toBe(true)
		// The list of redeems, after the examples of "How redeems work" (which name the first milestone).
		const helpPage = (await page(bot, '/dashboard?tab=help')).split('id="redeems-title"')[1] as string
		const help = ['zebra', 'yak_goal', 'apple', 'mango', 'ant_goal'].map((n) => helpPage.indexOf(`>!${n}`))
		expect(help.every((i) => i > 0)).toBe(true)
		expect([...help].sort((a, b) => a - b)).toEqual(help)
	})
})

describe('queue cursors', () => {
	test('next is a cursor while more entries follow and null at the end, in the API and on the page', async () => {
		bot = await createTestBot()
		await bot.chat(alice, 'hi')
		const insert = bot.db.query(
			"INSERT INTO redemptions (redeem, redeem_type, viewer_id, cost, note, created_at) VALUES ('request', 'note', 'alice-id', 0, ?, ?)"
		)
		bot.db.transaction(() => {
			for (let i = 0; i < 101; i++) insert.run(`note ${i}`, new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString())
		})()
		type Queue = { entries: { note: string }[]; page: number | null; next: string | null }
		const queueOf = async (path: string) => ((await (await get(bot!, path)).json()) as { queue: Queue }).queue
		const first = await queueOf('/api/dashboard')
		expect(first.entries).toHaveLength(100)
		expect(first.next).toMatch(/^[\w-]+$/)
		const second = await queueOf(`/api/dashboard?after=${first.next}`)
		expect(second).toEqual({ ...second, page: null, next: null })
		expect(second.entries.map((e) => e.note)).toEqual(['note 100'])
		const html = await page(bot, `/dashboard?tab=queue&after=${first.next}`)
		expect(html).toContain('>note 100<')
		expect(html).toContain('href="?tab=queue">First page</a>')
		expect(html).not.toContain('Show more')
		// Live updates refresh the same place in the queue.
		expect(html).toContain(`data-live="?tab=queue&after=${first.next}"`)
		// A queue that fits one page has no cursor.
		bot.db.run('DELETE FROM redemptions WHERE id > 50')
		expect((await queueOf('/api/dashboard')).next).toBeNull()
	})
})
