// The admin page's redeem editor: create, edit, rename and delete redeems in redeems.toml (comments kept, .bak,
// conflicts refused), the same schema errors shown under their fields, and the change in force without a restart.
import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseRedeems } from '../../src/config/load.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'
import { act, flashOf, follow, html, login, send, type Admin } from '../support/admin-http.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const PASSWORD = 'correct horse battery'
const env = { TLAPBOT_STARTING_POINTS: '500', TLAPBOT_ADMIN_PASSWORD: PASSWORD }
const alice = { id: 'alice-id', displayName: 'Alice' }
const REDEEMS = `# My redeems. Keep this comment!

[redeems.hydrate]
type = "list"
price = 60 # cheap on purpose

# Lurkers get counted.
[redeems.lurk]
type = "counter"
price = 1
`

const versionIn = (page: string) => /name="version" value="([^"]+)"/.exec(page)?.[1] ?? ''
const file = (b: TestBot) => readFileSync(join(b.dir, 'redeems.toml'), 'utf8')
const bak = (b: TestBot) => join(b.dir, 'redeems.toml.bak')

async function setUp(): Promise<{ b: TestBot; admin: Admin }> {
	bot = await createTestBot({ env, redeemsToml: REDEEMS })
	return { b: bot, admin: await login(bot, PASSWORD) }
}

