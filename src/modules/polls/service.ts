// Points-weighted polls: from redeems.toml ([polls.<name>], open while they are in the file) or opened by a moderator
// in chat. Viewers vote by spending points on an option; the points are gone (ledger reason 'vote'). Each change is
// one transaction: a vote's charge, its vote row and its event commit together or not at all, so racing votes never
// overspend. No SQL here: the poll store and the viewer store own it.
import type { Transact } from '../../db/transaction.ts'
import type { AuditStore } from '../audit/store.ts'
import { COMMAND_WORD } from '../commands/registry.ts'
import type { EventLog } from '../events/log.ts'
import type { ViewerStore } from '../viewers/store.ts'
import type { OptionTally, PollRow, PollStore } from './store.ts'

/** Who opens the polls of redeems.toml (their opened_by and the audit log's actor). */
export const FILE_ACTOR = 'redeems.toml'
export const MIN_OPTIONS = 2
export const MAX_OPTIONS = 10
export const MAX_OPTION_LENGTH = 50
export const MAX_QUESTION_LENGTH = 300

/** A poll as redeems.toml describes it ([polls.<name>]: info is the question). */
export type ConfigPoll = { name: string; question: string; options: string[] }

export type PollSource = 'file' | 'chat'
/** One option's standing, in the poll's option order. */
export type PollResult = { option: string; points: number; voters: number }
export type OpenPollView = {
	name: string
	question: string
	options: { name: string; points: number; voters: number }[]
	/** Points spent on the poll in all. */
	total: number
	source: PollSource
	openedAt: string
}
export type ClosedPollView = {
	name: string
	question: string
	results: PollResult[]
	total: number
	source: PollSource
	openedAt: string
	closedAt: string
}

export type PollSync = {
	/** Names of the polls opened (new in the file, or reopened because their question or options changed). */
	opened: string[]
	/** Names of the polls closed (gone from the file, or replaced by their changed version). */
	closed: string[]
	/** File polls not opened because a moderator's poll of that name is open (opened at a later sync). */
	blocked: string[]
	/** File polls not opened because they are not valid, with the problem. */
	invalid: { name: string; problem: string }[]
}

export type PollOpen =
	| { ok: true; poll: string; question: string; options: string[] }
	| { ok: false; reason: 'already_open'; poll: string }
	| { ok: false; reason: 'invalid'; problem: string }
export type PollClose = { ok: true; poll: string; question: string; results: PollResult[] } | { ok: false; reason: 'unknown'; poll: string }
export type PollVote =
	| { ok: true; poll: string; option: string; amount: number; balance: number; results: PollResult[] }
	| { ok: false; reason: 'unknown_poll'; poll: string }
	| { ok: false; reason: 'unknown_option'; poll: string; option: string; options: string[] }
	| { ok: false; reason: 'not_enough'; balance: number; amount: number }
	| { ok: false; reason: 'invalid_amount' }

export type PollDeps = {
	transact: Transact
	store: PollStore
	viewers: Pick<ViewerStore, 'debit' | 'names'>
	/** Reports poll.opened, poll.vote and poll.closed, inside the transaction of the change. */
	events: EventLog
	audit: Pick<AuditStore, 'record'>
}

/** Spaces trimmed and runs of white space made one space: how option names and chosen options are compared. */
const tidy = (text: string) => text.trim().replace(/\s+/g, ' ')
/** Case-insensitive equality, beyond ASCII too. */
const sameName = (a: string, b: string) => a.toLocaleLowerCase('und') === b.toLocaleLowerCase('und')
const hasControl = (text: string) => /\p{Cc}/u.test(text)
/** Length in characters as people count them (code points), not UTF-16 units. */
const length = (text: string) => [...text].length

/** The problem with a poll's name, question or options, or undefined when it is valid. Options must be tidied. */
export function pollProblem(name: string, question: string, options: readonly string[]): string | undefined {
	if (!COMMAND_WORD.test(name)) return 'a poll name is one word of 1 to 64 characters'
	if (length(question) === 0 || length(question) > MAX_QUESTION_LENGTH || hasControl(question)) {
		return `the question takes 1 to ${MAX_QUESTION_LENGTH} characters`
	}
	if (options.length < MIN_OPTIONS || options.length > MAX_OPTIONS) return `a poll has ${MIN_OPTIONS} to ${MAX_OPTIONS} options`
	for (const [i, option] of options.entries()) {
		if (length(option) === 0 || length(option) > MAX_OPTION_LENGTH || hasControl(option)) {
			return `each option takes 1 to ${MAX_OPTION_LENGTH} characters`
		}
		if (options.slice(0, i).some((other) => sameName(other, option))) return `the option ${option} is there twice`
	}
	return undefined
}

