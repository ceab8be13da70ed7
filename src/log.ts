// One line per event, with a level. Never pass a token or secret in here.
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

export type LogSink = (level: LogLevel, line: string) => void

const consoleSink: LogSink = (level, line) => {
	if (level === 'warn' || level === 'error') console.error(line)
	else console.log(line)
}

export function createLogger(level: LogLevel = 'info', sink: LogSink = consoleSink): Logger {
	const warned = new Set<string>()
	const write = (at: LogLevel, message: string) => {
		if (ORDER[at] < ORDER[logger.level]) return
		sink(at, `${new Date().toISOString()} ${at.toUpperCase().padEnd(5)} ${message}`)
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
