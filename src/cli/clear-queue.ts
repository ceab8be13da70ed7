import { defineCommand } from 'citty'
import { createInterface } from 'node:readline'
import type { Database } from 'bun:sqlite'
import { openDatabase } from '../db/database.ts'
import { createTransact } from '../db/transaction.ts'
import { createAuditStore } from '../modules/audit/store.ts'
import { createEventLog } from '../modules/events/log.ts'
import { createEventStore } from '../modules/events/store.ts'
import { createModeration } from '../modules/moderation/service.ts'
import { clearQueue, createQueue, type ClearResult } from '../modules/redemptions/queue.ts'
import { createRedemptionStore } from '../modules/redemptions/store.ts'
import { counterNames } from '../modules/redeems/model.ts'
import { createRedeemStore } from '../modules/redeems/store.ts'
import { createStreamStore } from '../modules/streams/store.ts'
import { createViewerStore } from '../modules/viewers/store.ts'
import { clearArgs, instanceArgs } from './_args.ts'
import { list, readInstance, UserError, type Instance } from './_instance.ts'

/** Who the audit log names for refunds made by clear-queue --refund / clear-refresh --refund. */
export const CLI_ACTOR = 'command line'

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** Asks a yes/no question on the terminal (stderr, so stdout stays what was done); only "y" or "yes" is a yes. */
async function confirm(question: string): Promise<boolean> {
	const rl = createInterface({ input: process.stdin, output: process.stderr })
	try {
		const answer = await new Promise<string | undefined>((resolve) => {
			rl.on('close', () => resolve(undefined)) // Ctrl+D
			rl.on('SIGINT', () => resolve(undefined))
			rl.question(question, resolve)
		})
		if (answer === undefined) process.stderr.write('\n')
		return /^\s*y(es)?\s*$/i.test(answer ?? '')
	} finally {
		rl.close()
	}
}

/** Refunds every pending redemption through the moderation service (ledger row, audit log, at most once). */
function refunder(db: Database, instance: Instance, now: number) {
	const transact = createTransact(db)
	const viewers = createViewerStore(db, { startingPoints: () => instance.config.starting_points })
	const redemptions = createRedemptionStore(db)
	const redeems = createRedeemStore(db)
	const moderation = createModeration({
		transact,
		viewers,
		redemptions,
		queue: createQueue({ transact, redemptions, viewers, redeems }),
		redeems,
		streams: createStreamStore(db),
		audit: createAuditStore(db),
		configCategories: () => instance.config.active_categories,
		// As in bot.ts: each refund's redemption.updated event is recorded with it, for serve to pass on.
		events: createEventLog({ store: createEventStore(db), receivers: () => [], recorded: () => {} })
	})
	return (redemption: { id: number }) => {
		const result = moderation.resolve(redemption.id, 'refund', CLI_ACTOR, 'queue cleared', now)
		return result.ok ? result.refunded : undefined
	}
}

/**
 * clear-queue and clear-refresh. Archiving pending redemptions without refunding them takes their points for good, so
 * unless --refund or --yes says what to do: on a terminal, ask; otherwise refuse and say how to choose.
 */
export async function clearCommand(
	args: { instance?: string | undefined; refund?: boolean | undefined; yes?: boolean | undefined },
	command: 'clear-queue' | 'clear-refresh'
): Promise<void> {
	const instance = readInstance(args.instance)
	const db = openDatabase(instance.config.databasePath)
	try {
		const transact = createTransact(db)
		const redemptions = createRedemptionStore(db)
		const redeems = createRedeemStore(db)
		const pending = redemptions.pendingCount()
		let confirmed = Number.POSITIVE_INFINITY
		if (pending > 0 && !args.refund && !args.yes) {
			const what = `${plural(pending, 'pending redemption')} without refunding`
			if (!process.stdin.isTTY) {
				throw new UserError(
					`${command} would archive ${what}; add --refund to give their points back first, or --yes to archive them as they are`
				)
			}
			if (!(await confirm(`Archive ${what}? [y/N] `))) {
				console.error(`Nothing changed (\`tlapbot ${command} --refund\` gives the points back first)`)
				process.exitCode = 1
				return
			}
			confirmed = pending
		}
		const now = Date.now()
		const { result, refreshed, left } = transact(() => {
			// Entries that arrived while the question was open were not part of the answer.
			if (redemptions.pendingCount() > confirmed) {
				throw new UserError(`new redemptions arrived while asking; nothing changed, run \`tlapbot ${command}\` again`)
			}
			const refreshed = command === 'clear-refresh' ? redeems.syncCounters(counterNames(instance.redeems), true) : undefined
			const left = args.refund ? 0 : redemptions.pendingCount()
			const result: ClearResult = clearQueue({ transact, redemptions, redeems }, now, args.refund ? { refund: refunder(db, instance, now) } : {})
			return { result, refreshed, left }
		})
		const parts: string[] = []
		if (refreshed) parts.push(`Refreshed counters (added ${list(refreshed.added)}; removed ${list(refreshed.removed)})`)
		if (args.refund) parts.push(`refunded ${plural(result.refunded, 'pending redemption')} (${plural(result.points, 'point')} given back)`)
		const unrefunded = left > 0 ? `, ${left} of them pending and not refunded` : ''
		parts.push(
			`cleared the redeem queue (${plural(result.archived, 'entry', 'entries')} archived${unrefunded}) and set ${plural(result.counters, 'counter')} to 0`
		)
		const text = parts.join(', ')
		console.log(text.charAt(0).toUpperCase() + text.slice(1))
	} finally {
		db.close()
	}
}

export default defineCommand({
	meta: {
		name: 'clear-queue',
		description:
			'Empty the redeem queue (entries are archived, not deleted) and set every counter to 0; pending redemptions are refunded with --refund'
	},
	args: { ...instanceArgs, ...clearArgs },
	async run({ args }) {
		await clearCommand(args, 'clear-queue')
	}
})
