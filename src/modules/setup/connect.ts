// `tlapbot connect`: sets an Owncast server up for the bot through its admin API, in one go and idempotently.
//   1. Owncast answers (GET /api/status: its version decides how the webhook is authenticated)
//   2. the admin password works (GET /api/admin/serverconfig, which also lists the external actions)
//   3. an access token with the bot's scopes: a working one is kept, else one is created
//   4. the webhook to <public_url>/owncastWebhook, with webhook_secret (Owncast 0.3+ signs with it; older ones get it
//      in the URL as ?secret=)
//   5. the "Points" external action to <public_url>/dashboard, every other action kept
//   6. config.toml gets owncast_url, owncast_access_token, public_url and webhook_secret
//   7. what connect made earlier and has now replaced is deleted in Owncast (nothing it did not make, ever)
// Everything is read first: a wrong password or an unreachable Owncast stops before anything changes; a route this
// Owncast lacks becomes a step to do by hand. Each change is recorded in the setup store as soon as Owncast confirms
// it, so a second run finds and replaces its own things; a failure half-way says what was done and what not.
// No SQL here, and nothing printed directly: lines go through `report`, which never gets a secret.
import {
	BOT_SCOPES,
	type AccessToken,
	type AdminResult,
	type ExternalAction,
	type OwncastAdminClient,
	type Webhook
} from '../owncast/admin-client.ts'
import { redactUrl } from '../../log.ts'
import { fingerprint, type Leftover, type SetupChange, type SetupRecord } from './store.ts'

export const WEBHOOK_EVENTS = ['CHAT', 'NAME_CHANGE', 'USER_JOINED', 'STREAM_STARTED', 'STREAM_STOPPED'] as const
export const ACTION_TITLE = 'Points'
export const DEFAULT_BOT_NAME = 'tlapbot'

/** The config.toml keys connect writes. */
export type ConnectValues = {
	owncast_url: string
	owncast_access_token?: string
	public_url: string
	webhook_secret?: string
}

export type ConnectOptions = {
	/** Where tlapbot reaches Owncast, without a trailing slash. */
	owncastUrl: string
	/** Where Owncast and viewers reach the bot, without a trailing slash. */
	publicUrl: string
	botName: string
	dryRun: boolean
	/** The access token and webhook secret `serve` would use now (config.toml or TLAPBOT_*), if any. */
	accessToken: string
	webhookSecret: string | undefined
}

export type Reporter = {
	/** One step's outcome (stdout). */
	step(line: string): void
	/** A warning (stderr). */
	warn(line: string): void
}

export type ConnectDeps = {
	admin: OwncastAdminClient
	setup: {
		get(owncastUrl: string): SetupRecord | undefined
		save(owncastUrl: string, change: SetupChange): unknown
	}
	generateSecret: () => string
	/**
	 * Writes the values into config.toml (in a dry run: only works out whether it would change); 'unchanged' when
	 * the file already has them.
	 */
	writeConfig(values: ConnectValues): 'changed' | 'unchanged'
	report: Reporter
}

export type ConnectResult = {
	ok: boolean
	/** The one-line reason when not ok. */
	error?: string
	/** The values written to (or, in a dry run, meant for) config.toml; undefined when nothing was written. */
	written?: ConnectValues
}

/** Whether this Owncast signs webhooks with a per-webhook secret (0.3.0 and later); undefined when unknown. */
export function signsWebhooks(versionNumber: string | undefined): boolean | undefined {
	const match = /(\d+)\.(\d+)/.exec(versionNumber ?? '')
	if (!match) return undefined
	const major = Number(match[1])
	const minor = Number(match[2])
	return major > 0 || minor >= 3
}

const hasScopes = (token: AccessToken) => BOT_SCOPES.every((scope) => token.scopes.includes(scope))
const sameEvents = (events: readonly string[]) =>
	events.length === WEBHOOK_EVENTS.length && WEBHOOK_EVENTS.every((event) => events.includes(event))
