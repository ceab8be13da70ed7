import { defineCommand } from 'citty'
import { createAdminLinks, LINK_MINUTES } from '../modules/admin/links.ts'
import { instanceArgs } from './_args.ts'
import { withDatabase } from './_instance.ts'
import { redactUrl } from '../log.ts'

export default defineCommand({
	meta: {
		name: 'admin-link',
		description: `Print a one-time link to log in to the admin page (valid ${LINK_MINUTES} minutes, once)`
	},
	args: { ...instanceArgs },
	run({ args }) {
		withDatabase(args.instance, (db, { config }) => {
			const { token, expiresAt } = createAdminLinks(db).create(Date.now())
			const local = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`
			// A user name and password in public_url are the streamer's own: never printed (see redactUrl).
			const base = redactUrl(config.public_url ?? local)
			// The link alone on stdout (easy to copy or pipe); the explanations on stderr.
			console.log(`${base}/admin/login?token=${token}`)
			console.error(`This link logs in to the admin page once; it expires in ${LINK_MINUTES} minutes (${expiresAt.slice(11, 16)} UTC).`)
			if (!config.public_url) {
				console.error(
					'public_url is not set: replace the local address above with the public https address the bot is reached at'
				)
			}
		})
	}
})
