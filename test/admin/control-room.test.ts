// The control room's queue: filters, bulk actions (each refund exactly once), reopening what was marked done.
import { afterEach, describe, expect, test } from 'bun:test'
import { createTestBot, type TestBot } from '../support/bot.ts'
import { act, flashOf, html, login } from '../support/admin-http.ts'
import { ledgerInvariantViolations } from '../helpers.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const PASSWORD = 'correct horse battery'
const env = { TLAPBOT_STARTING_POINTS: '5000', TLAPBOT_ADMIN_PASSWORD: PASSWORD }
const alice = { id: 'alice-id', displayName: 'Alice' }
const bob = { id: 'bob-id', displayName: 'Bob' }
const carol = { id: 'carol-id', displayName: 'Carol' }

const statuses = (b: TestBot) =>
	Object.fromEntries(b.db.query<{ id: number; status: string }, []>('SELECT id, status FROM redemptions ORDER BY id').all().map((r) => [r.id, r.status]))
const refundRows = (b: TestBot) =>
	b.db.query<{ redemption_id: number; delta: number }, []>("SELECT redemption_id, delta FROM ledger WHERE reason = 'refund' ORDER BY redemption_id").all()
const rowIds = (page: string) => [...page.matchAll(/<tr data-id="(\d+)">/g)].map((m) => Number(m[1]))

async function queueOfThree() {
	bot = await createTestBot({ env })
	await bot.chatReplies(alice, '!hydrate') // #1, 60
	await bot.chatReplies(bob, '!request level 2') // #2, 100
	await bot.chatReplies(carol, '!hydrate') // #3, 60
	await bot.chatReplies(alice, '!react https://example.com/v') // #4, 200
	return { b: bot, admin: await login(bot, PASSWORD) }
}

describe('filters', () => {
	test('by redeem and by viewer (name or id), together, with the count; paging keeps them', async () => {
		const { b, admin } = await queueOfThree()
		expect(rowIds(await html(b, '/admin', admin)).slice(0, 4)).toEqual([1, 2, 3, 4])
		const hydrate = await html(b, '/admin?redeem=HYDRATE', admin)
		expect(rowIds(hydrate)).toEqual([1, 3])
		expect(hydrate).toContain('2 pending match the filter.')
		expect(hydrate).toContain('<option value="hydrate" selected>hydrate</option>')
		expect(rowIds(await html(b, '/admin?viewer=ali', admin))).toEqual([1, 4])
		expect(rowIds(await html(b, '/admin?viewer=bob-id', admin))).toEqual([2])
		expect(rowIds(await html(b, '/admin?viewer=alice&redeem=react', admin))).toEqual([4])
		const none = await html(b, '/admin?viewer=nobody', admin)
		expect(rowIds(none)).toEqual([])
		expect(none).toContain('Nothing pending matches the filter.')
		// The forms lead back to the filtered queue.
		expect(hydrate).toContain('name="back" value="/admin?redeem=HYDRATE"')
	})
})

describe('bulk actions', () => {
	test('a bulk reject asks first, then refunds each viewer exactly once; a repeat changes nothing', async () => {
		const { b, admin } = await queueOfThree()
		const page = await html(b, '/admin', admin)
		expect(page).toContain('<form method="post" action="/admin/redemptions/bulk" id="bulk"')
		expect(page).toContain('<input type="checkbox" name="ids" value="2" form="bulk" aria-label="Select #2"/>')
		const before = { alice: b.balance(alice.id) ?? 0, bob: b.balance(bob.id) ?? 0, carol: b.balance(carol.id) ?? 0 }

		const form = new URLSearchParams({ csrf: admin.csrf, action: 'reject', reason: 'stream over' })
		for (const id of ['1', '2', '4']) form.append('ids', id)
		const post = (body: URLSearchParams) =>
			b.app.handle(
				new Request('http://localhost/admin/redemptions/bulk', {
					method: 'POST',
					headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
					body: body.toString()
				})
			)
		const ask = await post(form)
		expect(ask.status).toBe(200)
		const askPage = await ask.text()
		expect(askPage).toContain('<h1>Reject 3 redemptions?</h1>')
		expect(askPage).toContain('In all 360 points go back to the viewers, each once.')
		expect(statuses(b)).toEqual({ 1: 'pending', 2: 'pending', 3: 'pending', 4: 'pending' })

		form.set('confirm', 'yes')
		// A double click: the same confirmed form twice, at once.
		const [first, second] = await Promise.all([post(form), post(form)])
		const flashes = [flashOf(first as Response), flashOf(second as Response)]
		expect(flashes.map((f) => f.ok ?? f.error).sort()).toEqual([
			'3 rejected (#1, #2, #4); 360 points given back.',
			'Nothing changed. Left as they were: #1 already rejected, #2 already rejected, #4 already rejected.'
		])
		expect(statuses(b)).toEqual({ 1: 'rejected', 2: 'rejected', 3: 'pending', 4: 'rejected' })
		expect(refundRows(b)).toEqual([
			{ redemption_id: 1, delta: 60 },
			{ redemption_id: 2, delta: 100 },
			{ redemption_id: 4, delta: 200 }
		])
		expect({ alice: b.balance(alice.id), bob: b.balance(bob.id), carol: b.balance(carol.id) }).toEqual({
			alice: before.alice + 260,
			bob: before.bob + 100,
			carol: before.carol
		})
		expect(ledgerInvariantViolations(b.db)).toEqual([])
		const audit = b.db.query<{ detail: string }, []>("SELECT detail FROM audit_log WHERE action = 'reject' ORDER BY id").all()
		expect(audit.map((a) => a.detail)).toEqual([
			'#1 hydrate by Alice: stream over (refunded 60)',
			'#2 request by Bob: stream over (refunded 100)',
			'#4 react by Alice: stream over (refunded 200)'
		])
	})

	test('bulk done needs no confirmation; nothing selected is a clear error; already resolved ones are named', async () => {
		const { b, admin } = await queueOfThree()
		expect(flashOf(await act(b, admin, '/admin/redemptions/bulk', { action: 'done' })).error).toBe('Select one or more redemptions first; nothing changed.')
		const form = new URLSearchParams({ csrf: admin.csrf, action: 'done', back: '/admin?redeem=hydrate' })
		for (const id of ['1', '3', '99']) form.append('ids', id)
		const done = await b.app.handle(
			new Request('http://localhost/admin/redemptions/bulk', {
				method: 'POST',
				headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
				body: form.toString()
			})
		)
		expect(done.headers.get('location')).toBe('/admin?redeem=hydrate')
		expect(flashOf(done).ok).toBe('2 marked done (#1, #3). Left as they were: #99 not found.')
		expect(statuses(b)).toEqual({ 1: 'fulfilled', 2: 'pending', 3: 'fulfilled', 4: 'pending' })
		expect(refundRows(b)).toEqual([])
	})
})

