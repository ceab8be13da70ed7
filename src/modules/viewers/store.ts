// Viewers, their balances and the ledger: the only module that reads or writes the viewers, ledger, award_cycles
// and award_members tables. Points are money. A balance only changes through debit, credit or award, each a guarded
// update together with its ledger entry (a ledger row; for the points cycle, the cycle's row and a member row per
// viewer), so balance = sum of the viewer's entries in the view ledger_entries, always. They run inside the caller's
// transaction (see db/transaction.ts), so a purchase can charge, queue and count stock atomically.
import type { Database } from 'bun:sqlite'
import { nowIso } from '../../db/time.ts'

export type ViewerInput = { id: string; displayName: string; isModerator?: boolean }
export type Viewer = { id: string; displayName: string; balance: number; isModerator: boolean }
export type ViewerSummary = { id: string; displayName: string; balance: number }

export type LedgerReason =
	| 'starting'
	| 'cycle'
	| 'redeem'
	| 'donation'
	| 'refund'
	| 'import'
	| 'moderator'
	| 'bet'
	| 'payout'
	| 'bet_refund'
	| 'vote'
	| 'give'
	| 'bonus'
/**
 * What a balance change is for; redeem and redemption tie it to a use (limits count these rows); ref to what else
 * it belongs to ("prediction:12", "poll:food:3", the other viewer of a gift, the bonus rule).
 */
export type LedgerEntry = { reason: LedgerReason; redeem?: string | null; redemptionId?: number | null; ref?: string | null }

/** One row of a viewer's points history. */
export type LedgerRow = { delta: number; reason: LedgerReason; redeem: string | null; createdAt: string }

export type Charge = { ok: true; balance: number } | { ok: false; balance: number }

/** The one meaning of "the viewer called X": case-insensitive, bots excluded, most recently seen first. */
export type NameMatch = { kind: 'none' } | { kind: 'one'; viewer: ViewerSummary } | { kind: 'several' }

/** seen_at only orders name look-ups; refreshing it once a minute is enough. */
const SEEN_REFRESH_MS = 60_000

type ViewerRow = { id: string; displayName: string; balance: number; isModerator: number }

/** What an award gives besides the cycle's points (config.toml's earning rules), and who chatted since the last one. */
export type AwardRules = {
	/** ignore_users: names (any case) or ids that never earn. */
	ignore: readonly string[]
	/** Viewers who chatted since the previous cycle (kept in memory by the bot). */
	chatters: readonly string[]
	/** The live stream and the one before it; without one, no stream-based bonus. */
	stream?: { id: number; previousId: number | null }
	activeChatterBonus: number
	firstChatBonus: number
	streakBonus: number
	streakStreams: number
}
export const NO_RULES: AwardRules = { ignore: [], chatters: [], activeChatterBonus: 0, firstChatBonus: 0, streakBonus: 0, streakStreams: 3 }
export type AwardCounts = { viewers: number; newViewers: number; bonusViewers: number; bonusPoints: number }

/** The viewers of the next award, already in this connection's award list (see stageAward). */
export type StagedAward = { readonly staged: true }
const STAGED: StagedAward = Object.freeze({ staged: true })

