import type { ArgDef } from 'citty'

export const instanceArgs = {
	instance: {
		type: 'string',
		description: 'Instance folder with config.toml, redeems.toml and the database (env TLAPBOT_INSTANCE; default ./instance)',
		valueHint: 'dir'
	}
} as const satisfies Record<string, ArgDef>

/** clear-queue and clear-refresh: what happens to pending redemptions, and whether to ask first. */
export const clearArgs = {
	refund: {
		type: 'boolean',
		description: 'Refund every pending redemption first (with its ledger row and an audit log entry), then archive'
	},
	yes: {
		type: 'boolean',
		alias: 'y',
		description: 'Archive pending redemptions without refunding and without asking (needed when not run on a terminal)'
	}
} as const satisfies Record<string, ArgDef>
