/** @jsxImportSource @kitajs/html */
// The viewer-facing dashboard: counters, milestones, recent redeems, the queue and the Redeems tab (help, and the
// viewer store that templates/assets/store.js builds there for a signed-in viewer).
import { describeInterval, points } from '../src/modules/messages/messages.ts'
import type { DashboardData, QueueEntry } from '../src/modules/dashboard/service.ts'
import type { Redeem } from '../src/modules/redeems/model.ts'
import { Layout } from './layout.tsx'

// The Redeems tab keeps the id `help`: links to ?tab=help made before it had a store still work.
export type Tab = 'dashboard' | 'queue' | 'help'
export const TABS: readonly Tab[] = ['dashboard', 'queue', 'help']
const TAB_TITLES: Record<Tab, string> = { dashboard: 'Dashboard', queue: 'Redeem queue', help: 'Redeems' }
const PAGE_TITLES: Record<Tab, string> = { dashboard: 'Redeems Dashboard', queue: 'Redeem queue', help: 'Redeems' }

/** A place in the queue: a page number (the first 100 pages) or a cursor (`next` of the page before). */
export type QueueAt = { page: number } | { after: string }

export type PageLinks = {
	/** URL of the dashboard with the same viewer parameters, for a tab and a place in the queue. */
	href(tab: Tab, at?: QueueAt): string
}

/** Where this page of the queue is, for its live updates. */
const queueAt = (queue: DashboardData['queue']): QueueAt =>
	queue.after !== null ? { after: queue.after } : { page: queue.page ?? 1 }

/** The time as an ISO timestamp for the script to show locally and relatively; UTC text without script. */
function Time({ iso }: { iso: string }): JSX.Element {
	const utc = `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
	return (
		<time datetime={iso} safe>
			{utc}
		</time>
	)
}

function BalanceBox({ balance }: { balance: DashboardData['balance'] }): JSX.Element {
	if (!balance) return ''
	if (balance.kind === 'ambiguous') {
		return (
			<p class="balance" id="balance">
				Several viewers are called <strong safe>{balance.name}</strong>; type <code>!points</code> in chat to see yours.
			</p>
		)
	}
	return (
		<p class="balance" id="balance">
			<strong safe>{balance.name}</strong>: <span class="points" safe>{String(balance.points)}</span> points
		</p>
	)
}

function Counters({ counters }: { counters: DashboardData['counters'] }): JSX.Element {
	if (counters.length === 0) return ''
	return (
		<section aria-labelledby="counters-title">
			<h2 id="counters-title">Counters</h2>
			<ul class="counters">
				{counters.map((c) => (
					<li>
						<span class="name" safe>
							{c.name}
						</span>
						<span class="count" safe>{String(c.count)}</span>
					</li>
				))}
			</ul>
		</section>
	)
}

function Milestones({ milestones }: { milestones: DashboardData['milestones'] }): JSX.Element {
	if (milestones.length === 0) return ''
	return (
		<section aria-labelledby="milestones-title">
			<h2 id="milestones-title">Milestones</h2>
			{milestones.map((m) => (
				<div class={m.completed ? 'milestone complete' : 'milestone'}>
					<div class="milestone-head">
						<span class="name" safe>
							{m.name}
						</span>
						<span class="progress-text" safe>
							{`${m.progress} / ${m.goal}${m.completed ? ' ✓' : ''}`}
						</span>
					</div>
					<progress max={String(m.goal)} value={String(m.progress)} safe>
						{`${Math.floor((100 * m.progress) / m.goal)}%`}
					</progress>
				</div>
			))}
		</section>
	)
}

function Entry({ entry }: { entry: QueueEntry }): JSX.Element {
	return (
		<li class="entry">
			<div class="entry-head">
				<span class="redeem" safe>
					{entry.redeem}
				</span>
				<span class="viewer" safe>
					{entry.viewerName}
				</span>
				<Time iso={entry.createdAt} />
				<span class={`status status-${entry.status}`} safe>
					{`#${entry.id} ${entry.status}`}
				</span>
			</div>
			{entry.note ? (
				<p class="note" safe>
					{entry.note}
				</p>
			) : (
				''
			)}
		</li>
	)
}

function EntryList({ entries, empty }: { entries: QueueEntry[]; empty: string }): JSX.Element {
	if (entries.length === 0) return <p class="empty" safe>{empty}</p>
	return (
		<ul class="entries">
			{entries.map((e) => (
				<Entry entry={e} />
			))}
		</ul>
	)
}

