import { afterEach, describe, expect, test } from 'bun:test'
import { authenticateWebhook, constantTimeEqual, sign, verifySignature } from '../../src/modules/owncast/signature.ts'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'
import { chatEvent } from '../support/payloads.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const SECRET = 'a-long-webhook-secret-0123456789'
const alice = { id: 'alice', displayName: 'Alice' }
const nowSeconds = () => Math.floor(Date.now() / 1000)
const signed = (body: string, t = nowSeconds(), secret = SECRET) => ({ 'owncast-signature': `t=${t}.s=${sign(secret, t, body)}` })

/** A POST, then the write of the viewers it saw (serve does it within a second; nothing to write after a refusal). */
async function postTo(b: TestBot, path: string, body: string, headers: Record<string, string> = {}) {
	const response = await b.app.handle(new Request(`http://localhost${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }))
	b.deps.sightings.flush()
	return response
}

describe('signature checks', () => {
	test('verifySignature accepts the exact body and rejects any change', () => {
		const body = '{"type":"CHAT"}'
		const t = 1_800_000_000
		expect(verifySignature(`t=${t}.s=${sign(SECRET, t, body)}`, body, SECRET, t)).toEqual({ ok: true, via: 'signature' })
		expect(verifySignature(`t=${t}.s=${sign(SECRET, t, body)}`, `${body} `, SECRET, t).ok).toBe(false)
		expect(verifySignature(`t=${t}.s=${sign('other-secret', t, body)}`, body, SECRET, t).ok).toBe(false)
		expect(verifySignature(`t=${t + 1}.s=${sign(SECRET, t, body)}`, body, SECRET, t).ok).toBe(false)
		// Owncast separates the parts with a dot; other shapes are malformed.
		expect(verifySignature(`t=${t},s=${sign(SECRET, t, body)}`, body, SECRET, t).ok).toBe(false)
		expect(verifySignature('garbage', body, SECRET, t).ok).toBe(false)
	})

	test('timestamps more than 300 s away either way fail', () => {
		const body = '{}'
		const t = 1_800_000_000
		expect(verifySignature(`t=${t}.s=${sign(SECRET, t, body)}`, body, SECRET, t + 300).ok).toBe(true)
		expect(verifySignature(`t=${t}.s=${sign(SECRET, t, body)}`, body, SECRET, t + 301).ok).toBe(false)
		expect(verifySignature(`t=${t}.s=${sign(SECRET, t, body)}`, body, SECRET, t - 300).ok).toBe(true)
		expect(verifySignature(`t=${t}.s=${sign(SECRET, t, body)}`, body, SECRET, t - 301).ok).toBe(false)
	})

	test('the URL secret is an alternative for Owncast versions that cannot sign', () => {
		expect(authenticateWebhook({ rawBody: '{}', urlSecret: SECRET }, SECRET, 0)).toEqual({ ok: true, via: 'url_secret' })
		expect(authenticateWebhook({ rawBody: '{}', urlSecret: `${SECRET}x` }, SECRET, 0).ok).toBe(false)
		expect(authenticateWebhook({ rawBody: '{}', urlSecret: '' }, SECRET, 0).ok).toBe(false)
		expect(authenticateWebhook({ rawBody: '{}' }, SECRET, 0).ok).toBe(false)
	})

	test('constantTimeEqual compares whole strings of any length', () => {
		expect(constantTimeEqual('abc', 'abc')).toBe(true)
		expect(constantTimeEqual('abc', 'abd')).toBe(false)
		expect(constantTimeEqual('abc', 'abcd')).toBe(false)
		expect(constantTimeEqual('', '')).toBe(true)
	})
})

describe('webhook with webhook_secret set', () => {
	test('a signed webhook is processed', async () => {
		bot = await createTestBot({ env: { TLAPBOT_WEBHOOK_SECRET: SECRET } })
		const body = JSON.stringify(chatEvent(alice, '!points'))
		const response = await postTo(bot, '/owncastWebhook', body, signed(body))
		expect(response.status).toBe(204)
		expect(await bot.fake.waitForMessages(1)).toEqual(['@Alice, you have 10 points.'])
	})

	test('?secret= in the URL is processed', async () => {
		bot = await createTestBot({ env: { TLAPBOT_WEBHOOK_SECRET: SECRET } })
		const response = await postTo(bot, `/owncastWebhook?secret=${encodeURIComponent(SECRET)}`, JSON.stringify(chatEvent(alice, 'hi')))
		expect(response.status).toBe(204)
		expect(bot.balance('alice')).toBe(10)
	})

	test('unsigned, wrongly signed, stale, future or wrong-secret webhooks get 401 and change nothing', async () => {
		bot = await createTestBot({ env: { TLAPBOT_WEBHOOK_SECRET: SECRET } })
		const body = JSON.stringify(chatEvent(alice, '!hydrate'))
		const attempts: [string, Record<string, string>][] = [
			['/owncastWebhook', {}],
			['/owncastWebhook', signed(body, nowSeconds(), 'not-the-secret')],
			// Well outside the 300 s either way: the bot reads its clock a moment later, maybe in the next second
			// (the exact edge is tested above with a fixed clock).
			['/owncastWebhook', signed(body, nowSeconds() - 310)],
			['/owncastWebhook', signed(body, nowSeconds() + 310)],
			['/owncastWebhook', signed(`${body}\n`)],
			['/owncastWebhook', { 'owncast-signature': 'nonsense' }],
			['/owncastWebhook?secret=wrong', {}],
			['/owncastWebhook?secret=', {}]
		]
		for (const [path, headers] of attempts) {
			const response = await postTo(bot, path, body, headers)
			expect({ path, headers, status: response.status }).toEqual({ path, headers, status: 401 })
		}
		await settle(bot)
		expect(bot.deps.stores.viewers.viewer('alice')).toBeUndefined()
		expect(bot.fake.messages).toEqual([])
		// Logged, but at most once a minute.
		expect(bot.logs.filter((l) => l.includes('webhook refused'))).toHaveLength(1)
		expect(bot.logs.join('\n')).not.toContain(SECRET)
	})

	test('without webhook_secret, unsigned webhooks are accepted', async () => {
		bot = await createTestBot()
		expect((await postTo(bot, '/owncastWebhook', JSON.stringify(chatEvent(alice, 'hi')))).status).toBe(204)
		expect(bot.balance('alice')).toBe(10)
	})
})
