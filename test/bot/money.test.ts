import type { Database } from 'bun:sqlite'
import { afterEach, describe, expect, test } from 'bun:test'
import { openDatabase } from '../../src/db/database.ts'
import { createBot } from '../../src/bot.ts'
import { createLogger } from '../../src/log.ts'
import type { PricedRedeem } from '../../src/modules/redeems/model.ts'
import { createTestBot, settle, type TestBot } from '../support/bot.ts'

let bot: TestBot | undefined
afterEach(() => {
	bot?.close()
	bot = undefined
})

/** Viewers whose balance differs from the sum of their ledger rows. */
function ledgerMismatches(db: Database) {
	return db
		.query(
			`SELECT v.id, v.balance, coalesce(sum(l.delta), 0) AS ledger FROM viewers v LEFT JOIN ledger l ON l.viewer_id = v.id
			GROUP BY v.id HAVING v.balance != coalesce(sum(l.delta), 0)`
		)
		.all()
}

describe('money rules', () => {
	test('200 concurrent redeems by a viewer who can afford 10 give exactly 10 successes and a balance of 0', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '600' } })
		const alice = { id: 'alice', displayName: 'Alice' }
		const responses = await Promise.all(Array.from({ length: 200 }, () => bot!.chat(alice, '!hydrate')))
		expect(responses.every((r) => r.status === 204)).toBe(true)
		await settle(bot)
		expect(bot.balance('alice')).toBe(0)
		expect(bot.db.query('SELECT count(*) AS n FROM redemptions').get()).toEqual({ n: 10 })
		expect(bot.fake.messages.filter((m) => m.includes('redeemed hydrate'))).toHaveLength(10)
		expect(bot.fake.messages.filter((m) => m.includes('costs 60 points'))).toHaveLength(190)
		expect(ledgerMismatches(bot.db)).toEqual([])
	})

	test('50 concurrent milestone donations lose and create no point', async () => {
		bot = await createTestBot({
			env: { TLAPBOT_STARTING_POINTS: '100' },
			redeemsToml: '[redeems.goal]\ntype = "milestone"\ngoal = 3000\n'
		})
		const viewers = Array.from({ length: 25 }, (_, i) => ({ id: `v${i}`, displayName: `Viewer${i}` }))
		for (const v of viewers) await bot.chat(v, 'hi')
		// Every viewer sends two donations of 70 at once: only one of each pair can be paid for.
		const responses = await Promise.all(viewers.flatMap((v) => [bot!.chat(v, '!goal 70'), bot!.chat(v, '!goal 70')]))
		expect(responses.every((r) => r.status === 204)).toBe(true)
		await settle(bot)
		const total = bot.db.query<{ total: number }, []>('SELECT sum(balance) AS total FROM viewers').get()?.total ?? 0
		const progress = bot.deps.stores.redeems.milestone('goal')?.progress ?? -1
		expect(progress).toBe(25 * 70)
		expect(total + progress).toBe(25 * 100)
		expect(ledgerMismatches(bot.db)).toEqual([])
	})

	test('donations racing to complete a milestone never overshoot the goal or overcharge', async () => {
		bot = await createTestBot({
			env: { TLAPBOT_STARTING_POINTS: '100' },
			redeemsToml: '[redeems.goal]\ntype = "milestone"\ngoal = 1000\n'
		})
		const viewers = Array.from({ length: 50 }, (_, i) => ({ id: `v${i}`, displayName: `Viewer${i}` }))
		for (const v of viewers) await bot.chat(v, 'hi')
		await Promise.all(viewers.map((v) => bot!.chat(v, '!goal 60')))
		await settle(bot)
		const total = bot.db.query<{ total: number }, []>('SELECT sum(balance) AS total FROM viewers').get()?.total ?? 0
		expect(bot.deps.stores.redeems.milestone('goal')).toMatchObject({ progress: 1000, completed: true })
		expect(total).toBe(50 * 100 - 1000)
		expect(bot.fake.messages.filter((m) => m.includes('reached its goal'))).toHaveLength(1)
		expect(ledgerMismatches(bot.db)).toEqual([])
	})

	test('two connections (two processes) spending from one balance never overspend', async () => {
		bot = await createTestBot({ env: { TLAPBOT_STARTING_POINTS: '100' } })
		await bot.chat({ id: 'alice', displayName: 'Alice' }, 'hi')
		const { config, redeems } = bot.deps.settings()
		const second = openDatabase(config.databasePath)
		try {
			const other = createBot({ config, redeems, db: second, log: createLogger('error', () => {}) })
			const purchases = [bot.deps.purchases, other.purchases]
			const hydrate: PricedRedeem = { name: 'hydrate', type: 'list', price: 30, categories: [], limits: {}, autoFulfil: false }
			let successes = 0
			for (let i = 0; i < 40; i++) {
				const result = purchases[i % 2]!.queue({ viewerId: 'alice', redeem: hydrate, note: null }, Date.now())
				if (result.ok) successes++
			}
			expect(successes).toBe(3)
			expect(bot.balance('alice')).toBe(10)
			expect(ledgerMismatches(second)).toEqual([])
		} finally {
			second.close()
		}
	})
})
