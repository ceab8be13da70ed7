// One points-cycle measurement, run by run.ts in a fresh process per size so that the peak RSS is per size.
//   bun bench/cycle.ts <owncast url> <token> <viewers>
// The fake Owncast must already list <viewers> clients. Runs the real runPointsCycle (GET /api/status, GET
// /api/integrations/clients, the real award over the viewer store) against an on-disk database: once with every viewer
// new, then 3 times with every viewer known. Prints one JSON line.
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

const [url, token, viewersText] = process.argv.slice(2) as [string, string, string]
const viewers = Number(viewersText)
const dir = tempDir('cycle')
const db = openDatabase(join(dir, 'tlapbot.sqlite'))
// The real stores and award, as the composition root (src/bot.ts) builds them.
const streams = createStreamStore(db)
const award = createAward({ transact: createTransact(db), viewers: createViewerStore(db, { startingPoints: () => 10 }), streams, events: noEvents })
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
	const outcome = await runPointsCycle({ client: timedClient, award: timedAward, stream, log, cycleSeconds: 600, amount: 10 }, () => now)
	const totalMs = performance.now() - t0
	if (outcome.kind !== 'awarded' || outcome.viewers !== viewers) throw new Error(`unexpected outcome ${JSON.stringify(outcome)}`)
	return { totalMs, fetchMs, awardMs, newViewers: outcome.newViewers }
}

const first = await cycle()
const again = [await cycle(), await cycle(), await cycle()]
if (again.some((r) => r.newViewers !== 0)) throw new Error('viewers were new twice')
const mem = memoryOf('self')
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
