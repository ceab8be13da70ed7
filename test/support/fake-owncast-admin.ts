// A fake Owncast on a loopback port with the admin API `tlapbot connect` uses (Basic auth "admin:<password>"), its
// state in plain fields for tests to set up and check: access tokens, webhooks, external actions.
// Shapes as in Owncast's source: webserver/handlers/admin/{externalAPIUsers,webhooks,config}.go; 0.3 keeps a
// secret per webhook (CreateWebhookJSONBody.secret), older versions ignore the field (Go's decoder drops it).

export type FakeToken = { id: string; accessToken: string; displayName: string; scopes: string[]; createdAt: string }
export type FakeWebhook = { id: number; url: string; events: string[]; secret: string }
export type FakeAction = Record<string, unknown>

export type FakeOwncastAdmin = {
	url: string
	/** versionNumber in /api/status, e.g. "0.3.0" or "0.2.5". */
	version: string
	password: string
	tokens: FakeToken[]
	webhooks: FakeWebhook[]
	actions: FakeAction[]
	/** yp.instanceUrl in the server config: the "Server URL" set in Owncast's admin. */
	instanceUrl: string
	/** Routes ("METHOD /path") answered with 404, as an older Owncast without them. */
	missing: Set<string>
	/** Routes ("METHOD /path") answered with 500. */
	failing: Set<string>
	requests: { method: string; path: string; authorization: string | null }[]
	/** Every change the fake accepted, in order ("create token tlapbot", "delete webhook 2", ...). */
	changes: string[]
	/** The whole state, for before/after comparisons. */
	snapshot(): { tokens: FakeToken[]; webhooks: FakeWebhook[]; actions: FakeAction[] }
	stop(): void
}

export type FakeOwncastAdminOptions = {
	version?: string
	password?: string
	tokens?: FakeToken[]
	webhooks?: FakeWebhook[]
	actions?: FakeAction[]
	instanceUrl?: string
}

const VALID_SCOPES = ['CAN_SEND_MESSAGES', 'CAN_SEND_SYSTEM_MESSAGES', 'HAS_ADMIN_ACCESS']
const VALID_EVENTS = ['CHAT', 'USER_JOINED', 'USER_PARTED', 'NAME_CHANGE', 'VISIBILITY-UPDATE', 'STREAM_STARTED', 'STREAM_STOPPED', 'STREAM_TITLE_UPDATED']

let counter = 0
const randomToken = () => `tok-${Date.now().toString(36)}-${(counter++).toString(36)}-${crypto.randomUUID().replaceAll('-', '')}`

