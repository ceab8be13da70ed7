// The admin page and viewers' dashboard sign-ins, through app.handle: the viewers page links to each viewer's
// sign-ins, the admin signs out one browser or all of them (audited, CSRF-guarded), and the queue tables say
// where a redemption came from.
import { afterEach, describe, expect, test } from 'bun:test'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'
import { chatEvent } from '../support/payloads.ts'
import { act, flashOf, follow, html, login as loginWith, send, type Send } from '../support/admin-http.ts'
import { api } from '../support/store-http.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const PASSWORD = 'correct horse battery'
const env = {
	TLAPBOT_STARTING_POINTS: '1000',
	TLAPBOT_ADMIN_PASSWORD: PASSWORD,
	TLAPBOT_PRIVATE_REPLIES: 'true',
	TLAPBOT_PUBLIC_URL: 'http://localhost'
}
const alice = { id: 'alice', displayName: 'Alice' }
const bob = { id: 'bob', displayName: 'Bob' }
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
const IPHONE =
	'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'

// --- The admin side (helpers in test/support/admin-http.ts) ----------------------------------------------

const login = (b: TestBot) => loginWith(b, PASSWORD)

const signOuts = (b: TestBot) =>
	b.db
		.query<{ actor: string; detail: string }, []>("SELECT actor, detail FROM audit_log WHERE action = 'viewer_signout' ORDER BY id")
		.all()
const sessionHashes = (b: TestBot, viewer: string) =>
	b.db.query<{ h: string }, [string]>('SELECT id_hash AS h FROM viewer_sessions WHERE viewer_id = ? ORDER BY created_at, rowid').all(viewer).map((r) => r.h)

/** The elements of a page, and any on* attributes (as "@onerror"), as a browser's parser would find them. */
async function elementsOf(page: string): Promise<string[]> {
	const found: string[] = []
	await new HTMLRewriter()
		.on('*', {
			element(e) {
				found.push(e.tagName)
				for (const [name] of e.attributes) if (name.toLowerCase().startsWith('on')) found.push(`@${name}`)
			}
		})
		.transform(new Response(page))
		.text()
	return found
}

/** The revoke forms on a sign-ins page, in the order shown. */
const revokeForms = (page: string) => [...page.matchAll(/action="(\/admin\/viewers\/[^"]+\/sessions\/[0-9a-f]{64}\/revoke)"/g)].map((m) => m[1] as string)

// --- The viewer side (helpers in test/support/store-http.ts) ----------------------------------------------

async function signInWithCode(b: TestBot, user: typeof alice, userAgent: string): Promise<string> {
	const { code, claim } = (await api(b, 'POST', '/api/store/signin')).json as { code: string; claim: string }
	await b.chat(user, `!link ${code}`)
	const collected = await api(b, 'POST', '/api/store/signin/collect', { body: { code, claim }, headers: { 'user-agent': userAgent } })
	expect(collected.json.status).toBe('signed_in')
	return collected.json.session as string
}

/** Signs a viewer in with the personal link `!store` sends privately to their own chat connection. */
async function signInWithLink(b: TestBot, user: typeof alice, userAgent: string): Promise<string> {
	b.fake.userConnections = { [user.id]: [8] }
	const before = b.fake.privateMessages.length
	await b.post(chatEvent(user, '!store', 'v0.3', { clientId: 8 }))
	await settle(b)
	const sent = b.fake.privateMessages.slice(before).map((m) => /dashboard\?login=([A-Za-z0-9_-]{43})/.exec(m.body)?.[1])
	const token = sent.find((t) => t !== undefined) as string
	expect(token).toBeDefined()
	const login = await api(b, 'POST', '/api/store/login', { body: { token }, headers: { 'user-agent': userAgent } })
	expect(login.json.status).toBe('signed_in')
	return login.json.session as string
}

const storeStatus = async (b: TestBot, session: string) => (await api(b, 'GET', '/api/store', { session })).status

