// Timers that only `serve` starts: the points cycle and daily backups. Both read the settings at every run, so a
// reload applies without a restart; a failing run is logged and never takes the process down.
import { cron } from '@elysiajs/cron'
import type { Elysia } from 'elysia'
import type { Bot } from './bot.ts'
import type { Logger } from './log.ts'
import { displayPath } from './config/load.ts'
import { isBusy } from './db/database.ts'
import { dailyBackup } from './modules/backup/backup.ts'
import { runPointsCycle, type CycleDeps, type FetchAndAward } from './modules/points/cycle.ts'
import { FLUSH_CHUNK } from './modules/bot/sightings.ts'

type TimerDeps = Pick<Bot, 'settings' | 'runtime' | 'award' | 'streams' | 'stores' | 'log' | 'clock' | 'chatActivity'>

/** What one points cycle needs, with the settings in force now. */
export function cycleDepsOf(bot: TimerDeps): CycleDeps {
	const config = bot.settings().config
	return {
		client: bot.runtime.owncast,
		award: bot.award,
		stream: {
			isLive: () => bot.stores.streams.isLive(),
			started: (now) => void bot.streams.started(now),
			stopped: (now) => bot.streams.stopped(now),
			markLive: (online) => bot.stores.streams.setState('stream_live', online ? '1' : '0')
		},
		log: bot.log,
		cycleSeconds: config.points_cycle_time,
		amount: config.points_amount_given,
		earning: () => ({
			ignore: config.ignore_users,
			chatters: bot.chatActivity.take(),
			activeChatterBonus: config.active_chatter_bonus,
			firstChatBonus: config.first_chat_bonus,
			streakBonus: config.streak_bonus,
			streakStreams: config.streak_streams
		})
	}
}

/**
 * The points cycle's log: the routine award line at INFO at most once every ten minutes, DEBUG in between, so a short
 * points_cycle_time does not flood the log. Everything else (skips, warnings) always shows.
 */
function cycleLog(log: Logger): Logger {
	let lastInfo = Number.NEGATIVE_INFINITY
	return {
		...log,
		get level() {
			return log.level
		},
		set level(level) {
			log.level = level
		},
		info(message) {
			if (!message.startsWith('points cycle: ')) return log.info(message)
			const now = performance.now()
			if (now - lastInfo < 10 * 60_000) return log.debug(message)
			lastInfo = now
			log.info(message)
		}
	}
}

