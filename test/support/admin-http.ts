// The admin page through app.handle, as a browser uses it: forms, the session cookie, the CSRF token, flashes.
import { expect } from 'bun:test'
import type { TestBot } from './bot.ts'

export type Send = { method?: string; form?: Record<string, string>; cookie?: string; headers?: Record<string, string> }

/** A request to the bot: a GET, or a POST of a url-encoded form when `form` is given. */
export function send(b: TestBot, path: string, options: Send = {}): Promise<Response> {
	const headers: Record<string, string> = { ...options.headers }
	if (options.cookie) headers.cookie = options.cookie
	if (options.form) headers['content-type'] = 'application/x-www-form-urlencoded'
	return b.app.handle(
		new Request(`http://localhost${path}`, {
			method: options.method ?? (options.form ? 'POST' : 'GET'),
			headers,
			...(options.form ? { body: new URLSearchParams(options.form).toString() } : {})
		})
	)
}

/** The name=value part of the session cookie a response sets. */
export function sessionFrom(response: Response): string {
	const cookies = response.headers.getSetCookie()
	const match = cookies.map((c) => /^(tlapbot_admin=[^;]+)/.exec(c)?.[1]).find(Boolean)
	if (!match) throw new Error(`no session cookie in ${JSON.stringify(cookies)}`)
	return match
}

export const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''

export type Admin = { cookie: string; csrf: string }

/** Signs in with the password and reads the CSRF token off the admin page. */
export async function login(b: TestBot, password: string): Promise<Admin> {
	const response = await send(b, '/admin/login', { form: { password } })
	expect(response.status).toBe(303)
	const cookie = sessionFrom(response)
	const page = await send(b, '/admin', { cookie })
	expect(page.status).toBe(200)
	const csrf = csrfIn(await page.text())
	expect(csrf).not.toBe('')
	return { cookie, csrf }
}

/** An admin page's HTML, after checking its status. */
export async function html(b: TestBot, path: string, admin: Admin, status = 200): Promise<string> {
	const response = await send(b, path, { cookie: admin.cookie })
	expect(response.status).toBe(status)
	return response.text()
}

/** Posts a form as the admin (with the CSRF token unless the test gives its own fields). */
export const act = (b: TestBot, admin: Admin, path: string, form: Record<string, string> = {}) =>
	send(b, path, { cookie: admin.cookie, form: { csrf: admin.csrf, ...form } })

/** The flash message a response sets (its signed cookie, decoded). */
export function flashCookieOf(response: Response): { ok?: string; error?: string } {
	for (const cookie of response.headers.getSetCookie()) {
		const match = /^tlapbot_flash=([A-Za-z0-9_-]+)\./.exec(cookie)
		if (!match?.[1]) continue
		const { k, t } = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8')) as { k: string; t: string }
		return k === 'error' ? { error: t } : { ok: t }
	}
	return {}
}

/** The name=value of the flash cookie a response sets, to send with the next request like a browser. */
export function flashCookieHeader(response: Response): string {
	for (const cookie of response.headers.getSetCookie()) if (cookie.startsWith('tlapbot_flash=')) return cookie.split(';')[0] as string
	throw new Error('no flash cookie')
}

/** The flash message of a 303 (never in its Location: in the flash cookie), and the path (and search) it leads to. */
export function flashOf(response: Response): { path: string; q?: string; ok?: string; error?: string } {
	expect(response.status).toBe(303)
	const location = new URL(response.headers.get('location') ?? '', 'http://localhost')
	expect(location.searchParams.get('flash')).toBeNull()
	expect(location.searchParams.get('error')).toBeNull()
	const q = location.searchParams.get('q')
	return { path: location.pathname, ...(q ? { q } : {}), ...flashCookieOf(response) }
}

/** Follows a 303 as a browser does (session and flash cookie) and returns the page's HTML. */
export async function follow(b: TestBot, admin: Admin, response: Response): Promise<string> {
	expect(response.status).toBe(303)
	const cookie = `${admin.cookie}; ${flashCookieHeader(response)}`
	const next = await send(b, response.headers.get('location') ?? '', { cookie })
	expect(next.status).toBe(200)
	return next.text()
}