describe("a viewer's dashboard sign-ins", () => {
	test('the admin sees both sign-ins, signs one out, then signs the viewer out everywhere; both are audited', async () => {
		// Whole seconds from now (the chat sender drops a login link that is due in the past by the real clock).
		const start = Math.ceil(Date.now() / 1000) * 1000
		let now = start
		bot = await createTestBot({ env, clock: () => now })
		const byCode = await signInWithCode(bot, alice, FIREFOX)
		now += 60_000
		const byLink = await signInWithLink(bot, alice, IPHONE)
		const bobs = await signInWithCode(bot, bob, FIREFOX)
		now += 60_000
		const admin = await login(bot)

		// The viewers page counts sign-ins and links to them, keeping the search.
		const viewers = await html(bot, '/admin/viewers?q=ali', admin)
		expect(viewers).toContain('<th>Sign-ins</th>')
		expect(viewers).toContain('href="/admin/viewers/alice/sessions?q=ali"')
		expect(viewers).toContain('<span>2 sign-ins</span><span class="visually-hidden"> of Alice</span></a>')
		expect(await html(bot, '/admin/viewers?q=bob', admin)).toContain('<span>1 sign-in</span><span class="visually-hidden"> of Bob</span>')

		const page = await html(bot, '/admin/viewers/alice/sessions?q=ali', admin)
		expect(page).toContain('Dashboard sign-ins of Alice')
		expect(page).toContain('href="/admin/viewers?q=ali"')
		// Most recently seen first: the link sign-in, then the code one.
		expect(page.indexOf('Personal link (!store)')).toBeGreaterThan(0)
		expect(page.indexOf('Personal link (!store)')).toBeLessThan(page.indexOf('Code typed in chat'))
		expect(page).toContain('>Safari 17 on iOS</td>')
		expect(page).toContain('>Firefox 128 on Linux</td>')
		expect(page).toContain(`title="${FIREFOX}"`)
		const iso = new Date(start).toISOString()
		expect(page).toContain(`<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC</time>`)
		// Expires after viewer_session_days (30 by default).
		expect(page).toContain(`<time datetime="${new Date(start + 30 * 24 * 3600_000).toISOString()}">`)
		expect(page).toContain('Sign out everywhere (2 browsers)')
		const forms = revokeForms(page)
		const [linkHash, codeHash] = sessionHashes(bot, 'alice').reverse() as [string, string]
		expect(forms).toEqual([`/admin/viewers/alice/sessions/${linkHash}/revoke`, `/admin/viewers/alice/sessions/${codeHash}/revoke`])
		// No token is ever shown, only hashes of them.
		for (const session of [byCode, byLink]) expect(page).not.toContain(session)

		const one = await act(bot, admin, forms[1] as string, { q: 'ali' })
		expect(flashOf(one)).toEqual({ path: '/admin/viewers/alice/sessions', q: 'ali', ok: 'Alice: signed out of that browser.' })
		expect(await storeStatus(bot, byCode)).toBe(401)
		expect(await storeStatus(bot, byLink)).toBe(200)
		expect(await storeStatus(bot, bobs)).toBe(200)
		const after = await follow(bot, admin, one)
		expect(after).toContain('Alice: signed out of that browser.')
		expect(revokeForms(after)).toEqual([`/admin/viewers/alice/sessions/${linkHash}/revoke`])
		expect(after).toContain('Sign out everywhere (1 browser)')

		// The same form again (a double click, another tab) finds nothing to end.
		expect(flashOf(await act(bot, admin, forms[1] as string)).error).toBe(
			'That sign-in of Alice has already ended (or is not theirs); nothing changed.'
		)

		const everywhere = await act(bot, admin, '/admin/viewers/alice/sessions/revoke-all', { q: 'ali' })
		expect(flashOf(everywhere)).toEqual({ path: '/admin/viewers/alice/sessions', q: 'ali', ok: 'Alice: signed out everywhere (1 browser).' })
		expect(await storeStatus(bot, byLink)).toBe(401)
		expect(await storeStatus(bot, bobs)).toBe(200)
		const empty = await html(bot, '/admin/viewers/alice/sessions', admin)
		expect(empty).toContain('Not signed in on any browser.')
		expect(empty).not.toContain('/revoke')
		expect(await html(bot, '/admin/viewers?q=ali', admin)).toContain('<span>0 sign-ins</span>')
		expect(flashOf(await act(bot, admin, '/admin/viewers/alice/sessions/revoke-all')).error).toBe(
			'Alice is not signed in on any browser; nothing changed.'
		)

		expect(signOuts(bot)).toEqual([
			{ actor: 'admin (web)', detail: `Alice (alice): 1 browser signed out (sign-in ${codeHash.slice(0, 8)}, code typed in chat, Firefox 128 on Linux)` },
			{ actor: 'admin (web)', detail: 'Alice (alice): everywhere, 1 browser signed out' }
		])
		expect(await html(bot, '/admin/audit', admin)).toContain('<td>viewer_signout</td>')
		// The viewer can sign in again.
		expect(await storeStatus(bot, await signInWithCode(bot, alice, FIREFOX))).toBe(200)
	})

	test('a POST without the CSRF token, with a wrong one or from another site changes nothing', async () => {
		bot = await createTestBot({ env })
		const session = await signInWithCode(bot, alice, FIREFOX)
		const admin = await login(bot)
		const [hash] = sessionHashes(bot, 'alice') as [string]
		const paths = [`/admin/viewers/alice/sessions/${hash}/revoke`, '/admin/viewers/alice/sessions/revoke-all']
		const attempts: Send[] = [
			{ cookie: admin.cookie, form: {} },
			{ cookie: admin.cookie, form: { csrf: '' } },
			{ cookie: admin.cookie, form: { csrf: `${admin.csrf.slice(0, -1)}${admin.csrf.endsWith('x') ? 'y' : 'x'}` } },
			{ cookie: admin.cookie, form: { csrf: admin.csrf }, headers: { origin: 'https://evil.example' } },
			{ cookie: admin.cookie, form: { csrf: admin.csrf }, headers: { origin: 'null' } }
		]
		for (const path of paths) {
			for (const attempt of attempts) {
				const response = await send(bot, path, attempt)
				expect(response.status).toBe(403)
				expect(await response.text()).toContain('nothing changed')
			}
			// Without a session at all: to the login page.
			const anonymous = await send(bot, path, { form: { csrf: admin.csrf } })
			expect(anonymous.status).toBe(303)
			expect(anonymous.headers.get('location')).toBe('/admin/login')
		}
		expect((await send(bot, '/admin/viewers/alice/sessions')).headers.get('location')).toBe('/admin/login')
		expect(await storeStatus(bot, session)).toBe(200)
		expect(sessionHashes(bot, 'alice')).toEqual([hash])
		expect(signOuts(bot)).toEqual([])
		// The same form from our own page goes through.
		const ours = await send(bot, paths[0] as string, { cookie: admin.cookie, form: { csrf: admin.csrf }, headers: { origin: 'http://localhost' } })
		expect(flashOf(ours).ok).toBe('Alice: signed out of that browser.')
		expect(await storeStatus(bot, session)).toBe(401)
	})

	test('unknown viewers, malformed or foreign sign-ins are clear errors, never a 500, and change nothing', async () => {
		bot = await createTestBot({ env })
		const aliceSession = await signInWithCode(bot, alice, FIREFOX)
		const bobSession = await signInWithCode(bot, bob, FIREFOX)
		const admin = await login(bot)
		const [bobHash] = sessionHashes(bot, 'bob') as [string]

		const missing = await html(bot, '/admin/viewers/nobody/sessions', admin, 404)
		expect(missing).toContain('There is no viewer with id nobody.')
		expect(await html(bot, `/admin/viewers/${'x'.repeat(300)}/sessions`, admin, 404)).toContain('There is no viewer with id')

		expect(flashOf(await act(bot, admin, `/admin/viewers/nobody/sessions/${bobHash}/revoke`))).toEqual({
			path: '/admin/viewers',
			error: 'There is no viewer with id nobody.'
		})
		expect(flashOf(await act(bot, admin, '/admin/viewers/nobody/sessions/revoke-all')).error).toBe('There is no viewer with id nobody.')
		for (const hash of ['abc', 'g'.repeat(64), `${bobHash}0`, bobHash.slice(1), '%3Cscript%3E']) {
			expect(flashOf(await act(bot, admin, `/admin/viewers/alice/sessions/${hash}/revoke`))).toEqual({
				path: '/admin/viewers/alice/sessions',
				error: 'That is not a sign-in of this viewer (the link is malformed); nothing changed.'
			})
		}
		// Bob's sign-in through Alice's page: not hers, so it stays.
		expect(flashOf(await act(bot, admin, `/admin/viewers/alice/sessions/${bobHash}/revoke`)).error).toBe(
			'That sign-in of Alice has already ended (or is not theirs); nothing changed.'
		)
		expect(await storeStatus(bot, bobSession)).toBe(200)
		expect(await storeStatus(bot, aliceSession)).toBe(200)
		expect(signOuts(bot)).toEqual([])
		// Upper-case hex is the same hash.
		expect(flashOf(await act(bot, admin, `/admin/viewers/bob/sessions/${bobHash.toUpperCase()}/revoke`)).ok).toBe('Bob: signed out of that browser.')
		expect(await storeStatus(bot, bobSession)).toBe(401)
	})

	test('user agents and names with HTML are escaped', async () => {
		bot = await createTestBot({ env })
		const evil = { id: 'evil-id', displayName: '<script>alert("name")</script>' }
		const agent = '<img src=x onerror=alert(1)>"><script>alert("ua")</script>'
		await signInWithCode(bot, evil, agent)
		await signInWithCode(bot, evil, `Mozilla/5.0 (X11; Linux x86_64) <b>bold</b> Chrome/126.0.0.0 Safari/537.36`)
		const admin = await login(bot)
		const pages = [await html(bot, '/admin/viewers/evil-id/sessions', admin), await html(bot, '/admin/viewers?q=evil', admin)]
		expect(pages[0]).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;')
		expect(pages[0]).toContain('&lt;img src=x onerror=alert(1)&gt;')
		expect(pages[0]).toContain('>Chrome 126 on Linux</td>')
		const everywhere = await act(bot, admin, '/admin/viewers/evil-id/sessions/revoke-all')
		pages.push(await follow(bot, admin, everywhere))
		expect(pages[2]).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;: signed out everywhere (2 browsers).')
		pages.push(await html(bot, '/admin/audit', admin))
		// Text is escaped; in attributes (the full user agent is the cell's title) the quote cannot get out.
		expect(pages[0]).toContain('title="<img src=x onerror=alert(1)>&#34;><script>alert(&#34;ua&#34;)</script>"')
		for (const page of pages) {
			const elements = await elementsOf(page)
			expect(elements).toContain('main')
			for (const tag of ['script', 'img', 'b']) expect(elements).not.toContain(tag)
			expect(elements.filter((e) => e.startsWith('@'))).toEqual([])
		}
	})
})

