import { test, expect, describe } from 'bun:test'
import { Database } from 'bun:sqlite'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { migrate, openDatabase, schemaVersion, type MigrationResult } from '../../src/db/database.ts'
import { migrations } from '../../src/db/migrations/index.ts'
import { addViewer, ledgerInvariantViolations, makeTempDir, tableNames, tableRows, useTempDirs, withDb } from '../helpers.ts'

useTempDirs()

const TABLES = ['admin_links', 'admin_sessions', 'audit_log', 'award_cycles', 'award_members', 'bot_state', 'counters', 'events', 'idempotency_keys', 'ledger', 'legacy_imports', 'milestones', 'outbox', 'owncast_setup', 'poll_votes', 'polls', 'prediction_bets', 'predictions', 'processed_events', 'redeem_controls', 'redemptions', 'streams', 'viewer_link_codes', 'viewer_login_tokens', 'viewer_sessions', 'viewers']
const NOW = '2024-05-01T18:03:11.000Z'
/** The viewers' economy columns (migration 0009) of a viewer who has not earned from chat yet. */
const ECONOMY_COLUMNS = {
	hidden: 0,
	earned: 0,
	stream_earned: 0,
	earned_stream: null,
	month_earned: 0,
	earned_month: null,
	last_stream: null,
	streak: 0,
	first_chat_stream: null
}

const dbPath = () => join(makeTempDir(), 'tlapbot.sqlite')

/** A raw connection that does not migrate, to look at the file as it is. */
function rawOpen(path: string): Database {
	return new Database(path)
}

describe('an empty database', () => {
	test('gets every table, user_version = number of migrations, WAL and foreign keys', () => {
		const path = dbPath()
		let result: MigrationResult | undefined
		withDb(
			path,
			(db) => {
				expect(tableNames(db)).toEqual(TABLES)
				expect(schemaVersion(db)).toBe(migrations.length)
				expect(migrations.length).toBeGreaterThanOrEqual(1)
				expect(db.query<{ journal_mode: string }, []>('PRAGMA journal_mode').get()?.journal_mode).toBe('wal')
				expect(db.query<{ foreign_keys: number }, []>('PRAGMA foreign_keys').get()?.foreign_keys).toBe(1)
			},
			{ onMigrated: (r) => (result = r) }
		)
		expect(result).toEqual({ from: 0, to: migrations.length })
	})

	test('creates missing parent folders', () => {
		const path = join(makeTempDir(), 'a', 'b', 'tlapbot.sqlite')
		withDb(path, (db) => expect(schemaVersion(db)).toBe(migrations.length))
		expect(existsSync(path)).toBe(true)
	})

	test('foreign keys are enforced', () => {
		withDb(dbPath(), (db) => {
			expect(() =>
				db.query("INSERT INTO ledger (viewer_id, delta, reason, created_at) VALUES ('nobody', 1, 'cycle', ?)").run(NOW)
			).toThrow(/FOREIGN KEY/)
		})
	})

	test('the schema checks values (no negative balance, known ledger reasons)', () => {
		withDb(dbPath(), (db) => {
			expect(() =>
				db.query("INSERT INTO viewers (id, display_name, balance, created_at, seen_at) VALUES ('a', 'A', -1, ?, ?)").run(NOW, NOW)
			).toThrow(/CHECK/)
			addViewer(db, 'a', 5, NOW, 'name-a')
			expect(() =>
				db.query("INSERT INTO ledger (viewer_id, delta, reason, created_at) VALUES ('a', 1, 'gift', ?)").run(NOW)
			).toThrow(/CHECK/)
		})
	})

	test('an in-memory database migrates too', () => {
		const db = openDatabase(':memory:')
		try {
			expect(tableNames(db)).toEqual(TABLES)
			expect(schemaVersion(db)).toBe(migrations.length)
		} finally {
			db.close()
		}
	})
})