export function startPointsTimer(app: Elysia, bot: TimerDeps, offload?: { fetchAndAward: FetchAndAward }) {
	const log = bot.log
	const quiet = cycleLog(log)
	let lastRunAt = Number.NEGATIVE_INFINITY
	let busySince: number | undefined
	const run = async () => {
		// Read at every tick, so a reloaded points_cycle_time or amount applies at once.
		const deps = { ...cycleDepsOf(bot), log: quiet, ...(offload ? { fetchAndAward: offload.fetchAndAward } : {}) }
		const now = performance.now()
		if (now - lastRunAt < deps.cycleSeconds * 1000 - 500) return
		const previousRun = lastRunAt
		lastRunAt = now
		try {
			await runPointsCycle(deps, bot.clock)
			busySince = undefined
		} catch (error) {
			if (!isBusy(error)) {
				log.error('points cycle failed', error)
				return
			}
			// Another process holds the write lock: nothing was awarded; try again at the next tick.
			lastRunAt = previousRun
			if (busySince === undefined) {
				busySince = now
				log.warn('points cycle: the database is locked by another process; retrying every second')
			}
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

/**
 * Viewers seen in plain chat are written ten times a second, at most FLUSH_CHUNK at a time (src/modules/bot/sightings.ts):
 * short transactions, so even a flood of new viewers never holds up a request. Returns a function that stops it.
 */
export function startSightingsFlush(bot: Pick<Bot, 'sightings' | 'log'>): () => void {
	const timer = setInterval(() => {
		try {
			bot.sightings.flush(FLUSH_CHUNK)
		} catch (error) {
			// A locked database: the viewers wait for the next round.
			if (!isBusy(error)) bot.log.error('writing the viewers seen in chat failed', error)
		}
	}, 100)
	return () => clearInterval(timer)
}

/**
 * A prediction's betting window: checked every second; when it ends, betting locks and chat is told (a moderator's
 * `!predict lock` does the same at once).
 */
export function startPredictionTimer(app: Elysia, bot: Pick<Bot, 'predictions' | 'settings' | 'runtime' | 'log' | 'clock'>) {
	const run = () => {
		try {
			const now = bot.clock()
			if (!bot.predictions.expire(now)) return
			const { config, messages, commands } = bot.settings()
			const view = bot.predictions.current(now)
			if (!view || config.passive) return
			const pools = view.outcomes.map((o) => `${o.name} ${o.pool}`).join(', ')
			const text = messages.text('prediction_locked', { question: view.question, pools, prefix: config.prefix, bet: commands.nameOf('bet') ?? 'bet' })
			bot.runtime.chat.send([{ text, to: 'public' }], 0)
		} catch (error) {
			// A locked database: the next second tries again.
			if (!isBusy(error)) bot.log.error('locking a prediction whose betting window ended failed', error)
		}
	}
	return app.use(cron({ name: 'predictions', pattern: '* * * * * *', protect: true, catch: (error: unknown) => bot.log.error('prediction timer failed', error), run }))
}

/**
 * Today's backup at start, then a check every hour; daily backups beyond backup_keep are removed (0 turns them
 * off). A reloaded backup_keep applies at once: a smaller number removes the extra backups, a first one writes today's.
 */
export function startDailyBackups(app: Elysia, bot: Pick<Bot, 'settings' | 'runtime' | 'db' | 'log' | 'clock'>) {
	const { log } = bot
	const run = () => {
		try {
			const { backup_keep: keep, instanceDir } = bot.settings().config
			const { written, removed } = dailyBackup(bot.db, instanceDir, keep, bot.clock())
			if (written) log.info(`daily backup written to ${displayPath(written)}`)
			for (const file of removed) log.info(`old backup removed: ${displayPath(file)}`)
		} catch (error) {
			log.error('daily backup failed', error)
		}
	}
	run()
	const unsubscribe = bot.runtime.subscribe((next, previous) => {
		if (next.config.backup_keep !== previous.config.backup_keep) run()
	})
	return {
		app: app.use(cron({ name: 'backup', pattern: '0 17 * * * *', protect: true, catch: (e: unknown) => log.error('daily backup failed', e), run })),
		stop: unsubscribe
	}
}

/** Once an hour: forget expired sign-ins, login links, the answers kept for Idempotency-Keys and day-old events. */
export function startHousekeeping(app: Elysia, bot: Pick<Bot, 'identity' | 'stores' | 'log' | 'clock'>) {
	const run = () => {
		try {
			const now = bot.clock()
			bot.identity.prune(now)
			bot.stores.idempotency.prune(now)
			bot.stores.events.prune(now)
		} catch (error) {
			// A locked database or a full disk: the next hour tries again.
			bot.log.warn(`housekeeping skipped: ${(error as Error).message}`)
		}
	}
	run()
	return app.use(cron({ name: 'housekeeping', pattern: '0 41 * * * *', protect: true, catch: (e: unknown) => bot.log.error('housekeeping failed', e), run }))
}

/**
 * Outgoing webhooks: the delivery loop (modules/events/outbox.ts), woken by every event this process records and
 * every second. It stops with the server (app.stop): requests under way still get their answers written if the
 * database is open; one whose answer is not written is sent again after the restart, with the same delivery id.
 */
export function startOutbox(app: Elysia, bot: Pick<Bot, 'outbox' | 'log'>) {
	const receivers = bot.outbox.receivers()
	if (receivers.length) {
		const events = (list: readonly string[]) => (list.includes('*') ? 'all events' : list.join(', '))
		bot.log.info(`outgoing webhooks: ${receivers.map((r) => `${r.label}, ${r.format}, ${events(r.events)}`).join('; ')}`)
	}
	bot.outbox.start()
	return app.onStop(() => void bot.outbox.stop())
}
