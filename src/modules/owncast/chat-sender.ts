// Sends chat replies to Owncast after the webhook has been answered. Bounded: when Owncast is slow or down,
// the oldest waiting replies are dropped rather than piling up without limit.
import type { Logger } from '../../log.ts'
import type { OwncastClient, OwncastFault } from './client.ts'

export type ChatSender = {
	/** Queues the replies to one chat message; they are delivered in this order. */
	send(...texts: string[]): void
	/** Resolves when nothing is waiting or in flight (for shutdown and tests). */
	idle(): Promise<void>
	readonly waiting: number
}

export function createChatSender(
	client: Pick<OwncastClient, 'sendChat'>,
	log: Logger,
	options: { maxWaiting?: number; concurrency?: number } = {}
): ChatSender {
	const maxWaiting = options.maxWaiting ?? 500
	const concurrency = options.concurrency ?? 4
	const queue: string[][] = []
	let inFlight = 0
	let idleWaiters: (() => void)[] = []
	const lastLogged = new Map<OwncastFault | 'dropped', number>()

	// One line per kind of fault per minute, not one per message.
	const logFault = (kind: OwncastFault | 'dropped', message: string) => {
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

	async function deliver(texts: string[]) {
		for (const text of texts) {
			const result = await client.sendChat(text)
			if (result.ok) continue
			// A token without the chat scope fails every message the same way: say it once.
			if (result.fault === 'unauthorized') log.warnOnce('chat-unauthorized', `chat replies not delivered: ${result.message}`)
			else logFault(result.fault, `chat reply not delivered: ${result.message}`)
		}
	}

	const pump = () => {
		while (inFlight < concurrency && queue.length > 0) {
			const texts = queue.shift() as string[]
			inFlight++
			deliver(texts)
				.catch((error: unknown) => logFault('unreachable', `chat reply not delivered: ${(error as Error).message}`))
				.finally(() => {
					inFlight--
					pump()
					settle()
				})
		}
	}

	return {
		send(...texts: string[]) {
			if (texts.length === 0) return
			if (queue.length >= maxWaiting) {
				queue.shift()
				logFault('dropped', `Owncast is not keeping up: dropped the oldest waiting chat reply (${maxWaiting} were waiting)`)
			}
			queue.push(texts)
			pump()
		},
		idle() {
			if (inFlight === 0 && queue.length === 0) return Promise.resolve()
			return new Promise((resolve) => idleWaiters.push(resolve))
		},
		get waiting() {
			return queue.length
		}
	}
}
