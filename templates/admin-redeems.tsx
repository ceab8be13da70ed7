/** @jsxImportSource @kitajs/html */
// The admin page's redeem editor: a form with every key redeems.toml accepts (create or edit one redeem), and the
// step that says what a rename or a delete does to pending redemptions and progress before it happens.
import { REDEEM_FIELDS, type RedeemField } from '../src/modules/admin/redeem-form.ts'
import { REDEEM_TYPES } from '../src/modules/settings/schema.ts'
import { AdminPage, Csrf, type Flash } from './admin.tsx'

const TYPE_WORDS: Record<(typeof REDEEM_TYPES)[number], string> = {
	list: 'list: goes to the queue',
	note: 'note: goes to the queue with a message',
	counter: 'counter: adds 1 to a tally',
	milestone: 'milestone: a community goal viewers donate to'
}

function Field(props: { field: RedeemField; value: string; error: string | undefined }): JSX.Element {
	const { field, value, error } = props
	const id = `f-${field.key}`
	const described = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ')
	const invalid = error ? 'true' : 'false'
	if (field.kind === 'flag') {
		return (
			<div class="field flag">
				<label for={id}>
					<input type="checkbox" id={id} name={field.key} checked={value === 'on' || value === 'true'} aria-describedby={described} aria-invalid={invalid} />
					<span safe>{field.label}</span>
				</label>
				<p class="hint" id={`${id}-hint`} safe>
					{field.hint}
				</p>
				{error ? <FieldError id={`${id}-error`} text={error} /> : ''}
			</div>
		)
	}
	return (
		<div class="field">
			<label for={id} safe>
				{field.label}
			</label>
			{field.kind === 'long-text' ? (
				<textarea id={id} name={field.key} rows="2" maxlength="1000" aria-describedby={described} aria-invalid={invalid} safe>
					{value}
				</textarea>
			) : (
				<input
					type="text"
					id={id}
					name={field.key}
					value={value}
					maxlength={field.kind === 'integer' ? '16' : '300'}
					inputmode={field.kind === 'integer' ? 'numeric' : undefined}
					aria-describedby={described}
					aria-invalid={invalid}
				/>
			)}
			<p class="hint" id={`${id}-hint`} safe>
				{field.hint}
			</p>
			{error ? <FieldError id={`${id}-error`} text={error} /> : ''}
		</div>
	)
}

function FieldError({ id, text }: { id: string; text: string }): JSX.Element {
	return (
		<p class="field-error" id={id} safe>
			{text}
		</p>
	)
}

