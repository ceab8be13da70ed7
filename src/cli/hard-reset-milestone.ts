import { defineCommand } from 'citty'
import { createRedeemStore } from '../modules/redeems/store.ts'
import { instanceArgs } from './_args.ts'
import { withDatabase } from './_instance.ts'
import { findMilestone, milestoneArg } from './_milestone.ts'

export default defineCommand({
	meta: { name: 'hard-reset-milestone', description: 'Reset a milestone\'s progress to 0, complete or not' },
	args: { ...milestoneArg, ...instanceArgs },
	run({ args }) {
		withDatabase(args.instance, (db, { redeems }) => {
			const repo = createRedeemStore(db)
			const milestone = findMilestone(repo, redeems, args.name)
			repo.resetMilestone(milestone.name)
			console.log(
				`Reset milestone ${milestone.name} (was ${milestone.progress}/${milestone.goal}${milestone.completed ? ', complete' : ''})`
			)
		})
	}
})
