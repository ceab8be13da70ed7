/** @jsxImportSource @kitajs/html */
// The streamer's admin page: login, the pending queue, viewers and balances (and their dashboard sign-ins),
// integrations (outgoing webhooks, overlay URLs), the audit log. Plain HTML forms, no script: every action is a
// POST with the session's CSRF token, answered by a redirect back.
import type { PropsWithChildren } from '@kitajs/html'
import type { AuditEntry } from '../src/modules/audit/store.ts'
import type { DeliveryView, ReceiverView } from '../src/modules/events/outbox.ts'
import { EVENT_NAMES, type DeliveryStatus } from '../src/modules/events/store.ts'
import type { OverlayUrl } from '../src/modules/overlays/urls.ts'
import type { ViewerSession } from '../src/modules/identity/store.ts'
import type { NamedRedemption as RedemptionRow } from '../src/modules/redemptions/queue.ts'
import type { ViewerSummary } from '../src/modules/viewers/store.ts'
import { Layout } from './layout.tsx'

export type AdminTab = 'queue' | 'redeems' | 'economy' | 'viewers' | 'integrations' | 'audit'
export type Flash = { kind: 'ok' | 'error'; text: string }

const TABS: { tab: AdminTab; href: string; title: string }[] = [
	{ tab: 'queue', href: '/admin', title: 'Queue' },
	{ tab: 'redeems', href: '/admin/redeems', title: 'Redeems' },
	{ tab: 'economy', href: '/admin/economy', title: 'Predictions & polls' },
	{ tab: 'viewers', href: '/admin/viewers', title: 'Viewers' },
	{ tab: 'integrations', href: '/admin/integrations', title: 'Integrations' },
	{ tab: 'audit', href: '/admin/audit', title: 'Audit log' }
]

export function Time({ iso }: { iso: string }): JSX.Element {
	return (
		<time datetime={iso} safe>
			{`${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`}
		</time>
	)
}

/** An admin page's table: its header cells, then its rows. */
export function AdminTable({ class: className, headers, children }: PropsWithChildren<{ class?: string; headers: readonly string[] }>): JSX.Element {
	return (
		<table class={className ? `admin-table ${className}` : 'admin-table'}>
			<thead>
				<tr>
					{headers.map((header) => (
						<th safe>{header}</th>
					))}
				</tr>
			</thead>
			<tbody>{children}</tbody>
		</table>
	)
}

export function Csrf({ token }: { token: string }): JSX.Element {
	return <input type="hidden" name="csrf" value={token} />
}

function FlashBox({ flash }: { flash: Flash | undefined }): JSX.Element {
	if (!flash) return ''
	return (
		<p class={`flash flash-${flash.kind}`} role={flash.kind === 'error' ? 'alert' : 'status'} safe>
			{flash.text}
		</p>
	)
}

export function AdminLayout({ title, live, bodyClass, children }: PropsWithChildren<{ title: string; live?: boolean; bodyClass?: string }>): JSX.Element {
	return (
		<Layout
			title={`${title} · tlapbot admin`}
			stylesheets={['/admin/assets/admin.css']}
			script={false}
			scripts={live ? ['/admin/assets/admin.js'] : []}
			noindex
			bodyClass={bodyClass ?? 'admin'}
		>
			{children}
		</Layout>
	)
}

function ReasonInput({ id }: { id: number }): JSX.Element {
	return <input type="text" name="reason" maxlength="200" placeholder="Reason (optional)" aria-label={`Reason for #${id}`} />
}

/** Redemptions with a form of action buttons on each row; with `select`, a checkbox for the bulk form too. */
function RedemptionTable(props: {
	rows: RedemptionRow[]
	csrf: string
	actions: (r: RedemptionRow) => JSX.Element
	/** Where the row forms lead back to (the queue with its filters, or the dock). */
	back: string
	select?: boolean
	/** Redeems that are no longer in redeems.toml (their entries show as archived). */
	archived?: (redeem: string) => boolean
}): JSX.Element {
	return (
		<table class="admin-table">
			<thead>
				<tr>
					{props.select ? (
						<th>
							<span class="visually-hidden">Select</span>
						</th>
					) : (
						''
					)}
					<th>#</th>
					<th>Time</th>
					<th>Redeem</th>
					<th>Viewer</th>
					<th>Note</th>
					<th>Action</th>
				</tr>
			</thead>
			<tbody>
				{props.rows.map((r) => (
					<tr data-id={String(r.id)}>
						{props.select ? (
							<td class="select">
								<input type="checkbox" name="ids" value={String(r.id)} form="bulk" aria-label={`Select #${r.id}`} />
							</td>
						) : (
							''
						)}
						<RedemptionCells r={r} archived={props.archived?.(r.redeem) ?? false} />
						<td>
							<form method="post" action={`/admin/redemptions/${r.id}`} class="row-form">
								<Csrf token={props.csrf} />
								<input type="hidden" name="back" value={props.back} />
								{props.actions(r)}
							</form>
						</td>
					</tr>
				))}
			</tbody>
		</table>
	)
}

