// The instance holds secrets, viewers' names and balances, and admin sessions: whatever tlapbot creates there is
// owner-only (folders 0700, files 0600), whatever the umask, and older files with looser modes are tightened.
import type { Database } from 'bun:sqlite'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/database.ts'
import { dailyBackup } from '../../src/modules/backup/backup.ts'
import { expectExit, makeInstance, makeTempDir, runTlapbot, useTempDirs } from '../helpers.ts'

useTempDirs()

// The usual umask, so files that follow it (0644, 0755) are told apart from owner-only ones; children inherit it.
let savedUmask: number
beforeAll(() => {
	savedUmask = process.umask(0o022)
})
afterAll(() => {
	process.umask(savedUmask)
})

const opened: Database[] = []
afterEach(() => {
	for (const db of opened.splice(0)) db.close()
})

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8)

describe('created owner-only', () => {
	test('`tlapbot init` creates the instance folder 0700 and config.toml 0600', async () => {
		const cwd = makeTempDir()
		expectExit(await runTlapbot(['init'], { cwd }), 0)
		expect(modeOf(join(cwd, 'instance'))).toBe('700')
		expect(modeOf(join(cwd, 'instance', 'config.toml'))).toBe('600')
	})

	test('`tlapbot init-db` creates the database 0600', async () => {
		const { root, databasePath } = makeInstance()
		expectExit(await runTlapbot(['init-db'], { cwd: root }), 0)
		expect(modeOf(databasePath)).toBe('600')
		// SQLite removes -wal and -shm on a clean close; if any is left, it is owner-only too.
		for (const suffix of ['-wal', '-shm']) if (existsSync(databasePath + suffix)) expect(modeOf(databasePath + suffix)).toBe('600')
	})

	test('openDatabase: the database, its -wal and -shm 0600, a folder it creates 0700', () => {
		const path = join(makeTempDir(), 'new', 'data', 'tlapbot.sqlite')
		const db = openDatabase(path)
		opened.push(db)
		db.run('CREATE TABLE t (x)')
		expect(existsSync(`${path}-wal`)).toBe(true)
		expect(existsSync(`${path}-shm`)).toBe(true)
		expect([path, `${path}-wal`, `${path}-shm`].map(modeOf)).toEqual(['600', '600', '600'])
		expect(modeOf(join(path, '..'))).toBe('700')
		expect(modeOf(join(path, '..', '..'))).toBe('700')
	})

	test('`tlapbot backup` writes backups/ 0700 and the backup 0600, also at a path of your choice', async () => {
		const { root, instanceDir } = makeInstance()
		expectExit(await runTlapbot(['init-db'], { cwd: root }), 0)
		expectExit(await runTlapbot(['backup'], { cwd: root }), 0)
		const backups = join(instanceDir, 'backups')
		expect(modeOf(backups)).toBe('700')
		const files = readdirSync(backups)
		expect(files).toHaveLength(1)
		expect(modeOf(join(backups, files[0] as string))).toBe('600')

		const chosen = join(root, 'elsewhere', 'copy.sqlite')
		expectExit(await runTlapbot(['backup', chosen], { cwd: root }), 0)
		expect(modeOf(chosen)).toBe('600')
		expect(modeOf(join(root, 'elsewhere'))).toBe('700')
	})

	test('daily backups are 0600 in a 0700 backups/ folder', () => {
		const { instanceDir, databasePath } = makeInstance()
		const db = openDatabase(databasePath)
		opened.push(db)
		const { written } = dailyBackup(db, instanceDir, 7, Date.UTC(2026, 10, 1, 12))
		expect(modeOf(join(instanceDir, 'backups'))).toBe('700')
		expect(modeOf(written as string)).toBe('600')
	})
})

describe('older files are tightened', () => {
	test('a maintenance command or serve tightens a config.toml and an instance folder others can read', async () => {
		const { root, instanceDir } = makeInstance()
		chmodSync(instanceDir, 0o755)
		chmodSync(join(instanceDir, 'config.toml'), 0o644)
		expectExit(await runTlapbot(['init-db'], { cwd: root }), 0)
		expect(modeOf(instanceDir)).toBe('700')
		expect(modeOf(join(instanceDir, 'config.toml'))).toBe('600')
		chmodSync(instanceDir, 0o755)
		chmodSync(join(instanceDir, 'config.toml'), 0o644)
		expectExit(await runTlapbot(['init'], { cwd: root }), 0)
		expect(modeOf(instanceDir)).toBe('700')
		expect(modeOf(join(instanceDir, 'config.toml'))).toBe('600')
	})

	test('opening a database made with the umask tightens it and its -wal and -shm', () => {
		const path = join(makeTempDir(), 'tlapbot.sqlite')
		// Another connection keeps -wal and -shm in place, as a second tlapbot process would.
		const first = openDatabase(path)
		opened.push(first)
		for (const file of [path, `${path}-wal`, `${path}-shm`]) chmodSync(file, 0o644)
		opened.push(openDatabase(path))
		expect([path, `${path}-wal`, `${path}-shm`].map(modeOf)).toEqual(['600', '600', '600'])
	})

	test('a read-only database stays read-only (only group and other permissions are taken off)', () => {
		const path = join(makeTempDir(), 'tlapbot.sqlite')
		openDatabase(path).close()
		chmodSync(path, 0o444)
		// Read-only for its owner: opening fails as before (migrations need to write); the mode is only narrowed.
		try {
			opened.push(openDatabase(path))
		} catch {
			// root may write anyway; either way is fine here.
		}
		expect(modeOf(path)).toBe('400')
	})

	test('`tlapbot backup` tightens an existing backups/ folder and the backups in it', async () => {
		const { root, instanceDir } = makeInstance()
		expectExit(await runTlapbot(['init-db'], { cwd: root }), 0)
		const backups = join(instanceDir, 'backups')
		mkdirSync(backups, { mode: 0o755 })
		chmodSync(backups, 0o755)
		writeFileSync(join(backups, 'tlapbot-2026-01-01.sqlite'), '', { mode: 0o644 })
		expectExit(await runTlapbot(['backup'], { cwd: root }), 0)
		expect(modeOf(backups)).toBe('700')
		for (const file of readdirSync(backups)) expect(modeOf(join(backups, file))).toBe('600')
	})
})
