import { test, expect, describe, setDefaultTimeout } from 'bun:test'
import { Database } from 'bun:sqlite'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig, loadRedeems, parseRedeems } from '../../src/config/load.ts'
import { openDatabase } from '../../src/db/database.ts'
import { importLegacyDatabase, LegacyImportError, legacyTimeToIso } from '../../src/modules/legacy/import-db.ts'
import type { Redeem } from '../../src/modules/redeems/model.ts'
import {
	dumpTables,
	expectExit,
	hasStackTrace,
	ledgerInvariantViolations,
	makeInstance,
	makeTempDir,
	redeemsToml,
	runTlapbot,
	tableRows,
	useTempDirs
} from '../helpers.ts'

useTempDirs()
// Each test runs the real CLI a few times (~100-200 ms each); leave room on a busy machine.
setDefaultTimeout(20_000)

/** The original (Python) tlapbot's schema. */
const LEGACY_SCHEMA = `
CREATE TABLE points (id TEXT PRIMARY KEY, name TEXT, points INTEGER);
CREATE TABLE milestones (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, progress INTEGER NOT NULL, goal INTEGER NOT NULL, complete BOOLEAN NOT NULL DEFAULT 0);
CREATE TABLE counters (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, count INTEGER NOT NULL);
CREATE TABLE redeem_queue (id INTEGER PRIMARY KEY AUTOINCREMENT, created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, redeem TEXT NOT NULL, redeemer_id TEXT NOT NULL, note TEXT, FOREIGN KEY (redeemer_id) REFERENCES points (id));
`

type LegacyData = {
	points?: [string, string | null, number | null][]
	counters?: [string, number][]
	milestones?: [string, number, number, number][]
	/** created (null: the column default, CURRENT_TIMESTAMP), redeem, redeemer_id, note */
	queue?: [string | null, string, string, string | null][]
}

/** Writes an original tlapbot database with the given rows; returns its path. */
function makeLegacyDb(dir: string, data: LegacyData, name = 'old-tlapbot.sqlite'): string {
	const path = join(dir, name)
	const db = new Database(path, { create: true })
	try {
		db.run(LEGACY_SCHEMA)
		for (const row of data.points ?? []) db.query('INSERT INTO points (id, name, points) VALUES (?, ?, ?)').run(...row)
		for (const row of data.counters ?? []) db.query('INSERT INTO counters (name, count) VALUES (?, ?)').run(...row)
		for (const row of data.milestones ?? []) {
			db.query('INSERT INTO milestones (name, progress, goal, complete) VALUES (?, ?, ?, ?)').run(...row)
		}
		for (const [created, redeem, redeemer, note] of data.queue ?? []) {
			if (created === null) {
				db.query('INSERT INTO redeem_queue (redeem, redeemer_id, note) VALUES (?, ?, ?)').run(redeem, redeemer, note)
			} else {
				db.query('INSERT INTO redeem_queue (created, redeem, redeemer_id, note) VALUES (?, ?, ?, ?)').run(created, redeem, redeemer, note)
			}
		}
	} finally {
		db.close()
	}
	return path
}

const LEGACY: LegacyData = {
	points: [
		['u1', 'Alice', 120],
		['u2', null, 5],
		['u3', 'Bob', null],
		['u4', 'Dora', 0],
		['u5', '   ', 7]
	],
	counters: [
		['lurk', 7],
		['clap', 2]
	],
	milestones: [
		['go_nap', 1200, 1000, 1],
		['stretch', 30, 100, 0],
		['reached', 150, 100, 0]
	],
	queue: [
		['2024-05-01 18:03:11', 'hydrate', 'u1', null],
		['2024-05-01 18:04:00', 'react', 'ghost', 'https://example.com/video'],
		['2024-05-02 09:00:00', 'request', 'u2', 'level 3'],
		['2024-05-02 09:00:00', 'request', 'u2', 'level 3'],
		['2024-05-03 23:59:59', 'retired_list', 'u3', null],
		['2024-05-03 23:59:59', 'retired_note', 'u3', 'hello']
	]
}

