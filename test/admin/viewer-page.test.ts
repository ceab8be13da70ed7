// A viewer's page on the admin page: balance and changing it, their redemptions, their points history, their
// dashboard sign-ins with Sign out; every form comes back to it.
import { afterEach, expect, test } from 'bun:test'
import { createTestBot, type TestBot } from '../support/bot.ts'
import { act, flashOf, follow, html, login } from '../support/admin-http.ts'
import { api } from '../support/store-http.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const PASSWORD = 'correct horse battery'
const alice = { id: 'alice-id', displayName: 'Alice <3' }

test("a viewer's page shows balance, redemptions, points history and sign-ins; its forms come back to it", async () => {
	bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '500', TLAPBOT_ADMIN_PASSWORD: PASSWORD } })
	const b = bot
	await b.chatReplies(alice, '!hydrate')
	await b.chatReplies(alice, '!react https://example.com/<b>')
	const { code, claim } = (await api(b, 'POST', '/api/store/signin')).json as { code: string; claim: string }
	await b.chat(alice, `!link ${code}`)
	const session = (await api(b, 'POST', '/api/store/signin/collect', { body: { code, claim }, headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' } })).json
		.session as string
	const admin = await login(b, PASSWORD)

	const list = await html(b, '/admin/viewers?q=ali', admin)
	expect(list).toContain('<a href="/admin/viewers/alice-id?q=ali"><span>Alice &lt;3</span></a>')
	const page = await html(b, '/admin/viewers/alice-id?q=ali', admin)
	expect(page).toContain('<h1>Alice &lt;3</h1>')
	expect(page).toContain('Balance: <strong>240 points</strong>')
	expect(page).toContain('<td class="redeem">react</td>')
	expect(page).toContain('https://example.com/&lt;b&gt;')
	// Points history, newest first: the two redeems after the starting points.
	const changes = [...page.matchAll(/data-label="Change">([^<]+)</g)].map((m) => m[1])
	expect(changes).toEqual(['-200', '-60', '+500'])
	expect(page).toContain('Firefox 128 on Linux')
	expect(page).toContain('href="/admin/viewers?q=ali">Back to the viewers</a>')

	const added = await act(b, admin, '/admin/viewers/alice-id/points', { mode: 'add', amount: '10', back: 'viewer', q: 'ali' })
	expect(flashOf(added)).toEqual({ path: '/admin/viewers/alice-id', q: 'ali', ok: 'Alice <3: +10, balance now 250.' })
	const after = await follow(b, admin, added)
	expect(after).toContain('Balance: <strong>250 points</strong>')
	expect(after).toContain('<td data-label="Why">changed by a moderator</td>')

	const hash = /action="\/admin\/viewers\/alice-id\/sessions\/([0-9a-f]{64})\/revoke"/.exec(after)?.[1] as string
	expect(after).toContain('<input type="hidden" name="back" value="viewer"/>')
	const out = await act(b, admin, `/admin/viewers/alice-id/sessions/${hash}/revoke`, { back: 'viewer', q: 'ali' })
	expect(flashOf(out).path).toBe('/admin/viewers/alice-id')
	expect((await api(b, 'GET', '/api/store', { session })).status).toBe(401)
	expect(await follow(b, admin, out)).toContain('Not signed in on any browser.')

	expect((await act(b, admin, '/admin/viewers/nobody', {})).status).toBe(404)
	expect(await html(b, '/admin/viewers/nobody', admin, 404)).toContain('There is no viewer with id nobody.')
})
