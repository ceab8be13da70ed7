// The tlapbot benchmarks: `npm run bench` (bun bench/run.ts). Not part of the tests.
// Measures, in one run on this machine, and prints one table (bench/README.md says what each number means):
//   1. webhook throughput and latency (plain CHAT, !points, a list redeem) against a real `serve` on loopback with a
//      fake Owncast in its own process, beside a bare Bun.serve (bench/bare.ts), with wrk -t1 -c8 when installed
//      (else bench/loadgen.ts);
//      Then (part "page") the same list redeem bought from the dashboard's store API instead of chat: 50 viewers
//      sign in (POST /api/store/signin, a `!link CODE` CHAT webhook, POST /api/store/signin/collect), then
//      POST /api/store/redeem with their sessions in turn and a unique Idempotency-Key each; and how long a sign-in
//      takes from the `!link` webhook until the page, polling every 50 ms, has its session;
//      Then (part "events") the event stream: the `!hydrate` load with and without 100 SSE clients on /api/events
//      (bench/sse-clients.ts, its own process), how long an event takes from the webhook's 204 to the clients
//      (idle and under that load), and from the webhook to an alert on /overlay/alerts in Chromium;
//   2. GET /dashboard with 1,000 and 10,000 queue entries, 100 counters and 100 milestones;
//   3. the points cycle for 1,000, 10,000 and 100,000 connected viewers: time and peak RSS (bench/cycle.ts);
//   4. the compiled binary's cold start (until /healthz answers) and idle RSS.
// Options: --quick (3 s load runs, to try the bench out; not for figures), --write (also puts the table into
//          bench/README.md, between its "bench results" markers),
//          --only=webhook,page,events,dashboard,cycle,stall,binary or --only page (a subset; with --write, its rows replace or
//          join the rows already in the table, each stamped with the date and code it was measured at),
//          --max-wait=S (before each run, wait up to S seconds, default 15, for other work on the host to calm down;
//          0 to never wait).
import { Database } from 'bun:sqlite'
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import {
	BUN,
	fmt,
	freePort,
	launchChromium,
	median,
	memoryOf,
	quantile,
	ROOT,
	runLoad,
	sampleChatBody,
	sleep,
	startChild,
	startJsonLineChild,
	table,
	tempDir,
	waitForQuietHost,
	wrkAvailable,
	type Child,
	type Load,
	type LoadResult
} from './lib.ts'
import { chatEvent } from '../test/support/payloads.ts'
import { seedDashboardInstance, seedWebhookInstance } from './seed.ts'

const quick = process.argv.includes('--quick')
const write = process.argv.includes('--write')
/** --only=a,b or --only a,b: the parts to run (all when not given). */
const onlyAt = process.argv.indexOf('--only')
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice(7) ?? (onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '') : undefined)
const only = onlyArg?.split(',').filter((part) => part !== '')
const PARTS = ['webhook', 'page', 'events', 'dashboard', 'cycle', 'stall', 'binary']
const unknownParts = only?.filter((part) => !PARTS.includes(part)) ?? []
if (only && (only.length === 0 || unknownParts.length)) {
	console.error(`--only: expected some of ${PARTS.join(', ')}${unknownParts.length ? `, not ${unknownParts.join(', ')}` : ''}`)
	process.exit(2)
}
const runs = (part: string) => !only || only.includes(part)
const MAX_WAIT_MS = Number(process.argv.find((a) => a.startsWith('--max-wait='))?.slice(11) ?? 15) * 1000

const LOAD_SECONDS = quick ? 3 : 10
const WARMUP_SECONDS = quick ? 1 : 2
const CONNECTIONS = 8
const VIEWER_IDS = 200_000
const TOKEN = 'bench-token'
/** Other work on the host above this (in % of all CPUs, just before a run) is flagged next to the figure. */
const BUSY_FLAG = 10
const RESULTS_START = '<!-- bench results: start (npm run bench -- --write replaces this part) -->'
const RESULTS_END = '<!-- bench results: end -->'

const startedAt = performance.now()
const log = (message: string) => console.error(`[bench ${((performance.now() - startedAt) / 1000).toFixed(0).padStart(3)} s] ${message}`)

// ---------------------------------------------------------------------------------------------------------------
// The machine and the code measured

const cpuModel = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown'
const nproc = cpus().length
const dateUtc = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')
const wrkVersion = wrkAvailable()
	? `${Bun.spawnSync(['wrk', '--version']).stdout}${Bun.spawnSync(['wrk', '--version']).stderr}`.split('\n')[0]?.trim()
	: undefined
const loadTool = wrkVersion
	? `${wrkVersion.replace(/ \[.*$/, '').replace(/ Copyright.*$/, '')} -t1 -c${CONNECTIONS}`
	: `bench/loadgen.ts (Bun fetch, keep-alive, ${CONNECTIONS} concurrent; install wrk for better figures)`
// Read-only git queries (GIT_OPTIONAL_LOCKS=0: not even the index is refreshed).
const git = (...args: string[]) =>
	Bun.spawnSync(['git', ...args], { cwd: ROOT, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } }).stdout.toString().trim()
const commit = git('rev-parse', '--short', 'HEAD') || 'unknown'
const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'src', 'templates', 'scripts') !== ''
const codeLabel = `${commit}${dirty ? ' with uncommitted changes in src/templates/scripts' : ''}`

/** after: the row this one follows when --only --write puts it into a table that does not have it yet. */
type Row = { what: string; result: string; target: string; met?: boolean; after?: string }
const rows: Row[] = []
const findings: string[] = []
const busyBefore: number[] = []
const children: Child[] = []

async function stopAll() {
	for (const child of children.splice(0)) await child.stop()
}
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)))

/** How busy the host is with other work, after waiting (up to --max-wait) for it to calm down; recorded. */
async function quietHost(): Promise<number> {
	const busy = await waitForQuietHost(MAX_WAIT_MS, BUSY_FLAG)
	busyBefore.push(busy)
	return busy
}

/** One measured load: waits for a quiet host (up to --max-wait) and notes how busy it was, then runs the load. */
async function measure(server: Child, load: Load, seconds = LOAD_SECONDS): Promise<LoadResult & { busy: number }> {
	const busy = await quietHost()
	const result = await runLoad(server.url, load, seconds, CONNECTIONS, server.proc.pid)
	return { ...result, busy }
}

function loadCell(r: LoadResult & { busy?: number }): string {
	const busy = r.busy !== undefined && r.busy > BUSY_FLAG ? ` [host ${fmt(r.busy)} % busy with other work before]` : ''
	const cpu = r.serverCpuUs !== undefined ? `, server CPU ${fmt(r.serverCpuUs)} µs/req` : ''
	return `${fmt(r.rps)} req/s, p50 ${fmt(r.p50ms, 2)} ms, p99 ${fmt(r.p99ms, 2)} ms${cpu}${r.errors ? `, ${fmt(r.errors)} errors` : ''}${busy}`
}

async function chatCount(fake: Child): Promise<number> {
	return ((await (await fetch(`${fake.url}/count`)).json()) as { count: number }).count
}

/** Waits until the fake Owncast's delivered count reaches want, or stops growing for 5 s, or 60 s pass. */
async function waitForDeliveries(fake: Child, want: number): Promise<{ count: number; waitedMs: number }> {
	const t0 = performance.now()
	let count = await chatCount(fake)
	let lastChange = performance.now()
	while (count < want && performance.now() - t0 < 60_000 && performance.now() - lastChange < 5000) {
		await sleep(20)
		const next = await chatCount(fake)
		if (next !== count) {
			count = next
			lastChange = performance.now()
		}
	}
	return { count, waitedMs: (count >= want ? performance.now() : lastChange) - t0 }
}

