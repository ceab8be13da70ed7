import { defineCommand } from 'citty'
import { counterNames } from '../modules/redeems/model.ts'
import { createTransact } from '../db/transaction.ts'
import { clearQueue } from '../modules/redemptions/queue.ts'
import { createRedemptionStore } from '../modules/redemptions/store.ts'
import { createRedeemStore } from '../modules/redeems/store.ts'
import { instanceArgs } from './_args.ts'
import { list, withDatabase } from './_instance.ts'

export default defineCommand({
	meta: { name: 'clear-refresh', description: 'refresh-counters, then clear-queue, in one go' },
	args: { ...instanceArgs },
	run({ args }) {
		withDatabase(args.instance, (db, { redeems }) => {
			const repo = createRedeemStore(db)
			const { added, removed } = repo.syncCounters(counterNames(redeems), true)
			const { archived, counters } = clearQueue({ transact: createTransact(db), redemptions: createRedemptionStore(db), redeems: repo }, Date.now())
			console.log(
				`Refreshed counters (added ${list(added)}; removed ${list(removed)}), cleared the redeem queue (${archived} entries archived) and set ${counters} counters to 0`
			)
		})
	}
})
