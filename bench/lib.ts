// Shared helpers for the benchmarks: child processes, free ports, the load generator (wrk or the Bun fallback).
import type { Subprocess } from 'bun'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chatEvent } from '../test/support/payloads.ts'

export const ROOT = join(import.meta.dir, '..')
export const BUN = process.execPath
export const sleep = (ms: number) => Bun.sleep(ms)

export function tempDir(label: string): string {
	return mkdtempSync(join(tmpdir(), `tlapbot-bench-${label}-`))
}

/** A port that was free a moment ago (bind to 0, read it, let go). */
export function freePort(): number {
	const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
	const port = server.port as number
	server.stop(true)
	return port
}

export type Child = {
	proc: Subprocess<'ignore', 'pipe', 'pipe'>
	url: string
	/** Everything the process wrote so far (stdout and stderr, interleaved by arrival). */
	output(): string
	stop(): Promise<void>
}

/** Collects a stream into a growing text, line by line, and lets callers wait for a line matching a pattern. */
function collect(stream: ReadableStream<Uint8Array>, sink: { text: string; onLine: ((line: string) => void)[] }) {
	void (async () => {
		const decoder = new TextDecoder()
		let pending = ''
		const reader = stream.getReader()
		for (;;) {
			const { done, value: chunk } = await reader.read()
			if (done) break
			const text = decoder.decode(chunk, { stream: true })
			sink.text += text
			pending += text
			let nl = pending.indexOf('\n')
			while (nl >= 0) {
				const line = pending.slice(0, nl)
				pending = pending.slice(nl + 1)
				for (const fn of sink.onLine) fn(line)
				nl = pending.indexOf('\n')
			}
		}
	})()
}

/**
 * Starts a process and waits until it is ready: either it prints "listening on http://HOST:PORT", or (healthUrl)
 * that URL answers 200.
 */
export async function startChild(
	cmd: string[],
	options: { env?: Record<string, string>; cwd?: string; healthUrl?: string; timeoutMs?: number } = {}
): Promise<Child> {
	const proc = Bun.spawn(cmd, {
		cwd: options.cwd ?? ROOT,
		env: { ...process.env, ...options.env },
		stdin: 'ignore',
		stdout: 'pipe',
		stderr: 'pipe'
	})
	const sink = { text: '', onLine: [] as ((line: string) => void)[] }
	let url = ''
	const listening = new Promise<string>((resolve) => {
		sink.onLine.push((line) => {
			const m = /listening on (http:\/\/[^\s)]+)/.exec(line)
			if (m?.[1] && !url) {
				url = m[1]
				resolve(url)
			}
		})
	})
	collect(proc.stdout, sink)
	collect(proc.stderr, sink)
	const timeoutMs = options.timeoutMs ?? 30_000
	const deadline = Date.now() + timeoutMs
	if (options.healthUrl) {
		for (;;) {
			if (proc.exitCode !== null) throw new Error(`${cmd.join(' ')} exited ${proc.exitCode}:\n${sink.text}`)
			try {
				const res = await fetch(options.healthUrl)
				if (res.ok) break
			} catch {}
			if (Date.now() > deadline) throw new Error(`${cmd.join(' ')} not healthy after ${timeoutMs} ms:\n${sink.text}`)
			await sleep(20)
		}
		url = new URL(options.healthUrl).origin
	} else {
		const timeout = sleep(timeoutMs).then(() => 'timeout')
		const result = await Promise.race([listening, timeout, proc.exited.then(() => 'exited')])
		if (result === 'timeout' || result === 'exited') {
			proc.kill()
			throw new Error(`${cmd.join(' ')} did not print "listening on" (${result}):\n${sink.text}`)
		}
	}
	return {
		proc,
		url,
		output: () => sink.text,
		async stop() {
			if (proc.exitCode !== null) return
			proc.kill('SIGTERM')
			const done = await Promise.race([proc.exited.then(() => true), sleep(5000).then(() => false)])
			if (!done) {
				proc.kill('SIGKILL')
				await proc.exited
			}
		}
	}
}