const REDEEMS_TOML = redeemsToml({
	hydrate: { type: 'list', price: 60 },
	react: { type: 'note', price: 200 },
	request: { type: 'note', price: 100 },
	lurk: { type: 'counter', price: 1 },
	go_nap: { type: 'milestone', goal: 1000 }
})
const REDEEMS: Redeem[] = parseRedeems(REDEEMS_TOML, 'redeems.toml')
const NOW = Date.parse('2025-01-02T03:04:05.000Z')
const NOW_ISO = '2025-01-02T03:04:05.000Z'

/** A migrated database in a temp folder, closed by the caller. */
function newDb(): { db: Database; path: string } {
	const path = join(makeTempDir(), 'tlapbot.sqlite')
	return { db: openDatabase(path), path }
}

function addViewer(db: Database, id: string, name: string, deltas: [number, string][]): void {
	const total = deltas.reduce((sum, [d]) => sum + d, 0)
	db.query('INSERT INTO viewers (id, display_name, balance, created_at, seen_at) VALUES (?, ?, ?, ?, ?)').run(id, name, total, NOW_ISO, NOW_ISO)
	for (const [delta, reason] of deltas) {
		db.query('INSERT INTO ledger (viewer_id, delta, reason, created_at) VALUES (?, ?, ?, ?)').run(id, delta, reason, NOW_ISO)
	}
}

const viewers = (db: Database) => db.query('SELECT id, display_name, balance FROM viewers ORDER BY id').all()
const ledger = (db: Database) => db.query('SELECT viewer_id, delta, reason, redeem, redemption_id FROM ledger ORDER BY id').all()
const milestones = (db: Database) => db.query('SELECT name, progress, goal, completed, completed_at FROM milestones ORDER BY name').all()
const queue = (db: Database) =>
	db.query('SELECT redeem, redeem_type, viewer_id, cost, note, status, created_at, resolved_at, cleared_at FROM redemptions ORDER BY id').all()

const EXPECTED_QUEUE = [
	{ redeem: 'hydrate', redeem_type: 'list', viewer_id: 'u1', cost: 0, note: null, status: 'pending', created_at: '2024-05-01T18:03:11.000Z', resolved_at: null, cleared_at: null },
	{ redeem: 'react', redeem_type: 'note', viewer_id: 'ghost', cost: 0, note: 'https://example.com/video', status: 'pending', created_at: '2024-05-01T18:04:00.000Z', resolved_at: null, cleared_at: null },
	{ redeem: 'request', redeem_type: 'note', viewer_id: 'u2', cost: 0, note: 'level 3', status: 'pending', created_at: '2024-05-02T09:00:00.000Z', resolved_at: null, cleared_at: null },
	{ redeem: 'request', redeem_type: 'note', viewer_id: 'u2', cost: 0, note: 'level 3', status: 'pending', created_at: '2024-05-02T09:00:00.000Z', resolved_at: null, cleared_at: null },
	{ redeem: 'retired_list', redeem_type: 'list', viewer_id: 'u3', cost: 0, note: null, status: 'pending', created_at: '2024-05-03T23:59:59.000Z', resolved_at: null, cleared_at: null },
	{ redeem: 'retired_note', redeem_type: 'note', viewer_id: 'u3', cost: 0, note: 'hello', status: 'pending', created_at: '2024-05-03T23:59:59.000Z', resolved_at: null, cleared_at: null }
]

