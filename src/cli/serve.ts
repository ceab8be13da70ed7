import { defineCommand } from 'citty'
import * as v from 'valibot'
import { createApp, MAX_REQUEST_BYTES } from '../app.ts'
import { createBot } from '../bot.ts'
import { heldJournalPath } from '../modules/bot/held-journal.ts'
import { createAwardOffload } from '../points-offload.ts'
import { startDailyBackups, startHousekeeping, startOutbox, startPointsTimer, startPredictionTimer, startSightingsFlush } from '../scheduler.ts'
import { ConfigError } from '../config/load.ts'
import { openDatabase } from '../db/database.ts'
import { migrations } from '../db/migrations/index.ts'
import { localChecks } from '../modules/doctor/local.ts'
import { createLogger, redactUrl } from '../log.ts'
import { EXPECTED, type Config } from '../modules/settings/schema.ts'
import type { Redeem } from '../modules/redeems/model.ts'
import { instanceArgs } from './_args.ts'
import { readInstance, show } from './_instance.ts'

/** "6 redeems loaded from redeems.toml, by type: 1 list, 1 counter, 3 note, 1 milestone". */
function describeRedeems(redeems: readonly Redeem[], fromDefaults: boolean): string {
	const counts = new Map<string, number>()
	for (const r of redeems) counts.set(r.type, (counts.get(r.type) ?? 0) + 1)
	const types = [...counts].map(([type, n]) => `${n} ${type}`).join(', ')
	const from = fromDefaults ? 'the built-in defaults (no redeems.toml)' : 'redeems.toml'
	return `${redeems.length} redeem${redeems.length === 1 ? '' : 's'} loaded from ${from}${types ? `, by type: ${types}` : ''}`
}

const PortFlag = v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number), v.maxValue(65535))

