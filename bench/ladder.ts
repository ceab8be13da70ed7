// The "ladder": where the webhook's and the dashboard's time goes, measured over HTTP one layer at a time, with
// prototypes of the proposed changes (bench/ladder-server.ts). Not part of `npm run bench`; evidence for
// bench/README.md. Every case runs once per round, rounds interleave the cases, and the medians are printed, so
// that other work on a shared host disturbs the comparison less. "server CPU" is the server process's CPU time per
// answered request (from /proc), steadier than req/s when the host is shared.
//   bun bench/ladder.ts [seconds per run] [rounds] [plain,reload,repeat,commands,paced,dashboard]   (default 5 s, 3 rounds, all)
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { BUN, fmt, median, runLoad, sleep, startChild, tempDir, waitForQuietHost, type Child, type Load } from './lib.ts'
import { seedDashboardInstance, seedWebhookInstance } from './seed.ts'

const seconds = Number(process.argv[2] ?? 5)
const rounds = Number(process.argv[3] ?? 3)
const only = process.argv[4]?.split(',')
const part = (name: string) => !only || only.includes(name)
const TOKEN = 'bench-token'
const fake = await startChild([BUN, join(import.meta.dir, 'fake-owncast.ts'), '--token', TOKEN])
const count = async () => ((await (await fetch(`${fake.url}/count`)).json()) as { count: number }).count

let run = 0
/** Each run takes its own viewer ids (40,000 apart), so the 1/s command limit never drops a command. */
const chat = (text: string, options: { rate?: number; ids?: number } = {}): Load => ({
	kind: 'chat',
	text,
	ids: options.ids ?? 200_000,
	offset: (run++ % 5) * 40_000,
	messagePrefix: `ladder-${Date.now()}-${run}-`,
	...(options.rate ? { rate: options.rate } : {})
})
const get = (path: string) => (): Load => ({ kind: 'get', path })

type Case = { label: string; mode: string; instance: string; load: () => Load; replies?: boolean }
type Sample = { rps: number; p50: number; p99: number; cpu: number; requests: number; delivered: number; busy: number }

async function runCase(c: Case): Promise<Sample> {
	const child: Child = await startChild([BUN, join(import.meta.dir, 'ladder-server.ts'), c.mode, c.instance, fake.url])
	try {
		await runLoad(child.url, c.load(), 1, 8)
		await sleep(1200)
		const before = await count()
		const busy = await waitForQuietHost(20_000)
		const r = await runLoad(child.url, c.load(), seconds, 8, child.proc.pid)
		let delivered = 0
		if (c.replies) {
			let last = -1
			let now = await count()
			while (now !== last) {
				last = now
				await sleep(1000)
				now = await count()
			}
			delivered = now - before
		}
		return { rps: r.rps, p50: r.p50ms, p99: r.p99ms, cpu: r.serverCpuUs ?? Number.NaN, requests: r.requests, delivered, busy }
	} finally {
		await child.stop()
	}
}

async function ladder(title: string, cases: Case[]) {
	console.log(`\n${title} (median of ${rounds} rounds, ${seconds} s each, wrk -t1 -c8)`)
	const samples = cases.map(() => [] as Sample[])
	for (let round = 0; round < rounds; round++) {
		for (const [i, c] of cases.entries()) samples[i]?.push(await runCase(c))
	}
	for (const [i, c] of cases.entries()) {
		const s = samples[i] as Sample[]
		const m = (f: (x: Sample) => number) => median(s.map(f))
		const replies = c.replies
			? `  replies delivered ${fmt(s.reduce((a, x) => a + x.delivered, 0))} of ${fmt(s.reduce((a, x) => a + x.requests, 0))}`
			: ''
		const busy = Math.max(...s.map((x) => x.busy))
		console.log(
			`  ${c.label.padEnd(66)} ${fmt(m((x) => x.rps)).padStart(7)} req/s  p50 ${fmt(m((x) => x.p50), 2).padStart(5)} ms  ` +
				`p99 ${fmt(m((x) => x.p99), 2).padStart(6)} ms  server CPU ${fmt(m((x) => x.cpu)).padStart(4)} µs/req${replies}` +
				(busy > 10 ? `  [host up to ${fmt(busy)} % busy before]` : '')
		)
	}
}

