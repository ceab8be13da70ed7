// The public dashboard's work and memory are bounded whatever the query: deep queue pages go by cursor, deep
// page numbers are refused, values that cannot be a viewer are ignored, and the page cache has a byte budget.
import { afterEach, describe, expect, test } from 'bun:test'
import { createPageCache, dashboardRoutes } from '../../src/modules/dashboard/routes.tsx'
import { encodeCursor } from '../../src/modules/dashboard/service.ts'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

type Handler = { handle(request: Request): Promise<Response> }
const get = (app: Handler, path: string) => app.handle(new Request(`http://localhost${path}`))

type QueueJson = { entries: { id: number; status: string; viewerName: string }[]; total: number; page: number | null; next: string | null }
const api = async (app: Handler, path: string) => {
	const response = await get(app, path)
	expect(response.status).toBe(200)
	return ((await response.json()) as { queue: QueueJson }).queue
}

const STATUSES = ['pending', 'fulfilled', 'pending', 'rejected', 'pending', 'cancelled'] as const

/**
 * n redemptions by 5 viewers, straight into the database: mixed statuses, ids out of time order, runs of equal
 * times (so the id decides), and some archived entries that must never show.
 */
function seedQueue(b: TestBot, n: number, note: (i: number) => string | null = () => null) {
	const viewer = b.db.query("INSERT INTO viewers (id, display_name, balance, created_at, seen_at) VALUES (?, ?, 0, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')")
	const insert = b.db.query(
		'INSERT INTO redemptions (redeem, redeem_type, viewer_id, cost, note, status, created_at, resolved_at, cleared_at) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?)'
	)
	b.db.transaction(() => {
		for (let v = 0; v < 5; v++) viewer.run(`v${v}`, `Viewer ${v}`)
		for (let i = 0; i < n; i++) {
			// A permutation of 0..n-1 (7919 is prime): later ids are often older.
			const slot = (i * 7919) % n
			const created = new Date(Date.UTC(2026, 0, 1) + Math.floor(slot / 3) * 1000).toISOString()
			const status = STATUSES[i % STATUSES.length]!
			const cleared = i % 50 === 0 ? '2026-02-01T00:00:00.000Z' : null
			insert.run('request', 'note', `v${i % 5}`, note(i), status, created, status === 'pending' ? null : created, cleared)
		}
	})()
}

const queueOrder = (b: TestBot) =>
	b.db
		.query<{ id: number }, []>("SELECT id FROM redemptions WHERE cleared_at IS NULL ORDER BY status != 'pending', created_at, id")
		.all()
		.map((r) => r.id)

const entryIds = (html: string) => [...html.matchAll(/<span class="status status-\w+">#(\d+) /g)].map((m) => Number(m[1]))
const showMore = (html: string) => /<a href="([^"]+)">Show more<\/a>/.exec(html)?.[1]?.replaceAll('&amp;', '&')

