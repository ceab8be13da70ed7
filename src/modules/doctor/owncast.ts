// The checks that talk to Owncast and to the bot's public address. Every request is read-only: the scope probes
// are requests Owncast refuses after checking the token (see OwncastProbe.hasScope), so nothing reaches chat.
import { redactUrl } from '../../log.ts'
import type { OwncastAdminClient, Webhook } from '../owncast/admin-client.ts'
import type { OwncastExternalAction, OwncastProbe, OwncastResult, OwncastScope } from '../owncast/client.ts'
import { check, formatDuration, type CheckResult } from './result.ts'

/** The webhook events the bot needs (README, "Setting up Owncast"). */
export const WEBHOOK_EVENTS = ['CHAT', 'NAME_CHANGE', 'USER_JOINED', 'STREAM_STARTED', 'STREAM_STOPPED'] as const
/** Owncast 0.3 (services/webhooks/auth.go) and tlapbot (owncast/signature.ts) refuse signatures further off than this. */
export const SIGNATURE_WINDOW_MS = 300_000
/** A clock this far off is worth a warning before it breaks anything. */
export const CLOCK_WARN_MS = 60_000

export type OwncastCheckInput = {
	probe: OwncastProbe
	/** owncast_url (shown with any user name and password hidden). */
	owncastUrl: string
	accessToken: string
	/** Which scopes the settings need: "send chat messages" unless passive, "send system messages" for private replies. */
	needs: { sendMessages: boolean; systemMessages: boolean }
	webhookSecret?: string | undefined
	publicUrl?: string | undefined
	/**
	 * Owncast's admin API (Basic auth with the admin password), for the webhook list and the external actions; without
	 * it the webhook is not checked and the external actions come from the public /api/config.
	 */
	admin?: Pick<OwncastAdminClient, 'webhooks' | 'serverConfig'> | undefined
	/** This tlapbot's version, compared with what public_url/healthz reports. */
	version: string
	/** fetch for public_url/healthz, replaceable in tests. */
	fetch?: typeof fetch
	healthTimeoutMs?: number
}

const TOKEN_FIX =
	'in Owncast\'s admin, Integrations → Access Tokens, create a token with "send chat messages", "send system messages" and "perform administrative actions", then put it in owncast_access_token (or TLAPBOT_OWNCAST_ACCESS_TOKEN)'
const SCOPE_FIX =
	'Owncast cannot add scopes to a token: create a new one in Integrations → Access Tokens with "send chat messages", "send system messages" and "perform administrative actions", and replace owncast_access_token'

const SCOPES: { scope: OwncastScope; id: string; name: string; missing: string; needed: (needs: OwncastCheckInput['needs']) => boolean }[] = [
	{ scope: 'CAN_SEND_MESSAGES', id: 'scope_send_messages', name: 'send chat messages', missing: 'the bot cannot answer in chat', needed: (n) => n.sendMessages },
	{
		scope: 'CAN_SEND_SYSTEM_MESSAGES',
		id: 'scope_system_messages',
		name: 'send system messages',
		missing: 'private replies go to public chat instead, and !store cannot send its login link',
		needed: (n) => n.systemMessages
	},
	{
		scope: 'HAS_ADMIN_ACCESS',
		id: 'scope_admin',
		name: 'perform administrative actions',
		missing: 'the bot cannot list who is in chat, so nobody earns points',
		needed: () => true
	}
]

/**
 * Owncast (reachable, version, clock), the token and each scope, the stream, public_url/healthz, the webhook and the
 * external action. Runs the independent requests side by side.
 */