describe('where redemptions came from', () => {
	test('the queue tables say "via chat" or "via page", and show a moderator\'s reason', async () => {
		bot = await createTestBot({ env })
		const session = await signInWithCode(bot, alice, FIREFOX)
		await bot.chatReplies(bob, '!hydrate')
		const bought = await api(bot, 'POST', '/api/store/redeem', { session, body: { redeem: 'hydrate' } })
		expect(bought.json.ok).toBe(true)
		await api(bot, 'POST', '/api/store/redeem', { session, body: { redeem: 'react', note: 'https://example.com/v' } })
		const admin = await login(bot)
		const row = (page: string, id: number) => {
			const start = page.indexOf(`<td class="num" data-label="Redemption">#${id}</td>`)
			expect(start).toBeGreaterThan(0)
			return page.slice(start, page.indexOf('</tr>', start))
		}
		const queue = await html(bot, '/admin', admin)
		expect(row(queue, 1)).toContain('<span class="source source-chat" title="Redeemed with a chat command">via chat</span>')
		expect(row(queue, 2)).toContain('>via page</span>')
		expect(row(queue, 3)).toContain('>via page</span>')

		// Marked done with a reason typed: the "Recently done" table keeps the source and shows the reason.
		await act(bot, admin, '/admin/redemptions/2', { action: 'done', reason: 'drank it <live>' })
		const done = await html(bot, '/admin', admin)
		const recently = done.slice(done.indexOf('Recently done'))
		expect(row(recently, 2)).toContain('>via page</span>')
		expect(row(recently, 2)).toContain('<span class="reason">Reason: drank it &lt;live&gt;</span>')
		expect(row(done, 3)).not.toContain('class="reason"')
	})
})