/** Waits until the delivered count has not changed for quietMs (replies of a warm-up are all in). */
async function waitQuiet(fake: Child, quietMs = 500): Promise<number> {
	let count = await chatCount(fake)
	let since = performance.now()
	for (;;) {
		await sleep(50)
		const next = await chatCount(fake)
		if (next !== count) {
			count = next
			since = performance.now()
		} else if (performance.now() - since >= quietMs) return count
	}
}

/**
 * Starts `bun src/main.ts serve` on a fresh instance. At log_level warn serve does not print its "listening on"
 * line (that is info), so the bench picks a free port itself and waits for /healthz.
 */
async function startServe(instance: string, fake: Child, cycleSeconds = 86_400): Promise<Child> {
	const port = freePort()
	const child = await startChild([BUN, 'src/main.ts', 'serve', '--instance', instance, '--port', String(port)], {
		env: {
			TLAPBOT_OWNCAST_URL: fake.url,
			TLAPBOT_OWNCAST_ACCESS_TOKEN: TOKEN,
			TLAPBOT_LOG_LEVEL: 'warn',
			// A cycle a day by default: the points timer never runs during the load.
			TLAPBOT_POINTS_CYCLE_TIME: String(cycleSeconds),
			TLAPBOT_BACKUP_KEEP: '0'
		},
		healthUrl: `http://127.0.0.1:${port}/healthz`
	})
	children.push(child)
	return child
}

async function stopChild(child: Child) {
	await child.stop()
	children.splice(children.indexOf(child), 1)
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Webhooks

type ChatLoad = Extract<Load, { kind: 'chat' }>

const chat = (text: string, name: string, offset = 0): ChatLoad => ({
	kind: 'chat',
	text,
	ids: VIEWER_IDS,
	offset,
	messagePrefix: `${name}-${Date.now().toString(36)}-`
})
// Warm-ups use viewer ids 150,000 on, far from the measured runs', so the 1/s rate limit drops no measured command.
const warm = (url: string, text: string, name: string) => runLoad(url, chat(text, `warm-${name}`, 150_000), WARMUP_SECONDS, CONNECTIONS)

const BARE_ROW = 'bare Bun.serve: read the body, answer 204 (the floor)'
const HYDRATE_ROW = 'webhook: `!hydrate` (list redeem), saturating, 200,000 rotating viewers'
let bareFloor: (LoadResult & { busy: number }) | undefined

/** The bare Bun.serve floor (bench/bare.ts), measured once per run with the CHAT bodies of the webhook rows. */
async function benchBare(): Promise<LoadResult & { busy: number }> {
	if (bareFloor) return bareFloor
	log('bare Bun.serve floor (bench/bare.ts)')
	const bare = await startChild([BUN, join(import.meta.dir, 'bare.ts')])
	children.push(bare)
	await warm(bare.url, 'hello everyone', 'bare')
	bareFloor = await measure(bare, chat('hello everyone', 'bare'))
	await stopChild(bare)
	return bareFloor
}

/** "= N % of bare", and the floor itself when the table of this run does not show it (--only without webhook). */
function ofBare(rps: number, bare: LoadResult): string {
	return ` = ${fmt((rps / bare.rps) * 100)} % of bare${runs('webhook') ? '' : ` (the floor: ${fmt(bare.rps)} req/s in this run)`}`
}

async function benchWebhooks(fake: Child): Promise<LoadResult> {
	const bareResult = await benchBare()
	rows.push({ what: BARE_ROW, result: loadCell(bareResult), target: '—' })

	log(`webhook: seeding ${fmt(VIEWER_IDS)} known viewers`)
	const instance = tempDir('webhook')
	seedWebhookInstance(instance, VIEWER_IDS)
	const bot = await startServe(instance, fake)
	// The body template must be something the bot accepts.
	const probe = await fetch(`${bot.url}/owncastWebhook`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: sampleChatBody('hello', 1, `probe-${Date.now()}`)
	})
	if (probe.status !== 204) throw new Error(`the bot refused the CHAT template: ${probe.status} ${await probe.text()}`)

	log('webhook: plain CHAT')
	await warm(bot.url, 'hello everyone', 'plain')
	const plain = await measure(bot, chat('hello everyone', 'plain'))
	const ratio = plain.rps / bareResult.rps
	rows.push({
		what: 'webhook: plain CHAT message, 200,000 rotating known viewers',
		result: `${loadCell(plain)} = ${fmt(ratio * 100)} % of bare`,
		target: '≤ 40 µs server CPU per message',
		met: plain.serverCpuUs !== undefined && plain.serverCpuUs <= 40
	})
	if (plain.serverCpuUs !== undefined && plain.serverCpuUs > 40) findings.push(`plain CHAT: ${fmt(plain.serverCpuUs)} µs of server CPU per message (target ≤ 40)`)
	log('webhook: plain CHAT from new viewers')
	// Viewer ids from 10,000,000 on: never seen, so each message is a new viewer (starting points, a ledger row).
	const fresh = await measure(bot, { ...chat('hello everyone', 'plain-new', 10_000_000), ids: 20_000_000 })
	rows.push({
		what: 'webhook: plain CHAT message from a new viewer each time',
		result: `${loadCell(fresh)} = ${fmt((fresh.rps / bareResult.rps) * 100)} % of bare`,
		target: '—'
	})

	/** Runs a command load, then waits for its replies to reach the fake Owncast; one table row. */
	async function commandRun(load: ChatLoad, label: string, target: string, met: (r: LoadResult, all: boolean) => boolean) {
		const before = await waitQuiet(fake)
		const result = await measure(bot, load)
		const { count, waitedMs } = await waitForDeliveries(fake, before + result.requests)
		const delivered = count - before
		const all = delivered >= result.requests
		const rss = memoryOf(bot.proc.pid).rssMb
		rows.push({
			what: label,
			result:
				`${loadCell(result)}${load.rate ? '' : ofBare(result.rps, bareResult)}; replies delivered: ${fmt(delivered)} of ${fmt(result.requests)} ` +
				`(${all ? 'all' : `${fmt(result.requests - delivered)} lost`}; the last ${fmt(waitedMs)} ms after the load ended); bot RSS ${fmt(rss)} MB`,
			target,
			met: met(result, all)
		})
		if (!all) findings.push(`${label}: ${fmt(result.requests - delivered)} of ${fmt(result.requests)} replies never reached the fake Owncast`)
	}

	log('webhook: !points, as fast as the bot answers')
	await warm(bot.url, '!points', 'points')
	await commandRun(chat('!points', 'points'), 'webhook: `!points`, saturating, 200,000 rotating viewers', '≥ 3,000 req/s', (r) => r.rps >= 3000)
	log('webhook: !points paced at 3,000 req/s')
	// Viewer ids 100,000 on: none was used in the last second, so the 1/s limit drops nothing.
	await commandRun(
		{ ...chat('!points', 'points-paced', 100_000), rate: 3000 },
		'webhook: `!points` paced at 3,000 req/s, 200,000 rotating viewers',
		'3,000 req/s with every reply delivered',
		(r, all) => r.rps >= 2970 && all
	)
	log('webhook: !hydrate (list redeem), as fast as the bot answers')
	await warm(bot.url, '!hydrate', 'hydrate')
	await commandRun(
		chat('!hydrate', 'hydrate'),
		HYDRATE_ROW,
		'every reply delivered',
		(_r, all) => all
	)
	if (/not keeping up/.test(bot.output())) {
		findings.push('serve logged "Owncast is not keeping up": its chat reply queue overflowed and dropped the oldest replies')
	}
	await stopChild(bot)
	rmSync(instance, { recursive: true, force: true })
	return bareResult
}

