import { afterEach, describe, expect, test } from 'bun:test'
import { createRateLimiter } from '../../src/modules/chat/rate-limit.ts'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'
import { chatEvent } from '../support/payloads.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const alice = { id: 'alice', displayName: 'Alice' }

describe('body size', () => {
	test('a body over 64 KB gets 413 before it is parsed', async () => {
		bot = await createTestBot()
		const event = chatEvent(alice, `!react ${'x'.repeat(70_000)}`)
		const response = await bot.post(event)
		expect(response.status).toBe(413)
		expect(bot.deps.stores.viewers.viewer('alice')).toBeUndefined()
	})

	test('a streamed body without Content-Length is cut off at 64 KB too', async () => {
		bot = await createTestBot()
		const chunk = new TextEncoder().encode('x'.repeat(16 * 1024))
		let sent = 0
		const body = new ReadableStream<Uint8Array>({
			pull(controller) {
				if (sent++ >= 100) controller.close()
				else controller.enqueue(chunk)
			}
		})
		const response = await bot.app.handle(new Request('http://localhost/owncastWebhook', { method: 'POST', body, duplex: 'half' } as RequestInit))
		expect(response.status).toBe(413)
		// It stopped reading soon after the limit instead of taking all 1.6 MB.
		expect(sent).toBeLessThan(10)
	})

	test('a body just under the limit is processed', async () => {
		bot = await createTestBot()
		const event = chatEvent(alice, 'hello')
		const padded = { ...event, eventData: { ...event.eventData, padding: 'p'.repeat(60_000) } }
		expect((await bot.post(padded)).status).toBe(204)
		expect(bot.balance('alice')).toBe(10)
	})
})

describe('per-viewer command rate limit', () => {
	test('the limiter allows the rate and refills over time', () => {
		const limiter = createRateLimiter(1)
		expect(limiter.allow('a', 0)).toBe(true)
		expect(limiter.allow('a', 100)).toBe(false)
		expect(limiter.allow('b', 100)).toBe(true)
		expect(limiter.allow('a', 1000)).toBe(true)
		expect(limiter.allow('a', 1500)).toBe(false)
		const fast = createRateLimiter(5)
		expect([0, 0, 0, 0, 0, 0].map(() => fast.allow('x', 0))).toEqual([true, true, true, true, true, false])
		const off = createRateLimiter(0)
		expect(Array.from({ length: 100 }, () => off.allow('x', 0)).every(Boolean)).toBe(true)
	})

	test('a viewer flooding commands gets one answer per second; the rest is ignored silently', async () => {
		bot = await createTestBot({ env: { TLAPBOT_COMMAND_RATE_LIMIT: '1', TLAPBOT_STARTING_POINTS: '1000' } })
		const bob = { id: 'bob', displayName: 'Bob' }
		const responses = await Promise.all([
			...Array.from({ length: 20 }, () => bot!.chat(alice, '!hydrate')),
			bot.chat(bob, '!points')
		])
		expect(responses.every((r) => r.status === 204)).toBe(true)
		await settle(bot)
		expect(bot.fake.messages.filter((m) => m.startsWith('@Alice'))).toEqual(['@Alice redeemed hydrate (#1)! 940 points left.'])
		expect(bot.fake.messages).toContain('@Bob, you have 1000 points.')
		expect(bot.balance('alice')).toBe(940)
		// Plain chat is never limited: it still tracks the viewer.
		expect((await bot.chat({ ...alice, displayName: 'Alice2' }, 'just talking')).status).toBe(204)
		expect(bot.deps.stores.viewers.viewer('alice')?.displayName).toBe('Alice2')
	})

	test('0 turns the limit off', async () => {
		bot = await createTestBot({ env: { TLAPBOT_COMMAND_RATE_LIMIT: '0', TLAPBOT_STARTING_POINTS: '1000' } })
		await Promise.all(Array.from({ length: 5 }, () => bot!.chat(alice, '!lurk')))
		await settle(bot)
		expect(bot.deps.stores.redeems.counter('lurk')?.count).toBe(5)
	})
})

describe('HTTP headers', () => {
	test('security headers everywhere; only the dashboard may be framed', async () => {
		bot = await createTestBot()
		for (const path of ['/healthz', '/api/dashboard', '/nope']) {
			const response = await bot.app.handle(new Request(`http://localhost${path}`))
			expect(response.headers.get('x-content-type-options')).toBe('nosniff')
			expect(response.headers.get('x-frame-options')).toBe('DENY')
			expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
		}
		const webhook = await bot.post(chatEvent(alice, 'hi'))
		expect(webhook.headers.get('x-frame-options')).toBe('DENY')
		const dashboard = await bot.app.handle(new Request('http://localhost/dashboard'))
		expect(dashboard.headers.get('x-frame-options')).toBeNull()
		expect(dashboard.headers.get('content-security-policy')).toContain('frame-ancestors *')
		expect(dashboard.headers.get('x-content-type-options')).toBe('nosniff')
	})
})
