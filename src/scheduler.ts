// The points timer. Only `serve` starts it; a failing run is logged and never takes the process down.
import { cron } from '@elysiajs/cron'
import type { Elysia } from 'elysia'
import type { Deps } from './deps.ts'
import { runPointsCycle } from './modules/points/cycle.ts'

export function startPointsTimer(app: Elysia, deps: Deps) {
	const { log, config } = deps
	const run = async () => {
		try {
			await runPointsCycle({
				client: deps.owncast,
				repo: deps.points,
				log,
				cycleSeconds: config.points_cycle_time,
				amount: config.points_amount_given
			}, deps.clock)
		} catch (error) {
			log.error('points cycle failed', error)
		}
	}
	return app.use(
		cron({
			name: 'points',
			// Checked every second, run at most once per interval; protect keeps runs from overlapping.
			pattern: '* * * * * *',
			interval: config.points_cycle_time,
			protect: true,
			catch: (error: unknown) => log.error('points cycle failed', error),
			run
		})
	)
}
