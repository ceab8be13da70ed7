// Points-weighted polls: polls from redeems.toml kept in line with the file, moderators' polls from chat, votes that
// spend points (gone for good, in the ledger), refusals that leave nothing behind, races that never overspend, and
// the events and audit entries each change leaves. Real on-disk SQLite, real stores.
import type { Database } from 'bun:sqlite'
import { afterEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/database.ts'
import { createTransact } from '../../src/db/transaction.ts'
import { createAuditStore } from '../../src/modules/audit/store.ts'
import { sayTo } from '../../src/modules/chat/reply.ts'
import { createEventLog } from '../../src/modules/events/log.ts'
import { createEventStore } from '../../src/modules/events/store.ts'
import { messages } from '../../src/modules/messages/messages.ts'
import { handlePollCommand, handleVoteCommand } from '../../src/modules/polls/commands.ts'
import { createPolls, findOption, type ConfigPoll } from '../../src/modules/polls/service.ts'
import { createPollStore } from '../../src/modules/polls/store.ts'
import { createViewerStore } from '../../src/modules/viewers/store.ts'
import { addViewer, ledgerInvariantViolations, makeTempDir, useTempDirs } from '../helpers.ts'

useTempDirs()

const T0 = Date.parse('2025-03-01T18:00:00.000Z')
const AT = new Date(T0).toISOString()

const opened: Database[] = []
afterEach(() => {
	for (const db of opened.splice(0)) db.close()
})

/** The polls service over one connection to the database at path, with the real stores. */
function connect(path: string) {
	const db = openDatabase(path)
	opened.push(db)
	const viewers = createViewerStore(db, { startingPoints: () => 0 })
	const eventStore = createEventStore(db)
	const audit = createAuditStore(db)
	const store = createPollStore(db)
	const events = createEventLog({ store: eventStore, receivers: () => [], recorded: () => {} })
	const polls = createPolls({ transact: createTransact(db), store, viewers, events, audit })
	return { db, viewers, eventStore, audit, store, polls }
}

function setup(balances: Record<string, number> = {}) {
	const path = join(makeTempDir(), 'tlapbot.sqlite')
	const env = connect(path)
	for (const [id, points] of Object.entries(balances)) addViewer(env.db, id, points, AT)
	return { ...env, path }
}

type Env = ReturnType<typeof setup>

const eventsOf = (env: Env, name?: string) => env.eventStore.after(0, 10_000).filter((e) => name === undefined || e.name === name)
const voteRows = (env: Env) =>
	env.db.query<{ viewer_id: string; delta: number; ref: string | null }, []>("SELECT viewer_id, delta, ref FROM ledger WHERE reason = 'vote' ORDER BY id").all()
const pollRows = (env: Env) =>
	env.db.query<{ id: number; name: string; status: string; opened_by: string }, []>('SELECT id, name, status, opened_by FROM polls ORDER BY id').all()

const FOOD: ConfigPoll = { name: 'food', question: 'Which food?', options: ['pizza', 'soup'] }
const GAME: ConfigPoll = { name: 'game', question: 'Next game?', options: ['Celeste', 'Hollow Knight', 'Tunic'] }

const modSay = sayTo(messages, '!', 'Mod')
const pollCommand = (env: Env, args: string, now = T0) =>
	handlePollCommand({ polls: env.polls, say: modSay, now, actor: 'Mod (mod)', voteCommand: 'vote' }, args)
const voteCommand = (env: Env, viewerId: string, args: string, now = T0) =>
	handleVoteCommand({ polls: env.polls, say: sayTo(messages, '!', viewerId.toUpperCase()), now, viewerId, voteCommand: 'vote' }, args)

describe('polls from redeems.toml', () => {
	test('sync opens the file polls once, and a second sync with the same file changes nothing', () => {
		const env = setup()
		expect(env.polls.sync([FOOD, GAME], T0)).toEqual({ opened: ['food', 'game'], closed: [], blocked: [], invalid: [] })
		expect(env.polls.sync([FOOD, GAME], T0 + 1000)).toEqual({ opened: [], closed: [], blocked: [], invalid: [] })
		expect(pollRows(env)).toEqual([
			{ id: 1, name: 'food', status: 'open', opened_by: 'redeems.toml' },
			{ id: 2, name: 'game', status: 'open', opened_by: 'redeems.toml' }
		])
		const view = env.polls.openPolls()
		expect(view.map((p) => [p.name, p.source, p.total])).toEqual([
			['food', 'file', 0],
			['game', 'file', 0]
		])
		expect(view[1]?.options).toEqual([
			{ name: 'Celeste', points: 0, voters: 0 },
			{ name: 'Hollow Knight', points: 0, voters: 0 },
			{ name: 'Tunic', points: 0, voters: 0 }
		])
		expect(eventsOf(env, 'poll.opened').map((e) => e.data)).toEqual([
			{ poll: 'food', question: 'Which food?', options: ['pizza', 'soup'] },
			{ poll: 'game', question: 'Next game?', options: ['Celeste', 'Hollow Knight', 'Tunic'] }
		])
	})

	test('a changed file poll is closed and reopened; its old votes stay with the old poll', () => {
		const env = setup({ alice: 500 })
		env.polls.sync([FOOD], T0)
		expect(env.polls.vote('alice', 'food', 'pizza', 100, T0).ok).toBe(true)
		const changed = { ...FOOD, options: ['pizza', 'soup', 'salad'] }
		expect(env.polls.sync([changed], T0 + 1000)).toEqual({ opened: ['food'], closed: ['food'], blocked: [], invalid: [] })
		expect(pollRows(env).map((p) => [p.id, p.status])).toEqual([
			[1, 'closed'],
			[2, 'open']
		])
		const [now] = env.polls.openPolls()
		expect(now?.options.map((o) => o.name)).toEqual(['pizza', 'soup', 'salad'])
		expect(now?.total).toBe(0)
		const [old] = env.polls.recentlyClosed(5)
		expect(old?.results).toEqual([
			{ option: 'pizza', points: 100, voters: 1 },
			{ option: 'soup', points: 0, voters: 0 }
		])
		expect(eventsOf(env, 'poll.closed').at(-1)?.data).toEqual({
			poll: 'food',
			question: 'Which food?',
			results: [
				{ option: 'pizza', points: 100, voters: 1 },
				{ option: 'soup', points: 0, voters: 0 }
			]
		})
		// A changed question alone reopens it too.
		expect(env.polls.sync([{ ...changed, question: 'Dinner?' }], T0 + 2000).opened).toEqual(['food'])
		expect(env.polls.openPolls()[0]?.question).toBe('Dinner?')
	})

	test('a file poll removed from the file is closed; moderators\u2019 polls are left alone', () => {
		const env = setup()
		env.polls.sync([FOOD, GAME], T0)
		expect(env.polls.open('drink', 'Tea or coffee?', ['tea', 'coffee'], 'Mod (mod)', T0 + 500).ok).toBe(true)
		expect(env.polls.sync([GAME], T0 + 1000)).toEqual({ opened: [], closed: ['food'], blocked: [], invalid: [] })
		expect(env.polls.sync([], T0 + 2000)).toEqual({ opened: [], closed: ['game'], blocked: [], invalid: [] })
		expect(env.polls.openPolls().map((p) => [p.name, p.source])).toEqual([['drink', 'chat']])
	})

	test('a file poll a moderator closed stays closed at later syncs (a reload, a restart) until the file changes it', () => {
		const env = setup()
		env.polls.sync([FOOD, GAME], T0)
		expect(env.polls.close('food', 'Mod (mod)', T0 + 500).ok).toBe(true)
		expect(env.polls.sync([FOOD, GAME], T0 + 1000)).toEqual({ opened: [], closed: [], blocked: [], invalid: [] })
		// A restart: another connection, the same file.
		const again = connect(env.path)
		expect(again.polls.sync([FOOD, GAME], T0 + 2000)).toEqual({ opened: [], closed: [], blocked: [], invalid: [] })
		expect(again.polls.openPolls().map((p) => p.name)).toEqual(['game'])
		// The streamer edits the poll in the file: a new poll.
		const edited = { ...FOOD, options: ['pizza', 'soup', 'salad'] }
		expect(again.polls.sync([edited, GAME], T0 + 3000)).toEqual({ opened: ['food'], closed: [], blocked: [], invalid: [] })
		// Taken out of the file and put back as it was: it runs again.
		again.polls.sync([GAME], T0 + 4000)
		expect(again.polls.sync([edited, GAME], T0 + 5000).opened).toEqual(['food'])
		expect(pollRows(env).map((r) => [r.name, r.status])).toEqual([
			['food', 'closed'],
			['game', 'open'],
			['food', 'closed'],
			['food', 'open']
		])
		expect(env.db.query('SELECT closed_by AS by FROM polls WHERE name = ? ORDER BY id').all('food')).toEqual([
			{ by: 'Mod (mod)' },
			{ by: 'redeems.toml' },
			{ by: null }
		])
	})

	test('a file poll whose name a moderator poll holds waits; invalid file polls are reported and not opened', () => {
		const env = setup()
		env.polls.open('food', 'Lunch?', ['rice', 'noodles'], 'Mod (mod)', T0)
		const bad: ConfigPoll[] = [
			{ name: 'one', question: 'Only one?', options: ['yes'] },
			{ name: 'twice', question: 'Same?', options: ['A', 'a'] },
			{ name: 'long', question: 'Long?', options: ['x'.repeat(51), 'y'] },
			{ name: 'two words', question: 'Name?', options: ['a', 'b'] }
		]
		const result = env.polls.sync([FOOD, ...bad], T0 + 1000)
		expect(result.opened).toEqual([])
		expect(result.blocked).toEqual(['food'])
		expect(result.invalid.map((i) => i.name)).toEqual(['one', 'twice', 'long', 'two words'])
		expect(env.polls.openPolls().map((p) => [p.name, p.question, p.source])).toEqual([['food', 'Lunch?', 'chat']])
		// Once the moderator's poll is closed, the next sync opens the file's.
		env.polls.close('food', 'Mod (mod)', T0 + 2000)
		expect(env.polls.sync([FOOD], T0 + 3000).opened).toEqual(['food'])
		expect(env.polls.openPolls().map((p) => [p.name, p.question, p.source])).toEqual([['food', 'Which food?', 'file']])
	})

	test('open polls: the file polls in file order first, then the others by opening time', () => {
		const env = setup()
		env.polls.open('zeta', 'Z?', ['a', 'b'], 'Mod (mod)', T0)
		env.polls.sync([FOOD], T0 + 1000)
		env.polls.open('alpha', 'A?', ['a', 'b'], 'Mod (mod)', T0 + 2000)
		env.polls.sync([GAME, FOOD], T0 + 3000)
		expect(env.polls.openPolls().map((p) => `${p.name}:${p.source}`)).toEqual(['game:file', 'food:file', 'zeta:chat', 'alpha:chat'])
	})
})

describe('moderators in chat', () => {
	test('!poll open announces the poll publicly; !poll close announces the results', () => {
		const env = setup({ alice: 300, bob: 300 })
		expect(pollCommand(env, 'open favourite_food Which food? | pizza | soup')).toEqual([
			{ to: 'public', text: 'Poll favourite_food: Which food? Vote with !vote favourite_food <option> <points>: 1. pizza, 2. soup.' }
		])
		env.polls.vote('alice', 'favourite_food', 'soup', 50, T0)
		env.polls.vote('bob', 'favourite_food', 'pizza', 150, T0)
		expect(pollCommand(env, 'close FAVOURITE_FOOD', T0 + 1000)).toEqual([{ to: 'public', text: 'Poll favourite_food is closed: pizza 150, soup 50.' }])
		expect(env.polls.openPolls()).toEqual([])
		expect(env.audit.entries().map((a) => [a.actor, a.action])).toEqual([
			['Mod (mod)', 'poll_close'],
			['Mod (mod)', 'poll_open']
		])
	})

	test('refusals: a poll already open, an unknown poll, invalid options, bad syntax', () => {
		const env = setup()
		pollCommand(env, 'open food Which food? | pizza | soup')
		expect(pollCommand(env, 'open FOOD Again? | a | b')).toEqual([{ to: 'viewer', text: '@Mod, a poll called food is already open.' }])
		expect(pollCommand(env, 'close drinks')).toEqual([{ to: 'viewer', text: '@Mod, there is no open poll called drinks.' }])
		const invalid = pollCommand(env, 'open game Next? | Tunic | tunic')
		expect(invalid).toHaveLength(1)
		expect(invalid?.[0]?.text).toContain('tunic')
		expect(pollCommand(env, 'open game Next? | only')?.[0]?.text).toContain('2 to 10 options')
		expect(pollCommand(env, `open game Next? | ${'x'.repeat(51)} | y`)?.[0]?.text).toContain('1 to 50 characters')
		expect(pollCommand(env, 'open game Next? | a |  | b')?.[0]?.text).toContain('1 to 50 characters')
		// Fifty emoji are fifty characters.
		expect(pollCommand(env, `open emoji Which? | ${'🍕'.repeat(50)} | 🍜`)?.[0]?.to).toBe('public')
		expect(pollCommand(env, `open game Next? | ${Array.from({ length: 11 }, (_, i) => `o${i}`).join(' | ')}`)?.[0]?.text).toContain('2 to 10 options')
		expect(pollCommand(env, 'open game Next?')).toBeUndefined()
		expect(pollCommand(env, 'open game')).toBeUndefined()
		expect(pollCommand(env, 'close')).toBeUndefined()
		expect(pollCommand(env, 'close a b')).toBeUndefined()
		expect(pollCommand(env, 'reopen food')).toBeUndefined()
		expect(pollCommand(env, '')).toBeUndefined()
		expect(pollRows(env)).toHaveLength(2)
		expect(eventsOf(env, 'poll.opened')).toHaveLength(2)
	})

	test('poll names compare case-insensitively, beyond ASCII too; the store refuses a second open poll of a name', () => {
		const env = setup({ alice: 100 })
		expect(env.polls.open('Café', 'Which?', ['a', 'b'], 'Mod (mod)', T0).ok).toBe(true)
		expect(env.polls.open('CAFÉ', 'Again?', ['a', 'b'], 'Mod (mod)', T0)).toEqual({ ok: false, reason: 'already_open', poll: 'Café' })
		expect(env.polls.vote('alice', 'cafÉ', 'B', 10, T0)).toMatchObject({ ok: true, poll: 'Café', option: 'b' })
		expect(env.store.open({ name: 'CAFé', question: 'Q?', options: ['a', 'b'], openedBy: 'test' }, T0)).toBeUndefined()
		expect(env.store.open({ name: 'other', question: 'Q?', options: ['a', 'b'], openedBy: 'test' }, T0)).toBe(2)
		expect(env.store.open({ name: 'OTHER', question: 'Q?', options: ['a', 'b'], openedBy: 'test' }, T0)).toBeUndefined()
		expect(pollCommand(env, 'close CAFÉ')?.[0]?.text).toBe('Poll Café is closed: b 10, a 0.')
	})

	test('a closed name can be opened again as a new poll', () => {
		const env = setup({ alice: 100 })
		pollCommand(env, 'open food Which food? | pizza | soup')
		env.polls.vote('alice', 'food', 'pizza', 10, T0)
		pollCommand(env, 'close food')
		pollCommand(env, 'open food Which food now? | pizza | soup')
		expect(env.polls.openPolls()[0]).toMatchObject({ question: 'Which food now?', total: 0 })
		expect(pollRows(env).map((p) => p.status)).toEqual(['closed', 'open'])
	})
})

describe('voting', () => {
	test('votes by name (any case) and by number; repeated votes add up; the points are gone', () => {
		const env = setup({ alice: 1000, bob: 200 })
		env.polls.sync([GAME], T0)
		expect(voteCommand(env, 'alice', 'game hollow   KNIGHT 100')).toEqual([
			{ to: 'viewer', text: '@ALICE, 100 points for Hollow Knight in game. 900 points left.' }
		])
		expect(voteCommand(env, 'alice', 'GAME 2 50')[0]?.text).toBe('@ALICE, 50 points for Hollow Knight in game. 850 points left.')
		expect(voteCommand(env, 'alice', 'game celeste 1')[0]?.text).toBe('@ALICE, 1 point for Celeste in game. 849 points left.')
		const vote = env.polls.vote('bob', 'game', '3', 200, T0)
		expect(vote).toEqual({
			ok: true,
			poll: 'game',
			option: 'Tunic',
			amount: 200,
			balance: 0,
			results: [
				{ option: 'Celeste', points: 1, voters: 1 },
				{ option: 'Hollow Knight', points: 150, voters: 1 },
				{ option: 'Tunic', points: 200, voters: 1 }
			]
		})
		expect(env.polls.openPolls()[0]?.total).toBe(351)
		expect(env.store.votesOf(1, 'alice')).toEqual([
			{ option: 0, points: 1 },
			{ option: 1, points: 150 }
		])
		expect(voteRows(env)).toEqual([
			{ viewer_id: 'alice', delta: -100, ref: 'poll:game:1' },
			{ viewer_id: 'alice', delta: -50, ref: 'poll:game:1' },
			{ viewer_id: 'alice', delta: -1, ref: 'poll:game:1' },
			{ viewer_id: 'bob', delta: -200, ref: 'poll:game:1' }
		])
		expect(env.viewers.balance('alice')).toBe(849)
		expect(env.viewers.balance('bob')).toBe(0)
		expect(ledgerInvariantViolations(env.db)).toEqual([])
		// Closing gives nothing back.
		env.polls.close('game', 'Mod (mod)', T0 + 1000)
		expect(env.viewers.balance('alice')).toBe(849)
		expect(ledgerInvariantViolations(env.db)).toEqual([])
	})

	test('a name wins over a number: an option called "2" is found by its name', () => {
		expect(findOption(['1', '2', 'three'], '2')).toBe(1)
		expect(findOption(['2020', '2021'], '1')).toBe(0)
		expect(findOption(['a', 'b'], '#2')).toBe(1)
		expect(findOption(['a', 'b'], '3')).toBeUndefined()
		expect(findOption(['a', 'b'], '')).toBeUndefined()
		expect(findOption(['a', 'b'], '0')).toBeUndefined()
		expect(findOption(['Äpfel', 'b'], 'äPFEL')).toBe(0)
	})

	test('refusals leave nothing behind: unknown poll, unknown option, not enough points, bad amounts', () => {
		const env = setup({ alice: 100 })
		env.polls.sync([FOOD], T0)
		expect(voteCommand(env, 'alice', 'drinks tea 10')).toEqual([{ to: 'viewer', text: '@ALICE, there is no open poll called drinks.' }])
		expect(voteCommand(env, 'alice', 'food pasta 10')).toEqual([
			{ to: 'viewer', text: '@ALICE, food has no option pasta: 1. pizza, 2. soup.' }
		])
		expect(voteCommand(env, 'alice', 'food 3 10')[0]?.text).toContain('has no option 3')
		expect(voteCommand(env, 'alice', 'food pizza 101')).toEqual([
			{ to: 'viewer', text: '@ALICE, you have 100 points, not enough to spend 101 points.' }
		])
		const usage = { to: 'viewer' as const, text: '@ALICE, vote like this: !vote <poll> <option> <points>.' }
		for (const args of ['food pizza 0', 'food pizza -5', 'food pizza 1.5', 'food pizza lots', 'food 10', 'food', '', 'food pizza ²']) {
			expect(voteCommand(env, 'alice', args)).toEqual([usage])
		}
		expect(env.polls.vote('alice', 'food', 'pizza', 0, T0)).toEqual({ ok: false, reason: 'invalid_amount' })
		expect(env.polls.vote('alice', 'food', 'pizza', 2.5, T0)).toEqual({ ok: false, reason: 'invalid_amount' })
		expect(env.polls.vote('alice', 'food', 'pizza', Number.POSITIVE_INFINITY, T0)).toEqual({ ok: false, reason: 'invalid_amount' })
		// A viewer the bot has never seen has nothing to spend.
		expect(env.polls.vote('ghost', 'food', 'pizza', 1, T0)).toEqual({ ok: false, reason: 'not_enough', balance: 0, amount: 1 })
		expect(env.viewers.balance('alice')).toBe(100)
		expect(voteRows(env)).toEqual([])
		expect(env.db.query('SELECT count(*) AS n FROM poll_votes').get()).toEqual({ n: 0 })
		expect(eventsOf(env, 'poll.vote')).toEqual([])
	})

	test('closed polls refuse votes', () => {
		const env = setup({ alice: 100 })
		pollCommand(env, 'open food Which food? | pizza | soup')
		pollCommand(env, 'close food')
		expect(env.polls.vote('alice', 'food', 'pizza', 10, T0)).toEqual({ ok: false, reason: 'unknown_poll', poll: 'food' })
		env.polls.sync([GAME], T0)
		env.polls.sync([], T0 + 1)
		expect(voteCommand(env, 'alice', 'game Tunic 10')[0]?.text).toBe('@ALICE, there is no open poll called game.')
		expect(env.viewers.balance('alice')).toBe(100)
		expect(voteRows(env)).toEqual([])
	})

	test('each vote records poll.vote with the viewer, option and amount', () => {
		const env = setup({ alice: 100 })
		env.polls.sync([FOOD], T0)
		env.polls.vote('alice', 'FOOD', 'Soup', 30, T0)
		expect(eventsOf(env, 'poll.vote').map((e) => e.data)).toEqual([{ poll: 'food', viewer: { id: 'alice', name: 'ALICE' }, option: 'soup', amount: 30 }])
		expect(eventsOf(env).map((e) => e.name)).toEqual(['poll.opened', 'poll.vote'])
	})

	test('200 votes at once over two connections never overspend', async () => {
		const viewers = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`v${i}`, 95]))
		const env = setup(viewers)
		env.polls.sync([GAME], T0)
		const other = connect(env.path)
		const ids = Object.keys(viewers)
		// Each viewer tries 20 votes of 10 points: only 9 of them can be paid for.
		const results = await Promise.all(
			Array.from({ length: 200 }, async (_, i) => {
				await Bun.sleep(i % 3)
				const service = i % 2 === 0 ? env.polls : other.polls
				return service.vote(ids[i % ids.length] as string, 'game', String((i % 3) + 1), 10, T0 + i)
			})
		)
		expect(results.filter((r) => r.ok)).toHaveLength(90)
		expect(results.filter((r) => !r.ok && r.reason === 'not_enough')).toHaveLength(110)
		for (const id of ids) expect(env.viewers.balance(id)).toBe(5)
		const [view] = env.polls.openPolls()
		expect(view?.total).toBe(900)
		expect(voteRows(env)).toHaveLength(90)
		expect(eventsOf(env, 'poll.vote')).toHaveLength(90)
		expect(ledgerInvariantViolations(env.db)).toEqual([])
		const spent = env.db.query<{ total: number }, []>("SELECT -sum(delta) AS total FROM ledger WHERE reason = 'vote'").get()?.total
		expect(spent).toBe(900)
	})
})