/** The page of a logged-in admin: tabs, the logout buttons, the flash message, the content. */
export function AdminPage({
	title,
	tab,
	csrf,
	flash,
	live,
	children
}: PropsWithChildren<{ title: string; tab: AdminTab; csrf: string; flash: Flash | undefined; live?: boolean }>): JSX.Element {
	return (
		<AdminLayout title={title} live={live ?? false}>
			<header class="admin-header">
				<nav class="tabs" aria-label="Admin sections">
					{TABS.map((t) => (
						<a href={t.href} class={t.tab === tab ? 'tab current' : 'tab'} aria-current={t.tab === tab ? 'page' : 'false'} safe>
							{t.title}
						</a>
					))}
				</nav>
				<form method="post" action="/admin/logout" class="logout">
					<Csrf token={csrf} />
					<button type="submit">Log out</button>
				</form>
				<form method="post" action="/admin/logout-everywhere" class="logout">
					<Csrf token={csrf} />
					<button type="submit" title="Ends every admin session, in every browser">
						Log out everywhere
					</button>
				</form>
			</header>
			<main>
				<h1 safe>{title}</h1>
				{live ? <LiveControls /> : ''}
				<FlashBox flash={flash} />
				{live ? <div class="live-region">{children}</div> : children}
			</main>
		</AdminLayout>
	)
}

/**
 * Live updates (admin.js): new redemptions and changes appear without a reload. Hidden until the script runs;
 * the sound and the browser notification are switched on by the person at this screen and remembered in this browser.
 */
function LiveControls(): JSX.Element {
	return (
		<p class="live-controls" hidden data-events={EVENT_NAMES.join(' ')}>
			<span class="live-state" role="status" aria-live="polite">
				Connecting…
			</span>
			<label>
				<input type="checkbox" class="live-sound" /> Sound for new redemptions
			</label>
			<label>
				<input type="checkbox" class="live-notify" /> Browser notification
			</label>
		</p>
	)
}

// --- Login ---------------------------------------------------------------------------------------------

export function LoginPage({ passwordSet, flash }: { passwordSet: boolean; flash?: Flash | undefined }): JSX.Element {
	// Moderators sign in from chat (below the password form) whether or not a password is set.
	return (
		<AdminLayout title="Log in">
			<main class="login">
				<h1>tlapbot admin</h1>
				<FlashBox flash={flash} />
				{passwordSet ? (
					<form method="post" action="/admin/login" class="card">
						<label for="password">Password</label>
						<input type="password" id="password" name="password" autocomplete="current-password" required autofocus />
						<button type="submit">Log in</button>
					</form>
				) : (
					<div class="card">
						<p>No admin password is set, so the admin page can only be opened with a one-time link.</p>
						<ul>
							<li>
								Set <code>admin_password</code> in the instance's <code>config.toml</code> (at least 8 characters; better, a hash: run{' '}
								<code>tlapbot hash-password</code> on the server and paste the line it prints); a running bot picks it up when the file is saved, or
							</li>
							<li>
								run <code>tlapbot admin-link</code> on the server: it prints a link that logs you in once, within 15 minutes.
							</li>
						</ul>
					</div>
				)}
				<form method="post" action="/admin/login/chat" class="card chat-login-start">
					<h2>Moderators</h2>
					<p>Sign in with a code you type in the Owncast chat, as a moderator: no password needed.</p>
					<button type="submit">Get a code</button>
				</form>
			</main>
		</AdminLayout>
	)
}

/** The code a moderator types in chat; the page continues by itself (admin.js) or with the button. */
export function ChatLoginPage({ code, command, flash }: { code: string; command: string; flash?: Flash | undefined }): JSX.Element {
	return (
		<AdminLayout title="Sign in from chat" live>
			<main class="login">
				<h1>Sign in from chat</h1>
				<FlashBox flash={flash} />
				<div class="card chat-login" data-poll="/admin/login/chat/status">
					<p>In the Owncast chat, as a moderator, send:</p>
					<p class="chat-code">
						<code safe>{`${command} ${code}`}</code>
					</p>
					<p class="muted">The code works once, for 5 minutes, and only for a moderator. This page goes on by itself once it is typed.</p>
					<p class="chat-login-state" role="status" aria-live="polite"></p>
					<form method="post" action="/admin/login/chat/collect" class="row-form">
						<button type="submit">Continue</button>
						<a href="/admin/login">Back</a>
					</form>
				</div>
			</main>
		</AdminLayout>
	)
}

/** GET with a one-time token: a button, so that link previews in chat apps do not use the link up. */
export function LinkConfirmPage({ token }: { token: string }): JSX.Element {
	return (
		<AdminLayout title="Log in">
			<main class="login">
				<h1>tlapbot admin</h1>
				<form method="post" action="/admin/login" class="card">
					<p>This one-time link logs you in to the admin page. It works only once.</p>
					<input type="hidden" name="token" value={token} />
					<button type="submit">Log in</button>
				</form>
			</main>
		</AdminLayout>
	)
}