export async function owncastChecks(input: OwncastCheckInput): Promise<CheckResult[]> {
	const [status, health] = await Promise.all([input.probe.serverStatus(), checkPublicUrl(input)])
	const reachable = checkReachable(input, status)
	if (!status.ok) {
		const why = 'skipped: Owncast does not answer'
		return [
			reachable,
			check('clock', 'Clock', 'skip', why),
			check('token', 'Access token', 'skip', why),
			...SCOPES.map((s) => check(s.id, `Token scope: ${s.name}`, 'skip', why)),
			check('stream', 'Stream', 'skip', why),
			health,
			check('webhook', 'Webhook', 'skip', why),
			check('external_action', 'External action', 'skip', why)
		]
	}
	const [tokenChecks, webhook, action] = await Promise.all([
		checkToken(input),
		checkWebhook(input, status.value.versionNumber),
		checkExternalAction(input)
	])
	const stream = check('stream', 'Stream', 'info', status.value.online ? 'live' : 'offline (points are given only while live)')
	return [reachable, checkClock(input, status.value), ...tokenChecks, stream, health, webhook, action]
}

function checkReachable(input: OwncastCheckInput, status: Awaited<ReturnType<OwncastProbe['serverStatus']>>): CheckResult {
	const url = redactUrl(input.owncastUrl)
	if (status.ok) {
		const version = status.value.versionNumber ? `Owncast ${status.value.versionNumber}` : 'Owncast (version not given)'
		return check('owncast', 'Owncast', 'ok', `${version} answers at ${url}`)
	}
	const fix =
		status.fault === 'invalid_response' || status.fault === 'http_error'
			? `check that owncast_url (or TLAPBOT_OWNCAST_URL) is Owncast's address, the one viewers open; ${url}/api/status should answer JSON`
			: `check owncast_url (or TLAPBOT_OWNCAST_URL) and that Owncast runs; from this machine, ${url}/api/status should answer`
	return check('owncast', 'Owncast', 'fail', status.message.replace(/; is owncast_url right and Owncast running\?$/, ''), fix)
}

/** Owncast's clock against ours, from serverTime in /api/status (or the Date header), halfway through the request. */
export function checkClock(
	input: Pick<OwncastCheckInput, 'webhookSecret'>,
	status: { serverTime?: string; date?: string; sentAt: number; answeredAt: number }
): CheckResult {
	const title = 'Clock'
	let server = status.serverTime ? Date.parse(status.serverTime) : Number.NaN
	let slack = (status.answeredAt - status.sentAt) / 2
	if (Number.isNaN(server) && status.date) {
		// The Date header has whole seconds: the answer left somewhere within that second.
		server = Date.parse(status.date) + 500
		slack += 500
	}
	if (Number.isNaN(server)) return check('clock', title, 'skip', "Owncast's answer did not carry its time")
	const offset = server - (status.sentAt + status.answeredAt) / 2
	const distance = Math.max(0, Math.abs(offset) - slack)
	const side = offset > 0 ? 'ahead of' : 'behind'
	const fix = 'synchronise both clocks with NTP (e.g. `timedatectl set-ntp true` on each machine)'
	if (distance > SIGNATURE_WINDOW_MS) {
		const detail = `Owncast's clock is ${formatDuration(offset)} ${side} this machine's: signed webhooks (more than 300 s off) are refused`
		return check('clock', title, input.webhookSecret ? 'fail' : 'warn', detail, fix)
	}
	if (distance > CLOCK_WARN_MS) {
		return check('clock', title, 'warn', `Owncast's clock is ${formatDuration(offset)} ${side} this machine's (webhook signatures allow 300 s)`, fix)
	}
	const seconds = Math.max(1, Math.ceil(Math.abs(offset) / 1000))
	return check('clock', title, 'ok', `within ${seconds} second${seconds === 1 ? '' : 's'} of Owncast's`)
}

