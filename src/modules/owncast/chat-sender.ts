// Sends chat replies to Owncast after the webhook has been answered. Bounded: when Owncast is slow or down,
// the oldest waiting replies are dropped rather than piling up without limit. Replies meant for one viewer go
// privately to their chat connection when private replies are on, and publicly only when Owncast clearly
// refuses them: after a timeout or a server error the private text may already have arrived, so it is dropped.
import type { Logger } from '../../log.ts'
import type { Reply, SecretReply } from '../chat/reply.ts'
import type { OwncastClient, OwncastFault, OwncastResult } from './client.ts'

export type OutgoingReply = Reply

export type ChatSender = {
	/** Queues the replies to one chat message (from connection clientId); they are delivered in this order. */
	send(replies: readonly (OutgoingReply | string)[], clientId?: number): void
	/** Resolves when nothing is waiting or in flight (for shutdown and tests). */
	idle(): Promise<void>
	/** Tries private replies again after Owncast refused them (the token or private_replies changed). */
	retryPrivate(): void
	readonly waiting: number
}

type Job = { replies: OutgoingReply[]; clientId: number | undefined }
/** After Owncast refused private messages (401), how long until they are tried again. */
const PRIVATE_RETRY_MS = 5 * 60_000

type LogKind = OwncastFault | 'dropped' | 'private-refused' | 'private-dropped' | 'secret'

/**
 * Whether a failed private message surely did not reach the viewer: only a refusal (401, 403, 404) says so.
 * A timeout, a broken connection, a 5xx or an odd answer may come after Owncast delivered it.
 */
function privateRefused(result: Extract<OwncastResult<void>, { ok: false }>): boolean {
	return result.fault === 'unauthorized' || (result.fault === 'http_error' && (result.status === 403 || result.status === 404))
}