/** A page with one message: refused links, wrong passwords, bad forms, unknown pages. */
export function MessagePage({ title, text, loginLink }: { title: string; text: string; loginLink?: boolean }): JSX.Element {
	return (
		<AdminLayout title={title}>
			<main class="login">
				<h1 safe>{title}</h1>
				<p class="card" safe>
					{text}
				</p>
				<p>
					<a href={loginLink ? '/admin/login' : '/admin'}>{loginLink ? 'Go to the login page' : 'Back to the admin page'}</a>
				</p>
			</main>
		</AdminLayout>
	)
}

// --- Queue -----------------------------------------------------------------------------------------------

function RedemptionCells({ r, archived }: { r: RedemptionRow; archived: boolean }): JSX.Element {
	return (
		<>
			<td class="num" data-label="Redemption" safe>{`#${r.id}`}</td>
			<td data-label="Time">
				<Time iso={r.createdAt} />
			</td>
			<td class="redeem">
				<span safe>{r.redeem}</span>
				{archived ? (
					<span class="archived" title="This redeem is no longer in redeems.toml">
						archived
					</span>
				) : (
					''
				)}
			</td>
			<td>
				<span class="viewer" safe>
					{r.viewerName}
				</span>
				<Source source={r.source} />
			</td>
			<NoteCell r={r} reasonLabel={REASON_WORDS[r.status]} />
		</>
	)
}

/** A redemption's note, and under it a moderator's reason with its label ("Rejected: not today"). */
export function NoteCell({ r, reasonLabel }: { r: Pick<RedemptionRow, 'note' | 'reason'>; reasonLabel: string }): JSX.Element {
	return (
		<td class="note">
			{r.note ? <span safe>{r.note}</span> : ''}
			{r.reason ? (
				<span class="reason" safe>
					{`${reasonLabel}: ${r.reason}`}
				</span>
			) : (
				''
			)}
		</td>
	)
}

const SOURCES: Record<RedemptionRow['source'], { text: string; title: string }> = {
	chat: { text: 'via chat', title: 'Redeemed with a chat command' },
	page: { text: 'via page', title: 'Redeemed on the dashboard page by a signed-in viewer' }
}

/** Where a redemption came from, under the viewer's name. */
function Source({ source }: { source: RedemptionRow['source'] }): JSX.Element {
	const s = SOURCES[source] ?? SOURCES.chat
	return (
		<span class={`source source-${source === 'page' ? 'page' : 'chat'}`} title={s.title} safe>
			{s.text}
		</span>
	)
}

/** How a moderator's reason is labelled, by what they did. */
const REASON_WORDS: Record<RedemptionRow['status'], string> = {
	pending: 'Reason',
	fulfilled: 'Reason',
	rejected: 'Rejected',
	cancelled: 'Refunded'
}

/** The queue's filters, as typed; empty for none. */
export type QueueFilter = { redeem: string; viewer: string }

/** The queue's URL with its filters (and a page), for links and for the forms to come back to. */
export function queueHref(filter: QueueFilter, after?: number): string {
	const query = new URLSearchParams()
	if (filter.redeem) query.set('redeem', filter.redeem)
	if (filter.viewer) query.set('viewer', filter.viewer)
	if (after !== undefined) query.set('after', String(after))
	const text = query.toString()
	return text ? `/admin?${text}` : '/admin'
}

