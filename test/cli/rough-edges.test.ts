// What a new user ran into on the command line: colour codes in piped help, a file given as --instance, no way to
// hash the admin password without writing code, and clear-queue archiving pending redemptions unrefunded and unasked.
// Everything runs the real CLI as a process; the terminal cases run it on a pseudo-terminal (Bun.spawn's terminal).
import { test, expect, describe, setDefaultTimeout } from 'bun:test'
import type { Database } from 'bun:sqlite'
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load.ts'
import { checkPassword } from '../../src/modules/admin/auth.ts'
import { LoginPage } from '../../templates/admin.tsx'
import {
	addViewer,
	baseEnv,
	dumpTables,
	expectExit,
	hasStackTrace,
	ledgerInvariantViolations,
	MAIN_TS,
	makeInstance,
	makeTempDir,
	redeemsToml,
	runTlapbot,
	tableRows,
	useTempDirs,
	withDb,
	type RunResult
} from '../helpers.ts'

useTempDirs()
setDefaultTimeout(30_000)

const ESC = '\u001B'
const T0 = '2024-05-01T18:03:11.000Z'

/** The CLI with the given text on its standard input (a pipe, not a terminal). */
async function runWithInput(args: string[], input: string, options: { cwd: string; env?: Record<string, string> }): Promise<RunResult> {
	const child = Bun.spawn([process.execPath, MAIN_TS, ...args], {
		cwd: options.cwd,
		env: baseEnv(options.env),
		stdin: new TextEncoder().encode(input),
		stdout: 'pipe',
		stderr: 'pipe'
	})
	const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
	return { code, stdout, stderr }
}

type TerminalRun = {
	/** Everything the process wrote to the terminal so far (stdout and stderr together, as a user sees them). */
	output: () => string
	/** Waits until the output contains text. */
	waitFor: (text: string) => Promise<void>
	/** Types on the keyboard ("\r" is Enter). */
	type: (keys: string) => void
	exited: Promise<number>
}

