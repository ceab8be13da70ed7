// Runs the CLI with our own error handling: a known mistake prints one line and sets the exit code
// (2 for configuration, 1 for usage); anything else prints its message without a stack trace.
import { runCommand, showUsage, type ArgsDef, type CommandDef } from 'citty'
import { rootCommand } from './index.ts'

type AnyCommand = CommandDef<ArgsDef>

async function resolve<T>(value: T | (() => T | Promise<T>) | Promise<T>): Promise<T> {
	return typeof value === 'function' ? await (value as () => T | Promise<T>)() : await value
}

/** The sub-command named first in argv, if any, with the arguments after it. */
async function findSubCommand(argv: string[]): Promise<{ command: AnyCommand; name: string; rest: string[] } | undefined> {
	const subCommands = await resolve(rootCommand.subCommands)
	const index = argv.findIndex((a) => !a.startsWith('-'))
	const name = index >= 0 ? argv[index] : undefined
	if (name === undefined || !subCommands) return undefined
	const found = subCommands[name]
	if (!found) return undefined
	return { command: (await resolve(found)) as AnyCommand, name, rest: argv.slice(index + 1) }
}

/** citty ignores flags and arguments it does not know; a typo such as --prot must not pass silently. */
async function unexpectedArgument(command: AnyCommand, rest: string[]): Promise<string | undefined> {
	const args = (await resolve(command.args)) ?? {}
	const known = new Set<string>(['help', 'h'])
	const takesValue = new Set<string>()
	let positionals = 0
	for (const [name, def] of Object.entries(args)) {
		if (def.type === 'positional') {
			positionals++
			continue
		}
		const kebab = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
		known.add(name).add(kebab)
		if ('alias' in def) for (const alias of [def.alias ?? []].flat()) known.add(alias)
		if (def.type === 'boolean') known.add(`no-${name}`)
		else takesValue.add(name).add(kebab)
	}
	let given = 0
	for (let i = 0; i < rest.length; i++) {
		const arg = rest[i] as string
		if (arg === '--') break
		const match = /^--?([^=]+)(=)?/.exec(arg)
		if (match?.[1]) {
			if (!known.has(match[1])) return `unknown option ${arg.split('=')[0]}`
			if (takesValue.has(match[1]) && !match[2]) i++
			continue
		}
		if (++given > positionals) return `unexpected argument "${arg}"`
	}
	return undefined
}

export async function runCli(argv: string[]): Promise<number> {
	try {
		if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
			console.log((await resolve(rootCommand.meta))?.version)
			return 0
		}
		const sub = await findSubCommand(argv)
		if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
			if (sub) await showUsage(sub.command, rootCommand as AnyCommand)
			else await showUsage(rootCommand as AnyCommand)
			return argv.length === 0 ? 1 : 0
		}
		if (!sub && argv[0]?.startsWith('-')) {
			console.error('error: options go after the command: tlapbot <command> [options], e.g. `tlapbot init --instance DIR`')
			return 1
		}
		if (!sub) {
			const name = argv.find((a) => !a.startsWith('-'))
			console.error(name ? `error: unknown command "${name}"; run \`tlapbot --help\` for the list` : 'error: no command given; run `tlapbot --help`')
			return 1
		}
		const bad = await unexpectedArgument(sub.command, sub.rest)
		if (bad) {
			console.error(`error: ${bad} for \`tlapbot ${sub.name}\`; run \`tlapbot ${sub.name} --help\``)
			return 1
		}
		await runCommand(sub.command, { rawArgs: sub.rest })
		return typeof process.exitCode === 'number' ? process.exitCode : 0
	} catch (error) {
		const err = error as Error & { exitCode?: number; code?: string }
		if (err.name === 'CLIError') {
			console.error(`error: ${err.message}`)
			return 1
		}
		console.error(`error: ${err.message ?? String(error)}`)
		if (process.env.TLAPBOT_DEBUG && err.stack) console.error(err.stack)
		return typeof err.exitCode === 'number' ? err.exitCode : 1
	}
}
