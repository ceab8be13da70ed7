import type { ArgDef } from 'citty'

export const instanceArgs = {
	instance: {
		type: 'string',
		description: 'Instance folder with config.toml, redeems.toml and the database (env TLAPBOT_INSTANCE; default ./instance)',
		valueHint: 'dir'
	}
} as const satisfies Record<string, ArgDef>
