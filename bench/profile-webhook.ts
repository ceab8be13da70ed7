// Where a webhook's time goes, stage by stage, in-process (not part of `npm run bench`; evidence for bench/README.md).
//   bun bench/profile-webhook.ts [dir]     (dir: where the database lives; default a temp dir on the root disk)
// Each line: microseconds per operation, median of 5 batches.
import { rmSync } from 'node:fs'
import { createApp } from '../src/app.ts'
import { ensureInstance } from '../src/config/instance.ts'
import { loadConfig, loadRedeems } from '../src/config/load.ts'
import { openDatabase } from '../src/db/database.ts'
import { createDeps } from '../src/deps.ts'
import { createLogger } from '../src/log.ts'
import { createWebhookHandler } from '../src/modules/owncast/webhook.ts'
import { fmt, median, sampleChatBody, tempDir } from './lib.ts'
import { seedWebhookInstance } from './seed.ts'

const dir = process.argv[2] ?? tempDir('profile-webhook')
const removeDir = process.argv[2] === undefined
const VIEWERS = 200_000
seedWebhookInstance(dir, VIEWERS)
ensureInstance(dir)
const { config } = loadConfig(dir, {
	TLAPBOT_OWNCAST_URL: 'http://127.0.0.1:9',
	TLAPBOT_OWNCAST_ACCESS_TOKEN: 'x',
	TLAPBOT_LOG_LEVEL: 'error',
	TLAPBOT_BACKUP_KEEP: '0'
})
const { redeems } = loadRedeems(dir)
const db = openDatabase(config.databasePath)
const deps = createDeps({ config, redeems, db, log: createLogger('error') })
// Replies are not the subject here: count them instead of sending them.
let replies = 0
deps.chat.send = () => void replies++
const app = createApp(deps)
const handler = createWebhookHandler(deps)

let uid = 0
let mid = 0
const body = (text: string) => sampleChatBody(text, uid++ % VIEWERS, `p-${mid++}`)

async function measure(label: string, op: () => unknown, n = 5000) {
	const perOp: number[] = []
	for (let batch = 0; batch < 6; batch++) {
		const t0 = performance.now()
		for (let i = 0; i < n; i++) {
			const r = op()
			if (r instanceof Promise) await r
		}
		if (batch > 0) perOp.push(((performance.now() - t0) * 1000) / n)
	}
	console.log(`${label.padEnd(72)} ${fmt(median(perOp), 1).padStart(7)} µs/op`)
}

const now = () => new Date().toISOString()
const begin = db.query('BEGIN IMMEDIATE')
const commit = db.query('COMMIT')
const touchUpdate = db.query('UPDATE viewers SET display_name = $name, is_moderator = 0, seen_at = $now WHERE id = $id')

console.log(`database: ${config.databasePath} (${VIEWERS} viewers)`)
await measure('empty IMMEDIATE transaction (BEGIN IMMEDIATE; COMMIT)', () => {
	begin.run()
	commit.run()
})
await measure('one UPDATE viewers … seen_at, in autocommit', () => {
	const id = String(uid++ % VIEWERS)
	touchUpdate.run({ id, name: `Viewer ${id}`, now: now() })
})
await measure('PointsRepo.touchViewer (known viewer)', () => {
	const id = String(uid++ % VIEWERS)
	deps.points.touchViewer({ id, displayName: `Viewer ${id}` }, Date.now())
})
await measure('JSON.parse of the CHAT body (~0.9 KB)', () => JSON.parse(body('hello everyone')))
await measure('processWebhook, plain CHAT (parse, validate, touchViewer)', () => handler({ rawBody: body('hello everyone') }))
await measure('processWebhook, !points (… + rate limit, balance, reply text)', () => handler({ rawBody: body('!points') }))
await measure('processWebhook, !hydrate (… + spendOnQueue transaction)', () => handler({ rawBody: body('!hydrate') }))
const request = (text: string) =>
	new Request('http://127.0.0.1/owncastWebhook', { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(text) })
await measure('app.handle(Request), plain CHAT (Elysia + readCappedText + processWebhook)', async () => {
	const res = await app.handle(request('hello everyone'))
	if (res.status !== 204) throw new Error(String(res.status))
})
await measure('app.handle(Request) GET /healthz (Elysia floor + onRequest hook)', () =>
	app.handle(new Request('http://127.0.0.1/healthz'))
)
await measure('new Request(…body…).text() (how Bun.serve hands a body over)', () => request('hello everyone').text())
await measure('readCappedText-style: request.body.getReader() loop + Buffer.concat', async () => {
	const reader = (request('hello everyone').body as ReadableStream<Uint8Array>).getReader()
	const chunks: Uint8Array[] = []
	for (;;) {
		const { done, value } = await reader.read()
		if (done) break
		chunks.push(value)
	}
	return new TextDecoder().decode(Buffer.concat(chunks))
})
{
	// The spread of single writes: WAL auto-checkpoints (every 1,000 pages) fsync the WAL and the database file.
	const times: number[] = []
	for (let i = 0; i < 20_000; i++) {
		const id = String(uid++ % VIEWERS)
		const t0 = performance.now()
		deps.points.touchViewer({ id, displayName: `Viewer ${id}` }, Date.now())
		times.push(performance.now() - t0)
	}
	times.sort((a, b) => a - b)
	const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] as number
	const slow = times.filter((t) => t > 2).length
	console.log(
		`touchViewer, 20,000 single calls: p50 ${fmt(at(0.5) * 1000)} µs, p99 ${fmt(at(0.99) * 1000)} µs, p99.9 ${fmt(at(0.999) * 1000)} µs, ` +
			`max ${fmt(at(1), 1)} ms; ${slow} calls over 2 ms taking ${fmt(times.filter((t) => t > 2).reduce((a, b) => a + b, 0), 0)} ms in all`
	)
}
{
	// The limits guard runs PointsRepo.usage() inside every redeem's transaction, limits or not. One of its queries
	// counts the redeem's uses "this stream" (all uses ever, before the first stream): it grows with every use.
	const hydrates = (db.query("SELECT count(*) AS n FROM ledger WHERE redeem = 'hydrate'").get() as { n: number }).n
	// usage(redeem, viewer) at commit e577387; later versions take the redeem's limits as a third argument and skip
	// the queries no limit needs: called loosely so this script runs against both. The limits passed here need the
	// per-stream count; without limits, newer versions skip it.
	const usage = deps.points.usage as unknown as (redeem: string, viewer: string, limits?: Record<string, number>) => unknown
	const perStream = { maxPerStream: 1_000_000 }
	await measure(`PointsRepo.usage('hydrate', viewer) with ${fmt(hydrates)} earlier uses in the ledger`, () => usage('hydrate', '5', perStream), 500)
	await measure("PointsRepo.usage('react', viewer), a redeem never used", () => usage('react', '5', perStream), 500)
	await measure("PointsRepo.usage('hydrate', viewer, no limits) (versions that skip unneeded queries)", () => usage('hydrate', '5', {}), 500)
	const count = db.query("SELECT count(*) AS n FROM ledger WHERE redeem = 'hydrate' AND reason IN ('redeem', 'donation') AND created_at >= ''")
	await measure('count(*) alone of the hydrate uses since the stream started (here: all of them)', () => count.get(), 500)
}
console.log(`(${replies} replies generated)`)
db.close()
if (removeDir) rmSync(dir, { recursive: true, force: true })
