// The viewer store's JSON API through app.handle, as the page calls it (a bearer session, JSON bodies).
import type { TestBot } from './bot.ts'

export type Json = Record<string, unknown>

export async function api(b: TestBot, method: string, path: string, options: { body?: unknown; session?: string; headers?: Record<string, string> } = {}) {
	const headers: Record<string, string> = { ...options.headers }
	if (options.session) headers.authorization = `Bearer ${options.session}`
	if (options.body !== undefined) headers['content-type'] = 'application/json'
	const response = await b.app.handle(
		new Request(`http://localhost${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) })
	)
	return { status: response.status, json: (await response.json()) as Json }
}
