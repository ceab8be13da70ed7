// The main thread's side of src/points-worker.ts: one worker for the life of `serve`, one job at a time. A cycle
// hands it the fetching and awarding (runPointsCycle's `fetchAndAward`), so a 100,000-viewer award never stalls
// webhooks, /healthz or pages. A busy database comes back as SQLITE_BUSY, which the points timer retries.
import type { Bot } from './bot.ts'
import { configuredReceivers } from './modules/events/outbox.ts'
import type { EarningRules } from './modules/points/award.ts'
import type { FetchAndAward } from './modules/points/cycle.ts'
import type { AwardJob, AwardReply } from './points-worker.ts'

class BusyError extends Error {
	readonly code = 'SQLITE_BUSY'
}

export function createAwardOffload(bot: Pick<Bot, 'settings' | 'wakeEventListeners'>): { fetchAndAward: FetchAndAward; stop(): void } {
	const worker = new Worker(new URL('./points-worker.ts', import.meta.url).href)
	let next = 0
	const waiting = new Map<number, (reply: AwardReply) => void>()
	worker.onmessage = (event: MessageEvent<AwardReply>) => {
		const reply = event.data
		if (reply.kind === 'events') return bot.wakeEventListeners()
		waiting.get(reply.id)?.(reply)
		waiting.delete(reply.id)
	}
	worker.onerror = (event) => {
		for (const done of waiting.values()) done({ id: -1, kind: 'error', message: event.message || 'the points worker failed' })
		waiting.clear()
	}

	const fetchAndAward: FetchAndAward = (amount: number, now: number, minIntervalMs: number, rules: EarningRules | undefined) => {
		const { config } = bot.settings()
		const job: AwardJob = {
			id: ++next,
			databasePath: config.databasePath,
			owncast: { url: config.owncast_url, token: config.owncast_access_token },
			amount,
			now,
			minIntervalMs,
			startingPoints: config.starting_points,
			rules: rules ?? { ignore: [], chatters: [], activeChatterBonus: 0, firstChatBonus: 0, streakBonus: 0, streakStreams: 3 },
			receivers: configuredReceivers(config.outgoing_webhooks).map((r) => ({ id: r.id, events: [...r.events] }))
		}
		return new Promise<Awaited<ReturnType<FetchAndAward>>>((resolve, reject) => {
			waiting.set(job.id, (reply) => {
				if (reply.kind === 'done') resolve({ ok: true, result: reply.result, timings: reply.timings })
				else if (reply.kind === 'owncast') resolve({ ok: false, message: reply.message })
				else if (reply.kind === 'busy') reject(new BusyError('the database is locked by another process'))
				else if (reply.kind === 'error') reject(new Error(reply.message))
			})
			worker.postMessage(job)
		})
	}
	return { fetchAndAward, stop: () => worker.terminate() }
}
