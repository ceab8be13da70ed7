/** @jsxImportSource @kitajs/html */
// One viewer on the admin page: balance (and changing it), their redemptions, their points history, and their
// dashboard sign-ins with Sign out.
import type { ViewerSession } from '../src/modules/identity/store.ts'
import type { NamedRedemption } from '../src/modules/redemptions/queue.ts'
import type { LedgerRow, Viewer } from '../src/modules/viewers/store.ts'
import { AdminPage, AdminTable, Csrf, NoteCell, SessionsTable, Time, type Flash } from './admin.tsx'

const STATUS_WORDS: Record<NamedRedemption['status'], string> = {
	pending: 'pending',
	fulfilled: 'done',
	rejected: 'rejected (refunded)',
	cancelled: 'refunded'
}

const REASON_WORDS: Record<LedgerRow['reason'], string> = {
	starting: 'starting points',
	cycle: 'watching',
	redeem: 'redeemed',
	donation: 'donated to a goal',
	refund: 'refund',
	import: 'imported',
	moderator: 'changed by a moderator',
	bet: 'bet on a prediction',
	payout: 'won a prediction',
	bet_refund: 'prediction refunded',
	vote: 'voted in a poll',
	give: 'gift',
	bonus: 'bonus'
}

export function ViewerPage(props: {
	csrf: string
	flash: Flash | undefined
	viewer: Viewer
	redemptions: NamedRedemption[]
	history: LedgerRow[]
	sessions: ViewerSession[]
	/** The viewers search to go back to. */
	q: string
}): JSX.Element {
	const { csrf, viewer, q } = props
	const self = `/admin/viewers/${encodeURIComponent(viewer.id)}`
	return (
		<AdminPage title={viewer.displayName} tab="viewers" csrf={csrf} flash={props.flash} live>
			<p class="meta">
				<a href={q ? `/admin/viewers?${new URLSearchParams({ q })}` : '/admin/viewers'}>Back to the viewers</a>
				{' · id '}
				<code safe>{viewer.id}</code>
				{viewer.isModerator ? ' · moderator' : ''}
			</p>
			<p class="balance">
				Balance: <strong safe>{`${viewer.balance} points`}</strong>
			</p>
			<form method="post" action={`${self}/points`} class="row-form">
				<Csrf token={csrf} />
				<input type="hidden" name="q" value={q} />
				<input type="hidden" name="back" value="viewer" />
				<label for="adjust-mode">Change the balance</label>
				<select id="adjust-mode" name="mode">
					<option value="add">add</option>
					<option value="remove">remove</option>
					<option value="set">set to</option>
				</select>
				<input type="number" name="amount" min="0" max="1000000000" step="1" required aria-label="Points" />
				<button type="submit">Apply</button>
			</form>
			<h2>Redemptions</h2>
			{props.redemptions.length === 0 ? (
				<p class="empty">No redemptions yet.</p>
			) : (
				<AdminTable headers={['#', 'Time', 'Redeem', 'Cost', 'State', 'Note']}>
					{props.redemptions.map((r) => (
						<tr>
							<td class="num" data-label="Redemption" safe>{`#${r.id}`}</td>
							<td data-label="Time">
								<Time iso={r.createdAt} />
							</td>
							<td class="redeem" safe>
								{r.redeem}
							</td>
							<td class="num" data-label="Cost" safe>
								{String(r.cost)}
							</td>
							<td data-label="State" safe>
								{STATUS_WORDS[r.status]}
							</td>
							<NoteCell r={r} reasonLabel="Reason" />
						</tr>
					))}
				</AdminTable>
			)}
			<h2>Points history</h2>
			{props.history.length === 0 ? (
				<p class="empty">No points yet.</p>
			) : (
				<AdminTable headers={['Time', 'Change', 'Why']}>
					{props.history.map((row) => (
						<tr>
							<td data-label="Time">
								<Time iso={row.createdAt} />
							</td>
							<td class="num" data-label="Change" safe>
								{row.delta > 0 ? `+${row.delta}` : String(row.delta)}
							</td>
							<td data-label="Why" safe>
								{row.redeem ? `${REASON_WORDS[row.reason] ?? row.reason}: ${row.redeem}` : (REASON_WORDS[row.reason] ?? row.reason)}
							</td>
						</tr>
					))}
				</AdminTable>
			)}
			<h2>Dashboard sign-ins</h2>
			<SessionsTable csrf={csrf} viewer={viewer} sessions={props.sessions} q={q} back="viewer" />
		</AdminPage>
	)
}
