// Owncast's admin API as `tlapbot connect` uses it: HTTP Basic auth "admin:<admin password>" on /api/admin/*.
// Routes and shapes as in Owncast's source: webserver/handlers/admin/{externalAPIUsers,webhooks,config}.go (0.1/0.2),
// the spec-generated types of 0.3 (CreateWebhookJSONBody has a `secret`), models/externalAction.go.
// Nothing here prints: every result carries a one-line message that never holds the password or a token.
import { redactUrl } from '../../log.ts'

export type AdminFault = 'unreachable' | 'timeout' | 'wrong_password' | 'missing' | 'http_error' | 'invalid_response'
export type AdminResult<T> = { ok: true; value: T } | { ok: false; fault: AdminFault; message: string; status?: number }

/** The scopes the bot's token needs (models/accessToken.go); HAS_ADMIN_ACCESS does not imply the others. */
export const BOT_SCOPES = ['CAN_SEND_MESSAGES', 'CAN_SEND_SYSTEM_MESSAGES', 'HAS_ADMIN_ACCESS'] as const

export type AccessToken = { accessToken: string; displayName: string; scopes: string[] }
/** secret: only when this Owncast shows it (0.3 keeps one per webhook). */
export type Webhook = { id: number; url: string; events: string[]; secret?: string }
/** One external action exactly as Owncast sent it: fields this version of tlapbot does not know are kept. */
export type ExternalAction = Record<string, unknown> & { url?: unknown; title?: unknown }
export type ServerConfig = {
	externalActions: ExternalAction[] | undefined
	/** The "Server URL" set in Owncast's admin (yp.instanceUrl): the address viewers open, when set. */
	instanceUrl: string | undefined
}

export type OwncastAdminClient = {
	/** GET /api/status (public): the version, e.g. "0.3.0". */
	status(): Promise<AdminResult<{ versionNumber: string | undefined }>>
	/** GET /api/admin/serverconfig: also how the admin password is checked. */
	serverConfig(): Promise<AdminResult<ServerConfig>>
	accessTokens(): Promise<AdminResult<AccessToken[]>>
	createAccessToken(name: string, scopes: readonly string[]): Promise<AdminResult<AccessToken>>
	deleteAccessToken(token: string): Promise<AdminResult<void>>
	webhooks(): Promise<AdminResult<Webhook[]>>
	createWebhook(webhook: { url: string; events: readonly string[]; secret?: string }): Promise<AdminResult<Webhook>>
	deleteWebhook(id: number): Promise<AdminResult<void>>
	/** POST /api/admin/config/externalactions: replaces the whole list. */
	setExternalActions(actions: ExternalAction[]): Promise<AdminResult<void>>
	/** Whether an access token works: a read with it (GET /api/integrations/status, else /clients on older Owncast). */
	tokenWorks(token: string): Promise<AdminResult<boolean>>
}

export type OwncastAdminClientOptions = {
	baseUrl: string
	password: string
	timeoutMs?: number
	fetch?: typeof fetch
}

type Json = unknown

