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
	const header = response.headers.get('set-cookie') ?? ''
	const match = /^(tlapbot_admin=[^;]*)/.exec(header)
	if (!match?.[1]) throw new Error(`no session cookie in ${JSON.stringify(header)}`)
	return match[1]
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

/** The flash message a 303 carries in its Location, and the path (and search) it leads to. */
export function flashOf(response: Response): { path: string; q?: string; ok?: string; error?: string } {
	expect(response.status).toBe(303)
	const location = new URL(response.headers.get('location') ?? '', 'http://localhost')
	const get = (name: string) => location.searchParams.get(name)
	return {
		path: location.pathname,
		...(get('q') ? { q: get('q') as string } : {}),
		...(get('flash') ? { ok: get('flash') as string } : {}),
		...(get('error') ? { error: get('error') as string } : {})
	}
}
