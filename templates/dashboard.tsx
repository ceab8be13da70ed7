/** @jsxImportSource @kitajs/html */
// The viewer-facing dashboard: counters, milestones, the prediction and polls, recent redeems, the queue, the Redeems
// tab (help, and the viewer store that templates/assets/store.js builds there for a signed-in viewer) and the
// leaderboard.
import { describeInterval, points } from '../src/modules/messages/messages.ts'
import type { BoardRow, DashboardData, EarnFacts, QueueEntry } from '../src/modules/dashboard/service.ts'
import type { OutcomeView } from '../src/modules/predictions/service.ts'
import type { Redeem } from '../src/modules/redeems/model.ts'
import { Layout } from './layout.tsx'

// The Redeems tab keeps the id `help`: links to ?tab=help made before it had a store still work.
// The Leaderboard tab is there only while leaderboard_enabled is on.
export type Tab = 'dashboard' | 'queue' | 'help' | 'leaderboard'
export const TABS: readonly Tab[] = ['dashboard', 'queue', 'help', 'leaderboard']
const TAB_TITLES: Record<Tab, string> = { dashboard: 'Dashboard', queue: 'Redeem queue', help: 'Redeems', leaderboard: 'Leaderboard' }
const PAGE_TITLES: Record<Tab, string> = { dashboard: 'Redeems Dashboard', queue: 'Redeem queue', help: 'Redeems', leaderboard: 'Leaderboard' }

/** A place in the queue: a page number (the first 100 pages) or a cursor (`next` of the page before). */
export type QueueAt = { page: number } | { after: string }

export type PageLinks = {
	/** URL of the dashboard with the same viewer parameters, for a tab and a place in the queue. */
	href(tab: Tab, at?: QueueAt): string
}

/** Where this page of the queue is, for its live updates. */
const queueAt = (queue: DashboardData['queue']): QueueAt =>
	queue.after !== null ? { after: queue.after } : { page: queue.page ?? 1 }

/**
 * The time as an ISO timestamp for the script to show locally and relatively (a countdown, for a time to come,
 * counts every second); UTC text without script.
 */