export function createViewerStore(db: Database, options: { startingPoints: () => number }) {
	const selectViewer = db.query<ViewerRow, { id: string }>(
		'SELECT id, display_name AS displayName, balance, is_moderator AS isModerator FROM viewers WHERE id = $id'
	)
	const selectSeen = db.query<{ displayName: string; isModerator: number; seenAt: string }, { id: string }>(
		'SELECT display_name AS displayName, is_moderator AS isModerator, seen_at AS seenAt FROM viewers WHERE id = $id'
	)
	const insertViewer = db.query<unknown, { id: string; name: string; moderator: number; balance: number; now: string }>(
		`INSERT INTO viewers (id, display_name, balance, is_moderator, created_at, seen_at)
		VALUES ($id, $name, $balance, $moderator, $now, $now) ON CONFLICT (id) DO NOTHING`
	)
	const updateViewerSeen = db.query<unknown, { id: string; name: string; moderator: number; now: string }>(
		'UPDATE viewers SET display_name = $name, is_moderator = $moderator, seen_at = $now WHERE id = $id'
	)
	const renameViewer = db.query<unknown, { id: string; name: string }>('UPDATE viewers SET display_name = $name WHERE id = $id')
	const insertLedger = db.query<
		unknown,
		{ id: string; delta: number; reason: string; redeem: string | null; redemption: number | null; ref: string | null; now: string }
	>(
		`INSERT INTO ledger (viewer_id, delta, reason, redeem, redemption_id, ref, created_at)
		VALUES ($id, $delta, $reason, $redeem, $redemption, $ref, $now)`
	)
	// The guard: a charge only happens when the balance covers it, checked by SQLite in the same statement.
	const debitStmt = db.query<{ balance: number }, { id: string; amount: number }>(
		'UPDATE viewers SET balance = balance - $amount WHERE id = $id AND balance >= $amount RETURNING balance'
	)
	const creditStmt = db.query<{ balance: number }, { id: string; amount: number }>(
		'UPDATE viewers SET balance = balance + $amount WHERE id = $id RETURNING balance'
	)
	const balanceOf = db.query<{ balance: number }, { id: string }>('SELECT balance FROM viewers WHERE id = $id')
	const byName = db.query<ViewerSummary, { name: string }>(
		`SELECT id, display_name AS displayName, balance FROM viewers
		WHERE display_name = $name COLLATE NOCASE AND is_bot = 0 ORDER BY seen_at DESC LIMIT 2`
	)
	const search = db.query<ViewerSummary, { pattern: string; limit: number }>(
		`SELECT id, display_name AS displayName, balance FROM viewers
		WHERE (display_name LIKE $pattern ESCAPE '\\' OR id LIKE $pattern ESCAPE '\\') AND is_bot = 0
		ORDER BY seen_at DESC LIMIT $limit`
	)
	const namesOf = db.query<{ id: string; displayName: string }, { ids: string }>(
		'SELECT id, display_name AS displayName FROM viewers WHERE id IN (SELECT value FROM json_each($ids))'
	)

	const history = db.query<LedgerRow, { viewer: string; since: string; limit: number }>(
		`SELECT delta, reason, redeem, created_at AS createdAt FROM ledger_entries
		WHERE viewer_id = $viewer AND created_at >= $since ORDER BY created_at DESC, ledger_id DESC LIMIT $limit`
	)

	// Uses of a redeem, for limits: every use has a ledger row with the redeem's name.
	const lastUse = db.query<{ at: string | null }, { redeem: string }>(
		"SELECT max(created_at) AS at FROM ledger WHERE redeem = $redeem AND reason IN ('redeem', 'donation')"
	)
	const lastUseByViewer = db.query<{ at: string | null }, { redeem: string; viewer: string }>(
		"SELECT max(created_at) AS at FROM ledger WHERE viewer_id = $viewer AND redeem = $redeem AND reason IN ('redeem', 'donation')"
	)
	// Counting stops at the limit: a popular redeem's long history costs nothing past it.
	const usesSince = db.query<{ n: number }, { redeem: string; since: string; max: number }>(
		`SELECT count(*) AS n FROM (SELECT 1 FROM ledger
		WHERE redeem = $redeem AND reason IN ('redeem', 'donation') AND created_at >= $since LIMIT $max)`
	)
	const usesByViewerSince = db.query<{ n: number }, { redeem: string; viewer: string; since: string; max: number }>(
		`SELECT count(*) AS n FROM (SELECT 1 FROM ledger
		WHERE viewer_id = $viewer AND redeem = $redeem AND reason IN ('redeem', 'donation') AND created_at >= $since LIMIT $max)`
	)

	// The points award works set-wise on a per-connection temporary list, so 100,000 viewers stay fast.
	db.run('CREATE TEMP TABLE IF NOT EXISTS award_list (id TEXT PRIMARY KEY, name TEXT NOT NULL, is_new INTEGER NOT NULL) WITHOUT ROWID')
	// Bonuses of one award (active chatters, first messages, streaks), summed per viewer before they are applied.
	db.run('CREATE TEMP TABLE IF NOT EXISTS award_bonus (id TEXT PRIMARY KEY, amount INTEGER NOT NULL) WITHOUT ROWID')
	const clearAwardList = db.query<unknown, []>('DELETE FROM temp.award_list')
	const clearAwardBonus = db.query<unknown, []>('DELETE FROM temp.award_bonus')
	// Filled row by row in id order (appending to the list's b-tree), then the new viewers marked in one pass: about
	// half the time of one INSERT ... SELECT over json_each with a lookup per row.
	const addToAwardList = db.query<unknown, [string, string]>('INSERT OR IGNORE INTO temp.award_list (id, name, is_new) VALUES (?1, ?2, 0)')
	// A viewer connected several times is listed once, under the name of their last connection.
	const stageInAwardList = db.query<unknown, [string, string]>('INSERT OR REPLACE INTO temp.award_list (id, name, is_new) VALUES (?1, ?2, 0)')
	// One pass over the list: 1 = a new viewer, 2 = a known one under a new name, 0 = known with the same name.
	const markNewInAwardList = db.query<unknown, []>(
		`UPDATE temp.award_list SET is_new = CASE (SELECT display_name = award_list.name FROM viewers WHERE viewers.id = award_list.id)
		WHEN 1 THEN 0 WHEN 0 THEN 2 ELSE 1 END`
	)
	const dropBotsFromAwardList = db.query<unknown, []>('DELETE FROM temp.award_list WHERE id IN (SELECT id FROM viewers WHERE is_bot = 1)')
	// ignore_users: names (any case) or ids that never earn.
	const dropIgnoredFromAwardList = db.query<unknown, { ignore: string }>(
		`DELETE FROM temp.award_list WHERE id IN (SELECT value FROM json_each($ignore))
		OR lower(name) IN (SELECT lower(value) FROM json_each($ignore))`
	)
	const insertNewViewers = db.query<unknown, { at: string }>(
		`INSERT INTO viewers (id, display_name, balance, created_at, seen_at)
		SELECT id, name, 0, $at, $at FROM temp.award_list WHERE is_new = 1`
	)
	const insertStartingLedger = db.query<unknown, { starting: number; at: string }>(
		`INSERT INTO ledger (viewer_id, delta, reason, created_at)
		SELECT id, $starting, 'starting', $at FROM temp.award_list WHERE is_new = 1`
	)
	// The cycle's payment: one row, and who got it (in the list's id order: appended at the end of the members' table).
	const insertAwardCycle = db.query<unknown, { amount: number; at: string }>(
		'INSERT INTO award_cycles (amount, created_at, viewers) SELECT $amount, $at, count(*) FROM temp.award_list'
	)
	const insertAwardMembers = db.query<unknown, { cycle: number | bigint }>(
		'INSERT INTO award_members (cycle_id, viewer_id) SELECT $cycle, id FROM temp.award_list ORDER BY id'
	)
	// Streaks: a viewer first seen in this stream whose streams in a row, up to the previous one, reach the goal.
	const collectStreakBonus = db.query<unknown, { stream: number; previous: number | null; streams: number; bonus: number }>(
		`INSERT INTO temp.award_bonus (id, amount)
		SELECT viewers.id, $bonus FROM temp.award_list AS award JOIN viewers ON viewers.id = award.id
		WHERE viewers.last_stream IS NOT $stream AND viewers.last_stream = $previous AND viewers.streak >= $streams
		ON CONFLICT (id) DO UPDATE SET amount = amount + excluded.amount`
	)
	const insertStreakLedger = db.query<unknown, { stream: number; previous: number | null; streams: number; bonus: number; at: string }>(
		`INSERT INTO ledger (viewer_id, delta, reason, ref, created_at)
		SELECT viewers.id, $bonus, 'bonus', 'streak', $at FROM temp.award_list AS award JOIN viewers ON viewers.id = award.id
		WHERE viewers.last_stream IS NOT $stream AND viewers.last_stream = $previous AND viewers.streak >= $streams`
	)
	// Chatters since the previous cycle (known viewers, not bots, not ignored): the active-chatter bonus...
	const CHATTERS = `SELECT viewers.id FROM json_each($chatters) AS c JOIN viewers ON viewers.id = c.value
		WHERE viewers.is_bot = 0 AND viewers.id NOT IN (SELECT value FROM json_each($ignore))
		AND lower(viewers.display_name) NOT IN (SELECT lower(value) FROM json_each($ignore))`
	const collectChatBonus = db.query<unknown, { chatters: string; ignore: string; bonus: number }>(
		`INSERT INTO temp.award_bonus (id, amount) SELECT id, $bonus FROM (${CHATTERS}) WHERE true
		ON CONFLICT (id) DO UPDATE SET amount = amount + excluded.amount`
	)
	const insertChatLedger = db.query<unknown, { chatters: string; ignore: string; bonus: number; at: string }>(
		`INSERT INTO ledger (viewer_id, delta, reason, ref, created_at) SELECT id, $bonus, 'bonus', 'active_chatter', $at FROM (${CHATTERS})`
	)
	// ... and the first-message bonus, once per stream.
	const FIRST_CHATTERS = `SELECT viewers.id FROM (${CHATTERS}) AS chatter JOIN viewers ON viewers.id = chatter.id
		WHERE viewers.first_chat_stream IS NOT $stream`
	const collectFirstChatBonus = db.query<unknown, { chatters: string; ignore: string; bonus: number; stream: number }>(
		`INSERT INTO temp.award_bonus (id, amount) SELECT id, $bonus FROM (${FIRST_CHATTERS}) WHERE true
		ON CONFLICT (id) DO UPDATE SET amount = amount + excluded.amount`
	)
	const insertFirstChatLedger = db.query<unknown, { chatters: string; ignore: string; bonus: number; stream: number; at: string }>(
		`INSERT INTO ledger (viewer_id, delta, reason, ref, created_at) SELECT id, $bonus, 'bonus', 'first_chat', $at FROM (${FIRST_CHATTERS})`
	)
	const markFirstChat = db.query<unknown, { chatters: string; ignore: string; stream: number }>(
		`UPDATE viewers SET first_chat_stream = $stream WHERE id IN (${FIRST_CHATTERS})`
	)
	// What chat earned (cycle points and bonuses) counts in all, this stream and this month (UTC), for !give's
	// check and the leaderboard.
	const EARNED = (amount: string) => `earned = earned + ${amount},
		stream_earned = CASE WHEN earned_stream IS $stream THEN stream_earned ELSE 0 END + ${amount}, earned_stream = $stream,
		month_earned = CASE WHEN earned_month IS $month THEN month_earned ELSE 0 END + ${amount}, earned_month = $month`
	const applyAward = db.query<unknown, { amount: number; starting: number; at: string; stream: number; previous: number | null; month: string }>(
		`UPDATE viewers SET balance = balance + $amount + (award.is_new = 1) * $starting, seen_at = $at, ${EARNED('$amount')},
		streak = CASE WHEN last_stream IS $stream THEN streak WHEN last_stream IS $previous THEN streak + 1 ELSE 1 END, last_stream = $stream
		FROM temp.award_list AS award WHERE viewers.id = award.id`
	)
	const applyBonus = db.query<unknown, { stream: number; month: string }>(
		`UPDATE viewers SET balance = balance + bonus.amount, ${EARNED('bonus.amount')}
		FROM temp.award_bonus AS bonus WHERE viewers.id = bonus.id`
	)
	const sumBonus = db.query<{ viewers: number; points: number }, []>('SELECT count(*) AS viewers, coalesce(sum(amount), 0) AS points FROM temp.award_bonus')
	// Names rarely change: updating only those spares rewriting the display-name index for every viewer.
	const applyNames = db.query<unknown, []>(
		`UPDATE viewers SET display_name = award.name
		FROM (SELECT id, name FROM temp.award_list WHERE is_new = 2) AS award WHERE viewers.id = award.id`
	)
	const countAwardList = db.query<{ viewers: number; newViewers: number }, []>(
		'SELECT count(*) AS viewers, coalesce(sum(is_new = 1), 0) AS newViewers FROM temp.award_list'
	)

	// Viewers seen in plain chat, applied together (src/modules/bot/sightings.ts): new ones with starting points and
	// their ledger rows; known ones get their name, moderator flag and time when one of them changed or the time is old.
	db.run('CREATE TEMP TABLE IF NOT EXISTS seen_list (id TEXT PRIMARY KEY, name TEXT NOT NULL, moderator INTEGER NOT NULL, is_new INTEGER NOT NULL) WITHOUT ROWID')
	const addToSeenList = db.query<unknown, [string, string, number]>('INSERT OR REPLACE INTO temp.seen_list (id, name, moderator, is_new) VALUES (?1, ?2, ?3, 0)')
	const markNewInSeenList = db.query<unknown, []>('UPDATE temp.seen_list SET is_new = 1 WHERE NOT EXISTS (SELECT 1 FROM viewers WHERE viewers.id = seen_list.id)')
	const insertSeenViewers = db.query<unknown, { at: string; starting: number }>(
		`INSERT INTO viewers (id, display_name, balance, is_moderator, created_at, seen_at)
		SELECT id, name, $starting, moderator, $at, $at FROM temp.seen_list WHERE is_new`
	)
	const insertSeenStartingLedger = db.query<unknown, { at: string; starting: number }>(
		`INSERT INTO ledger (viewer_id, delta, reason, created_at) SELECT id, $starting, 'starting', $at FROM temp.seen_list WHERE is_new`
	)
	const refreshSeen = db.query<unknown, { at: string; stale: string }>(
		`UPDATE viewers SET display_name = seen.name, is_moderator = seen.moderator, seen_at = $at
		FROM temp.seen_list AS seen WHERE viewers.id = seen.id AND NOT seen.is_new
		AND (viewers.display_name IS NOT seen.name OR viewers.is_moderator IS NOT seen.moderator OR viewers.seen_at < $stale)`
	)
	const countNewSeen = db.query<{ n: number }, []>('SELECT count(*) AS n FROM temp.seen_list WHERE is_new')
	const clearSeenList = db.query<unknown, []>('DELETE FROM temp.seen_list')

	// Leaderboards: viewers who are not bots, not hidden (!hide) and not in ignore_users.
	const LISTED = `is_bot = 0 AND hidden = 0 AND id NOT IN (SELECT value FROM json_each($ignore))
		AND lower(display_name) NOT IN (SELECT lower(value) FROM json_each($ignore))`
	const topBalance = db.query<ViewerSummary, { ignore: string; limit: number }>(
		`SELECT id, display_name AS displayName, balance FROM viewers WHERE ${LISTED} ORDER BY balance DESC, id LIMIT $limit`
	)
	const topStream = db.query<{ id: string; displayName: string; points: number }, { ignore: string; limit: number; stream: number }>(
		`SELECT id, display_name AS displayName, stream_earned AS points FROM viewers
		WHERE earned_stream = $stream AND stream_earned > 0 AND ${LISTED} ORDER BY stream_earned DESC, id LIMIT $limit`
	)
	const topMonth = db.query<{ id: string; displayName: string; points: number }, { ignore: string; limit: number; month: string }>(
		`SELECT id, display_name AS displayName, month_earned AS points FROM viewers
		WHERE earned_month = $month AND month_earned > 0 AND ${LISTED} ORDER BY month_earned DESC, id LIMIT $limit`
	)
	const rankOf = db.query<{ rank: number }, { ignore: string; id: string }>(
		`SELECT count(*) + 1 AS rank FROM viewers, (SELECT balance AS mine FROM viewers WHERE id = $id) AS me
		WHERE ${LISTED} AND (balance > me.mine OR (balance = me.mine AND id < $id))`
	)
	const listedOne = db.query<{ n: number }, { ignore: string; id: string }>(`SELECT 1 AS n FROM viewers WHERE id = $id AND ${LISTED}`)
	const botNamed = db.query<{ n: number }, { name: string }>(
		'SELECT 1 AS n FROM viewers WHERE display_name = $name COLLATE NOCASE AND is_bot = 1 LIMIT 1'
	)
	const setHidden = db.query<unknown, { id: string; hidden: number }>('UPDATE viewers SET hidden = $hidden WHERE id = $id')
	const selectHidden = db.query<{ hidden: number }, { id: string }>('SELECT hidden FROM viewers WHERE id = $id')
	const selectEarned = db.query<{ earned: number; isBot: number }, { id: string }>('SELECT earned, is_bot AS isBot FROM viewers WHERE id = $id')
	const givenSince = db.query<{ points: number }, { id: string; since: string }>(
		"SELECT coalesce(-sum(delta), 0) AS points FROM ledger WHERE viewer_id = $id AND reason = 'give' AND delta < 0 AND created_at >= $since"
	)

	const toViewer = (row: ViewerRow): Viewer => ({ ...row, isModerator: row.isModerator === 1 })
	const record = (id: string, delta: number, entry: LedgerEntry, at: string) =>
		insertLedger.run({
			id,
			delta,
			reason: entry.reason,
			redeem: entry.redeem ?? null,
			redemption: entry.redemptionId ?? null,
			ref: entry.ref ?? null,
			now: at
		})

	/** Creates the viewer if new (with starting points, in the ledger) or refreshes name and moderator flag. */
	const upsert = db.transaction((viewer: ViewerInput, now: number): { created: boolean } => {
		const at = nowIso(now)
		const moderator = viewer.isModerator ? 1 : 0
		const starting = options.startingPoints()
		const created = insertViewer.run({ id: viewer.id, name: viewer.displayName, moderator, balance: starting, now: at }).changes === 1
		if (created) {
			if (starting > 0) record(viewer.id, starting, { reason: 'starting' }, at)
		} else {
			updateViewerSeen.run({ id: viewer.id, name: viewer.displayName, moderator, now: at })
		}
		return { created }
	})

	return {
		viewer(id: string): Viewer | undefined {
			const row = selectViewer.get({ id })
			return row ? toViewer(row) : undefined
		},
		balance: (id: string): number | undefined => balanceOf.get({ id })?.balance,

		/** A viewer was seen in chat: created with starting points if new, else name, moderator flag and time refreshed. */
		touch(viewer: ViewerInput, now: number): { created: boolean } {
			// Most messages come from viewers already known with the same name: a read, no write transaction.
			const known = selectSeen.get({ id: viewer.id })
			if (
				known &&
				known.displayName === viewer.displayName &&
				known.isModerator === (viewer.isModerator ? 1 : 0) &&
				now - Date.parse(known.seenAt) < SEEN_REFRESH_MS
			) {
				return { created: false }
			}
			return upsert.immediate(viewer, now)
		},
		/**
		 * Viewers seen in chat, together (in the order seen: a later sighting of one viewer wins): like touch for each,
		 * set-wise. Inside the caller's transaction. Returns how many were new.
		 */
		touchMany(seen: readonly ViewerInput[], now: number): number {
			if (seen.length === 0) return 0
			const at = nowIso(now)
			const starting = options.startingPoints()
			clearSeenList.run()
			for (const v of seen) addToSeenList.run(v.id, v.displayName, v.isModerator ? 1 : 0)
			markNewInSeenList.run()
			insertSeenViewers.run({ at, starting })
			if (starting > 0) insertSeenStartingLedger.run({ at, starting })
			refreshSeen.run({ at, stale: nowIso(now - SEEN_REFRESH_MS) })
			const created = countNewSeen.get()?.n ?? 0
			clearSeenList.run()
			return created
		},
		/** Makes sure a viewer row exists, with no points (imports). Inside the caller's transaction. */
		ensure(id: string, displayName: string, now: number): boolean {
			return insertViewer.run({ id, name: displayName, moderator: 0, balance: 0, now: nowIso(now) }).changes === 1
		},
		rename: (id: string, name: string) => renameViewer.run({ id, name }).changes === 1,

		/** The one definition of "the viewer called X". */
		findByName(name: string): NameMatch {
			const matches = byName.all({ name })
			if (matches.length === 0) return { kind: 'none' }
			if (matches.length > 1) return { kind: 'several' }
			return { kind: 'one', viewer: matches[0] as ViewerSummary }
		},
		search: (query: string, limit = 50) =>
			search.all({ pattern: `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, limit }),
		/** Display names of these viewers, for lists that show who redeemed (unknown ids are left out). */
		names(ids: readonly string[]): Map<string, string> {
			const unique = [...new Set(ids)]
			if (unique.length === 0) return new Map()
			return new Map(namesOf.all({ ids: JSON.stringify(unique) }).map((r) => [r.id, r.displayName]))
		},

		/**
		 * Takes amount if the balance covers it (guarded), with its ledger row; a free use (0) gets its row too,
		 * since limits count uses in the ledger. Inside the caller's transaction.
		 */
		debit(id: string, amount: number, entry: LedgerEntry, now: number): Charge {
			const row = debitStmt.get({ id, amount })
			if (!row) return { ok: false, balance: balanceOf.get({ id })?.balance ?? 0 }
			record(id, -amount, entry, nowIso(now))
			return { ok: true, balance: row.balance }
		},
		/** Gives amount, with its ledger row; undefined when there is no such viewer. Inside the caller's transaction. */
		credit(id: string, amount: number, entry: LedgerEntry, now: number): number | undefined {
			if (amount === 0) return balanceOf.get({ id })?.balance
			const row = creditStmt.get({ id, amount })
			if (!row) return undefined
			record(id, amount, entry, nowIso(now))
			return row.balance
		},

		/**
		 * Points for everyone in the list (new viewers also get starting points), set-wise with one ledger row per
		 * viewer, plus the earning rules' bonuses (each with its own ledger row). Inside the caller's transaction,
		 * which also decides whether an award is due.
		 */
		/**
		 * Fills the next award's list while Owncast's client list arrives, so the award's transaction does not wait for
		 * it and no array of 100,000 viewers is kept: only this connection's temporary list is written (in a transaction
		 * of its own that locks nothing in the database). Then `award(done(), ...)`, or `abandon()`.
		 */
		stageAward(): { add(viewer: ViewerInput): void; done(): StagedAward; abandon(): void } {
			clearAwardList.run()
			db.run('BEGIN DEFERRED')
			return {
				add: (viewer) => {
					stageInAwardList.run(viewer.id, viewer.displayName)
				},
				done: () => {
					db.run('COMMIT')
					return STAGED
				},
				abandon: () => {
					if (db.inTransaction) db.run('ROLLBACK')
					clearAwardList.run()
				}
			}
		},
		/** Pays a cycle to the viewers given, or to those staged with stageAward. Inside the caller's transaction. */
		award(viewers: readonly ViewerInput[] | StagedAward, amount: number, now: number, rules: AwardRules = NO_RULES): AwardCounts {
			const at = nowIso(now)
			const starting = options.startingPoints()
			const ignore = JSON.stringify(rules.ignore)
			const chatters = JSON.stringify(rules.chatters)
			const stream = rules.stream?.id ?? 0
			const previous = rules.stream?.previousId ?? null
			const month = at.slice(0, 7)
			clearAwardBonus.run()
			if (viewers !== STAGED) {
				clearAwardList.run()
				const sorted = [...(viewers as readonly ViewerInput[])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
				for (const v of sorted) addToAwardList.run(v.id, v.displayName)
			}
			markNewInAwardList.run()
			// Viewers the bot has marked as bots never earn, nor do ignore_users.
			dropBotsFromAwardList.run()
			if (rules.ignore.length > 0) dropIgnoredFromAwardList.run({ ignore })
			insertNewViewers.run({ at })
			if (starting > 0) insertStartingLedger.run({ starting, at })
			if (amount > 0) {
				const cycle = insertAwardCycle.run({ amount, at }).lastInsertRowid
				insertAwardMembers.run({ cycle })
			}
			if (rules.stream && rules.streakBonus > 0) {
				const streak = { stream, previous, streams: rules.streakStreams, bonus: rules.streakBonus }
				insertStreakLedger.run({ ...streak, at })
				collectStreakBonus.run(streak)
			}
			if (rules.chatters.length > 0 && rules.activeChatterBonus > 0) {
				insertChatLedger.run({ chatters, ignore, bonus: rules.activeChatterBonus, at })
				collectChatBonus.run({ chatters, ignore, bonus: rules.activeChatterBonus })
			}
			if (rules.chatters.length > 0 && rules.stream && rules.firstChatBonus > 0) {
				insertFirstChatLedger.run({ chatters, ignore, bonus: rules.firstChatBonus, stream, at })
				collectFirstChatBonus.run({ chatters, ignore, bonus: rules.firstChatBonus, stream })
				markFirstChat.run({ chatters, ignore, stream })
			}
			applyAward.run({ amount, starting, at, stream, previous, month })
			applyBonus.run({ stream, month })
			applyNames.run()
			const counts = countAwardList.get() as { viewers: number; newViewers: number }
			const bonus = sumBonus.get() as { viewers: number; points: number }
			clearAwardList.run()
			clearAwardBonus.run()
			return { ...counts, bonusViewers: bonus.viewers, bonusPoints: bonus.points }
		},

		/** The top viewers by balance, by points earned this stream, by points earned this month (UTC). */
		leaderboard(ignore: readonly string[], limit: number, now: number, streamId: number | undefined) {
			const params = { ignore: JSON.stringify(ignore), limit }
			return {
				balance: topBalance.all(params),
				stream: streamId === undefined ? [] : topStream.all({ ...params, stream: streamId }),
				month: topMonth.all({ ...params, month: nowIso(now).slice(0, 7) })
			}
		},
		/** A viewer's place by balance among listed viewers; undefined when they are not listed (hidden, ignored, a bot). */
		rank(id: string, ignore: readonly string[]): number | undefined {
			const json = JSON.stringify(ignore)
			if (!listedOne.get({ id, ignore: json })) return undefined
			return rankOf.get({ id, ignore: json })?.rank
		},
		/** Whether a bot (Owncast integration) goes by this name. */
		isBotName: (name: string) => botNamed.get({ name }) !== null,
		/** !hide: off the leaderboard, or back on it. */
		setHidden: (id: string, hidden: boolean) => setHidden.run({ id, hidden: hidden ? 1 : 0 }).changes === 1,
		isHidden: (id: string) => selectHidden.get({ id })?.hidden === 1,
		/** Points a viewer earned from being in chat (cycles and bonuses), and whether the bot marked them a bot. */
		earnedOf(id: string): { earned: number; isBot: boolean } | undefined {
			const row = selectEarned.get({ id })
			return row ? { earned: row.earned, isBot: row.isBot === 1 } : undefined
		},
		/** Points a viewer gave away since a time. */
		givenSince: (id: string, since: number) => givenSince.get({ id, since: nowIso(since) })?.points ?? 0,

		/** A viewer's ledger rows since a time, newest first (their points history). */
		history: (viewerId: string, since: number, limit = 10_000) => history.all({ viewer: viewerId, since: nowIso(since), limit }),

		/** Past uses of a redeem from the ledger, for limits. Counts stop at max. */
		uses: {
			lastAt: (redeem: string) => lastUse.get({ redeem })?.at ?? undefined,
			lastByViewerAt: (redeem: string, viewerId: string) => lastUseByViewer.get({ redeem, viewer: viewerId })?.at ?? undefined,
			since: (redeem: string, since: string, max: number) => usesSince.get({ redeem, since, max })?.n ?? 0,
			byViewerSince: (redeem: string, viewerId: string, since: string, max: number) =>
				usesByViewerSince.get({ redeem, viewer: viewerId, since, max })?.n ?? 0
		}
	}
}

export type ViewerStore = ReturnType<typeof createViewerStore>
