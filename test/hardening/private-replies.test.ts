// Private replies never leak into public chat: only a clear refusal from Owncast (401, 403, 404) sends them
// publicly; a timeout, a broken connection or a server error may come after Owncast delivered the message.
import { afterEach, describe, expect, test } from 'bun:test'
import { createLogger } from '../../src/log.ts'
import { createChatSender } from '../../src/modules/owncast/chat-sender.ts'
import { createOwncastClient } from '../../src/modules/owncast/client.ts'
import { startFakeOwncast, type FakeOwncast } from '../support/fake-owncast.ts'

let fake: FakeOwncast | undefined
afterEach(() => {
	fake?.stop()
	fake = undefined
})

const SECRET_REPLY = '@Alice, you have 100 points.'

/** A chat sender with private replies on, talking to a fake Owncast through a client that gives up after 200 ms. */
function sender(owncast: FakeOwncast, fetchImpl?: typeof fetch) {
	const logs: string[] = []
	const log = createLogger('debug', (_level, line) => logs.push(line))
	const client = createOwncastClient({
		baseUrl: owncast.url,
		accessToken: owncast.token,
		timeoutMs: 200,
		...(fetchImpl ? { fetch: fetchImpl } : {})
	})
	const chat = createChatSender(client, log, { privateReplies: () => true })
	return { chat, logs }
}

const privateReply = { text: SECRET_REPLY, to: 'viewer' as const }

describe('private replies when Owncast is slow or failing', () => {
	test('a private message answered after the client timeout is dropped, not posted publicly, and logged once', async () => {
		fake = startFakeOwncast()
		fake.privateDelayMs = 600
		const { chat, logs } = sender(fake)
		for (let i = 0; i < 3; i++) chat.send([privateReply], 7)
		await chat.idle()
		// Owncast did deliver them: posting them publicly too would show the viewer's answer to everyone.
		expect(fake.privateMessages.map((m) => m.body)).toEqual([SECRET_REPLY, SECRET_REPLY, SECRET_REPLY])
		expect(fake.messages).toEqual([])
		const warnings = logs.filter((l) => l.includes('private reply not delivered'))
		expect(warnings).toHaveLength(1)
		expect(warnings[0]).toContain('did not answer')
		expect(warnings[0]).toContain('not posted publicly')
	})

	test('a network error on a private message drops it; public chat is not used', async () => {
		fake = startFakeOwncast()
		const broken: typeof fetch = Object.assign(
			async (input: string | URL | Request, init?: RequestInit) => {
				if (String(input).includes('/chat/system/client/')) throw new TypeError('connection reset')
				return fetch(input, init)
			},
			{ preconnect: fetch.preconnect }
		)
		const { chat, logs } = sender(fake, broken)
		chat.send([privateReply], 7)
		await chat.idle()
		expect(fake.messages).toEqual([])
		expect(logs.some((l) => l.includes('private reply not delivered') && l.includes('connection reset'))).toBe(true)
	})

	for (const status of [500, 502, 503]) {
		test(`a ${status} on a private message drops it; public chat is not used`, async () => {
			fake = startFakeOwncast()
			fake.failPrivate = status
			const { chat } = sender(fake)
			chat.send([privateReply], 7)
			await chat.idle()
			expect(fake.messages).toEqual([])
		})
	}

	for (const status of [403, 404]) {
		test(`a clear refusal (${status}) sends the reply to public chat, and private replies stay on`, async () => {
			fake = startFakeOwncast()
			fake.failPrivate = status
			const { chat, logs } = sender(fake)
			chat.send([privateReply], 7)
			await chat.idle()
			expect(fake.messages).toEqual([SECRET_REPLY])
			expect(logs.some((l) => l.includes(`private reply refused`) && l.includes(`${status}`))).toBe(true)
			// A refusal of one message does not turn private replies off (only a 401 does).
			fake.failPrivate = false
			chat.send([privateReply], 7)
			await chat.idle()
			expect(fake.privateMessages.map((m) => m.body)).toEqual([SECRET_REPLY])
		})
	}

	test('a 401 still turns private replies off (logged once) and replies go public from then on', async () => {
		fake = startFakeOwncast()
		fake.refusePrivate = true
		const { chat, logs } = sender(fake)
		chat.send([privateReply], 7)
		await chat.idle()
		chat.send([privateReply], 7)
		await chat.idle()
		expect(fake.messages).toEqual([SECRET_REPLY, SECRET_REPLY])
		expect(fake.requests.filter((r) => r.path.startsWith('/api/integrations/chat/system/client/'))).toHaveLength(1)
		expect(logs.filter((l) => l.includes('private replies turned off'))).toHaveLength(1)
	})
})