async function checkToken(input: OwncastCheckInput): Promise<CheckResult[]> {
	const scopeTitle = (name: string) => `Token scope: ${name}`
	if (!input.accessToken) {
		return [
			check('token', 'Access token', 'fail', 'owncast_access_token is not set', TOKEN_FIX),
			...SCOPES.map((s) => check(s.id, scopeTitle(s.name), 'skip', 'skipped: no token'))
		]
	}
	const answers = await Promise.all(SCOPES.map((s) => input.probe.hasScope(s.scope)))
	const granted = answers.filter((a) => a.ok && a.value).length
	const refused = answers.filter((a) => a.ok && !a.value).length
	if (refused === SCOPES.length) {
		return [
			check('token', 'Access token', 'fail', 'Owncast refuses the token everywhere: it is wrong, or was deleted in Owncast', TOKEN_FIX),
			...SCOPES.map((s) => check(s.id, scopeTitle(s.name), 'skip', 'skipped: the token is refused'))
		]
	}
	const token =
		granted > 0
			? check('token', 'Access token', 'ok', 'Owncast accepts it')
			: check('token', 'Access token', 'warn', 'could not be checked: Owncast did not answer the probes (below)')
	const scopes = SCOPES.map((s, i) => {
		const answer = answers[i] as OwncastResult<boolean>
		const title = scopeTitle(s.name)
		if (!answer.ok) return check(s.id, title, 'fail', `cannot tell: ${answer.message}`)
		if (answer.value) return check(s.id, title, 'ok', 'granted')
		const needed = s.needed(input.needs)
		return check(s.id, title, needed ? 'fail' : 'warn', `missing: ${s.missing}${needed ? '' : ' (not needed with the current settings)'}`, SCOPE_FIX)
	})
	return [token, ...scopes]
}

