// What moderators and the admin page change: redemption statuses and refunds, balances, paused redeems,
// active categories, the audit log. Every balance change is a guarded update with its ledger row, in one
// IMMEDIATE transaction; a refund is unique per redemption (a unique index), so it happens exactly once.
import type { Database } from 'bun:sqlite'
import { nowIso } from '../redeems/repo.ts'

export type RedemptionStatus = 'pending' | 'fulfilled' | 'rejected' | 'cancelled'
export type RedemptionRow = {
	id: number
	redeem: string
	type: 'list' | 'note'
	viewerId: string
	viewerName: string
	cost: number
	note: string | null
	status: RedemptionStatus
	createdAt: string
}
export type ResolveAction = 'done' | 'reject' | 'refund'
export type ResolveResult =
	| { ok: true; redemption: RedemptionRow; status: RedemptionStatus; refunded: number }
	| { ok: false; reason: 'not_found' }
	| { ok: false; reason: 'wrong_status'; status: RedemptionStatus }

export type AdjustMode = 'add' | 'remove' | 'set'
export type AdjustResult =
	| { ok: true; balance: number; delta: number }
	| { ok: false; reason: 'not_found' }
	| { ok: false; reason: 'not_enough'; balance: number }

export type AuditEntry = { id: number; actor: string; action: string; detail: string; createdAt: string }
export type ViewerSummary = { id: string; displayName: string; balance: number }

const ACTIVE_CATEGORIES = 'active_categories'
const ACTIVE_CATEGORIES_FROM_CONFIG = 'active_categories_config'

/** Which statuses each action may start from, and where it leads. */
const TRANSITIONS: Record<ResolveAction, { from: RedemptionStatus[]; to: RedemptionStatus; refunds: boolean }> = {
	done: { from: ['pending'], to: 'fulfilled', refunds: false },
	reject: { from: ['pending'], to: 'rejected', refunds: true },
	refund: { from: ['pending', 'fulfilled'], to: 'cancelled', refunds: true }
}