/** The CLI on a pseudo-terminal: stdin, stdout and stderr are all the terminal. */
function runOnTerminal(args: string[], options: { cwd: string; env?: Record<string, string> }): TerminalRun {
	let output = ''
	const decoder = new TextDecoder()
	const child = Bun.spawn([process.execPath, MAIN_TS, ...args], {
		cwd: options.cwd,
		env: baseEnv({ TERM: 'xterm-256color', ...options.env }),
		terminal: { cols: 200, rows: 40, data: (_terminal, data) => void (output += decoder.decode(data, { stream: true })) }
	})
	return {
		output: () => output,
		async waitFor(text) {
			const deadline = Date.now() + 10_000
			while (!output.includes(text)) {
				if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)}; output so far:\n${output}`)
				await Bun.sleep(10)
			}
		},
		type: (keys) => void child.terminal?.write(keys),
		// The last output can arrive just after the exit.
		exited: child.exited.then(async (code) => (await Bun.sleep(50), code))
	}
}

const SUBCOMMANDS = [
	'serve',
	'init',
	'init-db',
	'clear-queue',
	'refresh-counters',
	'clear-refresh',
	'refresh-milestones',
	'reset-milestone',
	'hard-reset-milestone',
	'import-legacy',
	'admin-link',
	'backup',
	'hash-password',
	'connect',
	'doctor',
	'overlay-urls'
]

describe('help without colour codes unless on a terminal; the global options are listed', () => {
	test('--help piped: no escape codes, every command, and --instance, --help and --version', async () => {
		const r = expectExit(await runTlapbot(['--help'], { cwd: makeTempDir() }), 0)
		expect(r.stdout).not.toContain(ESC)
		for (const name of SUBCOMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'))
		expect(r.stdout).toContain('USAGE tlapbot <command> [--instance <dir>] [options]')
		expect(r.stdout).toMatch(/^ {2}--instance <dir> +Instance folder/m)
		expect(r.stdout).toMatch(/^ {2}-h, --help +\S/m)
		expect(r.stdout).toMatch(/^ {2}-v, --version +Print the version$/m)
		expect(r.stdout).not.toContain('undefined')
	})

	test('<command> --help piped, and an error piped: no escape codes', async () => {
		const cwd = makeTempDir()
		for (const command of SUBCOMMANDS) {
			const r = expectExit(await runTlapbot([command, '--help'], { cwd }), 0)
			expect({ command, escapes: r.stdout.includes(ESC) }).toEqual({ command, escapes: false })
		}
		const clearHelp = expectExit(await runTlapbot(['clear-queue', '--help'], { cwd }), 0)
		expect(clearHelp.stdout).toContain('--refund')
		expect(clearHelp.stdout).toContain('-y, --yes')
		const bad = await runTlapbot(['frobnicate'], { cwd })
		expect(bad.stderr).not.toContain(ESC)
		expect(readdirSync(cwd)).toEqual([])
	})

	test('on a terminal the help is coloured; NO_COLOR (any value) and TERM=dumb turn that off', async () => {
		const cwd = makeTempDir()
		const coloured = runOnTerminal(['--help'], { cwd })
		expect(await coloured.exited).toBe(0)
		expect(coloured.output()).toContain(`${ESC}[`)
		expect(coloured.output()).toContain('--version')
		for (const env of [{ NO_COLOR: '1' }, { NO_COLOR: 'yes' }, { TERM: 'dumb' }]) {
			for (const args of [['--help'], ['init', '--help']]) {
				const plain = runOnTerminal(args, { cwd, env })
				expect(await plain.exited).toBe(0)
				expect({ env, args, escapes: plain.output().includes(ESC) }).toEqual({ env, args, escapes: false })
				expect(plain.output()).toContain('--instance')
			}
		}
	})
})

describe('--instance naming a file', () => {
	const COMMANDS = [
		['init'],
		['init-db'],
		['serve', '--port', '0'],
		['clear-queue'],
		['clear-queue', '--refund'],
		['refresh-counters'],
		['clear-refresh', '--yes'],
		['refresh-milestones'],
		['reset-milestone', 'go_nap'],
		['hard-reset-milestone', 'go_nap'],
		['admin-link'],
		['backup'],
		['import-legacy', 'old.sqlite'],
		['import-legacy', '--config', 'old']
	]

	for (const args of COMMANDS) {
		test(`${args.join(' ')}: exit 2, one line naming the path, the file untouched`, async () => {
			const cwd = makeTempDir()
			writeFileSync(join(cwd, 'notes.txt'), 'not a folder\n')
			const r = await runTlapbot([...args, '--instance', 'notes.txt'], { cwd })
			expectExit(r, 2)
			expect(r.stderr).toBe('error: --instance notes.txt: is a file, not a folder\n')
			expect(r.stderr).not.toContain('ENOTDIR')
			expect(hasStackTrace(r.stderr)).toBe(false)
			expect(readFileSync(join(cwd, 'notes.txt'), 'utf8')).toBe('not a folder\n')
			expect(readdirSync(cwd)).toEqual(['notes.txt'])
		})
	}

	test('a file further up the path, TLAPBOT_INSTANCE, and a file called ./instance are named too', async () => {
		const cwd = makeTempDir()
		writeFileSync(join(cwd, 'notes.txt'), '')
		const nested = await runTlapbot(['init', '--instance', 'notes.txt/bot'], { cwd })
		expectExit(nested, 2)
		expect(nested.stderr).toBe('error: --instance notes.txt/bot: notes.txt is a file, not a folder\n')
		const fromEnv = await runTlapbot(['init-db'], { cwd, env: { TLAPBOT_INSTANCE: 'notes.txt' } })
		expectExit(fromEnv, 2)
		expect(fromEnv.stderr).toBe('error: TLAPBOT_INSTANCE=notes.txt: is a file, not a folder\n')
		writeFileSync(join(cwd, 'instance'), '')
		const byDefault = await runTlapbot(['init'], { cwd })
		expectExit(byDefault, 2)
		expect(byDefault.stderr).toBe(
			'error: instance: is a file, not a folder (the default instance folder; give another with --instance <dir>)\n'
		)
		expect(readdirSync(cwd).sort()).toEqual(['instance', 'notes.txt'])
	})

	test('a folder (also a new one under an existing folder) still works', async () => {
		const cwd = makeTempDir()
		mkdirSync(join(cwd, 'bots'))
		expectExit(await runTlapbot(['init', '--instance', 'bots/one'], { cwd }), 0)
		expect(readdirSync(join(cwd, 'bots', 'one')).sort()).toEqual(['config.toml', 'redeems.toml'])
	})
})

describe('tlapbot hash-password', () => {
	const PASSWORD = 'correct horse battery'

	test('one line from a pipe: prints an argon2id admin_password line that config.toml accepts; never the password', async () => {
		const cwd = makeTempDir()
		const r = expectExit(await runWithInput(['hash-password'], `${PASSWORD}\r\nsecond line is ignored\n`, { cwd }), 0)
		expect(r.stdout).toMatch(/^admin_password = "\$argon2id\$v=19\$[^"\n]+"\n$/)
		expect(r.stdout + r.stderr).not.toContain(PASSWORD)
		expect(r.stderr).toContain('Put this line in config.toml')
		const hash = JSON.parse(r.stdout.slice('admin_password = '.length)) as string
		expect(await Bun.password.verify(PASSWORD, hash)).toBe(true)
		expect(await Bun.password.verify('second line is ignored', hash)).toBe(false)
		// Pasted into config.toml it loads, and the admin login accepts the password.
		const { instanceDir } = makeInstance()
		appendFileSync(join(instanceDir, 'config.toml'), r.stdout)
		const { config } = loadConfig(instanceDir, {})
		expect(config.admin_password).toBe(hash)
		expect(await checkPassword(config.admin_password ?? '', PASSWORD)).toBe(true)
		expect(await checkPassword(config.admin_password ?? '', 'wrong password')).toBe(false)
		// Each run salts afresh.
		const again = expectExit(await runWithInput(['hash-password'], PASSWORD, { cwd }), 0)
		expect(again.stdout).not.toBe(r.stdout)
	})

	test('shorter than 8 characters (the admin_password rule), longer than the login takes, or nothing: exit 1, nothing printed', async () => {
		const cwd = makeTempDir()
		const short = await runWithInput(['hash-password'], 'seven77\n', { cwd })
		expectExit(short, 1)
		expect(short.stdout).toBe('')
		expect(short.stderr).toBe('error: the password is shorter than 8 characters (what admin_password needs); nothing printed\n')
		expect(short.stderr).not.toContain('seven77')
		const long = await runWithInput(['hash-password'], `${'x'.repeat(1025)}\n`, { cwd })
		expectExit(long, 1)
		expect(long.stdout).toBe('')
		expect(long.stderr).toContain('longer than the 1024 characters the admin login accepts')
		expectExit(await runWithInput(['hash-password'], 'x'.repeat(1024), { cwd }), 0)
		const empty = await runTlapbot(['hash-password'], { cwd })
		expectExit(empty, 1)
		expect(empty.stdout).toBe('')
		expect(empty.stderr).toContain('error: no password on standard input')
		expect(readdirSync(cwd)).toEqual([])
	})

	test('on a terminal: asked twice without echo, the line printed; the password never appears', async () => {
		const run = runOnTerminal(['hash-password'], { cwd: makeTempDir() })
		await run.waitFor('Admin password: ')
		run.type(`${PASSWORD}\r`)
		await run.waitFor('Again, to check: ')
		run.type(`${PASSWORD}\r`)
		expect(await run.exited).toBe(0)
		const output = run.output()
		expect(output).not.toContain(PASSWORD)
		expect(output).not.toContain('correct') // not even part of it
		const line = /admin_password = ("\$argon2id\$[^"]+")/.exec(output)
		expect(line).not.toBeNull()
		expect(await Bun.password.verify(PASSWORD, JSON.parse(line?.[1] ?? '""') as string)).toBe(true)
	})

	test('on a terminal: two different answers, or a short one, print no hash', async () => {
		const differ = runOnTerminal(['hash-password'], { cwd: makeTempDir() })
		await differ.waitFor('Admin password: ')
		differ.type(`${PASSWORD}\r`)
		await differ.waitFor('Again, to check: ')
		differ.type('something else entirely\r')
		expect(await differ.exited).toBe(1)
		expect(differ.output()).toContain('error: the two passwords differ; nothing printed')
		expect(differ.output()).not.toContain('admin_password =')

		const short = runOnTerminal(['hash-password'], { cwd: makeTempDir() })
		await short.waitFor('Admin password: ')
		short.type('abc\r')
		expect(await short.exited).toBe(1)
		expect(short.output()).not.toContain('Again')
		expect(short.output()).toContain('shorter than 8 characters')
	})

	test('Ctrl+C at the prompt cancels without a hash', async () => {
		const run = runOnTerminal(['hash-password'], { cwd: makeTempDir() })
		await run.waitFor('Admin password: ')
		run.type('abc\u0003')
		expect(await run.exited).toBe(130)
		expect(run.output()).toContain('cancelled; nothing printed')
		expect(run.output()).not.toContain('admin_password =')
	})

	test('the admin page points binary users at `tlapbot hash-password`, not at Bun.password.hash', async () => {
		const html = String(await LoginPage({ passwordSet: false }))
		expect(html).toContain('<code>tlapbot hash-password</code>')
		expect(html).not.toContain('Bun.password')
	})
})

describe('clear-queue and clear-refresh with pending redemptions', () => {
	const REDEEMS = redeemsToml({
		hydrate: { type: 'list', price: 60 },
		react: { type: 'note', price: 200 },
		lurk: { type: 'counter', price: 1 }
	})

	/** A redemption paid for as a purchase would: the redemption row, the ledger row and the balance. */
	function addRedemption(db: Database, viewer: string, redeem: string, cost: number, status = 'pending'): number {
		const id = Number(
			db
				.query("INSERT INTO redemptions (redeem, redeem_type, viewer_id, cost, status, created_at) VALUES (?, 'list', ?, ?, ?, ?)")
				.run(redeem, viewer, cost, status, T0).lastInsertRowid
		)
		db.query("INSERT INTO ledger (viewer_id, delta, reason, redeem, redemption_id, created_at) VALUES (?, ?, 'redeem', ?, ?, ?)").run(
			viewer,
			-cost,
			redeem,
			id,
			T0
		)
		db.query('UPDATE viewers SET balance = balance - ? WHERE id = ?').run(cost, viewer)
		return id
	}

	/** u1 500 - 60 - 60 (one fulfilled) = 380, u2 300 - 200 = 100; two pending (60 by u1, 200 by u2). */
	function prepared() {
		const instance = makeInstance({ redeems: REDEEMS })
		withDb(instance.databasePath, (db) => {
			addViewer(db, 'u1', 500, T0)
			addViewer(db, 'u2', 300, T0)
			addRedemption(db, 'u1', 'hydrate', 60)
			addRedemption(db, 'u2', 'react', 200)
			addRedemption(db, 'u1', 'hydrate', 60, 'fulfilled')
			db.query("INSERT INTO counters (name, count) VALUES ('lurk', 4)").run()
		})
		return instance
	}

	const balances = (path: string) => withDb(path, (db) => db.query('SELECT id, balance FROM viewers ORDER BY id').all())
	const snapshot = (path: string) => withDb(path, (db) => dumpTables(db))

	for (const command of ['clear-queue', 'clear-refresh']) {
		test(`${command} not on a terminal refuses without --yes or --refund, says how, and changes nothing`, async () => {
			const { root, databasePath } = prepared()
			const before = snapshot(databasePath)
			const r = await runTlapbot([command], { cwd: root })
			expectExit(r, 1)
			expect(r.stdout).toBe('')
			expect(r.stderr).toBe(
				`error: ${command} would archive 2 pending redemptions without refunding; add --refund to give their points back first, or --yes to archive them as they are\n`
			)
			expect(snapshot(databasePath)).toEqual(before)
		})
	}

	test('nothing pending: no question, no flag needed', async () => {
		const { root, databasePath } = makeInstance({ redeems: REDEEMS })
		withDb(databasePath, (db) => {
			addViewer(db, 'u1', 100, T0)
			addRedemption(db, 'u1', 'hydrate', 60, 'fulfilled')
		})
		const r = expectExit(await runTlapbot(['clear-queue'], { cwd: root }), 0)
		expect(r.stdout).toBe('Cleared the redeem queue (1 entry archived) and set 0 counters to 0\n')
	})

	test('--yes archives without refunding and says so', async () => {
		const { root, databasePath } = prepared()
		const ledger = withDb(databasePath, (db) => tableRows(db, 'ledger'))
		const r = expectExit(await runTlapbot(['clear-queue', '--yes'], { cwd: root }), 0)
		expect(r.stdout).toBe('Cleared the redeem queue (3 entries archived, 2 of them pending and not refunded) and set 1 counter to 0\n')
		expect(balances(databasePath)).toEqual([
			{ id: 'u1', balance: 380 },
			{ id: 'u2', balance: 100 }
		])
		withDb(databasePath, (db) => {
			expect(tableRows(db, 'ledger')).toEqual(ledger)
			expect(db.query('SELECT count(*) AS n FROM redemptions WHERE cleared_at IS NULL').get()).toEqual({ n: 0 })
		})
	})

	test('--refund refunds every pending redemption exactly once, through the ledger and the audit log, then archives', async () => {
		const { root, databasePath } = prepared()
		const r = expectExit(await runTlapbot(['clear-queue', '--refund'], { cwd: root }), 0)
		expect(r.stdout).toBe(
			'Refunded 2 pending redemptions (260 points given back), cleared the redeem queue (3 entries archived) and set 1 counter to 0\n'
		)
		expect(balances(databasePath)).toEqual([
			{ id: 'u1', balance: 440 },
			{ id: 'u2', balance: 300 }
		])
		withDb(databasePath, (db) => {
			expect(ledgerInvariantViolations(db)).toEqual([])
			expect(
				db.query("SELECT viewer_id AS viewer, delta, redemption_id AS redemption FROM ledger WHERE reason = 'refund' ORDER BY id").all()
			).toEqual([
				{ viewer: 'u1', delta: 60, redemption: 1 },
				{ viewer: 'u2', delta: 200, redemption: 2 }
			])
			expect(db.query('SELECT id, status, cleared_at IS NOT NULL AS archived FROM redemptions ORDER BY id').all()).toEqual([
				{ id: 1, status: 'cancelled', archived: 1 },
				{ id: 2, status: 'cancelled', archived: 1 },
				{ id: 3, status: 'fulfilled', archived: 1 }
			])
			expect(db.query('SELECT actor, action, detail FROM audit_log ORDER BY id').all()).toEqual([
				{ actor: 'command line', action: 'refund', detail: '#1 hydrate by U1: queue cleared (refunded 60)' },
				{ actor: 'command line', action: 'refund', detail: '#2 react by U2: queue cleared (refunded 200)' }
			])
		})
		// Again: nothing pending any more, nothing refunded twice.
		const again = expectExit(await runTlapbot(['clear-queue', '--refund'], { cwd: root }), 0)
		expect(again.stdout).toBe('Refunded 0 pending redemptions (0 points given back), cleared the redeem queue (0 entries archived) and set 1 counter to 0\n')
		expect(balances(databasePath)).toEqual([
			{ id: 'u1', balance: 440 },
			{ id: 'u2', balance: 300 }
		])
		withDb(databasePath, (db) => expect(db.query("SELECT count(*) AS n FROM ledger WHERE reason = 'refund'").get()).toEqual({ n: 2 }))
	})

	test('clear-refresh --refund refreshes the counters and refunds too', async () => {
		const { root, databasePath } = prepared()
		const r = expectExit(await runTlapbot(['clear-refresh', '--refund'], { cwd: root }), 0)
		expect(r.stdout).toBe(
			'Refreshed counters (added none; removed none), refunded 2 pending redemptions (260 points given back), cleared the redeem queue (3 entries archived) and set 1 counter to 0\n'
		)
		withDb(databasePath, (db) => {
			expect(ledgerInvariantViolations(db)).toEqual([])
			expect(db.query("SELECT sum(delta) AS points FROM ledger WHERE reason = 'refund'").get()).toEqual({ points: 260 })
		})
	})

	test('on a terminal: asks, and "n" (or just Enter) changes nothing', async () => {
		const { root, databasePath } = prepared()
		const before = snapshot(databasePath)
		for (const answer of ['n\r', '\r']) {
			const run = runOnTerminal(['clear-queue'], { cwd: root })
			await run.waitFor('Archive 2 pending redemptions without refunding? [y/N] ')
			run.type(answer)
			expect(await run.exited).toBe(1)
			expect(run.output()).toContain('Nothing changed')
			expect(snapshot(databasePath)).toEqual(before)
		}
	})

	test('on a terminal: "y" archives without refunding', async () => {
		const { root, databasePath } = prepared()
		const run = runOnTerminal(['clear-refresh'], { cwd: root })
		await run.waitFor('Archive 2 pending redemptions without refunding? [y/N] ')
		run.type('y\r')
		expect(await run.exited).toBe(0)
		expect(run.output()).toContain('cleared the redeem queue (3 entries archived, 2 of them pending and not refunded)')
		expect(balances(databasePath)).toEqual([
			{ id: 'u1', balance: 380 },
			{ id: 'u2', balance: 100 }
		])
	})
})
