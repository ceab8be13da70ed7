// Where the compiled binary's start-up time goes (not part of `npm run bench`; evidence for bench/README.md).
//   bun bench/profile-startup.ts [runs]      (default 9; uses dist/tlapbot, run `bun scripts/build.ts` first)
// Compares, as medians: the floor of any compiled Bun binary (bench/bare.ts compiled the same way, until it
// answers), `tlapbot --version` (runtime + CLI module only), and `tlapbot serve` until /healthz answers, in an empty
// folder and with an existing instance. Also times serve's start-up steps in-process from source (import of the
// serve module graph, openDatabase + migrations, backup, listen).
import { copyFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { BUN, fmt, freePort, median, ROOT, sleep, tempDir } from './lib.ts'

const runs = Number(process.argv[2] ?? 9)
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' }

async function untilAnswer(cmd: string[], cwd: string, port: number, path: string, extraEnv: Record<string, string> = {}) {
	const t0 = performance.now()
	const proc = Bun.spawn(cmd, { cwd, env: { ...env, ...extraEnv }, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' })
	for (;;) {
		try {
			if ((await fetch(`http://127.0.0.1:${port}${path}`)).ok) break
		} catch {}
		if (proc.exitCode !== null) throw new Error(`${cmd.join(' ')} exited ${proc.exitCode}`)
		await sleep(2)
	}
	const ms = performance.now() - t0
	proc.kill('SIGTERM')
	await proc.exited
	return ms
}

const dir = tempDir('startup')
// The floor: the bare server compiled with the same kind of build.
const floorBin = join(dir, 'bare')
const build = Bun.spawnSync([BUN, 'build', join(import.meta.dir, 'bare.ts'), '--compile', '--minify-whitespace', '--minify-syntax', '--outfile', floorBin])
if (build.exitCode !== 0) throw new Error(build.stderr.toString())
copyFileSync(join(ROOT, 'dist', 'tlapbot'), join(dir, 'tlapbot'))
Bun.spawnSync(['chmod', '+x', join(dir, 'tlapbot')])
// Prototype: scripts/build.ts's flags plus --bytecode (needs --format=esm for the top-level await in main.ts).
const bytecode = Bun.spawnSync(
	[BUN, 'build', 'src/main.ts', '--compile', '--bytecode', '--format=esm', '--minify-whitespace', '--minify-syntax',
		'--define', 'process.env.NODE_ENV="production"', '--no-compile-autoload-dotenv', '--no-compile-autoload-bunfig',
		'--outfile', join(dir, 'tlapbot-bytecode')],
	{ cwd: ROOT }
)
if (bytecode.exitCode !== 0) throw new Error(bytecode.stderr.toString())

const floor: number[] = []
const version: number[] = []
const empty: number[] = []
const existing: number[] = []
const versionBc: number[] = []
const emptyBc: number[] = []
for (let i = 0; i < runs; i++) {
	const port = freePort()
	floor.push(await untilAnswer([floorBin], dir, port, '/', { PORT: String(port) }))
	const t0 = performance.now()
	Bun.spawnSync([join(dir, 'tlapbot'), '--version'], { cwd: dir, env })
	version.push(performance.now() - t0)
	const run = tempDir('startup-run')
	copyFileSync(join(dir, 'tlapbot'), join(run, 'tlapbot'))
	Bun.spawnSync(['chmod', '+x', join(run, 'tlapbot')])
	let p = freePort()
	empty.push(await untilAnswer(['./tlapbot', 'serve', '--port', String(p)], run, p, '/healthz'))
	p = freePort()
	existing.push(await untilAnswer(['./tlapbot', 'serve', '--port', String(p)], run, p, '/healthz'))
	rmSync(run, { recursive: true, force: true })
	const t1 = performance.now()
	Bun.spawnSync([join(dir, 'tlapbot-bytecode'), '--version'], { cwd: dir, env })
	versionBc.push(performance.now() - t1)
	const runBc = tempDir('startup-run')
	copyFileSync(join(dir, 'tlapbot-bytecode'), join(runBc, 'tlapbot'))
	Bun.spawnSync(['chmod', '+x', join(runBc, 'tlapbot')])
	p = freePort()
	emptyBc.push(await untilAnswer(['./tlapbot', 'serve', '--port', String(p)], runBc, p, '/healthz'))
	rmSync(runBc, { recursive: true, force: true })
}
const line = (label: string, values: number[]) =>
	console.log(`${label.padEnd(70)} ${fmt(median(values), 1).padStart(7)} ms  (min ${fmt(Math.min(...values), 1)}, max ${fmt(Math.max(...values), 1)})`)
console.log(`compiled binaries, median of ${runs}`)
line('floor: bench/bare.ts compiled, until it answers', floor)
line('tlapbot --version (spawn to exit)', version)
line('tlapbot serve until /healthz, empty folder', empty)
line('tlapbot serve until /healthz, existing instance', existing)
line('prototype --bytecode build: tlapbot --version', versionBc)
line('prototype --bytecode build: serve until /healthz, empty folder', emptyBc)

// In-process steps of serve, from source (module loading is slower from source than from the bundled binary).
const steps: Record<string, number[]> = {}
for (let i = 0; i < 5; i++) {
	const stepsDir = tempDir('startup-steps')
	const out = Bun.spawnSync([BUN, join(import.meta.dir, 'startup-steps.ts'), stepsDir], { cwd: ROOT, env: { ...env } })
	rmSync(stepsDir, { recursive: true, force: true })
	if (out.exitCode !== 0) throw new Error(out.stderr.toString())
	const result = JSON.parse(out.stdout.toString().trim().split('\n').pop() as string) as Record<string, number>
	for (const [k, v] of Object.entries(result)) (steps[k] ??= []).push(v)
}
console.log('\nserve start-up steps in-process from source (median of 5, first start in an empty folder)')
for (const [k, v] of Object.entries(steps)) line(`  ${k}`, v)
rmSync(dir, { recursive: true, force: true })
