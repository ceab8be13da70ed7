// A fake Owncast for the benchmarks, run as its own process so it never shares the bench's or the bot's event
// loop. It answers what tlapbot calls and counts the chat messages delivered to it.
//   bun bench/fake-owncast.ts [--token T] [--clients N]
// Prints "listening on http://127.0.0.1:PORT". Extra routes for the bench:
//   GET  /count                  -> {"count": <chat messages delivered so far, public and private>, "private": <private>}
//   POST /bench/clients?n=N      -> the client list now holds N distinct viewers (answer built once, then cached)
const arg = (name: string) => {
	const i = process.argv.indexOf(`--${name}`)
	return i >= 0 ? process.argv[i + 1] : undefined
}
const token = arg('token') ?? 'bench-token'
let count = 0
let privateCount = 0
let clientsJson = '[]'

/** The shape Owncast's GET /api/integrations/clients returns, one connection per viewer. */
function buildClients(n: number): string {
	const connectedAt = new Date().toISOString()
	const parts: string[] = []
	for (let i = 0; i < n; i++) {
		parts.push(
			JSON.stringify({
				connectedAt,
				messageCount: i % 7,
				userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
				geo: null,
				user: {
					id: `cycle-viewer-${i}`,
					displayName: `Viewer ${i}`,
					displayColor: i % 8,
					createdAt: '2026-08-01T20:14:03.512Z',
					previousNames: [`Viewer ${i}`],
					nameChangedAt: '0001-01-01T00:00:00Z',
					isBot: false,
					authenticated: false
				}
			})
		)
	}
	return `[${parts.join(',')}]`
}

const initial = Number(arg('clients') ?? '0')
if (initial > 0) clientsJson = buildClients(initial)

const json = (text: string, status = 200) => new Response(text, { status, headers: { 'content-type': 'application/json' } })
const SENT = JSON.stringify({ success: true, message: 'sent' })
const STATUS = JSON.stringify({ online: true, viewerCount: 1, versionNumber: '0.3.0', streamTitle: 'bench' })

const server = Bun.serve({
	hostname: '127.0.0.1',
	port: 0,
	async fetch(request) {
		const path = request.url.slice(request.url.indexOf('/', 8)).split('?')[0]
		if (path === '/count') return json(JSON.stringify({ count, private: privateCount }))
		if (path === '/api/status') return json(STATUS)
		if (path === '/bench/clients' && request.method === 'POST') {
			const n = Number(new URL(request.url).searchParams.get('n') ?? '0')
			clientsJson = buildClients(n)
			return json(JSON.stringify({ clients: n, bytes: clientsJson.length }))
		}
		if (request.headers.get('authorization') !== `Bearer ${token}`) return new Response('unauthorized', { status: 401 })
		if (path === '/api/integrations/clients') return json(clientsJson)
		// Public chat messages, and private system messages to one connection (private_replies, on by default).
		if ((path === '/api/integrations/chat/send' || path?.startsWith('/api/integrations/chat/system/client/')) && request.method === 'POST') {
			const body = (await request.json()) as { body?: string }
			if (!body.body) return json(JSON.stringify({ error: 'invalid message' }), 400)
			count++
			if (path !== '/api/integrations/chat/send') privateCount++
			return json(SENT)
		}
		return new Response('not found', { status: 404 })
	}
})
console.log(`listening on http://127.0.0.1:${server.port}`)
export {}
