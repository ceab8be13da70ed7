// The redeem queue: the only module that reads or writes the redemptions table. Rows are never deleted; clearing
// the queue archives them. Statuses move pending -> fulfilled | rejected | cancelled through a status-guarded
// update, so two racing moderators cannot both act on one redemption. Rows carry the viewer's id; names come
// from the viewers store (see queue.ts).
import type { Database } from 'bun:sqlite'
import { nowIso } from '../../db/time.ts'

export type RedemptionStatus = 'pending' | 'fulfilled' | 'rejected' | 'cancelled'
export type QueuedType = 'list' | 'note'
/** Where a redemption was made: a chat command or the store page. */
export type RedemptionSource = 'chat' | 'page'

export type Redemption = {
	id: number
	redeem: string
	type: QueuedType
	viewerId: string
	cost: number
	note: string | null
	status: RedemptionStatus
	createdAt: string
	resolvedAt: string | null
	source: RedemptionSource
	/** A moderator's reason for rejecting it. */
	reason: string | null
}

/**
 * An entry's place in the queue order (pending first, then created_at, then id): where a page ends, so the next
 * page can start there (keyset paging) instead of counting past every earlier entry.
 */
export type QueuePosition = { resolved: boolean; createdAt: string; id: number }

export const queuePosition = (r: Pick<Redemption, 'status' | 'createdAt' | 'id'>): QueuePosition => ({
	resolved: r.status !== 'pending',
	createdAt: r.createdAt,
	id: r.id
})

const COLUMNS = `id, redeem, redeem_type AS type, viewer_id AS viewerId, cost, note, status,
	created_at AS createdAt, resolved_at AS resolvedAt, source, reason FROM redemptions`

/** Which pending entries the admin queue shows: one redeem's (any case), some viewers' (by id). */
export type PendingFilter = { redeem?: string; viewerIds?: readonly string[] }
const filterParams = (filter: PendingFilter) => ({
	redeem: filter.redeem ?? null,
	viewers: filter.viewerIds ? JSON.stringify(filter.viewerIds) : null
})

