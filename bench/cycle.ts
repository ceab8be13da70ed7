// One points-cycle measurement, run by run.ts in a fresh process per size so that the peak RSS is per size.
//   bun bench/cycle.ts <owncast url> <token> <viewers>
// The fake Owncast must already list <viewers> clients. Runs the real runPointsCycle as serve does: GET /api/status
// here, then GET /api/integrations/clients and the real award on the points worker thread (src/points-offload.ts),
// against an on-disk database: once with every viewer new, then 3 times with every viewer known. The whole cycle is
// timed here; the worker reports its fetch and award parts. Prints one JSON line (peak RSS: this process, worker
// included).
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../src/db/database.ts'
import { createLogger } from '../src/log.ts'
import { createOwncastClient } from '../src/modules/owncast/client.ts'
import { createTransact } from '../src/db/transaction.ts'
import { noEvents } from '../src/modules/events/log.ts'
import { createAward, type Award } from '../src/modules/points/award.ts'
import { runPointsCycle, type CycleDeps } from '../src/modules/points/cycle.ts'
import { createStreamStore } from '../src/modules/streams/store.ts'
import { createViewerStore } from '../src/modules/viewers/store.ts'
import { median, memoryOf, tempDir } from './lib.ts'
import { createAwardOffload } from '../src/points-offload.ts'

const [url, token, viewersText] = process.argv.slice(2) as [string, string, string]
const viewers = Number(viewersText)
const dir = tempDir('cycle')
const db = openDatabase(join(dir, 'tlapbot.sqlite'))
// The real stores and award, as the composition root (src/bot.ts) builds them.
const streams = createStreamStore(db)
const award = createAward({ transact: createTransact(db), viewers: createViewerStore(db, { startingPoints: () => 10 }), streams, events: noEvents })
// The worker as serve starts it, with the settings it reads.
const offload = createAwardOffload({
	settings: () =>
		({ config: { databasePath: join(dir, 'tlapbot.sqlite'), owncast_url: url, owncast_access_token: token, starting_points: 10, outgoing_webhooks: [] } }) as never,
	wakeEventListeners: () => undefined
})
const stream: CycleDeps['stream'] = {
	isLive: () => streams.isLive(),
	started: () => streams.setState('stream_live', '1'),
	stopped: () => streams.setState('stream_live', '0'),
	markLive: (online) => streams.setState('stream_live', online ? '1' : '0')
}
const client = createOwncastClient({ baseUrl: url, accessToken: token, timeoutMs: 60_000 })
const log = createLogger('warn')

let fetchMs = 0
let awardMs = 0
const timedClient: CycleDeps['client'] = {
	status: async () => {
		const t0 = performance.now()
		const r = await client.status()
		fetchMs += performance.now() - t0
		return r
	},
	chatUsers: async () => {
		const t0 = performance.now()
		const r = await client.chatUsers()
		fetchMs += performance.now() - t0
		return r
	}
}
const timedAward: Award = (...args) => {
	const t0 = performance.now()
	const r = award(...args)
	awardMs += performance.now() - t0
	return r
}

const baselineRssMb = memoryOf('self').rssMb
let now = Date.now()
async function cycle() {
	fetchMs = 0
	awardMs = 0
	now += 600_000
	const t0 = performance.now()
	const fetchAndAward: CycleDeps['fetchAndAward'] = async (...args) => {
		const done = await offload.fetchAndAward(...args)
		if (done.ok && done.timings) {
			fetchMs += done.timings.fetchMs
			awardMs += done.timings.awardMs
		}
		return done
	}
	const outcome = await runPointsCycle({ client: timedClient, award: timedAward, stream, log, cycleSeconds: 600, amount: 10, fetchAndAward }, () => now)
	const totalMs = performance.now() - t0
	if (outcome.kind !== 'awarded' || outcome.viewers !== viewers) throw new Error(`unexpected outcome ${JSON.stringify(outcome)}`)
	return { totalMs, fetchMs, awardMs, newViewers: outcome.newViewers }
}

// Cycles are minutes apart in serve: the worker's checkpoint after an award (copying its pages from the write-ahead
// log into the database, off the cycle's path) is over long before the next one. A pause keeps it so here.
const pause = () => Bun.sleep(Math.max(200, viewers / 200))
const first = await cycle()
const again: Awaited<ReturnType<typeof cycle>>[] = []
for (let i = 0; i < 3; i++) {
	await pause()
	again.push(await cycle())
}
if (again.some((r) => r.newViewers !== 0)) throw new Error('viewers were new twice')
const mem = memoryOf('self')
offload.stop()
db.close()
rmSync(dir, { recursive: true, force: true })
console.log(
	JSON.stringify({
		viewers,
		baselineRssMb,
		peakRssMb: mem.peakMb,
		first,
		known: {
			totalMs: median(again.map((r) => r.totalMs)),
			fetchMs: median(again.map((r) => r.fetchMs)),
			awardMs: median(again.map((r) => r.awardMs))
		}
	})
)
