// The heavy half of a points cycle, on a thread of its own so the main thread keeps answering webhooks and pages:
// the list of chat users from Owncast (tens of MB of JSON at 100,000 viewers, read as it arrives straight into the
// award's temporary list) and the award transaction, on this thread's own database connection. The main thread (src/points-offload.ts) sends a job
// per cycle and gets the outcome back; events the award recorded are announced to it so the event stream and the
// outgoing webhooks wake up. Listed as an entry point of `bun build --compile` (scripts/build.ts).
import type { Database } from 'bun:sqlite'
import { openDatabase, isBusy } from './db/database.ts'
import { createTransact } from './db/transaction.ts'
import { createEventLog } from './modules/events/log.ts'
import { createEventStore } from './modules/events/store.ts'
import { createOwncastClient, type OwncastClient } from './modules/owncast/client.ts'
import { createAward, type AwardResult, type EarningRules } from './modules/points/award.ts'
import { createStreamStore } from './modules/streams/store.ts'
import { createViewerStore, type ViewerStore } from './modules/viewers/store.ts'

declare const self: Worker

export type AwardJob = {
	id: number
	databasePath: string
	owncast: { url: string; token: string }
	amount: number
	now: number
	minIntervalMs: number
	startingPoints: number
	rules: EarningRules
	/** The outgoing webhooks in force (their ids and the events each wants): the award's event goes to their outbox. */
	receivers: { id: string; events: readonly string[] }[]
}

export type AwardReply =
	| { id: number; kind: 'done'; result: AwardResult; timings: { fetchMs: number; awardMs: number } }
	| { id: number; kind: 'owncast'; message: string }
	| { id: number; kind: 'busy' }
	| { id: number; kind: 'error'; message: string }
	| { kind: 'events' }

let open: { path: string; db: Database; award: ReturnType<typeof createAward>; viewers: ViewerStore; job: () => AwardJob } | undefined
let current: AwardJob | undefined

function openFor(first: AwardJob) {
	if (open?.path !== first.databasePath) {
		open?.db.close()
		const db = openDatabase(first.databasePath)
		// Like the main connection: never wait for a lock; a busy database is reported and the cycle retried.
		db.run('PRAGMA busy_timeout = 0')
		// The award's pages are copied from the write-ahead log into the database after its outcome is sent (below),
		// not inside its commit: the points are there as soon as they are committed.
		db.run('PRAGMA wal_autocheckpoint = 0')
		const transact = createTransact(db)
		const job = () => current as AwardJob
		const viewers = createViewerStore(db, { startingPoints: () => job().startingPoints })
		const streams = createStreamStore(db)
		const events = createEventLog({
			store: createEventStore(db),
			receivers: () => job().receivers,
			recorded: () => self.postMessage({ kind: 'events' } satisfies AwardReply)
		})
		open = { path: first.databasePath, db, award: createAward({ transact, viewers, streams, events }), viewers, job }
	}
	return open
}

self.onmessage = async (event: MessageEvent<AwardJob>) => {
	const job = event.data
	current = job
	let reply: AwardReply
	try {
		const started = performance.now()
		const { award, viewers } = openFor(job)
		// The chat users go into the award's list as Owncast's answer arrives (no array of them is kept).
		const stage = viewers.stageAward()
		let users: Awaited<ReturnType<OwncastClient['eachChatUser']>>
		try {
			users = await createOwncastClient({ baseUrl: job.owncast.url, accessToken: job.owncast.token, timeoutMs: 60_000 }).eachChatUser((u) =>
				stage.add({ id: u.id, displayName: u.displayName || u.id })
			)
		} catch (error) {
			stage.abandon()
			throw error
		}
		if (!users.ok) {
			stage.abandon()
			reply = { id: job.id, kind: 'owncast', message: users.message }
		} else {
			const staged = stage.done()
			const fetched = performance.now()
			const result = award(staged, job.amount, job.now, job.minIntervalMs, job.rules)
			reply = { id: job.id, kind: 'done', result, timings: { fetchMs: fetched - started, awardMs: performance.now() - fetched } }
		}
	} catch (error) {
		reply = isBusy(error) ? { id: job.id, kind: 'busy' } : { id: job.id, kind: 'error', message: (error as Error).message }
	}
	self.postMessage(reply)
	// In a later turn: a message posted by a thread is delivered once the thread's current turn is over.
	const db = open?.db
	if (reply.kind === 'done' && db) {
		setTimeout(() => {
			try {
				db.run('PRAGMA wal_checkpoint(PASSIVE)')
			} catch {
				// Busy or closed: the next commit on any connection checkpoints.
			}
		}, 0)
	}
}
