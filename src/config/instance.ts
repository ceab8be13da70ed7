// Creates the instance folder and whichever of its files are missing, from the embedded example.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import exampleConfigToml from '../../instance.example/config.toml' with { type: 'text' }
import exampleRedeemsToml from '../../instance.example/redeems.toml' with { type: 'text' }
import { tightenMode } from '../db/files.ts'
import { CONFIG_FILE, REDEEMS_FILE } from './load.ts'

export function generateSecret(): string {
	return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')
}

/** The example config.toml with a fresh secret_key filled in. */
export function exampleConfig(secret = generateSecret()): string {
	return exampleConfigToml.replace(/^secret_key = ""$/m, `secret_key = "${secret}"`)
}

/** Makes sure the folder and both files exist. Never overwrites; returns the absolute paths it created. */
export function ensureInstance(instanceDir: string): string[] {
	const created: string[] = []
	if (!existsSync(instanceDir)) {
		// Owner-only: it holds the secrets and the database. A folder that already exists (maybe the working
		// directory itself) is the streamer's, and is left as it is.
		mkdirSync(instanceDir, { recursive: true, mode: 0o700 })
		created.push(instanceDir)
	}
	const files: [string, () => string][] = [
		[CONFIG_FILE, () => exampleConfig()],
		[REDEEMS_FILE, () => exampleRedeemsToml]
	]
	for (const [name, content] of files) {
		const path = resolve(instanceDir, name)
		try {
			// 'wx' fails if the file exists, so two processes starting at once cannot overwrite each other.
			writeFileSync(path, content(), { flag: 'wx', mode: name === CONFIG_FILE ? 0o600 : 0o644 })
			created.push(path)
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
		}
	}
	tightenInstance(instanceDir)
	return created
}

/**
 * config.toml (secrets) and the instance folder, when others can read them (older versions, an edit by hand), are
 * made owner-only. The working directory itself (`--instance .`) is the streamer's to set and is left alone.
 */
export function tightenInstance(instanceDir: string) {
	tightenMode(resolve(instanceDir, CONFIG_FILE))
	if (resolve(instanceDir) !== process.cwd()) tightenMode(instanceDir)
}