/** "10 points every 10 minutes". */
const earnText = (data: DashboardData) => `${points(data.earn.amount)} every ${describeInterval(data.earn.cycleSeconds)}`

/** How points are earned and spent, for every visitor (also when Owncast did not say who they are). */
function EarnBox({ data, links }: { data: DashboardData; links: PageLinks }): JSX.Element {
	const p = data.prefix
	const first = data.redeems.find((r) => r.active && r.type !== 'milestone') ?? data.redeems.find((r) => r.active)
	const { points: pointsCommand } = data.commands
	return (
		<section class="earn" aria-labelledby="earn-title">
			<h2 id="earn-title">Points</h2>
			<p>
				Everyone in chat gets <strong safe>{earnText(data)}</strong> while the stream is live.
			</p>
			<p>
				Spend them on the <a href={links.href('help')}>Redeems</a> tab
				{first ? (
					<>
						{' '}
						or in chat, for example <code safe>{`${p}${first.name}`}</code>
					</>
				) : (
					''
				)}
				.
				{pointsCommand ? (
					<>
						{' '}
						<code safe>{`${p}${pointsCommand}`}</code> in chat tells you your balance.
					</>
				) : (
					''
				)}
			</p>
		</section>
	)
}

function DashboardTab({ data, links }: { data: DashboardData; links: PageLinks }): JSX.Element {
	return (
		<>
			<EarnBox data={data} links={links} />
			<Counters counters={data.counters} />
			<Milestones milestones={data.milestones} />
			<section aria-labelledby="recent-title">
				<h2 id="recent-title">Recent redeems</h2>
				<EntryList entries={data.recent} empty="No redeems yet." />
			</section>
		</>
	)
}

function QueueTab({ data, links }: { data: DashboardData; links: PageLinks }): JSX.Element {
	const { queue } = data
	// A page reached by cursor has no number: counting the entries before it is the work cursors avoid.
	const where = queue.page === null ? '; later entries' : queue.pages > 1 ? `; page ${queue.page} of ${queue.pages}` : ''
	const back =
		queue.page === null ? (
			<a href={links.href('queue')}>First page</a>
		) : queue.page > 1 ? (
			<a href={links.href('queue', { page: queue.page - 1 })}>Earlier</a>
		) : (
			''
		)
	return (
		<section aria-labelledby="queue-title">
			<h2 id="queue-title">Redeem queue</h2>
			<p class="meta" safe>
				{`${queue.total} ${queue.total === 1 ? 'entry' : 'entries'}, pending first, oldest first${where}`}
			</p>
			<EntryList entries={queue.entries} empty={queue.page === null ? 'No more entries.' : 'The queue is empty.'} />
			{back || queue.next ? (
				<nav class="pager" aria-label="Queue pages">
					{back}
					{/* A cursor, not a page number: as cheap on the last page as on the first, and works without the script. */}
					{queue.next ? <a href={links.href('queue', { after: queue.next })}>Show more</a> : ''}
				</nav>
			) : (
				''
			)}
		</section>
	)
}

function redeemCost(redeem: Redeem): string {
	return redeem.type === 'milestone' ? `goal ${redeem.goal}` : `${redeem.price} ${redeem.price === 1 ? 'point' : 'points'}`
}

/** The first redeem of a type for the help's examples: an active one if there is one. */
const exampleOf = (data: DashboardData, type: Redeem['type']) =>
	(data.redeems.find((r) => r.active && r.type === type) ?? data.redeems.find((r) => r.type === type))?.name

