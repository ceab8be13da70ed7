// The checks that need no network: the database, free disk space, the age of the newest backup. Cheap enough for
// `serve` to run at every start. Nothing here writes to the database.
import { Database } from 'bun:sqlite'
import { existsSync, readdirSync, statfsSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { check, formatBytes, formatDuration, type CheckResult } from './result.ts'

export const BACKUP_FOLDER = 'backups'
/** Below this much free space SQLite writes and backups start failing: a failure. */
export const DISK_FAIL_BYTES = 100 * 1024 * 1024
/** Below this much (or below twice the database, which a backup copies) it is a warning. */
export const DISK_WARN_BYTES = 500 * 1024 * 1024
/** Backups are daily: a newest backup older than this, with changes to the database since, is a failure. */
export const BACKUP_MAX_AGE_MS = 2 * 24 * 60 * 60 * 1000

const DAY_MS = 24 * 60 * 60 * 1000

export type LocalCheckInput = {
	databasePath: string
	instanceDir: string
	/** backup_keep from config.toml (0: daily backups are off). */
	backupKeep: number
	/** The schema version this tlapbot brings (the number of migrations). */
	schemaVersion: number
	/** An open connection to check instead of opening the file (serve passes its own). */
	db?: Database
	/** How paths are shown (relative to the working directory, usually). */
	show?: (path: string) => string
	now?: number
	/** fs.statfsSync, replaceable in tests. */
	statfs?: (path: string) => { bavail: number | bigint; bsize: number | bigint }
}

/** The database, disk space and backup checks, in that order. */
export function localChecks(input: LocalCheckInput): CheckResult[] {
	return [checkDatabase(input), checkDiskSpace(input), checkBackups(input)]
}

const RESTORE =
	'stop tlapbot and put the newest file from the backups folder in its place (keep the broken file aside), then start it again'

/** Opens the database (never creating it): PRAGMA quick_check, and user_version against this tlapbot's schema. */
export function checkDatabase(input: Pick<LocalCheckInput, 'databasePath' | 'schemaVersion' | 'db' | 'show'>): CheckResult {
	const show = input.show ?? ((p: string) => p)
	const title = 'Database'
	const where = show(input.databasePath)
	if (!input.db && !existsSync(input.databasePath)) {
		return check('database', title, 'fail', `${where} does not exist`, 'run `tlapbot init-db` (or start `tlapbot serve`, which creates it)')
	}
	let db = input.db
	try {
		db ??= openForReading(input.databasePath)
		if (!input.db) db.run('PRAGMA busy_timeout = 2000')
		const rows = db.query<{ quick_check: string }, []>('PRAGMA quick_check').all()
		const problems = rows.map((r) => r.quick_check).filter((line) => line !== 'ok')
		if (problems.length > 0) {
			const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
			return check('database', title, 'fail', `${where} is damaged: quick_check says "${problems[0]}"${more}`, RESTORE)
		}
		const version = db.query<{ user_version: number }, []>('PRAGMA user_version').get()?.user_version ?? 0
		if (version < input.schemaVersion) {
			return check(
				'database',
				title,
				'fail',
				`${where} has schema version ${version}; this tlapbot uses ${input.schemaVersion}`,
				'run `tlapbot init-db` (`tlapbot serve` also brings it up to date when it starts)'
			)
		}
		if (version > input.schemaVersion) {
			return check(
				'database',
				title,
				'fail',
				`${where} has schema version ${version}, newer than this tlapbot knows (${input.schemaVersion}): a newer tlapbot used it`,
				'upgrade tlapbot to the version that last ran on this database'
			)
		}
		const size = input.db ? '' : `, ${formatBytes(databaseBytes(input.databasePath))}`
		return check('database', title, 'ok', `${where}: quick_check ok, schema version ${version} (current)${size}`)
	} catch (error) {
		const err = error as Error & { code?: string }
		const reason = err.code === 'SQLITE_NOTADB' ? 'it is not an SQLite database' : err.message
		return check('database', title, 'fail', `cannot read ${where}: ${reason}`, RESTORE)
	} finally {
		if (db && !input.db) db.close()
	}
}

/** Free space where the database and the backups are written. */
export function checkDiskSpace(input: Pick<LocalCheckInput, 'databasePath' | 'instanceDir' | 'show' | 'statfs'>): CheckResult {
	const show = input.show ?? ((p: string) => p)
	const statfs = input.statfs ?? statfsSync
	const title = 'Disk space'
	const folders = [...new Set([input.instanceDir, dirname(input.databasePath)].map(existingFolder))]
	let lowest: { folder: string; free: number } | undefined
	try {
		for (const folder of folders) {
			const stats = statfs(folder)
			const free = Number(stats.bavail) * Number(stats.bsize)
			if (!lowest || free < lowest.free) lowest = { folder, free }
		}
	} catch (error) {
		return check('disk_space', title, 'warn', `cannot tell the free space: ${(error as Error).message}`)
	}
	if (!lowest) return check('disk_space', title, 'skip', 'no folder to check')
	const database = databaseBytes(input.databasePath)
	const detail = `${formatBytes(lowest.free)} free for ${show(lowest.folder)}`
	const fix = 'free some space on that filesystem: with too little, writes to the database and the daily backups fail'
	if (lowest.free < DISK_FAIL_BYTES) return check('disk_space', title, 'fail', `only ${detail}`, fix)
	if (lowest.free < DISK_WARN_BYTES) return check('disk_space', title, 'warn', `only ${detail}`, fix)
	if (lowest.free < 2 * database) {
		return check('disk_space', title, 'warn', `${detail}, less than twice the database (${formatBytes(database)}), which a backup copies`, fix)
	}
	return check('disk_space', title, 'ok', detail)
}

/** The newest file in <instance>/backups, against backup_keep and the database's last change. */
export function checkBackups(input: Pick<LocalCheckInput, 'instanceDir' | 'databasePath' | 'backupKeep' | 'show' | 'now'>): CheckResult {
	const show = input.show ?? ((p: string) => p)
	const now = input.now ?? Date.now()
	const title = 'Backups'
	const folder = join(input.instanceDir, BACKUP_FOLDER)
	const newest = newestFile(folder)
	if (input.backupKeep <= 0) {
		const last = newest ? `; the newest in ${show(folder)} is ${formatDuration(now - newest.mtimeMs)} old` : ''
		return check(
			'backups',
			title,
			'info',
			`daily backups are off (backup_keep = 0)${last}`,
			'set backup_keep (e.g. 7) in config.toml, or back up yourself with `tlapbot backup`'
		)
	}
	if (!newest) {
		return check(
			'backups',
			title,
			'warn',
			`no backup in ${show(folder)} yet`,
			'`tlapbot serve` writes one when it starts and then once a day; `tlapbot backup` makes one now'
		)
	}
	const age = now - newest.mtimeMs
	const name = show(join(folder, newest.name))
	if (age <= BACKUP_MAX_AGE_MS) {
		return check('backups', title, 'ok', `newest ${name}, ${age < 60_000 ? 'just made' : `${formatDuration(age)} old`}`)
	}
	const changed = databaseChangedAt(input.databasePath)
	if (changed !== undefined && changed <= newest.mtimeMs) {
		return check('backups', title, 'ok', `newest ${name}, ${formatDuration(age)} old; the database has not changed since`)
	}
	return check(
		'backups',
		title,
		'fail',
		`newest ${name} is ${formatDuration(age)} old (more than ${Math.round(BACKUP_MAX_AGE_MS / DAY_MS)} days), and the database changed since`,
		'is `tlapbot serve` running? It writes one a day and logs "daily backup failed" when it cannot; `tlapbot backup` makes one now'
	)
}

/**
 * Read and write, never create: only a connection that may write removes the -wal and -shm files it made when it
 * closes (a read-only one leaves them, owned by whoever ran the doctor, which can lock the bot out). Nothing is
 * written. Read-only when writing is not allowed.
 */
function openForReading(path: string): Database {
	try {
		return new Database(path, { readwrite: true, create: false, strict: true })
	} catch {
		return new Database(path, { readonly: true, strict: true })
	}
}

function newestFile(folder: string): { name: string; mtimeMs: number } | undefined {
	let entries: string[]
	try {
		entries = readdirSync(folder)
	} catch {
		return undefined
	}
	let newest: { name: string; mtimeMs: number } | undefined
	for (const name of entries) {
		if (name.startsWith('.')) continue
		try {
			const stats = statSync(join(folder, name))
			if (stats.isFile() && stats.size > 0 && (!newest || stats.mtimeMs > newest.mtimeMs)) newest = { name, mtimeMs: stats.mtimeMs }
		} catch {
			// Removed meanwhile: not a backup any more.
		}
	}
	return newest
}

/** When the database (or its write-ahead log) was last written, if it exists. */
function databaseChangedAt(path: string): number | undefined {
	let latest: number | undefined
	for (const file of [path, `${path}-wal`]) {
		try {
			const mtime = statSync(file).mtimeMs
			latest = latest === undefined ? mtime : Math.max(latest, mtime)
		} catch {
			// No such file.
		}
	}
	return latest
}

function databaseBytes(path: string): number {
	let total = 0
	for (const file of [path, `${path}-wal`]) {
		try {
			total += statSync(file).size
		} catch {
			// No such file.
		}
	}
	return total
}

/** The folder itself when it exists, else its nearest existing parent (the filesystem it will be created on). */
function existingFolder(folder: string): string {
	let current = folder
	while (!existsSync(current)) {
		const parent = dirname(current)
		if (parent === current) break
		current = parent
	}
	return current
}
