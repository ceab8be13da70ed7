// Makes the admin_password line for config.toml: the password is read without echo on a terminal (or as one line
// from standard input otherwise), checked against the admin_password rule, and only its hash is printed.
import { defineCommand } from 'citty'
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { UserError } from './_instance.ts'

/** The admin_password rule in config.toml (modules/settings/schema.ts). */
export const MIN_PASSWORD_LENGTH = 8
/** The longest password the admin login accepts (MAX_PASSWORD_LENGTH in modules/admin/routes.tsx). */
export const MAX_PASSWORD_LENGTH = 1024

/** Typing stopped: Ctrl+C or Ctrl+D at the prompt. */
class Cancelled extends Error {
	readonly exitCode = 130
	override name = 'Cancelled'
}

/**
 * Questions on the terminal with echo off: each prompt goes to stderr, the typed characters go nowhere. One readline
 * interface for every question, so the terminal stays in raw mode (no echo) between them.
 */
function hiddenQuestions() {
	let muted = false
	const output = new Writable({
		write(chunk, encoding, callback) {
			if (!muted) process.stderr.write(chunk, encoding)
			callback()
		}
	})
	const rl = createInterface({ input: process.stdin, output, terminal: true })
	let stop: ((error: Error) => void) | undefined
	const cancel = () => stop?.(new Cancelled('cancelled; nothing printed'))
	rl.on('SIGINT', cancel) // Ctrl+C
	rl.on('close', cancel) // Ctrl+D
	return {
		async ask(prompt: string): Promise<string> {
			try {
				const answer = new Promise<string>((resolve, reject) => {
					stop = reject
					rl.question(prompt, resolve)
				})
				muted = true // After the prompt is out: from here on, readline's echo of each key is swallowed.
				return await answer
			} finally {
				muted = false
				stop = undefined
				process.stderr.write('\n')
			}
		},
		close() {
			rl.removeListener('close', cancel)
			rl.close()
		}
	}
}

/** The first line of standard input (a pipe or a file), without its line ending. */
async function readLine(): Promise<string | undefined> {
	const text = await Bun.stdin.text()
	if (text === '') return undefined
	const newline = text.indexOf('\n')
	return (newline < 0 ? text : text.slice(0, newline)).replace(/\r$/, '')
}

export default defineCommand({
	meta: {
		name: 'hash-password',
		description: 'Print an admin_password line for config.toml with a hash of the password (asked without echo, or one line on stdin)'
	},
	async run() {
		let password: string | undefined
		if (process.stdin.isTTY) {
			const questions = hiddenQuestions()
			try {
				password = await questions.ask('Admin password: ')
				if (password.length >= MIN_PASSWORD_LENGTH && (await questions.ask('Again, to check: ')) !== password) {
					throw new UserError('the two passwords differ; nothing printed')
				}
			} finally {
				questions.close()
			}
		} else {
			password = await readLine()
			if (password === undefined) {
				throw new UserError('no password on standard input: type it on a terminal, or pipe one line, e.g. `tlapbot hash-password < file`')
			}
		}
		if (password.length < MIN_PASSWORD_LENGTH) {
			throw new UserError(`the password is shorter than ${MIN_PASSWORD_LENGTH} characters (what admin_password needs); nothing printed`)
		}
		if (password.length > MAX_PASSWORD_LENGTH) {
			throw new UserError(`the password is longer than the ${MAX_PASSWORD_LENGTH} characters the admin login accepts; nothing printed`)
		}
		const hash = await Bun.password.hash(password, { algorithm: 'argon2id' })
		console.log(`admin_password = ${JSON.stringify(hash)}`)
		process.stderr.write('Put this line in config.toml (in place of any admin_password line there); a running bot picks it up when the file is saved.\n')
	}
})
