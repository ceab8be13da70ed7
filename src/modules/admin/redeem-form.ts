// The admin page's redeem editor form: which fields it has (every key redeems.toml accepts), how a posted form
// becomes a redeem's TOML values (validated afterwards by the same schema as the file), how a table fills the form,
// and which field an error of the schema is about. No HTTP, no files.
import { REDEEM_TYPES, type RedeemType } from '../settings/schema.ts'
import type { RedeemValues } from '../redeems/file.ts'

export type FieldKind = 'integer' | 'text' | 'long-text' | 'flag' | 'list'
export type RedeemField = {
	key: string
	label: string
	kind: FieldKind
	hint: string
	/** The types the key belongs to; for the others the field is ignored (so switching the type never trips on it). */
	types: readonly RedeemType[]
}

const ALL = REDEEM_TYPES
const QUEUED: readonly RedeemType[] = ['list', 'note']
const PRICED: readonly RedeemType[] = ['list', 'note', 'counter']

/** In the order the form shows them, after the command name and the type. */
export const REDEEM_FIELDS: readonly RedeemField[] = [
	{ key: 'price', label: 'Price', kind: 'integer', hint: 'Points it costs (0 or more). List, note and counter redeems.', types: PRICED },
	{ key: 'goal', label: 'Goal', kind: 'integer', hint: 'Points the community goal needs (more than 0). Milestones only.', types: ['milestone'] },
	{ key: 'title', label: 'Title', kind: 'text', hint: 'Shown on the store card instead of the command (optional).', types: ALL },
	{ key: 'info', label: 'Description', kind: 'long-text', hint: 'Shown in !help and on the dashboard (optional).', types: ALL },
	{
		key: 'category',
		label: 'Categories',
		kind: 'list',
		hint: 'Comma-separated; the redeem is active only while one of them is on (optional).',
		types: ALL
	},
	{ key: 'cooldown', label: 'Cooldown', kind: 'integer', hint: 'Seconds before anyone can use it again.', types: ALL },
	{ key: 'user_cooldown', label: 'Cooldown per viewer', kind: 'integer', hint: 'Seconds before the same viewer can use it again.', types: ALL },
	{ key: 'max_per_stream', label: 'Uses per stream', kind: 'integer', hint: 'At most this many uses in one stream.', types: ALL },
	{ key: 'max_per_user_per_stream', label: 'Uses per viewer per stream', kind: 'integer', hint: 'At most this many per viewer in one stream.', types: ALL },
	{ key: 'stock', label: 'Stock', kind: 'integer', hint: 'Uses until a moderator restocks it.', types: ALL },
	{ key: 'max_note_length', label: 'Longest note', kind: 'integer', hint: 'Characters, up to 500. Note redeems only.', types: ['note'] },
	{ key: 'only_live', label: 'Only while live', kind: 'flag', hint: 'Refused while the stream is offline.', types: ALL },
	{ key: 'auto_fulfil', label: 'Skip the queue', kind: 'flag', hint: 'Marked done at once. List and note redeems only.', types: QUEUED }
]

type Form = Record<string, unknown>
const text = (form: Form, key: string): string => {
	const value = form[key]
	const one = Array.isArray(value) ? value[0] : value
	return typeof one === 'string' ? one : ''
}

/** What the editor posts: the command (and the one it had), the type, the values for the file. */
export type PostedRedeem = { name: string; previousName: string; type: string; values: RedeemValues }

/**
 * The posted form as a redeem's table. Empty fields are left out (the key's default applies); whole numbers become
 * numbers, anything else stays text so that the schema names the key and says what it expected.
 */
export function redeemFromForm(form: Form): PostedRedeem {
	const type = text(form, 'type').trim()
	const values: RedeemValues = { type }
	for (const field of REDEEM_FIELDS) {
		if (REDEEM_TYPES.includes(type as RedeemType) && !field.types.includes(type as RedeemType)) continue
		const raw = text(form, field.key)
		if (field.kind === 'flag') {
			if (raw === 'on' || raw === 'true' || raw === '1') values[field.key] = true
			continue
		}
		const trimmed = raw.trim()
		if (trimmed === '') continue
		if (field.kind === 'integer') values[field.key] = /^[+-]?\d{1,15}$/.test(trimmed) ? Number(trimmed) : trimmed
		else if (field.kind === 'list') {
			const items = trimmed.split(',').map((item) => item.trim()).filter((item) => item !== '')
			if (items.length > 0) values[field.key] = items
		} else values[field.key] = field.kind === 'long-text' ? raw.replace(/\r\n/g, '\n').trim() : trimmed
	}
	return { name: text(form, 'name').trim(), previousName: text(form, 'previous_name').trim(), type, values }
}

/** A table from the file as the form's fields (text as typed). */
export function formFromTable(values: RedeemValues): Record<string, string> {
	const fields: Record<string, string> = {}
	for (const [key, value] of Object.entries(values)) {
		if (Array.isArray(value)) fields[key] = value.join(', ')
		else if (typeof value === 'boolean') fields[key] = value ? 'on' : ''
		else fields[key] = String(value)
	}
	return fields
}

/** The form's fields as posted, for showing the form again with an error. */
export function formFromPost(form: Form): Record<string, string> {
	const fields: Record<string, string> = {}
	for (const key of ['name', 'type', ...REDEEM_FIELDS.map((f) => f.key)]) fields[key] = text(form, key)
	return fields
}

/**
 * The field an error of the schema is about ("redeems.toml: redeems.hydrate.price: expected ..." is about price;
 * a message about the command name is about name), and the message without the file and table for showing under it.
 */
export function errorField(message: string): { key: string; text: string } | undefined {
	const match = /^[^:]*: redeems\.(?:"(?:[^"\\]|\\.)*"|[^.:\s]+)(?:\.([a-z_]+))?: (.*)$/s.exec(message)
	if (!match) return undefined
	const key = match[1] ?? 'name'
	const known = key === 'name' || key === 'type' || REDEEM_FIELDS.some((f) => f.key === key)
	return { key: known ? key : 'name', text: match[2] ?? message }
}

/** The redeem as redeems.toml spells its name (commands compare case-insensitively, a URL may differ in case). */
export const nameInFile = (tables: Readonly<Record<string, unknown>>, asked: string): string | undefined =>
	Object.keys(tables).find((name) => name.toLowerCase() === asked.toLowerCase())

export const isRedeemType = (type: string): type is RedeemType => (REDEEM_TYPES as readonly string[]).includes(type)
