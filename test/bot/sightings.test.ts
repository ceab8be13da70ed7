// Plain chat costs no database work: viewers seen are written together (once a second by serve, and before any
// command), new ones with their starting points and ledger rows.
import { afterEach, expect, test } from 'bun:test'
import { createTestBot, type TestBot } from '../support/bot.ts'
import { chatEvent } from '../support/payloads.ts'
import { ledgerInvariantViolations } from '../helpers.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

/** A CHAT webhook straight to the app, without the test harness's flush after it. */
const raw = (b: TestBot, user: { id: string; displayName: string; moderator?: boolean }, text: string) =>
	b.app.handle(new Request('http://localhost/owncastWebhook', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chatEvent(user, text)) }))

test('plain messages write nothing until the flush, which creates new viewers with starting points and refreshes names', async () => {
	bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '25' } })
	const b = bot
	const changes = () => b.db.query<{ n: number }, []>('SELECT total_changes() AS n').get()?.n
	const before = changes()
	for (let i = 0; i < 50; i++) expect((await raw(b, { id: `v${i % 10}`, displayName: `V${i}` }, 'hello')).status).toBe(204)
	expect(changes()).toBe(before)
	expect(b.deps.sightings.pending).toBe(10)
	expect(b.deps.sightings.flush()).toBe(10)
	expect(b.deps.sightings.pending).toBe(0)
	// The last name each viewer used; starting points with their ledger rows.
	expect(b.db.query('SELECT id, display_name AS name, balance FROM viewers ORDER BY id LIMIT 2').all()).toEqual([
		{ id: 'v0', name: 'V40', balance: 25 },
		{ id: 'v1', name: 'V41', balance: 25 }
	])
	expect(ledgerInvariantViolations(b.db)).toEqual([])
	// A known viewer with the same name, seen again within a minute: nothing about them changes.
	const row = () => b.db.query("SELECT display_name, seen_at, balance FROM viewers WHERE id = 'v0'").get()
	const was = row()
	await raw(b, { id: 'v0', displayName: 'V40' }, 'again')
	b.deps.sightings.flush()
	expect(row()).toEqual(was)
})

test('a command writes the viewers seen so far first: !give to someone who just spoke works', async () => {
	bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '100', TLAPBOT_GIVE_MIN_EARNED: '0' } })
	const b = bot
	await raw(b, { id: 'ann', displayName: 'Ann' }, 'hi')
	await raw(b, { id: 'ben', displayName: 'Ben' }, 'hi')
	expect(b.balance('ben')).toBeUndefined()
	await raw(b, { id: 'ann', displayName: 'Ann' }, '!give Ben 10')
	expect(await b.fake.waitForMessages(1)).toEqual(['@Ann gave 10 points to Ben! 90 points left.'])
	expect(b.balance('ben')).toBe(110)
})
