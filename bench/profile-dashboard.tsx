/** @jsxImportSource @kitajs/html */
// Where GET /dashboard's time goes, in-process (not part of `npm run bench`; evidence for bench/README.md).
//   bun bench/profile-dashboard.ts [queued]     (default 1000)
// Each line: microseconds per call, median of 5 batches. The lines marked "prototype" measure a proposed change
// written here in bench/, not in src/.
import { rmSync } from 'node:fs'
import { DashboardContent, DashboardPage } from '../templates/dashboard.tsx'
import { createApp } from '../src/app.ts'
import { ensureInstance } from '../src/config/instance.ts'
import { loadConfig, loadRedeems } from '../src/config/load.ts'
import { openDatabase } from '../src/db/database.ts'
import { createDeps } from '../src/deps.ts'
import { createLogger } from '../src/log.ts'
import { createDashboardRepo } from '../src/modules/dashboard/repo.ts'
import { buildDashboard, type DashboardSources } from '../src/modules/dashboard/service.ts'
import { isRedeemActive } from '../src/modules/redeems/model.ts'
import { fmt, median, tempDir } from './lib.ts'
import { seedDashboardInstance } from './seed.ts'

const queued = Number(process.argv[2] ?? 1000)
const dir = tempDir('profile-dashboard')
seedDashboardInstance(dir, queued)
ensureInstance(dir)
const { config } = loadConfig(dir, { TLAPBOT_LOG_LEVEL: 'error', TLAPBOT_BACKUP_KEEP: '0' })
const { redeems } = loadRedeems(dir)
const db = openDatabase(config.databasePath)
const deps = createDeps({ config, redeems, db, log: createLogger('error') })
const app = createApp(deps)
const repo = createDashboardRepo(db)
const sources: DashboardSources = {
	repo,
	counters: deps.redeemsRepo.counters,
	milestones: deps.redeemsRepo.milestones,
	redeems,
	activeCategories: deps.activeCategories(),
	pausedRedeems: deps.moderation.pausedRedeems,
	passive: false,
	prefix: '!'
}

async function measure(label: string, op: () => unknown, n = 300) {
	const perOp: number[] = []
	for (let batch = 0; batch < 6; batch++) {
		const t0 = performance.now()
		for (let i = 0; i < n; i++) {
			const r = op()
			if (r instanceof Promise) await r
		}
		if (batch > 0) perOp.push(((performance.now() - t0) * 1000) / n)
	}
	const us = median(perOp)
	console.log(`${label.padEnd(78)} ${fmt(us, 1).padStart(8)} µs`)
	return us
}

console.log(`${queued} queued, ${redeems.length} redeems (100 counters, 100 milestones)`)
for (const sql of [
	'SELECT r.id FROM redemptions r JOIN viewers v ON v.id = r.viewer_id WHERE r.cleared_at IS NULL ORDER BY r.created_at DESC, r.id DESC LIMIT 20',
	"SELECT r.id FROM redemptions r JOIN viewers v ON v.id = r.viewer_id WHERE r.cleared_at IS NULL ORDER BY r.status != 'pending', r.created_at, r.id LIMIT 100 OFFSET 0",
	'SELECT count(*) FROM redemptions WHERE cleared_at IS NULL'
]) {
	const plan = db.query(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]
	console.log(`plan: ${sql.slice(0, 60)}… → ${plan.map((p) => p.detail).join('; ')}`)
}
await measure('whole request: app.handle(GET /dashboard)', async () => {
	const res = await app.handle(new Request('http://127.0.0.1/dashboard'))
	await res.text()
})
await measure('buildDashboard (all queries + filters)', () => buildDashboard(sources, { page: 1 }))
await measure('  repo.queueSize()', () => repo.queueSize())
await measure('  repo.recent(20)', () => repo.recent(20))
await measure('  repo.queuePage(100, 0) (not shown on the dashboard tab)', () => repo.queuePage(100, 0))
await measure('  redeemsRepo.counters()', () => deps.redeemsRepo.counters())
await measure('  redeemsRepo.milestones()', () => deps.redeemsRepo.milestones())
await measure('  counters+milestones .filter(active) with findRedeem (linear, toLowerCase)', () => {
	const active = (name: string) => {
		const wanted = name.toLowerCase()
		const r = redeems.find((x) => x.name.toLowerCase() === wanted)
		return r ? isRedeemActive(r, sources.activeCategories) : false
	}
	const c = deps.redeemsRepo.counters().filter((x) => active(x.name))
	const m = deps.redeemsRepo.milestones().filter((x) => active(x.name))
	return c.length + m.length
})
await measure('  prototype: the same filter with a Map built once per request', () => {
	const byName = new Map(redeems.map((r) => [r.name.toLowerCase(), r]))
	const active = (name: string) => {
		const r = byName.get(name.toLowerCase())
		return r ? isRedeemActive(r, sources.activeCategories) : false
	}
	const c = deps.redeemsRepo.counters().filter((x) => active(x.name))
	const m = deps.redeemsRepo.milestones().filter((x) => active(x.name))
	return c.length + m.length
})
// Prototype: an index in the queue's order (pending first, then oldest), so a page needs no sort of the whole queue.
db.run("CREATE INDEX bench_redemptions_queue_order ON redemptions (cleared_at, status != 'pending', created_at, id)")
const plan = db.query(
	"EXPLAIN QUERY PLAN SELECT r.id FROM redemptions r JOIN viewers v ON v.id = r.viewer_id WHERE r.cleared_at IS NULL ORDER BY r.status != 'pending', r.created_at, r.id LIMIT 100 OFFSET 0"
).all() as { detail: string }[]
console.log(`plan with the prototype index: ${plan.map((p) => p.detail).join('; ')}`)
const repo2 = createDashboardRepo(db)
await measure('  prototype: repo.queuePage(100, 0) with an index in queue order', () => repo2.queuePage(100, 0))
await measure('  prototype: buildDashboard with that index', () => buildDashboard({ ...sources, repo: repo2 }, { page: 1 }))
const data = buildDashboard(sources, { page: 1 })
const links = { href: (tab: string, page?: number) => `?tab=${tab}${page && page > 1 ? `&page=${page}` : ''}` }
let content = ''
await measure('render DashboardContent (dashboard tab)', async () => {
	content = await (<DashboardContent data={data} tab="dashboard" links={links} />)
})
await measure('etag: Bun.hash(content)', () => Bun.hash(content))
let page = ''
await measure('render DashboardPage (renders DashboardContent a second time)', async () => {
	page = await (<DashboardPage data={data} tab="dashboard" links={links} />)
})
await measure('page.replace(…data-etag…)', () => page.replace('<main id="content"', '<main id="content" data-etag="x"'))
console.log(`page ${fmt(page.length / 1024, 1)} KB, content ${fmt(content.length / 1024, 1)} KB`)
db.close()
rmSync(dir, { recursive: true, force: true })