const dirs: string[] = []
const hook = tempDir('ladder-webhook')
dirs.push(hook)
seedWebhookInstance(hook, 200_000)
const plain = () => chat('hello everyone')
if (part('plain')) {
	await ladder('plain CHAT webhook, layer by layer, 200,000 rotating viewers', [
		{ label: 'bare Bun.serve: request.text(), 204', mode: 'bare', instance: hook, load: plain },
		{ label: '+ body read as readCappedText does (getReader loop)', mode: 'reader', instance: hook, load: plain },
		{ label: '+ Elysia, onRequest security headers, route, custom parser', mode: 'elysia', instance: hook, load: plain },
		{ label: '+ JSON.parse + valibot envelope and CHAT schemas', mode: 'json', instance: hook, load: plain },
		{ label: 'real createApp, touchViewer a no-op (all but the SQLite write)', mode: 'nodb', instance: hook, load: plain },
		{ label: 'real createApp', mode: 'tlapbot', instance: hook, load: plain },
		{ label: 'real createApp + serve\'s config reloader (what serve runs)', mode: 'tlapbot+reloader', instance: hook, load: plain },
		{ label: 'PROTOTYPE body via arrayBuffer() when Content-Length is known', mode: 'tlapbot+fastbody', instance: hook, load: plain },
		{ label: 'PROTOTYPE no activeCategories() read per message (lazy)', mode: 'tlapbot+cats', instance: hook, load: plain },
		{ label: 'PROTOTYPE both', mode: 'tlapbot+fastbody+cats', instance: hook, load: plain }
	])
}
if (part('reload')) {
	await ladder('plain CHAT, serve\'s config reloader on and off, 200,000 rotating viewers', [
		{ label: 'real createApp', mode: 'tlapbot', instance: hook, load: plain },
		{ label: 'real createApp + serve\'s config reloader (fs.watch on the instance folder)', mode: 'tlapbot+reloader', instance: hook, load: plain }
	])
}
if (part('repeat')) {
	const repeat = () => chat('hello everyone', { ids: 1000 })
	await ladder('plain CHAT from 1,000 repeat chatters', [
		{ label: 'real createApp', mode: 'tlapbot', instance: hook, load: repeat },
		{ label: 'PROTOTYPE touchViewer writes only when something changed', mode: 'skip-touch', instance: hook, load: repeat },
		{ label: 'PROTOTYPE skip-touch + body via arrayBuffer() + lazy categories', mode: 'skip-touch+fastbody+cats', instance: hook, load: repeat }
	])
}
if (part('commands')) {
	const points = () => chat('!points')
	const hydrate = () => chat('!hydrate')
	await ladder('commands, as fast as the bot answers, 200,000 rotating viewers', [
		{ label: '!points, real createApp', mode: 'tlapbot', instance: hook, load: points, replies: true },
		{ label: '!points, PROTOTYPE sender concurrency 16, 20,000 waiting', mode: 'tlapbot+sender', instance: hook, load: points, replies: true },
		{ label: '!hydrate, real createApp', mode: 'tlapbot', instance: hook, load: hydrate, replies: true },
		{ label: '!hydrate, PROTOTYPE sender concurrency 16, 20,000 waiting', mode: 'tlapbot+sender', instance: hook, load: hydrate, replies: true }
	])
}
if (part('paced')) {
	const paced = () => chat('!points', { rate: 3000 })
	await ladder('!points paced at 3,000 req/s, 200,000 rotating viewers', [
		{ label: 'real createApp (concurrency 4, 500 waiting)', mode: 'tlapbot', instance: hook, load: paced, replies: true },
		{ label: 'PROTOTYPE sender concurrency 16 (500 waiting)', mode: 'tlapbot+c16', instance: hook, load: paced, replies: true },
		{ label: 'PROTOTYPE sender 20,000 waiting (concurrency 4)', mode: 'tlapbot+q20k', instance: hook, load: paced, replies: true },
		{ label: 'PROTOTYPE sender concurrency 16, 20,000 waiting', mode: 'tlapbot+sender', instance: hook, load: paced, replies: true }
	])
}
if (part('dashboard')) {
	for (const queued of [1000, 10_000]) {
		// Separate databases: the prototypes add an index, which must not speed up the "as is" runs.
		const dir = tempDir('ladder-dashboard')
		seedDashboardInstance(dir, queued)
		const protoDir = tempDir('ladder-dashboard-proto')
		seedDashboardInstance(protoDir, queued)
		dirs.push(dir, protoDir)
		const cases: Case[] = [
			{ label: 'GET /dashboard as is', mode: 'dashboard', instance: dir, load: get('/dashboard') },
			{ label: 'PROTOTYPE Map lookup, only the tab\'s queries, one render, queue index', mode: 'dash-proto', instance: protoDir, load: get('/dashboard') },
			{ label: 'PROTOTYPE + page cache while the database is unchanged', mode: 'dash-cache', instance: protoDir, load: get('/dashboard') }
		]
		if (queued === 10_000) {
			cases.push(
				{ label: 'GET /dashboard?tab=queue as is', mode: 'dashboard', instance: dir, load: get('/dashboard?tab=queue') },
				{ label: '?tab=queue PROTOTYPE (as above)', mode: 'dash-proto', instance: protoDir, load: get('/dashboard?tab=queue') }
			)
		}
		await ladder(`GET /dashboard, ${fmt(queued)} queued, 100 counters, 100 milestones`, cases)
	}
}
await fake.stop()
for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