export function QueuePage(props: {
	csrf: string
	flash: Flash | undefined
	pending: RedemptionRow[]
	/** How many are pending in all, or match the filters (the page shows at most 200). */
	pendingTotal: number
	/** The id to continue after, when more pending entries follow this page. */
	nextAfter: number | undefined
	/** This page does not start at the oldest pending entry. */
	paged: boolean
	fulfilled: RedemptionRow[]
	filter: QueueFilter
	/** The redeems that go to the queue (list and note), for the filter. */
	redeemNames: string[]
	archived: (redeem: string) => boolean
	/** This page as it is (filters, page): where its forms lead back to. */
	self: string
}): JSX.Element {
	const { csrf, pending, fulfilled, filter } = props
	const filtered = filter.redeem !== '' || filter.viewer !== ''
	const names = filter.redeem && !props.redeemNames.some((n) => n.toLowerCase() === filter.redeem.toLowerCase()) ? [...props.redeemNames, filter.redeem] : props.redeemNames
	return (
		<AdminPage title="Pending redeems" tab="queue" csrf={csrf} flash={props.flash} live>
			<form method="get" action="/admin" class="search filters" role="search" aria-label="Filter the queue">
				<label for="filter-redeem">Redeem</label>
				<select id="filter-redeem" name="redeem">
					<option value="">All redeems</option>
					{names.map((name) => (
						<option value={name} selected={name.toLowerCase() === filter.redeem.toLowerCase()} safe>
							{name}
						</option>
					))}
				</select>
				<label for="filter-viewer">Viewer</label>
				<input type="search" id="filter-viewer" name="viewer" value={filter.viewer} maxlength="100" placeholder="Name or id" />
				<button type="submit">Filter</button>
				{filtered ? <a href="/admin">Show all</a> : ''}
			</form>
			{props.pendingTotal > pending.length || props.paged || filtered ? (
				<p class="queue-count" safe>
					{`${props.pendingTotal} pending${filtered ? ' match the filter' : ' in all'}${props.pendingTotal > pending.length || props.paged ? `; this page shows ${pending.length}${props.paged ? ', not starting at the oldest' : ', the oldest first'}` : ''}.`}
				</p>
			) : (
				''
			)}
			{pending.length === 0 ? (
				<p class="empty">{filtered ? 'Nothing pending matches the filter.' : 'Nothing is waiting.'}</p>
			) : (
				<>
					<form method="post" action="/admin/redemptions/bulk" id="bulk" class="row-form bulk" aria-label="Selected redemptions">
						<Csrf token={csrf} />
						<input type="hidden" name="back" value={props.self} />
						<span>Selected:</span>
						<button type="submit" name="action" value="done">
							Mark done
						</button>
						<input type="text" name="reason" maxlength="200" placeholder="Reason (optional)" aria-label="Reason for the selected" />
						<button type="submit" name="action" value="reject" class="danger">
							Reject and refund
						</button>
					</form>
					<RedemptionTable
						rows={pending}
						csrf={csrf}
						back={props.self}
						select
						archived={props.archived}
						actions={(r) => (
							<>
								<button type="submit" name="action" value="done">
									Done
								</button>
								<ReasonInput id={r.id} />
								<button type="submit" name="action" value="reject" class="danger">
									Reject
								</button>
							</>
						)}
					/>
				</>
			)}
			{props.nextAfter !== undefined || props.paged ? (
				<p class="pager">
					{props.paged ? <a href={queueHref(filter)}>Oldest pending</a> : ''}
					{props.paged && props.nextAfter !== undefined ? ' · ' : ''}
					{props.nextAfter !== undefined ? <a href={queueHref(filter, props.nextAfter)}>Next {200} pending</a> : ''}
				</p>
			) : (
				''
			)}
			<h2>Recently done</h2>
			{fulfilled.length === 0 ? (
				<p class="empty">No redeems were marked done lately.</p>
			) : (
				<RedemptionTable
					rows={fulfilled}
					csrf={csrf}
					back={props.self}
					archived={props.archived}
					actions={(r) => (
						<>
							<button type="submit" name="action" value="reopen" title="Back to the pending queue">
								Reopen
							</button>
							<ReasonInput id={r.id} />
							<button type="submit" name="action" value="refund" class="danger" safe>
								{`Refund ${r.cost}`}
							</button>
						</>
					)}
				/>
			)}
		</AdminPage>
	)
}

/** What a reject or refund will do, asked in the page (docks may block confirm()): the button does it. */
export function ConfirmPage(props: {
	csrf: string
	action: 'reject' | 'refund'
	/** The redemptions it applies to (only those it can change). */
	rows: RedemptionRow[]
	/** Ids it cannot change (already resolved, unknown), said before it happens. */
	skipped: string[]
	reason: string
	back: string
	/** One redemption's own form, or the bulk form. */
	bulk: boolean
	dock?: boolean
}): JSX.Element {
	const points = props.rows.reduce((sum, r) => sum + r.cost, 0)
	const verb = props.action === 'reject' ? 'Reject' : 'Refund'
	const count = props.rows.length === 1 ? `#${props.rows[0]?.id}` : `${props.rows.length} redemptions`
	const body = (
		<main class={props.dock ? 'dock' : 'login'}>
			<h1 safe>{`${verb} ${count}?`}</h1>
			<form method="post" action={props.bulk ? '/admin/redemptions/bulk' : `/admin/redemptions/${props.rows[0]?.id ?? 0}`} class="card confirm">
				<Csrf token={props.csrf} />
				<input type="hidden" name="back" value={props.back} />
				<input type="hidden" name="action" value={props.action} />
				<input type="hidden" name="confirm" value="yes" />
				{props.bulk ? props.rows.map((r) => <input type="hidden" name="ids" value={String(r.id)} />) : ''}
				<ul class="confirm-list">
					{props.rows.map((r) => (
						<li safe>{`#${r.id} ${r.redeem} by ${r.viewerName}: ${r.cost} point${r.cost === 1 ? '' : 's'} back`}</li>
					))}
				</ul>
				{props.skipped.length > 0 ? (
					<p class="muted" safe>{`Left as they are (already resolved or not found): ${props.skipped.join(', ')}.`}</p>
				) : (
					''
				)}
				<p safe>{`In all ${points} point${points === 1 ? '' : 's'} go back to the viewers, each once.`}</p>
				<label for="confirm-reason">Reason (optional, shown to the viewer)</label>
				<textarea id="confirm-reason" name="reason" maxlength="200" rows="2" safe>
					{props.reason}
				</textarea>
				<p class="row-form">
					<button type="submit" class="danger" safe>
						{`Yes, ${verb.toLowerCase()} ${count}`}
					</button>
					<a href={props.back}>Cancel</a>
				</p>
			</form>
		</main>
	)
	return (
		<AdminLayout title={`${verb}?`} bodyClass={props.dock ? 'admin dock' : 'admin'}>
			{body}
		</AdminLayout>
	)
}

