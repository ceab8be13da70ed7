// The viewer store behind the dashboard's Redeems tab, for a signed-in viewer: what each redeem costs and whether
// they can use it now, redeeming from the page (the same purchase, limits, rate limit and chat announcement as the
// chat command, once per Idempotency-Key), and their own activity. No SQL and no HTTP here.
import type { PredictionView, Predictions } from '../predictions/service.ts'
import { handleBetCommand } from '../predictions/commands.ts'
import type { Transact } from '../../db/transaction.ts'
import type { RateLimiter } from '../chat/rate-limit.ts'
import { describeWait, points } from '../messages/messages.ts'
import { sayTo, type Say } from '../chat/reply.ts'
import { useRedeem } from '../chat/service.ts'
import type { Moderation } from '../moderation/service.ts'
import type { ChatSender } from '../owncast/chat-sender.ts'
import type { RedemptionStatus, RedemptionStore } from '../redemptions/store.ts'
import { checkLimits, type LimitRefusal } from '../redeems/limits.ts'
import { findRedeem, isRedeemActive, type Redeem } from '../redeems/model.ts'
import type { Purchases } from '../redeems/purchase.ts'
import type { RedeemStore } from '../redeems/store.ts'
import type { SettingsSource } from '../settings/settings.ts'
import type { StreamStore } from '../streams/store.ts'
import type { LedgerReason, ViewerStore } from '../viewers/store.ts'
import type { IdempotencyStore } from './idempotency.ts'

export const ACTIVITY_DAYS = 30

/** Why a card's button is off, for the page to show: a code and the words for it. */
export type CardBlock = { code: LimitRefusal['code'] | 'insufficient' | 'complete'; text: string }

export type StoreCard = {
	name: string
	title: string
	info: string | undefined
	type: Redeem['type']
	categories: string[]
	price: number | undefined
	goal: number | undefined
	progress: number | undefined
	/** Note redeems: the longest note. */
	maxNoteLength: number | undefined
	/** Limits that count down, when the redeem has them. */
	stockLeft: number | undefined
	streamUsesLeft: number | undefined
	userUsesLeft: number | undefined
	/** Why it cannot be used now; undefined when it can. */
	blocked: CardBlock | undefined
}

export type StoreView = {
	viewer: { id: string; name: string; balance: number }
	prefix: string
	cards: StoreCard[]
	/** The prediction viewers can bet on now (or whose betting is closed), when predictions are on. */
	prediction: PredictionView | null
}
export type BetRequest = { outcome: string; amount: number }

export type RedeemRequest = { redeem: string; note?: string | undefined; amount?: number | undefined }
export type RedeemAnswer = { ok: boolean; message: string; balance: number | undefined }

export type ActivityRedemption = {
	id: number
	redeem: string
	note: string | null
	status: RedemptionStatus
	createdAt: string
	resolvedAt: string | null
	/** Pending entries: their place in the queue (1 = next). */
	position: number | undefined
	reason: string | null
	refunded: number
	source: 'chat' | 'page'
}
export type ActivityEntry =
	| { kind: 'earned'; points: number; from: string; to: string; streamStartedAt: string | undefined }
	| { kind: Exclude<LedgerReason, 'cycle'>; points: number; redeem: string | null; at: string }
export type Activity = { redemptions: ActivityRedemption[]; points: ActivityEntry[] }

export type StoreDeps = {
	settings: SettingsSource
	transact: Transact
	viewers: Pick<ViewerStore, 'viewer' | 'history'>
	purchases: Pick<Purchases, 'usage' | 'queue' | 'counter' | 'donate'>
	redeems: Pick<RedeemStore, 'milestone'>
	redemptions: Pick<RedemptionStore, 'byViewerSince' | 'placeInQueue'>
	streams: Pick<StreamStore, 'since'>
	moderation: Pick<Moderation, 'activeCategories'>
	idempotency: Pick<IdempotencyStore, 'get' | 'put'>
	replies: Pick<ChatSender, 'send'>
	limiter: RateLimiter
	/** Bets from the page go through the same service (and words) as !bet. */
	predictions: Pick<Predictions, 'bet' | 'current'>
}

