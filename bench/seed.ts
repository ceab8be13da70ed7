// Fills instance folders for the benchmarks directly with bun:sqlite, before `serve` starts on them.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../src/db/database.ts'

const at = (ms: number) => new Date(ms).toISOString()

/** 200,000 known viewers with a large balance, so every redeem in the webhook runs succeeds. */
export function seedWebhookInstance(dir: string, viewers: number): void {
	mkdirSync(dir, { recursive: true })
	const db = openDatabase(join(dir, 'tlapbot.sqlite'))
	const t = at(Date.now() - 86_400_000)
	const insertViewer = db.query(
		`INSERT INTO viewers (id, display_name, balance, created_at, seen_at) VALUES ($id, $name, 1000000000, $t, $t)`
	)
	const insertLedger = db.query(`INSERT INTO ledger (viewer_id, delta, reason, created_at) VALUES ($id, 1000000000, 'import', $t)`)
	db.transaction(() => {
		for (let i = 0; i < viewers; i++) {
			const id = String(i)
			insertViewer.run({ id, name: `Viewer ${i}`, t })
			insertLedger.run({ id, t })
		}
	})()
	db.close()
}

export const DASHBOARD_COUNTERS = 100
export const DASHBOARD_MILESTONES = 100

/**
 * A dashboard instance: redeems.toml with 100 counters, 100 milestones and two queue redeems; 1,000 viewers;
 * `queued` pending queue entries (half list, half note). Counters and milestones only show for redeems in
 * redeems.toml, so both files are written together.
 */
export function seedDashboardInstance(dir: string, queued: number): void {
	mkdirSync(dir, { recursive: true })
	const redeems: string[] = [
		'[redeems.hydrate]\ntype = "list"\nprice = 60\n',
		'[redeems.react]\ntype = "note"\nprice = 200\ninfo = "Attach link to a video for me to react to."\n'
	]
	const pad = (i: number) => String(i).padStart(3, '0')
	for (let i = 0; i < DASHBOARD_COUNTERS; i++) {
		redeems.push(`[redeems.counter_${pad(i)}]\ntype = "counter"\nprice = ${1 + (i % 5)}\ninfo = "Counter number ${i}."\n`)
	}
	for (let i = 0; i < DASHBOARD_MILESTONES; i++) {
		redeems.push(`[redeems.goal_${pad(i)}]\ntype = "milestone"\ngoal = ${1000 + i * 10}\ninfo = "Milestone number ${i}."\n`)
	}
	writeFileSync(join(dir, 'redeems.toml'), redeems.join('\n'))

	const db = openDatabase(join(dir, 'tlapbot.sqlite'))
	const start = Date.now() - 86_400_000
	const insertViewer = db.query(
		`INSERT INTO viewers (id, display_name, balance, created_at, seen_at) VALUES ($id, $name, 500, $t, $t)`
	)
	const insertRedemption = db.query(
		`INSERT INTO redemptions (redeem, redeem_type, viewer_id, cost, note, created_at)
		VALUES ($redeem, $type, $viewer, $cost, $note, $t)`
	)
	const insertCounter = db.query('INSERT INTO counters (name, count) VALUES ($name, $count)')
	const insertMilestone = db.query(
		'INSERT INTO milestones (name, progress, goal, completed) VALUES ($name, $progress, $goal, $completed)'
	)
	db.transaction(() => {
		for (let i = 0; i < 1000; i++) insertViewer.run({ id: `v${i}`, name: `Viewer <${i}> & friends`, t: at(start) })
		for (let i = 0; i < queued; i++) {
			const note = i % 2 === 1
			insertRedemption.run({
				redeem: note ? 'react' : 'hydrate',
				type: note ? 'note' : 'list',
				viewer: `v${i % 1000}`,
				cost: note ? 200 : 60,
				note: note ? `https://videos.example.com/watch?v=${i.toString(36)} please react to this one` : null,
				t: at(start + i * 1000)
			})
		}
		for (let i = 0; i < DASHBOARD_COUNTERS; i++) insertCounter.run({ name: `counter_${pad(i)}`, count: i * 7 })
		for (let i = 0; i < DASHBOARD_MILESTONES; i++) {
			const goal = 1000 + i * 10
			const progress = i % 10 === 0 ? goal : (i * 37) % goal
			insertMilestone.run({ name: `goal_${pad(i)}`, progress, goal, completed: progress >= goal ? 1 : 0 })
		}
	})()
	db.close()
}
