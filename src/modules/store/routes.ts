// The viewer store's JSON API under /api/store, used by the dashboard's script (same origin, also inside Owncast's
// iframe). Signed-in requests carry the session in `Authorization: Bearer <token>`, never in a cookie alone, so no
// other site can make a viewer's browser spend their points (a cross-site page cannot send that header here:
// there is no CORS). Bodies are JSON, capped at 16 KB before they are read.
import { Elysia } from 'elysia'
import * as v from 'valibot'
import type { Logger } from '../../log.ts'
import { readCappedText } from '../http/body.ts'
import { createClientKeyOf, createTrustOf } from '../http/client-address.ts'
import type { Identity } from '../identity/service.ts'
import type { SettingsSource } from '../settings/settings.ts'
import type { Store } from './service.ts'

export const MAX_STORE_BODY_BYTES = 16 * 1024
/** Sign-in codes one client address may ask for within CODE_WINDOW_MS. */
const CODES_PER_WINDOW = 10
const CODE_WINDOW_MS = 10 * 60_000

export type StoreRouteDeps = {
	settings: SettingsSource
	identity: Pick<Identity, 'newCode' | 'collect' | 'useLoginToken' | 'viewerOf' | 'signOut' | 'signOutEverywhere'>
	store: Pick<Store, 'view' | 'redeem' | 'activity' | 'bet'>
	log: Logger
	clock: () => number
}

const CollectBody = v.object({
	code: v.pipe(v.string('code: expected the code the page showed'), v.maxLength(20, 'code: too long')),
	claim: v.pipe(v.string('claim: expected the claim the page was given'), v.maxLength(100, 'claim: too long'))
})
const LoginBody = v.object({ token: v.pipe(v.string('token: expected the token from the login link'), v.maxLength(100, 'token: too long')) })
const RedeemBody = v.object({
	redeem: v.pipe(v.string('redeem: expected the name of a redeem'), v.minLength(1, 'redeem: expected the name of a redeem'), v.maxLength(64, 'redeem: too long')),
	note: v.optional(v.pipe(v.string('note: expected text'), v.maxLength(2000, 'note: too long'))),
	amount: v.optional(v.pipe(v.number('amount: expected a whole number of points'), v.integer('amount: expected a whole number of points'), v.minValue(1, 'amount: expected 1 or more'), v.maxValue(1_000_000_000, 'amount: too large')))
})
const BetBody = v.object({
	outcome: v.pipe(v.string('outcome: expected the name or number of an outcome'), v.trim(), v.minLength(1, 'outcome: expected the name or number of an outcome'), v.maxLength(50, 'outcome: too long')),
	amount: v.pipe(v.number('amount: expected a whole number of points'), v.integer('amount: expected a whole number of points'), v.minValue(1, 'amount: expected 1 or more'), v.maxValue(1_000_000_000, 'amount: too large'))
})
const SignOutBody = v.object({ everywhere: v.optional(v.boolean('everywhere: expected true or false'), false) })
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{1,100}$/

type Json = Record<string, unknown>
type Set = { status?: number | string; headers: Record<string, string | number> }

/** Per client address: at most CODES_PER_WINDOW sign-in codes in a sliding window (in memory, per process). */
function createCodeLimiter() {
	const recent = new Map<string, number[]>()
	return (client: string, now: number): boolean => {
		if (recent.size > 10_000) for (const [key, times] of recent) if (times.every((t) => t <= now - CODE_WINDOW_MS)) recent.delete(key)
		const times = (recent.get(client) ?? []).filter((t) => t > now - CODE_WINDOW_MS)
		if (times.length >= CODES_PER_WINDOW) return false
		times.push(now)
		recent.set(client, times)
		return true
	}
}

