// The floor of the webhook path on this host: a bare Bun.serve that reads the whole body and answers 204.
// Every webhook throughput in the bench is reported beside this one, measured in the same run.
//   bun bench/bare.ts      (prints "listening on http://127.0.0.1:PORT")
const server = Bun.serve({
	hostname: '127.0.0.1',
	port: Number(process.env.PORT ?? 0),
	async fetch(request) {
		await request.text()
		return new Response(null, { status: 204 })
	}
})
console.log(`listening on http://127.0.0.1:${server.port}`)
export {}
