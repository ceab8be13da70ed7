import { defineCommand } from 'citty'
import { counterNames } from '../modules/redeems/model.ts'
import { createRedeemsRepo } from '../modules/redeems/repo.ts'
import { instanceArgs } from './_args.ts'
import { list, withDatabase } from './_instance.ts'

export default defineCommand({
	meta: { name: 'clear-refresh', description: 'refresh-counters, then clear-queue, in one go' },
	args: { ...instanceArgs },
	run({ args }) {
		withDatabase(args.instance, (db, { redeems }) => {
			const repo = createRedeemsRepo(db)
			const { added, removed } = repo.syncCounters(counterNames(redeems), true)
			const { archived, counters } = repo.clearQueue(Date.now())
			console.log(
				`Refreshed counters (added ${list(added)}; removed ${list(removed)}), cleared the redeem queue (${archived} entries archived) and set ${counters} counters to 0`
			)
		})
	}
})
