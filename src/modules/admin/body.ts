// The admin page's own body parser: every POST under /admin (also to paths that do not exist) is read here, before
// the origin check, the login throttle and the session check, and never beyond MAX_ADMIN_FORM_BYTES, so that no
// one can make the bot hold large bodies in memory without logging in.

import { readCappedText, TOO_LARGE } from '../http/body.ts'

export { TOO_LARGE }

/** The admin forms are a few short fields (a password, a CSRF token, a reason of 200 characters). */
export const MAX_ADMIN_FORM_BYTES = 16 * 1024

export type Form = Record<string, string | string[]>

/**
 * The admin page's parse hook: a urlencoded form as an object (the last of repeated fields wins, as with
 * Elysia's own parser, except list fields such as the queue's selected `ids`, which keep every value), any other
 * body as an empty form, TOO_LARGE past the limit.
 */
const LIST_FIELDS = new Set(['ids'])

export async function parseAdminBody(request: Request, contentType: string): Promise<Form | typeof TOO_LARGE> {
	const text = await readCappedText(request, MAX_ADMIN_FORM_BYTES)
	if (text === TOO_LARGE) return TOO_LARGE
	if (contentType.split(';')[0]?.trim().toLowerCase() !== 'application/x-www-form-urlencoded') return {}
	const form: Form = Object.create(null)
	for (const [key, value] of new URLSearchParams(text)) {
		if (!LIST_FIELDS.has(key)) form[key] = value
		else form[key] = [...((form[key] as string[] | undefined) ?? []), value]
	}
	return form
}
