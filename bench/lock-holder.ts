// Another process holding the database's write lock: `bun bench/lock-holder.ts <db path> <ms>` opens the database,
// takes the write lock (BEGIN IMMEDIATE), prints "locked", keeps it for <ms> milliseconds, then rolls back.
import { Database } from 'bun:sqlite'

const [path, ms] = process.argv.slice(2)
const db = new Database(path as string)
db.run('PRAGMA busy_timeout = 10000')
db.run('BEGIN IMMEDIATE')
db.run("INSERT INTO bot_state (key, value) VALUES ('bench_lock', 'held') ON CONFLICT (key) DO UPDATE SET value = excluded.value")
console.log(JSON.stringify({ state: 'locked' }))
await Bun.sleep(Number(ms))
db.run('ROLLBACK')
db.close()
console.log(JSON.stringify({ state: 'released' }))