const TICKS_PER_SECOND = Number(Bun.spawnSync(['getconf', 'CLK_TCK']).stdout.toString().trim()) || 100

/** CPU time (user + system, all threads) a process has used so far, in ms, from /proc/<pid>/stat. */
export function cpuTimeMs(pid: number | 'self'): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
	// Fields after the command name (which may hold spaces) start at ") ".
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
	return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
}

/** The RSS of a process now (VmRSS) and its peak (VmHWM), in MB, from /proc. */
export function memoryOf(pid: number | 'self'): { rssMb: number; peakMb: number } {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8')
	const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN)
	return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 }
}

function cpuTimes(): { busy: number; total: number } {
	const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).slice(1).map(Number)
	const total = fields.reduce((a, b) => a + b, 0)
	const idle = (fields[3] ?? 0) + (fields[4] ?? 0)
	return { busy: total - idle, total }
}

/**
 * How busy the whole host is over the next ms, in % of all CPUs (from /proc/stat). Called while the bench itself is
 * idle, it measures other work on the machine, which disturbs every figure.
 */
export async function hostBusy(ms = 500): Promise<number> {
	const a = cpuTimes()
	await Bun.sleep(ms)
	const b = cpuTimes()
	return b.total > a.total ? (100 * (b.busy - a.busy)) / (b.total - a.total) : 0
}

/**
 * Waits (up to maxMs) until the host has been less than threshold % busy for a second: other work on a shared
 * machine (a test suite, a build) disturbs every figure. Returns how busy it was in the last sample.
 */
export async function waitForQuietHost(maxMs: number, threshold = 10): Promise<number> {
	const deadline = performance.now() + maxMs
	let busy = await hostBusy(1000)
	while (busy >= threshold && performance.now() < deadline) busy = await hostBusy(1000)
	return busy
}

// ---------------------------------------------------------------------------------------------------------------
// Load generation

export type LoadResult = {
	tool: 'wrk' | 'bun-fetch'
	requests: number
	seconds: number
	rps: number
	p50ms: number
	p99ms: number
	maxMs: number
	/** Socket errors plus non-2xx/3xx answers. */
	errors: number
	/**
	 * CPU time the server process used per answered request, in µs (when its pid was given). Unlike req/s, this
	 * hardly changes when other work shares the host.
	 */
	serverCpuUs?: number
}

export type Load =
	| {
			kind: 'chat'
			text: string
			ids: number
			offset: number
			messagePrefix: string
			/** Requests per second in all (paced, all connections together); unset: as fast as the server answers. */
			rate?: number
	  }
	| { kind: 'get'; path: string }
	| {
			/**
			 * POST /api/store/redeem as the dashboard's store page sends it: each request signed in as the next of
			 * sessions (in turn), with its own Idempotency-Key (keyPrefix + a counter), and the same JSON body.
			 */
			kind: 'store-redeem'
			sessions: string[]
			body: string
			keyPrefix: string
	  }

/** The path a load's requests go to. */
export function loadPath(load: Load): string {
	switch (load.kind) {
		case 'get':
			return load.path
		case 'chat':
			return '/owncastWebhook'
		case 'store-redeem':
			return '/api/store/redeem'
	}
}

export const wrkAvailable = () => Bun.which('wrk') !== null

/**
 * One CHAT webhook body with placeholders for the viewer id and the message id, in the v0.3 shape of
 * test/support/payloads.ts (what Owncast 0.3 sends, about 0.9 KB), split around the placeholders.
 */
function chatTemplate(text: string): { pieces: string[]; slots: ('uid' | 'mid')[] } {
	const event = chatEvent({ id: '@UID@', displayName: 'Viewer @UID@' }, text, 'v0.3', { id: '@MID@' })
	const template = JSON.stringify(event)
	const pieces: string[] = []
	const slots: ('uid' | 'mid')[] = []
	let rest = template
	for (;;) {
		const m = /@(UID|MID)@/.exec(rest)
		if (!m) break
		pieces.push(rest.slice(0, m.index))
		slots.push(m[1] === 'UID' ? 'uid' : 'mid')
		rest = rest.slice(m.index + m[0].length)
	}
	pieces.push(rest)
	return { pieces, slots }
}

