// Finding a command in a chat message: the prefix, then a word, matched exactly and case-insensitively.

export type ParsedCommand = {
	/** The command word, lower-cased. */
	name: string
	/** Everything after the command word, trimmed. */
	args: string
}

export function parseCommand(text: string, prefix: string): ParsedCommand | undefined {
	if (!text.startsWith(prefix)) return undefined
	const rest = text.slice(prefix.length)
	const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(rest)
	if (!match?.[1]) return undefined
	return { name: match[1].toLowerCase(), args: (match[2] ?? '').trim() }
}

/** The text after the command word in a message, or '' when there is none. */
export function textAfterCommand(text: string, prefix: string): string {
	const trimmed = text.trimStart()
	if (!trimmed.startsWith(prefix)) return ''
	const match = /^\S+\s+([\s\S]*)$/.exec(trimmed.slice(prefix.length))
	return (match?.[1] ?? '').trim()
}

/** A milestone donation amount: a positive integer in ASCII digits only ("²" and "٣" are not numbers here). */
export function parseAmount(text: string): number | undefined {
	if (!/^[0-9]+$/.test(text)) return undefined
	const amount = Number(text)
	return Number.isSafeInteger(amount) && amount > 0 ? amount : undefined
}
