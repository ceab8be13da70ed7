// Attacks from the hardening round, at a small scale: replayed webhooks (after a restart, on a second process,
// after many other messages, without ids, stream start/stop pairs) and another process holding the database's
// write lock while webhooks, pages and admin forms arrive.
import { Database } from 'bun:sqlite'
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { afterEach, describe, expect, test } from 'bun:test'
import { createApp } from '../../src/app.ts'
import { createBot } from '../../src/bot.ts'
import { openDatabase } from '../../src/db/database.ts'
import { createLogger } from '../../src/log.ts'
import { createEventBacklog } from '../../src/modules/bot/backlog.ts'
import { createHeldJournal, heldJournalPath } from '../../src/modules/bot/held-journal.ts'
import type { OwncastEvent } from '../../src/modules/owncast/model.ts'
import { waitFor } from '../helpers.ts'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'
import { chatEvent, streamEvent } from '../support/payloads.ts'

let bot: TestBot | undefined
const cleanups: (() => void)[] = []
afterEach(() => {
	for (const cleanup of cleanups.splice(0).reverse()) cleanup()
	bot?.close()
	bot = undefined
})

const alice = { id: 'alice', displayName: 'Alice' }
const rich = { TLAPBOT_STARTING_POINTS: '1000' }
const redemptions = (b: TestBot) => (b.db.query('SELECT count(*) AS n FROM redemptions').get() as { n: number }).n

/** A second process on the same database: its own connection, bot and app. */
function secondProcess(b: TestBot) {
	const { config, redeems } = b.deps.settings()
	const db = openDatabase(config.databasePath)
	const other = createBot({ config, redeems, db, log: createLogger('error', () => {}) })
	const app = createApp(other)
	cleanups.push(() => db.close())
	return (body: unknown) =>
		app.handle(new Request('http://localhost/owncastWebhook', { method: 'POST', body: JSON.stringify(body) }))
}

describe('webhook replay', () => {
	test('the same CHAT command delivered to a second process (or after a restart) counts once', async () => {
		bot = await createTestBot({ env: rich })
		const event = chatEvent(alice, '!hydrate')
		expect((await bot.post(event)).status).toBe(204)
		expect((await secondProcess(bot)(event)).status).toBe(204)
		expect(redemptions(bot)).toBe(1)
		expect(bot.balance('alice')).toBe(940)
	})

	test('a command replayed after 10,001 other messages still counts once', async () => {
		bot = await createTestBot({ env: rich })
		const event = chatEvent(alice, '!hydrate')
		await bot.post(event)
		for (let i = 0; i < 10_001; i++) await bot.post(chatEvent({ id: `v${i % 50}`, displayName: `V${i % 50}` }, 'hello'))
		await bot.post(event)
		expect(redemptions(bot)).toBe(1)
	}, 60_000)

	test('a CHAT without an id (missing, null or "") runs no command, every time', async () => {
		bot = await createTestBot({ env: rich })
		for (const id of [undefined, null, '']) {
			const event = chatEvent(alice, '!hydrate')
			const eventData: Record<string, unknown> = { ...event.eventData }
			if (id === undefined) delete eventData.id
			else eventData.id = id
			expect((await bot.post({ ...event, eventData })).status).toBe(204)
		}
		await settle(bot)
		expect(redemptions(bot)).toBe(0)
		expect(bot.fake.messages).toEqual([])
		// The viewer was still seen.
		expect(bot.balance('alice')).toBe(1000)
	})

	test('a replayed STREAM_STARTED/STREAM_STOPPED pair starts no new stream and resets nothing', async () => {
		bot = await createTestBot({
			env: { ...rich, TLAPBOT_RESET_ON_STREAM_START: 'counters' },
			redeemsToml: '[redeems.wave]\ntype = "counter"\nprice = 1\nmax_per_stream = 1\n'
		})
		const started = streamEvent('STREAM_STARTED')
		const stopped = streamEvent('STREAM_STOPPED')
		await bot.post(started)
		await bot.chatReplies(alice, '!wave')
		await bot.post(stopped)
		for (let i = 0; i < 3; i++) {
			await bot.post(started)
			await bot.post(stopped)
		}
		expect(bot.db.query('SELECT count(*) AS n FROM streams').get()).toEqual({ n: 1 })
		expect(bot.deps.stores.redeems.counter('wave')?.count).toBe(1)
	})

	test('a STREAM_STARTED within 10 minutes of the last stop continues the stream; later, a new one begins', async () => {
		let now = Date.UTC(2026, 10, 29, 20)
		bot = await createTestBot({
			env: { ...rich, TLAPBOT_RESET_ON_STREAM_START: 'counters' },
			redeemsToml: '[redeems.wave]\ntype = "counter"\nprice = 1\nmax_per_stream = 1\n',
			clock: () => now
		})
		await bot.post(streamEvent('STREAM_STARTED'))
		await bot.chatReplies(alice, '!wave')
		await bot.post(streamEvent('STREAM_STOPPED'))
		now += 5 * 60_000
		// An encoder blip: same stream, same limits, no reset.
		await bot.post(streamEvent('STREAM_STARTED'))
		expect(await bot.chatReplies(alice, '!wave')).toEqual(['@Alice, wave has been used 1 times this stream, its limit. Try again next stream.'])
		expect(bot.deps.stores.redeems.counter('wave')?.count).toBe(1)
		// A start while the stream is open changes nothing.
		await bot.post(streamEvent('STREAM_STARTED'))
		expect(bot.db.query('SELECT count(*) AS n FROM streams').get()).toEqual({ n: 1 })
		await bot.post(streamEvent('STREAM_STOPPED'))
		now += 11 * 60_000
		await bot.post(streamEvent('STREAM_STARTED'))
		expect(bot.db.query('SELECT count(*) AS n FROM streams').get()).toEqual({ n: 2 })
		expect(bot.deps.stores.redeems.counter('wave')?.count).toBe(0)
		expect(await bot.chatReplies(alice, '!wave')).toEqual(['@Alice redeemed wave! It is at 1 now. 998 points left.'])
	})
})

