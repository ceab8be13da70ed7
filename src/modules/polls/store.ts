// Polls and their votes: the only module that reads or writes the polls and poll_votes tables. A poll is open until
// it is closed; at most one poll per name is open (a unique partial index, names compared case-insensitively).
// Votes add up per viewer and option. Every statement runs inside the caller's transaction (see db/transaction.ts),
// so a vote's row and its charge commit together.
import type { Database } from 'bun:sqlite'
import { nowIso } from '../../db/time.ts'

export type PollStatus = 'open' | 'closed'

export type PollRow = {
	id: number
	name: string
	question: string
	/** The option names, in order; votes point at them by index (0-based). */
	options: string[]
	status: PollStatus
	/** Who opened it: 'redeems.toml' for a poll from the file, else the moderator. */
	openedBy: string
	createdAt: string
	closedAt: string | null
	/** Who closed it: 'redeems.toml' when the file dropped or changed it, else the moderator; null while open. */
	closedBy: string | null
}

/** Points and voters of one option of one poll (options without votes have no row). */
export type OptionTally = { pollId: number; option: number; points: number; voters: number }

type StoredPoll = Omit<PollRow, 'options'> & { options: string }

const COLUMNS = `id, name, question, options, status, opened_by AS openedBy, created_at AS createdAt, closed_at AS closedAt, closed_by AS closedBy`

const toPoll = (row: StoredPoll): PollRow => ({ ...row, options: JSON.parse(row.options) as string[] })

export function createPollStore(db: Database) {
	// The unique partial index decides: a second open poll of a name is not inserted.
	const insert = db.query<{ id: number }, { name: string; question: string; options: string; by: string; at: string }>(
		`INSERT INTO polls (name, question, options, status, opened_by, created_at)
		VALUES ($name, $question, $options, 'open', $by, $at)
		ON CONFLICT (name) WHERE status = 'open' DO NOTHING RETURNING id`
	)
	const byId = db.query<StoredPoll, { id: number }>(`SELECT ${COLUMNS} FROM polls WHERE id = $id`)
	const openByName = db.query<StoredPoll, { name: string }>(`SELECT ${COLUMNS} FROM polls WHERE name = $name AND status = 'open'`)
	const openAll = db.query<StoredPoll, []>(`SELECT ${COLUMNS} FROM polls WHERE status = 'open' ORDER BY id`)
	const closedRecently = db.query<StoredPoll, { limit: number }>(
		`SELECT ${COLUMNS} FROM polls WHERE status = 'closed' ORDER BY closed_at DESC, id DESC LIMIT $limit`
	)
	const closeStmt = db.query<unknown, { id: number; at: string; by: string }>(
		"UPDATE polls SET status = 'closed', closed_at = $at, closed_by = $by WHERE id = $id AND status = 'open'"
	)
	// The newest poll of a name, open or closed (the index's ASCII case-insensitive match).
	const latestByName = db.query<StoredPoll, { name: string }>(`SELECT ${COLUMNS} FROM polls WHERE name = $name ORDER BY id DESC LIMIT 1`)
	const addVoteStmt = db.query<unknown, { poll: number; viewer: string; option: number; points: number }>(
		`INSERT INTO poll_votes (poll_id, viewer_id, option, points) VALUES ($poll, $viewer, $option, $points)
		ON CONFLICT (poll_id, viewer_id, option) DO UPDATE SET points = points + excluded.points`
	)
	const tallyOf = db.query<OptionTally, { poll: number }>(
		`SELECT poll_id AS pollId, option, sum(points) AS points, count(*) AS voters FROM poll_votes
		WHERE poll_id = $poll GROUP BY option ORDER BY option`
	)
	const tallyOfMany = db.query<OptionTally, { ids: string }>(
		`SELECT poll_id AS pollId, option, sum(points) AS points, count(*) AS voters FROM poll_votes
		WHERE poll_id IN (SELECT value FROM json_each($ids)) GROUP BY poll_id, option ORDER BY poll_id, option`
	)
	const votesOf = db.query<{ option: number; points: number }, { poll: number; viewer: string }>(
		'SELECT option, points FROM poll_votes WHERE poll_id = $poll AND viewer_id = $viewer ORDER BY option'
	)

	return {
		/** Opens a poll; undefined when a poll of that name (case-insensitively) is open already. */
		open(input: { name: string; question: string; options: readonly string[]; openedBy: string }, now: number): number | undefined {
			return insert.get({
				name: input.name,
				question: input.question,
				options: JSON.stringify(input.options),
				by: input.openedBy,
				at: nowIso(now)
			})?.id
		},
		poll(id: number): PollRow | undefined {
			const row = byId.get({ id })
			return row ? toPoll(row) : undefined
		},
		/** The open poll of this name (ASCII letters compared case-insensitively), if any. */
		openByName(name: string): PollRow | undefined {
			const row = openByName.get({ name })
			return row ? toPoll(row) : undefined
		},
		/** Every open poll, oldest first. */
		openPolls: (): PollRow[] => openAll.all().map(toPoll),
		/** Closed polls, most recently closed first. */
		recentlyClosed: (limit: number): PollRow[] => closedRecently.all({ limit }).map(toPoll),
		/** Closes an open poll; false when it was not open. */
		close: (id: number, now: number, by: string): boolean => closeStmt.run({ id, at: nowIso(now), by }).changes === 1,
		/** The newest poll of a name, open or closed. */
		latest(name: string): PollRow | undefined {
			const row = latestByName.get({ name })
			return row ? toPoll(row) : undefined
		},

		/** Adds points to a viewer's vote for an option (index into options); inside the caller's transaction. */
		addVote(pollId: number, viewerId: string, option: number, points: number): void {
			addVoteStmt.run({ poll: pollId, viewer: viewerId, option, points })
		},
		/** Points and voters per option of a poll, by option index; options nobody voted for are left out. */
		tally: (pollId: number): OptionTally[] => tallyOf.all({ poll: pollId }),
		/** The same for several polls at once. */
		tallies(pollIds: readonly number[]): OptionTally[] {
			if (pollIds.length === 0) return []
			return tallyOfMany.all({ ids: JSON.stringify(pollIds) })
		},
		/** A viewer's votes in a poll, per option index. */
		votesOf: (pollId: number, viewerId: string) => votesOf.all({ poll: pollId, viewer: viewerId })
	}
}

export type PollStore = ReturnType<typeof createPollStore>