describe('importLegacyDatabase', () => {
	test('imports viewers, balances, counters, milestones and the queue', () => {
		const legacyPath = makeLegacyDb(makeTempDir(), LEGACY)
		const { db } = newDb()
		try {
			const result = importLegacyDatabase(db, legacyPath, REDEEMS, NOW)
			expect(result).toEqual({ viewers: 5, points: 132, counters: 2, milestones: 3, queue: 6, skipped: 0, warnings: [] })
			// NULL or blank names show as the id; NULL points count as 0; a queue redeemer missing from points becomes a viewer.
			expect(viewers(db)).toEqual([
				{ id: 'ghost', display_name: 'ghost', balance: 0 },
				{ id: 'u1', display_name: 'Alice', balance: 120 },
				{ id: 'u2', display_name: 'u2', balance: 5 },
				{ id: 'u3', display_name: 'Bob', balance: 0 },
				{ id: 'u4', display_name: 'Dora', balance: 0 },
				{ id: 'u5', display_name: 'u5', balance: 7 }
			])
			expect(ledger(db)).toEqual([
				{ viewer_id: 'u1', delta: 120, reason: 'import', redeem: null, redemption_id: null },
				{ viewer_id: 'u2', delta: 5, reason: 'import', redeem: null, redemption_id: null },
				{ viewer_id: 'u5', delta: 7, reason: 'import', redeem: null, redemption_id: null }
			])
			expect(db.query('SELECT DISTINCT created_at FROM ledger').all()).toEqual([{ created_at: NOW_ISO }])
			expect(tableRows(db, 'counters')).toEqual([
				{ name: 'clap', count: 2 },
				{ name: 'lurk', count: 7 }
			])
			expect(milestones(db)).toEqual([
				{ name: 'go_nap', progress: 1200, goal: 1000, completed: 1, completed_at: NOW_ISO },
				{ name: 'reached', progress: 150, goal: 100, completed: 1, completed_at: NOW_ISO },
				{ name: 'stretch', progress: 30, goal: 100, completed: 0, completed_at: null }
			])
			expect(queue(db)).toEqual(EXPECTED_QUEUE)
			expect(ledgerInvariantViolations(db)).toEqual([])
		} finally {
			db.close()
		}
	})

	test('a second import changes nothing at all', () => {
		const legacyPath = makeLegacyDb(makeTempDir(), LEGACY)
		const { db } = newDb()
		try {
			importLegacyDatabase(db, legacyPath, REDEEMS, NOW)
			const before = dumpTables(db)
			const again = importLegacyDatabase(db, legacyPath, REDEEMS, NOW + 60_000)
			expect(again).toEqual({ viewers: 0, points: 0, counters: 0, milestones: 0, queue: 0, skipped: 16, warnings: [] })
			expect(dumpTables(db)).toEqual(before)
			expect(ledgerInvariantViolations(db)).toEqual([])
		} finally {
			db.close()
		}
	})

	test('new rows in the old database are picked up by a later import; the rest is not doubled', () => {
		const dir = makeTempDir()
		const legacyPath = makeLegacyDb(dir, LEGACY)
		const { db } = newDb()
		try {
			importLegacyDatabase(db, legacyPath, REDEEMS, NOW)
			const legacy = new Database(legacyPath)
			legacy.run("INSERT INTO points (id, name, points) VALUES ('u9', 'Late', 33)")
			legacy.run("UPDATE points SET points = 999 WHERE id = 'u1'")
			legacy.run("INSERT INTO redeem_queue (created, redeem, redeemer_id, note) VALUES ('2024-06-01 00:00:00', 'hydrate', 'u9', NULL)")
			legacy.close()
			const result = importLegacyDatabase(db, legacyPath, REDEEMS, NOW)
			expect(result).toMatchObject({ viewers: 1, points: 33, queue: 1 })
			expect(viewers(db)).toContainEqual({ id: 'u1', display_name: 'Alice', balance: 120 })
			expect(viewers(db)).toContainEqual({ id: 'u9', display_name: 'Late', balance: 33 })
			expect(queue(db)).toHaveLength(7)
			expect(ledgerInvariantViolations(db)).toEqual([])
		} finally {
			db.close()
		}
	})

	test('into a database that already has viewers: merged by id, the legacy balance added once', () => {
		const legacyPath = makeLegacyDb(makeTempDir(), LEGACY)
		const { db } = newDb()
		try {
			addViewer(db, 'u1', 'Alice (new name)', [
				[10, 'starting'],
				[40, 'cycle']
			])
			addViewer(db, 'other', 'Someone else', [[10, 'starting']])
			db.run("INSERT INTO counters (name, count) VALUES ('lurk', 3)")
			db.run("INSERT INTO milestones (name, progress, goal, completed) VALUES ('go_nap', 100, 5000, 0)")
			const result = importLegacyDatabase(db, legacyPath, REDEEMS, NOW)
			expect(result).toMatchObject({ viewers: 5, points: 132 })
			expect(viewers(db)).toEqual([
				{ id: 'ghost', display_name: 'ghost', balance: 0 },
				{ id: 'other', display_name: 'Someone else', balance: 10 },
				{ id: 'u1', display_name: 'Alice (new name)', balance: 170 },
				{ id: 'u2', display_name: 'u2', balance: 5 },
				{ id: 'u3', display_name: 'Bob', balance: 0 },
				{ id: 'u4', display_name: 'Dora', balance: 0 },
				{ id: 'u5', display_name: 'u5', balance: 7 }
			])
			expect(db.query("SELECT delta, reason FROM ledger WHERE viewer_id = 'u1' ORDER BY id").all()).toEqual([
				{ delta: 10, reason: 'starting' },
				{ delta: 40, reason: 'cycle' },
				{ delta: 120, reason: 'import' }
			])
			// Counts and progress from both databases add up; the configured goal stays.
			expect(tableRows(db, 'counters')).toEqual([
				{ name: 'clap', count: 2 },
				{ name: 'lurk', count: 10 }
			])
			expect(milestones(db)).toContainEqual({ name: 'go_nap', progress: 1300, goal: 5000, completed: 0, completed_at: null })
			expect(ledgerInvariantViolations(db)).toEqual([])

			const before = dumpTables(db)
			importLegacyDatabase(db, legacyPath, REDEEMS, NOW)
			expect(dumpTables(db)).toEqual(before)
		} finally {
			db.close()
		}
	})

	test('negative legacy points never make a balance negative, and the ledger still matches', () => {
		const legacyPath = makeLegacyDb(makeTempDir(), { points: [['neg', 'Neg', -5], ['neg2', 'Neg2', -5]] })
		const { db } = newDb()
		try {
			addViewer(db, 'neg2', 'Neg2', [[3, 'starting']])
			const result = importLegacyDatabase(db, legacyPath, REDEEMS, NOW)
			expect(result.warnings).toHaveLength(2)
			expect(viewers(db)).toEqual([
				{ id: 'neg', display_name: 'Neg', balance: 0 },
				{ id: 'neg2', display_name: 'Neg2', balance: 0 }
			])
			expect(ledgerInvariantViolations(db)).toEqual([])
		} finally {
			db.close()
		}
	})

	test('a queue entry stored with CURRENT_TIMESTAMP keeps its UTC time', () => {
		const before = Date.now()
		const legacyPath = makeLegacyDb(makeTempDir(), { points: [['u1', 'A', 1]], queue: [[null, 'hydrate', 'u1', null]] })
		const after = Date.now()
		const { db } = newDb()
		try {
			importLegacyDatabase(db, legacyPath, REDEEMS, NOW)
			const created = (queue(db)[0] as { created_at: string }).created_at
			expect(created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/)
			// CURRENT_TIMESTAMP has whole seconds.
			expect(Date.parse(created)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
			expect(Date.parse(created)).toBeLessThanOrEqual(after)
		} finally {
			db.close()
		}
	})

	test('legacyTimeToIso reads SQLite and Python time formats as UTC', () => {
		expect(legacyTimeToIso('2024-05-01 18:03:11')).toBe('2024-05-01T18:03:11.000Z')
		expect(legacyTimeToIso('2024-05-01 18:03:11.250')).toBe('2024-05-01T18:03:11.250Z')
		expect(legacyTimeToIso('2024-05-01T18:03:11+02:00')).toBe('2024-05-01T16:03:11.000Z')
		expect(legacyTimeToIso(1714586591)).toBe('2024-05-01T18:03:11.000Z')
		expect(legacyTimeToIso('yesterday')).toBeUndefined()
		expect(legacyTimeToIso(null)).toBeUndefined()
	})

	test('an old database with only a points table imports the points', () => {
		const path = join(makeTempDir(), 'points-only.sqlite')
		const legacy = new Database(path, { create: true })
		legacy.run('CREATE TABLE points (id TEXT PRIMARY KEY, name TEXT, points INTEGER)')
		legacy.run("INSERT INTO points VALUES ('u1', 'A', 15)")
		legacy.close()
		const { db } = newDb()
		try {
			expect(importLegacyDatabase(db, path, REDEEMS, NOW)).toEqual({
				viewers: 1,
				points: 15,
				counters: 0,
				milestones: 0,
				queue: 0,
				skipped: 0,
				warnings: []
			})
			expect(ledgerInvariantViolations(db)).toEqual([])
		} finally {
			db.close()
		}
	})

	test('the old database is not modified', () => {
		const legacyPath = makeLegacyDb(makeTempDir(), LEGACY)
		const original = readFileSync(legacyPath)
		const { db } = newDb()
		try {
			importLegacyDatabase(db, legacyPath, REDEEMS, NOW)
		} finally {
			db.close()
		}
		expect(readFileSync(legacyPath).equals(original)).toBe(true)
	})

	describe('errors', () => {
		function importError(path: string): LegacyImportError {
			const { db } = newDb()
			try {
				importLegacyDatabase(db, path, REDEEMS, NOW)
			} catch (error) {
				expect(error).toBeInstanceOf(LegacyImportError)
				expect(tableRows(db, 'viewers')).toEqual([])
				return error as LegacyImportError
			} finally {
				db.close()
			}
			throw new Error(`expected importing ${path} to fail`)
		}

		test('a missing file', () => {
			const path = join(makeTempDir(), 'missing.sqlite')
			expect(importError(path).message).toBe(`${path}: no such file`)
		})

		test('a file that is not SQLite', () => {
			const path = join(makeTempDir(), 'notes.txt')
			writeFileSync(path, 'this is not a database, just some text that is long enough to have a header\n'.repeat(10))
			expect(importError(path).message).toMatch(/not an SQLite database/)
		})

		test('an SQLite database without a points table', () => {
			const path = join(makeTempDir(), 'other.sqlite')
			const other = new Database(path, { create: true })
			other.run('CREATE TABLE something (x)')
			other.close()
			expect(importError(path).message).toBe(`${path}: not an original tlapbot database (it has no "points" table; tables: something)`)
		})
	})
})

describe('tlapbot import-legacy (CLI)', () => {
	test('imports into the instance database; a second run changes nothing', async () => {
		const { root, databasePath } = makeInstance({ redeems: REDEEMS_TOML })
		const legacyPath = makeLegacyDb(root, LEGACY)
		const first = expectExit(await runTlapbot(['import-legacy', legacyPath], { cwd: root }), 0)
		expect(first.stdout).toBe(
			'Imported from old-tlapbot.sqlite: 5 viewers (132 points), 2 counters, 3 milestones, 6 queue entries\n'
		)
		const dump = () => {
			const db = openDatabase(databasePath)
			try {
				expect(ledgerInvariantViolations(db)).toEqual([])
				return dumpTables(db)
			} finally {
				db.close()
			}
		}
		const before = dump()
		expect(before.viewers).toHaveLength(6)
		expect(before.ledger?.map((r) => r.reason)).toEqual(['import', 'import', 'import'])
		expect(before.redemptions?.map((r) => r.created_at)).toEqual(EXPECTED_QUEUE.map((q) => q.created_at))

		const second = expectExit(await runTlapbot(['import-legacy', 'old-tlapbot.sqlite'], { cwd: root }), 0)
		expect(second.stdout).toBe(
			'Imported from old-tlapbot.sqlite: 0 viewers (0 points), 0 counters, 0 milestones, 0 queue entries; 16 already imported earlier, left unchanged\n'
		)
		expect(dump()).toEqual(before)
	})

	test('into an instance whose database already has viewers', async () => {
		const { root, databasePath } = makeInstance({ redeems: REDEEMS_TOML })
		const db = openDatabase(databasePath)
		addViewer(db, 'u2', 'Carol', [
			[10, 'starting'],
			[20, 'cycle']
		])
		db.close()
		const legacyPath = makeLegacyDb(makeTempDir(), LEGACY)
		expectExit(await runTlapbot(['import-legacy', legacyPath], { cwd: root }), 0)
		expectExit(await runTlapbot(['import-legacy', legacyPath], { cwd: root }), 0)
		const after = openDatabase(databasePath)
		try {
			expect(after.query("SELECT display_name, balance FROM viewers WHERE id = 'u2'").get()).toEqual({ display_name: 'Carol', balance: 35 })
			expect(after.query("SELECT count(*) AS n FROM ledger WHERE reason = 'import'").get()).toEqual({ n: 3 })
			expect(ledgerInvariantViolations(after)).toEqual([])
		} finally {
			after.close()
		}
	})

	test('creates the instance when there is none yet', async () => {
		const cwd = makeTempDir()
		const legacyPath = makeLegacyDb(makeTempDir(), LEGACY)
		const r = expectExit(await runTlapbot(['import-legacy', legacyPath, '--instance', 'bot'], { cwd }), 0)
		expect(r.stdout).toContain('Created bot, bot/config.toml, bot/redeems.toml')
		expect(readdirSync(join(cwd, 'bot')).sort()).toEqual(
			expect.arrayContaining(['config.toml', 'redeems.toml', 'tlapbot.sqlite'])
		)
	})

	test('errors: no arguments, missing file, not SQLite, no points table (exit 1, no stack trace, nothing created)', async () => {
		const cwd = makeTempDir()
		const cases: [string[], string][] = [
			[[], 'give the old database'],
			[['missing.sqlite'], 'missing.sqlite: no such file']
		]
		for (const [args, message] of cases) {
			const r = await runTlapbot(['import-legacy', ...args], { cwd })
			expectExit(r, 1)
			expect(r.stderr).toContain(message)
			expect(hasStackTrace(r.stderr)).toBe(false)
		}
		// A mistyped path must not leave an instance folder behind.
		expect(readdirSync(cwd)).toEqual([])

		const { root } = makeInstance()
		writeFileSync(join(root, 'text.sqlite'), 'plain text, not a database\n'.repeat(20))
		const notSqlite = await runTlapbot(['import-legacy', 'text.sqlite'], { cwd: root })
		expectExit(notSqlite, 1)
		expect(notSqlite.stderr).toMatch(/^error: .*text\.sqlite: not an SQLite database/)
		expect(hasStackTrace(notSqlite.stderr)).toBe(false)

		const other = new Database(join(root, 'other.sqlite'), { create: true })
		other.run('CREATE TABLE notes (x)')
		other.close()
		const noPoints = await runTlapbot(['import-legacy', 'other.sqlite'], { cwd: root })
		expectExit(noPoints, 1)
		expect(noPoints.stderr).toContain('not an original tlapbot database (it has no "points" table; tables: notes)')
		expect(hasStackTrace(noPoints.stderr)).toBe(false)
	})
})

describe('tlapbot import-legacy --config', () => {
	const CONFIG_PY = [
		"SECRET_KEY='an-old-secret-that-is-long-enough'  # comment",
		'OWNCAST_ACCESS_TOKEN="5AT0gbe9ZuzDunsBG0rcwfalQNTi3fvV70NPvvQHk3I="',
		'OWNCAST_INSTANCE_URL="http://owncast.example.com"',
		'POINTS_CYCLE_TIME=300',
		'POINTS_AMOUNT_GIVEN=15',
		'LIST_REDEEMS=True',
		'PASSIVE=False',
		'ACTIVE_CATEGORIES=["gaming"]',
		"PREFIX='?'",
		'GUNICORN=True',
		''
	].join('\n')
	const REDEEMS_PY = [
		'REDEEMS={',
		'    "hydrate": {"price": 60, "type": "list"},',
		'    "lurk": {"price": 1, "type": "counter", "info": "Let us know you\'re going to lurk."},',
		'    "react": {"price": 200, "type": "note", "category": ["gaming"]},',
		'    "go_nap": {"goal": 1000, "type": "milestone", "info": "Streamer will go nap."},',
		'}',
		''
	].join('\n')

	function oldInstance(files: { config?: string; redeems?: string } = {}): { cwd: string; oldDir: string } {
		const cwd = makeTempDir()
		const oldDir = join(cwd, 'old')
		mkdirSync(oldDir)
		writeFileSync(join(oldDir, 'config.py'), files.config ?? CONFIG_PY)
		if (files.redeems !== '') writeFileSync(join(oldDir, 'redeems.py'), files.redeems ?? REDEEMS_PY)
		return { cwd, oldDir }
	}

	test('converts config.py and redeems.py into TOML files that load', async () => {
		const { cwd } = oldInstance()
		const r = expectExit(await runTlapbot(['import-legacy', '--config', 'old'], { cwd }), 0)
		expect(r.stdout).toContain('Converted the old configuration into instance/config.toml and instance/redeems.toml')
		expect(r.stderr).toContain('warning: GUNICORN has no equivalent')
		const dir = join(cwd, 'instance')
		const { config } = loadConfig(dir, {})
		expect(config).toMatchObject({
			secret_key: 'an-old-secret-that-is-long-enough',
			owncast_access_token: '5AT0gbe9ZuzDunsBG0rcwfalQNTi3fvV70NPvvQHk3I=',
			owncast_url: 'http://owncast.example.com',
			points_cycle_time: 300,
			points_amount_given: 15,
			list_redeems: true,
			passive: false,
			active_categories: ['gaming'],
			prefix: '?',
			port: 8000
		})
		expect(loadRedeems(dir)).toEqual({
			fromDefaults: false,
			redeems: [
				{ name: 'hydrate', type: 'list', price: 60, categories: [], autoFulfil: false, limits: {} },
				{ name: 'lurk', type: 'counter', price: 1, categories: [], info: "Let us know you're going to lurk.", autoFulfil: false, limits: {} },
				{ name: 'react', type: 'note', price: 200, categories: ['gaming'], autoFulfil: false, limits: {} },
				{ name: 'go_nap', type: 'milestone', goal: 1000, categories: [], info: 'Streamer will go nap.', autoFulfil: false, limits: {} }
			]
		})
		// No database is made when only --config is given.
		expect(existsSync(join(dir, 'tlapbot.sqlite'))).toBe(false)
	})

	test("the old default secret 'dev' is replaced by a fresh one", async () => {
		const { cwd } = oldInstance({ config: "SECRET_KEY='dev'\n", redeems: '' })
		const r = expectExit(await runTlapbot(['import-legacy', '--config', 'old'], { cwd }), 0)
		expect(r.stdout).toContain('into instance/config.toml\n')
		expect(r.stderr).toContain("SECRET_KEY is the old default 'dev'")
		expect(loadConfig(join(cwd, 'instance'), {}).config.secret_key).toMatch(/^[0-9a-f]{64}$/)
		// Without redeems.py no redeems.toml is written, so the defaults apply.
		expect(loadRedeems(join(cwd, 'instance')).fromDefaults).toBe(true)
	})

	test('a custom SECRET_KEY shorter than 16 characters is replaced by a fresh one with a warning; the rest imports', async () => {
		const { cwd } = oldInstance({ config: CONFIG_PY.replace("'an-old-secret-that-is-long-enough'", "'my-secret'") })
		const legacyPath = makeLegacyDb(cwd, LEGACY)
		const r = expectExit(await runTlapbot(['import-legacy', legacyPath, '--config', 'old'], { cwd }), 0)
		expect(r.stderr).toContain(
			'warning: SECRET_KEY is shorter than the 16 characters secret_key needs; it was dropped and a fresh secret will be generated'
		)
		expect(r.stderr).not.toContain('my-secret')
		expect(r.stdout).toContain('Converted the old configuration into instance/config.toml and instance/redeems.toml')
		expect(r.stdout).toContain('5 viewers (132 points)')
		const { config } = loadConfig(join(cwd, 'instance'), {})
		expect(config.secret_key).toMatch(/^[0-9a-f]{64}$/)
		expect(config).toMatchObject({ points_amount_given: 15, prefix: '?' })
		expect(readFileSync(join(cwd, 'instance', 'config.toml'), 'utf8')).not.toContain('my-secret')
	})

	test('refuses to overwrite an existing config.toml: exit != 0, files unchanged, nothing else written', async () => {
		const { cwd } = oldInstance()
		const dir = join(cwd, 'instance')
		mkdirSync(dir)
		writeFileSync(join(dir, 'config.toml'), '# my precious config\n')
		const r = await runTlapbot(['import-legacy', '--config', 'old'], { cwd })
		expect(r.code).not.toBe(0)
		expect(r.stderr).toContain('refusing to overwrite instance/config.toml')
		expect(hasStackTrace(r.stderr)).toBe(false)
		expect(readFileSync(join(dir, 'config.toml'), 'utf8')).toBe('# my precious config\n')
		expect(readdirSync(dir)).toEqual(['config.toml'])
	})

	test('refuses to overwrite an existing redeems.toml too', async () => {
		const { cwd } = oldInstance()
		const dir = join(cwd, 'instance')
		mkdirSync(dir)
		writeFileSync(join(dir, 'redeems.toml'), '# mine\n')
		const r = await runTlapbot(['import-legacy', '--config', 'old'], { cwd })
		expect(r.code).not.toBe(0)
		expect(r.stderr).toContain('refusing to overwrite instance/redeems.toml')
		expect(readdirSync(dir)).toEqual(['redeems.toml'])
		expect(readFileSync(join(dir, 'redeems.toml'), 'utf8')).toBe('# mine\n')
	})

	test('a bad value in config.py stops with exit 2 and writes nothing', async () => {
		const { cwd } = oldInstance({ config: 'POINTS_CYCLE_TIME="often"\n' })
		const r = await runTlapbot(['import-legacy', '--config', 'old'], { cwd })
		expectExit(r, 2)
		expect(r.stderr).toContain("old/config.py: POINTS_CYCLE_TIME: expected an integer, got 'often'")
		expect(hasStackTrace(r.stderr)).toBe(false)
		expect(existsSync(join(cwd, 'instance'))).toBe(false)
	})

	test('a folder without config.py is refused', async () => {
		const cwd = makeTempDir()
		mkdirSync(join(cwd, 'old'))
		const r = await runTlapbot(['import-legacy', '--config', 'old'], { cwd })
		expectExit(r, 1)
		expect(r.stderr).toContain('old/config.py: no such file')
		expect(existsSync(join(cwd, 'instance'))).toBe(false)
	})

	test('--config and the database in one run: the converted redeems decide the queue types', async () => {
		const { cwd } = oldInstance({
			redeems: 'REDEEMS = {"retired_list": {"price": 5, "type": "note"}, "hydrate": {"price": 60, "type": "list"}}\n'
		})
		const legacyPath = makeLegacyDb(cwd, LEGACY)
		const r = expectExit(await runTlapbot(['import-legacy', legacyPath, '--config', 'old'], { cwd }), 0)
		expect(r.stdout).toContain('Converted the old configuration into instance/config.toml and instance/redeems.toml')
		expect(r.stdout).toContain('5 viewers (132 points), 2 counters, 3 milestones, 6 queue entries')
		const db = openDatabase(join(cwd, 'instance', 'tlapbot.sqlite'))
		try {
			expect(db.query("SELECT redeem_type FROM redemptions WHERE redeem = 'retired_list'").get()).toEqual({ redeem_type: 'note' })
			expect(ledgerInvariantViolations(db)).toEqual([])
		} finally {
			db.close()
		}
	})
})
