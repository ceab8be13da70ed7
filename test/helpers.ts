// Shared test helpers: temporary folders, instance folders, the real CLI as a child process, and
// checks on the database that every test can reuse.
import { afterAll, afterEach } from 'bun:test'
import type { Database } from 'bun:sqlite'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { openDatabase } from '../src/db/database.ts'

/** Absolute path of the CLI entry point the tests run. */
export const MAIN_TS = resolve(import.meta.dir, '../src/main.ts')
/** Absolute path of the project root. */
export const PROJECT_ROOT = resolve(import.meta.dir, '..')

/** A secret that satisfies config.toml's secret_key rule (16+ characters). */
export const TEST_SECRET = 'test-secret-0123456789abcdef'

/** The smallest valid config.toml. */
export const MINIMAL_CONFIG = `secret_key = "${TEST_SECRET}"\n`

const tempDirs: string[] = []

/**
 * A fresh empty folder under the OS temp folder. Call useTempDirs() at the top of the test file so it is
 * removed after each test; whatever is left is removed when the test process exits.
 */
export function makeTempDir(prefix = 'tlapbot-test-'): string {
	const dir = mkdtempSync(join(tmpdir(), prefix))
	tempDirs.push(dir)
	return dir
}

/** Removes every folder makeTempDir made so far. */
export function cleanupTempDirs(): void {
	for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/**
 * Registers the cleanup hooks in the calling test file. Bun evaluates this module once for the whole run,
 * so hooks registered here at import time would only apply to the first test file: call this in each file.
 */
export function useTempDirs(): void {
	afterEach(cleanupTempDirs)
	afterAll(cleanupTempDirs)
}

process.on('exit', cleanupTempDirs)

export type InstanceFiles = {
	/** Contents of config.toml; MINIMAL_CONFIG when omitted; null to leave the file out. */
	config?: string | null
	/** Contents of redeems.toml; left out when omitted or null (the built-in defaults apply then). */
	redeems?: string | null
}

/** Writes an instance folder (created if needed) with the given files; returns its absolute path. */
export function writeInstance(dir: string, files: InstanceFiles = {}): string {
	mkdirSync(dir, { recursive: true })
	const config = files.config === undefined ? MINIMAL_CONFIG : files.config
	if (config !== null) writeFileSync(join(dir, 'config.toml'), config)
	if (files.redeems !== undefined && files.redeems !== null) writeFileSync(join(dir, 'redeems.toml'), files.redeems)
	return dir
}

/** A new temp folder holding an instance folder "instance" with the given files. */
export function makeInstance(files: InstanceFiles = {}): { root: string; instanceDir: string; databasePath: string } {
	const root = makeTempDir()
	const instanceDir = writeInstance(join(root, 'instance'), files)
	return { root, instanceDir, databasePath: join(instanceDir, 'tlapbot.sqlite') }
}

export type RedeemSpec =
	| { type: 'list' | 'note' | 'counter'; price: number; info?: string; category?: string[] }
	| { type: 'milestone'; goal: number; info?: string; category?: string[] }

/** redeems.toml text for a set of redeems. */
export function redeemsToml(redeems: Record<string, RedeemSpec>): string {
	return Object.entries(redeems)
		.map(([name, spec]) => {
			const lines = [`[redeems.${name}]`, `type = "${spec.type}"`]
			if (spec.type === 'milestone') lines.push(`goal = ${spec.goal}`)
			else lines.push(`price = ${spec.price}`)
			if (spec.info !== undefined) lines.push(`info = ${JSON.stringify(spec.info)}`)
			if (spec.category !== undefined) lines.push(`category = ${JSON.stringify(spec.category)}`)
			return lines.join('\n') + '\n'
		})
		.join('\n')
}

export type RunResult = { code: number; stdout: string; stderr: string }
export type RunOptions = {
	/** Working directory of the process (the default instance folder is ./instance from here). */
	cwd: string
	/** Extra environment; only PATH and HOME are inherited, so stray TLAPBOT_* variables never leak in. */
	env?: Record<string, string>
}

/** Runs the real CLI (`bun src/main.ts ...args`) as a child process and waits for it to exit. */
export async function runTlapbot(args: string[], options: RunOptions): Promise<RunResult> {
	const child = Bun.spawn([process.execPath, MAIN_TS, ...args], {
		cwd: options.cwd,
		env: baseEnv(options.env),
		stdin: 'ignore',
		stdout: 'pipe',
		stderr: 'pipe'
	})
	const [stdout, stderr, code] = await Promise.all([
		new Response(child.stdout).text(),
		new Response(child.stderr).text(),
		child.exited
	])
	return { code, stdout, stderr }
}

/** The environment a child CLI process gets: PATH, HOME and what the test passes, nothing else. */
export function baseEnv(env: Record<string, string> = {}): Record<string, string> {
	const out: Record<string, string> = {}
	if (process.env.PATH !== undefined) out.PATH = process.env.PATH
	if (process.env.HOME !== undefined) out.HOME = process.env.HOME
	return { ...out, ...env }
}

/** Fails with the process's output when it did not exit with the expected code. */
export function expectExit(result: RunResult, code: number): RunResult {
	if (result.code !== code) {
		throw new Error(`expected exit code ${code}, got ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`)
	}
	return result
}

/** True when text looks like a JavaScript stack trace ("    at fn (file:line)"). */
export function hasStackTrace(text: string): boolean {
	return /^\s+at .+[:(]/m.test(text)
}

/** Polls check every intervalMs until it returns a value other than undefined, or fails after timeoutMs. */
export async function waitFor<T>(
	check: () => T | undefined | Promise<T | undefined>,
	{ timeoutMs = 5000, intervalMs = 20, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {}
): Promise<T> {
	const deadline = Date.now() + timeoutMs
	for (;;) {
		const value = await check()
		if (value !== undefined) return value
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
		await Bun.sleep(intervalMs)
	}
}

export type LedgerViolation = { id: string; balance: number; ledger_sum: number }

/** Viewers whose balance differs from the sum of their ledger entries, rows and cycle payments (should always be empty). */
export function ledgerInvariantViolations(db: Database): LedgerViolation[] {
	return db
		.query<LedgerViolation, []>(
			`SELECT v.id AS id, v.balance AS balance, coalesce((SELECT sum(l.delta) FROM ledger_entries l WHERE l.viewer_id = v.id), 0) AS ledger_sum
			FROM viewers v
			WHERE v.balance != coalesce((SELECT sum(l.delta) FROM ledger_entries l WHERE l.viewer_id = v.id), 0)
			ORDER BY v.id`
		)
		.all()
}

/** Every row of a table, ordered by all its columns, for before/after comparisons. */
export function tableRows(db: Database, table: string): Record<string, unknown>[] {
	if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new Error(`bad table name ${table}`)
	const columns = db.query<{ name: string }, []>(`SELECT name FROM pragma_table_info('${table}')`).all()
	const order = columns.map((_, i) => i + 1).join(', ')
	return db.query<Record<string, unknown>, []>(`SELECT * FROM ${table}${order ? ` ORDER BY ${order}` : ''}`).all()
}

/** Names of the user tables in a database, sorted. */
export function tableNames(db: Database): string[] {
	return db
		.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
		.all()
		.map((r) => r.name)
}

/** Every row of every user table, keyed by table name. */
export function dumpTables(db: Database): Record<string, Record<string, unknown>[]> {
	const dump: Record<string, Record<string, unknown>[]> = {}
	for (const table of tableNames(db)) dump[table] = tableRows(db, table)
	return dump
}

/** Opens the instance database in-process (migrated), runs fn and closes it (also when fn throws). */
export function withDb<T>(path: string, fn: (db: Database) => T, options: Parameters<typeof openDatabase>[1] = {}): T {
	const db = openDatabase(path, options)
	try {
		return fn(db)
	} finally {
		db.close()
	}
}

/** A viewer who has their starting points: the viewer row and its 'starting' ledger row. */
export function addViewer(db: Database, id: string, points: number, at: string, name = id.toUpperCase()): void {
	db.query('INSERT INTO viewers (id, display_name, balance, created_at, seen_at) VALUES (?, ?, ?, ?, ?)').run(id, name, points, at, at)
	db.query("INSERT INTO ledger (viewer_id, delta, reason, created_at) VALUES (?, ?, 'starting', ?)").run(id, points, at)
}