/**
 * The option a viewer chose: its name (case-insensitively, white space tidied) or its 1-based number ("2" or "#2"); a name wins
 * over a number, so an option called "2" is found by its name.
 */
export function findOption(options: readonly string[], chosen: string): number | undefined {
	const wanted = tidy(chosen)
	const byName = options.findIndex((option) => sameName(option, wanted))
	if (byName >= 0) return byName
	if (!/^#?[0-9]{1,2}$/.test(wanted)) return undefined
	const number = Number(wanted.replace('#', ''))
	return number >= 1 && number <= options.length ? number - 1 : undefined
}

const sourceOf = (poll: Pick<PollRow, 'openedBy'>): PollSource => (poll.openedBy === FILE_ACTOR ? 'file' : 'chat')

/** Every option of the poll, in order, with its points and voters (0 for options nobody voted for). */
function resultsOf(poll: Pick<PollRow, 'id' | 'options'>, tallies: readonly OptionTally[]): PollResult[] {
	const results = poll.options.map((option) => ({ option, points: 0, voters: 0 }))
	for (const t of tallies) {
		const result = t.pollId === poll.id ? results[t.option] : undefined
		if (result) {
			result.points = t.points
			result.voters = t.voters
		}
	}
	return results
}

const total = (results: readonly PollResult[]) => results.reduce((sum, r) => sum + r.points, 0)
const sameContent = (poll: PollRow, wanted: ConfigPoll) =>
	poll.name === wanted.name &&
	poll.question === wanted.question &&
	poll.options.length === wanted.options.length &&
	poll.options.every((option, i) => option === wanted.options[i])

export function createPolls(deps: PollDeps) {
	const { transact, store, events, audit } = deps
	/** The names of the file's polls in the file's order, as of the last sync (how openPolls orders them). */
	let fileOrder: string[] = []

	/** The open poll of a name: the index's (ASCII) case-insensitive match, else one beyond ASCII. */
	const findOpen = (name: string): PollRow | undefined =>
		store.openByName(name) ?? store.openPolls().find((poll) => sameName(poll.name, name))

	/** Inside a transaction: opens a checked poll, or reports the open one in its way. */
	function openChecked(name: string, question: string, options: string[], actor: string, now: number): PollOpen {
		const taken = findOpen(name)
		if (taken) return { ok: false, reason: 'already_open', poll: taken.name }
		const id = store.open({ name, question, options, openedBy: actor }, now)
		if (id === undefined) return { ok: false, reason: 'already_open', poll: name }
		events.record('poll.opened', { poll: name, question, options }, now)
		audit.record(actor, 'poll_open', `${name}: ${question} (${options.join(' / ')})`, now)
		return { ok: true, poll: name, question, options }
	}

	/** Inside a transaction: closes an open poll and reports its results. */
	function closeOpen(poll: PollRow, actor: string, now: number): PollClose {
		store.close(poll.id, now, actor)
		const results = resultsOf(poll, store.tally(poll.id))
		events.record('poll.closed', { poll: poll.name, question: poll.question, results }, now)
		audit.record(actor, 'poll_close', `${poll.name}: ${results.map((r) => `${r.option} ${r.points}`).join(', ')}`, now)
		return { ok: true, poll: poll.name, question: poll.question, results }
	}

	return {
		/**
		 * Brings the polls of redeems.toml in line with the file (at start and after each reload): a file poll with no
		 * open row is opened, unless a moderator closed it and it has not changed in the file since; one whose question
		 * or options changed is closed (its votes stay with it) and opened again; one gone from the file is closed.
		 * Moderators' polls are left alone.
		 */
		sync(configPolls: readonly ConfigPoll[], now: number): PollSync {
			const wanted = configPolls.map((p) => ({ name: p.name.trim(), question: p.question.trim(), options: p.options.map(tidy) }))
			fileOrder = wanted.map((p) => p.name)
			return transact(() => {
				const result: PollSync = { opened: [], closed: [], blocked: [], invalid: [] }
				const valid: ConfigPoll[] = []
				for (const p of wanted) {
					const problem =
						pollProblem(p.name, p.question, p.options) ??
						(valid.some((other) => sameName(other.name, p.name)) ? 'another poll of the file has this name' : undefined)
					if (problem) result.invalid.push({ name: p.name, problem })
					else valid.push(p)
				}
				for (const poll of store.openPolls()) {
					if (sourceOf(poll) !== 'file') continue
					const inFile = valid.find((p) => sameName(p.name, poll.name))
					if (inFile && sameContent(poll, inFile)) continue
					closeOpen(poll, FILE_ACTOR, now)
					result.closed.push(poll.name)
				}
				for (const p of valid) {
					const taken = findOpen(p.name)
					if (taken) {
						if (sourceOf(taken) === 'chat') result.blocked.push(p.name)
						continue
					}
					// Closed by a moderator (for its results): it stays closed until the file's poll changes.
					const last = store.latest(p.name)
					if (last && sourceOf(last) === 'file' && last.closedBy !== null && last.closedBy !== FILE_ACTOR && sameContent(last, p)) continue
					if (openChecked(p.name, p.question, p.options, FILE_ACTOR, now).ok) result.opened.push(p.name)
				}
				return result
			})
		},

		/** A moderator opens a poll. Options are tidied (white space) and checked. */
		open(name: string, question: string, options: readonly string[], actor: string, now: number): PollOpen {
			const tidied = options.map(tidy)
			const problem = pollProblem(name, question.trim(), tidied)
			if (problem) return { ok: false, reason: 'invalid', problem }
			return transact(() => openChecked(name, question.trim(), tidied, actor, now))
		},

		/** Closes the open poll of that name (a file poll too: it stays closed until the file's poll changes). */
		close(name: string, actor: string, now: number): PollClose {
			return transact<PollClose>(() => {
				const poll = findOpen(name)
				if (!poll) return { ok: false, reason: 'unknown', poll: name }
				return closeOpen(poll, actor, now)
			})
		},

		/** A viewer spends amount points on an option (name or 1-based number); votes add up. */
		vote(viewerId: string, pollName: string, optionText: string, amount: number, now: number): PollVote {
			if (!Number.isSafeInteger(amount) || amount <= 0) return { ok: false, reason: 'invalid_amount' }
			return transact<PollVote>(() => {
				const poll = findOpen(pollName)
				if (!poll) return { ok: false, reason: 'unknown_poll', poll: pollName }
				const option = findOption(poll.options, optionText)
				if (option === undefined) return { ok: false, reason: 'unknown_option', poll: poll.name, option: tidy(optionText), options: poll.options }
				const charged = deps.viewers.debit(viewerId, amount, { reason: 'vote', ref: `poll:${poll.name}:${poll.id}` }, now)
				// The guarded debit changed nothing when it refused.
				if (!charged.ok) return { ok: false, reason: 'not_enough', balance: charged.balance, amount }
				store.addVote(poll.id, viewerId, option, amount)
				const name = poll.options[option] as string
				const who = { id: viewerId, name: deps.viewers.names([viewerId]).get(viewerId) ?? viewerId }
				events.record('poll.vote', { poll: poll.name, viewer: who, option: name, amount }, now)
				return { ok: true, poll: poll.name, option: name, amount, balance: charged.balance, results: resultsOf(poll, store.tally(poll.id)) }
			})
		},

		/** The open polls: the file's in the file's order first, then the others by opening time. */
		openPolls(): OpenPollView[] {
			const open = store.openPolls()
			const tallies = store.tallies(open.map((p) => p.id))
			const rank = (poll: PollRow) => {
				if (sourceOf(poll) !== 'file') return Number.MAX_SAFE_INTEGER
				const at = fileOrder.findIndex((name) => sameName(name, poll.name))
				return at >= 0 ? at : fileOrder.length
			}
			return open
				.map((poll) => ({ poll, rank: rank(poll) }))
				.sort((a, b) => a.rank - b.rank || a.poll.id - b.poll.id)
				.map(({ poll }) => {
					const results = resultsOf(poll, tallies)
					return {
						name: poll.name,
						question: poll.question,
						options: results.map((r) => ({ name: r.option, points: r.points, voters: r.voters })),
						total: total(results),
						source: sourceOf(poll),
						openedAt: poll.createdAt
					}
				})
		},

		/** The polls closed last, most recent first, with their results. */
		recentlyClosed(limit = 10): ClosedPollView[] {
			const closed = store.recentlyClosed(limit)
			const tallies = store.tallies(closed.map((p) => p.id))
			return closed.map((poll) => {
				const results = resultsOf(poll, tallies)
				return {
					name: poll.name,
					question: poll.question,
					results,
					total: total(results),
					source: sourceOf(poll),
					openedAt: poll.createdAt,
					closedAt: poll.closedAt ?? poll.createdAt
				}
			})
		}
	}
}

export type Polls = ReturnType<typeof createPolls>
