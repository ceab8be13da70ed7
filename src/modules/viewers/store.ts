// Viewers, their balances and the ledger: the only module that reads or writes the viewers and ledger tables.
// Points are money. A balance only changes through debit, credit or award, each a guarded update together with
// its ledger row (so balance = sum of the viewer's ledger rows, always); they run inside the caller's
// transaction (see db/transaction.ts), so a purchase can charge, queue and count stock atomically.
import type { Database } from 'bun:sqlite'
import { nowIso } from '../../db/time.ts'

export type ViewerInput = { id: string; displayName: string; isModerator?: boolean }
export type Viewer = { id: string; displayName: string; balance: number; isModerator: boolean }
export type ViewerSummary = { id: string; displayName: string; balance: number }

export type LedgerReason = 'starting' | 'cycle' | 'redeem' | 'donation' | 'refund' | 'import' | 'moderator'
/** What a balance change is for; redeem and redemption tie it to a use (limits count these rows). */
export type LedgerEntry = { reason: LedgerReason; redeem?: string | null; redemptionId?: number | null }

/** One row of a viewer's points history. */
export type LedgerRow = { delta: number; reason: LedgerReason; redeem: string | null; createdAt: string }

export type Charge = { ok: true; balance: number } | { ok: false; balance: number }

/** The one meaning of "the viewer called X": case-insensitive, bots excluded, most recently seen first. */
export type NameMatch = { kind: 'none' } | { kind: 'one'; viewer: ViewerSummary } | { kind: 'several' }

/** seen_at only orders name look-ups; refreshing it once a minute is enough. */
const SEEN_REFRESH_MS = 60_000

type ViewerRow = { id: string; displayName: string; balance: number; isModerator: number }

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
		{ id: string; delta: number; reason: string; redeem: string | null; redemption: number | null; now: string }
	>(
		`INSERT INTO ledger (viewer_id, delta, reason, redeem, redemption_id, created_at)
		VALUES ($id, $delta, $reason, $redeem, $redemption, $now)`
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
		`SELECT delta, reason, redeem, created_at AS createdAt FROM ledger
		WHERE viewer_id = $viewer AND created_at >= $since ORDER BY id DESC LIMIT $limit`
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
	const clearAwardList = db.query<unknown, []>('DELETE FROM temp.award_list')
	const fillAwardList = db.query<unknown, { json: string }>(
		`INSERT OR IGNORE INTO temp.award_list (id, name, is_new)
		SELECT value ->> 'id', value ->> 'name', NOT EXISTS (SELECT 1 FROM viewers WHERE viewers.id = value ->> 'id')
		FROM json_each($json)`
	)
	const dropBotsFromAwardList = db.query<unknown, []>('DELETE FROM temp.award_list WHERE id IN (SELECT id FROM viewers WHERE is_bot = 1)')
	const insertNewViewers = db.query<unknown, { at: string }>(
		`INSERT INTO viewers (id, display_name, balance, created_at, seen_at)
		SELECT id, name, 0, $at, $at FROM temp.award_list WHERE is_new`
	)
	const insertStartingLedger = db.query<unknown, { starting: number; at: string }>(
		`INSERT INTO ledger (viewer_id, delta, reason, created_at)
		SELECT id, $starting, 'starting', $at FROM temp.award_list WHERE is_new`
	)
	const insertCycleLedger = db.query<unknown, { amount: number; at: string }>(
		`INSERT INTO ledger (viewer_id, delta, reason, created_at) SELECT id, $amount, 'cycle', $at FROM temp.award_list`
	)
	const applyAward = db.query<unknown, { amount: number; starting: number; at: string }>(
		`UPDATE viewers SET balance = balance + $amount + award.is_new * $starting, seen_at = $at
		FROM temp.award_list AS award WHERE viewers.id = award.id`
	)
	// Names rarely change: updating only those spares rewriting the display-name index for every viewer.
	const applyNames = db.query<unknown, []>(
		`UPDATE viewers SET display_name = award.name
		FROM temp.award_list AS award WHERE viewers.id = award.id AND viewers.display_name IS NOT award.name`
	)
	const countAwardList = db.query<{ viewers: number; newViewers: number }, []>(
		'SELECT count(*) AS viewers, coalesce(sum(is_new), 0) AS newViewers FROM temp.award_list'
	)

	const toViewer = (row: ViewerRow): Viewer => ({ ...row, isModerator: row.isModerator === 1 })
	const record = (id: string, delta: number, entry: LedgerEntry, at: string) =>
		insertLedger.run({ id, delta, reason: entry.reason, redeem: entry.redeem ?? null, redemption: entry.redemptionId ?? null, now: at })

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
		 * viewer. Inside the caller's transaction, which also decides whether an award is due.
		 */
		award(viewers: readonly ViewerInput[], amount: number, now: number): { viewers: number; newViewers: number } {
			const at = nowIso(now)
			const starting = options.startingPoints()
			clearAwardList.run()
			fillAwardList.run({ json: JSON.stringify(viewers.map((v) => ({ id: v.id, name: v.displayName }))) })
			// Viewers the bot has marked as bots never earn.
			dropBotsFromAwardList.run()
			insertNewViewers.run({ at })
			if (starting > 0) insertStartingLedger.run({ starting, at })
			if (amount > 0) insertCycleLedger.run({ amount, at })
			applyAward.run({ amount, starting, at })
			applyNames.run()
			const counts = countAwardList.get() as { viewers: number; newViewers: number }
			clearAwardList.run()
			return counts
		},

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