export default defineCommand({
	meta: { name: 'serve', description: 'Run the bot: webhooks, points timer and dashboard (creates the instance if needed)' },
	args: {
		...instanceArgs,
		host: { type: 'string', description: 'Address to listen on (overrides config host)' },
		port: { type: 'string', description: 'Port to listen on (overrides config port)' }
	},
	async run({ args }) {
		const instance = readInstance(args.instance, { create: true })
		// Command-line flags win over config.toml, also after a reload.
		const flags: Partial<Config> = {}
		if (args.host !== undefined) flags.host = args.host
		if (args.port !== undefined) {
			const port = v.safeParse(PortFlag, args.port)
			if (!port.success) throw new ConfigError(`--port: ${EXPECTED.port}, got ${JSON.stringify(args.port)}`)
			flags.port = port.output
		}
		const config: Config = { ...instance.config, ...flags }
		const log = createLogger(config.log_level)
		for (const path of instance.created) log.info(`created ${show(path)}`)

		const db = openDatabase(config.databasePath, {
			onMigrated: ({ from, to }) => {
				if (from !== to) log.info(`database ${show(config.databasePath)} migrated from schema ${from} to ${to}`)
			}
		})
		const bot = createBot({ config, redeems: instance.redeems, db, log, keep: flags })
		// Webhook events the previous run held while the database was locked and may not have applied (it crashed):
		// applied before any new one. Commands count once by their event id, so one applied already is skipped.
		const recovered = bot.heldJournal?.recover()
		if (recovered && recovered.events.length > 0) {
			const again = bot.backlog.replay(recovered.events)
			log.info(`${recovered.events.length} webhook events held by the previous run were applied${again ? ` (${again} are held again: the database is locked)` : ''}`)
		}
		if (recovered?.unreadable) log.warn(`${recovered.unreadable} unreadable lines in ${recovered.files.map(show).join(', ')} were skipped`)
		recovered?.forget()
		const app = createApp(bot)
		try {
			// reusePort off: a second serve on the same port must fail, not share it (and split webhooks between them).
			app.listen({ hostname: config.host, port: config.port, maxRequestBodySize: MAX_REQUEST_BYTES, reusePort: false })
		} catch (error) {
			db.close()
			throw new ConfigError(`cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`)
		}
		// The client list and the award run on a worker thread: a big award never stalls webhooks or pages.
		const offload = createAwardOffload(bot)
		startPointsTimer(app as never, bot, offload)
		startPredictionTimer(app as never, bot)
		const stopSightings = startSightingsFlush(bot)
		const backups = startDailyBackups(app as never, bot)
		startHousekeeping(app as never, bot)
		startOutbox(app as never, bot)
		const stopReloading = bot.runtime.watch()
		const local = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${app.server?.port}`
		// Links the bot sends (a !store login link without public_url) must reach it: a wildcard address does not.
		const reachable = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '[::1]' : undefined
		bot.runtime.listening(reachable ? `http://${reachable}:${app.server?.port}` : local)
		// public_url may carry a user name and password (a proxy's basic auth): never print them.
		const base = redactUrl(config.public_url ?? local)
		log.info(`tlapbot listening on ${local} (instance folder: ${show(config.instanceDir)})`)
		log.info(describeRedeems(instance.redeems, instance.redeemsFromDefaults))
		if (instance.redeems.length === 0) {
			log.warn(`no redeems: ${instance.redeemsFromDefaults ? 'redeems.toml is missing' : 'redeems.toml defines none'}, so viewers can earn points but not spend them`)
		}
		log.info(`Owncast webhook URL: ${base}/owncastWebhook`)
		if (config.webhook_secret) {
			log.info('webhooks must be signed: in Owncast 0.3+ give the webhook the same secret as webhook_secret; older Owncast: add ?secret=<webhook_secret> to the URL')
		}
		log.info(`Owncast external action URL: ${base}/dashboard`)
		if (!config.public_url) {
			log.warn('public_url is not set: replace the local address above with the public https address Owncast and viewers reach the bot at')
		}
		if (!config.webhook_secret) {
			log.warn('webhook_secret is not set: anyone who can reach the webhook URL can fake chat messages and spend viewers\' points')
		}
		if (config.passive) log.info('passive mode: points and names are tracked; no chat messages, no redeems')
		if (!config.owncast_access_token) {
			log.warn('owncast_access_token is not set: the bot cannot read chat users or answer in chat until it is (config.toml or TLAPBOT_OWNCAST_ACCESS_TOKEN)')
		}
		// The cheap checks of `tlapbot doctor` (database, disk space, backups); a problem is a warning, never a stop.
		const selfCheck = { db, databasePath: config.databasePath, instanceDir: config.instanceDir, backupKeep: config.backup_keep, schemaVersion: migrations.length, show }
		for (const r of localChecks(selfCheck)) if (r.status === 'fail' || r.status === 'warn') log.warn(`${r.title}: ${r.detail}${r.fix ? ` (${r.fix})` : ''}`)

		await new Promise<void>((done) => {
			const stop = async (signal: string) => {
				log.info(`${signal} received, shutting down`)
				process.off('SIGINT', onInt)
				process.off('SIGTERM', onTerm)
				stopReloading()
				backups.stop()
				const timers = (app.store as { cron?: Record<string, { stop(): void }> }).cron ?? {}
				for (const timer of Object.values(timers)) timer.stop()
				offload.stop()
				stopSightings()
				try {
					bot.sightings.flush()
				} catch (error) {
					log.warn(`the viewers seen in chat in the last second could not be written: ${(error as Error).message}`)
				}
				// Open keep-alive connections are closed too, so that stopping never waits on an idle browser.
				await app.stop(true)
				const held = bot.backlog.flush()
				if (held) {
					log.warn(`${held} webhook events held while the database was locked are kept in ${show(heldJournalPath(config.databasePath))} and applied at the next start`)
				}
				bot.heldJournal?.close()
				// Let replies already accepted reach Owncast, but never wait long for it.
				let timer: Timer | undefined
				await Promise.race([bot.runtime.chat.idle(), new Promise((resolve) => (timer = setTimeout(resolve, 2000)))])
				clearTimeout(timer)
				db.close()
				log.info('tlapbot stopped')
				done()
			}
			const onInt = () => void stop('SIGINT')
			const onTerm = () => void stop('SIGTERM')
			process.on('SIGINT', onInt)
			process.on('SIGTERM', onTerm)
		})
	}
})
