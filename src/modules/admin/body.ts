// The admin page's own body parser: every POST under /admin (also to paths that do not exist) is read here, before
// the origin check, the login throttle and the session check, and never beyond MAX_ADMIN_FORM_BYTES, so that no
// one can make the bot hold large bodies in memory without logging in.

/** The admin forms are a few short fields (a password, a CSRF token, a reason of 200 characters). */
export const MAX_ADMIN_FORM_BYTES = 16 * 1024

/** What the parser gives instead of a body that is too large (the route answers 413). */
export const TOO_LARGE: unique symbol = Symbol('too large')

export type Form = Record<string, string>

/**
 * The body as text, or TOO_LARGE: refused without reading when Content-Length says it is too large; without
 * Content-Length (chunked), read until it passes the limit and no further.
 */
export async function readCappedText(request: Request, limit: number): Promise<string | typeof TOO_LARGE> {
	const declared = request.headers.get('content-length')
	if (declared !== null) {
		const length = Number(declared)
		if (!Number.isSafeInteger(length) || length < 0 || length > limit) return TOO_LARGE
	}
	if (!request.body) return ''
	const reader = request.body.getReader()
	const chunks: Uint8Array[] = []
	let size = 0
	for (;;) {
		const { done, value } = await reader.read()
		if (done) break
		size += value.byteLength
		// Also when a Content-Length was given: never trust it to bound what is read.
		if (size > limit) {
			await reader.cancel().catch(() => {})
			return TOO_LARGE
		}
		chunks.push(value)
	}
	return new TextDecoder().decode(Buffer.concat(chunks))
}

/**
 * The admin page's parse hook: a urlencoded form as an object (the last of repeated fields wins, as with
 * Elysia's own parser), any other body as an empty form, TOO_LARGE past the limit.
 */
export async function parseAdminBody(request: Request, contentType: string): Promise<Form | typeof TOO_LARGE> {
	const text = await readCappedText(request, MAX_ADMIN_FORM_BYTES)
	if (text === TOO_LARGE) return TOO_LARGE
	if (contentType.split(';')[0]?.trim().toLowerCase() !== 'application/x-www-form-urlencoded') return {}
	const form: Form = Object.create(null)
	for (const [key, value] of new URLSearchParams(text)) form[key] = value
	return form
}