export function RedeemEditorPage(props: {
	csrf: string
	flash: Flash | undefined
	/** The redeem's command before this edit; undefined for a new redeem. */
	editing: string | undefined
	/** The version of redeems.toml the form was filled from: saving refuses a file changed since. */
	version: string
	fields: Record<string, string>
	/** An error of the schema, under the field it is about (name, type or a key). */
	error: { key: string; text: string } | undefined
}): JSX.Element {
	const { fields, error } = props
	const errorFor = (key: string) => (error?.key === key ? error.text : undefined)
	const title = props.editing === undefined ? 'New redeem' : `Edit ${props.editing}`
	const action = props.editing === undefined ? '/admin/new-redeem' : `/admin/redeems/${encodeURIComponent(props.editing)}/edit`
	const type = fields.type || 'list'
	return (
		<AdminPage title={title} tab="redeems" csrf={props.csrf} flash={props.flash}>
			<p class="meta">
				Saved to redeems.toml, keeping its comments; the previous version is kept as redeems.toml.bak. The bot uses the change at once.{' '}
				<a href="/admin/redeems">Back to the redeems</a>
			</p>
			<form method="post" action={action} class="editor" novalidate>
				<Csrf token={props.csrf} />
				<input type="hidden" name="version" value={props.version} />
				{props.editing !== undefined ? <input type="hidden" name="previous_name" value={props.editing} /> : ''}
				<fieldset>
					<legend>Redeem</legend>
					<div class="field">
						<label for="f-name">Command</label>
						<input
							type="text"
							id="f-name"
							name="name"
							value={fields.name ?? ''}
							maxlength="64"
							required
							autocomplete="off"
							aria-describedby={`f-name-hint${errorFor('name') ? ' f-name-error' : ''}`}
							aria-invalid={errorFor('name') ? 'true' : 'false'}
						/>
						<p class="hint" id="f-name-hint">
							Viewers use it as !command (no spaces). Renaming keeps the old name's pending redemptions and progress under the old name.
						</p>
						{errorFor('name') ? <FieldError id="f-name-error" text={errorFor('name') as string} /> : ''}
					</div>
					<div class="field">
						<label for="f-type">Type</label>
						<select id="f-type" name="type" aria-invalid={errorFor('type') ? 'true' : 'false'} aria-describedby={errorFor('type') ? 'f-type-error' : undefined}>
							{REDEEM_TYPES.map((t) => (
								<option value={t} selected={t === type} safe>
									{TYPE_WORDS[t]}
								</option>
							))}
						</select>
						{errorFor('type') ? <FieldError id="f-type-error" text={errorFor('type') as string} /> : ''}
					</div>
					{REDEEM_FIELDS.slice(0, 5).map((field) => (
						<Field field={field} value={fields[field.key] ?? ''} error={errorFor(field.key)} />
					))}
				</fieldset>
				<fieldset>
					<legend>Limits (all optional)</legend>
					{REDEEM_FIELDS.slice(5).map((field) => (
						<Field field={field} value={fields[field.key] ?? ''} error={errorFor(field.key)} />
					))}
				</fieldset>
				<p class="actions">
					<button type="submit">{props.editing === undefined ? 'Create redeem' : 'Save changes'}</button>
					<a href="/admin/redeems">Cancel</a>
				</p>
			</form>
			{props.editing !== undefined ? (
				<form method="post" action={`/admin/redeems/${encodeURIComponent(props.editing)}/delete`} class="row-form">
					<Csrf token={props.csrf} />
					<input type="hidden" name="version" value={props.version} />
					<button type="submit" class="danger" safe>
						{`Delete ${props.editing}…`}
					</button>
				</form>
			) : (
				''
			)}
		</AdminPage>
	)
}

/** What a rename or delete leaves behind, said before it happens. */
export type RedeemImpact = { pending: number; progress: string | undefined }

/** The confirmation of a delete or a rename: what happens to pending redemptions and progress. */
export function RedeemChangeConfirmPage(props: {
	csrf: string
	kind: 'delete' | 'rename'
	name: string
	newName?: string
	impact: RedeemImpact
	/** The form to post again, with confirm=yes (the editor's fields for a rename). */
	action: string
	hidden: Record<string, string>
}): JSX.Element {
	const { impact } = props
	const title = props.kind === 'delete' ? `Delete ${props.name}?` : `Rename ${props.name} to ${props.newName}?`
	const kept: string[] = []
	if (impact.pending > 0) {
		kept.push(
			`${impact.pending} pending redemption${impact.pending === 1 ? '' : 's'} of ${props.name} stay in the queue under that name, marked archived; they can still be marked done, rejected or refunded.`
		)
	}
	if (impact.progress) kept.push(`Its ${impact.progress} is kept under ${props.name} and listed as archived on the Redeems tab.`)
	if (props.kind === 'rename') kept.push(`${props.newName} starts with nothing of its own; viewers use !${props.newName} from now on.`)
	if (props.kind === 'delete') kept.push(`Viewers can no longer use !${props.name}. Redemptions already made stay in the history.`)
	return (
		<AdminPage title={title} tab="redeems" csrf={props.csrf} flash={undefined}>
			<form method="post" action={props.action} class="card confirm">
				<Csrf token={props.csrf} />
				{Object.entries(props.hidden).map(([name, value]) => (
					<input type="hidden" name={name} value={value} />
				))}
				<input type="hidden" name="confirm" value="yes" />
				<ul class="confirm-list">
					{kept.map((line) => (
						<li safe>{line}</li>
					))}
				</ul>
				<p class="row-form">
					<button type="submit" class="danger" safe>
						{props.kind === 'delete' ? `Yes, delete ${props.name}` : `Yes, rename to ${props.newName}`}
					</button>
					<a href="/admin/redeems">Cancel</a>
				</p>
			</form>
		</AdminPage>
	)
}
