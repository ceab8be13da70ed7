// Who chatted since the last points cycle, kept in memory (no write per chat message): the next award gives the
// active-chatter and first-message bonuses from it, then starts a new list. Lost on restart, like a cycle's worth
// of chat would be anyway.

/** More distinct chatters than this in one cycle are not remembered (a flood of throwaway identities). */
const MAX_CHATTERS = 100_000

export function createChatActivity() {
	let chatters = new Set<string>()
	return {
		/** A viewer wrote something (a command or not). */
		note(viewerId: string) {
			if (chatters.size < MAX_CHATTERS) chatters.add(viewerId)
		},
		/** Who chatted since the last take, and a new list from now on. */
		take(): string[] {
			const taken = [...chatters]
			chatters = new Set()
			return taken
		}
	}
}

export type ChatActivity = ReturnType<typeof createChatActivity>
