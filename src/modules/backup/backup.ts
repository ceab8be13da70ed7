// Consistent copies of the database while the bot runs (VACUUM INTO reads one snapshot of the WAL database).
import type { Database } from 'bun:sqlite'
import { tightenMode } from '../../db/files.ts'
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'

export const BACKUP_DIR = 'backups'
const DAILY = /^tlapbot-(\d{4}-\d{2}-\d{2})\.sqlite$/

export class BackupError extends Error {
	readonly exitCode = 1
	override name = 'BackupError'
}

/** Writes a consistent copy of the open database to path, which must not exist yet. Returns its size. */
export function backupDatabase(db: Database, path: string): number {
	if (existsSync(path)) throw new BackupError(`${path} already exists; choose another path (a backup never overwrites)`)
	// A copy of the database is as private as the database: owner-only folder (when created here) and file.
	mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
	createEmptyOwnerOnly(path)
	try {
		// VACUUM INTO accepts an empty file and keeps its mode.
		db.query('VACUUM INTO $path').run({ path })
	} catch (error) {
		rmSync(path, { force: true })
		throw error
	}
	return statSync(path).size
}

/** Creates path empty with mode 0600; 'wx' fails if it appeared meanwhile, so a backup still never overwrites. */
function createEmptyOwnerOnly(path: string) {
	try {
		closeSync(openSync(path, 'wx', 0o600))
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
			throw new BackupError(`${path} already exists; choose another path (a backup never overwrites)`)
		}
		throw error
	}
}

/** <instance>/backups, created owner-only; one made before that rule is tightened, with the backups in it. */
export function ensureBackupDir(instanceDir: string): string {
	const dir = join(instanceDir, BACKUP_DIR)
	mkdirSync(dir, { recursive: true, mode: 0o700 })
	if (statSync(dir).mode & 0o077) {
		for (const path of [dir, ...readdirSync(dir).map((f) => join(dir, f))]) tightenMode(path)
	}
	return dir
}


export const dailyBackupName = (now: number) => `tlapbot-${new Date(now).toISOString().slice(0, 10)}.sqlite`

/**
 * Makes today's backup in <instance>/backups unless it exists, then keeps only the newest `keep` daily backups.
 * Returns the path written, if any.
 */
export function dailyBackup(db: Database, instanceDir: string, keep: number, now: number): { written?: string; removed: string[] } {
	if (keep <= 0) return { removed: [] }
	const dir = ensureBackupDir(instanceDir)
	const path = join(dir, dailyBackupName(now))
	let written: string | undefined
	if (!existsSync(path)) {
		backupDatabase(db, path)
		written = path
	}
	const daily = readdirSync(dir).filter((f) => DAILY.test(f)).sort()
	const removed = daily.slice(0, Math.max(0, daily.length - keep)).map((f) => join(dir, f))
	for (const file of removed) rmSync(file, { force: true })
	return { ...(written ? { written } : {}), removed }
}
