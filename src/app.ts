// The one HTTP application: health check now; webhooks and the dashboard plug in here.
import type { Database } from 'bun:sqlite'
import { Elysia } from 'elysia'
import type { Config } from './config/load.ts'
import type { Logger } from './log.ts'
import { VERSION } from './version.ts'

export type AppDeps = {
	config: Config
	db: Database
	log: Logger
}

export function createApp(deps: AppDeps) {
	return new Elysia()
		.onError(({ code, error, set }) => {
			if (code === 'NOT_FOUND') {
				set.status = 404
				return { error: 'not_found' }
			}
			if (code === 'PARSE' || code === 'VALIDATION') {
				set.status = 400
				return { error: 'bad_request' }
			}
			deps.log.error('request failed', error)
			set.status = 500
			return { error: 'internal_error' }
		})
		.get('/healthz', ({ set }) => {
			let database = 'ok'
			try {
				deps.db.query('SELECT 1').get()
			} catch {
				database = 'error'
				set.status = 503
			}
			return { status: database === 'ok' ? 'ok' : 'error', version: VERSION, database }
		})
}

export type App = ReturnType<typeof createApp>
