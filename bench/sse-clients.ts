// Many Server-Sent Events clients on /api/events in one process, for the "events fan-out" rows of bench/run.ts:
// each reads its stream to the end of every event and counts them, and notes when each probe event (a redeem by a
// viewer whose name starts with "probe-") reached it, on the epoch clock (performance.timeOrigin + now()).
//   bun bench/sse-clients.ts '<url of /api/events?key=...>' <clients>
// Prints {"ready":n} once every client is connected; then answers commands on stdin, one a line:
//   counts  -> {"counts":[events seen by each client]}
//   probes  -> {"probes":{"probe-…":[arrival at each client, ms]}} (and forgets them)
//   cpu     -> {"cpuMs": CPU time of this process so far}
//   quit
import { cpuTimeMs } from './lib.ts'

const [url, countText] = process.argv.slice(2) as [string, string]
const clients = Number(countText)
const counts = new Array<number>(clients).fill(0)
const probes = new Map<string, number[]>()
const now = () => performance.timeOrigin + performance.now()
const PROBES = /"name":"(probe-[^"]+)"/g

let connected = 0
async function client(index: number) {
	const response = await fetch(url, { headers: { accept: 'text/event-stream' } })
	if (response.status !== 200 || !response.body) throw new Error(`client ${index}: ${response.status} ${await response.text()}`)
	const reader = response.body.getReader()
	const decoder = new TextDecoder()
	let buffer = ''
	let ready = false
	for (;;) {
		const { done, value } = await reader.read()
		if (done) return
		const at = now()
		buffer += decoder.decode(value, { stream: true })
		// The complete frames at once, each scan linear: 100 clients in one process read some 400,000 frames a
		// second under the bench's load, on the CPUs the bot uses too (cutting out each frame cost twice as much).
		const cut = buffer.lastIndexOf('\n\n')
		if (cut < 0) continue
		const frames = buffer.slice(0, cut + 2)
		buffer = buffer.slice(cut + 2)
		if (!ready && frames.includes(': connected')) {
			ready = true
			if (++connected === clients) console.log(JSON.stringify({ ready: clients }))
		}
		// An event's "event:" line starts a line (data lines are JSON: no raw new line inside).
		for (let i = frames.indexOf('event: '); i >= 0; i = frames.indexOf('event: ', i + 7)) {
			if (i === 0 || frames.charCodeAt(i - 1) === 10) counts[index]!++
		}
		if (frames.includes('probe-')) {
			for (const match of frames.matchAll(PROBES)) {
				const name = match[1] as string
				let times = probes.get(name)
				if (!times) probes.set(name, (times = []))
				times.push(at)
			}
		}
	}
}

for (let i = 0; i < clients; i++) {
	client(i).catch((error) => {
		console.error(String(error))
		process.exit(1)
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
