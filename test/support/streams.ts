// Reading a child process's output in tests.

/** Collects everything a stream writes, as text, in the background. */
export function collectText(stream: ReadableStream<Uint8Array>): { text: () => string; done: Promise<void> } {
	let text = ''
	const decoder = new TextDecoder()
	const reader = stream.getReader()
	const done = (async () => {
		for (;;) {
			const { done, value } = await reader.read()
			if (done) return
			text += decoder.decode(value, { stream: true })
		}
	})().catch(() => {})
	return { text: () => text, done }
}
