// Questions on the terminal without echo (passwords), for the commands that ask one: `tlapbot hash-password` and
// `tlapbot connect`. Ctrl+C or Ctrl+D at a prompt ends the command with exit code 130 and the given message.
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'

/** Typing stopped: Ctrl+C or Ctrl+D at the prompt. */
export class Cancelled extends Error {
	readonly exitCode = 130
	override name = 'Cancelled'
}

/**
 * Questions on the terminal with echo off: each prompt goes to stderr, the typed characters go nowhere. One readline
 * interface for every question, so the terminal stays in raw mode (no echo) between them.
 */
export function hiddenQuestions(cancelledMessage: string) {
	let muted = false
	const output = new Writable({
		write(chunk, encoding, callback) {
			if (!muted) process.stderr.write(chunk, encoding)
			callback()
		}
	})
	const rl = createInterface({ input: process.stdin, output, terminal: true })
	let stop: ((error: Error) => void) | undefined
	const cancel = () => stop?.(new Cancelled(cancelledMessage))
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