/** GET <public_url>/healthz from here: is the bot reachable at the address Owncast and viewers use? */
export async function checkPublicUrl(input: Pick<OwncastCheckInput, 'publicUrl' | 'version' | 'fetch' | 'healthTimeoutMs'>): Promise<CheckResult> {
	const title = 'public_url'
	if (!input.publicUrl) {
		return check(
			'public_url',
			title,
			'warn',
			'not set: Owncast and viewers need the bot\'s public https address (webhook, external action, links)',
			'set public_url in config.toml (or TLAPBOT_PUBLIC_URL), e.g. "https://bot.example.com"'
		)
	}
	const base = redactUrl(input.publicUrl)
	const url = `${input.publicUrl}/healthz`
	const timeoutMs = input.healthTimeoutMs ?? 5000
	const doFetch = input.fetch ?? fetch
	const fix = 'is `tlapbot serve` running, and does the reverse proxy (and DNS, TLS) forward that address to it?'
	let response: Response
	try {
		response = await doFetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) })
	} catch (error) {
		const name = (error as Error).name
		const reason = name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${timeoutMs / 1000} s` : redactUrl((error as Error).message)
		return check('public_url', title, 'fail', `${base}/healthz does not answer from here (${reason})`, fix)
	}
	let body: { status?: unknown; version?: unknown; database?: unknown } | undefined
	try {
		const parsed: unknown = JSON.parse(await response.text())
		if (parsed && typeof parsed === 'object') body = parsed as typeof body
	} catch {
		body = undefined
	}
	if (!body || typeof body.version !== 'string') {
		return check('public_url', title, 'fail', `${base}/healthz answers ${response.status}, but not as tlapbot does`, fix)
	}
	if (response.status === 503 || body.database === 'error') {
		return check('public_url', title, 'fail', `${base} answers, but the bot there cannot read its database`, 'see the bot\'s log (journalctl -u tlapbot, or its output)')
	}
	if (!response.ok || body.status !== 'ok') {
		return check('public_url', title, 'fail', `${base}/healthz answers ${response.status}`, fix)
	}
	const insecure = new URL(input.publicUrl).protocol !== 'https:' && !isLoopback(input.publicUrl)
	if (body.version !== input.version) {
		return check(
			'public_url',
			title,
			'warn',
			`${base} answers with tlapbot ${body.version}, but this is ${input.version}`,
			'restart `tlapbot serve` after an upgrade (or check that the address leads to this instance)'
		)
	}
	if (insecure) {
		return check(
			'public_url',
			title,
			'warn',
			`${base} answers, but over http: Owncast only accepts https external actions`,
			'put the bot behind a reverse proxy with https (README, "Behind Caddy") and set public_url to that address'
		)
	}
	return check('public_url', title, 'ok', `${base} answers (tlapbot ${body.version})`)
}

/** The webhook to <public_url>/owncastWebhook, from Owncast's admin API (needs the admin password). */
export async function checkWebhook(
	input: Pick<OwncastCheckInput, 'admin' | 'publicUrl' | 'webhookSecret'>,
	owncastVersion: string | undefined
): Promise<CheckResult> {
	const title = 'Webhook'
	const events = WEBHOOK_EVENTS.join(', ')
	const addFix = (url: string) => `in Owncast's admin, Integrations → Webhooks, add ${url} with the events ${events}`
	if (!input.admin) {
		return check(
			'webhook',
			title,
			'skip',
			"not checked: it needs Owncast's admin password",
			'set TLAPBOT_OWNCAST_ADMIN_PASSWORD, or run `tlapbot doctor --owncast-admin` to be asked for it'
		)
	}
	const listed = await input.admin.webhooks()
	if (!listed.ok) {
		if (listed.fault === 'wrong_password') {
			return check('webhook', title, 'fail', 'Owncast refused the admin password', "use the password of Owncast's /admin page")
		}
		return check('webhook', title, 'fail', `cannot list Owncast's webhooks: ${listed.message}`)
	}
	const expected = input.publicUrl ? `${input.publicUrl}/owncastWebhook` : undefined
	const matches = listed.value.filter((hook) => (expected ? sameEndpoint(hook.url, expected) : endpointPath(hook.url) === '/owncastWebhook'))
	const shownExpected = expected ? shownUrl(expected) : '<public_url>/owncastWebhook'
	if (matches.length === 0) {
		const others = listed.value.filter((hook) => endpointPath(hook.url) === '/owncastWebhook')
		const detail =
			others.length > 0
				? `none to ${shownExpected}; Owncast has one to ${shownUrl((others[0] as Webhook).url)}`
				: `none to ${shownExpected} among Owncast's ${listed.value.length} webhook${listed.value.length === 1 ? '' : 's'}`
		return check('webhook', title, 'fail', detail, addFix(shownExpected))
	}
	const complete = matches.find((hook) => WEBHOOK_EVENTS.every((e) => hook.events.includes(e)))
	const hook = complete ?? (matches[0] as Webhook)
	if (!complete) {
		const missing = WEBHOOK_EVENTS.filter((e) => !hook.events.includes(e))
		return check(
			'webhook',
			title,
			'fail',
			`${shownUrl(hook.url)} lacks the event${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`,
			`Owncast cannot edit a webhook: delete it in Integrations → Webhooks and add it again with ${events}`
		)
	}
	const querySecret = secretParam(hook.url)
	if (querySecret !== undefined && input.webhookSecret && querySecret !== input.webhookSecret) {
		return check(
			'webhook',
			title,
			'fail',
			`${shownUrl(hook.url)} carries a ?secret= that is not webhook_secret: the bot refuses its events (401)`,
			'delete the webhook and add it again with ?secret=<webhook_secret>, or use the same secret in both'
		)
	}
	// Owncast 0.3+ lists the secret it signs with: another one than webhook_secret is refused by the bot.
	if (input.webhookSecret && querySecret === undefined && hook.secret !== undefined && hook.secret !== '' && hook.secret !== input.webhookSecret) {
		return check(
			'webhook',
			title,
			'fail',
			`${shownUrl(hook.url)} is signed by Owncast with a secret that is not webhook_secret: the bot refuses its events (401)`,
			'run `tlapbot connect` (it registers the webhook with webhook_secret), or give the webhook the same secret in Owncast'
		)
	}
	if (input.webhookSecret && querySecret === undefined && !signsWebhooks(owncastVersion)) {
		return check(
			'webhook',
			title,
			'fail',
			`Owncast ${owncastVersion ?? '(unknown version)'} does not sign webhooks, and ${shownUrl(hook.url)} has no ?secret=: the bot refuses its events (401)`,
			'delete the webhook and add it again as <public_url>/owncastWebhook?secret=<webhook_secret>'
		)
	}
	if (matches.length > 1) {
		return check(
			'webhook',
			title,
			'warn',
			`${shownUrl(hook.url)} is registered ${matches.length} times: Owncast sends every event to each`,
			'delete the extra ones in Integrations → Webhooks'
		)
	}
	if (!expected) return check('webhook', title, 'warn', `${shownUrl(hook.url)} has every event, but public_url is not set to compare it with`)
	const signing = input.webhookSecret ? (querySecret !== undefined ? ', with ?secret=' : ', signed by Owncast (its secret must be webhook_secret)') : ''
	return check('webhook', title, 'ok', `${shownUrl(hook.url)} with ${events}${signing}`)
}