export function startFakeOwncastAdmin(options: FakeOwncastAdminOptions = {}): FakeOwncastAdmin {
	let nextWebhookId = Math.max(0, ...(options.webhooks ?? []).map((w) => w.id)) + 1
	const fake: FakeOwncastAdmin = {
		url: '',
		version: options.version ?? '0.3.0',
		password: options.password ?? 'abc123',
		tokens: structuredClone(options.tokens ?? []),
		webhooks: structuredClone(options.webhooks ?? []),
		actions: structuredClone(options.actions ?? []),
		instanceUrl: options.instanceUrl ?? '',
		missing: new Set(),
		failing: new Set(),
		requests: [],
		changes: [],
		snapshot: () => structuredClone({ tokens: fake.tokens, webhooks: fake.webhooks, actions: fake.actions }),
		stop: () => server.stop(true)
	}
	const signs = () => {
		const match = /(\d+)\.(\d+)/.exec(fake.version)
		return match ? Number(match[1]) > 0 || Number(match[2]) >= 3 : false
	}
	const unauthorized = () =>
		new Response('Unauthorized\n', {
			status: 401,
			headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Basic realm="Owncast Authenticated Request"' }
		})
	const badRequest = (error: string) => Response.json({ error }, { status: 400 })

	const server = Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		async fetch(request) {
			const url = new URL(request.url)
			const route = `${request.method} ${url.pathname}`
			const authorization = request.headers.get('authorization')
			fake.requests.push({ method: request.method, path: url.pathname, authorization })
			if (fake.missing.has(route)) return new Response('404 page not found\n', { status: 404 })
			if (fake.failing.has(route)) return Response.json({ error: 'database is locked' }, { status: 500 })

			if (route === 'GET /api/status') {
				return Response.json({ online: false, versionNumber: fake.version, streamTitle: '', lastConnectTime: null, lastDisconnectTime: null, serverTime: new Date().toISOString() })
			}
			if (url.pathname.startsWith('/api/integrations/')) {
				const bearer = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1]
				const token = fake.tokens.find((t) => t.accessToken === bearer)
				if (!token || !token.scopes.includes('HAS_ADMIN_ACCESS')) return new Response('unauthorized', { status: 401 })
				if (route === 'GET /api/integrations/status') return Response.json({ online: false, viewerCount: 0, versionNumber: fake.version })
				if (route === 'GET /api/integrations/clients') return Response.json([])
				return new Response('404 page not found\n', { status: 404 })
			}
			if (!url.pathname.startsWith('/api/admin/')) return new Response('404 page not found\n', { status: 404 })
			if (authorization !== `Basic ${Buffer.from(`admin:${fake.password}`).toString('base64')}`) return unauthorized()

			const body = request.method === 'POST' ? ((await request.json().catch(() => undefined)) as Record<string, unknown> | undefined) : undefined
			if (request.method === 'POST' && (typeof body !== 'object' || body === null)) return badRequest('invalid JSON')

			switch (route) {
				case 'GET /api/admin/serverconfig':
					return Response.json({
						instanceDetails: { name: 'Fake Owncast' },
						externalActions: fake.actions,
						yp: { enabled: false, instanceUrl: fake.instanceUrl },
						streamKeys: [{ key: 'hidden', comment: '' }]
					})
				case 'GET /api/admin/accesstokens':
					return Response.json(fake.tokens.map((t) => ({ ...t, displayColor: 3, lastUsedAt: null, isBot: true, type: 'API' })))
				case 'POST /api/admin/accesstokens/create': {
					const { name, scopes } = body as { name?: unknown; scopes?: unknown }
					if (typeof name !== 'string') return badRequest('name field is required')
					if (!Array.isArray(scopes)) return badRequest('scopes field is required')
					if (!scopes.every((s) => VALID_SCOPES.includes(s as string))) return badRequest('one or more invalid scopes provided')
					const token: FakeToken = {
						id: `u${fake.tokens.length + 1}-${counter++}`,
						accessToken: randomToken(),
						displayName: name,
						scopes: scopes as string[],
						createdAt: new Date().toISOString()
					}
					fake.tokens.push(token)
					fake.changes.push(`create token ${name}`)
					return Response.json({ accessToken: token.accessToken, displayName: name, displayColor: 3, scopes: token.scopes, createdAt: token.createdAt, lastUsedAt: null })
				}
				case 'POST /api/admin/accesstokens/delete': {
					const { token } = body as { token?: unknown }
					if (typeof token !== 'string' || token === '') return badRequest('must provide a token')
					const index = fake.tokens.findIndex((t) => t.accessToken === token)
					if (index < 0) return Response.json({ error: 'token not found' }, { status: 500 })
					fake.changes.push(`delete token ${fake.tokens[index]?.displayName}`)
					fake.tokens.splice(index, 1)
					return Response.json({ success: true, message: 'deleted token' })
				}
				case 'GET /api/admin/webhooks':
					return Response.json(fake.webhooks.map(({ id, url, events }) => ({ id, url, events, timestamp: new Date().toISOString(), lastUsed: null })))
				case 'POST /api/admin/webhooks/create': {
					const { url: hookUrl, events, secret } = body as { url?: unknown; events?: unknown; secret?: unknown }
					if (!Array.isArray(events) || !events.every((e) => VALID_EVENTS.includes(e as string))) return badRequest('one or more invalid event provided')
					const webhook: FakeWebhook = {
						id: nextWebhookId++,
						url: typeof hookUrl === 'string' ? hookUrl : '',
						events: events as string[],
						// Before 0.3 the field does not exist: Go's JSON decoder drops it.
						secret: signs() && typeof secret === 'string' ? secret : ''
					}
					fake.webhooks.push(webhook)
					fake.changes.push(`create webhook ${webhook.id}`)
					return Response.json({ id: webhook.id, url: webhook.url, events: webhook.events, timestamp: new Date().toISOString(), lastUsed: null })
				}
				case 'POST /api/admin/webhooks/delete': {
					const { id } = body as { id?: unknown }
					const index = fake.webhooks.findIndex((w) => w.id === id)
					if (index < 0) return Response.json({ error: `${String(id)} not found` }, { status: 500 })
					fake.webhooks.splice(index, 1)
					fake.changes.push(`delete webhook ${String(id)}`)
					return Response.json({ success: true, message: 'deleted webhook' })
				}
				case 'POST /api/admin/config/externalactions': {
					const { value } = body as { value?: unknown }
					if (!Array.isArray(value)) return Response.json({ success: false, message: 'unable to update external actions with provided values' }, { status: 400 })
					fake.actions = structuredClone(value as FakeAction[])
					fake.changes.push(`set actions ${fake.actions.length}`)
					return Response.json({ success: true, message: 'external actions update' })
				}
				default:
					return new Response('404 page not found\n', { status: 404 })
			}
		}
	})
	fake.url = `http://127.0.0.1:${server.port}`
	return fake
}
