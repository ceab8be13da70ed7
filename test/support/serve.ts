// The one way tests start a real `tlapbot serve` as a child process (`bun src/main.ts serve`, or the compiled
// binary): it waits for the "tlapbot listening on http://..." line, keeps the output as it comes, waits for
// output and exit with generous timeouts (never asserting on elapsed time), and makes sure no child outlives the
// tests. Used by the serve, crash, binary and reload tests.
import { afterAll, afterEach } from 'bun:test'
import { baseEnv, MAIN_TS } from '../helpers.ts'

/** How long a test waits for serve to start, print something or exit before it fails. Generous on purpose. */
export const SERVE_TIMEOUT_MS = 30_000

export type ServeOptions = {
	/** Working directory of the process (the default instance folder is ./instance from here). */
	cwd: string
	/** Arguments after `serve`, e.g. ['--instance', dir]. `--port 0` is added unless they contain --port. */
	args?: string[]
	/** Extra environment; only PATH and HOME are inherited (see baseEnv), so stray TLAPBOT_* never leak in. */
	env?: Record<string, string>
	/** Path of a compiled tlapbot executable to run instead of `bun src/main.ts`. */
	binary?: string
	/** How long to wait for the "listening on" line; SERVE_TIMEOUT_MS when omitted. */
	startTimeoutMs?: number
}

/** Where the output is: the lengths of stdout and stderr at one moment (from mark()). */
export type OutputMark = { stdout: number; stderr: number }

export type ServeProcess = {
	child: Bun.Subprocess<'ignore', 'pipe', 'pipe'>
	/** Base URL to reach the server at, from the "listening on" line, e.g. http://127.0.0.1:43567 (no trailing /). */
	base: string
	port: number
	/** Output so far (grows while the process runs; complete once `exited` has resolved). */
	stdout(): string
	stderr(): string
	/** stdout, then stderr. */
	output(): string
	/** The current end of the output, to wait only for what comes after it (waitForOutput's `since`). */
	mark(): OutputMark
	/**
	 * Resolves with the first match of pattern in stdout or stderr (after `since`, when given). Rejects, with the
	 * output, when the process exits without printing it or after timeoutMs (SERVE_TIMEOUT_MS).
	 */
	waitForOutput(pattern: string | RegExp, options?: { timeoutMs?: number; since?: OutputMark }): Promise<RegExpExecArray>
	/** Sends a signal (SIGHUP, SIGTERM, SIGINT, ...); does not wait. */
	signal(name: NodeJS.Signals): void
	/**
	 * SIGTERM, then waits for the exit and the end of the output; resolves with the exit code. If the process is
	 * still running after timeoutMs (SERVE_TIMEOUT_MS), it is killed with SIGKILL and this rejects with the output.
	 */
	stop(options?: { timeoutMs?: number }): Promise<number | null>
	/** SIGKILL (a crash), then waits for the exit and the end of the output. */
	kill9(): Promise<void>
	/**
	 * Resolves once the process has exited and all its output has been read: with the exit code, or null when a
	 * signal ended it (then see signalCode).
	 */
	exited: Promise<number | null>
	/** True until the process has exited. */
	readonly running: boolean
	readonly exitCode: number | null
	readonly signalCode: Bun.Subprocess['signalCode']
}

const live = new Set<ServeProcess>()

/** Kills (SIGKILL) every serve process still running and waits for them to exit. */
export async function killAllServes(): Promise<void> {
	await Promise.all([...live].map((served) => served.kill9()))
}

/**
 * Registers afterEach/afterAll hooks in the calling test file that kill every serve still running. Bun loads
 * this module once for the whole run, so hooks registered at import time would only apply to the first file:
 * call this in each file (or call killAllServes() from the file's own afterEach, before removing folders).
 */
export function useServes(): void {
	afterEach(killAllServes)
	afterAll(killAllServes)
}

// Last resort when a test file forgot the hooks, or the run stopped early: no serve outlives the test process.
process.on('exit', () => {
	for (const served of live) if (served.running) served.child.kill('SIGKILL')
})

