// A fake Owncast on a loopback port: answers the API routes tlapbot calls and records the chat messages it gets.
export type FakeClient = { user: { id: string; displayName: string; isBot?: boolean; scopes?: string[] } }
export type FakeMode = 'ok' | 'unauthorized' | 'server_error' | 'garbage' | 'slow'

export type FakeOwncast = {
	url: string
	token: string
	online: boolean
	clients: FakeClient[]
	mode: FakeMode
	/** Bodies of chat messages received through /api/integrations/chat/send, in order. */
	messages: string[]
	/** Private system messages received through /api/integrations/chat/system/client/{clientId}. */
	privateMessages: { clientId: number; body: string }[]
	/** Answer 401 on private messages only (a token without "send system messages"). */
	refusePrivate: boolean
	/** Private messages fail: true answers 500 (not a refusal of the token); a number answers that status. */
	failPrivate: boolean | number
	/** Private messages are delivered, but the answer comes this many ms later (a slow Owncast). */
	privateDelayMs: number
	requests: { method: string; path: string; authorization: string | null }[]
	/**
	 * Connection ids per chat user, for GET /api/integrations/moderation/chat/user/{id} (Owncast 0.2+); undefined
	 * answers 404 as Owncast before 0.2 does.
	 */
	userConnections: Record<string, number[]> | undefined
	/** The token's scopes: a route needing another one answers 401, as Owncast does. All three by default. */
	scopes: string[]
	/** versionNumber in GET /api/status. */
	version: string
	/** How far the fake's clock (serverTime in /api/status, the Date header) is ahead of the real one, in ms. */
	clockOffsetMs: number
	/**
	 * Owncast's admin password: with it, GET /api/admin/webhooks and /api/admin/serverconfig answer to Basic auth
	 * "admin:<password>" (401 otherwise); undefined answers 401 there always.
	 */
	adminPassword: string | undefined
	/** What GET /api/admin/webhooks lists. */
	webhooks: { id: number; url: string; events: string[]; secret?: string }[]
	/** External actions, in GET /api/config (public) and GET /api/admin/serverconfig. */
	externalActions: { url: string; title: string }[]
	/** Resolves when at least n messages have arrived, or rejects after timeoutMs. */
	waitForMessages(n: number, timeoutMs?: number): Promise<string[]>
	stop(): void
}

export const ALL_SCOPES = ['CAN_SEND_MESSAGES', 'CAN_SEND_SYSTEM_MESSAGES', 'HAS_ADMIN_ACCESS']

