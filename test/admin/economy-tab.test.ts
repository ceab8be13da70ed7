// The admin page's Predictions & polls tab: the same code as !predict and !poll, announced in chat, audited.
import { afterEach, expect, test } from 'bun:test'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'
import { act, flashOf, html, login } from '../support/admin-http.ts'
import { ledgerInvariantViolations } from '../helpers.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const PASSWORD = 'correct horse battery'

test('open, resolve and cancel a prediction and open and close a poll from the page; chat is told; the audit log names the admin', async () => {
	bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '100', TLAPBOT_ADMIN_PASSWORD: PASSWORD } })
	const b = bot
	const admin = await login(b, PASSWORD)
	const empty = await html(b, '/admin/economy', admin)
	expect(empty).toContain('<h1>Predictions &amp; polls</h1>')
	expect(empty).toContain('<button type="submit">Open the prediction</button>')

	// The form's problems are said before anything happens.
	expect(flashOf(await act(b, admin, '/admin/economy/prediction', { action: 'open', question: 'Q?', outcomes: 'only one' })).error).toBe(
		'Give a question and at least 2 outcomes, one per line; nothing changed.'
	)
	expect(flashOf(await act(b, admin, '/admin/economy/prediction', { action: 'open', question: 'A | B', outcomes: 'x\ny' })).error).toContain('cannot contain "|"')

	const opened = await act(b, admin, '/admin/economy/prediction', { action: 'open', question: 'Boss first try?', outcomes: 'yes\r\nno\r\n', seconds: '60' })
	expect(flashOf(opened).ok).toBe(
		'Done; said in chat: Prediction: Boss first try? Bet with !bet <outcome> <points>: 1. yes, 2. no. Betting closes in 60 seconds.'
	)
	await settle(b)
	expect(b.fake.messages.at(-1)).toBe('Prediction: Boss first try? Bet with !bet <outcome> <points>: 1. yes, 2. no. Betting closes in 60 seconds.')
	await b.chatReplies({ id: 'ann', displayName: 'Ann' }, '!bet yes 40')
	await b.chatReplies({ id: 'ben', displayName: 'Ben' }, '!bet no 60')
	const running = await html(b, '/admin/economy', admin)
	expect(running).toContain('<strong>Boss first try?</strong>')
	expect(running).toMatch(/<td>yes<\/td><td class="num" data-label="Pool">40<\/td><td class="num" data-label="Bettors">1<\/td><td class="num" data-label="Odds">x2.50<\/td>/)
	// A second one is refused while this runs.
	expect(flashOf(await act(b, admin, '/admin/economy/prediction', { action: 'open', question: 'Again?', outcomes: 'a\nb' })).error).toBe(
		'A prediction is already running: Boss first try? Resolve or cancel it first.'
	)
	const resolved = await act(b, admin, '/admin/economy/prediction', { action: 'resolve', outcome: '1' })
	expect(flashOf(resolved).ok).toBe('Done; said in chat: Boss first try? The answer is yes! 1 won 100 points between them.')
	expect(b.balance('ann')).toBe(160)
	expect(b.balance('ben')).toBe(40)

	// Cancel: only with "I am sure", and every bet back.
	await act(b, admin, '/admin/economy/prediction', { action: 'open', question: 'Rain?', outcomes: 'yes\nno' })
	await b.chatReplies({ id: 'ann', displayName: 'Ann' }, '!bet no 60')
	expect(flashOf(await act(b, admin, '/admin/economy/prediction', { action: 'cancel' })).error).toContain('Tick "I am sure"')
	expect(b.balance('ann')).toBe(100)
	expect(flashOf(await act(b, admin, '/admin/economy/prediction', { action: 'cancel', confirm: 'yes' })).ok).toBe(
		'Done; said in chat: The prediction "Rain?" was cancelled; every bet was refunded.'
	)
	expect(b.balance('ann')).toBe(160)

	// Polls.
	const poll = await act(b, admin, '/admin/economy/poll', { action: 'open', name: 'food', question: 'Which food?', options: 'pizza\nsoup' })
	expect(flashOf(poll).ok).toBe('Done; said in chat: Poll food: Which food? Vote with !vote food <option> <points>: 1. pizza, 2. soup.')
	await b.chatReplies({ id: 'ben', displayName: 'Ben' }, '!vote food soup 15')
	expect(await html(b, '/admin/economy', admin)).toContain('<p>pizza 0 · soup 15</p>')
	expect(flashOf(await act(b, admin, '/admin/economy/poll', { action: 'close', name: 'food' })).ok).toBe('Done; said in chat: Poll food is closed: soup 15, pizza 0.')
	expect(flashOf(await act(b, admin, '/admin/economy/poll', { action: 'close', name: 'food' })).error).toBe('There is no open poll called food.')

	const audit = b.db.query<{ actor: string; action: string }, []>("SELECT actor, action FROM audit_log WHERE action LIKE 'predict%' OR action LIKE 'poll%' ORDER BY id").all()
	expect(audit.map((a) => a.action)).toEqual(['prediction_open', 'prediction_resolve', 'prediction_open', 'prediction_cancel', 'poll_open', 'poll_close'])
	expect(new Set(audit.map((a) => a.actor))).toEqual(new Set(['admin (web)']))
	expect(ledgerInvariantViolations(b.db)).toEqual([])

	// Switched off: the tab says so and the forms change nothing.
	b.reconfigure({ predictions_enabled: false })
	expect(await html(b, '/admin/economy', admin)).toContain('Predictions are off')
	expect(flashOf(await act(b, admin, '/admin/economy/prediction', { action: 'open', question: 'Q?', outcomes: 'a\nb' })).error).toBe(
		'Predictions are off (predictions_enabled in config.toml).'
	)
})