export function storeRoutes(deps: StoreRouteDeps) {
	const allowCode = createCodeLimiter()
	const clientKeyOf = createClientKeyOf(createTrustOf(() => deps.settings().config.trusted_proxies))
	const fail = (set: Set, status: number, error: string, extra: Json = {}) => {
		set.status = status
		return { error, ...extra }
	}
	/** The signed-in viewer of a request, from its Authorization header. */
	const viewerOf = (request: Request) => {
		const header = request.headers.get('authorization') ?? ''
		const match = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(header)
		return match ? deps.identity.viewerOf(match[1] as string, deps.clock()) : undefined
	}
	const userAgent = (request: Request) => request.headers.get('user-agent') ?? ''

	/** The body (read by the parse hook below, capped) checked against the route's schema. */
	function readJson<T>(text: unknown, set: Set, schema: v.GenericSchema<unknown, T>): T | { error: string } {
		if (typeof text !== 'string') return fail(set, 413, `body larger than ${MAX_STORE_BODY_BYTES} bytes`)
		let json: unknown
		try {
			json = text === '' ? {} : JSON.parse(text)
		} catch {
			return fail(set, 400, 'the body is not valid JSON')
		}
		const parsed = v.safeParse(schema, json)
		if (!parsed.success) return fail(set, 400, parsed.issues[0].message)
		return parsed.output
	}
	const isError = (value: unknown): value is { error: string } => typeof value === 'object' && value !== null && 'error' in value

	return (
		new Elysia({ name: 'store' })
			.onBeforeHandle(({ set }) => {
				set.headers['cache-control'] = 'no-store'
			})
			// Our parser for every body here: the raw text, capped, before Elysia's own (which would read it all).
			.onParse(({ request }) => readCappedText(request, MAX_STORE_BODY_BYTES))
			.post('/api/store/signin', ({ request, server, set }) => {
				const { settings } = { settings: deps.settings() }
				if (settings.config.passive) return fail(set, 403, 'redeems are off (passive mode), so there is nothing to sign in for')
				const link = settings.commands.nameOf('link')
				if (!link) return fail(set, 503, 'signing in with a code is unavailable: a redeem has the name of the !link command')
				const now = deps.clock()
				if (!allowCode(clientKeyOf(server?.requestIP(request)?.address, request.headers), now)) {
					set.headers['retry-after'] = '60'
					return fail(set, 429, 'too many sign-in codes from this address: wait a few minutes')
				}
				const { code, claim, expiresAt } = deps.identity.newCode(now)
				set.status = 201
				return { code, claim, expiresAt: new Date(expiresAt).toISOString(), command: `${settings.config.prefix}${link} ${code}` }
			})
			.post('/api/store/signin/collect', ({ request, body: raw, set }) => {
				const body = readJson(raw, set, CollectBody)
				if (isError(body)) return body
				const state = deps.identity.collect(body.code.toUpperCase(), body.claim, userAgent(request), deps.clock())
				switch (state.status) {
					case 'waiting':
						return { status: 'waiting', expiresAt: new Date(state.expiresAt).toISOString() }
					case 'signed_in':
						return { status: 'signed_in', session: state.session, expiresAt: new Date(state.expiresAt).toISOString() }
					case 'expired':
						return fail(set, 410, 'this code has expired: ask for a new one', { status: 'expired' })
					case 'collected':
						return fail(set, 410, 'this code was already used', { status: 'collected' })
					default:
						return fail(set, 404, 'no such code', { status: 'unknown' })
				}
			})
			.post('/api/store/login', ({ request, body: raw, set }) => {
				const body = readJson(raw, set, LoginBody)
				if (isError(body)) return body
				const result = deps.identity.useLoginToken(body.token, userAgent(request), deps.clock())
				if (!result.ok) {
					const words = { used: 'this login link was already used', expired: 'this login link has expired', unknown: 'this login link is not valid' }
					return fail(set, result.reason === 'unknown' ? 404 : 410, `${words[result.reason]}: type !store in chat for a new one`, { status: result.reason })
				}
				return { status: 'signed_in', session: result.session, expiresAt: new Date(result.expiresAt).toISOString() }
			})
			.get('/api/store', ({ request, set }) => {
				const who = viewerOf(request)
				if (!who) return fail(set, 401, 'signed out')
				const view = deps.store.view(who.viewerId, deps.clock())
				if (!view) return fail(set, 401, 'signed out')
				return { ...view, passive: deps.settings().config.passive }
			})
			.get('/api/store/activity', ({ request, set }) => {
				const who = viewerOf(request)
				if (!who) return fail(set, 401, 'signed out')
				return deps.store.activity(who.viewerId, deps.clock())
			})
			.post('/api/store/redeem', ({ request, body: raw, set }) => {
				const who = viewerOf(request)
				if (!who) return fail(set, 401, 'signed out')
				if (deps.settings().config.passive) return fail(set, 403, 'redeems are off (passive mode)')
				const key = request.headers.get('idempotency-key') ?? undefined
				if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
					return fail(set, 400, 'Idempotency-Key: expected 1 to 100 letters, digits, "-" or "_"')
				}
				const body = readJson(raw, set, RedeemBody)
				if (isError(body)) return body
				const answer = deps.store.redeem(who.viewerId, body, key, deps.clock())
				if (answer === 'rate_limited') {
					set.headers['retry-after'] = '1'
					return fail(set, 429, 'slow down: one redeem at a time')
				}
				if (answer === 'key_reused') return fail(set, 422, 'Idempotency-Key: this key was used for another request; send a new key per click')
				return answer
			})
			.post('/api/store/bet', ({ request, body: raw, set }) => {
				const who = viewerOf(request)
				if (!who) return fail(set, 401, 'signed out')
				if (deps.settings().config.passive) return fail(set, 403, 'bets are off (passive mode)')
				const key = request.headers.get('idempotency-key') ?? undefined
				if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
					return fail(set, 400, 'Idempotency-Key: expected 1 to 100 letters, digits, "-" or "_"')
				}
				const body = readJson(raw, set, BetBody)
				if (isError(body)) return body
				const answer = deps.store.bet(who.viewerId, body, key, deps.clock())
				if (answer === 'rate_limited') {
					set.headers['retry-after'] = '1'
					return fail(set, 429, 'slow down: one bet at a time')
				}
				if (answer === 'key_reused') return fail(set, 422, 'Idempotency-Key: this key was used for another request; send a new key per click')
				return answer
			})
			.post('/api/store/signout', ({ request, body: raw, set }) => {
				const who = viewerOf(request)
				if (!who) return fail(set, 401, 'signed out')
				const body = readJson(raw, set, SignOutBody)
				if (isError(body)) return body
				const ended = body.everywhere ? deps.identity.signOutEverywhere(who.viewerId) : Number(deps.identity.signOut(who.sessionHash))
				return { ended }
			})
	)
}
