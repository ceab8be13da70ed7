// The fallback load generator when wrk is not installed: fixed concurrency, keep-alive fetch, the same bodies as
// the wrk script (for store redeems: the same rotating sessions and unique Idempotency-Keys). Run by lib.ts as its
// own process; prints one JSON LoadResult line.
//   bun bench/loadgen.ts '{"url": ..., "load": ..., "seconds": 10, "connections": 8}'
import { sampleChatBody, type Load, type LoadResult } from './lib.ts'

const { url, load, seconds, connections } = JSON.parse(process.argv[2] as string) as {
	url: string
	load: Load
	seconds: number
	connections: number
}

const latencies: number[] = []
let errors = 0
let counter = 0
const started = performance.now()
const deadline = started + seconds * 1000

function nextRequest(): RequestInit {
	if (load.kind === 'get') return { method: 'GET', keepalive: true }
	counter++
	if (load.kind === 'store-redeem') {
		return {
			method: 'POST',
			keepalive: true,
			headers: {
				'content-type': 'application/json',
				authorization: `Bearer ${load.sessions[counter % load.sessions.length]}`,
				'idempotency-key': `${load.keyPrefix}${counter}`
			},
			body: load.body
		}
	}
	const uid = (load.offset + counter) % load.ids
	return {
		method: 'POST',
		keepalive: true,
		headers: { 'content-type': 'application/json', 'user-agent': 'Go-http-client/1.1' },
		body: sampleChatBody(load.text, uid, `${load.messagePrefix}${counter}`)
	}
}

const interval = load.kind === 'chat' && load.rate ? 1000 / load.rate : 0
let nextAt = started

async function worker() {
	while (performance.now() < deadline) {
		if (interval) {
			nextAt += interval
			const wait = nextAt - performance.now()
			if (wait >= 1) await Bun.sleep(wait)
		}
		const init = nextRequest()
		const t0 = performance.now()
		try {
			const res = await fetch(url, init)
			await res.arrayBuffer()
			if (res.status >= 400) errors++
		} catch {
			errors++
		}
		latencies.push(performance.now() - t0)
	}
}

await Promise.all(Array.from({ length: connections }, worker))
const elapsed = (performance.now() - started) / 1000
latencies.sort((a, b) => a - b)
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN
const result: LoadResult = {
	tool: 'bun-fetch',
	requests: latencies.length,
	seconds: elapsed,
	rps: latencies.length / elapsed,
	p50ms: pct(50),
	p99ms: pct(99),
	maxMs: latencies[latencies.length - 1] ?? Number.NaN,
	errors
}
console.log(JSON.stringify(result))
