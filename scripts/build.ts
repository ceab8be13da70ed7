// Builds the single `tlapbot` executable with everything embedded (templates, assets, migrations, instance.example).
//   bun scripts/build.ts           -> dist/tlapbot for this machine
//   bun scripts/build.ts --all     -> also linux-x64, linux-arm64, darwin-arm64 and windows-x64 (Bun downloads
//                                     each target's runtime once, so cross builds need network access)
import { mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dir, '..')
const TARGETS = ['bun-linux-x64', 'bun-linux-arm64', 'bun-darwin-arm64', 'bun-windows-x64'] as const

function flags(outfile: string, target?: string): string[] {
	return [
		'build',
		'src/main.ts',
		// The points cycle's worker thread (src/points-offload.ts starts it): an entry point of its own in the binary.
		'src/points-worker.ts',
		'--compile',
		// Whitespace and syntax only: full minification renames identifiers, which Elysia reads at run time.
		'--minify-whitespace',
		'--minify-syntax',
		// Precompiled bytecode starts about 40 ms faster; it needs ESM output for main.ts's top-level await.
		'--bytecode',
		'--format=esm',
		'--define',
		'process.env.NODE_ENV="production"',
		// The binary reads config only from the instance folder, TLAPBOT_* variables and flags.
		'--no-compile-autoload-dotenv',
		'--no-compile-autoload-bunfig',
		...(target ? [`--target=${target}`] : []),
		'--outfile',
		outfile
	]
}

async function build(outfile: string, target?: string) {
	const started = performance.now()
	const proc = Bun.spawn([process.execPath, ...flags(outfile, target)], { cwd: root, stdout: 'inherit', stderr: 'inherit' })
	if ((await proc.exited) !== 0) throw new Error(`build failed for ${target ?? 'this machine'}`)
	const mb = (statSync(join(root, outfile)).size / 1024 / 1024).toFixed(1)
	console.log(`built ${outfile} (${mb} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

mkdirSync(join(root, 'dist'), { recursive: true })
await build('dist/tlapbot')
if (process.argv.includes('--all')) {
	for (const target of TARGETS) {
		const name = target.replace(/^bun-/, '')
		await build(`dist/tlapbot-${name}${name.startsWith('windows') ? '.exe' : ''}`, target)
	}
}
