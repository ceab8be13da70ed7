// Runs the CLI with our own error handling: a known mistake prints one line and sets the exit code
// (2 for configuration, 1 for usage); anything else prints its message without a stack trace.
import { parseArgs, renderUsage, runCommand, type ArgsDef, type CommandDef } from 'citty'
import { instanceArgs } from './_args.ts'
import { rootCommand } from './index.ts'

type AnyCommand = CommandDef<ArgsDef>

/**
 * Colour only on a terminal, and never with NO_COLOR set (https://no-color.org: any non-empty value) or TERM=dumb.
 * citty decides once from NO_COLOR=1, CI and TEST only, so its escapes are taken out again here.
 */
export function colorWanted(stream: { isTTY?: boolean }, env: Record<string, string | undefined> = process.env): boolean {
	if (env.NO_COLOR || env.TERM === 'dumb') return false
	return stream.isTTY === true
}

const ANSI = /\u001B\[[0-9;]*[A-Za-z]/g
const forStream = (text: string, stream: { isTTY?: boolean }) => (colorWanted(stream) ? text : text.replace(ANSI, ''))

const style = (color: boolean) => {
	const c = (open: number, close: number) => (t: string) => (color ? `\u001B[${open}m${t}\u001B[${close}m` : t)
	return { heading: (t: string) => c(4, 24)(c(1, 22)(t)), name: c(36, 39), dim: c(90, 39) }
}

/** The top-level help: the commands, and the options every command shares (citty's would list no options). */
async function rootUsage(color: boolean): Promise<string> {
	const s = style(color)
	const meta = (await resolve(rootCommand.meta)) ?? {}
	const subCommands = (await resolve(rootCommand.subCommands)) ?? {}
	const commands: [string, string][] = []
	for (const [name, sub] of Object.entries(subCommands)) {
		const subMeta = await resolve(((await resolve(sub)) as AnyCommand).meta)
		if (!subMeta?.hidden) commands.push([name, subMeta?.description ?? ''])
	}
	const options: [string, string][] = [
		[`--instance <${instanceArgs.instance.valueHint}>`, `${instanceArgs.instance.description}; give it after the command`],
		['-h, --help', 'Show this help; `tlapbot <command> --help` shows a command and its options'],
		['-v, --version', 'Print the version']
	]
	const pad = Math.max(...[...commands, ...options].map(([left]) => left.length))
	const rows = (list: [string, string][]) => list.map(([left, right]) => `  ${s.name(left.padEnd(pad))}  ${right}`)
	return [
		s.dim(`${meta.description} (${meta.name} v${meta.version})`),
		'',
		`${s.heading('USAGE')} ${s.name('tlapbot <command> [--instance <dir>] [options]')}`,
		'',
		s.heading('OPTIONS'),
		'',
		...rows(options),
		'',
		s.heading('COMMANDS'),
		'',
		...rows(commands),
		'',
		`Use ${s.name('tlapbot <command> --help')} for more information about a command.`
	].join('\n')
}

async function printUsage(command?: AnyCommand): Promise<void> {
	const text = command ? await renderUsage(command, rootCommand as AnyCommand) : await rootUsage(colorWanted(process.stdout))
	console.log(`${forStream(text, process.stdout)}\n`)
}

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

/**
 * Every command that takes --instance first checks that the folder is one (or can be made): a file there would
 * otherwise surface as a raw ENOTDIR from whichever file operation came first.
 */
async function checkInstanceFlag(command: AnyCommand, rest: string[]): Promise<void> {
	const args = (await resolve(command.args)) ?? {}
	if (!('instance' in args)) return
	let flag: string | undefined
	try {
		flag = (parseArgs(rest, args) as { instance?: string }).instance
	} catch {
		return // A missing argument and the like: runCommand reports it.
	}
	const { checkInstanceDir } = await import('./_instance.ts')
	checkInstanceDir(typeof flag === 'string' ? flag : undefined)
}

export async function runCli(argv: string[]): Promise<number> {
	try {
		if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
			console.log((await resolve(rootCommand.meta))?.version)
			return 0
		}
		const sub = await findSubCommand(argv)
		if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
			await printUsage(sub?.command)
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
		await checkInstanceFlag(sub.command, sub.rest)
		await runCommand(sub.command, { rawArgs: sub.rest })
		return typeof process.exitCode === 'number' ? process.exitCode : 0
	} catch (error) {
		const err = error as Error & { exitCode?: number; code?: string }
		if (err.name === 'CLIError') {
			console.error(forStream(`error: ${err.message}`, process.stderr))
			return 1
		}
		console.error(forStream(`error: ${err.message ?? String(error)}`, process.stderr))
		if (process.env.TLAPBOT_DEBUG && err.stack) console.error(err.stack)
		return typeof err.exitCode === 'number' ? err.exitCode : 1
	}
}
