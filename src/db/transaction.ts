// The unit of work. Stores offer statements that run inside the caller's transaction; the services that combine
// several stores (a purchase: balance, ledger, queue, stock) open one IMMEDIATE transaction around them.
import type { Database } from 'bun:sqlite'

/** Ends the transaction without committing anything, and makes `transact` return this value. */
export type Rollback<T> = (value: T) => never

/** Runs work in one IMMEDIATE transaction (nested calls become savepoints); a throw rolls everything back. */
export type Transact = <T>(work: (rollback: Rollback<T>) => T) => T

class RolledBack {
	constructor(readonly value: unknown) {}
}

export function createTransact(db: Database): Transact {
	const run = db.transaction((work: (rollback: Rollback<unknown>) => unknown) =>
		work((value) => {
			throw new RolledBack(value)
		})
	)
	return <T>(work: (rollback: Rollback<T>) => T): T => {
		try {
			return (db.inTransaction ? run(work as never) : run.immediate(work as never)) as T
		} catch (error) {
			if (error instanceof RolledBack) return error.value as T
			throw error
		}
	}
}