// ---------------------------------------------------------------------------------------------------------------
// 1b. Page redeems: the dashboard's store API instead of chat

const PAGE_VIEWERS = 50
const SIGNINS_TIMED = 20
/** How often the bench's "page" asks whether its code was typed in chat. */
const POLL_MS = 50
/** Viewer ids of the signed-in viewers: beyond the 200,000 seeded ones, so `!link` makes each a new viewer. */
const PAGE_VIEWER_ID0 = 1_000_000
const PAGE_STARTING_POINTS = 1_000_000_000
const PAGE_REDEEM = 'hydrate'
const PAGE_REDEEMS_ROW = `page redeems: POST /api/store/redeem \`${PAGE_REDEEM}\` (list redeem), saturating, ${PAGE_VIEWERS} signed-in viewers`
const PAGE_SIGNIN_ROW = `page sign-in: \`!link CODE\` webhook until the page (polling every ${POLL_MS} ms) has its session, median of ${SIGNINS_TIMED}`

type PageSignIn = { session: string; ms: number; botMs: number; waitingAfterLink: number }

/**
 * One viewer signs in the way the store page does. The page asks for a code, then asks every POLL_MS (the first
 * time at once) whether it was typed in chat; linkAfterMs after the first ask, the viewer's `!link CODE` arrives as
 * a CHAT webhook (unique message id). Each sign-in asks for its code from its own X-Forwarded-For address: the
 * bench's serve trusts 127.0.0.1 as a proxy, and each address may ask for 10 codes in 10 minutes.
 * ms: from sending the webhook until the collect that returns the session is answered. botMs: the webhook's round
 * trip plus that collect's (the rest of ms is the page's wait for its next ask). waitingAfterLink: asks sent after
 * the webhook was answered that were still told "waiting" (0 when the bot binds the code before it answers).
 */
async function pageSignIn(bot: Child, n: number, linkAfterMs: number, runId: string): Promise<PageSignIn> {
	const created = await fetch(`${bot.url}/api/store/signin`, { method: 'POST', headers: { 'x-forwarded-for': `10.77.${n >> 8}.${n & 255}` } })
	if (created.status !== 201) throw new Error(`POST /api/store/signin answered ${created.status}: ${await created.text()}`)
	const { code, claim } = (await created.json()) as { code: string; claim: string }
	const collect = async () => {
		const response = await fetch(`${bot.url}/api/store/signin/collect`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ code, claim })
		})
		return (await response.json()) as { status?: string; session?: string; error?: string }
	}
	const started = performance.now()
	let linkSent = Number.POSITIVE_INFINITY
	let linkAnswered = Number.POSITIVE_INFINITY
	let linkError: Error | undefined
	const link = (async () => {
		await sleep(linkAfterMs)
		linkSent = performance.now()
		const response = await fetch(`${bot.url}/owncastWebhook`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: sampleChatBody(`!link ${code}`, PAGE_VIEWER_ID0 + n, `page-link-${runId}-${n}`)
		})
		linkAnswered = performance.now()
		if (response.status !== 204) throw new Error(`the !link webhook answered ${response.status}: ${await response.text()}`)
	})().catch((error: Error) => {
		linkError = error
	})
	let waitingAfterLink = 0
	for (let ask = 1; ; ask++) {
		if (linkError) throw linkError
		const sentAt = performance.now()
		const state = await collect()
		const answeredAt = performance.now()
		if (state.status === 'signed_in' && state.session) {
			await link
			return { session: state.session, ms: answeredAt - linkSent, botMs: linkAnswered - linkSent + (answeredAt - sentAt), waitingAfterLink }
		}
		if (state.status !== 'waiting') throw new Error(`POST /api/store/signin/collect: ${JSON.stringify(state)}`)
		if (sentAt > linkAnswered) waitingAfterLink++
		if (answeredAt - started > 10_000) throw new Error(`no session 10 s after asking for code ${code}`)
		await sleep(Math.max(0, started + ask * POLL_MS - performance.now()))
	}
}

/** GET /api/store for each session: the sum of the viewers' balances, and the price of PAGE_REDEEM. */
async function pageBalances(bot: Child, sessions: string[]): Promise<{ total: number; price: number }> {
	let total = 0
	let price = Number.NaN
	for (const session of sessions) {
		const response = await fetch(`${bot.url}/api/store`, { headers: { authorization: `Bearer ${session}` } })
		if (response.status !== 200) throw new Error(`GET /api/store answered ${response.status}: ${await response.text()}`)
		const view = (await response.json()) as { viewer: { balance: number }; cards: { name: string; price?: number }[] }
		total += view.viewer.balance
		price = view.cards.find((c) => c.name === PAGE_REDEEM)?.price ?? Number.NaN
	}
	return { total, price }
}

async function benchPage(fake: Child) {
	const bareResult = await benchBare()
	log(`page: seeding ${fmt(VIEWER_IDS)} known viewers (the database of the webhook rows)`)
	const instance = tempDir('page')
	seedWebhookInstance(instance, VIEWER_IDS)
	// Written before serve starts, so it does not write the example config; the redeems are the defaults, as for
	// the webhook rows. No rate limit: 8 connections redeem for 50 viewers, each several times a second. The bench
	// is the reverse proxy (127.0.0.1), so each sign-in can come from its own address (see pageSignIn).
	writeFileSync(
		join(instance, 'config.toml'),
		[
			'# bench/run.ts: page redeems (owncast_url, the token, log level, points cycle and backups come from TLAPBOT_*)',
			`secret_key = "${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}"`,
			`starting_points = ${PAGE_STARTING_POINTS}`,
			'command_rate_limit = 0',
			'trusted_proxies = ["127.0.0.1"]',
			''
		].join('\n'),
		{ mode: 0o600 }
	)
	const bot = await startServe(instance, fake)
	const runId = Date.now().toString(36)

	log(`page: ${SIGNINS_TIMED} timed sign-ins, one at a time`)
	const signinBusy = await quietHost()
	const timed: PageSignIn[] = []
	// The `!link` arrives at evenly spread moments within the page's second poll interval.
	for (let i = 0; i < SIGNINS_TIMED; i++) timed.push(await pageSignIn(bot, i, POLL_MS + ((i + 0.5) * POLL_MS) / SIGNINS_TIMED, runId))
	log(`page: ${PAGE_VIEWERS - SIGNINS_TIMED} more sign-ins`)
	const rest = await Promise.all(
		Array.from({ length: PAGE_VIEWERS - SIGNINS_TIMED }, (_, i) => pageSignIn(bot, SIGNINS_TIMED + i, 0, runId))
	)
	const sessions = [...timed, ...rest].map((s) => s.session)
	const ms = timed.map((s) => s.ms)
	const waitingAfterLink = timed.reduce((sum, s) => sum + s.waitingAfterLink, 0)

	const redeemLoad = (name: string): Load => ({
		kind: 'store-redeem',
		sessions,
		body: JSON.stringify({ redeem: PAGE_REDEEM }),
		keyPrefix: `${name}-${runId}-`
	})
	const probe = await fetch(`${bot.url}/api/store/redeem`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${sessions[0]}`, 'idempotency-key': `probe-${runId}` },
		body: JSON.stringify({ redeem: PAGE_REDEEM })
	})
	const probeAnswer = (await probe.json()) as { ok?: boolean; message?: string }
	if (probe.status !== 200 || probeAnswer.ok !== true) throw new Error(`the bot refused a page redeem: ${probe.status} ${JSON.stringify(probeAnswer)}`)

	log(`page: POST /api/store/redeem ${PAGE_REDEEM}, as fast as the bot answers`)
	await runLoad(bot.url, redeemLoad('warm'), WARMUP_SECONDS, CONNECTIONS)
	const before = await waitQuiet(fake)
	const balancesBefore = await pageBalances(bot, sessions)
	const result = await measure(bot, redeemLoad('page'))
	// Redeems made, from the points spent: wrk counts only answered requests, so up to CONNECTIONS more (in flight
	// when the load stopped) may have redeemed too; each redeem is announced once.
	const redeemed = (balancesBefore.total - (await pageBalances(bot, sessions)).total) / balancesBefore.price
	const { count, waitedMs } = await waitForDeliveries(fake, before + redeemed)
	const delivered = count - before
	const rss = memoryOf(bot.proc.pid).rssMb
	const allRedeemed = redeemed >= result.requests
	const allDelivered = delivered >= redeemed
	const inFlight = redeemed > result.requests ? ` + ${fmt(redeemed - result.requests)} in flight when the load stopped` : ''
	rows.push({
		what: PAGE_REDEEMS_ROW,
		result:
			`${loadCell(result)}${ofBare(result.rps, bareResult)}; redeems (points spent): ${fmt(redeemed)} for ${fmt(result.requests)} answered requests ` +
			`(${allRedeemed ? `all${inFlight}` : `${fmt(result.requests - redeemed)} redeemed nothing`}); announcements delivered: ${fmt(delivered)} of ${fmt(redeemed)} ` +
			`(${allDelivered ? 'all' : `${fmt(redeemed - delivered)} lost`}; the last ${fmt(waitedMs)} ms after the load ended); bot RSS ${fmt(rss)} MB`,
		target: '≥ 2,000 req/s, every request redeems, every announcement delivered',
		met: result.rps >= 2000 && allRedeemed && allDelivered,
		after: HYDRATE_ROW
	})
	if (!allRedeemed) findings.push(`${PAGE_REDEEMS_ROW}: ${fmt(result.requests - redeemed)} of ${fmt(result.requests)} requests redeemed nothing`)
	if (!allDelivered) findings.push(`${PAGE_REDEEMS_ROW}: ${fmt(redeemed - delivered)} of ${fmt(redeemed)} announcements never reached the fake Owncast`)
	rows.push({
		what: PAGE_SIGNIN_ROW,
		result:
			`${fmt(median(ms), 1)} ms (min ${fmt(Math.min(...ms), 1)}, max ${fmt(Math.max(...ms), 1)}), of which the bot's part ` +
			`(the webhook's and the successful collect's round trips) median ${fmt(median(timed.map((s) => s.botMs)), 1)} ms; ` +
			`the rest is the page's wait for its next ask; asks still "waiting" after the webhook was answered: ${fmt(waitingAfterLink)}` +
			(signinBusy > BUSY_FLAG ? ` [host ${fmt(signinBusy)} % busy with other work before]` : ''),
		target: '≤ 2 s each',
		met: Math.max(...ms) <= 2000,
		after: PAGE_REDEEMS_ROW
	})
	await stopChild(bot)
	rmSync(instance, { recursive: true, force: true })
}

