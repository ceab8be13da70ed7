import { defineCommand } from 'citty'
import { milestoneGoals } from '../modules/redeems/model.ts'
import { createRedeemStore } from '../modules/redeems/store.ts'
import { instanceArgs } from './_args.ts'
import { list, withDatabase } from './_instance.ts'

export default defineCommand({
	meta: {
		name: 'refresh-milestones',
		description: 'Remove milestones no longer in redeems.toml, add new ones and apply changed goals; progress is kept'
	},
	args: { ...instanceArgs },
	run({ args }) {
		withDatabase(args.instance, (db, { redeems }) => {
			const { added, removed, changed } = createRedeemStore(db).syncMilestones(milestoneGoals(redeems), true, Date.now())
			console.log(`Refreshed milestones: added ${list(added)}; removed ${list(removed)}; goal changed ${list(changed)}`)
		})
	}
})