function HelpTab({ data }: { data: DashboardData }): JSX.Element {
	const active = data.redeems.filter((r) => r.active)
	const p = data.prefix
	const note = exampleOf(data, 'note')
	const milestone = exampleOf(data, 'milestone')
	return (
		<>
			<section aria-labelledby="types-title">
				<h2 id="types-title">How redeems work</h2>
				<dl class="types">
					<dt>List</dt>
					<dd>Goes to the redeem queue with your name and the time.</dd>
					<dt>Note</dt>
					<dd>
						{note ? (
							<>
								Like a list redeem, with a message: <code safe>{`${p}${note} your message`}</code>.
							</>
						) : (
							'Like a list redeem, with a message after the command.'
						)}
					</dd>
					<dt>Counter</dt>
					<dd>Adds 1 to a tally at the top of the dashboard; names are not shown.</dd>
					<dt>Milestone</dt>
					<dd>
						{milestone ? (
							<>
								A goal everyone donates to, any amount: <code safe>{`${p}${milestone} 50`}</code>.
							</>
						) : (
							'A goal everyone donates to, any amount after the command.'
						)}
					</dd>
				</dl>
			</section>
			<section aria-labelledby="redeems-title">
				<h2 id="redeems-title">Redeems</h2>
				{data.activeCategories.length ? (
					<p class="meta" safe>
						{`Active categories: ${data.activeCategories.join(', ')}`}
					</p>
				) : (
					''
				)}
				{active.length === 0 ? (
					<p class="empty">No redeems are active right now.</p>
				) : (
					<ul class="redeems">
						{active.map((r) => (
							<li>
								<div class="entry-head">
									<code class="command" safe>
										{`${p}${r.name}${r.type === 'note' ? ' <note>' : r.type === 'milestone' ? ' <points>' : ''}`}
									</code>
									<span class="cost" safe>
										{redeemCost(r)}
									</span>
									<span class="type">
										{r.paused ? `${r.type}, paused` : r.type}
									</span>
								</div>
								{r.info ? (
									<p class="info" safe>
										{r.info}
									</p>
								) : (
									''
								)}
							</li>
						))}
					</ul>
				)}
			</section>
		</>
	)
}

/**
 * Where store.js builds the viewer store: sign-in, balance, a card per redeem, activity, sign-out. Hidden until the
 * script shows it, so without JavaScript the tab is the help it always was. Only public facts (the prefix and the
 * current command names) are in the page: everything personal is fetched by the script with the session header, so
 * it never passes through the shared page cache.
 */
function StoreRoot({ data }: { data: DashboardData }): JSX.Element {
	return (
		<section
			id="store"
			class="store"
			aria-label="Redeem on this page"
			hidden
			data-prefix={data.prefix}
			data-link-command={data.commands.link ?? ''}
			data-store-command={data.commands.store ?? ''}
		></section>
	)
}

/** The part that live updates replace: everything below the tabs and the store. */
export function DashboardContent({ data, tab, links }: { data: DashboardData; tab: Tab; links: PageLinks }): JSX.Element {
	if (data.passive) {
		return (
			<>
				<BalanceBox balance={data.balance} />
				<p class="notice" safe>
					{`Tlapbot is in passive mode: you earn points for watching (${earnText(data)} while the stream is live), but there are no redeems right now.`}
				</p>
			</>
		)
	}
	return (
		<>
			<BalanceBox balance={data.balance} />
			{tab === 'queue' ? (
				<QueueTab data={data} links={links} />
			) : tab === 'help' ? (
				<HelpTab data={data} />
			) : (
				<DashboardTab data={data} links={links} />
			)}
		</>
	)
}

export function DashboardPage({
	data,
	tab,
	links,
	renderedContent
}: {
	data: DashboardData
	tab: Tab
	links: PageLinks
	/** DashboardContent already rendered by the caller (for its ETag), so it is not rendered twice. */
	renderedContent?: string
}): JSX.Element {
	const tabs = data.passive ? (['dashboard'] as Tab[]) : TABS
	// Our own rendering of the same data, escaped where it was rendered.
	const safeContent = renderedContent ?? <DashboardContent data={data} tab={tab} links={links} />
	const store = tab === 'help' && !data.passive && (data.commands.link || data.commands.store)
	return (
		<Layout title={PAGE_TITLES[tab]} scripts={store ? ['/dashboard/assets/store.js'] : []}>
			<header>
				<nav class="tabs" aria-label="Dashboard tabs">
					{tabs.map((t) => (
						<a href={links.href(t)} class={t === tab ? 'tab current' : 'tab'} aria-current={t === tab ? 'page' : 'false'} safe>
							{TAB_TITLES[t]}
						</a>
					))}
				</nav>
			</header>
			<main>
				{store ? <StoreRoot data={data} /> : ''}
				<div id="content" data-live={tab === 'queue' ? links.href(tab, queueAt(data.queue)) : links.href(tab)}>
					{safeContent}
				</div>
			</main>
		</Layout>
	)
}

/** A refused request (a page too deep, a malformed cursor): what to do instead, and a way back. */
export function DashboardError({ message, links, fragment }: { message: string; links: PageLinks; fragment?: boolean }): JSX.Element {
	const body = (
		<>
			<p class="notice" safe>
				{message}
			</p>
			<p>
				<a href={links.href('queue')}>First page of the queue</a>
			</p>
		</>
	)
	if (fragment) return body
	return (
		<Layout title="Redeems Dashboard">
			<main>
				<div id="content">{body}</div>
			</main>
		</Layout>
	)
}