describe('create', () => {
	test('a redeem created on the page works in chat at once; redeems.toml keeps its comments and gets a .bak', async () => {
		const { b, admin } = await setUp()
		expect((await b.chat(alice, '!stretch')).status).toBe(204) // not a redeem yet: nothing happens
		const form = await html(b, '/admin/new-redeem', admin)
		expect(form).toContain('<form method="post" action="/admin/new-redeem" class="editor"')
		for (const key of ['price', 'goal', 'title', 'info', 'category', 'cooldown', 'user_cooldown', 'max_per_stream', 'max_per_user_per_stream', 'stock', 'max_note_length', 'only_live', 'auto_fulfil']) {
			expect(form).toContain(`name="${key}"`)
		}
		const created = await act(b, admin, '/admin/new-redeem', {
			version: versionIn(form),
			name: 'stretch',
			type: 'list',
			price: '25',
			goal: '999', // ignored: only milestones have a goal
			info: 'Streamer stretches.',
			category: 'irl, chill',
			cooldown: '30',
			only_live: ''
		})
		expect(flashOf(created).ok).toBe('stretch is created; viewers can use !stretch now. redeems.toml is saved (the previous version is redeems.toml.bak).')
		const text = file(b)
		expect(text.startsWith(REDEEMS)).toBe(true)
		expect(text).toContain('[redeems.stretch]')
		expect(parseRedeems(text, 'redeems.toml').map((r) => r.name)).toEqual(['hydrate', 'lurk', 'stretch'])
		expect(parseRedeems(text, 'redeems.toml')[2]).toMatchObject({ type: 'list', price: 25, info: 'Streamer stretches.', categories: ['irl', 'chill'], limits: { cooldown: 30 } })
		expect(readFileSync(bak(b), 'utf8')).toBe(REDEEMS)
		expect(statSync(bak(b)).mode & 0o777).toBe(0o600)
		// In force without a restart (the categories are off, so switch one on first through the same page).
		expect(flashOf(await act(b, admin, '/admin/categories/irl', { on: '1' })).ok).toBe('Category irl is on.')
		expect((await b.chatReplies(alice, '!stretch'))[0]).toContain('stretch')
		expect(b.db.query('SELECT redeem, cost FROM redemptions').all()).toEqual([{ redeem: 'stretch', cost: 25 }])
		expect(b.db.query<{ action: string; detail: string }, []>("SELECT action, detail FROM audit_log WHERE action LIKE 'redeem %'").all()).toEqual([
			{ action: 'redeem created', detail: 'stretch: created' }
		])
	})

	test('an invalid redeem shows the schema error under its field and changes nothing', async () => {
		const { b, admin } = await setUp()
		const form = await html(b, '/admin/new-redeem', admin)
		const bad = await act(b, admin, '/admin/new-redeem', { version: versionIn(form), name: 'oops', type: 'note', price: '-1', max_note_length: '900' })
		expect(bad.status).toBe(422)
		const page = await bad.text()
		expect(page).toContain('Nothing was saved: redeems.toml: redeems.oops.price:')
		expect(page).toMatch(/id="f-price" name="price" value="-1"[^>]*aria-invalid="true"/)
		expect(page).toMatch(/<p class="field-error" id="f-price-error">expected [^<]*<\/p>/)
		// What was typed is still in the form.
		expect(page).toContain('name="max_note_length" value="900"')
		expect(file(b)).toBe(REDEEMS)
		expect(existsSync(bak(b))).toBe(false)
		// A taken name (commands ignore case), a name with a space, no name.
		const taken = await (await act(b, admin, '/admin/new-redeem', { version: versionIn(form), name: 'HYDRATE', type: 'list', price: '1' })).text()
		expect(taken).toMatch(/<p class="field-error" id="f-name-error">[^<]*hydrate[^<]*<\/p>/)
		const spaced = await act(b, admin, '/admin/new-redeem', { version: versionIn(form), name: 'two words', type: 'list', price: '1' })
		expect(spaced.status).toBe(422)
		expect(await spaced.text()).toContain('id="f-name-error"')
		expect((await act(b, admin, '/admin/new-redeem', { version: versionIn(form), name: '', type: 'list' })).status).toBe(422)
		expect(file(b)).toBe(REDEEMS)
	})

	test('a file changed on disk since the page loaded is never overwritten', async () => {
		const { b, admin } = await setUp()
		const form = await html(b, '/admin/redeems/hydrate/edit', admin)
		expect(form).toContain('name="price" value="60"')
		const byHand = REDEEMS.replace('price = 60', 'price = 70')
		writeFileSync(join(b.dir, 'redeems.toml'), byHand)
		const stale = await act(b, admin, '/admin/redeems/hydrate/edit', { version: versionIn(form), name: 'hydrate', type: 'list', price: '80' })
		expect(stale.status).toBe(409)
		const page = await stale.text()
		expect(page).toContain('redeems.toml was changed on disk since this page was loaded')
		expect(page).toContain('name="price" value="80"')
		expect(file(b)).toBe(byHand)
		// Saving again applies the change to the file as it is now.
		const saved = await act(b, admin, '/admin/redeems/hydrate/edit', { version: versionIn(page), name: 'hydrate', type: 'list', price: '80' })
		expect(flashOf(saved).ok).toContain('hydrate is saved')
		expect(file(b)).toBe(REDEEMS.replace('price = 60', 'price = 80'))
		expect(readFileSync(bak(b), 'utf8')).toBe(byHand)
	})
})

