// Request bodies, read with a cap before anything parses them: no one can make the bot hold a large body in
// memory. Every route that takes a body reads it through here (webhooks 64 KB, admin forms and store requests 16 KB).

/** What the parser gives instead of a body that is too large (the route answers 413). */
export const TOO_LARGE: unique symbol = Symbol('too large')

/**
 * The body as text, or TOO_LARGE: refused without reading when Content-Length says it is too large; with a
 * Content-Length within the limit, read in one go (the server stops at the declared length); without one
 * (chunked), read until it passes the limit and no further.
 */
export async function readCappedText(request: Request, limit: number): Promise<string | typeof TOO_LARGE> {
	const declared = request.headers.get('content-length')
	if (declared !== null) {
		const length = Number(declared)
		if (!Number.isSafeInteger(length) || length < 0 || length > limit) return TOO_LARGE
	}
	if (!request.body) return ''
	if (declared !== null) return await request.text()
	const reader = request.body.getReader()
	const chunks: Uint8Array[] = []
	let size = 0
	for (;;) {
		const { done, value } = await reader.read()
		if (done) break
		size += value.byteLength
		if (size > limit) {
			await reader.cancel().catch(() => {})
			return TOO_LARGE
		}
		chunks.push(value)
	}
	return new TextDecoder().decode(Buffer.concat(chunks))
}