export function createModerationRepo(db: Database) {
	const selectRedemption = db.query<RedemptionRow, { id: number }>(
		`SELECT r.id, r.redeem, r.redeem_type AS type, r.viewer_id AS viewerId, v.display_name AS viewerName, r.cost, r.note,
			r.status, r.created_at AS createdAt
		FROM redemptions r JOIN viewers v ON v.id = r.viewer_id WHERE r.id = $id`
	)
	const setStatus = db.query<unknown, { id: number; to: string; from1: string; from2: string; at: string }>(
		'UPDATE redemptions SET status = $to, resolved_at = $at WHERE id = $id AND status IN ($from1, $from2)'
	)
	const insertRefund = db.query<unknown, { viewer: string; delta: number; redeem: string; id: number; at: string }>(
		`INSERT INTO ledger (viewer_id, delta, reason, redeem, redemption_id, created_at)
		VALUES ($viewer, $delta, 'refund', $redeem, $id, $at)`
	)
	const credit = db.query<unknown, { id: string; delta: number }>('UPDATE viewers SET balance = balance + $delta WHERE id = $id')
	const debit = db.query<{ balance: number }, { id: string; amount: number }>(
		'UPDATE viewers SET balance = balance - $amount WHERE id = $id AND balance >= $amount RETURNING balance'
	)
	const selectBalance = db.query<{ balance: number }, { id: string }>('SELECT balance FROM viewers WHERE id = $id')
	const insertModeratorLedger = db.query<unknown, { id: string; delta: number; at: string }>(
		"INSERT INTO ledger (viewer_id, delta, reason, created_at) VALUES ($id, $delta, 'moderator', $at)"
	)
	const insertAudit = db.query<unknown, { actor: string; action: string; detail: string; at: string }>(
		'INSERT INTO audit_log (actor, action, detail, created_at) VALUES ($actor, $action, $detail, $at)'
	)
	const selectAudit = db.query<AuditEntry, { limit: number; offset: number }>(
		'SELECT id, actor, action, detail, created_at AS createdAt FROM audit_log ORDER BY id DESC LIMIT $limit OFFSET $offset'
	)
	const viewersByName = db.query<ViewerSummary, { name: string }>(
		`SELECT id, display_name AS displayName, balance FROM viewers
		WHERE display_name = $name COLLATE NOCASE AND is_bot = 0 ORDER BY seen_at DESC LIMIT 2`
	)
	const searchViewers = db.query<ViewerSummary, { pattern: string; limit: number }>(
		`SELECT id, display_name AS displayName, balance FROM viewers
		WHERE (display_name LIKE $pattern ESCAPE '\\' OR id LIKE $pattern ESCAPE '\\') AND is_bot = 0
		ORDER BY seen_at DESC LIMIT $limit`
	)
	const viewerById = db.query<ViewerSummary, { id: string }>(
		'SELECT id, display_name AS displayName, balance FROM viewers WHERE id = $id'
	)
	const pending = db.query<RedemptionRow, { limit: number }>(
		`SELECT r.id, r.redeem, r.redeem_type AS type, r.viewer_id AS viewerId, v.display_name AS viewerName, r.cost, r.note,
			r.status, r.created_at AS createdAt
		FROM redemptions r JOIN viewers v ON v.id = r.viewer_id
		WHERE r.status = 'pending' AND r.cleared_at IS NULL ORDER BY r.created_at, r.id LIMIT $limit`
	)
	const setPausedStmt = db.query<unknown, { name: string; paused: number }>(
		`INSERT INTO redeem_controls (name, paused) VALUES ($name, $paused)
		ON CONFLICT (name) DO UPDATE SET paused = excluded.paused`
	)
	const pausedNames = db.query<{ name: string }, []>('SELECT name FROM redeem_controls WHERE paused = 1')
	const restockStmt = db.query<unknown, { name: string }>(
		'INSERT INTO redeem_controls (name, stock_used) VALUES ($name, 0) ON CONFLICT (name) DO UPDATE SET stock_used = 0'
	)
	const selectState = db.query<{ value: string }, { key: string }>('SELECT value FROM bot_state WHERE key = $key')
	const upsertState = db.query<unknown, { key: string; value: string }>(
		'INSERT INTO bot_state (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value'
	)

	function audit(actor: string, action: string, detail: string, now: number) {
		insertAudit.run({ actor, action, detail, at: nowIso(now) })
	}

	const resolve = db.transaction((id: number, action: ResolveAction, actor: string, reason: string, now: number): ResolveResult => {
		const redemption = selectRedemption.get({ id })
		if (!redemption) return { ok: false, reason: 'not_found' }
		const rule = TRANSITIONS[action]
		const at = nowIso(now)
		// The status guard makes a second, racing resolve a no-op.
		const changed = setStatus.run({ id, to: rule.to, from1: rule.from[0] as string, from2: (rule.from[1] ?? rule.from[0]) as string, at }).changes
		if (changed !== 1) return { ok: false, reason: 'wrong_status', status: redemption.status }
		let refunded = 0
		if (rule.refunds && redemption.cost > 0) {
			insertRefund.run({ viewer: redemption.viewerId, delta: redemption.cost, redeem: redemption.redeem, id, at })
			credit.run({ id: redemption.viewerId, delta: redemption.cost })
			refunded = redemption.cost
		}
		audit(actor, action, `#${id} ${redemption.redeem} by ${redemption.viewerName}${reason ? `: ${reason}` : ''}${refunded ? ` (refunded ${refunded})` : ''}`, now)
		return { ok: true, redemption, status: rule.to, refunded }
	})

	const adjust = db.transaction((viewerId: string, mode: AdjustMode, amount: number, actor: string, now: number): AdjustResult => {
		const current = selectBalance.get({ id: viewerId })
		if (!current) return { ok: false, reason: 'not_found' }
		const delta = mode === 'add' ? amount : mode === 'remove' ? -amount : amount - current.balance
		let balance = current.balance
		if (delta < 0) {
			const row = debit.get({ id: viewerId, amount: -delta })
			if (!row) return { ok: false, reason: 'not_enough', balance: current.balance }
			balance = row.balance
		} else if (delta > 0) {
			credit.run({ id: viewerId, delta })
			balance += delta
		}
		if (delta !== 0) insertModeratorLedger.run({ id: viewerId, delta, at: nowIso(now) })
		const name = viewerById.get({ id: viewerId })?.displayName ?? viewerId
		audit(actor, `${mode}points`, `${name} (${viewerId}): ${delta >= 0 ? '+' : ''}${delta}, now ${balance}`, now)
		return { ok: true, balance, delta }
	})

	return {
		redemption: (id: number) => selectRedemption.get({ id }) ?? undefined,
		pendingRedemptions: (limit = 200) => pending.all({ limit }),
		resolve: (id: number, action: ResolveAction, actor: string, reason: string, now: number) =>
			resolve.immediate(id, action, actor, reason, now),
		adjustPoints: (viewerId: string, mode: AdjustMode, amount: number, actor: string, now: number) =>
			adjust.immediate(viewerId, mode, amount, actor, now),
		/** Viewers with exactly this display name (ignoring case), at most two: enough to tell one from several. */
		viewersNamed: (name: string) => viewersByName.all({ name }),
		viewer: (id: string) => viewerById.get({ id }) ?? undefined,
		searchViewers: (query: string, limit = 50) =>
			searchViewers.all({ pattern: `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, limit }),
		setPaused: (redeem: string, paused: boolean, actor: string, now: number) =>
			db.transaction(() => {
				setPausedStmt.run({ name: redeem, paused: paused ? 1 : 0 })
				audit(actor, paused ? 'pause' : 'resume', redeem, now)
			}).immediate(),
		pausedRedeems: () => pausedNames.all().map((r) => r.name),
		restock: (redeem: string, actor: string, now: number) =>
			db.transaction(() => {
				restockStmt.run({ name: redeem })
				audit(actor, 'restock', redeem, now)
			}).immediate(),
		/** The categories switched on at run time, or undefined when chat never changed them. */
		activeCategories: (): string[] | undefined => {
			const value = selectState.get({ key: ACTIVE_CATEGORIES })?.value
			return value === undefined ? undefined : (JSON.parse(value) as string[])
		},
		setCategory: (category: string, on: boolean, fallback: readonly string[], actor: string, now: number) =>
			db.transaction((): string[] => {
				const stored = selectState.get({ key: ACTIVE_CATEGORIES })?.value
				const current: string[] = stored === undefined ? [...fallback] : (JSON.parse(stored) as string[])
				const others = current.filter((c) => c.toLowerCase() !== category.toLowerCase())
				const next = on ? [...others, category] : others
				upsertState.run({ key: ACTIVE_CATEGORIES, value: JSON.stringify(next) })
				audit(actor, on ? 'category_on' : 'category_off', category, now)
				return next
			}).immediate(),
		/**
		 * config.toml's active_categories wins whenever it changes: returns true when it replaced what chat had set.
		 * The first call on a database only remembers the config value.
		 */
		applyConfigCategories: (fromConfig: readonly string[]) =>
			db.transaction((): boolean => {
				const value = JSON.stringify(fromConfig)
				const previous = selectState.get({ key: ACTIVE_CATEGORIES_FROM_CONFIG })?.value
				if (previous === value) return false
				upsertState.run({ key: ACTIVE_CATEGORIES_FROM_CONFIG, value })
				const hadRuntime = selectState.get({ key: ACTIVE_CATEGORIES })?.value !== undefined
				db.query('DELETE FROM bot_state WHERE key = $key').run({ key: ACTIVE_CATEGORIES })
				return hadRuntime
			}).immediate(),
		audit: (actor: string, action: string, detail: string, now: number) => audit(actor, action, detail, now),
		auditLog: (limit = 100, offset = 0) => selectAudit.all({ limit, offset })
	}
}

export type ModerationRepo = ReturnType<typeof createModerationRepo>