describe('an existing database', () => {
	test('a second open is a no-op and keeps the data', () => {
		const path = dbPath()
		withDb(path, (db) => {
			addViewer(db, 'u1', 42, NOW, 'name-u1')
			db.query("INSERT INTO counters (name, count) VALUES ('lurk', 3)").run()
		})
		let result: MigrationResult | undefined
		withDb(
			path,
			(db) => {
				expect(schemaVersion(db)).toBe(migrations.length)
				expect(tableRows(db, 'viewers')).toEqual([
					{ id: 'u1', display_name: 'name-u1', balance: 42, is_bot: 0, is_moderator: 0, created_at: NOW, seen_at: NOW, ...ECONOMY_COLUMNS }
				])
				expect(tableRows(db, 'counters')).toEqual([{ name: 'lurk', count: 3 }])
				expect(ledgerInvariantViolations(db)).toEqual([])
			},
			{ onMigrated: (r) => (result = r) }
		)
		expect(result).toEqual({ from: migrations.length, to: migrations.length })
	})

	test('migrate() on an up-to-date database changes nothing', () => {
		withDb(dbPath(), (db) => {
			const before = db.query('SELECT sql FROM sqlite_master ORDER BY name').all()
			expect(migrate(db)).toEqual({ from: migrations.length, to: migrations.length })
			expect(db.query('SELECT sql FROM sqlite_master ORDER BY name').all()).toEqual(before)
		})
	})

	test('an upgrade applies only the new migration, keeps the data and bumps the version', () => {
		const path = dbPath()
		withDb(path, (db) => addViewer(db, 'u1', 42, NOW, 'name-u1'))
		const upgraded = [...migrations, "ALTER TABLE viewers ADD COLUMN colour TEXT NOT NULL DEFAULT 'blue'"]
		let result: MigrationResult | undefined
		withDb(
			path,
			(db) => {
				expect(schemaVersion(db)).toBe(migrations.length + 1)
				expect(db.query('SELECT id, balance, colour FROM viewers').all()).toEqual([{ id: 'u1', balance: 42, colour: 'blue' }])
				expect(ledgerInvariantViolations(db)).toEqual([])
			},
			{ migrations: upgraded, onMigrated: (r) => (result = r) }
		)
		expect(result).toEqual({ from: migrations.length, to: migrations.length + 1 })
		// Opening again with the same list is a no-op.
		withDb(path, (db) => expect(schemaVersion(db)).toBe(migrations.length + 1), { migrations: upgraded })
	})

	test('several pending migrations are applied in order', () => {
		const path = dbPath()
		withDb(path, () => {})
		const upgraded = [
			...migrations,
			'CREATE TABLE extra (n INTEGER NOT NULL)',
			'INSERT INTO extra (n) VALUES (1); INSERT INTO extra (n) VALUES (2)',
			'UPDATE extra SET n = n * 10'
		]
		withDb(
			path,
			(db) => {
				expect(schemaVersion(db)).toBe(migrations.length + 3)
				expect(db.query('SELECT n FROM extra ORDER BY n').all()).toEqual([{ n: 10 }, { n: 20 }])
			},
			{ migrations: upgraded }
		)
	})
})

describe('a failing migration', () => {
	test('on an empty database: nothing is created and the version stays 0', () => {
		const path = dbPath()
		expect(() => openDatabase(path, { migrations: [...migrations, 'CREATE TABLE half (x); THIS IS NOT SQL'] })).toThrow()
		const db = rawOpen(path)
		try {
			expect(schemaVersion(db)).toBe(0)
			expect(tableNames(db)).toEqual([])
		} finally {
			db.close()
		}
	})

	test('on an existing database: the earlier new migrations roll back too, data and version are kept', () => {
		const path = dbPath()
		withDb(path, (db) => addViewer(db, 'u1', 42, NOW, 'name-u1'))
		const broken = [
			...migrations,
			'CREATE TABLE first_new (x INTEGER)',
			"ALTER TABLE viewers ADD COLUMN colour TEXT NOT NULL DEFAULT 'blue'",
			'CREATE TABLE half (x); INSERT INTO no_such_table VALUES (1)'
		]
		expect(() => openDatabase(path, { migrations: broken })).toThrow(/no_such_table/)
		const db = rawOpen(path)
		try {
			expect(schemaVersion(db)).toBe(migrations.length)
			expect(tableNames(db)).toEqual(TABLES)
			expect(db.query('SELECT * FROM viewers').all()).toEqual([
				{ id: 'u1', display_name: 'name-u1', balance: 42, is_bot: 0, is_moderator: 0, created_at: NOW, seen_at: NOW, ...ECONOMY_COLUMNS }
			])
		} finally {
			db.close()
		}
		// The real migrations still open it fine afterwards.
		withDb(path, (db2) => expect(tableRows(db2, 'viewers')).toHaveLength(1))
	})
})