describe('edit, rename, delete', () => {
	test('editing changes one line; the redeems page links to the editor', async () => {
		const { b, admin } = await setUp()
		expect(await html(b, '/admin/redeems', admin)).toContain('href="/admin/redeems/hydrate/edit"')
		const form = await html(b, '/admin/redeems/HYDRATE/edit', admin)
		expect(form).toContain('<h1>Edit hydrate</h1>')
		const saved = await act(b, admin, '/admin/redeems/hydrate/edit', { version: versionIn(form), previous_name: 'hydrate', name: 'hydrate', type: 'list', price: '75', stock: '3' })
		expect(flashOf(saved).ok).toContain('hydrate is saved')
		expect(file(b)).toBe(REDEEMS.replace('price = 60 # cheap on purpose', 'price = 75 # cheap on purpose\nstock = 3'))
		expect(await b.chatReplies(alice, '!hydrate')).toHaveLength(1)
		expect(b.balance(alice.id)).toBe(425)
	})

	test('a rename says first what stays under the old name, then keeps it archived', async () => {
		const { b, admin } = await setUp()
		await b.chatReplies(alice, '!hydrate')
		await b.chatReplies(alice, '!lurk')
		const form = await html(b, '/admin/redeems/lurk/edit', admin)
		const fields = { version: versionIn(form), previous_name: 'lurk', name: 'lurking', type: 'counter', price: '1' }
		const ask = await act(b, admin, '/admin/redeems/lurk/edit', fields)
		expect(ask.status).toBe(200)
		const askPage = await ask.text()
		expect(askPage).toContain('<h1>Rename lurk to lurking?</h1>')
		expect(askPage).toContain('Its count of 1 is kept under lurk and listed as archived on the Redeems tab.')
		expect(file(b)).toBe(REDEEMS)
		const done = await act(b, admin, '/admin/redeems/lurk/edit', { ...fields, confirm: 'yes' })
		expect(flashOf(done).ok).toContain('lurking is renamed from lurk')
		expect(parseRedeems(file(b), 'redeems.toml').map((r) => r.name)).toEqual(['hydrate', 'lurking'])
		expect(await b.chatReplies(alice, '!lurking')).toHaveLength(1)
		const redeems = await html(b, '/admin/redeems', admin)
		expect(redeems).toContain('<li>lurk (counter): count 1</li>')

		// Deleting hydrate with a pending redemption: said first, then the entry stays in the queue, archived.
		const hydrate = await html(b, '/admin/redeems/hydrate/edit', admin)
		const askDelete = await act(b, admin, '/admin/redeems/hydrate/delete', { version: versionIn(hydrate) })
		expect(await askDelete.text()).toContain('1 pending redemption of hydrate stay in the queue under that name, marked archived')
		expect(file(b)).toContain('[redeems.hydrate]')
		const deleted = await act(b, admin, '/admin/redeems/hydrate/delete', { version: versionIn(hydrate), confirm: 'yes' })
		expect(flashOf(deleted).ok).toBe('hydrate is deleted; redeems.toml is saved (the previous version is redeems.toml.bak).')
		expect(file(b)).not.toContain('hydrate')
		expect(file(b)).toContain('# My redeems. Keep this comment!')
		const queue = await html(b, '/admin', admin)
		expect(queue).toMatch(/<span>hydrate<\/span><span class="archived"[^>]*>archived<\/span>/)
		expect(await b.chatReplies(alice, '!hydrate', 0)).toEqual([])
		expect(b.db.query<{ action: string }, []>("SELECT action FROM audit_log WHERE action LIKE 'redeem %' ORDER BY id").all().map((r) => r.action)).toEqual([
			'redeem renamed',
			'redeem deleted'
		])
	})

	test('every editor form needs a session and the CSRF token', async () => {
		const { b, admin } = await setUp()
		const form = await html(b, '/admin/new-redeem', admin)
		const fields = { version: versionIn(form), name: 'sneaky', type: 'list', price: '1' }
		expect((await send(b, '/admin/new-redeem', { form: fields })).status).toBe(303)
		expect((await send(b, '/admin/new-redeem', { cookie: admin.cookie, form: fields })).status).toBe(403)
		expect((await send(b, '/admin/redeems/hydrate/delete', { cookie: admin.cookie, form: { ...fields, confirm: 'yes' } })).status).toBe(403)
		expect((await send(b, '/admin/new-redeem')).headers.get('location')).toBe('/admin/login')
		expect(file(b)).toBe(REDEEMS)
		const missing = await act(b, admin, '/admin/redeems/nope/edit', fields)
		expect(flashOf(missing).error).toBe('There is no redeem called nope in redeems.toml; nothing was saved.')
		expect(await follow(b, admin, await send(b, '/admin/redeems/nope/edit', { cookie: admin.cookie }))).toContain('There is no redeem called nope in redeems.toml.')
	})
})
