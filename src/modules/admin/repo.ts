// What only the admin page reads: redemptions marked done lately (the ones a refund button is shown for).
import type { Database } from 'bun:sqlite'
import type { RedemptionRow } from '../moderation/repo.ts'

export type FulfilledRow = RedemptionRow & { resolvedAt: string }

export function createAdminRepo(db: Database) {
	const recentlyFulfilled = db.query<FulfilledRow, { limit: number }>(
		`SELECT r.id, r.redeem, r.redeem_type AS type, r.viewer_id AS viewerId, v.display_name AS viewerName, r.cost, r.note,
			r.status, r.created_at AS createdAt, r.resolved_at AS resolvedAt
		FROM redemptions r JOIN viewers v ON v.id = r.viewer_id
		WHERE r.status = 'fulfilled' AND r.resolved_at IS NOT NULL
		ORDER BY r.resolved_at DESC, r.id DESC LIMIT $limit`
	)
	return {
		recentlyFulfilled: (limit = 20) => recentlyFulfilled.all({ limit })
	}
}