describe('events and audit', () => {
	test('open, vote and close each leave an event; opening and closing an audit entry', () => {
		const env = setup({ alice: 100 })
		pollCommand(env, 'open food Which food? | pizza | soup')
		env.polls.vote('alice', 'food', 'pizza', 40, T0)
		pollCommand(env, 'close food')
		expect(eventsOf(env).map((e) => [e.name, e.data])).toEqual([
			['poll.opened', { poll: 'food', question: 'Which food?', options: ['pizza', 'soup'] }],
			['poll.vote', { poll: 'food', viewer: { id: 'alice', name: 'ALICE' }, option: 'pizza', amount: 40 }],
			[
				'poll.closed',
				{
					poll: 'food',
					question: 'Which food?',
					results: [
						{ option: 'pizza', points: 40, voters: 1 },
						{ option: 'soup', points: 0, voters: 0 }
					]
				}
			]
		])
		const audit = env.audit.entries().reverse()
		expect(audit.map((a) => [a.actor, a.action, a.detail])).toEqual([
			['Mod (mod)', 'poll_open', 'food: Which food? (pizza / soup)'],
			['Mod (mod)', 'poll_close', 'food: pizza 40, soup 0']
		])
	})

	test('recently closed polls, newest first, with their results', () => {
		const env = setup({ alice: 100 })
		env.polls.open('a', 'A?', ['x', 'y'], 'Mod (mod)', T0)
		env.polls.open('b', 'B?', ['x', 'y'], 'Mod (mod)', T0)
		env.polls.vote('alice', 'a', 'y', 5, T0)
		env.polls.close('a', 'Mod (mod)', T0 + 1000)
		env.polls.close('b', 'Mod (mod)', T0 + 2000)
		expect(env.polls.recentlyClosed(10).map((p) => [p.name, p.total, p.source])).toEqual([
			['b', 0, 'chat'],
			['a', 5, 'chat']
		])
		expect(env.polls.recentlyClosed(1)).toHaveLength(1)
	})
})
