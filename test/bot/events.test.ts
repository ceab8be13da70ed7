// The event service and the chat service on their own: no HTTP, no database. Their collaborators are small
// recording fakes with the narrow interfaces the services declare.
import { describe, expect, test } from 'bun:test'
import { loadConfig, parseRedeems } from '../../src/config/load.ts'
import { createEventService, type EventDeps } from '../../src/modules/bot/events.ts'
import { handleChatMessage, type ChatDeps, type ChatMessage } from '../../src/modules/chat/service.ts'
import type { OwncastEvent } from '../../src/modules/owncast/model.ts'
import { buildSettings, type Settings } from '../../src/modules/settings/settings.ts'
import { makeInstance, useTempDirs } from '../helpers.ts'

useTempDirs()

const REDEEMS = `
[redeems.hydrate]
type = "counter"
price = 5
cooldown = 60

[redeems.points]
type = "list"
price = 1
`

function settingsWith(configToml: string, redeemsToml = REDEEMS): Settings {
	const { instanceDir } = makeInstance({ config: `secret_key = "0123456789abcdef0123"\n${configToml}` })
	return buildSettings(loadConfig(instanceDir, {}).config, parseRedeems(redeemsToml, 'redeems.toml'))
}

type Calls = string[]

function chatDeps(settings: Settings, calls: Calls, overrides: Partial<ChatDeps> = {}): ChatDeps {
	return {
		settings,
		get activeCategories() {
			calls.push('categories')
			return []
		},
		viewers: {
			touch: (v) => (calls.push(`touch ${v.id} ${v.displayName}`), { created: false }),
			balance: () => 42,
			rename: () => true,
			findByName: () => ({ kind: 'none' })
		},
		purchases: {
			queue: (input) => (calls.push(`queue ${input.redeem.name}`), { ok: true, balance: 41, redemptionId: 7 }),
			counter: (input) => (calls.push(`counter ${input.redeem.name}`), { ok: false, reason: 'refused', refusal: { code: 'cooldown', waitSeconds: 100 } }),
			donate: () => ({ ok: false, reason: 'milestone_missing' })
		},
		identity: {
			linkCode: (code, viewerId) => (calls.push(`link ${code} ${viewerId}`), code.toUpperCase() === 'GOOD42' ? 'linked' : 'invalid'),
			newLoginToken: (viewerId) => (calls.push(`token ${viewerId}`), { token: 'T'.repeat(43), expiresAt: 0 })
		},
		moderation: {
			resolve: (id) => (calls.push(`resolve ${id}`), { ok: false, reason: 'not_found' }),
			adjustPoints: () => ({ ok: false, reason: 'not_found' }),
			setPaused: () => {},
			restock: () => {},
			setCategory: () => [],
			resetCompletedMilestone: () => 'missing'
		},
		now: Date.UTC(2026, 10, 29),
		...overrides
	}
}

const message = (text: string, moderator = false): ChatMessage => ({
	user: { id: 'u1', displayName: 'Ann', isBot: false, isModerator: moderator },
	rawBody: text,
	body: undefined
})

describe('handleChatMessage', () => {
	test('plain chat touches the viewer, answers nothing and never reads the categories', () => {
		const calls: Calls = []
		expect(handleChatMessage(chatDeps(settingsWith(''), calls), message('hello there'))).toEqual([])
		expect(calls).toEqual(['touch u1 Ann'])
	})

	test('a redeem named like a built-in wins over the built-in', () => {
		const calls: Calls = []
		const replies = handleChatMessage(chatDeps(settingsWith(''), calls), message('!points'))
		expect(calls).toContain('queue points')
		expect(replies).toEqual([{ text: '@Ann redeemed points (#7)! 41 points left.', to: 'public' }])
	})

	test('a renamed built-in answers to its new name only', () => {
		const settings = settingsWith('[commands]\nhelp = "commands"\n', '')
		const calls: Calls = []
		expect(handleChatMessage(chatDeps(settings, calls), message('!help'))).toEqual([])
		const [help] = handleChatMessage(chatDeps(settings, calls), message('!commands'))
		expect(help?.text).toContain('Commands: !commands, !points, !name_update, !store, !bet, !vote, !top, !hide, !give.')
	})

	test('a limit refusal comes back as a code and is worded by the chat layer', () => {
		const calls: Calls = []
		expect(handleChatMessage(chatDeps(settingsWith(''), calls), message('!hydrate'))).toEqual([
			{ text: '@Ann, hydrate is cooling down. Try again in 2 minutes.', to: 'viewer' }
		])
	})

	test('moderator commands: ignored from viewers, usage with the prefix and current name for moderators', () => {
		const settings = settingsWith('prefix = "?"\n[commands]\ndone = "finish"\n', '')
		const calls: Calls = []
		expect(handleChatMessage(chatDeps(settings, calls), message('?finish 3'))).toEqual([])
		expect(calls).not.toContain('resolve 3')
		expect(handleChatMessage(chatDeps(settings, calls), message('?finish 3', true))).toEqual([
			{ text: '@Ann, there is no redemption #3.', to: 'viewer' }
		])
		expect(handleChatMessage(chatDeps(settings, calls), message('?finish', true))).toEqual([
			{ text: '@Ann, usage: ?finish <id>', to: 'viewer' }
		])
	})

	test('!link binds the code without echoing it; a bad code says so, also without echoing it', () => {
		const calls: Calls = []
		const deps = chatDeps(settingsWith(''), calls)
		const [ok] = handleChatMessage(deps, message('!link good42'))
		expect(calls).toContain('link good42 u1')
		expect(ok).toEqual({ text: '@Ann, a browser was signed in as you; sign out everywhere from the Redeems tab if that was not you.', to: 'viewer' })
		const [bad] = handleChatMessage(deps, message('!link NOPE99'))
		expect(bad?.text).not.toContain('NOPE99')
		expect(bad?.text).toContain('not valid or has expired')
	})

	test('!store makes a login link that may only go privately to the sender\'s own connection, soon', () => {
		const settings = settingsWith('public_url = "https://bot.example.com"\n', '')
		const [reply] = handleChatMessage(chatDeps(settings, []), { ...message('!store'), clientId: 12 })
		expect(reply).toEqual({
			text: `Your personal link to redeem on the dashboard (it works once, for 10 minutes; do not share it): https://bot.example.com/dashboard?login=${'T'.repeat(43)}`,
			to: 'secret',
			fallback: '@Ann, I cannot send you a private link here: open the Redeems tab and press "Sign in" instead.',
			owner: 'u1',
			clientId: 12,
			expiresAt: Date.UTC(2026, 10, 29) + 30_000
		})
	})

	test('the rate limit silences commands, not chat', () => {
		const calls: Calls = []
		const deps = chatDeps(settingsWith(''), calls, { allowCommand: () => false })
		expect(handleChatMessage(deps, message('!hydrate'))).toEqual([])
		expect(calls).toEqual(['touch u1 Ann'])
	})

	test('passive mode tracks the viewer and answers nothing', () => {
		const calls: Calls = []
		expect(handleChatMessage(chatDeps(settingsWith('passive = true\n'), calls), message('!points'))).toEqual([])
		expect(calls).toEqual(['touch u1 Ann'])
	})
})

