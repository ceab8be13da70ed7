// Consistent copies of the database while the bot runs (VACUUM INTO reads one snapshot of the WAL database).
import type { Database } from 'bun:sqlite'
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
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
	mkdirSync(dirname(path), { recursive: true })
	db.query('VACUUM INTO $path').run({ path })
	return statSync(path).size
}

export const dailyBackupName = (now: number) => `tlapbot-${new Date(now).toISOString().slice(0, 10)}.sqlite`

/**
 * Makes today's backup in <instance>/backups unless it exists, then keeps only the newest `keep` daily backups.
 * Returns the path written, if any.
 */
export function dailyBackup(db: Database, instanceDir: string, keep: number, now: number): { written?: string; removed: string[] } {
	if (keep <= 0) return { removed: [] }
	const dir = join(instanceDir, BACKUP_DIR)
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