export function createStore(deps: StoreDeps) {
	const words = (viewerName: string): Say => {
		const { messages, config } = deps.settings()
		return sayTo(messages, config.prefix, viewerName)
	}

	/**
	 * One request from the page per Idempotency-Key: a repeated key gets the first answer and changes nothing; the same
	 * key with another request (its fingerprint) is a mistake, not a retry. The work runs in one transaction, where the
	 * key is checked again, so two requests with one key never both get through; the per-viewer rate limit applies.
	 */
	function once(
		viewerId: string,
		key: string | undefined,
		fingerprint: string,
		now: number,
		work: (viewer: NonNullable<ReturnType<StoreDeps['viewers']['viewer']>>) => RedeemAnswer
	): RedeemAnswer | 'rate_limited' | 'key_reused' {
		const viewer = deps.viewers.viewer(viewerId)
		if (!viewer) return { ok: false, message: 'You are not known to the bot yet: say something in chat first.', balance: undefined }
		const earlierAnswer = (): RedeemAnswer | 'key_reused' | undefined => {
			const kept = key ? (deps.idempotency.get(viewerId, key) as { request: string; answer: RedeemAnswer } | undefined) : undefined
			if (!kept) return undefined
			return kept.request === fingerprint ? kept.answer : 'key_reused'
		}
		const earlier = earlierAnswer()
		if (earlier) return earlier
		if (!deps.limiter.allow(viewerId, now)) return 'rate_limited'
		return deps.transact<RedeemAnswer | 'key_reused'>(() => {
			const earlier = earlierAnswer()
			if (earlier) return earlier
			const result = work(viewer)
			if (key) deps.idempotency.put(viewerId, key, { request: fingerprint, answer: result }, now)
			return result
		})
	}

	function blockOf(redeem: Redeem, viewerId: string, balance: number, now: number): CardBlock | undefined {
		const refusal = checkLimits(redeem, deps.purchases.usage(redeem, viewerId), now)
		if (refusal) {
			switch (refusal.code) {
				case 'paused':
					return { code: 'paused', text: 'Paused' }
				case 'only_live':
					return { code: 'only_live', text: 'Only while the stream is live' }
				case 'out_of_stock':
					return { code: 'out_of_stock', text: 'Sold out' }
				case 'stream_limit':
					return { code: 'stream_limit', text: 'Used up for this stream' }
				case 'user_stream_limit':
					return { code: 'user_stream_limit', text: 'You have used it up for this stream' }
				case 'cooldown':
				case 'user_cooldown':
					return { code: refusal.code, text: `Available in ${describeWait(refusal.waitSeconds)}` }
			}
		}
		if (redeem.type === 'milestone') {
			const milestone = deps.redeems.milestone(redeem.name)
			if (!milestone || milestone.completed) return { code: 'complete', text: 'Goal reached' }
			if (balance < 1) return { code: 'insufficient', text: 'You need 1 more point' }
			return undefined
		}
		if (balance < redeem.price) return { code: 'insufficient', text: `You need ${points(redeem.price - balance)} more` }
		return undefined
	}

	function card(redeem: Redeem, viewerId: string, balance: number, now: number): StoreCard {
		const usage = deps.purchases.usage(redeem, viewerId)
		const { limits } = redeem
		const milestone = redeem.type === 'milestone' ? deps.redeems.milestone(redeem.name) : undefined
		return {
			name: redeem.name,
			title: redeem.title ?? redeem.name,
			info: redeem.info,
			type: redeem.type,
			categories: redeem.categories,
			price: redeem.type === 'milestone' ? undefined : redeem.price,
			goal: redeem.type === 'milestone' ? redeem.goal : undefined,
			progress: milestone?.progress,
			maxNoteLength: redeem.type === 'note' ? (limits.maxNoteLength ?? 500) : undefined,
			stockLeft: limits.stock !== undefined ? Math.max(0, limits.stock - usage.stockUsed) : undefined,
			streamUsesLeft: limits.maxPerStream !== undefined ? Math.max(0, limits.maxPerStream - usage.usesThisStream) : undefined,
			userUsesLeft:
				limits.maxPerUserPerStream !== undefined ? Math.max(0, limits.maxPerUserPerStream - usage.usesByViewerThisStream) : undefined,
			blocked: blockOf(redeem, viewerId, balance, now)
		}
	}

	return {
		/** The viewer and a card per active redeem, in redeems.toml order; undefined for an unknown viewer. */
		view(viewerId: string, now: number): StoreView | undefined {
			const viewer = deps.viewers.viewer(viewerId)
			if (!viewer) return undefined
			const { redeems, config } = deps.settings()
			const active = deps.moderation.activeCategories()
			const cards = redeems.filter((r) => isRedeemActive(r, active)).map((r) => card(r, viewerId, viewer.balance, now))
			const prediction = config.predictions_enabled ? (deps.predictions.current(now) ?? null) : null
			return { viewer: { id: viewer.id, name: viewer.displayName, balance: viewer.balance }, prefix: config.prefix, cards, prediction }
		},

		/**
		 * A bet from the page, like `!bet <outcome> <points>` in chat: the same service and replies; one answer per
		 * Idempotency-Key, so a retried click never bets twice.
		 */
		bet(viewerId: string, request: BetRequest, key: string | undefined, now: number): RedeemAnswer | 'rate_limited' | 'key_reused' {
			return once(viewerId, key, JSON.stringify(['bet', request.outcome, request.amount]), now, (viewer) => {
				const settings = deps.settings()
				if (!settings.config.predictions_enabled) return { ok: false, message: 'Predictions are off.', balance: viewer.balance }
				const betCommand = settings.commands.nameOf('bet') ?? 'bet'
				const say = words(viewer.displayName)
				const [reply] = handleBetCommand({ predictions: deps.predictions, say, now, viewerId, betCommand }, `${request.outcome} ${request.amount}`)
				const balance = deps.viewers.viewer(viewerId)?.balance
				// A bet that went through took points; a refusal took none.
				return { ok: balance !== viewer.balance, message: reply?.text ?? '', balance }
			})
		},

		/**
		 * A redeem from the page. The answer for a key is kept, so a repeated key gets the first answer and changes
		 * nothing; a successful redeem is announced in chat like the chat command's.
		 */
		redeem(viewerId: string, request: RedeemRequest, key: string | undefined, now: number): RedeemAnswer | 'rate_limited' | 'key_reused' {
			const settings = deps.settings()
			let announcements: { text: string; to: 'public' }[] = []
			const answer = once(viewerId, key, JSON.stringify([request.redeem, request.note ?? null, request.amount ?? null]), now, (viewer) => {
				const redeem = findRedeem(settings.redeems, request.redeem)
				if (!redeem) return { ok: false, message: `There is no redeem called ${request.redeem}.`, balance: viewer.balance }
				const used = useRedeem(
					{ purchases: deps.purchases, activeCategories: deps.moderation.activeCategories(), now },
					words(viewer.displayName),
					viewerId,
					redeem,
					{ note: request.note ?? '', amount: request.amount === undefined ? '' : String(request.amount) },
					'page'
				)
				announcements = used.replies.filter((r): r is { text: string; to: 'public' } => r.to === 'public')
				const personal = used.replies.find((r) => r.to !== 'public')
				return { ok: used.ok, message: (personal ?? used.replies[0])?.text ?? '', balance: used.balance ?? deps.viewers.viewer(viewerId)?.balance }
			})
			// The public line in chat, exactly as the chat command says it; sent once the purchase is committed.
			if (announcements.length && !settings.config.passive) deps.replies.send(announcements)
			return answer
		},

		/** The viewer's own redemptions and points history of the last 30 days, newest first. */
		activity(viewerId: string, now: number): Activity {
			const since = now - ACTIVITY_DAYS * 24 * 60 * 60 * 1000
			const redemptions = deps.redemptions.byViewerSince(viewerId, since).map((r) => ({
				id: r.id,
				redeem: r.redeem,
				note: r.note,
				status: r.status,
				createdAt: r.createdAt,
				resolvedAt: r.resolvedAt,
				position: r.status === 'pending' ? deps.redemptions.placeInQueue(r) : undefined,
				reason: r.reason,
				refunded: r.status === 'rejected' || r.status === 'cancelled' ? r.cost : 0,
				source: r.source
			}))
			return { redemptions, points: pointsHistory(deps.viewers.history(viewerId, since), deps.streams.since(since)) }
		}
	}
}

