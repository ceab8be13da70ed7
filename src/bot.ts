// The composition root: builds the stores, the services and the runtime for one database, and wires them
// together. Only src/ (app, scheduler, CLI) imports this file; modules receive the narrow parts they use.
import type { Database } from 'bun:sqlite'
import type { Env } from './config/load.ts'
import { createChangeStamp } from './db/database.ts'
import { createTransact } from './db/transaction.ts'
import type { Logger } from './log.ts'
import { passwordFingerprint } from './modules/admin/auth.ts'
import { createAdminLinks } from './modules/admin/links.ts'
import { createAdminSessions } from './modules/admin/sessions.ts'
import { createAuditStore } from './modules/audit/store.ts'
import { createEventBacklog } from './modules/bot/backlog.ts'
import { createHeldJournal } from './modules/bot/held-journal.ts'
import { createEventService } from './modules/bot/events.ts'
import { createEventLog } from './modules/events/log.ts'
import { configuredReceivers, createOutbox } from './modules/events/outbox.ts'
import { createEventStore } from './modules/events/store.ts'
import { createProcessedEvents } from './modules/bot/processed-events.ts'
import { describeCollision } from './modules/commands/registry.ts'
import { createModeration } from './modules/moderation/service.ts'
import { createAward } from './modules/points/award.ts'
import { createChatActivity } from './modules/points/chat-activity.ts'
import { createSightings } from './modules/bot/sightings.ts'
import { createGiving } from './modules/economy/give.ts'
import { createLeaderboard } from './modules/economy/leaderboard.ts'
import { createPolls } from './modules/polls/service.ts'
import { createPredictions } from './modules/predictions/service.ts'
import { createPredictionStore } from './modules/predictions/store.ts'
import { createPollStore } from './modules/polls/store.ts'
import { createQueue } from './modules/redemptions/queue.ts'
import { createRedemptionStore } from './modules/redemptions/store.ts'
import type { Redeem } from './modules/redeems/model.ts'
import { createPurchases } from './modules/redeems/purchase.ts'
import { createRedeemStore } from './modules/redeems/store.ts'
import type { Config } from './modules/settings/schema.ts'
import type { Settings } from './modules/settings/settings.ts'
import { createStreamService } from './modules/streams/service.ts'
import { createStreamStore } from './modules/streams/store.ts'
import { createViewerStore } from './modules/viewers/store.ts'
import { createIdentity } from './modules/identity/service.ts'
import { createIdentityStore } from './modules/identity/store.ts'
import { createIdempotencyStore } from './modules/store/idempotency.ts'
import { createStore } from './modules/store/service.ts'
import { createRuntime } from './runtime.ts'
import { join } from 'node:path'
import { REDEEMS_FILE } from './config/load.ts'
import { readRedeemsFile, saveRedeemEdit } from './config/redeems-edit.ts'
import type { RedeemsFileAccess } from './modules/redeems/file.ts'
import { VERSION } from './version.ts'

