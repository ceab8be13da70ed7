import { defineCommand } from 'citty'
import { counterNames } from '../modules/redeems/model.ts'
import { createRedeemStore } from '../modules/redeems/store.ts'
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
			const { added, removed } = createRedeemStore(db).syncCounters(counterNames(redeems), true)
			console.log(`Refreshed counters: added ${list(added)}; removed ${list(removed)}`)
		})
	}
})
