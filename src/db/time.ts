// Times are stored as ISO 8601 UTC text: sortable, readable in the sqlite3 shell, and what SQLite compares.

export const nowIso = (now: number = Date.now()) => new Date(now).toISOString()

/** Milliseconds since the epoch of a stored time, or undefined for none. */
export const parseIso = (iso: string | null | undefined) => (iso ? Date.parse(iso) : undefined)