export function createBot(input: {
	config: Config
	redeems: readonly Redeem[]
	db: Database
	log: Logger
	fetch?: typeof fetch
	clock?: () => number
	env?: Env
	keep?: Partial<Config>
}) {
	const { db, log } = input
	const clock = input.clock ?? Date.now
	// The bot never waits for another process's write lock: a synchronous wait would stall every request.
	// Webhook events are held instead (modules/bot/backlog.ts); other writes answer "busy" and are retried.
	db.run('PRAGMA busy_timeout = 0')
	const runtime = createRuntime(input)
	const settings = runtime.settings
	// Webhook events held while the database is locked are written next to it (serve replays them at start).
	const databasePath = input.config.databasePath
	const heldJournal = databasePath && databasePath !== ':memory:' ? createHeldJournal(databasePath) : undefined
	const transact = createTransact(db)

	// One owner per table (ARCHITECTURE.md lists them).
	const stores = {
		viewers: createViewerStore(db, { startingPoints: () => settings().config.starting_points }),
		redemptions: createRedemptionStore(db),
		redeems: createRedeemStore(db),
		streams: createStreamStore(db),
		audit: createAuditStore(db),
		adminLinks: createAdminLinks(db),
		adminSessions: createAdminSessions(db),
		processedEvents: createProcessedEvents(db),
		identity: createIdentityStore(db),
		events: createEventStore(db),
		idempotency: createIdempotencyStore(db),
		polls: createPollStore(db),
		predictions: createPredictionStore(db)
	}
	const { viewers, redemptions, redeems, streams, audit } = stores

	// Events: recorded with the change they report; listeners (the event stream, outgoing webhooks) are woken after.
	const eventListeners = new Set<() => void>()
	const onEvents = (listener: () => void) => {
		eventListeners.add(listener)
		return () => eventListeners.delete(listener)
	}
	const events = createEventLog({
		store: stores.events,
		receivers: () => configuredReceivers(settings().config.outgoing_webhooks),
		recorded: () => {
			for (const listener of eventListeners) listener()
		}
	})
	// Outgoing webhooks: the delivery loop runs only in `serve` (startOutbox in scheduler.ts).
	const outbox = createOutbox({
		store: stores.events,
		events,
		transact,
		config: () => settings().config,
		onEvents,
		log,
		clock,
		userAgent: `tlapbot/${VERSION}`
	})

	const queue = createQueue({ transact, redemptions, viewers, redeems })
	const purchases = createPurchases({ transact, viewers, redemptions, redeems, streams, events })
	const moderation = createModeration({
		transact,
		viewers,
		redemptions,
		queue,
		redeems,
		streams,
		audit,
		configCategories: () => settings().config.active_categories,
		events
	})
	const streamService = createStreamService({ transact, streams, redemptions, redeems, config: () => settings().config, log, events })
	const award = createAward({ transact, viewers, streams, events })
	const identity = createIdentity({ transact, store: stores.identity, sessionDays: () => settings().config.viewer_session_days })
	const predictions = createPredictions({ transact, store: stores.predictions, viewers, events, audit })
	const store = createStore({
		settings,
		transact,
		viewers,
		purchases,
		redeems,
		redemptions,
		streams,
		moderation,
		idempotency: stores.idempotency,
		replies: runtime.chat,
		limiter: runtime.limiter,
		predictions
	})
	// Economy: giving points, the leaderboard, and who chatted since the last cycle (the earning rules).
	const chatActivity = createChatActivity()
	const sightings = createSightings({ transact, viewers, clock })
	const giving = createGiving({ transact, viewers, events, config: () => settings().config })
	const leaderboard = createLeaderboard({ viewers, streams, config: () => settings().config })
	const polls = createPolls({ transact, store: stores.polls, viewers, events, audit })
	// The polls in redeems.toml, brought in line with the file at start and after every reload (polls/service.ts sync).
	const syncPolls = (next: Settings) => {
		try {
			const result = polls.sync(next.polls, clock())
			for (const { name, problem } of result.invalid) log.warn(`redeems.toml: polls.${name}: ${problem}; the poll stays closed`)
			for (const name of result.blocked) log.warn(`redeems.toml: polls.${name}: a moderator's poll of that name is open; the file's poll opens once it is closed`)
			return [...result.opened.map((n) => `poll ${n} opened`), ...result.closed.map((n) => `poll ${n} closed`)]
		} catch (error) {
			log.error('syncing the polls of redeems.toml failed; they are synced again at the next reload', error)
			return []
		}
	}

	const eventService = createEventService({
		settings,
		transact,
		processed: stores.processedEvents,
		viewers,
		purchases,
		moderation,
		identity,
		streams: streamService,
		replies: runtime.chat,
		limiter: runtime.limiter,
		economy: { giving, leaderboard, polls, predictions, chatActivity },
		sightings,
		clock
	})

	// What settings mean for the database and the log, at start and after every reload.
	const addMissingRows = (next: Settings) => {
		const { counters, milestones } = redeems.addMissingRows(next.redeems, clock())
		return [...counters.added, ...milestones.added]
	}
	const warnCollisions = (next: Settings, previous?: Settings) => {
		const before = new Set(previous?.commands.collisions.map((c) => `${c.id}=${c.redeem}`))
		for (const c of next.commands.collisions) {
			if (!before.has(`${c.id}=${c.redeem}`)) log.warn(describeCollision(c, next.config.prefix))
		}
	}
	// Admin sessions of another admin_password or secret_key (changed, perhaps while the bot was stopped) are over.
	const forgetStaleSessions = (config: Config) =>
		stores.adminSessions.forgetStale(passwordFingerprint(config.secret_key, config.admin_password), clock())
	forgetStaleSessions(settings().config)
	const opened = syncPolls(settings())
	if (opened.length) log.info(`redeems.toml: ${opened.join(', ')}`)
	const added = addMissingRows(settings())
	if (added.length) log.info(`counters and milestones added: ${added.join(', ')}`)
	warnCollisions(settings())
	if (moderation.applyConfigCategories(settings().config.active_categories)) {
		log.info('active_categories from config.toml replaces the categories moderators set in chat')
	}
	runtime.subscribe((next, previous) => {
		warnCollisions(next, previous)
		if (next.config.admin_password !== previous.config.admin_password || next.config.secret_key !== previous.config.secret_key) {
			const ended = forgetStaleSessions(next.config)
			if (ended) log.info(`admin_password or secret_key changed: ${ended} admin session${ended === 1 ? '' : 's'} ended`)
		}
		if (moderation.applyConfigCategories(next.config.active_categories)) {
			log.info('active_categories changed in config.toml and replaces the categories moderators set in chat')
		}
		const rows = addMissingRows(next)
		const notes = [...(rows.length ? [`added ${rows.join(', ')}`] : []), ...syncPolls(next)]
		return notes.length ? notes.join('; ') : undefined
	})

	// The admin page's redeem editor: a saved edit is reloaded at once (the file watcher would take a second, and does
	// not reload it again).
	const redeemsPath = () => join(settings().config.instanceDir, REDEEMS_FILE)
	const redeemsFile: RedeemsFileAccess = {
		read: () => readRedeemsFile(redeemsPath()),
		save(version, edit) {
			const result = saveRedeemEdit(redeemsPath(), version, edit)
			if (result.ok) runtime.reload('the admin page changed redeems.toml')
			return result
		}
	}

	return {
		db,
		log,
		clock,
		runtime,
		redeemsFile,
		chatActivity,
		/** Viewers seen in plain chat, waiting to be written (serve flushes them every second). */
		sightings,
		giving,
		leaderboard,
		polls,
		predictions,
		settings,
		transact,
		stores,
		queue,
		purchases,
		moderation,
		streams: streamService,
		award,
		events: eventService,
		/** Wakes a listener whenever events were recorded in this process; returns a function that stops it. */
		onEvents,
		/** Events were recorded elsewhere (the points worker's connection): wakes the listeners as if here. */
		wakeEventListeners: () => {
			for (const listener of eventListeners) listener()
		},
		/** Outgoing webhooks: receivers, deliveries, the test event, and the delivery loop. */
		outbox,
		identity,
		store,
		backlog: createEventBacklog((event, receivedAt) => eventService.handleOwncastEvent(event, receivedAt), log, { journal: heldJournal }, clock),
		heldJournal,
		changeStamp: createChangeStamp(db)
	}
}

export type Bot = ReturnType<typeof createBot>
