import { defineCommand } from 'citty'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { generateSecret } from '../config/instance.ts'
import { CONFIG_FILE, ConfigError, REDEEMS_FILE } from '../config/load.ts'
import { openDatabase } from '../db/database.ts'
import { convertLegacyConfig, convertLegacyRedeems } from '../modules/legacy/convert-config.ts'
import { importLegacyDatabase } from '../modules/legacy/import-db.ts'
import { parsePythonAssignments } from '../modules/legacy/python-literal.ts'
import { instanceArgs } from './_args.ts'
import { checkInstanceDir, readInstance, show, UserError } from './_instance.ts'

/** Converts the original's config.py (and redeems.py, when present) into this instance's TOML files. */
function convertLegacyInstance(legacyDir: string, instanceDir: string): string[] {
	const configPy = resolve(legacyDir, 'config.py')
	const redeemsPy = resolve(legacyDir, 'redeems.py')
	if (!existsSync(configPy)) throw new UserError(`${show(configPy)}: no such file (--config takes the original's instance folder)`)
	const targets: [string, string][] = [[configPy, resolve(instanceDir, CONFIG_FILE)]]
	if (existsSync(redeemsPy)) targets.push([redeemsPy, resolve(instanceDir, REDEEMS_FILE)])
	const existing = targets.map(([, target]) => target).filter((t) => existsSync(t))
	if (existing.length) {
		throw new UserError(`refusing to overwrite ${existing.map(show).join(' and ')}; move it away first, then run import-legacy again`)
	}
	const written: string[] = []
	const convert = (source: string, kind: 'config' | 'redeems') => {
		try {
			const values = parsePythonAssignments(readFileSync(source, 'utf8'), show(source))
			return kind === 'config' ? convertLegacyConfig(values, show(source)) : convertLegacyRedeems(values, show(source))
		} catch (error) {
			throw new ConfigError((error as Error).message)
		}
	}
	const config = convert(configPy, 'config')
	// The original's secret is not reused when it was the default or too short; the converter drops it then.
	const configToml = /^secret_key\s*=/m.test(config.toml) ? config.toml : `${config.toml.trimEnd()}\nsecret_key = "${generateSecret()}"\n`
	const redeems = targets[1] ? convert(redeemsPy, 'redeems') : undefined
	for (const warning of [...config.warnings, ...(redeems?.warnings ?? [])]) console.error(`warning: ${warning}`)
	mkdirSync(instanceDir, { recursive: true, mode: 0o700 })
	writeFileSync(resolve(instanceDir, CONFIG_FILE), configToml, { flag: 'wx', mode: 0o600 })
	written.push(resolve(instanceDir, CONFIG_FILE))
	if (redeems) {
		writeFileSync(resolve(instanceDir, REDEEMS_FILE), redeems.toml, { flag: 'wx' })
		written.push(resolve(instanceDir, REDEEMS_FILE))
	}
	return written
}

export default defineCommand({
	meta: {
		name: 'import-legacy',
		description: "Import an original tlapbot's database (and with --config, its config.py and redeems.py)"
	},
	args: {
		database: { type: 'positional', description: "Path to the original's tlapbot.sqlite", required: false },
		config: { type: 'string', description: "The original's instance folder: converts config.py and redeems.py to TOML", valueHint: 'dir' },
		...instanceArgs
	},
	run({ args }) {
		if (!args.database && !args.config) {
			throw new UserError('give the old database (tlapbot import-legacy <path/to/tlapbot.sqlite>), --config <old instance folder>, or both')
		}
		const instanceDir = checkInstanceDir(args.instance)
		if (args.config) {
			const written = convertLegacyInstance(resolve(args.config), instanceDir)
			console.log(`Converted the old configuration into ${written.map(show).join(' and ')}`)
		}
		if (!args.database) return
		const legacyPath = resolve(args.database)
		// Checked before the instance is created, so a mistyped path leaves nothing behind.
		if (!existsSync(legacyPath)) throw new UserError(`${show(legacyPath)}: no such file`)
		const { config, redeems, created } = readInstance(args.instance, { create: true })
		if (created.length) console.log(`Created ${created.map(show).join(', ')}`)
		const db = openDatabase(config.databasePath)
		try {
			const r = importLegacyDatabase(db, legacyPath, redeems)
			for (const warning of r.warnings) console.error(`warning: ${warning}`)
			console.log(
				`Imported from ${show(legacyPath)}: ${r.viewers} viewers (${r.points} points), ${r.counters} counters, ${r.milestones} milestones, ${r.queue} queue entries` +
					(r.skipped ? `; ${r.skipped} already imported earlier, left unchanged` : '')
			)
		} finally {
			db.close()
		}
	}
})