// ---------------------------------------------------------------------------------------------------------------
// 1c. The event stream: fan-out to SSE clients, and the overlay alert

const EVENT_CLIENTS = 100
const OVERLAY_KEY = 'bench-overlay-key-0123456789'
const PROBE_EVERY_MS = 50
/** Runs with the clients, each between two without them. */
const EVENT_PAIRS = quick ? 1 : 2
const IDLE_PROBES = 100
const ALERT_PROBES = 15
const EVENTS_ROW = `events fan-out: \`!hydrate\` saturating with ${EVENT_CLIENTS} SSE clients on /api/events, against none`
const EVENTS_LATENCY_ROW = `events fan-out latency: the webhook's 204 until the event reaches each of ${EVENT_CLIENTS} SSE clients`
const ALERT_ROW = `overlay alert: the webhook's 204 until /overlay/alerts shows the alert in Chromium, median of ${ALERT_PROBES}`
const ADMIN_PROBES = 10
const ADMIN_PASSWORD = 'bench-admin-password'
const ADMIN_ROW = `admin live queue: the webhook's 204 until the open /admin page (filtered to the probe viewers) shows the redemption in Chromium, without a reload, median of ${ADMIN_PROBES}`

/** One `!hydrate` by a new viewer named probe-<n> (starting points pay for it): when it was sent and answered. */
async function probe(bot: Child, name: string): Promise<{ name: string; sentAt: number; answeredAt: number }> {
	const now = () => performance.timeOrigin + performance.now()
	const sentAt = now()
	const response = await fetch(`${bot.url}/owncastWebhook`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'user-agent': 'Go-http-client/1.1' },
		body: JSON.stringify(chatEvent({ id: name, displayName: name }, '!hydrate', 'v0.3', { id: `${name}-message` }))
	})
	const answeredAt = now()
	if (response.status !== 204) throw new Error(`probe ${name}: the webhook answered ${response.status}: ${await response.text()}`)
	return { name, sentAt, answeredAt }
}

/** Arrival minus answer (and minus sending) for every probe at every client; how many arrivals are missing. */
function probeLatencies(sent: Awaited<ReturnType<typeof probe>>[], arrivals: Record<string, number[]>) {
	const fromAnswer: number[] = []
	const fromSend: number[] = []
	let missing = 0
	for (const p of sent) {
		const times = arrivals[p.name] ?? []
		missing += EVENT_CLIENTS - times.length
		for (const t of times) {
			fromAnswer.push(t - p.answeredAt)
			fromSend.push(t - p.sentAt)
		}
	}
	return { fromAnswer, fromSend, missing }
}

const ms = (values: number[], q: number) => fmt(quantile(values, q), 2)

