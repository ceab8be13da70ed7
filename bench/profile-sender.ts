// How fast the chat sender can deliver replies to a fake Owncast (not part of `npm run bench`; evidence for
// bench/README.md). The bot answers !points at the webhook's rate but delivers replies through this sender, on the
// same thread; when delivery is slower than arrival, the bounded queue (500) drops the oldest replies.
//   bun bench/profile-sender.ts [messages]      (default 20000; starts its own fake Owncast process)
// For each concurrency: messages/s of createChatSender with an unbounded queue, and of plain sendChat calls.
import { join } from 'node:path'
import { createLogger } from '../src/log.ts'
import { createChatSender } from '../src/modules/owncast/chat-sender.ts'
import { createOwncastClient } from '../src/modules/owncast/client.ts'
import { BUN, fmt, startChild } from './lib.ts'

const n = Number(process.argv[2] ?? 20_000)
const TOKEN = 'bench-token'
const fake = await startChild([BUN, join(import.meta.dir, 'fake-owncast.ts'), '--token', TOKEN])
const client = createOwncastClient({ baseUrl: fake.url, accessToken: TOKEN })
const count = async () => ((await (await fetch(`${fake.url}/count`)).json()) as { count: number }).count

// Warm-up: connections and JIT.
{
	const sender = createChatSender(client, createLogger('error'), { concurrency: 8, maxWaiting: 1e9 })
	for (let i = 0; i < 2000; i++) sender.send([`warm ${i}`])
	await sender.idle()
}
for (const concurrency of [1, 4, 16, 64]) {
	const sender = createChatSender(client, createLogger('error'), { concurrency, maxWaiting: 1e9 })
	const before = await count()
	const t0 = performance.now()
	for (let i = 0; i < n; i++) sender.send([`@Viewer ${i}, you have 1,000 points.`])
	await sender.idle()
	const seconds = (performance.now() - t0) / 1000
	const delivered = (await count()) - before
	console.log(`createChatSender, concurrency ${String(concurrency).padStart(2)}${concurrency === 4 ? ' (the default)' : '              '}: ${fmt(delivered / seconds).padStart(7)} replies/s (${fmt(delivered)} delivered)`)
}
await fake.stop()