describe('another process holds the write lock', () => {
	/** Another connection takes the write lock and keeps it until release() (in this thread: we must never wait for it). */
	function lockDatabase(b: TestBot) {
		const other = new Database(b.deps.settings().config.databasePath)
		other.run('BEGIN IMMEDIATE')
		other.run("INSERT INTO bot_state (key, value) VALUES ('lock_test', '1') ON CONFLICT (key) DO UPDATE SET value = excluded.value")
		const release = () => {
			if (other.inTransaction) other.run('COMMIT')
		}
		cleanups.push(() => {
			release()
			other.close()
		})
		return release
	}

	test('webhooks are answered at once and applied in order when the lock frees; pages keep answering', async () => {
		bot = await createTestBot({ env: rich })
		await bot.chat(alice, 'hello')
		const release = lockDatabase(bot)
		expect((await bot.chat(alice, '!hydrate')).status).toBe(204)
		expect((await bot.chat(alice, '!points')).status).toBe(204)
		expect((await bot.chat({ id: 'bob', displayName: 'Bob' }, 'hi')).status).toBe(204)
		expect(redemptions(bot)).toBe(0)
		expect(bot.deps.backlog.size).toBe(3)
		expect((await bot.app.handle(new Request('http://localhost/healthz'))).status).toBe(200)
		expect((await bot.app.handle(new Request('http://localhost/dashboard'))).status).toBe(200)
		expect(bot.logs.some((l) => l.includes('holding webhook events in memory'))).toBe(true)
		release()
		await waitFor(() => (bot!.deps.backlog.size === 0 ? true : undefined), { what: 'the held events to be applied' })
		expect(redemptions(bot)).toBe(1)
		expect(await bot.fake.waitForMessages(2)).toEqual(['@Alice redeemed hydrate (#1)! 940 points left.', '@Alice, you have 940 points.'])
		// Bob only chatted: he is written with the next flush of the viewers seen in chat (serve: within a second).
		bot.deps.sightings.flush()
		expect(bot.balance('bob')).toBe(1000)
		expect(bot.logs.some((l) => l.includes('the database is free again: applied 3 held webhook events'))).toBe(true)
	})

	test('an admin change while locked answers 503 and changes nothing', async () => {
		bot = await createTestBot({ env: rich })
		bot.reconfigure({ admin_password: 'correct horse battery' })
		const release = lockDatabase(bot)
		const response = await bot.app.handle(
			new Request('http://localhost/admin/login', {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: 'password=correct+horse+battery'
			})
		)
		expect(response.status).toBe(503)
		expect(response.headers.get('content-type')).toContain('text/html')
		expect(await response.text()).toContain('The database is busy')
		release()
	})

	test('when the backlog is full, further events are refused with 503 and the loss is logged', () => {
		const logs: string[] = []
		const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })
		let locked = true
		const applied: string[] = []
		const backlog = createEventBacklog(
			(event) => {
				if (locked) throw busy
				applied.push(event.type === 'CHAT' ? (event.rawBody ?? '') : event.type)
			},
			createLogger('debug', (_l, line) => logs.push(line)),
			{ limit: 2, retryMs: 60_000 }
		)
		const user = { id: 'u', displayName: 'U', isBot: false, isModerator: false }
		const chat = (text: string): OwncastEvent => ({ type: 'CHAT', user, rawBody: text, body: undefined, id: text, clientId: 0 })
		expect(backlog.accept(chat('one'))).toBe('held')
		expect(backlog.accept(chat('two'))).toBe('held')
		expect(backlog.accept(chat('three'))).toBe('full')
		expect(logs.some((l) => l.includes('webhook backlog full (2 events held): dropped CHAT from viewer u'))).toBe(true)
		locked = false
		expect(backlog.flush()).toBe(0)
		expect(applied).toEqual(['one', 'two'])
	})

	test('held events go to the journal beside the database before the webhook is answered; it is emptied once they are applied', async () => {
		bot = await createTestBot({ env: rich })
		const journal = heldJournalPath(bot.deps.settings().config.databasePath)
		await bot.chat(alice, 'hello')
		const release = lockDatabase(bot)
		expect((await bot.chat(alice, '!hydrate')).status).toBe(204)
		expect((await bot.chat(alice, '!points')).status).toBe(204)
		const lines = readFileSync(journal, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { event: OwncastEvent })
		expect(lines.map((line) => line.event.type === 'CHAT' && line.event.rawBody)).toEqual(['!hydrate', '!points'])
		expect(statSync(journal).mode & 0o777).toBe(0o600)
		release()
		await waitFor(() => (bot!.deps.backlog.size === 0 ? true : undefined), { what: 'the held events to be applied' })
		expect(readFileSync(journal, 'utf8')).toBe('')
		expect(redemptions(bot)).toBe(1)
	})

	test('a journal cut off in the middle of a line: the readable events come back, the broken line is counted', () => {
		const databasePath = join(mkdtempSync(join(tmpdir(), 'tlapbot-held-')), 'tlapbot.sqlite')
		const user = { id: 'u', displayName: 'U', isBot: false, isModerator: false }
		const chat = (text: string): OwncastEvent => ({ type: 'CHAT', user, rawBody: text, body: text, id: text, clientId: 1 })
		const crashed = createHeldJournal(databasePath)
		crashed.append({ event: chat('one'), receivedAt: 1 })
		crashed.append({ event: chat('two'), receivedAt: 2 })
		appendFileSync(heldJournalPath(databasePath), '{"event":{"type":"CHAT","us')
		// The next start (the same process id here, as often in a container): its predecessor's file is recovered.
		const recovered = createHeldJournal(databasePath).recover()
		expect(recovered.unreadable).toBe(1)
		expect(recovered.events).toEqual([
			{ event: chat('one'), receivedAt: 1 },
			{ event: chat('two'), receivedAt: 2 }
		])
		recovered.forget()
		expect(readdirSync(dirname(databasePath))).toEqual([])
	})

	test("one file per process: a running process's file is left alone, a gone process's is applied and deleted", async () => {
		const folder = mkdtempSync(join(tmpdir(), 'tlapbot-held-'))
		const databasePath = join(folder, 'tlapbot.sqlite')
		const user = { id: 'u', displayName: 'U', isBot: false, isModerator: false }
		const line = (text: string) => `${JSON.stringify({ event: { type: 'CHAT', user, rawBody: text, body: text, id: text, clientId: 1 }, receivedAt: 1 })}\n`
		// A process that has ended, and one that runs (the one that started this test).
		const ended = Bun.spawn(['true'])
		await ended.exited
		writeFileSync(heldJournalPath(databasePath, ended.pid), line('from the ended one'))
		writeFileSync(heldJournalPath(databasePath, process.ppid), line('from the running one'))
		const recovered = createHeldJournal(databasePath).recover()
		expect(recovered.events.map((held) => held.event.type === 'CHAT' && held.event.rawBody)).toEqual(['from the ended one'])
		recovered.forget()
		expect(readdirSync(folder)).toEqual([basename(heldJournalPath(databasePath, process.ppid))])
	})
})
