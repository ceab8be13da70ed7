// POST /owncastWebhook: validate, write what must be written, answer at once. Chat replies go out afterwards.
import { Elysia } from 'elysia'
import * as v from 'valibot'
import { dashboardUrl, type Deps } from '../../deps.ts'
import { createRateLimiter } from '../chat/rate-limit.ts'
import { handleChatMessage } from '../chat/service.ts'
import { streamStarted } from '../streams/service.ts'
import { authenticateWebhook, SIGNATURE_HEADER } from './signature.ts'
import {
	ChatEventSchema,
	NameChangeEventSchema,
	UserJoinedEventSchema,
	WebhookEnvelopeSchema,
	type OwncastUser
} from './model.ts'

export type WebhookOutcome = { status: 204 } | { status: 400 | 401 | 413; error: string }
export type WebhookRequest = { rawBody: string; signatureHeader?: string | undefined; urlSecret?: string | undefined }

/** Owncast's payloads are a few KB; anything much larger is not from Owncast. */
export const MAX_WEBHOOK_BYTES = 64 * 1024

const MODERATOR_SCOPE = 'MODERATOR'
const isModerator = (user: OwncastUser) => user.scopes?.includes(MODERATOR_SCOPE) ?? false
const bad = (error: string): WebhookOutcome => ({ status: 400, error })

/** Remembers recent chat message ids, so a message delivered twice (two registrations) counts once. */
function createRecentIds(limit: number) {
	const seen = new Set<string>()
	return (id: string): boolean => {
		if (seen.has(id)) return false
		seen.add(id)
		if (seen.size > limit) seen.delete(seen.values().next().value as string)
		return true
	}
}

export function createWebhookHandler(deps: Deps) {
	const firstDelivery = createRecentIds(10_000)
	let rate = deps.config.command_rate_limit
	let rateLimiter = createRateLimiter(rate)
	// A reloaded config.toml can change the limit.
	const limiter = () => {
		if (deps.config.command_rate_limit !== rate) {
			rate = deps.config.command_rate_limit
			rateLimiter = createRateLimiter(rate)
		}
		return rateLimiter
	}
	let lastRejectionLog = 0

	return function processWebhook(request: WebhookRequest): WebhookOutcome {
		const raw = request.rawBody
		const secret = deps.config.webhook_secret
		if (secret) {
			const auth = authenticateWebhook(request, secret, Math.floor(deps.clock() / 1000))
			if (!auth.ok) {
				// Logged at most once a minute, so a flood of forgeries cannot flood the log.
				if (deps.clock() - lastRejectionLog > 60_000) {
					lastRejectionLog = deps.clock()
					deps.log.warn(`webhook refused (${auth.reason}): check the webhook secret in Owncast and webhook_secret`)
				}
				return { status: 401, error: 'unauthorized' }
			}
		}
		let json: unknown
		try {
			json = JSON.parse(raw)
		} catch {
			return bad('body is not valid JSON')
		}
		const envelope = v.safeParse(WebhookEnvelopeSchema, json)
		if (!envelope.success) return bad('expected {"type": string, "eventData": object}')
		const { type, eventData } = envelope.output
		const now = deps.clock()

		switch (type) {
			case 'CHAT': {
				const event = v.safeParse(ChatEventSchema, eventData)
				if (!event.success) return bad(`CHAT: ${describe(event.issues)}`)
				const { user, id } = event.output
				if (user.isBot) return { status: 204 }
				if (id && !firstDelivery(id)) return { status: 204 }
				const config = deps.config
				const replies = handleChatMessage(
					{
						settings: {
							prefix: config.prefix,
							passive: config.passive,
							listRedeems: config.list_redeems,
							cycleSeconds: config.points_cycle_time,
							amount: config.points_amount_given,
							dashboardUrl: dashboardUrl(config)
						},
						redeems: deps.redeems,
						// A getter: plain chat (no command) never needs the categories, which cost a database read.
						get activeCategories() {
							return deps.activeCategories()
						},
						store: deps.points,
						moderation: deps.moderation,
						messages: deps.messages,
						now,
						allowCommand: (viewerId) => limiter().allow(viewerId, now)
					},
					{
						user: {
							id: user.id,
							displayName: user.displayName || user.id,
							isBot: user.isBot,
							isModerator: isModerator(user)
						},
						rawBody: event.output.rawBody ?? undefined,
						body: event.output.body ?? undefined
					}
				)
				if (!config.passive) deps.chat.send(replies, event.output.clientId ?? 0)
				return { status: 204 }
			}
			case 'NAME_CHANGE':
			case 'NAME_CHANGED': {
				const event = v.safeParse(NameChangeEventSchema, eventData)
				if (!event.success) return bad(`${type}: ${describe(event.issues)}`)
				const { user, newName } = event.output
				if (user.isBot) return { status: 204 }
				const displayName = newName?.trim() || user.displayName || user.id
				deps.points.touchViewer({ id: user.id, displayName, isModerator: isModerator(user) }, now)
				return { status: 204 }
			}
			case 'USER_JOINED': {
				const event = v.safeParse(UserJoinedEventSchema, eventData)
				if (!event.success) return bad(`USER_JOINED: ${describe(event.issues)}`)
				const { user } = event.output
				if (user.isBot) return { status: 204 }
				deps.points.touchViewer({ id: user.id, displayName: user.displayName || user.id, isModerator: isModerator(user) }, now)
				return { status: 204 }
			}
			case 'STREAM_STARTED':
				streamStarted(deps, now)
				return { status: 204 }
			case 'STREAM_STOPPED':
				deps.points.endStream(now)
				deps.log.info('the stream stopped')
				return { status: 204 }
			default:
				return { status: 204 }
		}
	}
}