async function benchEvents(fake: Child) {
	log(`events: seeding ${fmt(VIEWER_IDS)} known viewers (the database of the webhook rows)`)
	const instance = tempDir('events')
	seedWebhookInstance(instance, VIEWER_IDS)
	// As the webhook rows (default command_rate_limit), with room for the clients, a known overlay key, and
	// starting points for the probe viewers.
	writeFileSync(
		join(instance, 'config.toml'),
		[
			'# bench/run.ts: events fan-out (owncast_url, the token, log level, points cycle and backups come from TLAPBOT_*)',
			`secret_key = "${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}"`,
			'starting_points = 1000000',
			`event_clients = ${EVENT_CLIENTS * 2}`,
			`overlay_key = "${OVERLAY_KEY}"`,
			`admin_password = "${ADMIN_PASSWORD}"`,
			''
		].join('\n'),
		{ mode: 0o600 }
	)
	const bot = await startServe(instance, fake)
	const runId = Date.now().toString(36)
	const check = await fetch(`${bot.url}/api/events?key=${OVERLAY_KEY}`)
	await check.body?.cancel()
	if (check.status !== 200) throw new Error(`the bench serve refused the overlay key: ${check.status}`)

	log('events: !hydrate without event-stream clients')
	await warm(bot.url, '!hydrate', 'events')
	const connect = async () => {
		const clients = startJsonLineChild([BUN, join(import.meta.dir, 'sse-clients.ts'), `${bot.url}/api/events?key=${OVERLAY_KEY}`, String(EVENT_CLIENTS)])
		try {
			await clients.next(30_000)
		} catch (error) {
			await clients.stop()
			throw error
		}
		return clients
	}
	// The runs without and with the clients alternate (without, with, …, without; EVENT_PAIRS with), each 10 s:
	// the host's own drift over a minute (the queue and ledger grow, other work comes and goes) moves single runs
	// by up to ±5 %, as much as the effect measured; alternating and averaging takes most of it out.
	const without: (LoadResult & { busy: number })[] = []
	const withRuns: { result: LoadResult & { busy: number }; slowest: number; wanted: number; clientCpuMs: number }[] = []
	const underLoad: Awaited<ReturnType<typeof probe>>[] = []
	const loadArrivals: Record<string, number[]> = {}
	let offset = 0
	const nextOffset = () => (offset = (offset + 40_000) % 140_000)
	without.push(await measure(bot, chat('!hydrate', 'events-alone', offset)))
	for (let pair = 0; pair < EVENT_PAIRS; pair++) {
		log(`events: ${EVENT_CLIENTS} SSE clients connect (bench/sse-clients.ts); !hydrate with them, a probe redeem every ${PROBE_EVERY_MS} ms beside it (${pair + 1} of ${EVENT_PAIRS})`)
		const clients = await connect()
		try {
			const countsBefore = (await clients.ask('counts')).counts as number[]
			const cpuBefore = (await clients.ask('cpu')).cpuMs as number
			let probing = true
			const sent: Awaited<ReturnType<typeof probe>>[] = []
			const probes = (async () => {
				// The first second is left out: wrk's connections are still opening.
				await sleep(1000)
				for (let i = 0; probing; i++) {
					sent.push(await probe(bot, `probe-load-${runId}-${pair}-${i}`))
					await sleep(PROBE_EVERY_MS)
				}
			})()
			const result = await measure(bot, chat('!hydrate', `events-clients-${pair}`, nextOffset()))
			probing = false
			await probes
			const clientCpuMs = ((await clients.ask('cpu')).cpuMs as number) - cpuBefore
			// Every client gets every event: wait until the slowest has them all (or stops getting more).
			const wanted = result.requests + sent.length
			let counts = (await clients.ask('counts')).counts as number[]
			const t0 = performance.now()
			for (let last = -1; performance.now() - t0 < 30_000; ) {
				const slowest = Math.min(...counts.map((c, i) => c - (countsBefore[i] ?? 0)))
				if (slowest >= wanted || slowest === last) break
				last = slowest
				await sleep(500)
				counts = (await clients.ask('counts')).counts as number[]
			}
			const slowest = Math.min(...counts.map((c, i) => c - (countsBefore[i] ?? 0)))
			withRuns.push({ result, slowest, wanted, clientCpuMs })
			underLoad.push(...sent)
			Object.assign(loadArrivals, (await clients.ask('probes')).probes as Record<string, number[]>)
		} finally {
			await clients.stop()
		}
		log(`events: !hydrate without event-stream clients (they are gone) (${pair + 1} of ${EVENT_PAIRS})`)
		without.push(await measure(bot, chat('!hydrate', `events-alone-${pair}`, nextOffset())))
	}
	const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
	const withoutRps = mean(without.map((r) => r.rps))
	const withRps = mean(withRuns.map((r) => r.result.rps))
	const withoutCpu = mean(without.map((r) => r.serverCpuUs ?? Number.NaN))
	const withCpu = mean(withRuns.map((r) => r.result.serverCpuUs ?? Number.NaN))
	const drop = 1 - withRps / withoutRps
	const missed = withRuns.filter((r) => r.slowest < r.wanted)
	rows.push({
		what: EVENTS_ROW,
		result:
			`${without.length} runs without clients and ${withRuns.length} with them, alternating: without ${without.map((r) => fmt(r.rps)).join(', ')} req/s (mean ${fmt(withoutRps)}, ` +
			`server CPU ${fmt(withoutCpu)} µs/req); with ${withRuns.map((r) => fmt(r.result.rps)).join(', ')} req/s (mean ${fmt(withRps)}, server CPU ${fmt(withCpu)} µs/req, ` +
			`p50 ${withRuns.map((r) => fmt(r.result.p50ms, 2)).join('/')} ms, p99 ${withRuns.map((r) => fmt(r.result.p99ms, 2)).join('/')} ms against ` +
			`${without.map((r) => fmt(r.p99ms, 2)).join('/')} without): ${fmt(drop * 100, 1)} % fewer req/s, ${fmt(withCpu - withoutCpu)} µs more server CPU per request; ` +
			`events at the slowest client: ${withRuns.map((r) => `${fmt(r.slowest)} for ${fmt(r.wanted)}`).join(', ')} answered redeems ` +
			`(${missed.length === 0 ? 'all' : `${fmt(missed.reduce((n, r) => n + r.wanted - r.slowest, 0))} missing`}); ` +
			`the ${EVENT_CLIENTS} clients' own process used ${withRuns.map((r) => fmt(r.clientCpuMs / 1000, 1)).join(', ')} s of CPU during the ${fmt(LOAD_SECONDS)} s runs, beside the bot`,
		target: '≤ 10 % fewer req/s',
		met: drop <= 0.1 && missed.length === 0,
		after: PAGE_SIGNIN_ROW
	})
	if (drop > 0.1) findings.push(`${EVENTS_ROW}: ${fmt(drop * 100, 1)} % fewer req/s with the clients (target ≤ 10 %)`)
	if (missed.length) findings.push(`${EVENTS_ROW}: the slowest client missed events (${missed.map((r) => `${fmt(r.slowest)} of ${fmt(r.wanted)}`).join(', ')})`)
	const loadLatency = probeLatencies(underLoad, loadArrivals)

	log(`events: ${EVENT_CLIENTS} SSE clients connect again for the latency and page rows`)
	const clients = await connect()
	try {
		log(`events: ${IDLE_PROBES} probe redeems one at a time, no other load`)
		await quietHost()
		const idle: Awaited<ReturnType<typeof probe>>[] = []
		for (let i = 0; i < IDLE_PROBES; i++) {
			idle.push(await probe(bot, `probe-idle-${runId}-${i}`))
			await sleep(20)
		}
		await sleep(500)
		const idleLatency = probeLatencies(idle, (await clients.ask('probes')).probes as Record<string, number[]>)

		const missing = idleLatency.missing + loadLatency.missing
		rows.push({
			what: EVENTS_LATENCY_ROW,
			result:
				`idle (${IDLE_PROBES} probe redeems one at a time × ${EVENT_CLIENTS} clients): p50 ${ms(idleLatency.fromAnswer, 0.5)} ms, p99 ${ms(idleLatency.fromAnswer, 0.99)} ms, ` +
				`max ${ms(idleLatency.fromAnswer, 1)} ms (from sending the webhook: p50 ${ms(idleLatency.fromSend, 0.5)}, p99 ${ms(idleLatency.fromSend, 0.99)}); ` +
				`under the load above (${underLoad.length} probes every ${PROBE_EVERY_MS} ms): p50 ${ms(loadLatency.fromAnswer, 0.5)} ms, p99 ${ms(loadLatency.fromAnswer, 0.99)} ms ` +
				`(from sending: p50 ${ms(loadLatency.fromSend, 0.5)}, p99 ${ms(loadLatency.fromSend, 0.99)}); arrivals missing: ${fmt(missing)}` +
				(Math.min(...idleLatency.fromAnswer, ...loadLatency.fromAnswer) < 0 ? '; below 0: the event reached the clients before the 204 reached the bench' : ''),
			target: '≤ 50 ms p99, none missing',
			met: quantile(idleLatency.fromAnswer, 0.99) <= 50 && quantile(loadLatency.fromAnswer, 0.99) <= 50 && missing === 0,
			after: EVENTS_ROW
		})

		log('events: the alert on /overlay/alerts in Chromium')
		const browser = await launchChromium()
		if (!browser) {
			rows.push({ what: ALERT_ROW, result: 'not measured: chromium is not installed', target: '—', after: EVENTS_LATENCY_ROW })
		} else {
			try {
				const page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage()
				await page.goto(`${bot.url}/overlay/alerts?key=${OVERLAY_KEY}&duration=1`)
				// When each alert is added to the page, and the start of the next frame (it is painted in that frame).
				await page.evaluate(() => {
					const w = window as unknown as { shown: Record<string, { dom: number; frame?: number }> }
					w.shown = {}
					const now = () => performance.timeOrigin + performance.now()
					new MutationObserver((records) => {
						for (const record of records) {
							for (const node of Array.from(record.addedNodes)) {
								const name = /probe-\S+/.exec((node as HTMLElement).textContent ?? '')?.[0]
								if (!name) continue
								const seen = (w.shown[name] = { dom: now() } as { dom: number; frame?: number })
								requestAnimationFrame(() => (seen.frame = now()))
							}
						}
					}).observe(document.getElementById('alerts') as HTMLElement, { childList: true })
				})
				await sleep(1000)
				const dom: number[] = []
				const frame: number[] = []
				for (let i = 0; i < ALERT_PROBES; i++) {
					const sent = await probe(bot, `probe-alert-${runId}-${i}`)
					let shown: { dom: number; frame?: number } | undefined
					const t = performance.now()
					while (!shown?.frame && performance.now() - t < 10_000) {
						shown = await page.evaluate((name) => (window as unknown as { shown: Record<string, { dom: number; frame?: number }> }).shown[name], sent.name)
						if (!shown?.frame) await sleep(10)
					}
					if (!shown?.frame) throw new Error(`the alert for ${sent.name} did not show within 10 s`)
					dom.push(shown.dom - sent.answeredAt)
					frame.push(shown.frame - sent.answeredAt)
					// The alert shows for 1 s and fades for 0.4 s; the next one then starts on an empty page.
					await sleep(1600)
				}
				rows.push({
					what: ALERT_ROW,
					result:
						`in the page: median ${fmt(median(dom), 1)} ms (min ${fmt(Math.min(...dom), 1)}, max ${fmt(Math.max(...dom), 1)}); ` +
						`in the next frame: median ${fmt(median(frame), 1)} ms (max ${fmt(Math.max(...frame), 1)}); then its 0.55 s entrance animation; ` +
						`with the ${EVENT_CLIENTS} clients still connected`,
					target: '≤ 2 s',
					met: Math.max(...frame) <= 2000,
					after: EVENTS_LATENCY_ROW
				})

				log('events: a redemption on the open admin page (live queue) in Chromium')
				const admin = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
				await admin.goto(`${bot.url}/admin/login`)
				await admin.fill('input[type=password]', ADMIN_PASSWORD)
				await admin.click('button[type=submit]')
				await admin.waitForURL(`${bot.url}/admin**`)
				// The queue holds the load's redemptions: the page shows the probe viewers' only.
				await admin.goto(`${bot.url}/admin?viewer=probe-admin-${runId}`)
				await admin.waitForFunction(() => document.body.dataset.live === 'open')
				await admin.evaluate(() => {
					const w = window as unknown as { rowsSeen: Record<string, number> }
					w.rowsSeen = {}
					const now = () => performance.timeOrigin + performance.now()
					new MutationObserver(() => {
						for (const cell of Array.from(document.querySelectorAll('.live-region .viewer'))) {
							const name = cell.textContent ?? ''
							if (!(name in w.rowsSeen)) w.rowsSeen[name] = now()
						}
					}).observe(document.querySelector('.live-region') as HTMLElement, { childList: true, subtree: true })
				})
				const shownAfter: number[] = []
				for (let i = 0; i < ADMIN_PROBES; i++) {
					const sent = await probe(bot, `probe-admin-${runId}-${i}`)
					let seen: number | undefined
					const t = performance.now()
					while (seen === undefined && performance.now() - t < 10_000) {
						seen = await admin.evaluate((name) => (window as unknown as { rowsSeen: Record<string, number> }).rowsSeen[name], sent.name)
						if (seen === undefined) await sleep(10)
					}
					if (seen === undefined) throw new Error(`the redemption of ${sent.name} did not show on the admin page within 10 s`)
					shownAfter.push(seen - sent.answeredAt)
					await sleep(200)
				}
				const slowestAdmin = Math.max(...shownAfter)
				rows.push({
					what: ADMIN_ROW,
					result: `median ${fmt(median(shownAfter), 1)} ms (min ${fmt(Math.min(...shownAfter), 1)}, max ${fmt(slowestAdmin, 1)}), with the ${EVENT_CLIENTS} SSE clients still connected`,
					target: '≤ 2 s',
					met: slowestAdmin <= 2000,
					after: ALERT_ROW
				})
				if (slowestAdmin > 2000) findings.push(`${ADMIN_ROW}: the slowest took ${fmt(slowestAdmin, 0)} ms (target ≤ 2 s)`)
			} finally {
				await browser.close()
			}
		}
		await clients.ask('counts')
	} finally {
		await clients.stop()
	}
	await stopChild(bot)
	rmSync(instance, { recursive: true, force: true })
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Dashboard

const DEEP_QUEUE = 100_000
const DEEP_PAGE_ROW = `a deep page of a ${fmt(DEEP_QUEUE)}-entry queue: GET /api/dashboard?after=<cursor of the 99,900th entry>, one request at a time, median of 50`

/** The queue's last page through its cursor, one request at a time: keyset paging must not count past earlier entries. */
async function benchDeepPage(fake: Child) {
	log(`dashboard: seeding ${fmt(DEEP_QUEUE)} queue entries for the deep page`)
	const instance = tempDir('deep-queue')
	seedDashboardInstance(instance, DEEP_QUEUE)
	const bot = await startServe(instance, fake)
	// Follow the cursors once to the deep end (each page hands the next cursor).
	let after: string | null = null
	for (let seen = 0; seen < DEEP_QUEUE - 100; seen += 100) {
		const data = (await (await fetch(`${bot.url}/api/dashboard${after ? `?after=${after}` : ''}`)).json()) as { queue: { next: string | null } }
		after = data.queue.next
		if (!after) break
	}
	if (!after) throw new Error('the deep page: the queue ended before its last page')
	await quietHost()
	const times: number[] = []
	for (let i = 0; i < 50; i++) {
		const t0 = performance.now()
		const response = await fetch(`${bot.url}/api/dashboard?after=${after}&part=queue&n=${i}`)
		await response.arrayBuffer()
		times.push(performance.now() - t0)
	}
	rows.push({
		what: DEEP_PAGE_ROW,
		result: `median ${fmt(median(times), 2)} ms (max ${fmt(Math.max(...times), 2)}), the whole request as the bench sees it`,
		target: '≤ 5 ms',
		met: median(times) <= 5
	})
	await stopChild(bot)
	rmSync(instance, { recursive: true, force: true })
}

async function benchDashboard(fake: Child) {
	await benchDeepPage(fake)
	for (const queued of [1000, 10_000]) {
		log(`dashboard: seeding ${fmt(queued)} queue entries, 100 counters, 100 milestones`)
		const instance = tempDir('dashboard')
		seedDashboardInstance(instance, queued)
		const bot = await startServe(instance, fake)
		const page = await (await fetch(`${bot.url}/dashboard`)).text()
		const counters = page.match(/class="count"/g)?.length ?? 0
		const milestones = page.match(/<progress /g)?.length ?? 0
		if (counters !== 100 || milestones !== 100) throw new Error(`the dashboard shows ${counters} counters and ${milestones} milestones, not 100 each`)
		const paths = queued === 1000 ? ['/dashboard'] : ['/dashboard', '/dashboard?tab=queue']
		for (const path of paths) {
			const bytes = (await (await fetch(`${bot.url}${path}`)).arrayBuffer()).byteLength
			await runLoad(bot.url, { kind: 'get', path }, WARMUP_SECONDS, CONNECTIONS)
			const result = await measure(bot, { kind: 'get', path })
			const target = queued === 1000 && path === '/dashboard' ? 1800 : undefined
			rows.push({
				what: `GET ${path}, ${fmt(queued)} queued (${fmt(bytes / 1024, 1)} KB page)`,
				result: loadCell(result),
				target: target ? `≥ ${fmt(target)} req/s` : '—',
				...(target ? { met: result.rps >= target } : {})
			})
		}
		await stopChild(bot)
		rmSync(instance, { recursive: true, force: true })
	}
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Points cycle

type CycleResult = {
	viewers: number
	baselineRssMb: number
	peakRssMb: number
	first: { totalMs: number; fetchMs: number; awardMs: number }
	known: { totalMs: number; fetchMs: number; awardMs: number }
}

async function benchCycle(fake: Child) {
	const targets: Record<number, number> = { 10_000: 50, 100_000: 500 }
	for (const viewers of [1000, 10_000, 100_000]) {
		log(`points cycle: ${fmt(viewers)} viewers`)
		await fetch(`${fake.url}/bench/clients?n=${viewers}`, { method: 'POST' })
		const busy = await quietHost()
		const proc = Bun.spawn([BUN, join(import.meta.dir, 'cycle.ts'), fake.url, TOKEN, String(viewers)], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' })
		const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()])
		if ((await proc.exited) !== 0) throw new Error(`bench/cycle.ts ${viewers} failed:\n${out}\n${err}`)
		const r = JSON.parse(out.trim().split('\n').pop() as string) as CycleResult
		const target = targets[viewers]
		rows.push({
			what: `points cycle, ${fmt(viewers)} viewers in chat`,
			result:
				`${fmt(r.known.totalMs, 1)} ms when all are known (fetch ${fmt(r.known.fetchMs, 1)} + award ${fmt(r.known.awardMs, 1)}); ` +
				`${fmt(r.first.totalMs, 1)} ms when all are new (fetch ${fmt(r.first.fetchMs, 1)} + award ${fmt(r.first.awardMs, 1)}); ` +
				`peak RSS ${fmt(r.peakRssMb)} MB (${fmt(r.baselineRssMb)} MB before the first cycle)` +
				(busy > BUSY_FLAG ? ` [host ${fmt(busy)} % busy with other work before]` : ''),
			target: target ? `≤ ${target} ms` : '—',
			// The target is for the regular cycle: the viewers in chat are already known.
			...(target ? { met: r.known.totalMs <= target } : {})
		})
	}
	await fetch(`${fake.url}/bench/clients?n=0`, { method: 'POST' })
}

// ---------------------------------------------------------------------------------------------------------------
// 3b. No stall: the server keeps answering while a big points cycle runs and while another process locks the database

const STALL_ROW = 'no stall: webhook and /healthz latency while 100,000-viewer points cycles run, and while another process holds the write lock for 3 s'
const STALL_VIEWERS = 100_000

/** One request after another, every `everyMs`, for `ms`: a plain CHAT webhook and a /healthz in turn; their latencies. */
async function probeLatency(bot: Child, ms: number, everyMs: number, tag: string) {
	const webhook: number[] = []
	const health: number[] = []
	const until = performance.now() + ms
	for (let i = 0; performance.now() < until; i++) {
		const started = performance.now()
		if (i % 2 === 0) {
			const response = await fetch(`${bot.url}/owncastWebhook`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'user-agent': 'Go-http-client/1.1' },
				body: JSON.stringify(chatEvent({ id: String(i % 1000), displayName: `Viewer ${i % 1000}` }, 'hello there', 'v0.3', { id: `stall-${tag}-${i}` }))
			})
			await response.arrayBuffer()
			if (response.status !== 204) throw new Error(`stall probe: the webhook answered ${response.status}`)
			webhook.push(performance.now() - started)
		} else {
			const response = await fetch(`${bot.url}/healthz`)
			await response.arrayBuffer()
			health.push(performance.now() - started)
		}
		await sleep(Math.max(0, everyMs - (performance.now() - started)))
	}
	return { webhook, health }
}

