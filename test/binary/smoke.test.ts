// Builds the single executable and uses it the way a streamer would, from an empty folder.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeOwncast, type FakeOwncast } from '../support/fake-owncast.ts'
import { chatEvent } from '../support/payloads.ts'
import { SERVE_TIMEOUT_MS, startServe, useServes } from '../support/serve.ts'
import { waitFor } from '../helpers.ts'

useServes()

const root = join(import.meta.dir, '..', '..')
const binaryName = process.platform === 'win32' ? 'tlapbot.exe' : 'tlapbot'

let folder: string
let binary: string
let fake: FakeOwncast

async function run(args: string[], env: Record<string, string> = {}) {
	const proc = Bun.spawn([binary, ...args], { cwd: folder, env: { PATH: process.env.PATH ?? '', HOME: folder, ...env }, stdout: 'pipe', stderr: 'pipe' })
	const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
	return { stdout, stderr, code }
}

beforeAll(async () => {
	const build = Bun.spawn([process.execPath, 'scripts/build.ts'], { cwd: root, stdout: 'pipe', stderr: 'pipe' })
	const [out, err, code] = await Promise.all([new Response(build.stdout).text(), new Response(build.stderr).text(), build.exited])
	if (code !== 0) throw new Error(`build failed:\n${out}\n${err}`)
	folder = mkdtempSync(join(tmpdir(), 'tlapbot-binary-'))
	binary = join(folder, binaryName)
	copyFileSync(join(root, 'dist', binaryName), binary)
	fake = startFakeOwncast({ clients: [{ user: { id: 'viewer-1', displayName: 'Viewer One' } }] })
}, 120_000)

afterAll(() => {
	fake?.stop()
	if (folder) rmSync(folder, { recursive: true, force: true })
})

describe('the compiled tlapbot binary', () => {
	test('--help lists every subcommand with a description; --version prints the version', async () => {
		const help = await run(['--help'])
		for (const command of ['serve', 'init', 'init-db', 'clear-queue', 'refresh-counters', 'clear-refresh', 'refresh-milestones', 'reset-milestone', 'hard-reset-milestone', 'import-legacy', 'backup', 'admin-link']) {
			expect(help.stdout).toContain(command)
		}
		expect(help.stdout).not.toContain('undefined')
		const version = await run(['--version'])
		const pkg = (await Bun.file(join(root, 'package.json')).json()) as { version: string }
		expect(version.stdout.trim()).toBe(pkg.version)
	})

	test('runs from an empty folder: init, init-db, serve, webhooks, dashboard and every maintenance command', async () => {
		expect(readdirSync(folder)).toEqual([binaryName])
		// A stray .env must not change anything: the binary does not load it.
		await Bun.write(join(folder, '.env'), 'TLAPBOT_PREFIX=not-one-character\n')
		const init = await run(['init'])
		expect(init.code).toBe(0)
		expect(existsSync(join(folder, 'instance', 'config.toml'))).toBe(true)
		const initDb = await run(['init-db'])
		expect(initDb.code).toBe(0)
		expect(initDb.stdout).toContain('schema version')

		const serve = await startServe({
			cwd: folder,
			binary,
			// A points cycle every second: the award runs on the worker thread the binary carries as its second entry point.
			env: { HOME: folder, TLAPBOT_OWNCAST_URL: fake.url, TLAPBOT_OWNCAST_ACCESS_TOKEN: fake.token, TLAPBOT_POINTS_CYCLE_TIME: '1' }
		})
		try {
			const base = serve.base
			// The last of the start-up lines (the external action URL) comes after "listening on".
			await serve.waitForOutput(`${base}/dashboard`)
			expect(serve.stdout()).toContain(`${base}/owncastWebhook`)
			expect(serve.stdout()).toContain(`${base}/dashboard`)

			const health = (await (await fetch(`${base}/healthz`)).json()) as { status: string; database: string }
			expect(health).toMatchObject({ status: 'ok', database: 'ok' })
			const webhook = await fetch(`${base}/owncastWebhook`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(chatEvent({ id: 'viewer-1', displayName: 'Viewer One' }, '!lurk'))
			})
			expect(webhook.status).toBe(204)
			await fake.waitForMessages(1, SERVE_TIMEOUT_MS)
			expect(fake.messages[0]).toContain('redeemed lurk')
			const dashboard = await fetch(`${base}/dashboard?username=Viewer%20One`)
			expect(dashboard.status).toBe(200)
			const html = await dashboard.text()
			expect(html).toContain('Viewer One')
			expect(html).toContain('<span class="name">lurk</span><span class="count">1</span>')
			expect((await fetch(`${base}/dashboard/assets/style.css`)).status).toBe(200)
			expect((await fetch(`${base}/dashboard/assets/dashboard.js`)).status).toBe(200)

			// The points worker (reading Owncast's client list as it arrives) paid the viewer in chat.
			const db = new Database(join(folder, 'instance', 'tlapbot.sqlite'), { readonly: true })
			try {
				const paid = await waitFor(
					() => db.query<{ viewers: number }, []>('SELECT viewers FROM award_cycles ORDER BY id LIMIT 1').get() ?? undefined,
					{ timeoutMs: SERVE_TIMEOUT_MS, what: 'a points award' }
				)
				expect(paid).toEqual({ viewers: 1 })
				expect(db.query("SELECT viewer_id FROM award_members WHERE viewer_id = 'viewer-1' LIMIT 1").get()).toEqual({ viewer_id: 'viewer-1' })
				expect(serve.output()).not.toContain('points cycle failed')
			} finally {
				db.close()
			}

			for (const command of [['clear-queue'], ['refresh-counters'], ['clear-refresh'], ['refresh-milestones'], ['reset-milestone', 'go_nap'], ['hard-reset-milestone', 'go_nap']]) {
				const result = await run(command)
				expect({ command, code: result.code, stderr: result.stderr }).toEqual({ command, code: 0, stderr: '' })
			}
			const after = await fetch(`${base}/dashboard`)
			expect(await after.text()).toContain('<span class="count">0</span>')
		} catch (error) {
			throw new Error(`${(error as Error).message}\nserve output:\n${serve.output()}`)
		}
		expect(await serve.stop(), serve.output()).toBe(0)
	}, 120_000)

	test('works the same from another working directory: the instance is relative to it', async () => {
		const elsewhere = mkdtempSync(join(tmpdir(), 'tlapbot-elsewhere-'))
		try {
			const proc = Bun.spawn([binary, 'init'], { cwd: elsewhere, env: { PATH: process.env.PATH ?? '' }, stdout: 'pipe' })
			expect(await proc.exited).toBe(0)
			expect(existsSync(join(elsewhere, 'instance', 'redeems.toml'))).toBe(true)
		} finally {
			rmSync(elsewhere, { recursive: true, force: true })
		}
	})
})
