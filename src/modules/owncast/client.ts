// The Owncast API as tlapbot uses it: stream status, connected chat users, chat messages.
import * as v from 'valibot'
import { redactUrl } from '../../log.ts'
import { SendResponseSchema, StatusSchema, UserDetailsSchema, type OwncastUser } from './model.ts'

export type OwncastFault = 'unreachable' | 'timeout' | 'unauthorized' | 'http_error' | 'invalid_response'
/** status: the HTTP status, when Owncast answered one (401 for 'unauthorized', 4xx/5xx for 'http_error'). */
export type OwncastResult<T> = { ok: true; value: T } | { ok: false; fault: OwncastFault; message: string; status?: number }

export type OwncastClient = {
	/** Whether the stream is live (GET /api/status, needs no token). */
	status(): Promise<OwncastResult<{ online: boolean }>>
	/** Users connected to chat, one per user id, bots left out (GET /api/integrations/clients, admin scope). */
	chatUsers(): Promise<OwncastResult<OwncastUser[]>>
	/** Posts a public chat message as the bot (POST /api/integrations/chat/send). */
	sendChat(body: string): Promise<OwncastResult<void>>
	/** A system message only one chat connection sees (POST /api/integrations/chat/system/client/{clientId}). */
	sendPrivate(clientId: number, body: string): Promise<OwncastResult<void>>
	/**
	 * The ids of a chat user's current connections (GET /api/integrations/moderation/chat/user/{id}, admin scope,
	 * Owncast 0.2+; older versions answer 404).
	 */
	userClients(userId: string): Promise<OwncastResult<number[]>>
}

export type OwncastClientOptions = {
	baseUrl: string
	accessToken: string
	timeoutMs?: number
	fetch?: typeof fetch
}

const SCOPE_HINT: Record<string, string> = {
	'/api/integrations/clients': 'the token needs the "perform administrative actions" scope to list chat users',
	'/api/integrations/chat/send': 'the token needs the "send chat messages" scope',
	'/api/integrations/chat/system/client': 'the token needs the "send system messages" scope for private replies'
}