describe('queue paging by cursor', () => {
	test('walking /api/dashboard with ?after= returns every entry exactly once, in queue order', async () => {
		bot = await createTestBot()
		seedQueue(bot, 3000)
		const expected = queueOrder(bot)
		expect(expected.length).toBe(2940)
		const seen: number[] = []
		let queue = await api(bot.app, '/api/dashboard')
		expect(queue).toMatchObject({ total: 2940, page: 1 })
		for (let pages = 1; ; pages++) {
			expect(queue.entries.length).toBeLessThanOrEqual(100)
			expect(queue.entries[0]?.viewerName).toStartWith('Viewer ')
			seen.push(...queue.entries.map((e) => e.id))
			if (!queue.next) break
			expect(queue.next).toMatch(/^[\w-]+$/)
			expect(pages).toBeLessThan(30)
			queue = await api(bot.app, `/api/dashboard?after=${queue.next}`)
			// A page reached by cursor has no number; the total is still there.
			expect(queue).toMatchObject({ total: 2940, page: null })
		}
		expect(seen).toEqual(expected)
	})

	test('the "Show more" link walks the queue tab the same way, without the script, keeping the viewer', async () => {
		bot = await createTestBot()
		seedQueue(bot, 1000)
		const expected = queueOrder(bot)
		const seen: number[] = []
		let path: string | undefined = '/dashboard?tab=queue&username=Viewer%201'
		let first = true
		while (path) {
			const response = await get(bot.app, path.startsWith('?') ? `/dashboard${path}` : path)
			expect(response.status).toBe(200)
			const html = await response.text()
			expect(html).toContain('<strong>Viewer 1</strong>: <span class="points">0</span> points')
			if (!first) {
				expect(html).toContain('980 entries, pending first, oldest first; later entries')
				expect(html).toContain('href="?tab=queue&username=Viewer+1">First page</a>')
			}
			first = false
			seen.push(...entryIds(html))
			path = showMore(html)
			if (path) expect(path).toMatch(/^\?tab=queue&after=[\w-]+&username=Viewer\+1$/)
		}
		expect(seen).toEqual(expected)
	})

	test('the cursor is opaque text that decodes only to a place in the queue', async () => {
		bot = await createTestBot()
		seedQueue(bot, 300)
		const { next } = await api(bot.app, '/api/dashboard')
		expect(next).toBeString()
		const last = queueOrder(bot)[99]!
		const row = bot.db.query<{ status: string; created: string }, [number]>('SELECT status, created_at AS created FROM redemptions WHERE id = ?').get(last)!
		expect(next).toBe(encodeCursor({ resolved: row.status !== 'pending', createdAt: row.created, id: last }))
	})

	test('?page= works up to 100 and is refused beyond, with a hint to use ?after=', async () => {
		bot = await createTestBot()
		seedQueue(bot, 300)
		expect((await api(bot.app, '/api/dashboard?page=3')).page).toBe(3)
		// Beyond the last page but within 100: the last page, as before.
		expect((await api(bot.app, '/api/dashboard?page=100')).page).toBe(3)
		for (const page of ['101', '1000', '99999999999999999999999', `1${'0'.repeat(5000)}`]) {
			const response = await get(bot.app, `/api/dashboard?page=${page}`)
			expect(response.status).toBe(400)
			const json = (await response.json()) as { error: string }
			expect(json.error).toContain('use ?after=<next>')
			const html = await get(bot.app, `/dashboard?tab=queue&page=${page}`)
			expect(html.status).toBe(400)
			expect(html.headers.get('content-type')).toStartWith('text/html')
			const text = await html.text()
			expect(text).toContain('?page= goes up to 100')
			expect(text).toContain('First page of the queue')
		}
		expect((await get(bot.app, '/dashboard?tab=queue&page=100')).status).toBe(200)
	})

	test('a malformed cursor is a 400 with a clear error, never a 500', async () => {
		bot = await createTestBot()
		seedQueue(bot, 300)
		const { next } = await api(bot.app, '/api/dashboard')
		const b64 = (text: string) => Buffer.from(text).toString('base64url')
		const bad = [
			'x',
			'!!!',
			'%00',
			`${next}=`,
			`${next}A`,
			'A'.repeat(10_000),
			b64('2|5|2026-01-01T00:00:00.000Z'),
			b64('0|0|2026-01-01T00:00:00.000Z'),
			b64('0|-1|2026-01-01T00:00:00.000Z'),
			b64('0|99999999999999999999|2026-01-01T00:00:00.000Z'),
			b64('0|5|'),
			b64(`0|5|${'9'.repeat(65)}`),
			b64('0|5'),
			Buffer.from([0x30, 0x7c, 0x35, 0x7c, 0xff, 0xfe]).toString('base64url')
		]
		for (const cursor of bad) {
			const response = await get(bot.app, `/api/dashboard?after=${cursor}`)
			expect(response.status).toBe(400)
			expect(((await response.json()) as { error: string }).error).toContain('malformed ?after= cursor')
			const html = await get(bot.app, `/dashboard?tab=queue&after=${cursor}`)
			expect(html.status).toBe(400)
			expect(await html.text()).toContain('malformed ?after= cursor')
		}
		// A cursor past the end is not malformed: an empty last page.
		const end = await api(bot.app, `/api/dashboard?after=${b64('1|99999|9999-12-31T00:00:00.000Z')}`)
		expect(end).toMatchObject({ entries: [], next: null })
		// Owncast may repeat parameters.
		expect((await get(bot.app, `/api/dashboard?after=${next}&after=${next}`)).status).toBe(200)
	})
})

