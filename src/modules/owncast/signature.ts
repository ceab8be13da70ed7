// Webhook authentication: Owncast 0.3+ signs each webhook; older versions can carry ?secret= in the URL.
import { createHmac, timingSafeEqual } from 'node:crypto'

export const SIGNATURE_HEADER = 'owncast-signature'
/** How far the signed time may be from ours, either way (Owncast's docs say 300 s). */
export const MAX_SKEW_SECONDS = 300

export type AuthResult = { ok: true; via: 'signature' | 'url_secret' } | { ok: false; reason: string }

/** Compares two strings in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
	// HMAC both sides first, so inputs of different lengths compare in constant time too.
	const key = 'tlapbot-compare'
	const ha = createHmac('sha256', key).update(a).digest()
	const hb = createHmac('sha256', key).update(b).digest()
	return timingSafeEqual(ha, hb) && a.length === b.length
}

export function sign(secret: string, timestamp: number, rawBody: string): string {
	return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')
}

/** Checks `owncast-signature: t=<unix seconds>.s=<hex>` over the exact raw body. */
export function verifySignature(header: string, rawBody: string, secret: string, nowSeconds: number): AuthResult {
	const match = /^t=(\d{1,12})\.s=([0-9a-fA-F]{64})$/.exec(header.trim())
	if (!match?.[1] || !match[2]) return { ok: false, reason: 'malformed signature header' }
	const timestamp = Number(match[1])
	if (Math.abs(nowSeconds - timestamp) > MAX_SKEW_SECONDS) return { ok: false, reason: 'signature timestamp too far from now' }
	if (!constantTimeEqual(sign(secret, timestamp, rawBody), match[2].toLowerCase())) return { ok: false, reason: 'wrong signature' }
	return { ok: true, via: 'signature' }
}

export function authenticateWebhook(
	input: { signatureHeader?: string | undefined; urlSecret?: string | undefined; rawBody: string },
	secret: string,
	nowSeconds: number
): AuthResult {
	if (input.signatureHeader) {
		const signed = verifySignature(input.signatureHeader, input.rawBody, secret, nowSeconds)
		if (signed.ok || input.urlSecret === undefined) return signed
	}
	if (input.urlSecret !== undefined) {
		return constantTimeEqual(input.urlSecret, secret) ? { ok: true, via: 'url_secret' } : { ok: false, reason: 'wrong secret in the URL' }
	}
	return { ok: false, reason: 'no signature header and no ?secret= in the URL' }
}
