import { defineCommand } from 'citty'
import { ensureInstance } from '../config/instance.ts'
import { loadConfig, loadRedeems, resolveInstanceDir } from '../config/load.ts'
import { instanceArgs } from './_args.ts'
import { list, show } from './_instance.ts'

export default defineCommand({
	meta: { name: 'init', description: 'Create the instance folder with config.toml and redeems.toml (never overwrites)' },
	args: { ...instanceArgs },
	run({ args }) {
		const dir = resolveInstanceDir(args.instance)
		const created = ensureInstance(dir)
		// Check what is there now, so a broken existing file is reported at once.
		loadConfig(dir)
		loadRedeems(dir)
		if (created.length === 0) console.log(`${show(dir)} already has config.toml and redeems.toml; nothing created`)
		else console.log(`Created ${list(created.map(show))}; next: run \`tlapbot connect <owncast-url>\` (or set owncast_access_token by hand), then \`tlapbot serve\``)
	}
})
