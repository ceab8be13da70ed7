// Replays what src/cli/serve.ts does at start, timing each step (run by bench/profile-startup.ts).
//   bun bench/startup-steps.ts <empty dir>
const dir = process.argv[2] as string
const times: Record<string, number> = {}
let t = performance.now()
const step = (label: string) => {
	const now = performance.now()
	times[label] = now - t
	t = now
}
const t0 = t
const [{ createApp }, { createDeps }, { startDailyBackups, startPointsTimer }, { openDatabase }, { createLogger }, { createRedeemsRepo }, { readInstance }] =
	await Promise.all([
		import('../src/app.ts'),
		import('../src/deps.ts'),
		import('../src/scheduler.ts'),
		import('../src/db/database.ts'),
		import('../src/log.ts'),
		import('../src/modules/redeems/repo.ts'),
		import('../src/cli/_instance.ts')
	])
step('import the serve module graph (elysia, valibot, kitajs, croner, …)')
const instance = readInstance(dir, { create: true })
step('readInstance (create config.toml, redeems.toml; parse and validate)')
const config = { ...instance.config, port: 0, log_level: 'error' as const }
const db = openDatabase(config.databasePath)
step('openDatabase (create + migrate)')
createRedeemsRepo(db).addMissingRows(instance.redeems, Date.now())
step('addMissingRows')
const deps = createDeps({ config, redeems: instance.redeems, db, log: createLogger('error') })
const app = createApp(deps)
step('createDeps + createApp')
app.listen({ hostname: '127.0.0.1', port: 0 })
step('app.listen (Elysia compiles the routes)')
startPointsTimer(app as never, deps)
step('startPointsTimer')
startDailyBackups(app as never, deps)
step('startDailyBackups (first backup: VACUUM INTO)')
await fetch(`http://127.0.0.1:${app.server?.port}/healthz`)
step('first GET /healthz')
times['total (in-process, after the runtime started)'] = performance.now() - t0
console.log(JSON.stringify(times))
process.exit(0)
export {}