describe('createEventService', () => {
	function service(settings = settingsWith(''), processed = new Set<string>()) {
		const calls: Calls = []
		const sent: unknown[] = []
		const chat = chatDeps(settings, calls)
		const deps: EventDeps = {
			settings: () => settings,
			// No database here: a transaction just runs its work; claims live in a set shared like the table is.
			transact: (work) => work((value) => value as never),
			processed: {
				claim: (key) => (processed.has(key) ? false : (processed.add(key), true)),
				prune: () => 0
			},
			viewers: chat.viewers,
			purchases: chat.purchases,
			identity: chat.identity,
			moderation: { ...chat.moderation, activeCategories: () => [] },
			streams: { started: (now) => (calls.push(`started ${now}`), true), stopped: (now) => void calls.push(`stopped ${now}`) },
			replies: { send: (replies, clientId) => void sent.push({ replies, clientId }) },
			limiter: { allow: () => true },
			clock: () => 1000
		}
		return { events: createEventService(deps), calls, sent }
	}
	const user = { id: 'u1', displayName: 'Ann', isBot: false, isModerator: false }
	const chat = (text: string, id?: string): OwncastEvent => ({ type: 'CHAT', user, rawBody: text, body: undefined, id, clientId: 3 })

	test('a chat message delivered twice (same id) is handled once; its replies go to its connection', () => {
		const { events, calls, sent } = service()
		events.handleOwncastEvent(chat('!points', 'm1'))
		events.handleOwncastEvent(chat('!points', 'm1'))
		expect(calls.filter((c) => c === 'queue points')).toHaveLength(1)
		expect(sent).toEqual([{ replies: [{ text: '@Ann redeemed points (#7)! 41 points left.', to: 'public' }], clientId: 3 }])
	})

	test('bots are ignored; name changes and joins touch the viewer; stream events start and stop streams', () => {
		const { events, calls } = service()
		events.handleOwncastEvent({ type: 'CHAT', user: { ...user, isBot: true }, rawBody: '!points', body: undefined, id: 'b', clientId: 1 })
		events.handleOwncastEvent({ type: 'NAME_CHANGE', user: { ...user, displayName: 'Annie' } })
		events.handleOwncastEvent({ type: 'USER_JOINED', user })
		events.handleOwncastEvent({ type: 'STREAM_STARTED', id: 's1' })
		events.handleOwncastEvent({ type: 'STREAM_STOPPED', id: 's2' })
		events.handleOwncastEvent({ type: 'other', name: 'VISIBILITY-UPDATE' })
		expect(calls).toEqual(['touch u1 Annie', 'touch u1 Ann', 'started 1000', 'stopped 1000'])
	})

	test('a command replayed to another process (or after a restart) sharing the claims runs once', () => {
		const claims = new Set<string>()
		const first = service(settingsWith(''), claims)
		const second = service(settingsWith(''), claims)
		first.events.handleOwncastEvent(chat('!points', 'm9'))
		second.events.handleOwncastEvent(chat('!points', 'm9'))
		expect([...first.calls, ...second.calls].filter((c) => c === 'queue points')).toHaveLength(1)
		expect(second.sent).toEqual([{ replies: [], clientId: 3 }])
	})

	test('a chat message without an id refreshes the viewer but runs no command', () => {
		const { events, calls, sent } = service()
		events.handleOwncastEvent(chat('!points'))
		expect(calls).toEqual(['touch u1 Ann'])
		expect(sent).toEqual([])
	})

	test('replayed stream events change nothing', () => {
		const { events, calls } = service()
		for (let i = 0; i < 3; i++) {
			events.handleOwncastEvent({ type: 'STREAM_STARTED', id: 'a' })
			events.handleOwncastEvent({ type: 'STREAM_STOPPED', id: 'b' })
		}
		expect(calls).toEqual(['started 1000', 'stopped 1000'])
	})

	test('passive mode sends no replies', () => {
		const { events, sent } = service(settingsWith('passive = true\n'))
		events.handleOwncastEvent(chat('!points', 'm2'))
		expect(sent).toEqual([])
	})
})
