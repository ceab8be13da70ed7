import { defineCommand } from 'citty'
import { createRedeemsRepo } from '../modules/redeems/repo.ts'
import { instanceArgs } from './_args.ts'
import { withDatabase } from './_instance.ts'

export default defineCommand({
	meta: {
		name: 'clear-queue',
		description: 'Empty the redeem queue (entries are archived, not deleted) and set every counter to 0'
	},
	args: { ...instanceArgs },
	run({ args }) {
		withDatabase(args.instance, (db) => {
			const { archived, counters } = createRedeemsRepo(db).clearQueue(Date.now())
			console.log(`Cleared the redeem queue (${archived} entries archived) and set ${counters} counters to 0`)
		})
	}
})