export function startFakeOwncast(
	options: { token?: string; online?: boolean; clients?: FakeClient[]; scopes?: string[]; adminPassword?: string } = {}
): FakeOwncast {
	const fake: FakeOwncast = {
		url: '',
		token: options.token ?? 'test-token',
		online: options.online ?? true,
		clients: options.clients ?? [],
		mode: 'ok',
		messages: [],
		privateMessages: [],
		refusePrivate: false,
		failPrivate: false,
		privateDelayMs: 0,
		requests: [],
		userConnections: undefined,
		scopes: options.scopes ?? [...ALL_SCOPES],
		version: '0.3.0',
		clockOffsetMs: 0,
		adminPassword: options.adminPassword,
		webhooks: [],
		externalActions: [],
		async waitForMessages(n, timeoutMs = 5000) {
			const deadline = Date.now() + timeoutMs
			while (fake.messages.length < n) {
				if (Date.now() > deadline) throw new Error(`expected ${n} chat messages, got ${fake.messages.length}: ${JSON.stringify(fake.messages)}`)
				await Bun.sleep(5)
			}
			return fake.messages
		},
		stop: () => server.stop(true)
	}
	const server = Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		async fetch(request) {
			const url = new URL(request.url)
			const authorization = request.headers.get('authorization')
			fake.requests.push({ method: request.method, path: url.pathname, authorization })
			if (fake.mode === 'slow') await Bun.sleep(10_000)
			if (fake.mode === 'server_error') return new Response('boom', { status: 500 })
			if (fake.mode === 'garbage') return new Response('<html>not json', { status: 200 })
			if (url.pathname === '/api/status' && request.method === 'GET') {
				const now = new Date(Date.now() + fake.clockOffsetMs)
				return Response.json(
					{ online: fake.online, viewerCount: fake.clients.length, versionNumber: fake.version, serverTime: now.toISOString() },
					{ headers: { date: now.toUTCString() } }
				)
			}
			if (url.pathname === '/api/config' && request.method === 'GET') {
				return Response.json({ name: 'Fake Owncast', version: `Owncast v${fake.version}`, externalActions: fake.externalActions })
			}
			if (url.pathname.startsWith('/api/admin/')) {
				const basic = fake.adminPassword === undefined ? undefined : `Basic ${Buffer.from(`admin:${fake.adminPassword}`).toString('base64')}`
				if (!basic || authorization !== basic) {
					return new Response('Unauthorized\n', { status: 401, headers: { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="Owncast Authenticated Request"' } })
				}
				if (url.pathname === '/api/admin/webhooks' && request.method === 'GET') return Response.json(fake.webhooks)
				if (url.pathname === '/api/admin/serverconfig' && request.method === 'GET') return Response.json({ externalActions: fake.externalActions })
				return new Response('not found', { status: 404 })
			}
			const authorized = fake.mode !== 'unauthorized' && authorization === `Bearer ${fake.token}`
			if (!authorized) return new Response('unauthorized', { status: 401, headers: { 'content-type': 'text/plain' } })
			// Owncast checks the token's scope per route (RequireExternalAPIAccessToken) and answers 401 the same way.
			const scope = url.pathname === '/api/integrations/chat/send' ? 'CAN_SEND_MESSAGES'
				: url.pathname.startsWith('/api/integrations/chat/system') ? 'CAN_SEND_SYSTEM_MESSAGES'
				: 'HAS_ADMIN_ACCESS'
			if (!fake.scopes.includes(scope)) return new Response('unauthorized', { status: 401, headers: { 'content-type': 'text/plain' } })
			if (url.pathname === '/api/integrations/clients' && request.method === 'GET') {
				return Response.json(
					fake.clients.map((c) => ({ connectedAt: new Date().toISOString(), messageCount: 0, userAgent: 'test', geo: null, user: c.user }))
				)
			}
			if (url.pathname === '/api/integrations/chat/send' && request.method === 'POST') {
				const body = (await request.json()) as { body?: string }
				if (!body.body) return Response.json({ error: 'invalid message' }, { status: 400 })
				fake.messages.push(body.body)
				return Response.json({ success: true, message: 'sent' })
			}
			const userMatch = /^\/api\/integrations\/moderation\/chat\/user\/([^/]+)$/.exec(url.pathname)
			if (userMatch && request.method === 'GET' && fake.userConnections) {
				const id = decodeURIComponent(userMatch[1] as string)
				const connections = fake.userConnections[id]
				if (!connections) return Response.json({ error: 'user not found' }, { status: 404 })
				return Response.json({
					user: { id },
					connectedClients: connections.map((clientId) => ({ id: clientId, connectedAt: new Date().toISOString(), userAgent: 'test', messageCount: 1 })),
					messages: []
				})
			}
			const privateMatch = /^\/api\/integrations\/chat\/system\/client\/(\d+)$/.exec(url.pathname)
			if (privateMatch && request.method === 'POST') {
				if (fake.refusePrivate) return new Response('unauthorized', { status: 401, headers: { 'content-type': 'text/plain' } })
				if (fake.failPrivate) return new Response('boom', { status: fake.failPrivate === true ? 500 : fake.failPrivate })
				const body = (await request.json()) as { body?: string }
				// Owncast 0.3 (webserver/handlers/admin/chat.go): no body at all is refused, nothing is sent.
				if (body.body === undefined) return Response.json({ success: false, message: 'no message body provided' }, { status: 400 })
				fake.privateMessages.push({ clientId: Number(privateMatch[1]), body: body.body ?? '' })
				if (fake.privateDelayMs > 0) await Bun.sleep(fake.privateDelayMs)
				return Response.json({ success: true, message: 'sent' })
			}
			return new Response('not found', { status: 404 })
		}
	})
	fake.url = `http://127.0.0.1:${server.port}`
	return fake
}