function Time({ iso, countdown = false }: { iso: string; countdown?: boolean }): JSX.Element {
	const utc = `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
	return (
		<time datetime={iso} class={countdown ? 'countdown' : undefined} safe>
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

/** The earning rules' bonuses in force (those not 0), one sentence each without the full stop. */
export function bonusTexts(earn: EarnFacts): string[] {
	const texts: string[] = []
	const active = earn.activeChatterBonus ?? 0
	const first = earn.firstChatBonus ?? 0
	const streak = earn.streakBonus ?? 0
	const streams = earn.streakStreams ?? 1
	if (active > 0) texts.push(`+${points(active)} each cycle when you chatted since the last one`)
	if (first > 0) texts.push(`+${first} for your first message of a stream`)
	if (streak > 0) {
		texts.push(`+${streak} when you were in ${streams === 1 ? 'the last stream' : `each of the last ${streams} streams`}`)
	}
	return texts
}

/** How points are earned: the points cycle, then each bonus in force. */
function EarningRules({ data }: { data: DashboardData }): JSX.Element {
	const bonuses = bonusTexts(data.earn)
	return (
		<>
			<p>
				Everyone in chat gets <strong safe>{earnText(data)}</strong> while the stream is live.
			</p>
			{bonuses.length ? (
				<>
					<p>On top of that:</p>
					<ul class="rules">
						{bonuses.map((b) => (
							<li safe>{`${b}.`}</li>
						))}
					</ul>
				</>
			) : (
				''
			)}
		</>
	)
}

/** A command as viewers type it, with the current prefix and name: "!bet <outcome> <points>". */
function Command({ prefix, name, args = '' }: { prefix: string; name: string; args?: string }): JSX.Element {
	return <code safe>{`${prefix}${name}${args ? ` ${args}` : ''}`}</code>
}

/** "1 viewer", "2 viewers". */
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

/** Giving, in one sentence, with its limits. */
function GiveSentence({ data }: { data: DashboardData }): JSX.Element {
	const give = data.commands.give
	if (!data.features.give || !give) return ''
	const { maxPerDay, minEarned } = data.give
	const limits = `up to ${points(maxPerDay)} a day${minEarned > 0 ? `, once you have earned ${points(minEarned)} by being in chat` : ''}`
	return (
		<>
			<Command prefix={data.prefix} name={give} args="<viewer> <points>" /> gives some of your points to another viewer,{' '}
			<span safe>{limits}</span>.
		</>
	)
}

/** The leaderboard, in one sentence: the tab, !top and !hide. */
function LeaderboardSentence({ data, links, lower = false }: { data: DashboardData; links: PageLinks; lower?: boolean }): JSX.Element {
	if (!data.features.leaderboard) return ''
	const { top, hide } = data.commands
	return (
		<>
			{lower ? 'the' : 'The'} <a href={links.href('leaderboard')}>Leaderboard</a> tab
			{top ? (
				<>
					{' '}
					and <Command prefix={data.prefix} name={top} />
				</>
			) : (
				''
			)}{' '}
			show who has the most points
			{hide ? (
				<>
					; <Command prefix={data.prefix} name={hide} /> takes you off the list (again: back on it)
				</>
			) : (
				''
			)}
			.
		</>
	)
}

/** Each economy feature that is switched on, in a sentence: the Redeems tab's help. */
function FeatureList({ data, links }: { data: DashboardData; links: PageLinks }): JSX.Element {
	const { features, commands } = data
	const p = data.prefix
	if (!features.predictions && !features.polls && !features.leaderboard && !(features.give && commands.give)) return ''
	return (
		<section aria-labelledby="more-title">
			<h2 id="more-title">More with your points</h2>
			<ul class="features">
				{features.predictions ? (
					<li>
						<strong>Predictions</strong>: when a moderator asks a question,{' '}
						{commands.bet ? (
							<>
								bet on an answer with <Command prefix={p} name={commands.bet} args="<outcome> <points>" /> (one answer each)
							</>
						) : (
							'bet points on an answer'
						)}
						; everyone who picked the right answer shares all the points bet, in proportion to their bets.
					</li>
				) : (
					''
				)}
				{features.polls ? (
					<li>
						<strong>Polls</strong>:{' '}
						{commands.vote ? (
							<>
								spend points on an option with <Command prefix={p} name={commands.vote} args="<poll> <option> <points>" />
							</>
						) : (
							'spend points on an option'
						)}
						; the points are spent, and the option with the most points wins.
					</li>
				) : (
					''
				)}
				{features.leaderboard ? (
					<li>
						<strong>Leaderboard</strong>: <LeaderboardSentence data={data} links={links} lower />
					</li>
				) : (
					''
				)}
				{features.give && commands.give ? (
					<li>
						<strong>Giving</strong>: <GiveSentence data={data} />
					</li>
				) : (
					''
				)}
			</ul>
		</section>
	)
}

/** How points are earned and spent, for every visitor (also when Owncast did not say who they are). */
function EarnBox({ data, links }: { data: DashboardData; links: PageLinks }): JSX.Element {
	const p = data.prefix
	const first = data.redeems.find((r) => r.active && r.type !== 'milestone') ?? data.redeems.find((r) => r.active)
	const { points: pointsCommand } = data.commands
	return (
		<section class="earn" aria-labelledby="earn-title">
			<h2 id="earn-title">Points</h2>
			<EarningRules data={data} />
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
			{data.features.give && data.commands.give ? (
				<p>
					<GiveSentence data={data} />
				</p>
			) : (
				''
			)}
			{data.features.leaderboard ? (
				<p>
					<LeaderboardSentence data={data} links={links} />
				</p>
			) : (
				''
			)}
		</section>
	)
}

/** "x2.50": what one point on an outcome pays back; a dash while nobody bet on it. */
const oddsText = (odds: number | null) => (odds === null ? '–' : `x${odds.toFixed(2)}`)

function OutcomeTable({ outcomes, winner }: { outcomes: readonly OutcomeView[]; winner?: string | null }): JSX.Element {
	return (
		<table class="outcomes">
			<caption class="visually-hidden">Outcomes, with the points bet on each, the bettors and the odds</caption>
			<thead>
				<tr>
					<th scope="col">Outcome</th>
					<th scope="col">Points</th>
					<th scope="col">Bettors</th>
					<th scope="col">Odds</th>
				</tr>
			</thead>
			<tbody>
				{outcomes.map((o, i) => (
					<tr class={o.name === winner ? 'winner' : undefined}>
						<th scope="row">
							<span safe>{`${i + 1}. ${o.name}`}</span>
							{o.name === winner ? <span class="answer"> ✓ the answer</span> : ''}
						</th>
						<td safe>{String(o.pool)}</td>
						<td safe>{String(o.bettors)}</td>
						<td safe>{oddsText(o.odds)}</td>
					</tr>
				))}
			</tbody>
		</table>
	)
}

/** The prediction running (live pools and odds), else the last one's result; and how to bet. */
function PredictionBox({ data }: { data: DashboardData }): JSX.Element {
	const part = data.prediction
	if (!part) return ''
	const p = data.prefix
	const bet = data.commands.bet
	const { current, last } = part
	const example = current?.outcomes[0]?.name
	const how = bet ? (
		<p class="how">
			{current?.status === 'open' ? 'Bet' : 'When a moderator opens a prediction, bet'} with{' '}
			<Command prefix={p} name={bet} args="<outcome> <points>" />
			{current?.status === 'open' && example !== undefined ? (
				<>
					, for example <Command prefix={p} name={bet} args={`${/\s/.test(example) ? '1' : example} 10`} />
				</>
			) : (
				''
			)}{' '}
			(the outcome by name or number; one outcome each, betting again adds to it).
		</p>
	) : (
		''
	)
	if (current) {
		return (
			<section class="prediction" aria-labelledby="prediction-title">
				<h2 id="prediction-title">Prediction</h2>
				<p class="question" safe>
					{current.question}
				</p>
				<p class="meta">
					{current.status === 'open' ? (
						current.closesAt ? (
							<>
								<strong class="state open">Betting is open</strong>; it closes <Time iso={current.closesAt} countdown />.
							</>
						) : (
							<>
								<strong class="state open">Betting is open</strong> until a moderator locks it.
							</>
						)
					) : (
						<>
							<strong class="state locked">Betting is locked</strong>: waiting for the answer.
						</>
					)}{' '}
					<span safe>{`${points(current.pool)} in the pool.`}</span>
				</p>
				<OutcomeTable outcomes={current.outcomes} />
				{current.status === 'open' ? how : ''}
			</section>
		)
	}
	if (last) {
		const winning = last.outcomes.find((o) => o.name === last.winner)
		const result =
			last.status === 'cancelled'
				? `Cancelled: every bet was refunded (${points(last.pool)}).`
				: last.pool === 0
					? `The answer: ${last.winner}. Nobody bet.`
					: !winning || winning.pool === 0
						? `The answer: ${last.winner}. Nobody bet on it, so every bet was refunded (${points(last.pool)}).`
						: `The answer: ${last.winner}. The pool of ${points(last.pool)} went to ${count(winning.bettors, 'viewer', 'viewers')} who bet on it.`
		return (
			<section class="prediction" aria-labelledby="prediction-title">
				<h2 id="prediction-title">Last prediction</h2>
				<p class="question" safe>
					{last.question}
				</p>
				<p class={`result ${last.status}`} safe>
					{result}
				</p>
				<OutcomeTable outcomes={last.outcomes} winner={last.status === 'resolved' ? last.winner : null} />
				{how}
			</section>
		)
	}
	return (
		<section class="prediction" aria-labelledby="prediction-title">
			<h2 id="prediction-title">Predictions</h2>
			<p class="empty">No prediction right now.</p>
			{how}
		</section>
	)
}

/** An option's share of a poll's points, in whole percent. */
const share = (part: number, total: number) => (total > 0 ? Math.round((100 * part) / total) : 0)

type PollOption = { name: string; points: number; voters: number }

/** A poll's options with their points: a bar each (for the eye; the text says the same), most points marked when closed. */
function PollOptions({ options, total, closed }: { options: readonly PollOption[]; total: number; closed: boolean }): JSX.Element {
	const most = Math.max(0, ...options.map((o) => o.points))
	return (
		<ul class="options">
			{options.map((o, i) => (
				<li class={closed && most > 0 && o.points === most ? 'top' : undefined}>
					<div class="option-head">
						<span class="name" safe>
							{`${i + 1}. ${o.name}`}
						</span>
						<span class="option-points" safe>
							{`${points(o.points)} (${share(o.points, total)}%), ${count(o.voters, 'voter', 'voters')}${closed && most > 0 && o.points === most ? ', most points' : ''}`}
						</span>
					</div>
					<progress aria-hidden="true" max={String(Math.max(1, total))} value={String(o.points)}></progress>
				</li>
			))}
		</ul>
	)
}

/** The open polls with their points, the poll closed last with its results, and how to vote. */
function PollsBox({ data }: { data: DashboardData }): JSX.Element {
	const part = data.polls
	if (!part) return ''
	const p = data.prefix
	const vote = data.commands.vote
	return (
		<section class="polls" aria-labelledby="polls-title">
			<h2 id="polls-title">Polls</h2>
			{part.open.length === 0 ? <p class="empty">No poll is open right now.</p> : ''}
			{part.open.map((poll, i) => (
				<article class="poll" aria-labelledby={`poll-${i}-title`}>
					<h3 id={`poll-${i}-title`} safe>
						{poll.question}
					</h3>
					<p class="meta">
						Poll <code safe>{poll.name}</code>, open: <span safe>{`${points(poll.total)} spent`}</span>
					</p>
					<PollOptions options={poll.options} total={poll.total} closed={false} />
					{vote ? (
						<p class="how">
							Vote with <Command prefix={p} name={vote} args={`${poll.name} <option> <points>`} />, for example{' '}
							<Command prefix={p} name={vote} args={`${poll.name} ${/\s/.test(poll.options[0]?.name ?? ' ') ? '1' : poll.options[0]?.name} 10`} /> (the
							option by name or number): the points are spent.
						</p>
					) : (
						''
					)}
				</article>
			))}
			{part.closed ? (
				<article class="poll closed" aria-labelledby="poll-closed-title">
					<h3 id="poll-closed-title">
						Closed: <span safe>{part.closed.question}</span>
					</h3>
					<p class="meta">
						Poll <code safe>{part.closed.name}</code>, closed <Time iso={part.closed.closedAt} />:{' '}
						<span safe>{`${points(part.closed.total)} spent`}</span>
					</p>
					<PollOptions
						options={part.closed.results.map((r) => ({ name: r.option, points: r.points, voters: r.voters }))}
						total={part.closed.total}
						closed
					/>
				</article>
			) : (
				''
			)}
			{part.open.length === 0 && vote ? (
				<p class="how">
					When a poll is open, vote with <Command prefix={p} name={vote} args="<poll> <option> <points>" />: the points are spent.
				</p>
			) : (
				''
			)}
		</section>
	)
}

/** One of the leaderboard's lists. */
function Board({ id, title, rows, empty }: { id: string; title: string; rows: readonly BoardRow[]; empty: string }): JSX.Element {
	return (
		<section class="board" aria-labelledby={id}>
			<h3 id={id} safe>
				{title}
			</h3>
			{rows.length === 0 ? (
				<p class="empty" safe>
					{empty}
				</p>
			) : (
				<ol>
					{rows.map((r) => (
						<li>
							<div class="row">
								<span class="name" safe>
									{r.name}
								</span>
								<span class="points" safe>
									{points(r.points)}
								</span>
							</div>
						</li>
					))}
				</ol>
			)}
		</section>
	)
}

/** "May 2026" from "2026-05". */
const monthName = (month: string) =>
	new Date(`${month}-01T00:00:00Z`).toLocaleString('en', { month: 'long', year: 'numeric', timeZone: 'UTC' })

function LeaderboardTab({ data }: { data: DashboardData }): JSX.Element {
	const board = data.leaderboard
	if (!board) return ''
	const p = data.prefix
	const { top, hide } = data.commands
	return (
		<section aria-labelledby="leaderboard-title">
			<h2 id="leaderboard-title">Leaderboard</h2>
			<p class="meta">
				The top 10 of chat.
				{top ? (
					<>
						{' '}
						<Command prefix={p} name={top} /> in chat tells you your place.
					</>
				) : (
					''
				)}
				{hide ? (
					<>
						{' '}
						<Command prefix={p} name={hide} /> takes you off the list (again: back on it).
					</>
				) : (
					''
				)}
			</p>
			<div class="boards">
				<Board id="board-balance" title="Most points" rows={board.balance} empty="Nobody is on the leaderboard yet." />
				<Board id="board-stream" title="Earned this stream" rows={board.stream} empty="Nobody has earned points this stream yet." />
				<Board
					id="board-month"
					title={`Earned in ${monthName(board.monthOf)} (UTC)`}
					rows={board.month}
					empty="Nobody has earned points this month yet."
				/>
			</div>
		</section>
	)
}

function DashboardTab({ data, links }: { data: DashboardData; links: PageLinks }): JSX.Element {
	return (
		<>
			<EarnBox data={data} links={links} />
			<PredictionBox data={data} />
			<PollsBox data={data} />
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

function HelpTab({ data, links }: { data: DashboardData; links: PageLinks }): JSX.Element {
	const active = data.redeems.filter((r) => r.active)
	const p = data.prefix
	const note = exampleOf(data, 'note')
	const milestone = exampleOf(data, 'milestone')
	return (
		<>
			<section aria-labelledby="earning-title">
				<h2 id="earning-title">How to earn points</h2>
				<EarningRules data={data} />
			</section>
			<FeatureList data={data} links={links} />
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
					{`Tlapbot is in passive mode: you earn points for watching (${[`${earnText(data)} while the stream is live`, ...bonusTexts(data.earn)].join('; ')}), but there are no redeems right now.`}
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
				<HelpTab data={data} links={links} />
			) : tab === 'leaderboard' ? (
				<LeaderboardTab data={data} />
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
	const tabs = data.passive ? (['dashboard'] as Tab[]) : TABS.filter((t) => t !== 'leaderboard' || data.features.leaderboard)
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