describe('a database newer than this code', () => {
	test('is refused with a clear error and left untouched', () => {
		const path = dbPath()
		withDb(path, (db) => addViewer(db, 'u1', 1, NOW, 'name-u1'), { migrations: [...migrations, 'CREATE TABLE future (x)'] })
		expect(() => openDatabase(path)).toThrow(
			`the database schema is version ${migrations.length + 1}, newer than this tlapbot knows (${migrations.length}); upgrade tlapbot`
		)
		const db = rawOpen(path)
		try {
			expect(schemaVersion(db)).toBe(migrations.length + 1)
			expect(tableNames(db)).toContain('future')
		} finally {
			db.close()
		}
	})
})

describe('the ledger', () => {
	test('is append-only: UPDATE and DELETE throw and change nothing', () => {
		withDb(dbPath(), (db) => {
			addViewer(db, 'u1', 10, NOW, 'name-u1')
			db.query("INSERT INTO ledger (viewer_id, delta, reason, created_at) VALUES ('u1', 5, 'cycle', ?)").run(NOW)
			const before = tableRows(db, 'ledger')
			expect(before).toHaveLength(2)
			expect(() => db.run('UPDATE ledger SET delta = 1000')).toThrow('ledger rows are append-only')
			expect(() => db.run("UPDATE ledger SET reason = 'refund' WHERE id = 1")).toThrow('ledger rows are append-only')
			expect(() => db.run('DELETE FROM ledger')).toThrow('ledger rows are append-only')
			expect(() => db.run('DELETE FROM ledger WHERE id = 2')).toThrow('ledger rows are append-only')
			expect(tableRows(db, 'ledger')).toEqual(before)
		})
	})

	test('ledgerInvariantViolations reports a balance that differs from its ledger', () => {
		withDb(dbPath(), (db) => {
			addViewer(db, 'ok', 10, NOW, 'name-ok')
			addViewer(db, 'off', 10, NOW, 'name-off')
			db.query("INSERT INTO viewers (id, display_name, balance, created_at, seen_at) VALUES ('none', 'n', 3, ?, ?)").run(NOW, NOW)
			db.query("INSERT INTO viewers (id, display_name, balance, created_at, seen_at) VALUES ('zero', 'z', 0, ?, ?)").run(NOW, NOW)
			db.run("UPDATE viewers SET balance = 11 WHERE id = 'off'")
			expect(ledgerInvariantViolations(db)).toEqual([
				{ id: 'none', balance: 3, ledger_sum: 0 },
				{ id: 'off', balance: 11, ledger_sum: 10 }
			])
		})
	})
})

describe('upgrading a version 1 database', () => {
	test('migration 2 keeps viewers, balances and the queue', () => {
		const path = dbPath()
		const v1 = openDatabase(path, { migrations: migrations.slice(0, 1) })
		v1.query("INSERT INTO viewers (id, display_name, balance, created_at, seen_at) VALUES ('a', 'A', 5, ?, ?)").run(NOW, NOW)
		v1.query("INSERT INTO ledger (viewer_id, delta, reason, created_at) VALUES ('a', 5, 'import', ?)").run(NOW)
		v1.query("INSERT INTO redemptions (redeem, redeem_type, viewer_id, cost, created_at) VALUES ('hydrate', 'list', 'a', 60, ?)").run(NOW)
		expect(schemaVersion(v1)).toBe(1)
		v1.close()
		const db = openDatabase(path)
		try {
			expect(schemaVersion(db)).toBe(migrations.length)
			expect(db.query('SELECT id, balance FROM viewers').all()).toEqual([{ id: 'a', balance: 5 }])
			expect(db.query('SELECT redeem, status FROM redemptions').all()).toEqual([{ redeem: 'hydrate', status: 'pending' }])
			// A redemption can be refunded once only.
			const refund = db.query("INSERT INTO ledger (viewer_id, delta, reason, redemption_id, created_at) VALUES ('a', 60, 'refund', 1, ?)")
			refund.run(NOW)
			expect(() => refund.run(NOW)).toThrow(/UNIQUE/)
		} finally {
			db.close()
		}
	})
})

