// What every doctor check returns: plain data, printed by `tlapbot doctor` (src/cli/doctor.ts) and logged by `serve`.

/**
 * ok: fine. warn: works, but worth a look. fail: something the bot needs is broken (doctor exits non-zero).
 * info: a fact, not a verdict (the stream is offline). skip: not checked, and why (detail).
 */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info' | 'skip'

export type CheckResult = {
	/** Stable name for scripts, e.g. "database", "scope_admin". */
	id: string
	/** What was checked, for people: "Database", "Token scope: send chat messages". */
	title: string
	status: CheckStatus
	/** What was found, one line. Never a secret. */
	detail: string
	/** What to do about it, when there is something to do. */
	fix?: string
}

export const check = (id: string, title: string, status: CheckStatus, detail: string, fix?: string): CheckResult =>
	fix === undefined ? { id, title, status, detail } : { id, title, status, detail, fix }

/** True when any result failed. */
export const anyFailed = (results: readonly CheckResult[]) => results.some((r) => r.status === 'fail')

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const

/** 1536 -> "1.5 KB" (powers of 1024, one decimal below 10). */
export function formatBytes(bytes: number): string {
	let value = bytes
	let unit = 0
	while (value >= 1024 && unit < UNITS.length - 1) {
		value /= 1024
		unit++
	}
	const shown = unit === 0 || value >= 10 ? Math.round(value).toString() : value.toFixed(1)
	return `${shown} ${UNITS[unit]}`
}

/** 93784000 -> "1 day 2 hours"; the two largest units, for ages and clock differences. */
export function formatDuration(ms: number): string {
	const seconds = Math.round(Math.abs(ms) / 1000)
	const parts: [number, string][] = [
		[Math.floor(seconds / 86400), 'day'],
		[Math.floor((seconds % 86400) / 3600), 'hour'],
		[Math.floor((seconds % 3600) / 60), 'minute'],
		[seconds % 60, 'second']
	]
	const first = parts.findIndex(([n]) => n > 0)
	if (first < 0) return '0 seconds'
	return parts
		.slice(first, first + 2)
		.filter(([n]) => n > 0)
		.map(([n, unit]) => `${n} ${unit}${n === 1 ? '' : 's'}`)
		.join(' ')
}
