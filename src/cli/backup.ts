import { defineCommand } from 'citty'
import { join, resolve } from 'node:path'
import { openDatabase } from '../db/database.ts'
import { backupDatabase, ensureBackupDir } from '../modules/backup/backup.ts'
import { instanceArgs } from './_args.ts'
import { readInstance, show } from './_instance.ts'

export default defineCommand({
	meta: { name: 'backup', description: 'Write a consistent copy of the database (safe while serve runs)' },
	args: {
		path: { type: 'positional', description: 'Where to write it (default: <instance>/backups/tlapbot-<time>.sqlite)', required: false },
		...instanceArgs
	},
	run({ args }) {
		const { config } = readInstance(args.instance)
		const stamp = new Date().toISOString().replace(/[:.]/g, '-')
		const path = args.path ? resolve(args.path) : join(ensureBackupDir(config.instanceDir), `tlapbot-${stamp}.sqlite`)
		const db = openDatabase(config.databasePath)
		try {
			const size = backupDatabase(db, path)
			console.log(`Backed up ${show(config.databasePath)} to ${show(path)} (${Math.ceil(size / 1024)} KB)`)
		} finally {
			db.close()
		}
	}
})
