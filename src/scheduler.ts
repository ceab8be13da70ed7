// The points timer. Only `serve` starts it; a failing run is logged and never takes the process down.
import { cron } from '@elysiajs/cron'
import type { Elysia } from 'elysia'
import type { Deps } from './deps.ts'
import { dailyBackup } from './modules/backup/backup.ts'
import { runPointsCycle } from './modules/points/cycle.ts'
import { streamStarted } from './modules/streams/service.ts'
import { displayPath } from './config/load.ts'

export function startPointsTimer(app: Elysia, deps: Deps) {
	const { log } = deps
	let lastRunAt = Number.NEGATIVE_INFINITY
	const run = async () => {
		// Read the config at every tick, so a reloaded points_cycle_time or amount applies at once.
		const config = deps.config
		const now = performance.now()
		if (now - lastRunAt < config.points_cycle_time * 1000 - 500) return
		lastRunAt = now
		try {
			await runPointsCycle(
				{
					client: deps.owncast,
					repo: deps.points,
					onStreamOnline: (at) => streamStarted(deps, at),
					log,
					cycleSeconds: config.points_cycle_time,
					amount: config.points_amount_given
				},
				deps.clock
			)
		} catch (error) {
			log.error('points cycle failed', error)
		}
	}
	return app.use(
		cron({
			name: 'points',
			// Ticks every second and runs once per points_cycle_time; protect keeps runs from overlapping.
			pattern: '* * * * * *',
			protect: true,
			catch: (error: unknown) => log.error('points cycle failed', error),
			run
		})
	)
}

/** Today's backup at start, then a check every hour; old daily backups beyond backup_keep are removed. */
export function startDailyBackups(app: Elysia, deps: Deps) {
	const { log, config } = deps
	if (config.backup_keep <= 0) return app
	const run = () => {
		try {
			const { written, removed } = dailyBackup(deps.db, config.instanceDir, config.backup_keep, deps.clock())
			if (written) log.info(`daily backup written to ${displayPath(written)}`)
			for (const file of removed) log.info(`old backup removed: ${displayPath(file)}`)
		} catch (error) {
			log.error('daily backup failed', error)
		}
	}
	run()
	return app.use(cron({ name: 'backup', pattern: '0 17 * * * *', protect: true, catch: (e: unknown) => log.error('daily backup failed', e), run }))
}
