import { Database } from 'bun:sqlite'
import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dailyBackup, dailyBackupName } from '../../src/modules/backup/backup.ts'
import { runTlapbot } from '../helpers.ts'
import { createTestBot, type TestBot } from '../support/bot.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

describe('backups', () => {
	test('`tlapbot backup` writes a consistent, openable copy while the bot has the database open', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '500' } })
		for (let i = 0; i < 20; i++) await bot.chat({ id: `v${i}`, displayName: `V${i}` }, 'hi')
		const target = join(bot.dir, 'copy.sqlite')
		const result = await runTlapbot(['backup', target, '--instance', bot.dir], { cwd: bot.dir })
		expect(result.stderr).toBe('')
		expect(result.code).toBe(0)
		expect(result.stdout).toContain('Backed up')
		const copy = new Database(target, { readonly: true })
		try {
			expect(copy.query('SELECT count(*) AS n, sum(balance) AS total FROM viewers').get()).toEqual({ n: 20, total: 10_000 })
			expect(copy.query('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
		} finally {
			copy.close()
		}
		// Never overwrites.
		const again = await runTlapbot(['backup', target, '--instance', bot.dir], { cwd: bot.dir })
		expect(again.code).toBe(1)
		expect(again.stderr).toContain('already exists')
	})

	test('without a path, the backup goes to <instance>/backups', async () => {
		bot = await createTestBot()
		const result = await runTlapbot(['backup', '--instance', bot.dir], { cwd: bot.dir })
		expect(result.code).toBe(0)
		expect(readdirSync(join(bot.dir, 'backups')).filter((f) => f.endsWith('.sqlite'))).toHaveLength(1)
	})

	test('daily backups: one a day, only the newest backup_keep are kept, 0 turns them off', async () => {
		bot = await createTestBot()
		const day = 86_400_000
		const start = Date.UTC(2026, 10, 1, 12)
		for (let i = 0; i < 10; i++) dailyBackup(bot.db, bot.dir, 7, start + i * day)
		// A second run on the same day writes nothing new.
		expect(dailyBackup(bot.db, bot.dir, 7, start + 9 * day + 1000).written).toBeUndefined()
		const files = readdirSync(join(bot.dir, 'backups')).sort()
		expect(files).toHaveLength(7)
		expect(files[0]).toBe(dailyBackupName(start + 3 * day))
		expect(files[6]).toBe(dailyBackupName(start + 9 * day))
		// Files that are not daily backups are left alone.
		writeFileSync(join(bot.dir, 'backups', 'mine.sqlite'), 'x')
		dailyBackup(bot.db, bot.dir, 2, start + 10 * day)
		expect(readdirSync(join(bot.dir, 'backups')).sort()).toEqual(['mine.sqlite', dailyBackupName(start + 9 * day), dailyBackupName(start + 10 * day)])
		expect(dailyBackup(bot.db, bot.dir, 0, start + 20 * day)).toEqual({ removed: [] })
		expect(existsSync(join(bot.dir, 'backups', dailyBackupName(start + 20 * day)))).toBe(false)
	})
})