/** A sample body, to check the template is valid JSON the bot accepts. */
export function sampleChatBody(text: string, uid: number, mid: string): string {
	const { pieces, slots } = chatTemplate(text)
	return pieces.reduce((out, piece, i) => out + piece + (i < slots.length ? (slots[i] === 'uid' ? String(uid) : mid) : ''), '')
}

const luaString = (s: string) => {
	let eq = ''
	while (s.includes(`]${eq}]`)) eq += '='
	return `[${eq}[${s}]${eq}]`
}

function wrkScript(load: Load): string {
	const done = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"errors":%d,"p50":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
`
	if (load.kind === 'get') return `wrk.method = "GET"\n${done}`
	if (load.kind === 'store-redeem') {
		// wrk.format() with no headers argument uses wrk.headers: set the two per-request headers there. One thread
		// (-t1), so one counter: every key is unique.
		return `
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local sessions = { ${load.sessions.map(luaString).join(', ')} }
local n = #sessions
local body = ${luaString(load.body)}
local prefix = ${luaString(load.keyPrefix)}
local counter = 0
request = function()
  counter = counter + 1
  wrk.headers["Authorization"] = "Bearer " .. sessions[(counter % n) + 1]
  wrk.headers["Idempotency-Key"] = prefix .. counter
  return wrk.format(nil, nil, nil, body)
end
${done}`
	}
	const { pieces, slots } = chatTemplate(load.text)
	// Pacing: wrk calls delay() before each request; a shared schedule keeps the total at load.rate per second.
	const pacing = load.rate
		? `
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } bench_timespec; int clock_gettime(int clk, bench_timespec *tp); ]]
local ts = ffi.new("bench_timespec")
local function now_ms() ffi.C.clock_gettime(1, ts); return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6 end
local interval = 1000 / ${load.rate}
local next_at = nil
delay = function()
  local t = now_ms()
  if next_at == nil then next_at = t end
  next_at = next_at + interval
  local d = next_at - t
  if d < 1 then return 0 end
  return math.floor(d)
end
`
		: ''
	const parts: string[] = []
	pieces.forEach((piece, i) => {
		parts.push(luaString(piece))
		if (i < slots.length) parts.push(slots[i] === 'uid' ? 'uid' : 'mid')
	})
	return `
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "Go-http-client/1.1"
local counter = 0
local ids = ${load.ids}
local offset = ${load.offset}
local prefix = ${luaString(load.messagePrefix)}
request = function()
  counter = counter + 1
  local uid = (offset + counter) % ids
  local mid = prefix .. counter
  local body = ${parts.join(' .. ')}
  return wrk.format(nil, nil, nil, body)