describe('reopen', () => {
	test('a redemption marked done goes back to its place in the queue, charged once, and can be done again', async () => {
		const { b, admin } = await queueOfThree()
		await act(b, admin, '/admin/redemptions/2', { action: 'done' })
		const balance = b.balance(bob.id)
		const page = await html(b, '/admin', admin)
		expect(rowIds(page)).toEqual([1, 3, 4, 2])
		expect(page).toMatch(/action="\/admin\/redemptions\/2"[^]*?value="reopen"/)
		const reopen = await act(b, admin, '/admin/redemptions/2', { action: 'reopen' })
		expect(flashOf(reopen).ok).toBe('#2 request by Bob: back in the queue.')
		expect(statuses(b)[2]).toBe('pending')
		expect(b.db.query('SELECT resolved_at FROM redemptions WHERE id = 2').get()).toEqual({ resolved_at: null })
		expect(rowIds(await html(b, '/admin', admin))).toEqual([1, 2, 3, 4])
		expect(b.balance(bob.id)).toBe(balance)
		// Only what was done can be reopened.
		expect(flashOf(await act(b, admin, '/admin/redemptions/2', { action: 'reopen' })).error).toBe('Redemption #2 is still pending; nothing changed.')
		expect(b.db.query<{ action: string }, []>("SELECT action FROM audit_log WHERE action = 'reopen'").all()).toEqual([{ action: 'reopen' }])
		const events = b.db.query<{ data: string }, []>("SELECT data FROM events WHERE name = 'redemption.updated' ORDER BY id").all()
		expect(JSON.parse(events.at(-1)?.data ?? '{}').status).toBe('pending')
	})
})

describe('the live queue', () => {
	test('/admin/events streams the event log behind the admin session only, and ends at logout', async () => {
		bot = await createTestBot({ env })
		const b = bot
		// Without a session: the login page, never a stream (the overlay key does not open it either).
		const anonymous = await b.app.handle(new Request('http://localhost/admin/events'))
		expect(anonymous.status).toBe(303)
		expect(anonymous.headers.get('location')).toBe('/admin/login')
		const admin = await login(b, PASSWORD)
		const response = await b.app.handle(new Request('http://localhost/admin/events', { headers: { cookie: admin.cookie } }))
		expect(response.status).toBe(200)
		expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
		const reader = (response.body as ReadableStream<Uint8Array>).getReader()
		const decoder = new TextDecoder()
		const next = async () => decoder.decode((await reader.read()).value)
		expect(await next()).toContain(': connected')
		await b.chatReplies(alice, '!react https://example.com/v')
		const frame = await next()
		expect(frame).toContain('event: redemption.created')
		// The admin sees notes (overlays only with notes=1).
		expect(frame).toContain('"note":"https://example.com/v"')
		await act(b, admin, '/admin/logout')
		// The next event finds the session ended: the stream closes instead of sending it.
		await b.chatReplies(bob, '!hydrate')
		let rest = ''
		for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += decoder.decode(chunk.value)
		expect(rest).not.toContain('redemption.created')
	})
})
