/** @jsxImportSource @kitajs/html */
// The admin page's redeems: where each stands (paused, stock, milestones, categories) and the editor that writes
// redeems.toml (new, edit, rename, delete; comment-keeping, with a version check and a .bak).
import { RedeemsPage, type RedeemRow, type Flash } from '../../../templates/admin.tsx'
import { RedeemChangeConfirmPage, RedeemEditorPage, type RedeemImpact } from '../../../templates/admin-redeems.tsx'
import { findCategory, findRedeem, isRedeemActive, redeemCategories } from '../redeems/model.ts'
import type { RedeemEdit } from '../redeems/file.ts'
import { errorField, formFromPost, formFromTable, nameInFile, redeemFromForm } from './redeem-form.ts'
import { csrfToken, type Session } from './auth.ts'
import { type AdminContext, type Form, type ResponseSet, first, page } from './context.tsx'

const CONFLICT =
	'redeems.toml was changed on disk since this page was loaded (by hand or in another tab); nothing was saved. The form shows your changes: check them and save again to apply them to the file as it is now.'

/** The Redeems tab and the redeem editor. */
export function redeemRoutes(ctx: AdminContext) {
	const { deps, secret, redirectWith, takeFlash, pageBasics } = ctx
	/** Back to the Redeems tab: the redeem is not (or no longer) in redeems.toml. */
	const noRedeemInFile = (set: ResponseSet, asked: string) =>
		redirectWith(set, '/admin/redeems', { kind: 'error', text: `There is no redeem called ${asked.slice(0, 64)} in redeems.toml.` })


	function editorPage(
		set: ResponseSet,
		session: Session,
		status: number,
		editing: string | undefined,
		version: string,
		fields: Record<string, string>,
		error: { key: string; text: string } | undefined,
		flash: Flash | undefined
	) {
		return page(
			set,
			status,
			<RedeemEditorPage csrf={csrfToken(secret(), session)} flash={flash} editing={editing} version={version} fields={fields} error={error} />
		)
	}

	/** What a rename or delete leaves behind under the old name: pending redemptions, a counter's count, a milestone's progress. */
	function impactOf(name: string): RedeemImpact {
		const counter = deps.redeemState.counter(name)
		const milestone = deps.redeemState.milestone(name)
		const progress = counter && counter.count > 0 ? `count of ${counter.count}` : milestone && milestone.progress > 0 ? `progress of ${milestone.progress}/${milestone.goal}` : undefined
		return { pending: deps.queue.pendingMatchingCount({ redeem: name }), progress }
	}

	/** Creates (editing undefined) or saves a redeem from the editor's form; a rename asks first. */
	function saveRedeem(set: ResponseSet, session: Session, actor: string, asked: string | undefined, form: Form) {
		// The redeem as redeems.toml spells it (the URL may differ in case); gone since the page loaded: said so.
		const editing = asked === undefined ? undefined : nameInFile(deps.redeemsFile.read().tables, asked)
		if (asked !== undefined && editing === undefined) {
			return redirectWith(set, '/admin/redeems', { kind: 'error', text: `There is no redeem called ${asked.slice(0, 64)} in redeems.toml; nothing was saved.` })
		}
		const posted = redeemFromForm(form)
		const version = first(form.version) ?? ''
		const again = (status: number, error: { key: string; text: string } | undefined, flash: Flash | undefined, at = version) =>
			editorPage(set, session, status, editing, at, formFromPost(form), error, flash)
		if (posted.name === '') return again(422, { key: 'name', text: 'Give the redeem a command name.' }, { kind: 'error', text: 'Nothing was saved: the command name is missing.' })
		const renamed = editing !== undefined && posted.name.toLowerCase() !== editing.toLowerCase()
		if (renamed && first(form.confirm) !== 'yes') {
			const hidden: Record<string, string> = {}
			for (const [key, value] of Object.entries(form)) if (key !== 'csrf' && key !== 'confirm' && typeof value === 'string') hidden[key] = value
			return page(
				set,
				200,
				<RedeemChangeConfirmPage
					csrf={csrfToken(secret(), session)}
					kind="rename"
					name={editing}
					newName={posted.name}
					impact={impactOf(editing)}
					action={`/admin/redeems/${encodeURIComponent(editing)}/edit`}
					hidden={hidden}
				/>
			)
		}
		const edit: RedeemEdit = { kind: 'save', name: posted.name, values: posted.values, ...(editing !== undefined ? { previousName: editing } : {}) }
		const result = deps.redeemsFile.save(version, edit)
		if (!result.ok) {
			if (result.reason === 'conflict') return again(409, undefined, { kind: 'error', text: CONFLICT }, deps.redeemsFile.read().version)
			const error = errorField(result.message) ?? { key: result.reason === 'exists' ? 'name' : 'name', text: result.message }
			return again(422, error, { kind: 'error', text: `Nothing was saved: ${result.message}` })
		}
		const what = editing === undefined ? 'created' : renamed ? `renamed from ${editing}` : 'saved'
		deps.moderation.audit(actor, editing === undefined ? 'redeem created' : renamed ? 'redeem renamed' : 'redeem edited', `${posted.name}: ${what}`, deps.clock())
		deps.log.info(`admin page: redeem ${posted.name} ${what} in redeems.toml`)
		return redirectWith(set, '/admin/redeems', {
			kind: 'ok',
			text: `${posted.name} is ${what}; viewers can use !${posted.name} now. redeems.toml is saved (the previous version is redeems.toml.bak).`
		})
	}

	return ctx
		.guarded()
		.get('/admin/redeems', ({ headers, session, query, set }) => {
			const { redeems } = deps.settings()
			const paused = new Set(deps.moderation.pausedRedeems().map((n) => n.toLowerCase()))
			const active = deps.moderation.activeCategories()
			const rows: RedeemRow[] = redeems.map((r) => {
				const controls = deps.redeemState.controls(r.name)
				const milestone = r.type === 'milestone' ? deps.redeemState.milestone(r.name) : undefined
				return {
					name: r.name,
					title: r.title ?? r.name,
					type: r.type,
					cost: r.type === 'milestone' ? `goal ${r.goal}` : `${r.price}`,
					categories: r.categories,
					active: isRedeemActive(r, active),
					paused: paused.has(r.name.toLowerCase()),
					stock: r.limits.stock !== undefined ? `${Math.max(0, r.limits.stock - controls.stockUsed)} of ${r.limits.stock} left` : undefined,
					milestone: milestone ? { progress: milestone.progress, goal: milestone.goal, completed: milestone.completed } : undefined
				}
			})
			const activeNames = new Set(active.map((c) => c.toLowerCase()))
			const categories = redeemCategories(redeems).map((name) => ({ name, on: activeNames.has(name.toLowerCase()) }))
			const gone = (name: string) => !findRedeem(redeems, name)
			const archived = [
				...deps.redeemState.counters().filter((c) => gone(c.name)).map((c) => ({ name: c.name, kind: 'counter' as const, value: `count ${c.count}` })),
				...deps.redeemState
					.milestones()
					.filter((m) => gone(m.name))
					.map((m) => ({ name: m.name, kind: 'milestone' as const, value: `${m.progress}/${m.goal}${m.completed ? ', complete' : ''}` }))
			]
			return page(
				set,
				200,
				<RedeemsPage
					{...pageBasics(session, headers, set)}
					redeems={rows}
					categories={categories}
					archived={archived}
				/>
			)
		})
		.get('/admin/new-redeem', ({ headers, session, set }) =>
			editorPage(set, session as Session, 200, undefined, deps.redeemsFile.read().version, { type: 'list' }, undefined, takeFlash(headers, set))
		)
		.post('/admin/new-redeem', ({ actor, session, body, set }) => saveRedeem(set, session as Session, actor, undefined, (body ?? {}) as Form))
		.get('/admin/redeems/:name/edit', ({ headers, params, session, set }) => {
			const file = deps.redeemsFile.read()
			const name = nameInFile(file.tables, params.name)
			if (name === undefined) return noRedeemInFile(set, params.name)
			const fields = { name, ...formFromTable(file.tables[name] ?? {}) }
			return editorPage(set, session as Session, 200, name, file.version, fields, undefined, takeFlash(headers, set))
		})
		.post('/admin/redeems/:name/edit', ({ actor, params, session, body, set }) =>
			saveRedeem(set, session as Session, actor, params.name, (body ?? {}) as Form)
		)
		.post('/admin/redeems/:name/delete', ({ actor, params, session, body, set }) => {
			const form = (body ?? {}) as Form
			const file = deps.redeemsFile.read()
			const name = nameInFile(file.tables, params.name)
			if (name === undefined) return noRedeemInFile(set, params.name)
			const version = first(form.version) ?? ''
			if (first(form.confirm) !== 'yes') {
				return page(
					set,
					200,
					<RedeemChangeConfirmPage
						csrf={csrfToken(secret(), session as Session)}
						kind="delete"
						name={name}
						impact={impactOf(name)}
						action={`/admin/redeems/${encodeURIComponent(name)}/delete`}
						hidden={{ version }}
					/>
				)
			}
			const result = deps.redeemsFile.save(version, { kind: 'delete', name })
			if (!result.ok) {
				const text = result.reason === 'conflict' ? CONFLICT : result.message
				return redirectWith(set, `/admin/redeems/${encodeURIComponent(name)}/edit`, { kind: 'error', text })
			}
			deps.moderation.audit(actor, 'redeem deleted', `${name}: removed from redeems.toml`, deps.clock())
			deps.log.info(`admin page: deleted the redeem ${name} from redeems.toml`)
			return redirectWith(set, '/admin/redeems', { kind: 'ok', text: `${name} is deleted; redeems.toml is saved (the previous version is redeems.toml.bak).` })
		})
		.post('/admin/redeems/:name', ({ actor, params, body, set }) => {
			const back = (flash: Flash) => redirectWith(set, '/admin/redeems', flash)
			const redeem = findRedeem(deps.settings().redeems, params.name)
			if (!redeem) return back({ kind: 'error', text: `There is no redeem called ${params.name.slice(0, 64)}.` })
			const form = (body ?? {}) as Form
			const now = deps.clock()
			switch (first(form.action)) {
				case 'pause':
				case 'resume': {
					const pause = first(form.action) === 'pause'
					deps.moderation.setPaused(redeem.name, pause, actor, now)
					return back({ kind: 'ok', text: `${redeem.name} is ${pause ? 'paused' : 'back'}.` })
				}
				case 'restock':
					deps.moderation.restock(redeem.name, actor, now)
					return back({ kind: 'ok', text: `${redeem.name} is restocked.` })
				case 'reset': {
					if (redeem.type !== 'milestone') return back({ kind: 'error', text: `${redeem.name} is not a milestone.` })
					const result = deps.moderation.resetCompletedMilestone(redeem.name, actor, now)
					if (result === 'reset') return back({ kind: 'ok', text: `${redeem.name} starts again from 0.` })
					if (result === 'missing') return back({ kind: 'error', text: `${redeem.name} is not in the database yet; run tlapbot init-db.` })
					return back({ kind: 'error', text: `${redeem.name} is not complete (${result.progress}/${result.goal}); nothing changed.` })
				}
				case 'hard_reset': {
					if (redeem.type !== 'milestone') return back({ kind: 'error', text: `${redeem.name} is not a milestone.` })
					// The in-page confirmation: a reset of progress that was not completed loses the donations' effect.
					if (first(form.confirm) !== 'yes') return back({ kind: 'error', text: `Tick "I am sure" to reset ${redeem.name}; nothing changed.` })
					if (!deps.moderation.hardResetMilestone(redeem.name, actor, now)) {
						return back({ kind: 'error', text: `${redeem.name} is not in the database yet; run tlapbot init-db.` })
					}
					return back({ kind: 'ok', text: `${redeem.name} is back to 0.` })
				}
				default:
					return back({ kind: 'error', text: 'Choose pause, resume, restock or a reset.' })
			}
		})
		.post('/admin/categories/:name', ({ actor, params, body, set }) => {
			const back = (flash: Flash) => redirectWith(set, '/admin/redeems', flash)
			const category = findCategory(deps.settings().redeems, params.name)
			if (!category) return back({ kind: 'error', text: `No redeem is in the category ${params.name.slice(0, 64)}.` })
			const on = first(((body ?? {}) as Form).on) === '1'
			deps.moderation.setCategory(category, on, actor, deps.clock())
			return back({ kind: 'ok', text: `Category ${category} is ${on ? 'on' : 'off'}.` })
		})
}