function describe(issues: readonly v.BaseIssue<unknown>[]): string {
	const issue = issues[0]
	if (!issue) return 'invalid'
	const path = v.getDotPath(issue)
	return `${path ? `eventData.${path}` : 'eventData'}: ${issue.expected ? `expected ${issue.expected}` : issue.message}`
}

/** Reads the body as text, giving up past the limit without reading the rest. */
async function readCappedText(request: Request, limit: number): Promise<string | undefined> {
	const declared = Number(request.headers.get('content-length') ?? Number.NaN)
	if (declared > limit) return undefined
	if (!request.body) return ''
	// Owncast always sends Content-Length: then one read is enough (the runtime stops at the declared length).
	if (Number.isInteger(declared) && declared >= 0) return await request.text()
	const reader = request.body.getReader()
	const chunks: Uint8Array[] = []
	let size = 0
	for (;;) {
		const { done, value } = await reader.read()
		if (done) break
		size += value.byteLength
		if (size > limit) {
			await reader.cancel()
			return undefined
		}
		chunks.push(value)
	}
	return new TextDecoder().decode(Buffer.concat(chunks))
}

const TOO_LARGE = Symbol('too large')

export function owncastWebhook(deps: Deps) {
	const processWebhook = createWebhookHandler(deps)
	return new Elysia({ name: 'owncast.webhook' }).post(
		'/owncastWebhook',
		({ body, set, headers, query }) => {
			const outcome: WebhookOutcome =
				body === TOO_LARGE
					? { status: 413, error: `body larger than ${MAX_WEBHOOK_BYTES} bytes` }
					: processWebhook({
							rawBody: typeof body === 'string' ? body : '',
							signatureHeader: headers[SIGNATURE_HEADER],
							urlSecret: typeof query.secret === 'string' ? query.secret : undefined
						})
			set.status = outcome.status
			return outcome.status === 204 ? undefined : { error: outcome.error }
		},
		{
			// Our own parser: the raw text (the signature covers the exact bytes), refused past the size limit.
			parse: async ({ request }) => (await readCappedText(request, MAX_WEBHOOK_BYTES)) ?? TOO_LARGE
		}
	)
}