end
${pacing}
${done}`
}

/**
 * Runs the load against baseUrl (at loadPath(load)) for seconds, with c connections. With
 * serverPid, also reports the server's CPU time per request.
 */
export async function runLoad(baseUrl: string, load: Load, seconds: number, connections = 8, serverPid?: number): Promise<LoadResult> {
	const cpuBefore = serverPid ? cpuTimeMs(serverPid) : 0
	const result = await generate(baseUrl, load, seconds, connections)
	if (serverPid && result.requests > 0) result.serverCpuUs = ((cpuTimeMs(serverPid) - cpuBefore) * 1000) / result.requests
	return result
}

async function generate(baseUrl: string, load: Load, seconds: number, connections: number): Promise<LoadResult> {
	const path = loadPath(load)
	if (wrkAvailable()) {
		const dir = tempDir('wrk')
		const script = join(dir, 'load.lua')
		writeFileSync(script, wrkScript(load))
		const proc = Bun.spawn(
			['wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, `${baseUrl}${path}`],
			{ stdout: 'pipe', stderr: 'pipe' }
		)
		const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()])
		await proc.exited
		rmSync(dir, { recursive: true, force: true })
		const line = /WRKJSON (.*)/.exec(out)?.[1]
		if (!line) throw new Error(`wrk failed:\n${out}\n${err}`)
		const r = JSON.parse(line) as { requests: number; duration_us: number; errors: number; p50: number; p99: number; max: number }
		const secs = r.duration_us / 1e6
		return {
			tool: 'wrk',
			requests: r.requests,
			seconds: secs,
			rps: r.requests / secs,
			p50ms: r.p50 / 1000,
			p99ms: r.p99 / 1000,
			maxMs: r.max / 1000,
			errors: r.errors
		}
	}
	// Fallback: the Bun load generator, in its own process so it does not share this event loop.
	const proc = Bun.spawn(
		[BUN, join(import.meta.dir, 'loadgen.ts'), JSON.stringify({ url: `${baseUrl}${path}`, load, seconds, connections })],
		{ stdout: 'pipe', stderr: 'inherit' }
	)
	const out = await new Response(proc.stdout).text()
	await proc.exited
	return JSON.parse(out.trim().split('\n').pop() as string) as LoadResult
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting

export const fmt = (n: number, digits = 0) =>
	Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a'

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b)
	const mid = Math.floor(sorted.length / 2)
	return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export function table(header: string[], rows: string[][]): string {
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
	const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`
	return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n')
}

// ---------------------------------------------------------------------------------------------------------------
// Helper processes that answer commands with JSON lines (bench/sse-clients.ts), and Chromium (the overlay rows)

export type JsonLineChild = {
	proc: Subprocess<'pipe', 'pipe', 'pipe'>
	/** The next JSON line the process prints (waits up to timeoutMs). */
	next(timeoutMs?: number): Promise<Record<string, unknown>>
	/** Sends one command line, and returns the JSON line it answers with. */
	ask(command: string, timeoutMs?: number): Promise<Record<string, unknown>>
	stop(): Promise<void>
}

export function startJsonLineChild(cmd: string[]): JsonLineChild {
	const proc = Bun.spawn(cmd, { cwd: ROOT, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe' })
	const lines: Record<string, unknown>[] = []
	const waiting: ((line: Record<string, unknown>) => void)[] = []
	const sink = { text: '', onLine: [] as ((line: string) => void)[] }
	sink.onLine.push((line) => {
		if (!line.startsWith('{')) return
		const parsed = JSON.parse(line) as Record<string, unknown>
		const waiter = waiting.shift()
		if (waiter) waiter(parsed)
		else lines.push(parsed)
	})
	collect(proc.stdout, sink)
	const errors = { text: '', onLine: [] }
	collect(proc.stderr, errors)
	const next = (timeoutMs = 60_000) =>
		new Promise<Record<string, unknown>>((resolve, reject) => {
			const ready = lines.shift()
			if (ready) return resolve(ready)
			const timer = setTimeout(() => reject(new Error(`${cmd.join(' ')}: no answer in ${timeoutMs} ms\n${errors.text}`)), timeoutMs)
			void proc.exited.then((code) => reject(new Error(`${cmd.join(' ')} exited ${code}\n${errors.text}`)))
			waiting.push((line) => {
				clearTimeout(timer)
				resolve(line)
			})
		})
	return {
		proc,
		next,
		ask(command, timeoutMs) {
			proc.stdin.write(`${command}\n`)
			proc.stdin.flush()
			return next(timeoutMs)
		},
		async stop() {
			if (proc.exitCode !== null) return
			proc.kill('SIGTERM')
			await proc.exited
		}
	}
}

/** Headless Chromium (the one the browser tests use), or undefined when it is not installed. */
export async function launchChromium(): Promise<import('playwright-core').Browser | undefined> {
	const path = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && existsSync(p))
	if (!path) return undefined
	const { chromium } = await import('playwright-core')
	return chromium.launch({
		executablePath: path,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
	})
}

/** The value at quantile q (0..1) of a list, nearest rank. */
export function quantile(values: number[], q: number): number {
	if (values.length === 0) return Number.NaN
	const sorted = [...values].sort((a, b) => a - b)
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number
}
