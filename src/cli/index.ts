import { defineCommand } from 'citty'
import { VERSION } from '../version.ts'

const load = <T>(module: Promise<{ default: T }>) => module.then((m) => m.default)

export const rootCommand = defineCommand({
	meta: {
		name: 'tlapbot',
		version: VERSION,
		description: 'Channel points and redeems for Owncast streams'
	},
	subCommands: {
		serve: () => load(import('./serve.ts')),
		init: () => load(import('./init.ts')),
		'init-db': () => load(import('./init-db.ts')),
		'clear-queue': () => load(import('./clear-queue.ts')),
		'refresh-counters': () => load(import('./refresh-counters.ts')),
		'clear-refresh': () => load(import('./clear-refresh.ts')),
		'refresh-milestones': () => load(import('./refresh-milestones.ts')),
		'reset-milestone': () => load(import('./reset-milestone.ts')),
		'hard-reset-milestone': () => load(import('./hard-reset-milestone.ts')),
		'import-legacy': () => load(import('./import-legacy.ts')),
		'admin-link': () => load(import('./admin-link.ts')),
		backup: () => load(import('./backup.ts')),
		connect: () => load(import('./connect.ts')),
		doctor: () => load(import('./doctor.ts')),
		'hash-password': () => load(import('./hash-password.ts')),
		'overlay-urls': () => load(import('./overlay-urls.ts'))
	}
})