async function benchStall(fake: Child) {
	log(`no stall: ${fmt(STALL_VIEWERS)} viewers in chat, a points cycle every 3 s`)
	const instance = tempDir('stall')
	seedWebhookInstance(instance, 1000)
	await fetch(`${fake.url}/bench/clients?n=${STALL_VIEWERS}`, { method: 'POST' })
	const bot = await startServe(instance, fake, 3)
	await quietHost()
	const rssBefore = memoryOf(bot.proc.pid).rssMb
	const cycles = await probeLatency(bot, quick ? 7000 : 13_000, 10, 'cycle')
	// VmHWM: the serve process's peak resident memory so far, its worker thread included.
	const peakRss = memoryOf(bot.proc.pid).peakMb
	await fetch(`${fake.url}/bench/clients?n=0`, { method: 'POST' })
	const awarded = new Database(join(instance, 'tlapbot.sqlite'), { readonly: true })
	const awards = (awarded.query("SELECT count(*) AS n FROM award_cycles").get() as { n: number }).n
	awarded.close()

	log('no stall: another process holds the write lock for 3 s')
	const holder = startJsonLineChild([BUN, join(import.meta.dir, 'lock-holder.ts'), join(instance, 'tlapbot.sqlite'), '3000'])
	await holder.next(10_000)
	const locked = await probeLatency(bot, 3000, 10, 'lock')
	await holder.next(10_000)
	await holder.stop()
	await stopChild(bot)
	rmSync(instance, { recursive: true, force: true })

	const p99 = (values: number[]) => quantile(values, 0.99)
	const worst = Math.max(p99(cycles.webhook), p99(cycles.health), p99(locked.webhook), p99(locked.health))
	const cell = (name: string, values: number[]) => `${name} p50 ${ms(values, 0.5)} ms, p99 ${ms(values, 0.99)} ms, max ${ms(values, 1)} ms`
	rows.push({
		what: STALL_ROW,
		result:
			`during ${fmt(awards)} awards of ${fmt(STALL_VIEWERS)} viewers (fetch and award on the points worker thread): ` +
			`${cell('webhook', cycles.webhook)}; ${cell('/healthz', cycles.health)} (${fmt(cycles.webhook.length + cycles.health.length)} requests one at a time); ` +
			`while another process held the write lock: ${cell('webhook', locked.webhook)}; ${cell('/healthz', locked.health)}`,
		target: '≤ 50 ms p99',
		met: worst <= 50 && awards > 0
	})
	if (worst > 50) findings.push(`${STALL_ROW}: p99 ${fmt(worst, 1)} ms (target ≤ 50 ms)`)
	rows.push({
		what: `serve's peak RSS (its points worker included) during 100,000-viewer points cycles`,
		result: `${fmt(peakRss)} MB (${fmt(rssBefore)} MB before the first cycle), on a 1,000-viewer database`,
		target: '≤ 150 MB',
		met: peakRss <= 150,
		after: STALL_ROW
	})
	if (awards === 0) findings.push(`${STALL_ROW}: no points cycle ran during the measurement`)
}