/** Starts `tlapbot serve` and resolves once it prints "tlapbot listening on http://..."; see ServeProcess. */
export async function startServe(options: ServeOptions): Promise<ServeProcess> {
	const args = options.args ?? []
	const serveArgs = args.some((a) => a === '--port' || a.startsWith('--port=')) ? args : [...args, '--port', '0']
	const command = options.binary ? [options.binary, 'serve', ...serveArgs] : [process.execPath, MAIN_TS, 'serve', ...serveArgs]
	const child = Bun.spawn(command, {
		cwd: options.cwd,
		env: baseEnv(options.env),
		stdin: 'ignore',
		stdout: 'pipe',
		stderr: 'pipe'
	})

	const text = { stdout: '', stderr: '' }
	let ended = false
	// Checks run on every chunk of output and on exit, instead of polling.
	const listeners = new Set<() => void>()
	const notify = () => {
		for (const listener of [...listeners]) listener()
	}
	const pump = async (stream: ReadableStream<Uint8Array>, key: 'stdout' | 'stderr') => {
		const decoder = new TextDecoder()
		const reader = stream.getReader()
		try {
			for (;;) {
				const { done, value } = await reader.read()
				if (done) break
				text[key] += decoder.decode(value, { stream: true })
				notify()
			}
		} catch {
			// The pipe broke: the process is gone; what was read is all there is.
		}
	}
	const drained = Promise.all([pump(child.stdout, 'stdout'), pump(child.stderr, 'stderr')])
	const exited = Promise.all([child.exited, drained]).then(() => {
		ended = true
		live.delete(served)
		notify()
		return child.exitCode
	})

	const describeProcess = () =>
		`${command.join(' ')} (${ended ? `exited: code ${child.exitCode}, signal ${child.signalCode}` : 'running'})\n--- stdout\n${text.stdout}\n--- stderr\n${text.stderr}`

	const waitForOutput: ServeProcess['waitForOutput'] = (pattern, { timeoutMs = SERVE_TIMEOUT_MS, since } = {}) => {
		// A string matches literally; a RegExp loses g/y so that exec does not depend on lastIndex.
		const regex =
			typeof pattern === 'string'
				? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
				: new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))
		const find = () => regex.exec(text.stdout.slice(since?.stdout ?? 0)) ?? regex.exec(text.stderr.slice(since?.stderr ?? 0))
		return new Promise<RegExpExecArray>((resolve, reject) => {
			const finish = () => {
				clearTimeout(timer)
				listeners.delete(check)
			}
			const check = () => {
				const match = find()
				if (match) {
					finish()
					resolve(match)
				} else if (ended) {
					finish()
					reject(new Error(`serve exited without printing ${regex}: ${describeProcess()}`))
				}
			}
			const timer = setTimeout(() => {
				finish()
				reject(new Error(`timed out after ${timeoutMs} ms waiting for ${regex} from serve: ${describeProcess()}`))
			}, timeoutMs)
			listeners.add(check)
			check()
		})
	}

	const served: ServeProcess = {
		child,
		base: '',
		port: 0,
		stdout: () => text.stdout,
		stderr: () => text.stderr,
		output: () => text.stdout + text.stderr,
		mark: () => ({ stdout: text.stdout.length, stderr: text.stderr.length }),
		waitForOutput,
		signal(name) {
			if (!ended) child.kill(name)
		},
		async stop({ timeoutMs = SERVE_TIMEOUT_MS } = {}) {
			if (!ended) child.kill('SIGTERM')
			let timer: Timer | undefined
			const result = await Promise.race([exited, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)))])
			clearTimeout(timer)
			if (result === 'timeout') {
				child.kill('SIGKILL')
				await exited
				throw new Error(`serve did not exit within ${timeoutMs} ms of SIGTERM, killed it: ${describeProcess()}`)
			}
			return result
		},
		async kill9() {
			if (!ended) child.kill('SIGKILL')
			await exited
		},
		exited,
		get running() {
			return !ended
		},
		get exitCode() {
			return child.exitCode
		},
		get signalCode() {
			return child.signalCode
		}
	}
	live.add(served)

	let listening: RegExpExecArray
	try {
		listening = await waitForOutput(/tlapbot listening on (http:\/\/\S+)/, { timeoutMs: options.startTimeoutMs ?? SERVE_TIMEOUT_MS })
	} catch (error) {
		await served.kill9()
		throw error
	}
	const url = new URL(listening[1] as string)
	// A server listening on every address is reached over loopback.
	if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1'
	if (url.hostname === '[::]') url.hostname = '[::1]'
	served.base = url.origin
	served.port = Number(url.port)
	return served
}