/**
 * /admin/dock: for an OBS custom browser dock (about 300 px wide): the pending redemptions, oldest first, with
 * Done and Reject, nothing else. Live like the queue.
 */
export function DockPage(props: { csrf: string; flash: Flash | undefined; pending: RedemptionRow[]; pendingTotal: number }): JSX.Element {
	return (
		<AdminLayout title="Dock" live bodyClass="admin dock">
			<main>
				<h1 class="visually-hidden">Pending redeems</h1>
				<LiveControls />
				<FlashBox flash={props.flash} />
				<div class="live-region">
					<p class="dock-count" safe>
						{props.pendingTotal === 0 ? 'Nothing is waiting.' : `${props.pendingTotal} pending${props.pendingTotal > props.pending.length ? `, the oldest ${props.pending.length} shown` : ''}`}
					</p>
					<ol class="dock-list">
						{props.pending.map((r) => (
							<li data-id={String(r.id)}>
								<p class="dock-head">
									<span class="redeem" safe>
										{r.redeem}
									</span>{' '}
									<span class="viewer" safe>
										{r.viewerName}
									</span>{' '}
									<span class="muted" safe>{`#${r.id}`}</span> <Time iso={r.createdAt} />
								</p>
								{r.note ? (
									<p class="note" safe>
										{r.note}
									</p>
								) : (
									''
								)}
								<form method="post" action={`/admin/redemptions/${r.id}`} class="row-form">
									<Csrf token={props.csrf} />
									<input type="hidden" name="back" value="/admin/dock" />
									<button type="submit" name="action" value="done" aria-label={`Done #${r.id}`}>
										Done
									</button>
									<button type="submit" name="action" value="reject" class="danger" aria-label={`Reject #${r.id}`}>
										Reject
									</button>
								</form>
							</li>
						))}
					</ol>
				</div>
				<p class="dock-foot">
					<a href="/admin" target="_blank" rel="noopener">
						Full admin page
					</a>
				</p>
			</main>
		</AdminLayout>
	)
}

// --- Viewers ---------------------------------------------------------------------------------------------

/** The viewers page's link to a viewer's sign-ins, keeping the search to come back to. */
export const signInsHref = (viewerId: string, q: string) =>
	`/admin/viewers/${encodeURIComponent(viewerId)}/sessions${q ? `?${new URLSearchParams({ q })}` : ''}`

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

export function ViewersPage(props: {
	csrf: string
	flash: Flash | undefined
	q: string
	viewers: ViewerSummary[]
	/** Dashboard sign-ins in force, per viewer id. */
	signIns: ReadonlyMap<string, number>
}): JSX.Element {
	const { csrf, q, viewers, signIns } = props
	return (
		<AdminPage title="Viewers" tab="viewers" csrf={csrf} flash={props.flash}>
			<form method="get" action="/admin/viewers" class="search">
				<label for="q">Name or id</label>
				<input type="search" id="q" name="q" value={q} />
				<button type="submit">Search</button>
			</form>
			<p class="meta">
				{q ? `${viewers.length} ${viewers.length === 1 ? 'viewer matches' : 'viewers match'}` : 'Recently seen viewers'}
			</p>
			{viewers.length === 0 ? (
				<p class="empty">No viewers found.</p>
			) : (
				<AdminTable headers={['Viewer', 'Id', 'Balance', 'Sign-ins', 'Change balance']}>
					{viewers.map((viewer) => (
						<tr>
							<td class="viewer">
								<a href={`/admin/viewers/${encodeURIComponent(viewer.id)}${q ? `?${new URLSearchParams({ q })}` : ''}`}>
									<span safe>{viewer.displayName}</span>
								</a>
							</td>
							<td data-label="Id">
								<code safe>{viewer.id}</code>
							</td>
							<td class="num" data-label="Balance" safe>
								{String(viewer.balance)}
							</td>
							<td class="sign-ins" data-label="Sign-ins">
								<a href={signInsHref(viewer.id, q)}>
									<span safe>{plural(signIns.get(viewer.id) ?? 0, 'sign-in', 'sign-ins')}</span>
									<span class="visually-hidden" safe>{` of ${viewer.displayName}`}</span>
								</a>
							</td>
							<td>
								<form method="post" action={`/admin/viewers/${encodeURIComponent(viewer.id)}/points`} class="row-form">
									<Csrf token={csrf} />
									<input type="hidden" name="q" value={q} />
									<select name="mode" aria-label="How to change the balance">
										<option value="add">add</option>
										<option value="remove">remove</option>
										<option value="set">set to</option>
									</select>
									<input type="number" name="amount" min="0" max="1000000000" step="1" required aria-label="Points" />
									<button type="submit">Apply</button>
								</form>
							</td>
						</tr>
					))}
				</AdminTable>
			)}
		</AdminPage>
	)
}

// --- A viewer's dashboard sign-ins -------------------------------------------------------------------------