/** Ledger rows as a viewer reads them: points earned summed per stream, every other change on its own. */
function pointsHistory(
	rows: ReturnType<ViewerStore['history']>,
	streams: ReturnType<StreamStore['since']>
): ActivityEntry[] {
	const entries: ActivityEntry[] = []
	const earned = new Map<string, Extract<ActivityEntry, { kind: 'earned' }>>()
	const streamOf = (at: string) => streams.find((s) => s.startedAt <= at && (s.endedAt === null || at <= s.endedAt))
	for (const row of rows) {
		if (row.reason !== 'cycle') {
			entries.push({ kind: row.reason, points: row.delta, redeem: row.redeem, at: row.createdAt })
			continue
		}
		// Awards outside a recorded stream (a lost STREAM_STARTED) are grouped by day.
		const stream = streamOf(row.createdAt)
		const key = stream ? `stream:${stream.id}` : `day:${row.createdAt.slice(0, 10)}`
		const entry = earned.get(key)
		if (entry) {
			entry.points += row.delta
			if (row.createdAt < entry.from) entry.from = row.createdAt
		} else {
			const created: Extract<ActivityEntry, { kind: 'earned' }> = {
				kind: 'earned',
				points: row.delta,
				from: row.createdAt,
				to: row.createdAt,
				streamStartedAt: stream?.startedAt
			}
			earned.set(key, created)
			entries.push(created)
		}
	}
	return entries
}

export type Store = ReturnType<typeof createStore>
