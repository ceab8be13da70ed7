// Every built-in chat command, in one table: its name, who may use it, its arguments. The chat service, the
// moderator commands, config validation ([commands] renames) and the help text all read this table.
//
// Names are settings: `[commands] points = "balance"` renames a built-in. A redeem in redeems.toml always keeps
// its name: when it collides with a built-in, the redeem wins and the built-in is unavailable under that name
// until it is renamed (serve logs a warning naming both). A switched-off feature reserves no name.

export type Audience = 'everyone' | 'moderator'

export type CommandSpec = {
	audience: Audience
	/** What follows the command word, for usage texts: "<id> [reason]". */
	args: string
	/** What it does, in a few words (help texts, README). */
	summary: string
	/** Left out of !help's list (a command the page tells viewers to type). */
	hidden?: boolean
}

export const BUILT_IN_COMMANDS = {
	help: { audience: 'everyone', args: '', summary: 'how to earn and spend points' },
	points: { audience: 'everyone', args: '', summary: 'your balance' },
	name_update: { audience: 'everyone', args: '', summary: 'update your name on the dashboard' },
	store: { audience: 'everyone', args: '', summary: 'a personal link to redeem on the dashboard' },
	link: { audience: 'everyone', args: '<code>', summary: 'sign in on the dashboard with the code it shows', hidden: true },
	done: { audience: 'moderator', args: '<id>', summary: 'mark a redemption done' },
	reject: { audience: 'moderator', args: '<id> [reason]', summary: 'reject a redemption and refund it' },
	refund: { audience: 'moderator', args: '<id>', summary: 'refund a redemption' },
	addpoints: { audience: 'moderator', args: '<name> <points>', summary: "add to a viewer's balance" },
	removepoints: { audience: 'moderator', args: '<name> <points>', summary: "take from a viewer's balance" },
	setpoints: { audience: 'moderator', args: '<name> <points>', summary: "set a viewer's balance" },
	redeem: { audience: 'moderator', args: 'pause|resume|restock <redeem>', summary: 'pause, resume or restock a redeem' },
	category: { audience: 'moderator', args: 'on|off <category>', summary: 'switch a category of redeems on or off' },
	milestone: { audience: 'moderator', args: 'reset <milestone>', summary: 'start a completed milestone again from 0' },
	bet: { audience: 'everyone', args: '<outcome> <points>', summary: 'bet points on an outcome of the open prediction' },
	vote: { audience: 'everyone', args: '<poll> <option> <points>', summary: 'spend points on an option of a poll' },
	top: { audience: 'everyone', args: '', summary: 'the leaderboard and your rank' },
	hide: { audience: 'everyone', args: '', summary: 'leave the leaderboard (again: back on it)' },
	give: { audience: 'everyone', args: '<viewer> <points>', summary: 'give some of your points to another viewer' },
	predict: {
		audience: 'moderator',
		args: 'open [seconds] <question> | <outcome> | <outcome>..., lock, resolve <outcome>, cancel',
		summary: 'run a prediction viewers bet points on'
	},
	poll: { audience: 'moderator', args: 'open <name> <question> | <option> | <option>..., close <name>', summary: 'open or close a poll' }
} as const satisfies Record<string, CommandSpec>

/** The config.toml switch of each built-in that belongs to a feature that can be turned off. */
export const FEATURE_SWITCHES: Partial<Record<keyof typeof BUILT_IN_COMMANDS, 'predictions_enabled' | 'polls_enabled' | 'leaderboard_enabled' | 'give_enabled'>> = {
	predict: 'predictions_enabled',
	bet: 'predictions_enabled',
	poll: 'polls_enabled',
	vote: 'polls_enabled',
	top: 'leaderboard_enabled',
	hide: 'leaderboard_enabled',
	give: 'give_enabled'
}

export type CommandId = keyof typeof BUILT_IN_COMMANDS
export const COMMAND_IDS = Object.keys(BUILT_IN_COMMANDS) as CommandId[]

export const isCommandId = (key: string): key is CommandId => Object.hasOwn(BUILT_IN_COMMANDS, key)

/** A chat command word: 1 to 64 characters, no spaces or control characters (redeem names follow the same rule). */
export const COMMAND_WORD = /^[^\s\p{C}]{1,64}$/u

