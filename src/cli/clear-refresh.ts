import { defineCommand } from 'citty'
import { clearArgs, instanceArgs } from './_args.ts'
import { clearCommand } from './clear-queue.ts'

export default defineCommand({
	meta: { name: 'clear-refresh', description: 'refresh-counters, then clear-queue, in one go (--refund and --yes as for clear-queue)' },
	args: { ...instanceArgs, ...clearArgs },
	async run({ args }) {
		await clearCommand(args, 'clear-refresh')
	}
})
