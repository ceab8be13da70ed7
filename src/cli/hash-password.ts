// Makes the admin_password line for config.toml: the password is read without echo on a terminal (or as one line
// from standard input otherwise), checked against the admin_password rule, and only its hash is printed.
import { defineCommand } from 'citty'
import { UserError } from './_instance.ts'
import { hiddenQuestions } from './_prompt.ts'

/** The admin_password rule in config.toml (modules/settings/schema.ts). */
export const MIN_PASSWORD_LENGTH = 8
/** The longest password the admin login accepts (MAX_PASSWORD_LENGTH in modules/admin/routes.tsx, the login). */
export const MAX_PASSWORD_LENGTH = 1024

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
			const questions = hiddenQuestions('cancelled; nothing printed')
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
