// Betting on the prediction from the store page: the same service and words as !bet, a bearer session, one answer
// per Idempotency-Key.
import { afterEach, expect, test } from 'bun:test'
import { createTestBot, type TestBot } from '../support/bot.ts'
import { api } from '../support/store-http.ts'
import { ledgerInvariantViolations } from '../helpers.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

const alice = { id: 'alice', displayName: 'Alice' }
const mod = { id: 'mod', displayName: 'Mod', moderator: true }

async function signIn(b: TestBot): Promise<string> {
	const { code, claim } = (await api(b, 'POST', '/api/store/signin')).json as { code: string; claim: string }
	await b.chat(alice, `!link ${code}`)
	return (await api(b, 'POST', '/api/store/signin/collect', { body: { code, claim } })).json.session as string
}

test('a signed-in viewer sees the prediction and bets from the page; a retried click bets once', async () => {
	bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '100' } })
	const b = bot
	const session = await signIn(b)
	expect((await api(b, 'GET', '/api/store', { session })).json.prediction).toBeNull()
	await b.chatReplies(mod, '!predict open Boss? | yes | no')
	const view = (await api(b, 'GET', '/api/store', { session })).json.prediction as { question: string; outcomes: { name: string }[]; status: string }
	expect(view.question).toBe('Boss?')
	expect(view.outcomes.map((o) => o.name)).toEqual(['yes', 'no'])

	const headers = { 'idempotency-key': 'click-1' }
	const first = await api(b, 'POST', '/api/store/bet', { session, body: { outcome: '2', amount: 30 }, headers })
	expect(first).toEqual({ status: 200, json: { ok: true, message: '@Alice, you bet 30 points on no (your bet: 30 points). 70 points left.', balance: 70 } })
	// The same click again (a retry): the first answer, nothing more charged.
	expect(await api(b, 'POST', '/api/store/bet', { session, body: { outcome: '2', amount: 30 }, headers })).toEqual(first)
	expect((await api(b, 'POST', '/api/store/bet', { session, body: { outcome: '1', amount: 30 }, headers })).status).toBe(422)
	expect(b.balance('alice')).toBe(70)
	// Refusals in the same words as chat.
	const other = await api(b, 'POST', '/api/store/bet', { session, body: { outcome: 'yes', amount: 5 }, headers: { 'idempotency-key': 'click-2' } })
	expect(other.json).toEqual({ ok: false, message: '@Alice, you already bet on no; one outcome per viewer.', balance: 70 })
	const broke = await api(b, 'POST', '/api/store/bet', { session, body: { outcome: 'no', amount: 500 }, headers: { 'idempotency-key': 'click-3' } })
	expect(broke.json.ok).toBe(false)
	expect(b.balance('alice')).toBe(70)
	// Bad bodies and no session.
	expect((await api(b, 'POST', '/api/store/bet', { session, body: { outcome: 'no', amount: 0 } })).status).toBe(400)
	expect((await api(b, 'POST', '/api/store/bet', { body: { outcome: 'no', amount: 5 } })).status).toBe(401)
	expect(ledgerInvariantViolations(b.db)).toEqual([])
})