// ---------------------------------------------------------------------------------------------------------------
// 4. The compiled binary

async function benchBinary() {
	log('binary: bun scripts/build.ts')
	const build = Bun.spawnSync([BUN, 'scripts/build.ts'], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' })
	if (build.exitCode !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`)
	// A private copy at once: dist/tlapbot may be rebuilt by someone else while this runs.
	const binDir = tempDir('binary-build')
	const binary = join(binDir, 'tlapbot')
	copyFileSync(join(ROOT, 'dist', 'tlapbot'), binary)
	const sizeMb = Bun.file(binary).size / 1024 / 1024
	const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' }

	async function start(dir: string): Promise<{ ms: number; proc: ReturnType<typeof Bun.spawn> }> {
		const port = freePort()
		const url = `http://127.0.0.1:${port}/healthz`
		const t0 = performance.now()
		const proc = Bun.spawn(['./tlapbot', 'serve', '--port', String(port)], { cwd: dir, env, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' })
		for (;;) {
			try {
				if ((await fetch(url)).status === 200) break
			} catch {}
			if (proc.exitCode !== null) throw new Error(`the binary exited with ${proc.exitCode}`)
			if (performance.now() - t0 > 10_000) throw new Error('the binary did not answer /healthz within 10 s')
			await sleep(2)
		}
		return { ms: performance.now() - t0, proc }
	}
	const stop = async (proc: ReturnType<typeof Bun.spawn>) => {
		proc.kill('SIGTERM')
		await proc.exited
	}

	const RUNS = 7
	const firstRuns: number[] = []
	const restarts: number[] = []
	const idle: number[] = []
	const busy = await quietHost()
	for (let i = 0; i < RUNS; i++) {
		const dir = tempDir('binary')
		copyFileSync(binary, join(dir, 'tlapbot'))
		Bun.spawnSync(['chmod', '+x', join(dir, 'tlapbot')])
		// First start in an empty folder: creates ./instance (config, redeems, database, first backup).
		const first = await start(dir)
		firstRuns.push(first.ms)
		await stop(first.proc)
		// Then a start on the instance that now exists.
		const again = await start(dir)
		restarts.push(again.ms)
		if (i < 3) {
			await sleep(2000)
			idle.push(memoryOf(again.proc.pid as number).rssMb)
		}
		await stop(again.proc)
		rmSync(dir, { recursive: true, force: true })
	}
	rmSync(binDir, { recursive: true, force: true })
	const cold = median(firstRuns)
	rows.push({
		what: `binary cold start until /healthz answers (${fmt(sizeMb)} MB binary, median of ${RUNS})`,
		result:
			`${fmt(cold)} ms in an empty folder (min ${fmt(Math.min(...firstRuns))}, max ${fmt(Math.max(...firstRuns))}); ` +
			`${fmt(median(restarts))} ms with an existing instance (min ${fmt(Math.min(...restarts))})`,
		target: '≤ 150 ms',
		met: cold <= 150,
		...(busy > BUSY_FLAG ? { what: `binary cold start until /healthz answers (${fmt(sizeMb)} MB binary, median of ${RUNS}) [host ${fmt(busy)} % busy with other work before]` } : {})
	})
	const rss = median(idle)
	rows.push({
		what: 'binary idle RSS, 2 s after start (median of 3)',
		result: `${fmt(rss, 1)} MB (${idle.map((m) => fmt(m, 1)).join(', ')})`,
		target: '≤ 80 MB',
		met: rss <= 80
	})
}

// ---------------------------------------------------------------------------------------------------------------

log(`load generator: ${loadTool}; code: ${codeLabel}`)
const fake = await startChild([BUN, join(import.meta.dir, 'fake-owncast.ts'), '--token', TOKEN])
children.push(fake)
try {
	if (runs('webhook')) await benchWebhooks(fake)
	if (runs('page')) await benchPage(fake)
	if (runs('events')) await benchEvents(fake)
	if (runs('dashboard')) await benchDashboard(fake)
	if (runs('cycle')) await benchCycle(fake)
	if (runs('stall')) await benchStall(fake)
	if (runs('binary')) await benchBinary()
} finally {
	await stopAll()
}

const busyMax = Math.max(0, ...busyBefore)
const header = [
	`date:  ${dateUtc}`,
	`cpu:   ${cpuModel}, nproc ${nproc}`,
	`bun:   ${Bun.version}`,
	`code:  ${codeLabel}`,
	`load:  ${loadTool}, ${LOAD_SECONDS} s per run after a ${WARMUP_SECONDS} s warm-up; the load generator, the bot and the fake Owncast share the CPUs`,
	`host:  other work just before each run: median ${fmt(median(busyBefore))} %, max ${fmt(busyMax)} % of all CPUs${busyMax > BUSY_FLAG ? ' (flagged runs are disturbed: compare with care)' : ''}`
].join('\n')
const body = table(
	['measurement', 'result', 'target', 'met'],
	rows.map((r) => [r.what, r.result, r.target, r.met === undefined ? '' : r.met ? 'yes' : '**NO**'])
)
/**
 * --only with --write: the rows of this run replace the rows of the same measurement in the table already there
 * (or join it, after the row they follow), each stamped with the date and code it was measured at, since the
 * header above the table describes the run that wrote the whole table. The rest of the section stays as it is;
 * findings of this run are added, stamped too.
 */
function mergeRows(old: string): string {
	const lines = old.split('\n')
	const first = lines.findIndex((l) => l.startsWith('| '))
	let last = first
	while (first >= 0 && lines[last + 1]?.startsWith('| ')) last++
	if (first < 0 || last - first < 1) throw new Error('bench/README.md: no results table between the markers to merge into')
	const cells = (line: string) => line.slice(2, -2).split(' | ').map((c) => c.trim())
	const key = (what: string) => what.replace(/ \[host [^\]]*\]$/, '')
	const existing = lines.slice(first + 2, last + 1).map(cells)
	const stamp = `measured ${dateUtc.slice(0, 10)} at ${codeLabel} with --only=${only?.join(',')}`
	for (const r of rows) {
		const cellsOf = [r.what, `${r.result} (${stamp})`, r.target, r.met === undefined ? '' : r.met ? 'yes' : '**NO**']
		const same = existing.findIndex((e) => key(e[0] ?? '') === key(r.what))
		if (same >= 0) {
			existing[same] = cellsOf
			continue
		}
		const after = r.after === undefined ? -1 : existing.findIndex((e) => key(e[0] ?? '') === r.after)
		existing.splice(after >= 0 ? after + 1 : existing.length, 0, cellsOf)
	}
	const merged = table(cells(lines[first] as string), existing).split('\n')
	const added = findings.map((f) => `- ${f} (${stamp})`)
	let rest = lines.slice(last + 1)
	if (added.length) {
		// After the findings already listed under the table (or right under it).
		const end = rest.findIndex((l, i) => i > 0 && !l.startsWith('- ') && rest[i - 1]?.startsWith('- '))
		rest = end >= 0 ? [...rest.slice(0, end), ...added, ...rest.slice(end)] : ['', ...added, ...rest]
	}
	return [...lines.slice(0, first), ...merged, ...rest].join('\n')
}

const report = `${header}\n\n${body}\n${findings.length ? `\nfindings:\n${findings.map((f) => `- ${f}`).join('\n')}\n` : ''}`
console.log(report)
if (write) {
	// Replaces what is between the two markers in bench/README.md; the analysis around it is written by hand.
	const readmePath = join(import.meta.dir, 'README.md')
	const readme = readFileSync(readmePath, 'utf8')
	const start = readme.indexOf(RESULTS_START)
	const end = readme.indexOf(RESULTS_END)
	if (start < 0 || end < start) throw new Error(`bench/README.md has no ${RESULTS_START} … ${RESULTS_END} section`)
	const section = only
		? `${RESULTS_START}${mergeRows(readme.slice(start + RESULTS_START.length, end))}`
		: `${RESULTS_START}\n\n\`\`\`\n${header}\n\`\`\`\n\n${body}\n${findings.length ? `\n${findings.map((f) => `- ${f}`).join('\n')}\n` : ''}\n`
	writeFileSync(readmePath, readme.slice(0, start) + section + readme.slice(end))
	log(only ? `the rows of --only=${only.join(',')} are merged into the table in bench/README.md` : 'the table in bench/README.md is updated')
}
log(`done in ${fmt((performance.now() - startedAt) / 1000)} s`)