describe('migration 9 (economy)', () => {
	test('rebuilds the ledger with every row kept, still append-only, and counts what chat earned so far', () => {
		const path = dbPath()
		const v8 = openDatabase(path, { migrations: migrations.slice(0, 8) })
		v8.run("INSERT INTO viewers (id, display_name, balance, created_at, seen_at) VALUES ('u1', 'U1', 75, 'x', 'x')")
		v8.run(`INSERT INTO ledger (viewer_id, delta, reason, redeem, created_at) VALUES
			('u1', 10, 'starting', NULL, 'a'), ('u1', 50, 'cycle', NULL, 'b'), ('u1', 50, 'cycle', NULL, 'c'), ('u1', -35, 'redeem', 'hydrate', 'd')`)
		const before = v8.query('SELECT id, viewer_id, delta, reason, redeem, redemption_id, created_at FROM ledger ORDER BY id').all()
		v8.close()
		withDb(path, (db) => {
			expect(schemaVersion(db)).toBe(migrations.length)
			expect(db.query('SELECT id, viewer_id, delta, reason, redeem, redemption_id, created_at FROM ledger ORDER BY id').all()).toEqual(before)
			expect(db.query('SELECT earned, hidden, streak FROM viewers').get()).toEqual({ earned: 100, hidden: 0, streak: 0 })
			expect(ledgerInvariantViolations(db)).toEqual([])
			expect(() => db.run('UPDATE ledger SET delta = 0')).toThrow('append-only')
			expect(() => db.run('DELETE FROM ledger')).toThrow('append-only')
			// The new reasons and the old checks.
			db.run("INSERT INTO ledger (viewer_id, delta, reason, ref, created_at) VALUES ('u1', 0, 'bonus', 'streak', 'e')")
			expect(() => db.run("INSERT INTO ledger (viewer_id, delta, reason, created_at) VALUES ('u1', 1, 'gift', 'e')")).toThrow()
			const indexes = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger' ORDER BY name").all()
			expect(indexes.map((i) => i.name)).toEqual([
				'ledger_gifts',
				'ledger_one_refund',
				'ledger_one_settlement',
				'ledger_redeem_uses',
				'ledger_redemption',
				'ledger_viewer',
				'ledger_viewer_redeem_uses'
			])
		})
	})
})

describe('migration 11 (cycle payments as one row per cycle)', () => {
	test('keeps the cycle rows written before it; ledger_entries is every viewer\'s whole ledger; cycle payments are append-only', () => {
		const path = dbPath()
		const v10 = openDatabase(path, { migrations: migrations.slice(0, 10) })
		v10.run("INSERT INTO viewers (id, display_name, balance, created_at, seen_at) VALUES ('u1', 'U1', 60, 'x', 'x'), ('u2', 'U2', 10, 'x', 'x')")
		v10.run(`INSERT INTO ledger (viewer_id, delta, reason, created_at) VALUES
			('u1', 10, 'starting', 'a'), ('u1', 50, 'cycle', 'b'), ('u2', 10, 'starting', 'a')`)
		v10.close()
		withDb(path, (db) => {
			expect(schemaVersion(db)).toBe(migrations.length)
			expect(ledgerInvariantViolations(db)).toEqual([])
			// A cycle of 5 points to both: one cycle row, two members, balances up by 5.
			db.run("INSERT INTO award_cycles (amount, created_at, viewers) VALUES (5, 'c', 2)")
			db.run("INSERT INTO award_members (cycle_id, viewer_id) VALUES (1, 'u1'), (1, 'u2')")
			db.run('UPDATE viewers SET balance = balance + 5')
			expect(ledgerInvariantViolations(db)).toEqual([])
			expect(db.query("SELECT delta, reason, created_at FROM ledger_entries WHERE viewer_id = 'u1' ORDER BY created_at").all()).toEqual([
				{ delta: 10, reason: 'starting', created_at: 'a' },
				{ delta: 50, reason: 'cycle', created_at: 'b' },
				{ delta: 5, reason: 'cycle', created_at: 'c' }
			])
			for (const sql of [
				'UPDATE award_cycles SET amount = 500',
				'DELETE FROM award_cycles',
				"UPDATE award_members SET viewer_id = 'u2' WHERE viewer_id = 'u1'",
				'DELETE FROM award_members'
			]) {
				expect(() => db.run(sql)).toThrow('append-only')
			}
			// Paid to viewers that exist, once per cycle, a positive amount.
			expect(() => db.run("INSERT INTO award_members (cycle_id, viewer_id) VALUES (1, 'nobody')")).toThrow(/FOREIGN KEY/)
			expect(() => db.run("INSERT INTO award_members (cycle_id, viewer_id) VALUES (1, 'u1')")).toThrow(/UNIQUE|PRIMARY KEY/)
			expect(() => db.run("INSERT INTO award_cycles (amount, created_at, viewers) VALUES (0, 'd', 0)")).toThrow(/CHECK/)
			expect(db.query('SELECT count(*) AS n FROM ledger_entries').get()).toEqual({ n: 5 })
		})
	})
})
