import { Database } from 'bun:sqlite'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import { tightenMode } from './files.ts'
import { migrations as defaultMigrations } from './migrations/index.ts'

export type MigrationResult = { from: number; to: number }

/** Opens (creating if needed) the database at an absolute path and brings its schema up to date. */
export function openDatabase(
	path: string,
	options: { migrations?: readonly string[]; onMigrated?: (result: MigrationResult) => void } = {}
): Database {
	const onDisk = path !== ':memory:'
	if (onDisk) createOwnerOnly(path)
	const db = new Database(path, { create: true, strict: true })
	try {
		db.run('PRAGMA busy_timeout = 5000')
		db.run('PRAGMA journal_mode = WAL')
		db.run('PRAGMA synchronous = NORMAL')
		db.run('PRAGMA foreign_keys = ON')
		// The points award fills a temporary table; keep it in memory.
		db.run('PRAGMA temp_store = MEMORY')
		const result = migrate(db, options.migrations ?? defaultMigrations)
		// SQLite gives -wal and -shm the database file's mode when it creates them; older ones are tightened here.
		if (onDisk) for (const suffix of ['-wal', '-shm']) tightenMode(path + suffix)
		options.onMigrated?.(result)
	} catch (error) {
		db.close()
		throw error
	}
	return db
}

/**
 * The database holds viewers' names and balances and the admin sessions: owner-only (0600), in a folder made
 * owner-only (0700) when tlapbot creates it. Explicit modes, so the process umask is left alone.
 */
function createOwnerOnly(path: string) {
	mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
	try {
		// Created empty before SQLite opens it, so it is never readable by others, not even for a moment.
		closeSync(openSync(path, 'wx', 0o600))
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
		tightenMode(path)
	}
}


export function schemaVersion(db: Database): number {
	return (db.query('PRAGMA user_version').get() as { user_version: number }).user_version
}

/** Applies every pending migration in one transaction, tracked with PRAGMA user_version. */
export function migrate(db: Database, migrations: readonly string[] = defaultMigrations): MigrationResult {
	const apply = db.transaction(() => {
		const from = schemaVersion(db)
		if (from > migrations.length) {
			throw new Error(
				`the database schema is version ${from}, newer than this tlapbot knows (${migrations.length}); upgrade tlapbot`
			)
		}
		for (let version = from; version < migrations.length; version++) {
			db.run(migrations[version] as string)
		}
		// PRAGMA takes no bound parameters; the value is an integer we computed.
		db.run(`PRAGMA user_version = ${migrations.length}`)
		return { from, to: migrations.length }
	})
	return apply.immediate()
}

/**
 * A stamp that changes whenever anything was written to the database, by this connection (total_changes) or by
 * any other (data_version): caches of pages built from the database stay valid while it is the same.
 */
export function createChangeStamp(db: Database): () => string {
	const dataVersion = db.query<{ data_version: number }, []>('PRAGMA data_version')
	const totalChanges = db.query<{ n: number }, []>('SELECT total_changes() AS n')
	return () => `${dataVersion.get()?.data_version}:${totalChanges.get()?.n}`
}

/** True for SQLite's "database is locked" (another connection holds the write lock and we did not wait). */
export const isBusy = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'SQLITE_BUSY'
