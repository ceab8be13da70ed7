// What the admin page's redeem editor sees of redeems.toml, and what it asks for: the types only. The editing itself
// (keeping comments, validating, writing atomically with a .bak) is src/config/redeems-edit.ts, handed to the admin
// routes by the composition root.

/** One [redeems.<name>] table's keys, already typed. */
export type RedeemValues = Record<string, string | number | boolean | string[]>
export type RedeemsFile = { text: string; version: string; tables: Record<string, RedeemValues> }
export type RedeemEdit =
	| { kind: 'save'; name: string; previousName?: string; values: RedeemValues } // create (no previousName), edit (same name), or rename (previousName differs)
	| { kind: 'delete'; name: string }
export type EditResult =
	| { ok: true; version: string }
	| { ok: false; reason: 'conflict' } // the file changed on disk since `version` was read
	| { ok: false; reason: 'invalid'; message: string } // the result would not load: the ConfigError text of parseRedeems, naming file and key; nothing written
	| { ok: false; reason: 'exists'; message: string } // create/rename onto a name another redeem already has (case-insensitive)
	| { ok: false; reason: 'missing'; message: string } // edit/delete/rename of a redeem that is not in the file

/** redeems.toml as the editor reads and writes it. */
export type RedeemsFileAccess = {
	read(): RedeemsFile
	/** Saves an edit made to the version read; a saved edit is in force when this returns (the settings reloaded). */
	save(version: string, edit: RedeemEdit): EditResult
}
