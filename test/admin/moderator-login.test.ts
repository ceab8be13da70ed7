// Moderators sign in to /admin without the shared password: the login page shows a code, a moderator types
// `!link CODE` in chat, the page collects an admin session that names them in the audit log.
import { afterEach, expect, test } from 'bun:test'
import { createTestBot, type TestBot } from '../support/bot.ts'
import { flashOf, send, sessionFrom, csrfIn } from '../support/admin-http.ts'
import { api } from '../support/store-http.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const mo = { id: 'mo-id', displayName: 'Mo', moderator: true }
const viewer = { id: 'vi-id', displayName: 'Vi' }

/** The code on the page and the cookie that holds its claim. */
async function askCode(b: TestBot) {
	const response = await send(b, '/admin/login/chat', { form: {} })
	expect(response.status).toBe(200)
	const page = await response.text()
	const code = /<code>!link ([A-Z0-9]{6})<\/code>/.exec(page)?.[1] as string
	const cookie = (response.headers.getSetCookie().find((c) => c.startsWith('tlapbot_admin_code=')) ?? '').split(';')[0] as string
	expect(cookie).toMatch(/^tlapbot_admin_code=[A-Z0-9]{6}\.[A-Za-z0-9_-]{43}$/)
	// The claim is never in the page.
	expect(page).not.toContain(cookie.split('.')[1] as string)
	return { code, cookie }
}
const status = async (b: TestBot, cookie: string) => (await (await send(b, '/admin/login/chat/status', { cookie })).json()).status

test('a moderator signs in with a code typed in chat; the audit log names them; a viewer cannot', async () => {
	bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '500' } })
	const b = bot
	// Without any admin password the page offers the code too.
	expect(await (await send(b, '/admin/login')).text()).toContain('<form method="post" action="/admin/login/chat"')
	await b.chatReplies(viewer, '!hydrate')
	const { code, cookie } = await askCode(b)
	expect(await status(b, cookie)).toBe('waiting')

	// A viewer who is not a moderator: refused in chat, the code stays unbound.
	expect(await b.chatReplies(viewer, `!link ${code}`)).toEqual(['@Vi, only moderators can sign in to the admin page with a code.'])
	expect(await status(b, cookie)).toBe('waiting')
	// Collecting too early keeps waiting.
	expect(await (await send(b, '/admin/login/chat/collect', { form: {}, cookie })).text()).toContain('The code has not been typed in chat yet.')

	expect(await b.chatReplies(mo, `!link ${code.toLowerCase()}`)).toEqual([
		'@Mo, the admin page is signed in as you, a moderator; if that was not you, tell the streamer.'
	])
	expect(await status(b, cookie)).toBe('linked')
	// The dashboard's sign-in cannot take an admin code, even with its claim.
	const claim = cookie.split('.')[1] as string
	expect((await api(b, 'POST', '/api/store/signin/collect', { body: { code, claim } })).json.status).toBe('unknown')

	const collected = await send(b, '/admin/login/chat/collect', { form: {}, cookie })
	expect(flashOf(collected)).toMatchObject({ path: '/admin', ok: 'Logged in as Mo (moderator).' })
	expect(collected.headers.getSetCookie().some((c) => c.startsWith('tlapbot_admin_code=;'))).toBe(true)
	const session = sessionFrom(collected)
	const queue = await (await send(b, '/admin', { cookie: session })).text()
	const csrf = csrfIn(queue)
	const done = await send(b, '/admin/redemptions/1', { cookie: session, form: { csrf, action: 'done' } })
	expect(flashOf(done).ok).toBe('#1 hydrate by Vi: marked done.')
	const audit = b.db.query<{ actor: string; action: string }, []>('SELECT actor, action FROM audit_log ORDER BY id').all()
	expect(audit).toEqual([
		{ actor: 'Mo (moderator)', action: 'login' },
		{ actor: 'Mo (moderator)', action: 'done' }
	])
	// Used once.
	expect((await send(b, '/admin/login/chat/collect', { form: {}, cookie })).status).toBe(410)

	// Owncast no longer has Mo as a moderator (their next message says so): the session stops working.
	await b.chat({ id: mo.id, displayName: 'Mo' }, 'hello')
	expect((await send(b, '/admin', { cookie: session })).status).toBe(303)
})

test('codes are limited per address, expire, and a forged claim collects nothing', async () => {
	let now = Date.parse('2026-11-29T12:00:00Z')
	bot = await createTestBot({ clock: () => now })
	const b = bot
	const { code, cookie } = await askCode(b)
	// A second code at once: wait first.
	expect((await send(b, '/admin/login/chat', { form: {} })).status).toBe(429)
	const forged = `tlapbot_admin_code=${code}.${'A'.repeat(43)}`
	expect(await status(b, forged)).toBe('unknown')
	await b.chatReplies(mo, `!link ${code}`)
	expect((await send(b, '/admin/login/chat/collect', { form: {}, cookie: forged })).status).toBe(410)
	now += 6 * 60_000
	const { code: late, cookie: lateCookie } = await askCode(b)
	now += 6 * 60_000
	expect(await b.chatReplies(mo, `!link ${late}`)).toEqual(['@Mo, that sign-in code is not valid or has expired: press "Sign in" on the Redeems tab for a new one.'])
	expect(await status(b, lateCookie)).toBe('expired')
	expect(b.db.query('SELECT count(*) AS n FROM admin_sessions').get()).toEqual({ n: 0 })
	// In passive mode the bot reads no commands, so the page says to use the password instead.
	b.reconfigure({ passive: true })
	now += 60_000
	const passive = await send(b, '/admin/login/chat', { form: {} })
	expect(passive.status).toBe(503)
	expect(await passive.text()).toContain('passive mode is on')
})
