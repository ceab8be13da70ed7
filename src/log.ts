// One line per event, with a level. Never pass a token or secret in here; user names and passwords inside URLs
// are hidden anyway (redactUrl), since owncast_url and public_url may carry them.
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export type Logger = {
	debug(message: string): void
	info(message: string): void
	warn(message: string): void
	error(message: string, error?: unknown): void
	/** Logs a warning at most once per key, for faults that would otherwise repeat on every message. */
	warnOnce(key: string, message: string): void
	level: LogLevel
}

// The user-info part of a URL ("user:pw@"), up to the last "@" before the host ends. Stops at spaces and quotes,
// so an e-mail address elsewhere in the text is never taken for one.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'<>]*@/gi

/** The text, or URL, with any user name and password inside URLs replaced by "***". */
export function redactUrl(text: string | URL): string {
	return String(text).replace(URL_CREDENTIALS, '$1***@')
}

export type LogSink = (level: LogLevel, line: string) => void

const consoleSink: LogSink = (level, line) => {
	if (level === 'warn' || level === 'error') console.error(line)
	else console.log(line)
}

export function createLogger(level: LogLevel = 'info', sink: LogSink = consoleSink): Logger {
	const warned = new Set<string>()
	const write = (at: LogLevel, message: string) => {
		if (ORDER[at] < ORDER[logger.level]) return
		// A safety net: a URL with credentials must not reach the log by any path.
		sink(at, `${new Date().toISOString()} ${at.toUpperCase().padEnd(5)} ${redactUrl(message)}`)
	}
	const logger: Logger = {
		level,
		debug: (m) => write('debug', m),
		info: (m) => write('info', m),
		warn: (m) => write('warn', m),
		error: (m, error) => {
			const detail = error instanceof Error ? `: ${error.message}` : error === undefined ? '' : `: ${String(error)}`
			write('error', m + detail)
			if (error instanceof Error && error.stack && logger.level === 'debug') write('debug', error.stack)
		},
		warnOnce: (key, m) => {
			if (warned.has(key)) return
			warned.add(key)
			write('warn', m)
		}
	}
	return logger
}
