/** @jsxImportSource @kitajs/html */
// The admin page's Predictions & polls tab: open, lock, resolve or cancel the prediction; open and close polls. The
// forms go through the same code as the moderators' !predict and !poll commands (announcements in chat included).
import type { OpenPollView } from '../src/modules/polls/service.ts'
import type { PredictionView, SettledPredictionView } from '../src/modules/predictions/service.ts'
import { AdminPage, AdminTable, Csrf, type Flash } from './admin.tsx'

export function EconomyPage(props: {
	csrf: string
	flash: Flash | undefined
	predictionsOn: boolean
	pollsOn: boolean
	prediction: PredictionView | undefined
	last: SettledPredictionView | undefined
	polls: OpenPollView[]
}): JSX.Element {
	const { csrf, prediction } = props
	return (
		<AdminPage title="Predictions & polls" tab="economy" csrf={csrf} flash={props.flash} live>
			<h2>Prediction</h2>
			{!props.predictionsOn ? (
				<p class="empty">Predictions are off (predictions_enabled = false in config.toml).</p>
			) : prediction ? (
				<div class="card">
					<p>
						<strong safe>{prediction.question}</strong>{' '}
						<span class="muted">
							{prediction.status === 'open' ? (prediction.closesAt ? `betting open until ${prediction.closesAt.slice(11, 19)} UTC` : 'betting open') : 'betting closed'}
						</span>
					</p>
					<AdminTable headers={['Outcome', 'Pool', 'Bettors', 'Odds']}>
						{prediction.outcomes.map((o) => (
							<tr>
								<td safe>{o.name}</td>
								<td class="num" data-label="Pool" safe>
									{String(o.pool)}
								</td>
								<td class="num" data-label="Bettors" safe>
									{String(o.bettors)}
								</td>
								<td class="num" data-label="Odds" safe>
									{o.odds === null ? '–' : `x${o.odds.toFixed(2)}`}
								</td>
							</tr>
						))}
					</AdminTable>
					<div class="row-form">
						{prediction.status === 'open' ? (
							<form method="post" action="/admin/economy/prediction" class="row-form">
								<Csrf token={csrf} />
								<button type="submit" name="action" value="lock">
									Lock betting
								</button>
							</form>
						) : (
							''
						)}
						<form method="post" action="/admin/economy/prediction" class="row-form">
							<Csrf token={csrf} />
							<input type="hidden" name="action" value="resolve" />
							<label for="resolve-outcome">Answer</label>
							<select id="resolve-outcome" name="outcome">
								{prediction.outcomes.map((o, i) => (
									<option value={String(i + 1)} safe>
										{o.name}
									</option>
								))}
							</select>
							<button type="submit">Resolve and pay out</button>
						</form>
						<form method="post" action="/admin/economy/prediction" class="row-form">
							<Csrf token={csrf} />
							<input type="hidden" name="action" value="cancel" />
							<label>
								<input type="checkbox" name="confirm" value="yes" /> I am sure
							</label>
							<button type="submit" class="danger">
								Cancel and refund every bet
							</button>
						</form>
					</div>
				</div>
			) : (
				<>
					{props.last ? (
						<p class="meta" safe>
							{`Last: ${props.last.question} ${props.last.status === 'cancelled' ? '(cancelled, refunded)' : `→ ${props.last.winner ?? '?'}`}`}
						</p>
					) : (
						''
					)}
					<form method="post" action="/admin/economy/prediction" class="editor">
						<Csrf token={csrf} />
						<input type="hidden" name="action" value="open" />
						<div class="field">
							<label for="p-question">Question</label>
							<input type="text" id="p-question" name="question" maxlength="200" required />
						</div>
						<div class="field">
							<label for="p-outcomes">Outcomes, one per line (2 to 10)</label>
							<textarea id="p-outcomes" name="outcomes" rows="3" required></textarea>
						</div>
						<div class="field">
							<label for="p-seconds">Betting window in seconds (optional)</label>
							<input type="text" id="p-seconds" name="seconds" inputmode="numeric" maxlength="6" />
						</div>
						<p class="actions">
							<button type="submit">Open the prediction</button>
						</p>
					</form>
				</>
			)}
			<h2>Polls</h2>
			{!props.pollsOn ? (
				<p class="empty">Polls are off (polls_enabled = false in config.toml).</p>
			) : (
				<>
					{props.polls.length === 0 ? (
						<p class="empty">No poll is open.</p>
					) : (
						<ul class="poll-list">
							{props.polls.map((poll) => (
								<li class="card">
									<p>
										<strong safe>{poll.name}</strong>: <span safe>{poll.question}</span>{' '}
										<span class="muted">{poll.source === 'file' ? '(redeems.toml)' : ''}</span>
									</p>
									<p safe>{poll.options.map((o) => `${o.name} ${o.points}`).join(' · ')}</p>
									<form method="post" action="/admin/economy/poll" class="row-form">
										<Csrf token={csrf} />
										<input type="hidden" name="action" value="close" />
										<input type="hidden" name="name" value={poll.name} />
										<button type="submit">
											Close<span class="visually-hidden" safe>{` ${poll.name}`}</span>
										</button>
									</form>
								</li>
							))}
						</ul>
					)}
					<form method="post" action="/admin/economy/poll" class="editor">
						<Csrf token={csrf} />
						<input type="hidden" name="action" value="open" />
						<div class="field">
							<label for="poll-name">Poll name (one word: viewers type it)</label>
							<input type="text" id="poll-name" name="name" maxlength="64" required />
						</div>
						<div class="field">
							<label for="poll-question">Question</label>
							<input type="text" id="poll-question" name="question" maxlength="300" required />
						</div>
						<div class="field">
							<label for="poll-options">Options, one per line (2 to 10)</label>
							<textarea id="poll-options" name="options" rows="3" required></textarea>
						</div>
						<p class="actions">
							<button type="submit">Open the poll</button>
						</p>
					</form>
				</>
			)}
		</AdminPage>
	)
}
