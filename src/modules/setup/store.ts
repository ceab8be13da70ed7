// What `tlapbot connect` made in an Owncast server: its access token (by sha256), its webhook (by id), its external
// action (by URL and title), and what it replaced but could not delete yet. The only module that reads or writes
// the owncast_setup table.
import { Database } from 'bun:sqlite'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { nowIso } from '../../db/time.ts'

/** Something connect replaced and still has to delete in Owncast. */
export type Leftover = { kind: 'token'; hash: string } | { kind: 'webhook'; id: number }

export type SetupRecord = {
	owncastUrl: string
	tokenName: string | null
	tokenHash: string | null
	webhookId: number | null
	webhookSecretHash: string | null
	/** The webhook's URL with any secret masked. */
	webhookUrl: string | null
	actionUrl: string | null
	actionTitle: string | null
	leftovers: Leftover[]
	updatedAt: string
}

/** The fields a run changes; the rest of the row stays as it was. */
export type SetupChange = Partial<Omit<SetupRecord, 'owncastUrl' | 'updatedAt'>>

/** sha256 in hex: how tokens and secrets are recognised without being kept. */
export const fingerprint = (secret: string) => createHash('sha256').update(secret).digest('hex')

/** A row as SELECT reads it: the record, with leftovers still as the JSON kept in the column. */
type Row = Omit<SetupRecord, 'leftovers'> & { leftovers: string }

const SELECT = `SELECT owncast_url AS owncastUrl, token_name AS tokenName, token_hash AS tokenHash, webhook_id AS webhookId,
	webhook_secret_hash AS webhookSecretHash, webhook_url AS webhookUrl, action_url AS actionUrl,
	action_title AS actionTitle, leftovers, updated_at AS updatedAt
	FROM owncast_setup WHERE owncast_url = $url`

function fromRow(row: Row | null): SetupRecord | undefined {
	if (!row) return undefined
	let leftovers: Leftover[] = []
	try {
		const parsed: unknown = JSON.parse(row.leftovers)
		if (Array.isArray(parsed)) leftovers = parsed.filter(isLeftover)
	} catch {
		// A damaged list only means an old token or webhook is not cleaned up; the rest of the row still counts.
	}
	return { ...row, leftovers }
}

function isLeftover(value: unknown): value is Leftover {
	if (typeof value !== 'object' || value === null) return false
	const item = value as Record<string, unknown>
	return (item.kind === 'token' && typeof item.hash === 'string') || (item.kind === 'webhook' && Number.isInteger(item.id))
}

export function createSetupStore(db: Database) {
	const select = db.query<Row, { url: string }>(SELECT)
	const upsert = db.query<unknown, Record<string, string | number | null>>(
		`INSERT INTO owncast_setup (owncast_url, token_name, token_hash, webhook_id, webhook_secret_hash, webhook_url,
			action_url, action_title, leftovers, updated_at)
		VALUES ($url, $tokenName, $tokenHash, $webhookId, $webhookSecretHash, $webhookUrl, $actionUrl, $actionTitle, $leftovers, $now)
		ON CONFLICT (owncast_url) DO UPDATE SET token_name = excluded.token_name, token_hash = excluded.token_hash,
			webhook_id = excluded.webhook_id, webhook_secret_hash = excluded.webhook_secret_hash,
			webhook_url = excluded.webhook_url, action_url = excluded.action_url, action_title = excluded.action_title,
			leftovers = excluded.leftovers, updated_at = excluded.updated_at`
	)

	function get(owncastUrl: string): SetupRecord | undefined {
		return fromRow(select.get({ url: owncastUrl }))
	}

	return {
		get,
		/** Records a change at once (each step right after Owncast confirmed it), merged into what was there. */
		save(owncastUrl: string, change: SetupChange, now = Date.now()): SetupRecord {
			return db.transaction(() => {
				const before = get(owncastUrl)
				const merged = {
					tokenName: null,
					tokenHash: null,
					webhookId: null,
					webhookSecretHash: null,
					webhookUrl: null,
					actionUrl: null,
					actionTitle: null,
					leftovers: [] as Leftover[],
					...before,
					...change
				}
				upsert.run({
					url: owncastUrl,
					tokenName: merged.tokenName,
					tokenHash: merged.tokenHash,
					webhookId: merged.webhookId,
					webhookSecretHash: merged.webhookSecretHash,
					webhookUrl: merged.webhookUrl,
					actionUrl: merged.actionUrl,
					actionTitle: merged.actionTitle,
					leftovers: JSON.stringify(merged.leftovers),
					now: nowIso(now)
				})
				return get(owncastUrl) as SetupRecord
			}).immediate()
		}
	}
}

export type SetupStore = ReturnType<typeof createSetupStore>

/**
 * The record for one Owncast address from a database file, read without migrating, creating or writing anything
 * (`connect --dry-run` changes nothing anywhere). Undefined when the file, the table or the row is missing.
 */
export function readSetupRecord(databasePath: string, owncastUrl: string): SetupRecord | undefined {
	if (!existsSync(databasePath)) return undefined
	const db = existsSync(`${databasePath}-wal`)
		? // A running serve has the -wal and -shm files open: a read-only connection shares them and creates nothing.
			new Database(databasePath, { readonly: true, strict: true })
		: // Otherwise every page is in the file: read a copy in memory, so no -wal or -shm file is left behind. The
			// copy is marked as an ordinary (not WAL) database, which an in-memory one has to be.
			Database.deserialize(asRollbackJournal(readFileSync(databasePath)), { readonly: true, strict: true })
	try {
		const table = db.query<{ n: number }, []>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'owncast_setup'").get()
		if (!table?.n) return undefined
		return fromRow(db.query<Row, { url: string }>(SELECT).get({ url: owncastUrl }))
	} finally {
		db.close()
	}
}

/** Bytes 18 and 19 of the header are the file format versions: 2 is WAL, 1 the rollback journal. */
function asRollbackJournal(bytes: Uint8Array): Uint8Array {
	if (bytes.length >= 100 && bytes[18] === 2 && bytes[19] === 2) {
		bytes[18] = 1
		bytes[19] = 1
	}
	return bytes
}