export function createChatSender(
	client: Pick<OwncastClient, 'sendChat'> & Partial<Pick<OwncastClient, 'sendPrivate' | 'userClients'>>,
	log: Logger,
	options: { maxWaiting?: number; concurrency?: number; privateReplies?: () => boolean; clock?: () => number } = {}
): ChatSender {
	// A waiting reply is a short text: thousands cost little memory, and bursts (a GC pause, a WAL checkpoint)
	// must not drop replies. 16 in flight keeps up with Owncast on loopback without starving webhooks.
	const maxWaiting = options.maxWaiting ?? 20_000
	const concurrency = options.concurrency ?? 16
	const privateReplies = options.privateReplies ?? (() => false)
	const clock = options.clock ?? Date.now
	const queue: Job[] = []
	let inFlight = 0
	let idleWaiters: (() => void)[] = []
	// When Owncast refuses private messages with 401, they are off until then: tried again every few minutes and
	// after a reload (retryPrivate), since the token may be fixed. What the 401 meant is told by the public send
	// that follows: refused too means a wrong token, accepted means the token lacks "send system messages".
	let privateOffUntil = 0
	let privateWasOff = false
	let diagnosing = false
	const privateOff = () => clock() < privateOffUntil
	const lastLogged = new Map<LogKind, number>()

	// One line per kind of fault per minute, not one per message.
	const logFault = (kind: LogKind, message: string) => {
		const now = Date.now()
		if (now - (lastLogged.get(kind) ?? 0) < 60_000) return
		lastLogged.set(kind, now)
		log.warn(message)
	}

	const settle = () => {
		if (inFlight === 0 && queue.length === 0) {
			const waiters = idleWaiters
			idleWaiters = []
			for (const resolve of waiters) resolve()
		}
	}

	/** 'public' when the reply should go to public chat instead; 'done' when sent, or dropped as maybe sent. */
	async function sendPrivately(clientId: number, text: string): Promise<'done' | 'public'> {
		if (!client.sendPrivate) return 'public'
		const result = await client.sendPrivate(clientId, text)
		if (result.ok) {
			if (privateWasOff) log.info('private replies work again')
			privateWasOff = false
			return 'done'
		}
		if (result.fault === 'unauthorized') {
			privateOffUntil = clock() + PRIVATE_RETRY_MS
			privateWasOff = true
			diagnosing = true
			return 'public'
		}
		if (privateRefused(result)) {
			logFault('private-refused', `private reply refused, sent to public chat instead: ${result.message}`)
			return 'public'
		}
		// Posting it publicly could show a viewer's private answer to everyone; losing one reply is the lesser harm.
		logFault('private-dropped', `private reply not delivered and not posted publicly (it may have reached the viewer): ${result.message}`)
		return 'done'
	}

	/** Whether the connection is the owner's: Owncast lists a user's connections where it offers the route. */
	async function ownsConnection(owner: string, clientId: number): Promise<boolean> {
		if (!client.userClients) return true
		const result = await client.userClients(owner)
		if (result.ok) return result.value.includes(clientId)
		// Owncast before 0.2 has no such route (404): the connection the webhook named is all there is to go on.
		return result.fault === 'http_error' && result.status === 404
	}

	/** A secret goes privately to its owner's connection, or its fallback (no secret) goes public; never late. */
	async function deliverSecret(reply: SecretReply) {
		const publicFallback = async (why: string) => {
			log.debug(`private link not sent (${why}); told the viewer in public chat`)
			await client.sendChat(reply.fallback)
		}
		if (clock() > reply.expiresAt) {
			logFault('secret', 'a private login link waited too long to be sent and was dropped')
			return
		}
		if (reply.clientId === undefined) return publicFallback('the message carried no connection id')
		if (privateOff() || !privateReplies() || !client.sendPrivate) return publicFallback('private replies are off')
		if (!(await ownsConnection(reply.owner, reply.clientId))) return publicFallback('the connection is not the sender\'s')
		if (clock() > reply.expiresAt) return
		const result = await client.sendPrivate(reply.clientId, reply.text)
		if (result.ok) return
		if (privateRefused(result)) return publicFallback(`Owncast refused it: ${result.message}`)
		logFault('private-dropped', `private login link not delivered (it may have reached the viewer): ${result.message}`)
	}

	async function deliver(job: Job) {
		for (const reply of job.replies) {
			if (reply.to === 'secret') {
				await deliverSecret(reply)
				continue
			}
			const wantsPrivate = reply.to === 'viewer' && job.clientId !== undefined && !privateOff() && privateReplies()
			if (wantsPrivate && (await sendPrivately(job.clientId as number, reply.text)) === 'done') continue
			const result = await client.sendChat(reply.text)
			if (diagnosing) {
				diagnosing = false
				const cause =
					result.ok || result.fault !== 'unauthorized'
						? 'the access token lacks the "send system messages" scope'
						: 'Owncast refused the access token itself (public chat too): check owncast_access_token'
				log.warn(`private replies turned off: ${cause}; replies go to public chat, and private ones are tried again in ${PRIVATE_RETRY_MS / 60_000} minutes or after a reload`)
			}
			if (result.ok) continue
			// A token without the chat scope fails every message the same way: say it once.
			if (result.fault === 'unauthorized') log.warnOnce('chat-unauthorized', `chat replies not delivered: ${result.message}`)
			else logFault(result.fault, `chat reply not delivered: ${result.message}`)
		}
	}

	const pump = () => {
		while (inFlight < concurrency && queue.length > 0) {
			const job = queue.shift() as Job
			inFlight++
			deliver(job)
				.catch((error: unknown) => logFault('unreachable', `chat reply not delivered: ${(error as Error).message}`))
				.finally(() => {
					inFlight--
					pump()
					settle()
				})
		}
	}

	return {
		send(replies, clientId) {
			if (replies.length === 0) return
			if (queue.length >= maxWaiting) {
				queue.shift()
				logFault('dropped', `Owncast is not keeping up: dropped the oldest waiting chat reply (${maxWaiting} were waiting)`)
			}
			queue.push({
				replies: replies.map((r) => (typeof r === 'string' ? { text: r, to: 'public' } : r)),
				clientId
			})
			pump()
		},
		idle() {
			if (inFlight === 0 && queue.length === 0) return Promise.resolve()
			return new Promise((resolve) => idleWaiters.push(resolve))
		},
		retryPrivate() {
			privateOffUntil = 0
		},
		get waiting() {
			return queue.length
		}
	}
}