const coversEvents = (events: readonly string[]) => WEBHOOK_EVENTS.every((event) => events.includes(event))
const withoutQuery = (url: string) => url.split(/[?#]/)[0] ?? url

export async function connectOwncast(options: ConnectOptions, deps: ConnectDeps): Promise<ConnectResult> {
	const { admin, report } = deps
	const dry = options.dryRun
	const key = options.owncastUrl
	const webhookBase = `${options.publicUrl}/owncastWebhook`
	const dashboard = `${options.publicUrl}/dashboard`
	const shownOwncast = redactUrl(options.owncastUrl)
	/** What was changed in Owncast so far (or, in a dry run, would be). */
	const done: string[] = []
	/** What has to be done by hand because this Owncast lacks the route. */
	const manual: string[] = []
	const values: ConnectValues = { owncast_url: options.owncastUrl, public_url: options.publicUrl }
	let secretSettled = false

	const save = (change: SetupChange) => {
		if (!dry) deps.setup.save(key, change)
	}

	/** Stops: says what was done and what not; writes config.toml for what Owncast already has. */
	function stop(reason: string, notDone: string[]): ConnectResult {
		if (dry) {
			report.warn('Dry run stopped here; nothing was changed.')
			return { ok: false, error: reason }
		}
		let written: ConnectValues | undefined
		if (done.length === 0) {
			report.warn('Nothing was changed in Owncast or in config.toml.')
		} else {
			const partial = inOrder(values, secretSettled)
			try {
				deps.writeConfig(partial)
				written = partial
				report.warn(`config.toml: wrote ${Object.keys(partial).join(', ')} for what Owncast now has.`)
			} catch (error) {
				report.warn(`config.toml: could not be written (${(error as Error).message}).`)
			}
			report.warn(`Done before the failure: ${done.join('; ')}.`)
		}
		if (notDone.length) report.warn(`Not done: ${notDone.join('; ')}. Run \`tlapbot connect\` again once the cause is fixed.`)
		return { ok: false, error: reason, ...(written ? { written } : {}) }
	}

	const rest = (from: number) =>
		['the access token', 'the webhook', 'the external action', 'config.toml'].slice(from)

	// Anything unexpected (the database, the disk) after a change in Owncast is reported like any failure: what was
	// done, what not, and config.toml gets what Owncast already has.
	const steps = async (): Promise<ConnectResult> => {
		// --- 1. Owncast answers ---------------------------------------------------------------------------------
		if (options.owncastUrl.startsWith('https:') && !options.publicUrl.startsWith('https:')) {
			return stop(mixedContent(shownOwncast, options.publicUrl), [])
		}
		const status = await admin.status()
		if (!status.ok) {
			const hint = status.fault === 'missing' ? ` Is ${shownOwncast} the address of Owncast (not of the bot)?` : ''
			return stop(`${status.message}.${hint}`, [])
		}
		const signing = signsWebhooks(status.value.versionNumber)
		const version = status.value.versionNumber ? `version ${status.value.versionNumber}` : 'version unknown'
		report.step(`Owncast: ${shownOwncast} answers (${version})`)

		// --- 2. the admin password --------------------------------------------------------------------------------
		const config = await admin.serverConfig()
		if (!config.ok) {
			if (config.fault === 'wrong_password') {
				return stop('the Owncast admin password is wrong (Owncast answered 401)', [])
			}
			const hint = config.fault === 'missing' ? ` Is ${shownOwncast} the address of Owncast, and is it 0.1 or newer?` : ''
			return stop(`reading Owncast's settings failed: ${config.message}.${hint}`, [])
		}
		report.step('Admin password: accepted')
		const instanceUrl = config.value.instanceUrl
		if (instanceUrl?.startsWith('https:') && !options.publicUrl.startsWith('https:')) {
			return stop(mixedContent(redactUrl(instanceUrl), options.publicUrl), [])
		}

		// Everything else is read before anything changes.
		const listed = <T>(result: AdminResult<T>, what: string): T | undefined | { failed: string } => {
			if (result.ok) return result.value
			if (result.fault === 'missing') return undefined
			return { failed: `reading ${what} failed: ${result.message}` }
		}
		const tokensRead = listed(await admin.accessTokens(), "Owncast's access tokens")
		if (tokensRead && 'failed' in tokensRead) return stop(tokensRead.failed, [])
		const hooksRead = listed(await admin.webhooks(), "Owncast's webhooks")
		if (hooksRead && 'failed' in hooksRead) return stop(hooksRead.failed, [])
		const tokens = tokensRead as AccessToken[] | undefined
		const hooks = hooksRead as Webhook[] | undefined
		const actions = config.value.externalActions
		const record = deps.setup.get(key)
		const leftovers: Leftover[] = [...(record?.leftovers ?? [])]
		const addLeftover = (item: Leftover) => {
			if (!leftovers.some((l) => JSON.stringify(l) === JSON.stringify(item))) leftovers.push(item)
		}

		// --- 3. the access token ----------------------------------------------------------------------------------
		const ownTokenHash = record?.tokenHash ?? null
		const ownListed = ownTokenHash ? tokens?.find((t) => fingerprint(t.accessToken) === ownTokenHash) : undefined
		const candidates: { token: string; from: string }[] = []
		if (options.accessToken) candidates.push({ token: options.accessToken, from: 'the token in use' })
		if (ownListed) candidates.push({ token: ownListed.accessToken, from: 'the token connect created earlier' })
		for (const t of tokens ?? []) {
			if (t.displayName === options.botName && hasScopes(t)) candidates.push({ token: t.accessToken, from: `Owncast's existing token "${t.displayName}"` })
		}
		let kept: { token: string; from: string; name: string | undefined } | undefined
		const seen = new Set<string>()
		for (const candidate of candidates) {
			if (seen.has(candidate.token)) continue
			seen.add(candidate.token)
			const entry = tokens?.find((t) => t.accessToken === candidate.token)
			if (tokens && !entry) {
				report.step(`Access token: ${candidate.from} is not one of this Owncast's tokens (deleted, or from another server)`)
				continue
			}
			if (entry && !hasScopes(entry)) {
				const missing = BOT_SCOPES.filter((s) => !entry.scopes.includes(s)).join(', ')
				report.step(`Access token: ${candidate.from} ("${entry.displayName}") lacks ${missing}`)
				continue
			}
			const own = ownTokenHash !== null && fingerprint(candidate.token) === ownTokenHash
			if (own && entry && entry.displayName !== options.botName) {
				report.step(`Access token: the one connect created is named "${entry.displayName}", not "${options.botName}"; it is replaced`)
				continue
			}
			const works = await admin.tokenWorks(candidate.token)
			if (!works.ok) return stop(`checking the access token failed: ${works.message}`, rest(0))
			if (!works.value) {
				report.step(`Access token: Owncast refuses ${candidate.from}`)
				continue
			}
			kept = { ...candidate, name: entry?.displayName }
			break
		}
		if (kept) {
			values.owncast_access_token = kept.token
			report.step(`Access token: keeping ${kept.from}${kept.name ? ` ("${kept.name}")` : ''}, it works`)
			if (kept.name !== undefined && kept.name !== options.botName) {
				report.step(`  (the bot chats as "${kept.name}"; a different name only applies to a token connect creates)`)
			}
			if (ownListed && ownListed.accessToken !== kept.token) addLeftover({ kind: 'token', hash: fingerprint(ownListed.accessToken) })
		} else if (!tokens) {
			manual.push(
				`access token: this Owncast has no /api/admin/accesstokens. In Owncast's admin, Integrations -> Access Tokens, create a token named "${options.botName}" with "send chat messages", "send system messages" and "perform administrative actions", and put it in config.toml as owncast_access_token`
			)
			report.step('Access token: cannot be created here (see below)')
		} else if (dry) {
			values.owncast_access_token = '(the new token)'
			done.push(`access token "${options.botName}" created`)
			report.step(`Access token: would create "${options.botName}" with ${BOT_SCOPES.join(', ')}`)
		} else {
			const created = await admin.createAccessToken(options.botName, BOT_SCOPES)
			if (!created.ok) {
				if (created.fault === 'missing') {
					manual.push(`access token: ${created.message}; create it by hand in Owncast's admin (Integrations -> Access Tokens) with the three scopes, then put it in config.toml as owncast_access_token`)
				} else {
					return stop(`creating the access token failed: ${created.message}`, rest(0))
				}
			} else {
				values.owncast_access_token = created.value.accessToken
				if (ownListed) addLeftover({ kind: 'token', hash: fingerprint(ownListed.accessToken) })
				done.push(`access token "${options.botName}" created`)
				save({ tokenName: options.botName, tokenHash: fingerprint(created.value.accessToken), leftovers: leftovers })
				report.step(`Access token: created "${options.botName}" with ${BOT_SCOPES.join(', ')}`)
			}
		}

		// --- 4. the webhook ---------------------------------------------------------------------------------------
		const generated = options.webhookSecret === undefined
		const secret = options.webhookSecret ?? deps.generateSecret()
		values.webhook_secret = secret
		const webhookUrl = signing ? webhookBase : `${webhookBase}?secret=${encodeURIComponent(secret)}`
		const shownWebhook = signing ? webhookBase : `${webhookBase}?secret=***`
		const how = signing
			? 'signed with webhook_secret'
			: signing === undefined
				? 'webhook_secret in the URL (the version is unknown; the URL works with every Owncast)'
				: 'webhook_secret in the URL (Owncast before 0.3 does not sign webhooks)'
		if (generated) report.step(`Webhook secret: ${dry ? 'would generate' : 'generated'} a new webhook_secret`)
		// Said when the webhook has to be added by hand: config.toml gets the secret, which the streamer copies from there.
		const byHand = signing
			? `add ${webhookBase} with the events ${WEBHOOK_EVENTS.join(', ')} and webhook_secret from config.toml as its secret`
			: `add ${webhookBase}?secret=<webhook_secret from config.toml> with the events ${WEBHOOK_EVENTS.join(', ')}`
		if (!hooks) {
			manual.push(`webhook: this Owncast has no /api/admin/webhooks. In Owncast's admin, Integrations -> Webhooks, ${byHand}; delete any older webhook to the bot without it (the bot now refuses those)`)
			report.step('Webhook: cannot be registered here (see below)')
			secretSettled = true
		} else {
			const ownHook = record?.webhookId != null ? hooks.find((h) => h.id === record?.webhookId) : undefined
			const secretHash = fingerprint(secret)
			const matchesSecret = (h: Webhook) => (signing ? h.secret === undefined || h.secret === secret : true)
			const ownUnchanged = ownHook && ownHook.url === webhookUrl && sameEvents(ownHook.events) && record?.webhookSecretHash === secretHash && matchesSecret(ownHook)
			// A webhook made by hand that already does the job is used as it is (and never deleted): no duplicate.
			const adoptable = ownUnchanged
				? undefined
				: hooks.find((h) => h.id !== ownHook?.id && h.url === webhookUrl && coversEvents(h.events) && (signing ? h.secret === secret : true))
			let current: Webhook | undefined
			if (ownUnchanged) {
				current = ownHook
				report.step(`Webhook: ${shownWebhook} (id ${ownHook.id}) already registered, unchanged; ${how}`)
			} else if (adoptable) {
				current = adoptable
				report.step(`Webhook: ${shownWebhook} (id ${adoptable.id}) already registered in Owncast, used as it is; ${how}`)
				if (ownHook) {
					// Its own webhook (to an older address) is not needed any more.
					addLeftover({ kind: 'webhook', id: ownHook.id })
					save({ webhookId: null, webhookSecretHash: null, webhookUrl: null, leftovers })
				}
			} else if (dry) {
				done.push('webhook registered')
				report.step(`Webhook: would ${ownHook ? `replace its webhook (id ${ownHook.id}) with` : 'register'} ${shownWebhook} for ${WEBHOOK_EVENTS.join(', ')}; ${how}`)
			} else {
				const created = await admin.createWebhook({ url: webhookUrl, events: WEBHOOK_EVENTS, ...(signing ? { secret } : {}) })
				if (!created.ok) {
					if (created.fault === 'missing') {
						manual.push(`webhook: ${created.message}. In Owncast's admin, Integrations -> Webhooks, ${byHand}`)
						current = undefined
						secretSettled = true
					} else {
						return stop(`registering the webhook failed: ${created.message}`, rest(1))
					}
				} else {
					current = created.value
					secretSettled = true
					if (ownHook) addLeftover({ kind: 'webhook', id: ownHook.id })
					done.push(`webhook ${shownWebhook} registered (id ${created.value.id})`)
					save({ webhookId: created.value.id, webhookSecretHash: secretHash, webhookUrl: shownWebhook, leftovers })
					report.step(`Webhook: ${ownHook ? `replaced its webhook (id ${ownHook.id}) with` : 'registered'} ${shownWebhook} (id ${created.value.id}) for ${WEBHOOK_EVENTS.join(', ')}; ${how}`)
				}
			}
			secretSettled ||= current !== undefined || dry || !generated
			for (const other of hooks) {
				if (other.id === current?.id || other.id === ownHook?.id || withoutQuery(other.url) !== webhookBase) continue
				report.warn(
					`warning: webhook id ${other.id} also points at the bot (${withoutQuery(other.url)}) and was not made by connect: Owncast sends every event once per webhook${generated ? ', and without the new secret the bot refuses it' : ''}. Delete it in Owncast's admin (Integrations -> Webhooks) if it is left over.`
				)
			}
		}

		// --- 5. the external action -------------------------------------------------------------------------------
		if (!actions) {
			manual.push(`external action: this Owncast does not list its external actions. In Owncast's admin, Integrations -> External Actions, add "${ACTION_TITLE}" with the URL ${dashboard}`)
			report.step('External action: cannot be added here (see below)')
		} else {
			const ownIndex = record?.actionUrl
				? actions.findIndex((a) => a.url === record?.actionUrl && a.title === record?.actionTitle)
				: -1
			const others = actions.length - (ownIndex >= 0 ? 1 : 0)
			const keptOthers = `${others} other action${others === 1 ? '' : 's'} kept`
			let next: ExternalAction[] | undefined
			let replacing = false
			if (ownIndex >= 0 && actions[ownIndex]?.url === dashboard && actions[ownIndex]?.title === ACTION_TITLE) {
				report.step(`External action: "${ACTION_TITLE}" -> ${dashboard} already there, unchanged; ${keptOthers}`)
			} else if (ownIndex >= 0) {
				// Its own button, moved to the new address; icon, colour and the like set by hand stay.
				next = actions.map((a, i) => (i === ownIndex ? { ...a, url: dashboard, title: ACTION_TITLE } : a))
				replacing = true
			} else {
				const existing = actions.find((a) => a.url === dashboard)
				if (existing) {
					report.step(`External action: Owncast already has "${String(existing.title)}" -> ${dashboard} (not made by connect), kept; none added`)
				} else {
					next = [...actions, { url: dashboard, title: ACTION_TITLE, description: '', icon: '', color: '', openExternally: false }]
				}
			}
			const what = replacing ? `its action (${String(record?.actionUrl)}) with "${ACTION_TITLE}" -> ${dashboard}` : `"${ACTION_TITLE}" -> ${dashboard}`
			if (next && dry) {
				done.push('external action set')
				report.step(`External action: would ${replacing ? 'replace' : 'add'} ${what}; ${keptOthers}`)
			} else if (next) {
				const written = await admin.setExternalActions(next)
				if (!written.ok) {
					if (written.fault === 'missing') {
						manual.push(`external action: ${written.message}; add "${ACTION_TITLE}" -> ${dashboard} by hand in Owncast's admin (Integrations -> External Actions)`)
					} else {
						return stop(`setting the external actions failed: ${written.message}`, rest(2))
					}
				} else {
					done.push(`external action "${ACTION_TITLE}" ${replacing ? 'replaced' : 'added'}`)
					save({ actionUrl: dashboard, actionTitle: ACTION_TITLE })
					report.step(`External action: ${replacing ? 'replaced' : 'added'} ${what}; ${keptOthers}`)
				}
			}
		}

		// --- 6. config.toml ---------------------------------------------------------------------------------------
		const toWrite = inOrder(values, secretSettled)
		let outcome: 'changed' | 'unchanged'
		try {
			outcome = deps.writeConfig(toWrite)
		} catch (error) {
			return stop(`writing config.toml failed: ${(error as Error).message}`, ['config.toml'])
		}
		const keys = Object.keys(toWrite).join(', ')
		report.step(
			outcome === 'unchanged'
				? `config.toml: already has ${keys}`
				: `config.toml: ${dry ? 'would write' : 'wrote'} ${keys} (comments and layout kept)`
		)

		// --- 7. clean-up of what connect replaced --------------------------------------------------------------------
		const failures: string[] = []
		for (const item of [...leftovers]) {
			const drop = () => leftovers.splice(leftovers.indexOf(item), 1)
			if (item.kind === 'token') {
				const token = tokens?.find((t) => fingerprint(t.accessToken) === item.hash)
				if (!token) {
					drop()
					continue
				}
				if (dry) {
					report.step(`Clean-up: would delete the access token "${token.displayName}" connect made before`)
					continue
				}
				const deleted = await admin.deleteAccessToken(token.accessToken)
				if (deleted.ok) {
					drop()
					report.step(`Clean-up: deleted the access token "${token.displayName}" connect made before`)
				} else {
					failures.push(`the old access token "${token.displayName}" (${deleted.message}); delete it in Owncast's admin, Integrations -> Access Tokens`)
				}
			} else {
				const hook = hooks?.find((h) => h.id === item.id)
				if (!hook) {
					drop()
					continue
				}
				if (dry) {
					report.step(`Clean-up: would delete the webhook (id ${hook.id}) connect made before`)
					continue
				}
				const deleted = await admin.deleteWebhook(hook.id)
				if (deleted.ok) {
					drop()
					report.step(`Clean-up: deleted the webhook (id ${hook.id}) connect made before`)
				} else {
					failures.push(`the old webhook id ${hook.id} (${deleted.message}); delete it in Owncast's admin, Integrations -> Webhooks`)
				}
			}
		}
		if (!dry && JSON.stringify(leftovers) !== JSON.stringify(deps.setup.get(key)?.leftovers ?? [])) save({ leftovers })

		if (manual.length) {
			for (const line of manual) report.warn(`To do by hand: ${line}.`)
			return { ok: false, error: 'this Owncast lacks some of the admin API; the rest is done, see "To do by hand" above', written: toWrite }
		}
		if (failures.length) {
			for (const line of failures) report.warn(`Could not delete ${line}. The next \`tlapbot connect\` tries again.`)
			return { ok: false, error: 'connected, but something connect replaced could not be deleted (see above)', written: toWrite }
		}
		return { ok: true, written: toWrite }
	}
	try {
		return await steps()
	} catch (error) {
		return stop(`connect stopped: ${(error as Error).message}`, done.length ? ['whatever came after the last step above'] : [])
	}
}

/** The keys in the order config.toml lists them; webhook_secret only once a webhook (or the streamer) will use it. */
function inOrder(values: ConnectValues, withSecret: boolean): ConnectValues {
	return {
		owncast_url: values.owncast_url,
		...(values.owncast_access_token === undefined ? {} : { owncast_access_token: values.owncast_access_token }),
		public_url: values.public_url,
		...(withSecret && values.webhook_secret !== undefined ? { webhook_secret: values.webhook_secret } : {})
	}
}

function mixedContent(owncastPage: string, publicUrl: string): string {
	return (
		`Owncast's page is https (${owncastPage}) but public_url is not (${redactUrl(publicUrl)}): browsers block an ` +
		'http dashboard inside an https page (mixed content), so the external action would stay blank. Put the bot ' +
		'behind https (e.g. Caddy) and pass --public-url https://...'
	)
}
