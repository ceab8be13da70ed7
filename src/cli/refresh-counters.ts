import { defineCommand } from 'citty'
import { counterNames } from '../modules/redeems/model.ts'
import { createRedeemsRepo } from '../modules/redeems/repo.ts'
import { instanceArgs } from './_args.ts'
import { list, withDatabase } from './_instance.ts'

export default defineCommand({
	meta: {
		name: 'refresh-counters',
		description: 'Remove counters no longer in redeems.toml and add new ones; other counts are kept'
	},
	args: { ...instanceArgs },
	run({ args }) {
		withDatabase(args.instance, (db, { redeems }) => {
			const { added, removed } = createRedeemsRepo(db).syncCounters(counterNames(redeems), true)
			console.log(`Refreshed counters: added ${list(added)}; removed ${list(removed)}`)
		})
	}
})
