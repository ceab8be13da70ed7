// The settings in force: config.toml, redeems.toml, and what is derived from them (message texts, command names).
// The runtime (src/runtime.ts) replaces the whole object when a reload changes something; services read it
// through a SettingsSource at the moment they need it, so a reload applies to the next message.
import { createMessages, type MessageOverrides, type Messages } from '../messages/messages.ts'
import { createCommandTable, FEATURE_SWITCHES, type CommandTable } from '../commands/registry.ts'
import type { Redeem } from '../redeems/model.ts'
import type { ConfigPoll } from '../polls/service.ts'
import type { Config } from './schema.ts'

export type Settings = {
	readonly config: Config
	/** In redeems.toml order: every list shows them in the order the streamer wrote them. */
	readonly redeems: readonly Redeem[]
	/** redeems.toml's [polls], in file order: open while they are in the file. */
	readonly polls: readonly ConfigPoll[]
	readonly messages: Messages
	readonly commands: CommandTable
	/** Where viewers reach the bot: public_url, else the address serve listens on (links in chat use it). */
	readonly baseUrl: string
}

export type SettingsSource = () => Settings

export function buildSettings(config: Config, redeems: readonly Redeem[], listeningUrl?: string, polls: readonly ConfigPoll[] = []): Settings {
	const host = config.host.includes(':') ? `[${config.host}]` : config.host
	return {
		config,
		redeems,
		polls,
		baseUrl: config.public_url ?? listeningUrl ?? `http://${host}:${config.port}`,
		messages: createMessages(config.messages as MessageOverrides),
		commands: createCommandTable({
			renames: config.commands,
			redeems,
			// A switched-off feature reserves no command name.
			enabled: (id) => {
				const key = FEATURE_SWITCHES[id]
				return key === undefined || config[key]
			}
		})
	}
}

/** The dashboard's public address, when the streamer told us where the bot is reachable. */
export const dashboardUrl = (config: Pick<Config, 'public_url'>) => (config.public_url ? `${config.public_url}/dashboard` : undefined)
