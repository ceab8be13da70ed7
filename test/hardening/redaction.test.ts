// A user name and password inside owncast_url or public_url (http://user:pw@host) never reach the logs, the
// printed URLs or config error messages.
import { afterEach, describe, expect, test } from 'bun:test'
import { createLogger, redactUrl } from '../../src/log.ts'
import { createChatSender } from '../../src/modules/owncast/chat-sender.ts'
import { createOwncastClient } from '../../src/modules/owncast/client.ts'
import { makeInstance, runTlapbot, useTempDirs } from '../helpers.ts'
import { startFakeOwncast, type FakeOwncast } from '../support/fake-owncast.ts'
import { startServe, useServes } from '../support/serve.ts'

useTempDirs()
useServes()

let fake: FakeOwncast | undefined
afterEach(() => {
	fake?.stop()
	fake = undefined
})

const PASSWORD = 'hunter2'
const UNREACHABLE = `http://user:${PASSWORD}@127.0.0.1:1`

function capturingLogger() {
	const lines: string[] = []
	return { log: createLogger('debug', (_level, line) => lines.push(line)), lines }
}

describe('redactUrl', () => {
	test('hides the user name and password of every URL in a text, and nothing else', () => {
		expect(redactUrl(UNREACHABLE)).toBe('http://***@127.0.0.1:1')
		expect(redactUrl(new URL('https://a:b@example.com/x'))).toBe('https://***@example.com/x')
		// A password with an "@" in it is hidden whole.
		expect(redactUrl('see https://me:p@ss@live.example.com/api and http://x:y@h')).toBe('see https://***@live.example.com/api and http://***@h')
		expect(redactUrl('"ftp://only-user@host"')).toBe('"ftp://***@host"')
		for (const text of ['http://localhost:8080/api', 'mail alice@example.com about http://host/a@b', 'no URL here']) {
			expect(redactUrl(text)).toBe(text)
		}
	})

	test('the logger hides URL credentials even when a caller forgets', () => {
		const { log, lines } = capturingLogger()
		log.warn(`oops ${UNREACHABLE}`)
		log.error('failed', new Error(`fetch ${UNREACHABLE} failed`))
		expect(lines.join('\n')).not.toContain(PASSWORD)
		expect(lines.join('\n')).toContain('http://***@127.0.0.1:1')
	})
})

describe('Owncast client messages', () => {
	test('a failed call to an owncast_url with credentials logs none of them', async () => {
		const client = createOwncastClient({ baseUrl: UNREACHABLE, accessToken: 'token', timeoutMs: 2000 })
		const status = await client.status()
		expect(status.ok).toBe(false)
		if (status.ok) return
		expect(status.fault).toBe('unreachable')
		expect(status.message).not.toContain(PASSWORD)
		expect(status.message).toContain('cannot reach Owncast at http://***@127.0.0.1:1')

		const { log, lines } = capturingLogger()
		const chat = createChatSender(client, log)
		chat.send(['hello'])
		await chat.idle()
		expect(lines.some((l) => l.includes('chat reply not delivered'))).toBe(true)
		expect(lines.join('\n')).not.toContain(PASSWORD)
	})

	test('a timeout names the Owncast address without its credentials', async () => {
		fake = startFakeOwncast()
		fake.mode = 'slow'
		const baseUrl = fake.url.replace('http://', `http://user:${PASSWORD}@`)
		const client = createOwncastClient({ baseUrl, accessToken: fake.token, timeoutMs: 200 })
		const status = await client.status()
		expect(status.ok ? undefined : status.fault).toBe('timeout')
		expect(status.ok ? '' : status.message).not.toContain(PASSWORD)
	})
})

describe('printed by the CLI', () => {
	test('a config error echoing a URL with credentials hides them', async () => {
		const { root } = makeInstance()
		const result = await runTlapbot(['init-db'], { cwd: root, env: { TLAPBOT_OWNCAST_URL: `ftp://user:${PASSWORD}@live.example.com` } })
		expect(result.code).toBe(2)
		expect(result.stderr).toContain('TLAPBOT_OWNCAST_URL')
		expect(result.stderr).toContain('ftp://***@live.example.com')
		expect(result.stdout + result.stderr).not.toContain(PASSWORD)
	})

	test('serve prints public_url and Owncast faults without credentials', async () => {
		const { root } = makeInstance()
		const served = await startServe({
			cwd: root,
			env: {
				TLAPBOT_PUBLIC_URL: `https://bot:${PASSWORD}@bot.example.com`,
				TLAPBOT_OWNCAST_URL: UNREACHABLE,
				TLAPBOT_OWNCAST_ACCESS_TOKEN: 'token'
			}
		})
		await served.waitForOutput('Owncast external action URL')
		// The points cycle runs at once and cannot reach Owncast.
		await served.waitForOutput('points cycle skipped')
		await served.stop()
		expect(served.output()).toContain('Owncast webhook URL: https://***@bot.example.com/owncastWebhook')
		expect(served.output()).toContain('cannot reach Owncast at http://***@127.0.0.1:1')
		expect(served.output()).not.toContain(PASSWORD)
	})
})
