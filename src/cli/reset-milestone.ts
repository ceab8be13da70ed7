import { defineCommand } from 'citty'
import { createRedeemStore } from '../modules/redeems/store.ts'
import { instanceArgs } from './_args.ts'
import { withDatabase } from './_instance.ts'
import { findMilestone, milestoneArg } from './_milestone.ts'

export default defineCommand({
	meta: { name: 'reset-milestone', description: 'Reset a milestone\'s progress to 0, but only if it is complete' },
	args: { ...milestoneArg, ...instanceArgs },
	run({ args }) {
		withDatabase(args.instance, (db, { redeems }) => {
			const repo = createRedeemStore(db)
			const milestone = findMilestone(repo, redeems, args.name)
			if (!milestone.completed) {
				console.log(
					`Milestone ${milestone.name} is not complete (${milestone.progress}/${milestone.goal}); nothing reset. Use hard-reset-milestone to reset it anyway`
				)
				return
			}
			repo.resetMilestone(milestone.name)
			console.log(`Reset milestone ${milestone.name} (was ${milestone.progress}/${milestone.goal}, complete)`)
		})
	}
})