export function createOwncastAdminClient(options: OwncastAdminClientOptions): OwncastAdminClient {
	const doFetch = options.fetch ?? fetch
	const timeoutMs = options.timeoutMs ?? 10_000
	const shownUrl = redactUrl(options.baseUrl)
	const basic = `Basic ${Buffer.from(`admin:${options.password}`).toString('base64')}`

	async function call(
		method: 'GET' | 'POST',
		path: string,
		body?: Json,
		authorization: string | null = basic
	): Promise<AdminResult<Json>> {
		const headers: Record<string, string> = { accept: 'application/json' }
		if (authorization) headers.authorization = authorization
		if (body !== undefined) headers['content-type'] = 'application/json'
		let response: Response
		try {
			response = await doFetch(`${options.baseUrl}${path}`, {
				method,
				headers,
				body: body === undefined ? null : JSON.stringify(body),
				redirect: 'manual',
				signal: AbortSignal.timeout(timeoutMs)
			})
		} catch (error) {
			const name = (error as Error).name
			if (name === 'TimeoutError' || name === 'AbortError') {
				return { ok: false, fault: 'timeout', message: `Owncast at ${shownUrl} did not answer ${path} within ${timeoutMs / 1000} s` }
			}
			return { ok: false, fault: 'unreachable', message: `cannot reach Owncast at ${shownUrl} (${redactUrl((error as Error).message)})` }
		}
		let text = ''
		try {
			text = await response.text()
		} catch (error) {
			return { ok: false, fault: 'unreachable', message: `the connection to Owncast broke while reading ${path} (${redactUrl((error as Error).message)})` }
		}
		if (response.status === 401) {
			return authorization === basic
				? { ok: false, fault: 'wrong_password', message: 'the Owncast admin password is wrong (Owncast answered 401)', status: 401 }
				: { ok: false, fault: 'wrong_password', message: `Owncast refused the access token on ${path} (401)`, status: 401 }
		}
		if (response.status === 404 || response.status === 405) {
			return { ok: false, fault: 'missing', message: `this Owncast has no ${method} ${path} (it answered ${response.status})`, status: response.status }
		}
		if (response.status >= 300 && response.status < 400) {
			const where = response.headers.get('location')
			return {
				ok: false,
				fault: 'http_error',
				message: `Owncast answered ${path} with a redirect (${response.status}${where ? ` to ${redactUrl(where)}` : ''}); use the address it redirects to`,
				status: response.status
			}
		}
		if (!response.ok) {
			return { ok: false, fault: 'http_error', message: `Owncast answered ${response.status} on ${path}: ${oneLine(text)}`, status: response.status }
		}
		if (text.trim() === '') return { ok: true, value: undefined }
		try {
			return { ok: true, value: JSON.parse(text) as Json }
		} catch {
			return { ok: false, fault: 'invalid_response', message: `Owncast answered ${path} with something that is not JSON: ${oneLine(text)}` }
		}
	}

	const invalid = (path: string, what: string): AdminResult<never> => ({
		ok: false,
		fault: 'invalid_response',
		message: `Owncast answered ${path} with unexpected JSON (${what})`
	})

	/** Owncast may answer 200 with {"error": ...} or {"success": false, ...}: only a clear success counts. */
	function confirmed(path: string, result: AdminResult<Json>): AdminResult<void> {
		if (!result.ok) return result
		const value = result.value
		if (typeof value === 'object' && value !== null) {
			const { success, error, message } = value as { success?: unknown; error?: unknown; message?: unknown }
			if (success === false || (typeof error === 'string' && success !== true)) {
				return { ok: false, fault: 'http_error', message: `Owncast refused ${path}: ${oneLine(String(error ?? message ?? 'no reason given'))}` }
			}
		}
		return { ok: true, value: undefined }
	}

	return {
		async status() {
			const result = await call('GET', '/api/status', undefined, null)
			if (!result.ok) return result
			const version = (result.value as { versionNumber?: unknown } | null)?.versionNumber
			return { ok: true, value: { versionNumber: typeof version === 'string' ? version : undefined } }
		},
		async serverConfig() {
			const path = '/api/admin/serverconfig'
			const result = await call('GET', path)
			if (!result.ok) return result
			if (typeof result.value !== 'object' || result.value === null) return invalid(path, 'not an object')
			const { externalActions, yp } = result.value as { externalActions?: unknown; yp?: { instanceUrl?: unknown } }
			if (externalActions !== undefined && externalActions !== null && !Array.isArray(externalActions)) {
				return invalid(path, 'externalActions is not a list')
			}
			const actions = Array.isArray(externalActions)
				? externalActions.filter((a): a is ExternalAction => typeof a === 'object' && a !== null)
				: externalActions === null ? [] : undefined
			const instanceUrl = typeof yp?.instanceUrl === 'string' && yp.instanceUrl.trim() ? yp.instanceUrl.trim() : undefined
			return { ok: true, value: { externalActions: actions, instanceUrl } }
		},
		async accessTokens() {
			const path = '/api/admin/accesstokens'
			const result = await call('GET', path)
			if (!result.ok) return result
			if (result.value === null || result.value === undefined) return { ok: true, value: [] }
			if (!Array.isArray(result.value)) return invalid(path, 'not a list')
			return { ok: true, value: result.value.map(readToken).filter((t): t is AccessToken => t !== undefined) }
		},
		async createAccessToken(name, scopes) {
			const path = '/api/admin/accesstokens/create'
			const result = await call('POST', path, { name, scopes })
			if (!result.ok) return result
			const token = readToken(result.value)
			if (!token) return invalid(path, 'no accessToken in the answer')
			return { ok: true, value: token }
		},
		async deleteAccessToken(token) {
			const path = '/api/admin/accesstokens/delete'
			return confirmed(path, await call('POST', path, { token }))
		},
		async webhooks() {
			const path = '/api/admin/webhooks'
			const result = await call('GET', path)
			if (!result.ok) return result
			if (result.value === null || result.value === undefined) return { ok: true, value: [] }
			if (!Array.isArray(result.value)) return invalid(path, 'not a list')
			return { ok: true, value: result.value.map(readWebhook).filter((w): w is Webhook => w !== undefined) }
		},
		async createWebhook(webhook) {
			const path = '/api/admin/webhooks/create'
			const result = await call('POST', path, { url: webhook.url, events: webhook.events, ...(webhook.secret === undefined ? {} : { secret: webhook.secret }) })
			if (!result.ok) return result
			const created = readWebhook(result.value)
			if (!created) return invalid(path, 'no webhook id in the answer')
			return { ok: true, value: created }
		},
		async deleteWebhook(id) {
			const path = '/api/admin/webhooks/delete'
			return confirmed(path, await call('POST', path, { id }))
		},
		async setExternalActions(actions) {
			const path = '/api/admin/config/externalactions'
			return confirmed(path, await call('POST', path, { value: actions }))
		},
		async tokenWorks(token) {
			for (const path of ['/api/integrations/status', '/api/integrations/clients']) {
				const result = await call('GET', path, undefined, `Bearer ${token}`)
				if (result.ok) return { ok: true, value: true }
				if (result.fault === 'wrong_password') return { ok: true, value: false }
				if (result.fault !== 'missing') return result
			}
			return { ok: false, fault: 'missing', message: 'this Owncast has neither GET /api/integrations/status nor /api/integrations/clients' }
		}
	}
}

function readToken(value: unknown): AccessToken | undefined {
	if (typeof value !== 'object' || value === null) return undefined
	const { accessToken, displayName, scopes } = value as Record<string, unknown>
	if (typeof accessToken !== 'string' || accessToken === '') return undefined
	return {
		accessToken,
		displayName: typeof displayName === 'string' ? displayName : '',
		scopes: Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : []
	}
}

function readWebhook(value: unknown): Webhook | undefined {
	if (typeof value !== 'object' || value === null) return undefined
	const { id, url, events, secret, webhookSecret } = value as Record<string, unknown>
	if (typeof id !== 'number' || !Number.isInteger(id)) return undefined
	const shown = typeof secret === 'string' && secret ? secret : typeof webhookSecret === 'string' && webhookSecret ? webhookSecret : undefined
	return {
		id,
		url: typeof url === 'string' ? url : '',
		events: Array.isArray(events) ? events.filter((e): e is string => typeof e === 'string') : [],
		...(shown === undefined ? {} : { secret: shown })
	}
}

/** An answer's text on one short line, for messages. */
function oneLine(text: string): string {
	const line = redactUrl(text.replace(/\s+/g, ' ').trim())
	return line.length > 200 ? `${line.slice(0, 197)}...` : line || '(empty)'
}
