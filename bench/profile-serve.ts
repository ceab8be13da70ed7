// Profiles a real `serve` under one of the bench loads with Bun's CPU profiler (not part of `npm run bench`).
//   bun bench/profile-serve.ts plain|points|hydrate|dashboard [seconds] [outDir] [--clients N]
// --clients N: N Server-Sent Events clients (bench/sse-clients.ts) on /api/events during the load.
// Writes a markdown CPU profile (bun --cpu-prof-md) of the serve process into outDir (default: a temp dir) and
// prints its path and the load result.
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BUN, freePort, runLoad, sleep, startChild, startJsonLineChild, tempDir, type Load } from './lib.ts'
import { seedDashboardInstance, seedWebhookInstance } from './seed.ts'

const { values, positionals } = parseArgs({ args: process.argv.slice(2), options: { clients: { type: 'string' } }, allowPositionals: true })
const eventClients = Number(values.clients ?? 0)
const [what = 'plain', secondsText = '8', outDirArg] = positionals
const OVERLAY_KEY = 'profile-overlay-key-0123456789'
const seconds = Number(secondsText)
const outDir = outDirArg ?? tempDir('profile')
const TOKEN = 'bench-token'

const fake = await startChild([BUN, join(import.meta.dir, 'fake-owncast.ts'), '--token', TOKEN])
const instance = tempDir('profile-instance')
if (what === 'dashboard') seedDashboardInstance(instance, 1000)
else seedWebhookInstance(instance, 200_000)
if (eventClients > 0) {
	writeFileSync(
		join(instance, 'config.toml'),
		`secret_key = "${'ab'.repeat(32)}"\nstarting_points = 1000000\nevent_clients = ${eventClients * 2}\noverlay_key = "${OVERLAY_KEY}"\n`,
		{ mode: 0o600 }
	)
}
const port = freePort()
const bot = await startChild(
	[BUN, '--cpu-prof-md', `--cpu-prof-dir=${outDir}`, `--cpu-prof-name=${what}.md`, 'src/main.ts', 'serve', '--instance', instance, '--port', String(port)],
	{
		env: {
			TLAPBOT_OWNCAST_URL: fake.url,
			TLAPBOT_OWNCAST_ACCESS_TOKEN: TOKEN,
			TLAPBOT_LOG_LEVEL: 'warn',
			TLAPBOT_POINTS_CYCLE_TIME: '86400',
			TLAPBOT_BACKUP_KEEP: '0'
		},
		healthUrl: `http://127.0.0.1:${port}/healthz`
	}
)
const text = what === 'points' ? '!points' : what === 'hydrate' ? '!hydrate' : 'hello everyone'
const load: Load =
	what === 'dashboard'
		? { kind: 'get', path: '/dashboard' }
		: { kind: 'chat', text, ids: 200_000, offset: 0, messagePrefix: `prof-${Date.now()}-` }
const clients =
	eventClients > 0 ? startJsonLineChild([BUN, join(import.meta.dir, 'sse-clients.ts'), `${bot.url}/api/events?key=${OVERLAY_KEY}`, String(eventClients)]) : undefined
if (clients) await clients.next(30_000)
const cpuBefore = clients ? ((await clients.ask('cpu')).cpuMs as number) : 0
const result = await runLoad(bot.url, load, seconds, 8)
if (clients) {
	console.log(JSON.stringify({ clientsCpuMs: ((await clients.ask('cpu')).cpuMs as number) - cpuBefore }))
	await clients.stop()
}
console.log(JSON.stringify(result))
await sleep(what === 'plain' || what === 'dashboard' ? 100 : 3000)
await bot.stop()
await fake.stop()
rmSync(instance, { recursive: true, force: true })
console.log(join(outDir, `${what}.md`))