export function createRedemptionStore(db: Database) {
	const insert = db.query<
		{ id: number },
		{
			redeem: string
			type: string
			viewer: string
			cost: number
			note: string | null
			status: string
			created: string
			resolved: string | null
			source: string
		}
	>(
		`INSERT INTO redemptions (redeem, redeem_type, viewer_id, cost, note, status, created_at, resolved_at, source)
		VALUES ($redeem, $type, $viewer, $cost, $note, $status, $created, $resolved, $source) RETURNING id`
	)
	const selectOne = db.query<Redemption, { id: number }>(`SELECT ${COLUMNS} WHERE id = $id`)
	const setStatus = db.query<unknown, { id: number; to: string; from: string; at: string; reason: string | null }>(
		`UPDATE redemptions SET status = $to, resolved_at = CASE WHEN $to = 'pending' THEN NULL ELSE $at END, reason = coalesce($reason, reason)
		WHERE id = $id AND status IN (SELECT value FROM json_each($from))`
	)
	const byViewerSince = db.query<Redemption, { viewer: string; since: string; limit: number }>(
		`SELECT ${COLUMNS} WHERE viewer_id = $viewer AND created_at >= $since ORDER BY created_at DESC, id DESC LIMIT $limit`
	)
	// A pending entry's place in the queue: pending entries before it in queue order, plus one.
	const pendingBefore = db.query<{ n: number }, { created: string; id: number }>(
		`SELECT count(*) AS n FROM redemptions WHERE cleared_at IS NULL AND status = 'pending' AND (created_at, id) < ($created, $id)`
	)
	// Pending first (what the streamer still has to do), each group oldest first: the queue_order index.
	const queuePage = db.query<Redemption, { limit: number; offset: number }>(
		`SELECT ${COLUMNS} WHERE cleared_at IS NULL ORDER BY status != 'pending', created_at, id LIMIT $limit OFFSET $offset`
	)
	// One group (pending or resolved) at a time: SQLite searches the queue_order index for (group, created_at, id)
	// only with the group fixed; a row-value comparison over all three would scan the index from the start.
	const queueGroupAfter = db.query<Redemption, { resolved: number; created: string; id: number; limit: number }>(
		`SELECT ${COLUMNS} WHERE cleared_at IS NULL AND (status != 'pending') = $resolved AND (created_at, id) > ($created, $id)
		ORDER BY created_at, id LIMIT $limit`
	)
	const recent = db.query<Redemption, { limit: number }>(
		`SELECT ${COLUMNS} WHERE cleared_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $limit`
	)
	const queueSize = db.query<{ n: number }, []>('SELECT count(*) AS n FROM redemptions WHERE cleared_at IS NULL')
	// Pending entries oldest first, after a place (keyset: the queue_order index, no counting past earlier ones).
	const pending = db.query<Redemption, { limit: number; created: string; id: number }>(
		`SELECT ${COLUMNS} WHERE status = 'pending' AND cleared_at IS NULL AND (created_at, id) > ($created, $id)
		ORDER BY created_at, id LIMIT $limit`
	)
	const pendingCount = db.query<{ n: number }, []>("SELECT count(*) AS n FROM redemptions WHERE status = 'pending' AND cleared_at IS NULL")
	// The same, only one redeem's and/or some viewers' (the admin queue's filters; null for no filter).
	const MATCHES = `($redeem IS NULL OR redeem = $redeem COLLATE NOCASE) AND ($viewers IS NULL OR viewer_id IN (SELECT value FROM json_each($viewers)))`
	const pendingMatching = db.query<Redemption, { limit: number; created: string; id: number; redeem: string | null; viewers: string | null }>(
		`SELECT ${COLUMNS} WHERE status = 'pending' AND cleared_at IS NULL AND (created_at, id) > ($created, $id) AND ${MATCHES}
		ORDER BY created_at, id LIMIT $limit`
	)
	const pendingMatchingCount = db.query<{ n: number }, { redeem: string | null; viewers: string | null }>(
		`SELECT count(*) AS n FROM redemptions WHERE status = 'pending' AND cleared_at IS NULL AND ${MATCHES}`
	)
	const byViewer = db.query<Redemption, { viewer: string; limit: number }>(
		`SELECT ${COLUMNS} WHERE viewer_id = $viewer ORDER BY created_at DESC, id DESC LIMIT $limit`
	)
	const recentlyFulfilled = db.query<Redemption, { limit: number }>(
		`SELECT ${COLUMNS} WHERE status = 'fulfilled' AND resolved_at IS NOT NULL ORDER BY resolved_at DESC, id DESC LIMIT $limit`
	)
	const archive = db.query<unknown, { now: string }>('UPDATE redemptions SET cleared_at = $now WHERE cleared_at IS NULL')

	return {
		/** A new queue entry; inside the caller's transaction (the purchase that pays for it). */
		add(input: {
			redeem: string
			type: QueuedType
			viewerId: string
			cost: number
			note: string | null
			/** Fulfilled at once (auto_fulfil), or imported as pending. */
			status: 'pending' | 'fulfilled'
			createdAt: number | string
			source?: RedemptionSource
		}): number {
			const created = typeof input.createdAt === 'string' ? input.createdAt : nowIso(input.createdAt)
			return (
				insert.get({
					redeem: input.redeem,
					type: input.type,
					viewer: input.viewerId,
					cost: input.cost,
					note: input.note,
					status: input.status,
					created,
					resolved: input.status === 'fulfilled' ? created : null,
					source: input.source ?? 'chat'
				}) as { id: number }
			).id
		},
		get: (id: number) => selectOne.get({ id }) ?? undefined,
		/** Moves a redemption to a status if it is in one of `from`; false when another change came first. */
		setStatus: (id: number, to: RedemptionStatus, from: readonly RedemptionStatus[], now: number, reason?: string) =>
			setStatus.run({ id, to, from: JSON.stringify(from), at: nowIso(now), reason: reason || null }).changes === 1,
		/** One viewer's redemptions since a time, newest first (their activity). */
		byViewerSince: (viewerId: string, since: number, limit = 200) =>
			byViewerSince.all({ viewer: viewerId, since: nowIso(since), limit }),
		/** 1 for the next pending entry in the queue, 2 for the one after, ... */
		placeInQueue: (r: Pick<Redemption, 'createdAt' | 'id'>) => (pendingBefore.get({ created: r.createdAt, id: r.id })?.n ?? 0) + 1,
		queuePage: (limit: number, offset: number) => queuePage.all({ limit, offset }),
		/** The queue in the same order as queuePage, from just after a position (from the start without one). */
		queueAfter(limit: number, after?: QueuePosition): Redemption[] {
			const from = after ?? { resolved: false, createdAt: '', id: 0 }
			const rows = queueGroupAfter.all({ resolved: from.resolved ? 1 : 0, created: from.createdAt, id: from.id, limit })
			if (!from.resolved && rows.length < limit) {
				rows.push(...queueGroupAfter.all({ resolved: 1, created: '', id: 0, limit: limit - rows.length }))
			}
			return rows
		},
		recent: (limit: number) => recent.all({ limit }),
		queueSize: () => queueSize.get()?.n ?? 0,
		/** Pending entries oldest first; after one, the ones that follow it. */
		pending: (limit = 200, after?: Pick<Redemption, 'createdAt' | 'id'>) =>
			pending.all({ limit, created: after?.createdAt ?? '', id: after?.id ?? 0 }),
		pendingCount: () => pendingCount.get()?.n ?? 0,
		/** Pending entries of one redeem and/or of some viewers, oldest first, after one (keyset, like pending). */
		pendingMatching: (filter: PendingFilter, limit = 200, after?: Pick<Redemption, 'createdAt' | 'id'>) =>
			pendingMatching.all({ limit, created: after?.createdAt ?? '', id: after?.id ?? 0, ...filterParams(filter) }),
		pendingMatchingCount: (filter: PendingFilter) => pendingMatchingCount.get(filterParams(filter))?.n ?? 0,
		/** One viewer's redemptions, archived ones too, newest first (the admin's viewer page). */
		byViewer: (viewerId: string, limit = 50) => byViewer.all({ viewer: viewerId, limit }),
		recentlyFulfilled: (limit = 20) => recentlyFulfilled.all({ limit }),
		/** Archives every entry in the queue (kept, no longer shown); returns how many. */
		archiveAll: (now: number) => archive.run({ now: nowIso(now) }).changes
	}
}

export type RedemptionStore = ReturnType<typeof createRedemptionStore>