export function createOwncastClient(options: OwncastClientOptions): OwncastClient {
	const doFetch = options.fetch ?? fetch
	const timeoutMs = options.timeoutMs ?? 5000
	// owncast_url may carry a user name and password (http://user:pw@host): never put them in a message.
	const shownUrl = redactUrl(options.baseUrl)

	async function call<T>(
		method: 'GET' | 'POST',
		path: string,
		schema: v.GenericSchema<unknown, T>,
		body?: unknown,
		auth = true
	): Promise<OwncastResult<T>> {
		const headers: Record<string, string> = { accept: 'application/json' }
		if (auth) headers.authorization = `Bearer ${options.accessToken}`
		if (body !== undefined) headers['content-type'] = 'application/json'
		let response: Response
		try {
			response = await doFetch(`${options.baseUrl}${path}`, {
				method,
				headers,
				body: body === undefined ? null : JSON.stringify(body),
				signal: AbortSignal.timeout(timeoutMs)
			})
		} catch (error) {
			const name = (error as Error).name
			if (name === 'TimeoutError' || name === 'AbortError') {
				return { ok: false, fault: 'timeout', message: `Owncast at ${shownUrl} did not answer ${path} within ${timeoutMs / 1000} s` }
			}
			return { ok: false, fault: 'unreachable', message: `cannot reach Owncast at ${shownUrl} (${redactUrl((error as Error).message)}); is owncast_url right and Owncast running?` }
		}
		if (response.status === 401) {
			await response.body?.cancel()
			const hint = SCOPE_HINT[path.replace(/\/\d+$/, '')] ?? 'check owncast_access_token'
			const message = `Owncast refused the access token (401) on ${path}: ${auth && !options.accessToken ? 'owncast_access_token is not set' : hint}`
			return { ok: false, fault: 'unauthorized', message, status: 401 }
		}
		let text: string
		try {
			text = await response.text()
		} catch (error) {
			const name = (error as Error).name
			if (name === 'TimeoutError' || name === 'AbortError') {
				return { ok: false, fault: 'timeout', message: `Owncast at ${shownUrl} did not answer ${path} within ${timeoutMs / 1000} s (the answer stalled)` }
			}
			return { ok: false, fault: 'unreachable', message: `the connection to Owncast broke while reading ${path} (${redactUrl((error as Error).message)})` }
		}
		if (!response.ok) {
			const message = `Owncast answered ${response.status} on ${path}: ${redactUrl(text.slice(0, 200))}`
			return { ok: false, fault: 'http_error', message, status: response.status }
		}
		let json: unknown
		try {
			json = JSON.parse(text)
		} catch {
			return { ok: false, fault: 'invalid_response', message: `Owncast answered ${path} with something that is not JSON: ${JSON.stringify(text.slice(0, 100))}` }
		}
		const parsed = v.safeParse(schema, json)
		if (!parsed.success) {
			return { ok: false, fault: 'invalid_response', message: `Owncast answered ${path} with unexpected JSON (${parsed.issues[0]?.message ?? 'invalid'})` }
		}
		return { ok: true, value: parsed.output }
	}

	return {
		async status() {
			const result = await call('GET', '/api/status', StatusSchema, undefined, false)
			return result.ok ? { ok: true, value: { online: result.value.online } } : result
		},
		async chatUsers() {
			const result = await call('GET', '/api/integrations/clients', ClientListSchema)
			if (!result.ok) return result
			// Checked by hand: at 100,000 connections a schema that copies every object costs more than the rest.
			const users = new Map<string, OwncastUser>()
			for (const client of result.value) {
				const user = readClientUser(client)
				if (user === 'invalid') {
					return { ok: false, fault: 'invalid_response', message: 'Owncast answered /api/integrations/clients with unexpected JSON (a client without a valid user)' }
				}
				// Several tabs are several connections of one user: count each user once.
				if (user && !user.isBot) users.set(user.id, user)
			}
			return { ok: true, value: [...users.values()] }
		},
		async sendChat(body: string) {
			return confirmed(await call('POST', '/api/integrations/chat/send', SendResponseSchema, { body }))
		},
		async userClients(userId: string) {
			const result = await call('GET', `/api/integrations/moderation/chat/user/${encodeURIComponent(userId)}`, UserDetailsSchema)
			if (!result.ok) return result
			return { ok: true, value: (result.value.connectedClients ?? []).map((c) => c.id) }
		},
		async sendPrivate(clientId: number, body: string) {
			return confirmed(await call('POST', `/api/integrations/chat/system/client/${clientId}`, SendResponseSchema, { body }))
		}
	}
}

const ClientListSchema = v.array(v.unknown())

/** The user of one connection from /api/integrations/clients: undefined when it has none, 'invalid' when malformed. */
function readClientUser(client: unknown): OwncastUser | undefined | 'invalid' {
	if (typeof client !== 'object' || client === null) return 'invalid'
	const user = (client as { user?: unknown }).user
	if (user === undefined || user === null) return undefined
	if (typeof user !== 'object') return 'invalid'
	const { id, displayName, isBot, scopes } = user as Record<string, unknown>
	if (typeof id !== 'string' || id.length === 0 || id.length > 200 || !id.isWellFormed()) return 'invalid'
	if (displayName !== undefined && typeof displayName !== 'string') return 'invalid'
	if (isBot !== undefined && typeof isBot !== 'boolean') return 'invalid'
	return {
		id,
		displayName: typeof displayName === 'string' ? displayName.slice(0, 500) : '',
		isBot: isBot === true,
		scopes: Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : []
	}
}

/** Owncast can answer 200 with {"error": ...}; only success === true counts. */
function confirmed(result: OwncastResult<{ success?: boolean | undefined }>): OwncastResult<void> {
	if (!result.ok) return result
	if (result.value.success !== true) {
		return { ok: false, fault: 'invalid_response', message: `Owncast did not confirm the chat message: ${JSON.stringify(result.value).slice(0, 200)}` }
	}
	return { ok: true, value: undefined }
}
