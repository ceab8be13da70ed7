// What every maintenance command does first: find the instance folder, read it, open the database.
import type { Database } from 'bun:sqlite'
import { ensureInstance, tightenInstance } from '../config/instance.ts'
import { displayPath, loadConfig, loadRedeems, resolveInstanceDir } from '../config/load.ts'
import type { Config } from '../modules/settings/schema.ts'
import { openDatabase } from '../db/database.ts'
import type { Redeem } from '../modules/redeems/model.ts'

/** A mistake in how a command was called (unknown name and the like): one line, exit code 1. */
export class UserError extends Error {
	readonly exitCode: number = 1
	override name = 'UserError'
}

export type Instance = {
	config: Config
	redeems: Redeem[]
	redeemsFromDefaults: boolean
	/** Files and folders this call created (only with create). */
	created: string[]
	warnings: string[]
}

export function readInstance(instanceFlag: string | undefined, options: { create?: boolean } = {}): Instance {
	const instanceDir = resolveInstanceDir(instanceFlag)
	const created = options.create ? ensureInstance(instanceDir) : []
	if (!options.create) tightenInstance(instanceDir)
	const { config, warnings } = loadConfig(instanceDir)
	const { redeems, fromDefaults } = loadRedeems(instanceDir)
	for (const warning of warnings) console.error(`warning: ${warning}`)
	return { config, redeems, redeemsFromDefaults: fromDefaults, created, warnings }
}

/** Runs fn with the instance's database open (migrated), and closes it afterwards whatever happens. */
export function withDatabase<T>(instanceFlag: string | undefined, fn: (db: Database, instance: Instance) => T): T {
	const instance = readInstance(instanceFlag)
	const db = openDatabase(instance.config.databasePath)
	try {
		return fn(db, instance)
	} finally {
		db.close()
	}
}

export const show = (path: string) => displayPath(path)
export const list = (names: readonly string[]) => (names.length ? names.join(', ') : 'none')
