import { defineCommand } from 'citty'
import { openDatabase, type MigrationResult } from '../db/database.ts'
import { createRedeemStore } from '../modules/redeems/store.ts'
import { instanceArgs } from './_args.ts'
import { list, readInstance, show } from './_instance.ts'

export default defineCommand({
	meta: {
		name: 'init-db',
		description: 'Create or migrate the database, then add the counters and milestones redeems.toml names'
	},
	args: { ...instanceArgs },
	run({ args }) {
		const { config, redeems } = readInstance(args.instance)
		let migration: MigrationResult = { from: 0, to: 0 }
		const db = openDatabase(config.databasePath, { onMigrated: (r) => (migration = r) })
		try {
			const repo = createRedeemStore(db)
			const { counters, milestones } = repo.addMissingRows(redeems, Date.now())
			const schema =
				migration.from === migration.to
					? `schema version ${migration.to}, already up to date`
					: `schema version ${migration.to}, migrated from ${migration.from}`
			console.log(
				`Database ${show(config.databasePath)} ready (${schema}); counters added: ${list(counters.added)}; milestones added: ${list(milestones.added)}`
			)
		} finally {
			db.close()
		}
	}
})
