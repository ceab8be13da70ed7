// Many Server-Sent Events clients on /api/events in one process, for the "events fan-out" rows of bench/run.ts:
// each reads its stream to the end of every event and counts them, and notes when each probe event (a redeem by a
// viewer whose name starts with "probe-") reached it, on the epoch clock (performance.timeOrigin + now()).
//   bun bench/sse-clients.ts '<url of /api/events?key=...>' <clients>
// Prints {"ready":n} once every client is connected; then answers commands on stdin, one a line:
//   counts  -> {"counts":[events seen by each client]}
//   probes  -> {"probes":{"probe-…":[arrival at each client, ms]}} (and forgets them)
//   cpu     -> {"cpuMs": CPU time of this process so far}
//   quit
//
// The clients share the host's two CPUs with the bot and wrk, so they are made cheap: each is a plain HTTP/1.1
// client on a TCP socket (Bun.connect) that decodes the chunked body and scans its bytes, without text decoding.
// fetch's streamed body cost about twice the CPU for the same 100 MB/s (measured: 9.5 against 5 % of a core), CPU
// the bot would not have to share with clients on other machines.
import { cpuTimeMs } from './lib.ts'

const [url, countText] = process.argv.slice(2) as [string, string]
const clients = Number(countText)
const counts = new Array<number>(clients).fill(0)
const probes = new Map<string, number[]>()
const now = () => performance.timeOrigin + performance.now()
const target = new URL(url)

const CRLF = Buffer.from('\r\n')
const HEADERS_END = Buffer.from('\r\n\r\n')
const FRAME_END = Buffer.from('\n\n')
const EVENT_LINE = Buffer.from('\nevent: ')
const CONNECTED = Buffer.from(': connected')
const PROBE = Buffer.from('"name":"probe-')
const QUOTE = 0x22
const EMPTY = Buffer.alloc(0)

let connected = 0
function fail(index: number, why: string): never {
	console.error(`client ${index}: ${why}`)
	process.exit(1)
}

/** One client's stream: bytes in (as TCP delivers them), events counted and probes timed (as complete frames arrive). */
function reader(index: number) {
	let pending: Buffer = EMPTY
	let headersDone = false
	let ready = false
	// The stream's bytes after its last complete frame (a frame may span chunks; with Bun's server it never does).
	let carry: Buffer = EMPTY
	const frames = (body: Buffer, at: number) => {
		const text = carry.length ? Buffer.concat([carry, body]) : body
		const cut = text.lastIndexOf(FRAME_END)
		if (cut < 0) {
			carry = Buffer.from(text)
			return
		}
		const whole = text.subarray(0, cut + 2)
		carry = cut + 2 < text.length ? Buffer.from(text.subarray(cut + 2)) : EMPTY
		if (!ready && whole.includes(CONNECTED)) {
			ready = true
			if (++connected === clients) console.log(JSON.stringify({ ready: clients }))
		}
		// Every frame starts after a blank line, so an event line at the very start is the only one without "\n".
		let n = whole.subarray(0, EVENT_LINE.length - 1).equals(EVENT_LINE.subarray(1)) ? 1 : 0
		for (let i = whole.indexOf(EVENT_LINE); i >= 0; i = whole.indexOf(EVENT_LINE, i + EVENT_LINE.length)) n++
		counts[index]! += n
		for (let i = whole.indexOf(PROBE); i >= 0; i = whole.indexOf(PROBE, i + PROBE.length)) {
			const start = i + PROBE.length - 'probe-'.length
			const name = whole.toString('latin1', start, whole.indexOf(QUOTE, start))
			let times = probes.get(name)
			if (!times) probes.set(name, (times = []))
			times.push(at)
		}
	}
	return (data: Buffer) => {
		const at = now()
		pending = pending.length ? Buffer.concat([pending, data]) : data
		let pos = 0
		if (!headersDone) {
			const end = pending.indexOf(HEADERS_END)
			if (end < 0) return
			const head = pending.toString('latin1', 0, end)
			if (!/^HTTP\/1\.1 200 /.test(head)) fail(index, head.split('\r\n')[0] ?? head)
			if (!/\r\ntransfer-encoding: chunked/i.test(head)) fail(index, `expected a chunked body:\n${head}`)
			headersDone = true
			pos = end + HEADERS_END.length
		}
		// Chunks: a hexadecimal size line, the bytes, CRLF. Only whole chunks are read; the rest waits for more.
		for (;;) {
			const lineEnd = pending.indexOf(CRLF, pos)
			if (lineEnd < 0) break
			const size = Number.parseInt(pending.toString('latin1', pos, lineEnd), 16)
			if (!Number.isFinite(size)) fail(index, 'a broken chunk size')
			if (size === 0) return
			const start = lineEnd + 2
			if (pending.length < start + size + 2) break
			frames(pending.subarray(start, start + size), at)
			pos = start + size + 2
		}
		pending = pos >= pending.length ? EMPTY : pending.subarray(pos)
	}
}

for (let index = 0; index < clients; index++) {
	const read = reader(index)
	await Bun.connect({
		hostname: target.hostname,
		port: Number(target.port),
		socket: {
			open(socket) {
				socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nAccept: text/event-stream\r\n\r\n`)
			},
			data(_socket, data) {
				read(data)
			},
			close() {
				// The bot stopped (the bench ends it after this process): the counts say whether anything was missed.
			},
			error(_socket, error) {
				fail(index, String(error))
			}
		}
	})
}

const lines = console as unknown as AsyncIterable<string>
for await (const line of lines) {
	const command = line.trim()
	if (command === 'counts') console.log(JSON.stringify({ counts }))
	else if (command === 'probes') {
		console.log(JSON.stringify({ probes: Object.fromEntries(probes) }))
		probes.clear()
	} else if (command === 'cpu') console.log(JSON.stringify({ cpuMs: cpuTimeMs('self') }))
	else if (command === 'quit') process.exit(0)
}
