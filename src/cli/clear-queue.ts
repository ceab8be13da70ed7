import { defineCommand } from 'citty'
import { createTransact } from '../db/transaction.ts'
import { clearQueue } from '../modules/redemptions/queue.ts'
import { createRedemptionStore } from '../modules/redemptions/store.ts'
import { createRedeemStore } from '../modules/redeems/store.ts'
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
			const { archived, counters } = clearQueue(
				{ transact: createTransact(db), redemptions: createRedemptionStore(db), redeems: createRedeemStore(db) },
				Date.now()
			)
			console.log(`Cleared the redeem queue (${archived} entries archived) and set ${counters} counters to 0`)
		})
	}
})
