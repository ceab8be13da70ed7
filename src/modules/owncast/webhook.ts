// POST /owncastWebhook: read the body (capped), authenticate, parse, hand the event to the event service (through
// the backlog, which holds it while another process locks the database), answer.
// Nothing here waits for Owncast: chat replies go out afterwards.
import { Elysia } from 'elysia'
import type { Logger } from '../../log.ts'
import type { Config } from '../settings/schema.ts'
import { readCappedText, TOO_LARGE } from '../http/body.ts'
import { parseOwncastEvent, type OwncastEvent } from './model.ts'
import { authenticateWebhook, SIGNATURE_HEADER } from './signature.ts'

export type WebhookOutcome = { status: 204 } | { status: 400 | 401 | 413 | 503; error: string }
export type WebhookRequest = { rawBody: string; signatureHeader?: string | undefined; urlSecret?: string | undefined }

/** Owncast's payloads are a few KB; anything much larger is not from Owncast. */
export const MAX_WEBHOOK_BYTES = 64 * 1024

export type WebhookDeps = {
	config: () => Pick<Config, 'webhook_secret'>
	/** The event service, behind a backlog that holds events while the database is locked (bot/backlog.ts). */
	events: { accept(event: OwncastEvent): 'applied' | 'held' | 'full' }
	log: Logger
	clock: () => number
}

export function createWebhookHandler(deps: WebhookDeps) {
	let lastRejectionLog = 0
	return function processWebhook(request: WebhookRequest): WebhookOutcome {
		const secret = deps.config().webhook_secret
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
			json = JSON.parse(request.rawBody)
		} catch {
			return { status: 400, error: 'body is not valid JSON' }
		}
		const parsed = parseOwncastEvent(json)
		if (!parsed.ok) return { status: 400, error: parsed.error }
		if (deps.events.accept(parsed.event) === 'full') return { status: 503, error: 'busy: the database is locked and the backlog is full' }
		return { status: 204 }
	}
}

export function owncastWebhook(deps: WebhookDeps) {
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
			parse: ({ request }) => readCappedText(request, MAX_WEBHOOK_BYTES)
		}
	)
}