describe('values that cannot be a viewer are ignored', () => {
	test('a username over 100 or a userId over 200 characters renders like none at all', async () => {
		bot = await createTestBot()
		const longName = 'N'.repeat(150)
		// Owncast names are at most 30 characters; the webhook takes up to 500, so this viewer can exist.
		await bot.chat({ id: 'long', displayName: longName }, 'hi')
		const hundred = 'H'.repeat(100)
		await bot.chat({ id: 'hundred', displayName: hundred }, 'hi')
		await settle(bot)
		const plain = await (await get(bot.app, '/dashboard')).text()
		for (const query of [`username=${longName}`, `username=${'x'.repeat(15_000)}`, `userId=${'i'.repeat(201)}`, `userId=${'i'.repeat(201)}&username=${longName}`]) {
			const response = await get(bot.app, `/dashboard?${query}`)
			expect(response.status).toBe(200)
			expect(await response.text()).toBe(plain)
		}
		// At the caps, names and ids still work.
		expect(await (await get(bot.app, `/dashboard?username=${hundred}`)).text()).toContain('<span class="points">10</span> points')
		const json = (await (await get(bot.app, `/api/dashboard?username=${longName}`)).json()) as Record<string, unknown>
		expect(json.balance).toBeUndefined()
	})
})

describe('the assets read nothing from the request', () => {
	test('a long query changes nothing', async () => {
		bot = await createTestBot()
		for (const asset of ['/dashboard/assets/style.css', '/dashboard/assets/dashboard.js']) {
			const plain = await (await get(bot.app, asset)).text()
			const response = await get(bot.app, `${asset}?v=${'x'.repeat(15_000)}&page=99999&after=junk`)
			expect(response.status).toBe(200)
			expect(await response.text()).toBe(plain)
		}
	})
})

describe('the rendered page cache has a byte budget', () => {
	const routesWith = (b: TestBot, cache: ReturnType<typeof createPageCache>) =>
		dashboardRoutes({
			settings: b.deps.settings,
			queue: b.deps.queue,
			viewers: b.deps.stores.viewers,
			redeems: b.deps.stores.redeems,
			moderation: b.deps.moderation,
			changeStamp: b.deps.changeStamp,
			pageCache: cache
		})

	test('many distinct long usernames add nothing: they are not part of the key', async () => {
		bot = await createTestBot()
		const cache = createPageCache(bot.deps)
		const app = routesWith(bot, cache)
		for (let i = 0; i < 200; i++) {
			expect((await get(app, `/dashboard?username=${i}${'u'.repeat(15_000)}`)).status).toBe(200)
		}
		expect(cache.stats().entries).toBe(1)
		expect(cache.stats().bytes).toBeLessThan(50_000)
	})

	test('big pages for many distinct names stay within the budget', async () => {
		bot = await createTestBot()
		// About 200 KB of notes on the first queue page.
		seedQueue(bot, 300, (i) => `note ${i} ${'n'.repeat(2000)}`)
		const maxBytes = 1024 * 1024
		const cache = createPageCache(bot.deps, { maxBytes })
		const app = routesWith(bot, cache)
		let largest = 0
		for (let i = 0; i < 60; i++) {
			const response = await get(app, `/dashboard?tab=queue&username=Viewer%20${i}`)
			largest = Math.max(largest, (await response.text()).length)
			const { bytes, entries } = cache.stats()
			expect(bytes).toBeLessThanOrEqual(maxBytes)
			expect(entries).toBeGreaterThanOrEqual(1)
		}
		// Each page (content and full page, 2 bytes a character) is over 400 KB: one or two fit, not 60.
		expect(largest).toBeGreaterThan(200_000)
		expect(cache.stats().entries).toBeLessThanOrEqual(2)
	})

	test('a page bigger than the whole budget is served but not kept, and does not flush the others', async () => {
		bot = await createTestBot()
		seedQueue(bot, 300, (i) => `note ${i} ${'n'.repeat(2000)}`)
		const cache = createPageCache(bot.deps, { maxBytes: 100_000 })
		const app = routesWith(bot, cache)
		expect((await get(app, '/dashboard?tab=help')).status).toBe(200)
		expect(cache.stats().entries).toBe(1)
		const big = await get(app, '/dashboard?tab=queue')
		expect(big.status).toBe(200)
		expect((await big.text()).length).toBeGreaterThan(100_000)
		expect(cache.stats().entries).toBe(1)
		expect(cache.stats().bytes).toBeLessThanOrEqual(100_000)
	})
})
