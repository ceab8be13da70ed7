// What every maintenance command does first: find the instance folder, read it, open the database.
import type { Database } from 'bun:sqlite'
import { statSync } from 'node:fs'
import { dirname } from 'node:path'
import { ensureInstance, tightenInstance } from '../config/instance.ts'
import { ConfigError, displayPath, loadConfig, loadRedeems, resolveInstanceDir, type Env } from '../config/load.ts'
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

/**
 * The instance folder (resolveInstanceDir), checked: a file where the folder, or one of the folders above it, should
 * be is a configuration problem (exit code 2) named after where the path came from, not a raw ENOTDIR later on.
 */
export function checkInstanceDir(instanceFlag: string | undefined, env: Env = process.env): string {
	const dir = resolveInstanceDir(instanceFlag, env)
	const given = instanceFlag?.trim()
	const fromEnv = env.TLAPBOT_INSTANCE?.trim()
	const origin = given ? `--instance ${given}` : fromEnv ? `TLAPBOT_INSTANCE=${fromEnv}` : displayPath(dir)
	const hint = given || fromEnv ? '' : ' (the default instance folder; give another with --instance <dir>)'
	for (let path = dir; ; path = dirname(path)) {
		let isDirectory: boolean | undefined
		try {
			isDirectory = statSync(path).isDirectory()
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code
			if (code !== 'ENOENT' && code !== 'ENOTDIR') return dir // Anything else is reported by whoever opens it.
		}
		if (isDirectory === true) return dir
		if (isDirectory === false) {
			const what = path === dir ? 'is a file' : `${displayPath(path)} is a file`
			throw new ConfigError(`${origin}: ${what}, not a folder${hint}`)
		}
		if (dirname(path) === path) return dir
	}
}

export function readInstance(instanceFlag: string | undefined, options: { create?: boolean } = {}): Instance {
	const instanceDir = checkInstanceDir(instanceFlag)
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
