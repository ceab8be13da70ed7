// Profiles a real `serve` under one of the bench loads with Bun's CPU profiler (not part of `npm run bench`).
//   bun bench/profile-serve.ts plain|points|hydrate|dashboard [seconds] [outDir]
// Writes a markdown CPU profile (bun --cpu-prof-md) of the serve process into outDir (default: a temp dir) and
// prints its path and the load result.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { BUN, freePort, runLoad, sleep, startChild, tempDir, type Load } from './lib.ts'
import { seedDashboardInstance, seedWebhookInstance } from './seed.ts'

const [what = 'plain', secondsText = '8', outDirArg] = process.argv.slice(2)
const seconds = Number(secondsText)
const outDir = outDirArg ?? tempDir('profile')
const TOKEN = 'bench-token'

const fake = await startChild([BUN, join(import.meta.dir, 'fake-owncast.ts'), '--token', TOKEN])
const instance = tempDir('profile-instance')
if (what === 'dashboard') seedDashboardInstance(instance, 1000)
else seedWebhookInstance(instance, 200_000)
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
const result = await runLoad(bot.url, load, seconds, 8)
console.log(JSON.stringify(result))
await sleep(what === 'plain' || what === 'dashboard' ? 100 : 3000)
await bot.stop()
await fake.stop()
rmSync(instance, { recursive: true, force: true })
console.log(join(outDir, `${what}.md`))