const METHOD_WORDS: Record<ViewerSession['method'], string> = {
	code: 'Code typed in chat',
	link: 'Personal link (!store)'
}

/**
 * A user agent in a few words ("Firefox 128 on Linux"); anything it cannot read is cut to 60 characters. The
 * full text goes in the cell's title. Escaped by the caller, like any text a browser sent.
 */
export function shortUserAgent(agent: string): string {
	const ua = agent.trim()
	if (!ua) return 'Unknown browser'
	const version = (pattern: RegExp) => pattern.exec(ua)?.[1]?.split('.')[0]
	const browsers: [string, RegExp][] = [
		['Edge', /\bEdg(?:e|A|iOS)?\/([\d.]+)/],
		['Opera', /\bOPR\/([\d.]+)/],
		['Samsung Internet', /\bSamsungBrowser\/([\d.]+)/],
		['Firefox', /\b(?:Firefox|FxiOS)\/([\d.]+)/],
		['Chrome', /\b(?:Headless)?(?:Chrome|CriOS)\/([\d.]+)/],
		['Safari', /\bVersion\/([\d.]+).*\bSafari\//]
	]
	const systems: [string, RegExp][] = [
		['Android', /\bAndroid\b/],
		['iOS', /\b(?:iPhone|iPad|iPod)\b/],
		['ChromeOS', /\bCrOS\b/],
		['Windows', /\bWindows\b/],
		['macOS', /\bMac OS X\b|\bMacintosh\b/],
		['Linux', /\bLinux\b/]
	]
	const browser = browsers.find(([, pattern]) => pattern.test(ua))
	if (!browser) return ua.length > 60 ? `${ua.slice(0, 59)}…` : ua
	const system = systems.find(([, pattern]) => pattern.test(ua))?.[0]
	const major = version(browser[1])
	return `${browser[0]}${major ? ` ${major}` : ''}${system ? ` on ${system}` : ''}`
}

export function ViewerSessionsPage(props: {
	csrf: string
	flash: Flash | undefined
	viewer: ViewerSummary
	sessions: ViewerSession[]
	/** The viewers search to go back to. */
	q: string
}): JSX.Element {
	const { csrf, viewer, sessions, q } = props
	return (
		<AdminPage title={`Dashboard sign-ins of ${viewer.displayName}`} tab="viewers" csrf={csrf} flash={props.flash}>
			<p class="meta">
				<a href={q ? `/admin/viewers?${new URLSearchParams({ q })}` : '/admin/viewers'}>Back to the viewers</a>
				{' · id '}
				<code safe>{viewer.id}</code>
			</p>
			<p>
				Browsers signed in on the dashboard as this viewer, most recently seen first. Signing one out ends it at once; the viewer can sign in again
				with a new code or link.
			</p>
			<SessionsTable csrf={csrf} viewer={viewer} sessions={sessions} q={q} />
		</AdminPage>
	)
}

/** A viewer's dashboard sign-ins with their Sign out buttons (the sign-ins page and the viewer's page). */
export function SessionsTable(props: { csrf: string; viewer: ViewerSummary; sessions: ViewerSession[]; q: string; back?: 'viewer' }): JSX.Element {
	const { csrf, viewer, sessions, q, back } = props
	const base = `/admin/viewers/${encodeURIComponent(viewer.id)}/sessions`
	return (
		<>
		{sessions.length === 0 ? (
			<p class="empty">Not signed in on any browser.</p>
		) : (
			<>
				<AdminTable class="sessions" headers={['How', 'Browser', 'Signed in', 'Last seen', 'Expires', 'Action']}>
					{sessions.map((s) => (
						<tr>
							<td safe>{METHOD_WORDS[s.method] ?? s.method}</td>
							<td class="agent" title={s.userAgent} safe>
								{shortUserAgent(s.userAgent)}
							</td>
							<td data-label="Signed in">
								<Time iso={s.createdAt} />
							</td>
							<td data-label="Last seen">
								<Time iso={s.lastSeenAt} />
							</td>
							<td data-label="Expires">
								<Time iso={s.expiresAt} />
							</td>
							<td>
								<form method="post" action={`${base}/${s.idHash}/revoke`} class="row-form">
									<Csrf token={csrf} />
									<input type="hidden" name="q" value={q} />
{back ? <input type="hidden" name="back" value={back} /> : ''}
									<button type="submit" class="danger">
										Sign out
										<span class="visually-hidden" safe>{` ${shortUserAgent(s.userAgent)}, signed in ${s.createdAt.slice(0, 19).replace('T', ' ')} UTC`}</span>
									</button>
								</form>
							</td>
						</tr>
					))}
				</AdminTable>
				<form method="post" action={`${base}/revoke-all`} class="row-form">
					<Csrf token={csrf} />
					<input type="hidden" name="q" value={q} />
{back ? <input type="hidden" name="back" value={back} /> : ''}
					<button type="submit" class="danger" safe>
						{`Sign out everywhere (${plural(sessions.length, 'browser', 'browsers')})`}
					</button>
				</form>
			</>
		)}
		</>
	)
}

// --- Audit log -------------------------------------------------------------------------------------------

/** One redeem as the Redeems tab shows it: what it is and what can be done to it now. */
export type RedeemRow = {
	name: string
	title: string
	type: string
	cost: string
	categories: string[]
	active: boolean
	paused: boolean
	/** "2 of 5 left" when the redeem has a stock. */
	stock: string | undefined
	/** Milestones: where they stand. */
	milestone: { progress: number; goal: number; completed: boolean } | undefined
}

/** The Redeems tab: pause, resume, restock, milestone resets and categories, through the moderators' code paths. */
export function RedeemsPage(props: {
	csrf: string
	flash: Flash | undefined
	redeems: RedeemRow[]
	categories: { name: string; on: boolean }[]
	/** Counters and milestones whose redeem is no longer in redeems.toml: kept under their old name. */
	archived: { name: string; kind: 'counter' | 'milestone'; value: string }[]
}): JSX.Element {
	const { csrf } = props
	const action = (name: string) => `/admin/redeems/${encodeURIComponent(name)}`
	return (
		<AdminPage title="Redeems" tab="redeems" csrf={csrf} flash={props.flash}>
			<p class="meta">In redeems.toml order. Changes here are the same as the moderators' chat commands, and are written to the audit log.</p>
			<p>
				<a href="/admin/new-redeem" class="button-link">
					New redeem
				</a>
			</p>
			<AdminTable headers={['Redeem', 'Type', 'Cost', 'State', 'Change']}>
				{props.redeems.map((r) => (
					<tr>
						<td>
							<strong safe>{r.title}</strong>
							<br />
							<code safe>{r.name}</code>
							<br />
							<a href={`${action(r.name)}/edit`}>
								Edit<span class="visually-hidden" safe>{` ${r.name}`}</span>
							</a>
						</td>
						<td data-label="Type" safe>{r.type}</td>
						<td data-label="Cost" safe>{r.cost}</td>
						<td data-label="State" safe>
							{[
								r.paused ? 'paused' : r.active ? 'on' : `off (categories: ${r.categories.join(', ')})`,
								r.stock,
								r.milestone ? `${r.milestone.progress}/${r.milestone.goal}${r.milestone.completed ? ', complete' : ''}` : undefined
							]
								.filter(Boolean)
								.join('; ')}
						</td>
						<td>
							<form method="post" action={action(r.name)} class="row-form">
								<Csrf token={csrf} />
								<button type="submit" name="action" value={r.paused ? 'resume' : 'pause'}>
									{r.paused ? 'Resume' : 'Pause'}
								</button>
								{r.stock !== undefined ? (
									<button type="submit" name="action" value="restock">
										Restock
									</button>
								) : (
									''
								)}
								{r.milestone?.completed ? (
									<button type="submit" name="action" value="reset">
										Start again from 0
									</button>
								) : (
									''
								)}
							</form>
							{r.milestone ? (
								<form method="post" action={action(r.name)} class="row-form">
									<Csrf token={csrf} />
									<input type="hidden" name="action" value="hard_reset" />
									<label>
										<input type="checkbox" name="confirm" value="yes" /> I am sure
									</label>
									<button type="submit" class="danger">
										Reset to 0 now
									</button>
								</form>
							) : (
								''
							)}
						</td>
					</tr>
				))}
			</AdminTable>
			<h2>Categories</h2>
			{props.categories.length === 0 ? (
				<p class="empty">No redeem has a category.</p>
			) : (
				<ul class="categories">
					{props.categories.map((c) => (
						<li>
							<form method="post" action={`/admin/categories/${encodeURIComponent(c.name)}`} class="row-form">
								<Csrf token={csrf} />
								<span safe>{`${c.name}: ${c.on ? 'on' : 'off'}`}</span>
								<button type="submit" name="on" value={c.on ? '0' : '1'}>
									{c.on ? 'Switch off' : 'Switch on'}
								</button>
							</form>
						</li>
					))}
				</ul>
			)}
			{props.archived.length > 0 ? (
				<>
					<h2>Archived</h2>
					<p class="meta">Progress of redeems that are no longer in redeems.toml, kept under their old names (a redeem added again with the name continues from it).</p>
					<ul class="archived-list">
						{props.archived.map((a) => (
							<li safe>{`${a.name} (${a.kind}): ${a.value}`}</li>
						))}
					</ul>
				</>
			) : (
				''
			)}
		</AdminPage>
	)
}

export function AuditPage(props: {
	csrf: string
	flash: Flash | undefined
	entries: AuditEntry[]
	page: number
	hasNext: boolean
}): JSX.Element {
	const { entries, page, hasNext } = props
	return (
		<AdminPage title="Audit log" tab="audit" csrf={props.csrf} flash={props.flash}>
			<p class="meta" safe>{`Newest first; page ${page}`}</p>
			{entries.length === 0 ? (
				<p class="empty">Nothing here.</p>
			) : (
				<AdminTable headers={['Time', 'Who', 'Action', 'Detail']}>
					{entries.map((e) => (
						<tr>
							<td>
								<Time iso={e.createdAt} />
							</td>
							<td safe>{e.actor}</td>
							<td safe>{e.action}</td>
							<td class="detail" safe>
								{e.detail}
							</td>
						</tr>
					))}
				</AdminTable>
			)}
			{page > 1 || hasNext ? (
				<nav class="pager" aria-label="Audit log pages">
					{page > 1 ? <a href={`/admin/audit?page=${page - 1}`}>Newer</a> : <span></span>}
					{hasNext ? <a href={`/admin/audit?page=${page + 1}`}>Older</a> : ''}
				</nav>
			) : (
				''
			)}
		</AdminPage>
	)
}

// --- Integrations ------------------------------------------------------------------------------------------

const FORMAT_WORDS: Record<ReceiverView['format'], string> = { json: 'JSON', discord: 'Discord' }

function DeliveryState({ status }: { status: DeliveryStatus }): JSX.Element {
	return (
		<span class={`delivery delivery-${status.replace(' ', '-')}`}>
			{status}
		</span>
	)
}

/** A receiver's oldest delivery not yet made, in a few words. */
function Waiting({ next }: { next: ReceiverView['next'] }): JSX.Element {
	if (!next) return <span class="muted">Nothing waiting</span>
	return (
		<>
			<span safe>{next.event ?? 'an event'}</span> <DeliveryState status={next.status} />
			{next.attempts > 0 ? (
				<span class="sub">
					<span safe>{`${plural(next.attempts, 'attempt', 'attempts')}; next at `}</span>
					<Time iso={next.nextAt} />
				</span>
			) : (
				''
			)}
		</>
	)
}

export function IntegrationsPage(props: {
	csrf: string
	flash: Flash | undefined
	receivers: ReceiverView[]
	deliveries: DeliveryView[]
	overlays: OverlayUrl[]
}): JSX.Element {
	const { csrf, receivers, deliveries, overlays } = props
	return (
		<AdminPage title="Integrations" tab="integrations" csrf={csrf} flash={props.flash}>
			<h2>Outgoing webhooks</h2>
			<p>
				Events (redeems, goals, counters, stream starts and stops, points) are sent to these addresses as they happen, each webhook's in order; a
				failed delivery is tried again for up to 24 hours. Set them in <code>config.toml</code> as <code>[[outgoing_webhooks]]</code>; only the host
				of each address is shown here.
			</p>
			{receivers.length === 0 ? (
				<p class="empty">No outgoing webhooks are set.</p>
			) : (
				<AdminTable class="webhooks" headers={['Webhook', 'Format', 'Events', 'Waiting', 'Test']}>
					{receivers.map((r) => (
						<tr>
							<td>
								<span class="num" safe>{`#${r.number}`}</span> <code safe>{r.host}</code>
							</td>
							<td data-label="Format" safe>
								{`${FORMAT_WORDS[r.format]}${r.signed ? ', signed' : ''}`}
							</td>
							<td data-label="Events" class="events" safe>
								{r.events.includes('*') ? 'all' : r.events.join(', ')}
							</td>
							<td data-label="Waiting">
								<Waiting next={r.next} />
							</td>
							<td>
								<form method="post" action={`/admin/integrations/${r.id}/test`} class="row-form">
									<Csrf token={csrf} />
									<button type="submit">
										Send a test event
										<span class="visually-hidden" safe>{` to webhook #${r.number}`}</span>
									</button>
								</form>
							</td>
						</tr>
					))}
				</AdminTable>
			)}
			<h2>Recent deliveries</h2>
			{deliveries.length === 0 ? (
				<p class="empty">Nothing was sent yet.</p>
			) : (
				<AdminTable class="deliveries" headers={['Time', 'Webhook', 'Event', 'Status', 'Attempts', 'Last answer']}>
					{deliveries.map((d) => (
						<tr>
							<td>
								<Time iso={d.createdAt} />
							</td>
							<td safe>{d.receiverLabel}</td>
							<td data-label="Event" safe>
								{d.eventName ?? `#${d.eventId}`}
							</td>
							<td>
								<DeliveryState status={d.status} />
							</td>
							<td data-label="Attempts" class="num" safe>
								{String(d.attempts)}
							</td>
							<td data-label="Last answer" class="detail" safe>
								{d.lastError ?? (d.lastStatus !== null ? `HTTP ${d.lastStatus}` : d.attempts === 0 ? 'not tried yet' : '')}
							</td>
						</tr>
					))}
				</AdminTable>
			)}
			<h2>Overlay URLs</h2>
			<p>
				Browser sources for OBS. These URLs contain the overlay key: anyone who has one can watch your stream's events, so do not show them on stream.
				To make the old ones stop working, set a new <code>overlay_key</code> in <code>config.toml</code>.
			</p>
			<ul class="overlay-urls">
				{overlays.map((o) => (
					<li>
						<span class="title" safe>
							{o.title}
						</span>
						<code safe>{o.url}</code>
					</li>
				))}
			</ul>
		</AdminPage>
	)
}
