// The Owncast API as tlapbot uses it: stream status, connected chat users, chat messages.
import * as v from 'valibot'
import { redactUrl } from '../../log.ts'
import { readClientList, type ClientListRead } from './client-list.ts'
import { SendResponseSchema, StatusSchema, UserDetailsSchema, type OwncastUser } from './model.ts'

export type OwncastFault = 'unreachable' | 'timeout' | 'unauthorized' | 'http_error' | 'invalid_response'
/** status: the HTTP status, when Owncast answered one (401 for 'unauthorized', 4xx/5xx for 'http_error'). */
export type OwncastResult<T> = { ok: true; value: T } | { ok: false; fault: OwncastFault; message: string; status?: number }

export type OwncastClient = {
	/** Whether the stream is live (GET /api/status, needs no token). */
	status(): Promise<OwncastResult<{ online: boolean }>>
	/** Users connected to chat, one per user id, bots left out (GET /api/integrations/clients, admin scope). */
	chatUsers(): Promise<OwncastResult<OwncastUser[]>>
	/**
	 * The same list handed out a connection at a time as it arrives, bots left out: a user with several connections
	 * (tabs) comes several times. On a failure some users may have been handed out already: drop them.
	 */
	eachChatUser(each: (user: OwncastUser) => void): Promise<OwncastResult<void>>
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

/** Owncast's access-token scopes, as its admin page names them. */
export type OwncastScope = 'CAN_SEND_MESSAGES' | 'CAN_SEND_SYSTEM_MESSAGES' | 'HAS_ADMIN_ACCESS'

/** GET /api/status in full, with the moments the request left and its answer arrived (for the clock check). */
export type OwncastServerStatus = {
	online: boolean
	versionNumber?: string
	/** Owncast's clock when it answered (RFC 3339), from the body. */
	serverTime?: string
	/** The Date header of the answer (HTTP date, whole seconds). */
	date?: string
	sentAt: number
	answeredAt: number
}

/** An external action (externalActions in GET /api/config). */
export type OwncastExternalAction = { url?: string; title?: string }

/**
 * Read-only questions `tlapbot doctor` asks Owncast. None of them changes anything there: the scope probes send
 * requests Owncast refuses after it checked the token (see hasScope).
 */
export type OwncastProbe = {
	serverStatus(): Promise<OwncastResult<OwncastServerStatus>>
	/**
	 * Whether the token holds a scope (false: Owncast answered 401 there). Each probe is a request Owncast turns
	 * down after the token check, so nothing is sent to chat:
	 * - CAN_SEND_MESSAGES: POST /api/integrations/chat/send with {} (an empty message: 400 "invalid message");
	 * - CAN_SEND_SYSTEM_MESSAGES: POST /api/integrations/chat/system/client/2147483647 with {} (no body: 400
	 *   "no message body provided" since 0.3; before, a no-op, since no connection has that id);
	 * - HAS_ADMIN_ACCESS: GET /api/integrations/clients (a read).
	 */
	hasScope(scope: OwncastScope): Promise<OwncastResult<boolean>>
	/** The public web config's external actions (GET /api/config, no token); undefined when Owncast lists none. */
	externalActions(): Promise<OwncastResult<OwncastExternalAction[] | undefined>>
}

/**
 * A connection id no chat connection has: Owncast numbers connections 0, 1, 2, ... from its start (Addclient:
 * `client.id = s.seq; s.seq++`), so this one needs two billion connections first; it still fits a 32-bit int.
 */
export const IMPOSSIBLE_CLIENT_ID = 2147483647

type CallMeta = { sentAt?: number; answeredAt?: number; date?: string | null }

function createCaller(options: OwncastClientOptions) {
	const doFetch = options.fetch ?? fetch
	const timeoutMs = options.timeoutMs ?? 5000
	// owncast_url may carry a user name and password (http://user:pw@host): never put them in a message.
	const shownUrl = redactUrl(options.baseUrl)

	/** The request, up to Owncast's status line: what went wrong on the way, 401, or the response to read. */
	async function send(
		method: 'GET' | 'POST',
		path: string,
		body: unknown,
		auth: boolean,
		meta?: CallMeta
	): Promise<{ ok: true; response: Response } | Extract<OwncastResult<never>, { ok: false }>> {
		const headers: Record<string, string> = { accept: 'application/json' }
		if (auth) headers.authorization = `Bearer ${options.accessToken}`
		if (body !== undefined) headers['content-type'] = 'application/json'
		let response: Response
		try {
			if (meta) meta.sentAt = Date.now()
			response = await doFetch(`${options.baseUrl}${path}`, {
				method,
				headers,
				body: body === undefined ? null : JSON.stringify(body),
				signal: AbortSignal.timeout(timeoutMs)
			})
			if (meta) {
				meta.answeredAt = Date.now()
				meta.date = response.headers.get('date')
			}
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
		return { ok: true, response }
	}

	/** A broken or stalled answer, while its body is read. */
	function readFailure(path: string, error: unknown): Extract<OwncastResult<never>, { ok: false }> {
		const name = (error as Error).name
		if (name === 'TimeoutError' || name === 'AbortError') {
			return { ok: false, fault: 'timeout', message: `Owncast at ${shownUrl} did not answer ${path} within ${timeoutMs / 1000} s (the answer stalled)` }
		}
		return { ok: false, fault: 'unreachable', message: `the connection to Owncast broke while reading ${path} (${redactUrl((error as Error).message)})` }
	}

	async function httpError(path: string, response: Response): Promise<Extract<OwncastResult<never>, { ok: false }>> {
		let text = ''
		try {
			text = await response.text()
		} catch (error) {
			return readFailure(path, error)
		}
		return { ok: false, fault: 'http_error', message: `Owncast answered ${response.status} on ${path}: ${redactUrl(text.slice(0, 200))}`, status: response.status }
	}

	async function call<T>(
		method: 'GET' | 'POST',
		path: string,
		schema: v.GenericSchema<unknown, T>,
		body?: unknown,
		auth = true,
		meta?: CallMeta
	): Promise<OwncastResult<T>> {
		const sent = await send(method, path, body, auth, meta)
		if (!sent.ok) return sent
		const { response } = sent
		if (!response.ok) return httpError(path, response)
		let text: string
		try {
			text = await response.text()
		} catch (error) {
			return readFailure(path, error)
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

	/** A GET whose answer is a JSON array, read one element at a time (src/modules/owncast/client-list.ts). */
	async function callList(path: string, each: (element: unknown) => void): Promise<OwncastResult<void>> {
		const sent = await send('GET', path, undefined, true)
		if (!sent.ok) return sent
		const { response } = sent
		if (!response.ok) return httpError(path, response)
		if (!response.body) return { ok: false, fault: 'invalid_response', message: `Owncast answered ${path} with something that is not JSON: ""` }
		let read: ClientListRead
		// What `each` throws is its own failure, not the connection's.
		let failed: { error: unknown } | undefined
		try {
			read = await readClientList(response.body, (element) => {
				try {
					each(element)
				} catch (error) {
					failed = { error }
					throw error
				}
			})
		} catch (error) {
			if (failed) throw failed.error
			return readFailure(path, error)
		}
		if (read.ok) return { ok: true, value: undefined }
		if (read.reason === 'not_json') {
			return { ok: false, fault: 'invalid_response', message: `Owncast answered ${path} with something that is not JSON: ${JSON.stringify(read.sample)}` }
		}
		if (read.reason === 'too_large') {
			const limit = `${read.maxBytes / 1024 / 1024} MB`
			const message = read.what === 'answer' ? `Owncast's answer to ${path} is larger than ${limit}` : `Owncast answered ${path} with one entry larger than ${limit}`
			return { ok: false, fault: 'invalid_response', message }
		}
		return { ok: false, fault: 'invalid_response', message: `Owncast answered ${path} with unexpected JSON (Invalid type: Expected Array)` }
	}

	return { call, callList }
}

export function createOwncastClient(options: OwncastClientOptions): OwncastClient {
	const { call, callList } = createCaller(options)

	const eachChatUser: OwncastClient['eachChatUser'] = async (each) => {
		let invalid = false
		const listed = await callList('/api/integrations/clients', (client) => {
			if (invalid) return
			const user = readClientUser(client)
			if (user === 'invalid') invalid = true
			else if (user && !user.isBot) each(user)
		})
		if (!listed.ok) return listed
		if (invalid) {
			return { ok: false, fault: 'invalid_response', message: 'Owncast answered /api/integrations/clients with unexpected JSON (a client without a valid user)' }
		}
		return listed
	}

	return {
		async status() {
			const result = await call('GET', '/api/status', StatusSchema, undefined, false)
			return result.ok ? { ok: true, value: { online: result.value.online } } : result
		},
		eachChatUser,
		async chatUsers() {
			// Several tabs are several connections of one user: count each user once.
			const users = new Map<string, OwncastUser>()
			const listed = await eachChatUser((user) => users.set(user.id, user))
			return listed.ok ? { ok: true, value: [...users.values()] } : listed
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

/** The read-only questions of `tlapbot doctor` (OwncastProbe), over the same transport as the client. */
export function createOwncastProbe(options: OwncastClientOptions): OwncastProbe {
	const { call } = createCaller(options)
	const PROBES: Record<OwncastScope, () => Promise<OwncastResult<unknown>>> = {
		CAN_SEND_MESSAGES: () => call('POST', '/api/integrations/chat/send', v.unknown(), {}),
		CAN_SEND_SYSTEM_MESSAGES: () => call('POST', `/api/integrations/chat/system/client/${IMPOSSIBLE_CLIENT_ID}`, v.unknown(), {}),
		HAS_ADMIN_ACCESS: () => call('GET', '/api/integrations/clients', v.unknown())
	}
	return {
		async serverStatus() {
			const meta: CallMeta = {}
			const result = await call('GET', '/api/status', StatusDetailsSchema, undefined, false, meta)
			if (!result.ok) return result
			const { online, versionNumber, serverTime } = result.value
			return {
				ok: true,
				value: {
					online,
					...(typeof versionNumber === 'string' ? { versionNumber } : {}),
					...(typeof serverTime === 'string' ? { serverTime } : {}),
					...(meta.date ? { date: meta.date } : {}),
					sentAt: meta.sentAt ?? Date.now(),
					answeredAt: meta.answeredAt ?? Date.now()
				}
			}
		},
		async hasScope(scope) {
			const result = await PROBES[scope]()
			if (result.ok) return { ok: true, value: true }
			if (result.fault === 'unauthorized') return { ok: true, value: false }
			// Past the token check: Owncast refused the empty request itself (400), or answered 2xx with an odd body.
			if ((result.fault === 'http_error' && result.status === 400) || result.fault === 'invalid_response') return { ok: true, value: true }
			return result
		},
		async externalActions() {
			const result = await call('GET', '/api/config', WebConfigSchema, undefined, false)
			if (!result.ok) return result
			const list = result.value.externalActions
			if (!Array.isArray(list)) return { ok: true, value: undefined }
			const actions: OwncastExternalAction[] = []
			for (const item of list) {
				if (typeof item !== 'object' || item === null) continue
				const { url, title } = item as Record<string, unknown>
				actions.push({ ...(typeof url === 'string' ? { url } : {}), ...(typeof title === 'string' ? { title } : {}) })
			}
			return { ok: true, value: actions }
		}
	}
}

/** GET /api/status as the doctor reads it (webserver/handlers/status.go webStatusResponse). */
const StatusDetailsSchema = v.looseObject({ online: v.boolean(), versionNumber: v.optional(v.unknown()), serverTime: v.optional(v.unknown()) })
/** GET /api/config (webserver/handlers/config.go webConfigResponse): only externalActions is read. */
const WebConfigSchema = v.looseObject({ externalActions: v.optional(v.unknown()) })

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