/** A problem in a [commands] table, with the key it concerns. */
export type RenameProblem = { key: string; message: string }

/** Checks [commands] renames: known built-ins only, valid words, no two built-ins under one name. */
export function checkRenames(renames: Readonly<Record<string, string>>): RenameProblem | undefined {
	for (const [key, name] of Object.entries(renames)) {
		if (!isCommandId(key)) return { key, message: 'unknown' }
		if (!COMMAND_WORD.test(name)) {
			return { key, message: `a command name is 1 to 64 characters without spaces, got ${JSON.stringify(name)}` }
		}
	}
	const owners = new Map<string, CommandId>()
	for (const id of COMMAND_IDS) {
		const name = nameWithRenames(id, renames)
		const other = owners.get(name)
		if (other !== undefined) {
			const key = Object.hasOwn(renames, id) ? id : other
			const clash = key === id ? other : id
			return { key, message: `"${name}" is also the name of the built-in command ${clash}; give each built-in its own name` }
		}
		owners.set(name, id)
	}
	return undefined
}

const nameWithRenames = (id: CommandId, renames: Readonly<Record<string, string>>) =>
	(Object.hasOwn(renames, id) ? (renames[id] as string) : id).toLowerCase()

/** A built-in whose name a redeem took. */
export type Collision = { id: CommandId; name: string; redeem: string }

export type CommandTable = {
	/** The built-in a (lower-cased) chat word calls now, if any. */
	lookup(word: string): CommandId | undefined
	/** The word a built-in answers to now; undefined when a redeem took its name or its feature is off. */
	nameOf(id: CommandId): string | undefined
	/** "!addpoints <name> <points>", with the prefix and the current name. */
	usage(id: CommandId, prefix: string): string
	/** Built-ins this audience can call now, in table order (hidden ones too). */
	available(audience: Audience): { id: CommandId; name: string }[]
	/** What !help lists for everyone: available and not hidden. */
	listed(): { id: CommandId; name: string }[]
	/** Built-ins unavailable because a redeem has their name. */
	readonly collisions: readonly Collision[]
}

export function createCommandTable(input: {
	renames?: Readonly<Record<string, string>>
	redeems?: readonly { name: string }[]
	/** Whether a built-in's feature is switched on (all are when left out); a switched-off one reserves no name. */
	enabled?: (id: CommandId) => boolean
}): CommandTable {
	const renames = input.renames ?? {}
	const redeemNames = new Map((input.redeems ?? []).map((r) => [r.name.toLowerCase(), r.name]))
	const byWord = new Map<string, CommandId>()
	const names = new Map<CommandId, string>()
	const collisions: Collision[] = []
	for (const id of COMMAND_IDS) {
		if (input.enabled && !input.enabled(id)) continue
		const name = nameWithRenames(id, renames)
		const redeem = redeemNames.get(name)
		if (redeem !== undefined) {
			collisions.push({ id, name, redeem })
			continue
		}
		byWord.set(name, id)
		names.set(id, name)
	}
	return {
		lookup: (word) => byWord.get(word),
		nameOf: (id) => names.get(id),
		usage(id, prefix) {
			const spec: CommandSpec = BUILT_IN_COMMANDS[id]
			return `${prefix}${names.get(id) ?? id}${spec.args ? ` ${spec.args}` : ''}`
		},
		available: (audience) =>
			COMMAND_IDS.filter((id) => names.has(id) && BUILT_IN_COMMANDS[id].audience === audience).map((id) => ({
				id,
				name: names.get(id) as string
			})),
		listed: () =>
			COMMAND_IDS.filter((id) => {
				const spec: CommandSpec = BUILT_IN_COMMANDS[id]
				return names.has(id) && spec.audience === 'everyone' && !spec.hidden
			}).map((id) => ({ id, name: names.get(id) as string })),
		collisions
	}
}

/** The warning serve logs for a collision: names both, and says how to get the built-in back. */
export const describeCollision = (c: Collision, prefix: string) =>
	`redeems.toml: the redeem "${c.redeem}" has the name of the built-in command ${prefix}${c.name}; the redeem wins and ${prefix}${c.name} ` +
	`is unavailable until one is renamed (in config.toml: [commands] ${c.id} = "another_name")`
