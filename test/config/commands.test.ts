// The command registry: [commands] renames, collisions with redeems, and how config.toml reports mistakes.
import { describe, expect, test } from 'bun:test'
import { ConfigError, loadConfig } from '../../src/config/load.ts'
import { COMMAND_IDS, createCommandTable } from '../../src/modules/commands/registry.ts'
import { makeInstance, useTempDirs } from '../helpers.ts'

useTempDirs()

const configError = (commands: string): string => {
	const { instanceDir } = makeInstance({ config: `secret_key = "0123456789abcdef0123"\n[commands]\n${commands}\n` })
	try {
		loadConfig(instanceDir, {})
	} catch (error) {
		expect(error).toBeInstanceOf(ConfigError)
		return (error as Error).message.replace(/^.*config\.toml: /, '')
	}
	throw new Error('no error')
}

describe('command table', () => {
	test('every built-in answers to its own name by default, in table order', () => {
		const table = createCommandTable({})
		for (const id of COMMAND_IDS) expect(table.lookup(id)).toBe(id)
		expect(table.available('everyone').map((c) => c.name)).toEqual(['help', 'points', 'name_update', 'store', 'link', 'bet', 'vote', 'top', 'hide', 'give'])
		expect(table.listed().map((c) => c.name)).toEqual(['help', 'points', 'name_update', 'store', 'bet', 'vote', 'top', 'hide', 'give'])
		expect(table.usage('reject', '!')).toBe('!reject <id> [reason]')
	})

	test('a rename moves the built-in; the old name is free', () => {
		const table = createCommandTable({ renames: { points: 'Balance' } })
		expect(table.lookup('balance')).toBe('points')
		expect(table.lookup('points')).toBeUndefined()
		expect(table.nameOf('points')).toBe('balance')
	})

	test('a redeem with a built-in name takes it; the collision is reported once per built-in', () => {
		const table = createCommandTable({ redeems: [{ name: 'Give' }, { name: 'Done' }] })
		expect(table.lookup('done')).toBeUndefined()
		expect(table.nameOf('done')).toBeUndefined()
		// "give" became a built-in after redeems could be called that: the redeem keeps it too.
		expect(table.lookup('give')).toBeUndefined()
		expect(table.collisions).toEqual([
			{ id: 'done', name: 'done', redeem: 'Done' },
			{ id: 'give', name: 'give', redeem: 'Give' }
		])
		// Renamed away, the built-in is back under its new name.
		const renamed = createCommandTable({ renames: { done: 'finish' }, redeems: [{ name: 'Done' }] })
		expect(renamed.lookup('finish')).toBe('done')
		expect(renamed.collisions).toEqual([])
	})

	test('a switched-off built-in reserves no name', () => {
		const table = createCommandTable({ enabled: (id) => id !== 'category' })
		expect(table.lookup('category')).toBeUndefined()
		expect(table.available('moderator').map((c) => c.id)).not.toContain('category')
	})
})

describe('[commands] in config.toml', () => {
	test('renames load', () => {
		const { instanceDir } = makeInstance({ config: 'secret_key = "0123456789abcdef0123"\n[commands]\npoints = "balance"\n' })
		expect(loadConfig(instanceDir, {}).config.commands).toEqual({ points: 'balance' })
	})

	test('an unknown built-in is an error with a hint', () => {
		expect(configError('pionts = "x"')).toBe('commands.pionts: not a built-in command; did you mean "points"?')
		expect(configError('constructor = "x"')).toStartWith('commands.constructor: not a built-in command')
	})

	test('a name must be a chat word', () => {
		expect(configError('points = "my points"')).toBe('commands.points: a command name is 1 to 64 characters without spaces, got "my points"')
		expect(configError('points = ""')).toBe('commands.points: a command name is 1 to 64 characters without spaces, got ""')
	})

	test('two built-ins cannot share a name', () => {
		expect(configError('points = "help"')).toBe('commands.points: "help" is also the name of the built-in command help; give each built-in its own name')
		expect(configError('points = "x"\nhelp = "X"')).toBe('commands.points: "x" is also the name of the built-in command help; give each built-in its own name')
		// Swapping two names is fine.
		const { instanceDir } = makeInstance({ config: 'secret_key = "0123456789abcdef0123"\n[commands]\npoints = "help"\nhelp = "points"\n' })
		expect(loadConfig(instanceDir, {}).config.commands).toEqual({ points: 'help', help: 'points' })
	})
})
