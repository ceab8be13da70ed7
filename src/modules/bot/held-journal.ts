// The webhook events held in memory while the database is locked (bot/backlog.ts), also written to a file beside the
// database as they are held: a webhook answered 204 survives a crash (even kill -9) before its event could be
// applied, and the next start applies it. Each process has its own file (two `serve` on one database must not empty
// each other's), emptied each time its backlog is. At start, the files of processes that are gone are applied and
// then deleted. Applying an event twice is harmless: commands count once by their event id (processed_events), the
// rest only refreshes viewers and streams.
import { closeSync, existsSync, ftruncateSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { OwncastEvent } from '../owncast/model.ts'
import { tightenMode } from '../../db/files.ts'

export type HeldEvent = { event: OwncastEvent; receivedAt: number }

/** A process's journal: beside the database, like SQLite's own -wal file, named with the process id. */
export const heldJournalPath = (databasePath: string, pid = process.pid) => `${databasePath}-held-${pid}.jsonl`

export type HeldRecovery = {
	/** The events, file by file (oldest file first), each file's in the order they were held. */
	events: HeldEvent[]
	/** Lines that could not be read (a crash in the middle of writing one): skipped. */
	unreadable: number
	/** The files they came from. */
	files: string[]
	/** Deletes those files: once the events are applied, or held again (and so written to this process's file). */
	forget(): void
}

export type HeldJournal = {
	/** Appends an event as it is held. */
	append(held: HeldEvent): void
	/** The backlog is empty: nothing in the file needs applying any more. */
	clear(): void
	/** At start: what processes that are gone (this one's predecessors) held and may not have applied. */
	recover(): HeldRecovery
	close(): void
}

/** Whether a process id belongs to a running process (another user's counts: it cannot be told apart). */
function alive(pid: number): boolean {
	try {
		process.kill(pid, 0)
		return true
	} catch (error) {
		return (error as { code?: string }).code === 'EPERM'
	}
}

export function createHeldJournal(databasePath: string): HeldJournal {
	const path = heldJournalPath(databasePath)
	let fd: number | undefined
	let written = false
	const open = () => {
		if (fd === undefined) {
			// Chat messages and viewers' names: owner-only, like the database.
			fd = openSync(path, 'a', 0o600)
			tightenMode(path)
		}
		return fd
	}
	return {
		append(held) {
			writeSync(open(), `${JSON.stringify(held)}\n`)
			written = true
		},
		clear() {
			if (!written) return
			ftruncateSync(open(), 0)
			written = false
		},
		recover() {
			const folder = dirname(databasePath)
			const prefix = `${basename(databasePath)}-held-`
			// A file with this process's id is a predecessor's (ids are reused, in containers often): moved aside first,
			// since this process writes its own there.
			if (existsSync(path)) renameSync(path, `${path}.old`)
			const files = readdirSync(folder)
				.filter((name) => name.startsWith(prefix))
				.filter((name) => {
					const match = /^(\d+)\.jsonl(\.old)?$/.exec(name.slice(prefix.length))
					return match !== null && (match[2] !== undefined || !alive(Number(match[1])))
				})
				.map((name) => ({ file: join(folder, name), at: statSync(join(folder, name)).mtimeMs }))
				.sort((a, b) => a.at - b.at)
				.map(({ file }) => file)
			const events: HeldEvent[] = []
			let unreadable = 0
			for (const file of files) {
				for (const line of readFileSync(file, 'utf8').split('\n')) {
					if (line.trim() === '') continue
					try {
						const held = JSON.parse(line) as HeldEvent
						if (typeof held?.event?.type !== 'string' || typeof held.receivedAt !== 'number') throw new Error('not a held event')
						events.push(held)
					} catch {
						unreadable++
					}
				}
			}
			return { events, unreadable, files, forget: () => files.forEach((file) => rmSync(file, { force: true })) }
		},
		/** At shutdown: an empty file is removed; one with events held is left for the next start. */
		close() {
			if (fd !== undefined) closeSync(fd)
			fd = undefined
			if (!written) rmSync(path, { force: true })
		}
	}
}
