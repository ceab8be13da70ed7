// ignore_users in config.toml: chat names (any case) or user ids of accounts that never earn and are never listed
// (other bots in chat). One meaning everywhere: chat, the award, the leaderboard, giving.

/** Whether a viewer is in ignore_users, by id or by name (names compare case-insensitively). */
export function isIgnored(ignore: readonly string[], id: string, name: string): boolean {
	if (ignore.length === 0) return false
	const lower = name.toLowerCase()
	return ignore.some((entry) => entry === id || entry.toLowerCase() === lower)
}
