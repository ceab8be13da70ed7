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
	/** Resolves when at least n messages have arrived, or rejects after timeoutMs. */
	waitForMessages(n: number, timeoutMs?: number): Promise<string[]>
	stop(): void
}

export function startFakeOwncast(options: { token?: string; online?: boolean; clients?: FakeClient[] } = {}): FakeOwncast {
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
				return Response.json({ online: fake.online, viewerCount: fake.clients.length, versionNumber: '0.3.0' })
			}
			const authorized = fake.mode !== 'unauthorized' && authorization === `Bearer ${fake.token}`
			if (!authorized) return new Response('unauthorized', { status: 401, headers: { 'content-type': 'text/plain' } })
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
