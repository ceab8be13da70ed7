// One points-cycle measurement, run by run.ts in a fresh process per size so that the peak RSS is per size.
//   bun bench/cycle.ts <owncast url> <token> <viewers>
// The fake Owncast must already list <viewers> clients. Runs runPointsCycle (GET /api/status, GET
// /api/integrations/clients, PointsRepo.awardPoints) against an on-disk database: once with every viewer new,
// then 3 times with every viewer known. Prints one JSON line.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../src/db/database.ts'
import { createLogger } from '../src/log.ts'
import { createOwncastClient } from '../src/modules/owncast/client.ts'
import { runPointsCycle } from '../src/modules/points/cycle.ts'
import { createPointsRepo } from '../src/modules/points/repo.ts'
import { median, memoryOf, tempDir } from './lib.ts'

const [url, token, viewersText] = process.argv.slice(2) as [string, string, string]
const viewers = Number(viewersText)
const dir = tempDir('cycle')
const db = openDatabase(join(dir, 'tlapbot.sqlite'))
const points = createPointsRepo(db, { startingPoints: 10 })
const client = createOwncastClient({ baseUrl: url, accessToken: token, timeoutMs: 60_000 })
const log = createLogger('warn')

let fetchMs = 0
let awardMs = 0
const timedClient = {
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
const timedRepo = {
	setState: points.setState,
	awardPoints: (...args: Parameters<typeof points.awardPoints>) => {
		const t0 = performance.now()
		const r = points.awardPoints(...args)
		awardMs += performance.now() - t0
		return r
	}
}

const baselineRssMb = memoryOf('self').rssMb
let now = Date.now()
async function cycle() {
	fetchMs = 0
	awardMs = 0
	now += 600_000
	const t0 = performance.now()
	const outcome = await runPointsCycle({ client: timedClient, repo: timedRepo, log, cycleSeconds: 600, amount: 10 }, () => now)
	const totalMs = performance.now() - t0
	if (outcome.kind !== 'awarded' || outcome.viewers !== viewers) throw new Error(`unexpected outcome ${JSON.stringify(outcome)}`)
	return { totalMs, fetchMs, awardMs, newViewers: outcome.newViewers }
}

const first = await cycle()
const again = [await cycle(), await cycle(), await cycle()]
if (again.some((r) => r.newViewers !== 0)) throw new Error('viewers were new twice')
const ledger = (db.query('SELECT count(*) AS n FROM ledger').get() as { n: number }).n
const mem = memoryOf('self')
db.close()
rmSync(dir, { recursive: true, force: true })
console.log(
	JSON.stringify({
		viewers,
		ledger,
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
