// Read-only queries behind the dashboard.
import type { Database } from 'bun:sqlite'

export type QueueEntry = {
	id: number
	redeem: string
	type: 'list' | 'note'
	note: string | null
	status: string
	createdAt: string
	viewerName: string
}

export function createDashboardRepo(db: Database) {
	const columns = `r.id, r.redeem, r.redeem_type AS type, r.note, r.status, r.created_at AS createdAt, v.display_name AS viewerName
		FROM redemptions r JOIN viewers v ON v.id = r.viewer_id WHERE r.cleared_at IS NULL`
	const queuePage = db.query<QueueEntry, { limit: number; offset: number }>(
		// Pending first (what the streamer still has to do), each group oldest first.
		`SELECT ${columns} ORDER BY r.status != 'pending', r.created_at, r.id LIMIT $limit OFFSET $offset`
	)
	const recent = db.query<QueueEntry, { limit: number }>(`SELECT ${columns} ORDER BY r.created_at DESC, r.id DESC LIMIT $limit`)
	const queueSize = db.query<{ n: number }, []>('SELECT count(*) AS n FROM redemptions WHERE cleared_at IS NULL')
	const viewerById = db.query<{ displayName: string; balance: number }, { id: string }>(
		'SELECT display_name AS displayName, balance FROM viewers WHERE id = $id'
	)
	const viewersByName = db.query<{ displayName: string; balance: number }, { name: string }>(
		'SELECT display_name AS displayName, balance FROM viewers WHERE display_name = $name LIMIT 2'
	)
	return {
		queuePage: (limit: number, offset: number) => queuePage.all({ limit, offset }),
		recent: (limit: number) => recent.all({ limit }),
		queueSize: () => queueSize.get()?.n ?? 0,
		viewerById: (id: string) => viewerById.get({ id }) ?? undefined,
		/** At most two matches: enough to tell "one" from "several". */
		viewersByName: (name: string) => viewersByName.all({ name })
	}
}

export type DashboardRepo = ReturnType<typeof createDashboardRepo>
