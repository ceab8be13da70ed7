import { test, expect, describe, setDefaultTimeout } from 'bun:test'
import { Database } from 'bun:sqlite'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pkg from '../../package.json' with { type: 'json' }
import { loadConfig } from '../../src/config/load.ts'
import { schemaVersion } from '../../src/db/database.ts'
import { migrations } from '../../src/db/migrations/index.ts'
import {
	addViewer,
	expectExit,
	hasStackTrace,
	ledgerInvariantViolations,
	makeInstance,
	makeTempDir,
	MINIMAL_CONFIG,
	redeemsToml,
	runTlapbot,
	tableRows,
	useTempDirs,
	withDb
} from '../helpers.ts'
import { SERVE_TIMEOUT_MS, startServe, useServes } from '../support/serve.ts'

// useServes first: Bun runs afterEach hooks in the order they are registered, so a serve left running by a
// failed test is killed before its temp folder is removed.
useServes()
useTempDirs()
// Each test runs the real CLI a few times (~100-200 ms each); leave room on a busy machine.
setDefaultTimeout(20_000)

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
	'backup',
	'admin-link',
	'hash-password'
]
const T0 = '2024-05-01T18:03:11.000Z'
const T1 = '2024-05-02T10:00:00.000Z'

function addRedemption(db: Database, viewer: string, redeem: string, cost: number, extra: { status?: string; cleared_at?: string; note?: string } = {}): void {
	const type = extra.note === undefined ? 'list' : 'note'
	const result = db
		.query('INSERT INTO redemptions (redeem, redeem_type, viewer_id, cost, note, status, created_at, cleared_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
		.run(redeem, type, viewer, cost, extra.note ?? null, extra.status ?? 'pending', T0, extra.cleared_at ?? null)
	db.query("INSERT INTO ledger (viewer_id, delta, reason, redeem, redemption_id, created_at) VALUES (?, ?, 'redeem', ?, ?, ?)").run(
		viewer,
		-cost,
		redeem,
		Number(result.lastInsertRowid),
		T0
	)
	db.query('UPDATE viewers SET balance = balance - ? WHERE id = ?').run(cost, viewer)
}

const setCounter = (db: Database, name: string, count: number) =>
	db.query('INSERT INTO counters (name, count) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET count = excluded.count').run(name, count)

function setMilestone(db: Database, name: string, progress: number, goal: number): void {
	const completed = progress >= goal ? 1 : 0
	db.query(
		`INSERT INTO milestones (name, progress, goal, completed, completed_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET progress = excluded.progress, goal = excluded.goal, completed = excluded.completed, completed_at = excluded.completed_at`
	).run(name, progress, goal, completed, completed ? T1 : null)
}

const counters = (path: string) => withDb(path, (db) => tableRows(db, 'counters'))
const milestones = (path: string) =>
	withDb(path, (db) => db.query('SELECT name, progress, goal, completed, completed_at FROM milestones ORDER BY name').all())

/** A result that failed the way a user mistake should: this code, a one-line error, no stack trace. */
function expectUserError(result: { code: number; stdout: string; stderr: string }, code: number, message: string | RegExp): void {
	expectExit(result, code)
	if (typeof message === 'string') expect(result.stderr).toContain(message)
	else expect(result.stderr).toMatch(message)
	expect(result.stderr).toStartWith('error: ')
	expect(hasStackTrace(result.stderr)).toBe(false)
	expect(hasStackTrace(result.stdout)).toBe(false)
}

const REDEEMS = redeemsToml({
	hydrate: { type: 'list', price: 60 },
	react: { type: 'note', price: 200 },
	lurk: { type: 'counter', price: 1 },
	clap: { type: 'counter', price: 2 },
	go_nap: { type: 'milestone', goal: 1000 },
	stretch: { type: 'milestone', goal: 100 }
})

describe('global options', () => {
	test('--version and -v print the package version', async () => {
		const cwd = makeTempDir()
		for (const flag of ['--version', '-v']) {
			const r = expectExit(await runTlapbot([flag], { cwd }), 0)
			expect(r.stdout).toBe(`${pkg.version}\n`)
			expect(r.stderr).toBe('')
		}
		expect(readdirSync(cwd)).toEqual([])
	})

	test('--help lists every subcommand and exits 0', async () => {
		const r = expectExit(await runTlapbot(['--help'], { cwd: makeTempDir() }), 0)
		for (const name of SUBCOMMANDS) expect(r.stdout).toContain(name)
	})

	test('no command prints the usage and exits 1', async () => {
		const r = expectExit(await runTlapbot([], { cwd: makeTempDir() }), 1)
		for (const name of SUBCOMMANDS) expect(r.stdout).toContain(name)
	})

	test('<command> --help describes the command and its options without running it', async () => {
		const cwd = makeTempDir()
		const r = expectExit(await runTlapbot(['init', '--help'], { cwd }), 0)
		expect(r.stdout).toContain('--instance')
		expect(existsSync(join(cwd, 'instance'))).toBe(false)
		const serve = expectExit(await runTlapbot(['serve', '--help'], { cwd }), 0)
		expect(serve.stdout).toContain('--port')
		expect(existsSync(join(cwd, 'instance'))).toBe(false)
	})

	test('an unknown command exits 1 and says so', async () => {
		const r = await runTlapbot(['frobnicate'], { cwd: makeTempDir() })
		expectUserError(r, 1, 'unknown command "frobnicate"')
	})

	test('an unknown flag exits 1, names the flag, and does nothing', async () => {
		const cwd = makeTempDir()
		expectUserError(await runTlapbot(['init', '--prot', '3'], { cwd }), 1, 'unknown option --prot for `tlapbot init`')
		expectUserError(await runTlapbot(['serve', '--instnace=x'], { cwd }), 1, 'unknown option --instnace for `tlapbot serve`')
		expect(readdirSync(cwd)).toEqual([])
	})
})

describe('init', () => {
	test('creates ./instance with both files, lists them, and the config loads with a fresh secret', async () => {
		const cwd = makeTempDir()
		const r = expectExit(await runTlapbot(['init'], { cwd }), 0)
		expect(r.stdout).toContain('Created instance, instance/config.toml, instance/redeems.toml')
		const { config } = loadConfig(join(cwd, 'instance'), {})
		expect(config.secret_key).toMatch(/^[0-9a-f]{64}$/)
		expect(readFileSync(join(cwd, 'instance', 'redeems.toml'), 'utf8')).toContain('[redeems.go_nap]')
		// init does not create the database.
		expect(readdirSync(join(cwd, 'instance')).sort()).toEqual(['config.toml', 'redeems.toml'])
	})

	test('twice: exits 0, creates nothing and keeps the files', async () => {
		const cwd = makeTempDir()
		expectExit(await runTlapbot(['init'], { cwd }), 0)
		const config = readFileSync(join(cwd, 'instance', 'config.toml'), 'utf8')
		const r = expectExit(await runTlapbot(['init'], { cwd }), 0)
		expect(r.stdout).toContain('already has config.toml and redeems.toml; nothing created')
		expect(r.stdout).not.toContain('Created')
		expect(readFileSync(join(cwd, 'instance', 'config.toml'), 'utf8')).toBe(config)
	})

	test('an existing empty folder gets both files; the folder is not listed as created', async () => {
		const cwd = makeTempDir()
		mkdirSync(join(cwd, 'instance'))
		const r = expectExit(await runTlapbot(['init'], { cwd }), 0)
		expect(r.stdout).toContain('Created instance/config.toml, instance/redeems.toml;')
	})

	test('only the missing file is created; an existing one is kept byte for byte', async () => {
		const { root, instanceDir } = makeInstance({ config: `# mine\n${MINIMAL_CONFIG}port = 8123\n` })
		const r = expectExit(await runTlapbot(['init'], { cwd: root }), 0)
		expect(r.stdout).toContain('Created instance/redeems.toml;')
		expect(r.stdout).not.toContain('instance/config.toml')
		expect(readFileSync(join(instanceDir, 'config.toml'), 'utf8')).toBe(`# mine\n${MINIMAL_CONFIG}port = 8123\n`)
	})

	test('--instance is relative to the working directory', async () => {
		const cwd = makeTempDir()
		expectExit(await runTlapbot(['init', '--instance', 'sub/bot'], { cwd }), 0)
		expect(readdirSync(join(cwd, 'sub', 'bot')).sort()).toEqual(['config.toml', 'redeems.toml'])
		expect(existsSync(join(cwd, 'instance'))).toBe(false)
		expectExit(await runTlapbot(['init', '--instance=other'], { cwd }), 0)
		expect(existsSync(join(cwd, 'other', 'config.toml'))).toBe(true)
	})

	test('--instance takes an absolute path', async () => {
		const cwd = makeTempDir()
		const target = join(makeTempDir(), 'abs')
		expectExit(await runTlapbot(['init', '--instance', target], { cwd }), 0)
		expect(existsSync(join(target, 'config.toml'))).toBe(true)
		expect(readdirSync(cwd)).toEqual([])
	})

	test('TLAPBOT_INSTANCE is relative to the working directory; --instance wins over it', async () => {
		const cwd = makeTempDir()
		expectExit(await runTlapbot(['init'], { cwd, env: { TLAPBOT_INSTANCE: 'from-env' } }), 0)
		expect(existsSync(join(cwd, 'from-env', 'config.toml'))).toBe(true)
		expectExit(await runTlapbot(['init', '--instance', 'from-flag'], { cwd, env: { TLAPBOT_INSTANCE: 'from-env2' } }), 0)
		expect(existsSync(join(cwd, 'from-flag', 'config.toml'))).toBe(true)
		expect(existsSync(join(cwd, 'from-env2'))).toBe(false)
		expect(existsSync(join(cwd, 'instance'))).toBe(false)
	})

	test('an existing broken config.toml is reported (exit 2) and left alone', async () => {
		const { root, instanceDir } = makeInstance({ config: `${MINIMAL_CONFIG}prefix = "ab"\n` })
		const r = await runTlapbot(['init'], { cwd: root })
		expectUserError(r, 2, 'instance/config.toml: prefix: expected exactly one character')
		expect(readFileSync(join(instanceDir, 'config.toml'), 'utf8')).toBe(`${MINIMAL_CONFIG}prefix = "ab"\n`)
	})
})

describe('configuration errors stop every command with exit 2', () => {
	const brokenConfig = `${MINIMAL_CONFIG}port = "eighty"\n`
	const commands = [['init-db'], ['clear-queue'], ['refresh-counters'], ['clear-refresh'], ['refresh-milestones'], ['reset-milestone', 'go_nap'], ['hard-reset-milestone', 'go_nap'], ['serve', '--port', '0']]
	for (const args of commands) {
		test(`${args[0]}: bad config.toml names the file, key and expectation`, async () => {
			const { root, databasePath } = makeInstance({ config: brokenConfig })
			const r = await runTlapbot(args, { cwd: root })
			expectUserError(r, 2, 'error: instance/config.toml: port: expected a port number from 0 to 65535, got "eighty"')
			expect(existsSync(databasePath)).toBe(false)
		})
	}

	test('a bad redeems.toml gives the documented message', async () => {
		const { root } = makeInstance({ redeems: '[redeems.go_nap]\ntype = "milestone"\ngoal = "lots"\n' })
		expectUserError(
			await runTlapbot(['init-db'], { cwd: root }),
			2,
			'instance/redeems.toml: redeems.go_nap.goal: expected a positive integer, got "lots"'
		)
	})

	test('an unknown key gets a did-you-mean hint', async () => {
		const { root } = makeInstance({ config: `${MINIMAL_CONFIG}log_levle = "debug"\n` })
		expectUserError(await runTlapbot(['init-db'], { cwd: root }), 2, 'instance/config.toml: log_levle: unknown key; did you mean "log_level"?')
	})

	test('a TOML syntax error names the file and line', async () => {
		const { root } = makeInstance({ config: `${MINIMAL_CONFIG}\nport = = 1\n` })
		expectUserError(await runTlapbot(['init-db'], { cwd: root }), 2, /error: instance\/config\.toml:3:\d+: invalid TOML/)
	})

	test('a bad TLAPBOT_ variable names the variable', async () => {
		const { root } = makeInstance()
		expectUserError(
			await runTlapbot(['init-db'], { cwd: root, env: { TLAPBOT_POINTS_CYCLE_TIME: 'often' } }),
			2,
			'TLAPBOT_POINTS_CYCLE_TIME (environment): points_cycle_time: expected a whole number of seconds, at least 1, got "often"'
		)
	})

	test('an unknown TLAPBOT_ variable is only a warning', async () => {
		const { root } = makeInstance()
		const r = expectExit(await runTlapbot(['init-db'], { cwd: root, env: { TLAPBOT_PROT: '1' } }), 0)
		expect(r.stderr).toContain('warning: TLAPBOT_PROT is not a tlapbot setting and is ignored; did you mean TLAPBOT_PORT?')
	})

	test('a missing instance says to run init (exit 2)', async () => {
		const cwd = makeTempDir()
		expectUserError(await runTlapbot(['init-db'], { cwd }), 2, 'instance/config.toml not found: run `tlapbot init`')
		expect(readdirSync(cwd)).toEqual([])
	})
})

describe('init-db', () => {
	test('creates the database with the counters and milestones from redeems.toml; a second run changes nothing', async () => {
		const { root, databasePath } = makeInstance({ redeems: REDEEMS })
		const first = expectExit(await runTlapbot(['init-db'], { cwd: root }), 0)
		expect(first.stdout).toBe(
			`Database instance/tlapbot.sqlite ready (schema version ${migrations.length}, migrated from 0); counters added: lurk, clap; milestones added: go_nap, stretch\n`
		)
		expect(counters(databasePath)).toEqual([
			{ name: 'clap', count: 0 },
			{ name: 'lurk', count: 0 }
		])
		expect(milestones(databasePath)).toEqual([
			{ name: 'go_nap', progress: 0, goal: 1000, completed: 0, completed_at: null },
			{ name: 'stretch', progress: 0, goal: 100, completed: 0, completed_at: null }
		])
		const dump = withDb(databasePath, (db) => ({ c: tableRows(db, 'counters'), m: tableRows(db, 'milestones'), v: schemaVersion(db) }))
		const second = expectExit(await runTlapbot(['init-db'], { cwd: root }), 0)
		expect(second.stdout).toBe(
			`Database instance/tlapbot.sqlite ready (schema version ${migrations.length}, already up to date); counters added: none; milestones added: none\n`
		)
		expect(withDb(databasePath, (db) => ({ c: tableRows(db, 'counters'), m: tableRows(db, 'milestones'), v: schemaVersion(db) }))).toEqual(dump)
	})

	test('adds what is new, keeps existing values, removes nothing, leaves goals alone', async () => {
		const { root, instanceDir, databasePath } = makeInstance({ redeems: REDEEMS })
		withDb(databasePath, (db) => {
			setCounter(db, 'lurk', 5)
			setCounter(db, 'old_counter', 9)
			setMilestone(db, 'go_nap', 300, 1000)
			setMilestone(db, 'old_goal', 4, 10)
			setMilestone(db, 'stretch', 20, 50)
		})
		writeFileSync(join(instanceDir, 'redeems.toml'), REDEEMS + redeemsToml({ wave: { type: 'counter', price: 1 }, party: { type: 'milestone', goal: 5 } }))
		const r = expectExit(await runTlapbot(['init-db'], { cwd: root }), 0)
		expect(r.stdout).toContain('already up to date); counters added: clap, wave; milestones added: party')
		expect(counters(databasePath)).toEqual([
			{ name: 'clap', count: 0 },
			{ name: 'lurk', count: 5 },
			{ name: 'old_counter', count: 9 },
			{ name: 'wave', count: 0 }
		])
		expect(milestones(databasePath)).toEqual([
			{ name: 'go_nap', progress: 300, goal: 1000, completed: 0, completed_at: null },
			{ name: 'old_goal', progress: 4, goal: 10, completed: 0, completed_at: null },
			{ name: 'party', progress: 0, goal: 5, completed: 0, completed_at: null },
			{ name: 'stretch', progress: 20, goal: 50, completed: 0, completed_at: null }
		])
	})

	test('without redeems.toml, the default redeems are used', async () => {
		const { root, databasePath } = makeInstance()
		const r = expectExit(await runTlapbot(['init-db'], { cwd: root }), 0)
		expect(r.stdout).toContain('counters added: lurk; milestones added: go_nap')
		expect(counters(databasePath)).toEqual([{ name: 'lurk', count: 0 }])
	})

	test('the database setting is relative to the instance folder, not the working directory', async () => {
		const { root, instanceDir } = makeInstance({ config: `${MINIMAL_CONFIG}database = "data/bot.sqlite"\n` })
		expectExit(await runTlapbot(['init-db'], { cwd: root }), 0)
		expect(existsSync(join(instanceDir, 'data', 'bot.sqlite'))).toBe(true)
		expect(existsSync(join(root, 'data'))).toBe(false)
	})

	test('a database from a newer tlapbot is refused without a stack trace', async () => {
		const { root, databasePath } = makeInstance()
		const db = new Database(databasePath, { create: true })
		db.run(`PRAGMA user_version = ${migrations.length + 5}`)
		db.close()
		expectUserError(await runTlapbot(['init-db'], { cwd: root }), 1, `the database schema is version ${migrations.length + 5}, newer than this tlapbot knows`)
	})
})

describe('clear-queue', () => {
	test('archives every queue entry, deletes nothing, and sets every counter to 0', async () => {
		const { root, databasePath } = makeInstance({ redeems: REDEEMS })
		withDb(databasePath, (db) => {
			addViewer(db, 'u1', 500, T0)
			addViewer(db, 'u2', 300, T0)
			addRedemption(db, 'u1', 'hydrate', 60)
			addRedemption(db, 'u2', 'react', 200, { note: 'https://example.com/v' })
			addRedemption(db, 'u1', 'hydrate', 60, { status: 'fulfilled' })
			addRedemption(db, 'u2', 'hydrate', 60, { status: 'rejected', cleared_at: T1 })
			setCounter(db, 'lurk', 12)
			setCounter(db, 'clap', 3)
		})
		const before = withDb(databasePath, (db) => ({
			redemptions: tableRows(db, 'redemptions'),
			ledger: tableRows(db, 'ledger'),
			viewers: tableRows(db, 'viewers')
		}))
		const startedAt = Date.now()
		const r = expectExit(await runTlapbot(['clear-queue', '--yes'], { cwd: root }), 0)
		const endedAt = Date.now()
		expect(r.stdout).toBe('Cleared the redeem queue (3 entries archived, 2 of them pending and not refunded) and set 2 counters to 0\n')

		withDb(databasePath, (db) => {
			const after = tableRows(db, 'redemptions')
			expect(after).toHaveLength(4)
			for (const [i, row] of after.entries()) {
				const old = before.redemptions[i] as Record<string, unknown>
				// Only cleared_at may change, and only where it was empty.
				expect({ ...row, cleared_at: null }).toEqual({ ...old, cleared_at: null })
				if (old.cleared_at) expect(row.cleared_at).toBe(old.cleared_at)
				else {
					const at = Date.parse(String(row.cleared_at))
					expect(row.cleared_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
					expect(at).toBeGreaterThanOrEqual(startedAt - 1000)
					expect(at).toBeLessThanOrEqual(endedAt + 1000)
				}
			}
			expect(db.query('SELECT count(*) AS n FROM redemptions WHERE cleared_at IS NULL').get()).toEqual({ n: 0 })
			expect(tableRows(db, 'ledger')).toEqual(before.ledger)
			expect(tableRows(db, 'viewers')).toEqual(before.viewers)
			expect(tableRows(db, 'counters')).toEqual([
				{ name: 'clap', count: 0 },
				{ name: 'lurk', count: 0 }
			])
			expect(ledgerInvariantViolations(db)).toEqual([])
		})

		// Again: nothing left to archive, earlier archive times kept.
		const archived = withDb(databasePath, (db) => tableRows(db, 'redemptions'))
		const again = expectExit(await runTlapbot(['clear-queue'], { cwd: root }), 0)
		expect(again.stdout).toContain('(0 entries archived)')
		expect(withDb(databasePath, (db) => tableRows(db, 'redemptions'))).toEqual(archived)
	})

	test('creates and migrates a missing database', async () => {
		const { root, databasePath } = makeInstance()
		const r = expectExit(await runTlapbot(['clear-queue'], { cwd: root }), 0)
		expect(r.stdout).toContain('(0 entries archived) and set 0 counters to 0')
		expect(withDb(databasePath, (db) => schemaVersion(db))).toBe(migrations.length)
	})
})

describe('refresh-counters and clear-refresh', () => {
	const EDITED = redeemsToml({
		hydrate: { type: 'list', price: 60 },
		Clap: { type: 'counter', price: 2 },
		wave: { type: 'counter', price: 1 },
		go_nap: { type: 'milestone', goal: 1000 }
	})

	/** An instance whose database has counters lurk=5, clap=7 and a pending redemption, then redeems.toml edited. */
	function prepared() {
		const instance = makeInstance({ redeems: REDEEMS })
		withDb(instance.databasePath, (db) => {
			setCounter(db, 'lurk', 5)
			setCounter(db, 'clap', 7)
			setMilestone(db, 'go_nap', 40, 1000)
			addViewer(db, 'u1', 100, T0)
			addRedemption(db, 'u1', 'hydrate', 60)
		})
		writeFileSync(join(instance.instanceDir, 'redeems.toml'), EDITED)
		return instance
	}

	test('refresh-counters removes counters not in redeems.toml, adds new ones, keeps the others (names ignore case)', async () => {
		const { root, databasePath } = prepared()
		const r = expectExit(await runTlapbot(['refresh-counters'], { cwd: root }), 0)
		expect(r.stdout).toBe('Refreshed counters: added wave; removed lurk\n')
		expect(counters(databasePath)).toEqual([
			{ name: 'clap', count: 7 },
			{ name: 'wave', count: 0 }
		])
		// The queue and milestones are not touched.
		withDb(databasePath, (db) => {
			expect(db.query('SELECT count(*) AS n FROM redemptions WHERE cleared_at IS NULL').get()).toEqual({ n: 1 })
		})
		expect(milestones(databasePath)).toEqual([{ name: 'go_nap', progress: 40, goal: 1000, completed: 0, completed_at: null }])
		const again = expectExit(await runTlapbot(['refresh-counters'], { cwd: root }), 0)
		expect(again.stdout).toBe('Refreshed counters: added none; removed none\n')
	})

	test('clear-refresh does both: refreshed counters all at 0, queue archived', async () => {
		const { root, databasePath } = prepared()
		const r = expectExit(await runTlapbot(['clear-refresh', '--yes'], { cwd: root }), 0)
		expect(r.stdout).toBe(
			'Refreshed counters (added wave; removed lurk), cleared the redeem queue (1 entry archived, 1 of them pending and not refunded) and set 2 counters to 0\n'
		)
		expect(counters(databasePath)).toEqual([
			{ name: 'clap', count: 0 },
			{ name: 'wave', count: 0 }
		])
		withDb(databasePath, (db) => {
			expect(db.query('SELECT count(*) AS n, count(cleared_at) AS cleared FROM redemptions').get()).toEqual({ n: 1, cleared: 1 })
			expect(db.query('SELECT count(*) AS n FROM ledger').get()).toEqual({ n: 2 })
			expect(ledgerInvariantViolations(db)).toEqual([])
		})
		expect(milestones(databasePath)).toEqual([{ name: 'go_nap', progress: 40, goal: 1000, completed: 0, completed_at: null }])
	})
})

describe('refresh-milestones', () => {
	test('removes stale milestones, adds new ones, applies changed goals with completion recomputed, keeps progress', async () => {
		const { root, instanceDir, databasePath } = makeInstance({
			redeems: redeemsToml({
				go_nap: { type: 'milestone', goal: 1000 },
				stretch: { type: 'milestone', goal: 100 },
				done_one: { type: 'milestone', goal: 100 },
				old: { type: 'milestone', goal: 50 },
				lurk: { type: 'counter', price: 1 }
			})
		})
		withDb(databasePath, (db) => {
			setMilestone(db, 'go_nap', 500, 1000)
			setMilestone(db, 'stretch', 80, 100)
			setMilestone(db, 'done_one', 120, 100)
			setMilestone(db, 'old', 10, 50)
			setCounter(db, 'lurk', 4)
		})
		writeFileSync(
			join(instanceDir, 'redeems.toml'),
			redeemsToml({
				go_nap: { type: 'milestone', goal: 400 },
				stretch: { type: 'milestone', goal: 100 },
				done_one: { type: 'milestone', goal: 200 },
				party: { type: 'milestone', goal: 10 }
			})
		)
		const startedAt = Date.now()
		const r = expectExit(await runTlapbot(['refresh-milestones'], { cwd: root }), 0)
		expect(r.stdout).toBe(
			'Refreshed milestones: added party; removed old; goal changed go_nap (goal 1000 -> 400), done_one (goal 100 -> 200)\n'
		)
		const rows = milestones(databasePath)
		const goNap = (rows as { name: string; completed_at: string | null }[]).find((m) => m.name === 'go_nap')
		expect(Date.parse(String(goNap?.completed_at))).toBeGreaterThanOrEqual(startedAt - 1000)
		expect(rows).toEqual([
			{ name: 'done_one', progress: 120, goal: 200, completed: 0, completed_at: null },
			{ name: 'go_nap', progress: 500, goal: 400, completed: 1, completed_at: goNap?.completed_at ?? 'missing' },
			{ name: 'party', progress: 0, goal: 10, completed: 0, completed_at: null },
			{ name: 'stretch', progress: 80, goal: 100, completed: 0, completed_at: null }
		])
		// Counters are not milestones' business.
		expect(counters(databasePath)).toEqual([{ name: 'lurk', count: 4 }])
		const again = expectExit(await runTlapbot(['refresh-milestones'], { cwd: root }), 0)
		expect(again.stdout).toBe('Refreshed milestones: added none; removed none; goal changed none\n')
	})

	test('a completed milestone keeps its completion time when its goal changes but stays reached', async () => {
		const { root, instanceDir, databasePath } = makeInstance({ redeems: redeemsToml({ go_nap: { type: 'milestone', goal: 100 } }) })
		withDb(databasePath, (db) => setMilestone(db, 'go_nap', 150, 100))
		writeFileSync(join(instanceDir, 'redeems.toml'), redeemsToml({ go_nap: { type: 'milestone', goal: 120 } }))
		expectExit(await runTlapbot(['refresh-milestones'], { cwd: root }), 0)
		expect(milestones(databasePath)).toEqual([{ name: 'go_nap', progress: 150, goal: 120, completed: 1, completed_at: T1 }])
	})
})

describe('reset-milestone and hard-reset-milestone', () => {
	function prepared() {
		const instance = makeInstance({ redeems: REDEEMS })
		withDb(instance.databasePath, (db) => {
			setMilestone(db, 'go_nap', 1200, 1000)
			setMilestone(db, 'stretch', 50, 100)
			setCounter(db, 'lurk', 3)
		})
		return instance
	}

	test('reset-milestone resets a complete milestone', async () => {
		const { root, databasePath } = prepared()
		const r = expectExit(await runTlapbot(['reset-milestone', 'go_nap'], { cwd: root }), 0)
		expect(r.stdout).toBe('Reset milestone go_nap (was 1200/1000, complete)\n')
		expect(milestones(databasePath)).toEqual([
			{ name: 'go_nap', progress: 0, goal: 1000, completed: 0, completed_at: null },
			{ name: 'stretch', progress: 50, goal: 100, completed: 0, completed_at: null }
		])
	})

	test('reset-milestone ignores case in the name', async () => {
		const { root, databasePath } = prepared()
		expectExit(await runTlapbot(['reset-milestone', 'GO_NAP'], { cwd: root }), 0)
		expect(milestones(databasePath)[0]).toMatchObject({ name: 'go_nap', progress: 0, completed: 0 })
	})

	test('reset-milestone leaves an incomplete milestone alone, says why, and exits 0', async () => {
		const { root, databasePath } = prepared()
		const before = milestones(databasePath)
		const r = expectExit(await runTlapbot(['reset-milestone', 'stretch'], { cwd: root }), 0)
		expect(r.stdout).toBe(
			'Milestone stretch is not complete (50/100); nothing reset. Use hard-reset-milestone to reset it anyway\n'
		)
		expect(milestones(databasePath)).toEqual(before)
	})

	test('hard-reset-milestone resets an incomplete milestone, and a complete one', async () => {
		const { root, databasePath } = prepared()
		const r = expectExit(await runTlapbot(['hard-reset-milestone', 'stretch'], { cwd: root }), 0)
		expect(r.stdout).toBe('Reset milestone stretch (was 50/100)\n')
		const r2 = expectExit(await runTlapbot(['hard-reset-milestone', 'go_nap'], { cwd: root }), 0)
		expect(r2.stdout).toBe('Reset milestone go_nap (was 1200/1000, complete)\n')
		expect(milestones(databasePath)).toEqual([
			{ name: 'go_nap', progress: 0, goal: 1000, completed: 0, completed_at: null },
			{ name: 'stretch', progress: 0, goal: 100, completed: 0, completed_at: null }
		])
	})

	for (const command of ['reset-milestone', 'hard-reset-milestone']) {
		test(`${command}: an unknown name, a counter or another redeem is a clear error (exit 1) and changes nothing`, async () => {
			const { root, databasePath } = prepared()
			const before = { m: milestones(databasePath), c: counters(databasePath) }
			expectUserError(await runTlapbot([command, 'nope'], { cwd: root }), 1, 'no milestone named "nope"; milestones: go_nap, stretch')
			expectUserError(
				await runTlapbot([command, 'lurk'], { cwd: root }),
				1,
				'"lurk" is a counter, not a milestone; counters are reset by clear-queue'
			)
			// A counter named in redeems.toml but not yet in the database is still recognised as a counter.
			expectUserError(await runTlapbot([command, 'clap'], { cwd: root }), 1, '"clap" is a counter, not a milestone')
			expectUserError(await runTlapbot([command, 'hydrate'], { cwd: root }), 1, '"hydrate" is a list redeem, not a milestone')
			expectUserError(await runTlapbot([command], { cwd: root }), 1, /NAME/)
			expect({ m: milestones(databasePath), c: counters(databasePath) }).toEqual(before)
		})
	}

	test('a milestone from redeems.toml that is not in the database yet says to run init-db', async () => {
		const { root, databasePath } = makeInstance({ redeems: REDEEMS })
		withDb(databasePath, () => {})
		expectUserError(
			await runTlapbot(['reset-milestone', 'go_nap'], { cwd: root }),
			1,
			'milestone "go_nap" is not in the database yet; run `tlapbot init-db` first'
		)
	})
})

describe('serve', () => {
	// Starting and stopping serve each wait up to SERVE_TIMEOUT_MS before failing; the test may take that long.
	test(
		'creates the instance and database, answers /healthz, and exits 0 on SIGTERM',
		async () => {
			const cwd = makeTempDir()
			const served = await startServe({ cwd, args: ['--port', '0'] })
			// The address as serve printed it (startServe has already waited for this line).
			const url = /listening on (http:\/\/[^\s]+:\d+)/.exec(served.stdout())?.[1]
			expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
			expect(url).not.toEndWith(':0')
			const response = await fetch(`${url}/healthz`)
			expect(response.status).toBe(200)
			expect(await response.json()).toEqual({ status: 'ok', version: pkg.version, database: 'ok' })
			expect((await fetch(`${url}/no-such-page`)).status).toBe(404)
			expect(served.stdout()).toContain('created instance/config.toml')
			expect(served.stdout()).toContain('created instance/redeems.toml')

			// stop() sends SIGTERM and resolves with the exit code once the process has exited and its output is read.
			expect(await served.stop()).toBe(0)
			expect(served.stdout()).toContain('SIGTERM received, shutting down')
			expect(hasStackTrace(served.stderr())).toBe(false)

			const databasePath = join(cwd, 'instance', 'tlapbot.sqlite')
			expect(existsSync(databasePath)).toBe(true)
			withDb(databasePath, (db) => {
				expect(schemaVersion(db)).toBe(migrations.length)
				expect(tableRows(db, 'counters')).toEqual([{ name: 'lurk', count: 0 }])
				expect(db.query('SELECT name, goal FROM milestones').all()).toEqual([{ name: 'go_nap', goal: 1000 }])
			})
		},
		SERVE_TIMEOUT_MS * 3
	)

	// Where serve must fail to start, runTlapbot (which waits for the exit) is the tool, not startServe.
	test('a bad --port exits 2 without creating the database', async () => {
		const { root, databasePath } = makeInstance()
		expectUserError(await runTlapbot(['serve', '--port', 'eighty'], { cwd: root }), 2, '--port: expected a port number from 0 to 65535, got "eighty"')
		expectUserError(await runTlapbot(['serve', '--port', '70000'], { cwd: root }), 2, '--port: expected a port number')
		expect(existsSync(databasePath)).toBe(false)
	})

	test('a port already in use exits 2 with a clear message', async () => {
		const blocker = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('busy') })
		try {
			const { root } = makeInstance()
			const r = await runTlapbot(['serve', '--port', String(blocker.port)], { cwd: root })
			expectUserError(r, 2, `cannot listen on 127.0.0.1:${blocker.port}`)
		} finally {
			blocker.stop(true)
		}
	})

	test('serve logs how many redeems it loaded, by type, and warns when there are none', async () => {
		const served = await startServe({ cwd: makeInstance().root })
		await served.waitForOutput('6 redeems loaded from redeems.toml, by type: 1 list, 1 counter, 3 note, 1 milestone')
		await served.stop()
		const empty = await startServe({ cwd: makeInstance({ redeems: '# nothing yet\n' }).root })
		await empty.waitForOutput('0 redeems loaded from redeems.toml')
		await empty.waitForOutput('no redeems: redeems.toml defines none, so viewers can earn points but not spend them')
		await empty.stop()
	}, SERVE_TIMEOUT_MS * 4)

	test('a second serve on the port of a running one exits 2 instead of sharing the port', async () => {
		const first = await startServe({ cwd: makeInstance().root })
		const { root } = makeInstance()
		const r = await runTlapbot(['serve', '--port', String(first.port)], { cwd: root })
		expectUserError(r, 2, `cannot listen on 127.0.0.1:${first.port}`)
		await first.stop()
	}, SERVE_TIMEOUT_MS * 3)
})

describe('argument mistakes', () => {
	test('options before the command are refused with a hint', async () => {
		const dir = makeTempDir()
		const r = await runTlapbot(['--instance', 'x', 'init'], { cwd: dir })
		expect(r.code).toBe(1)
		expect(r.stderr).toContain('options go after the command')
		expect(existsSync(join(dir, 'x'))).toBe(false)
	})

	test('an extra positional argument is refused', async () => {
		const dir = makeTempDir()
		const r = await runTlapbot(['reset-milestone', 'go_nap', 'extra'], { cwd: dir })
		expect(r.code).toBe(1)
		expect(r.stderr).toContain('unexpected argument "extra"')
	})
})