/** The external action opening <public_url>/dashboard: from the admin API when there is one, else the public config. */
export async function checkExternalAction(input: Pick<OwncastCheckInput, 'probe' | 'admin' | 'publicUrl'>): Promise<CheckResult> {
	const title = 'External action'
	const listed = await externalActions(input)
	if (!listed.ok) return check('external_action', title, 'fail', `cannot read Owncast's configuration: ${listed.message}`)
	if (listed.value === undefined) return check('external_action', title, 'skip', 'this Owncast does not list its external actions')
	const expected = input.publicUrl ? `${input.publicUrl}/dashboard` : undefined
	const isOurs = (a: OwncastExternalAction) =>
		a.url !== undefined && (expected ? sameEndpoint(a.url, expected) : endpointPath(a.url) === '/dashboard')
	const found = listed.value.find(isOurs)
	const shownExpected = expected ? shownUrl(expected) : '<public_url>/dashboard'
	if (!found?.url) {
		return check(
			'external_action',
			title,
			'fail',
			`none opens ${shownExpected}`,
			`in Owncast's admin, Integrations → External Actions, add one with the URL ${shownExpected} (title e.g. "Redeems Dashboard")`
		)
	}
	const named = found.title ? `"${found.title}" opens ` : ''
	if (!expected) return check('external_action', title, 'warn', `${named}${shownUrl(found.url)}, but public_url is not set to compare it with`)
	return check('external_action', title, 'ok', `${named}${shownUrl(found.url)}`)
}

async function externalActions(
	input: Pick<OwncastCheckInput, 'probe' | 'admin'>
): Promise<{ ok: true; value: OwncastExternalAction[] | undefined } | { ok: false; message: string }> {
	if (!input.admin) return input.probe.externalActions()
	const config = await input.admin.serverConfig()
	// A wrong password is the webhook check's finding; the public configuration lists the same actions.
	if (!config.ok) return config.fault === 'wrong_password' || config.fault === 'missing' ? input.probe.externalActions() : config
	const list = config.value.externalActions
	if (list === undefined) return { ok: true, value: undefined }
	return {
		ok: true,
		value: list.map(({ url, title }) => ({ ...(typeof url === 'string' ? { url } : {}), ...(typeof title === 'string' ? { title } : {}) }))
	}
}

/** Same scheme, host, port and path (no trailing slash); the query (?secret=) and credentials do not count. */
export function sameEndpoint(a: string, b: string): boolean {
	try {
		const x = new URL(a)
		const y = new URL(b)
		return x.protocol === y.protocol && x.host === y.host && trimSlash(x.pathname) === trimSlash(y.pathname)
	} catch {
		return false
	}
}

function endpointPath(url: string): string | undefined {
	try {
		return trimSlash(new URL(url).pathname)
	} catch {
		return undefined
	}
}

const trimSlash = (path: string) => path.replace(/\/+$/, '') || '/'

/** A URL as shown: no query (it may hold ?secret=), no user name or password. */
function shownUrl(url: string): string {
	try {
		const u = new URL(url)
		return `${u.protocol}//${u.host}${u.pathname}`
	} catch {
		return '(an invalid URL)'
	}
}

function secretParam(url: string): string | undefined {
	try {
		return new URL(url).searchParams.get('secret') ?? undefined
	} catch {
		return undefined
	}
}

/** Owncast signs webhooks from 0.3.0 on; a version it does not tell (or cannot be read) gets the benefit of the doubt. */
function signsWebhooks(version: string | undefined): boolean {
	const match = version ? /(\d+)\.(\d+)/.exec(version) : null
	if (!match) return true
	const [major, minor] = [Number(match[1]), Number(match[2])]
	return major > 0 || minor >= 3
}

function isLoopback(url: string): boolean {
	const host = new URL(url).hostname
	return host === 'localhost' || host === '[::1]' || /^127\./.test(host)
}
