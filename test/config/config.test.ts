import { test, expect, describe } from 'bun:test'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ensureInstance, exampleConfig } from '../../src/config/instance.ts'
import {
	ConfigError,
	displayPath,
	loadConfig,
	loadRedeems,
	parseRedeems,
	resolveInstanceDir,
	type Env
} from '../../src/config/load.ts'
import { COMMAND_IDS } from '../../src/modules/commands/registry.ts'
import { EXPECTED } from '../../src/modules/settings/schema.ts'
import { makeTempDir, TEST_SECRET, useTempDirs, writeInstance } from '../helpers.ts'

useTempDirs()

const SECRET_LINE = `secret_key = "${TEST_SECRET}"\n`

/** An instance folder whose config.toml is exactly `toml`. */
function instanceWith(toml: string): string {
	return writeInstance(join(makeTempDir(), 'instance'), { config: toml })
}

/** The label loadConfig uses for the instance's config.toml in its messages. */
const configLabel = (dir: string) => displayPath(join(dir, 'config.toml'))

function configError(toml: string, env: Env = {}): { message: string; dir: string } {
	const dir = instanceWith(toml)
	try {
		loadConfig(dir, env)
	} catch (error) {
		expect(error).toBeInstanceOf(ConfigError)
		expect((error as ConfigError).exitCode).toBe(2)
		return { message: (error as Error).message, dir }
	}
	throw new Error(`expected config.toml ${JSON.stringify(toml)} to be rejected`)
}

function redeemsError(toml: string): string {
	try {
		parseRedeems(toml, 'redeems.toml')
	} catch (error) {
		expect(error).toBeInstanceOf(ConfigError)
		expect((error as ConfigError).exitCode).toBe(2)
		return (error as Error).message
	}
	throw new Error(`expected redeems.toml ${JSON.stringify(toml)} to be rejected`)
}

const DEFAULTS = {
	owncast_url: 'http://localhost:8080',
	owncast_access_token: '',
	secret_key: TEST_SECRET,
	points_cycle_time: 600,
	points_amount_given: 10,
	passive: false,
	list_redeems: false,
	active_categories: [],
	prefix: '!',
	starting_points: 10,
	host: '127.0.0.1',
	port: 8000,
	database: 'tlapbot.sqlite',
	log_level: 'info' as const,
	command_rate_limit: 1,
	backup_keep: 7,
	private_replies: true,
	viewer_session_days: 30,
	public_balances: true,
	event_clients: 100,
	outgoing_webhooks: [],
	reset_on_stream_start: [],
	trusted_proxies: [],
	predictions_enabled: true,
	polls_enabled: true,
	leaderboard_enabled: true,
	give_enabled: true,
	give_max_per_day: 1000,
	give_min_earned: 100,
	ignore_users: [],
	active_chatter_bonus: 0,
	first_chat_bonus: 0,
	streak_bonus: 0,
	streak_streams: 3,
	messages: {},
	commands: {}
}

describe('loadConfig: defaults', () => {
	test('a config.toml with only secret_key gets every default', () => {
		const dir = instanceWith(SECRET_LINE)
		const { config, warnings } = loadConfig(dir, {})
		expect(config).toEqual({ ...DEFAULTS, instanceDir: dir, databasePath: join(dir, 'tlapbot.sqlite') })
		expect(config.public_url).toBeUndefined()
		expect(config.webhook_secret).toBeUndefined()
		expect(warnings).toEqual([])
	})

	test('the example config.toml (as init writes it) loads with the same defaults', () => {
		const dir = instanceWith(exampleConfig(TEST_SECRET))
		const { config } = loadConfig(dir, {})
		expect(config).toEqual({ ...DEFAULTS, instanceDir: dir, databasePath: join(dir, 'tlapbot.sqlite') })
	})

	test('every key can be set in the file', () => {
		const dir = instanceWith(
			[
				SECRET_LINE,
				'owncast_url = "https://owncast.example.com/"',
				'owncast_access_token = "  tok  "',
				'points_cycle_time = 1',
				'points_amount_given = 0',
				'passive = true',
				'list_redeems = true',
				'active_categories = ["gaming", " chatting "]',
				'prefix = "?"',
				'starting_points = 0',
				'host = "0.0.0.0"',
				'port = 0',
				'public_url = "https://bot.example.com"',
				'webhook_secret = "hook"',
				'database = "data/bot.sqlite"',
				'log_level = "debug"',
				'command_rate_limit = 2.5',
				'backup_keep = 0',
				'trusted_proxies = ["127.0.0.1", " 10.0.0.0/8 ", "2001:db8::/32"]',
				'predictions_enabled = false',
				'polls_enabled = false',
				'leaderboard_enabled = false',
				'give_enabled = false',
				'give_max_per_day = 50',
				'give_min_earned = 0',
				'ignore_users = [" OtherBot ", "user-id-1"]',
				'active_chatter_bonus = 2',
				'first_chat_bonus = 5',
				'streak_bonus = 25',
				'streak_streams = 4'
			].join('\n')
		)
		const { config } = loadConfig(dir, {})
		expect(config).toEqual({
			owncast_url: 'https://owncast.example.com',
			owncast_access_token: 'tok',
			secret_key: TEST_SECRET,
			points_cycle_time: 1,
			points_amount_given: 0,
			passive: true,
			list_redeems: true,
			active_categories: ['gaming', 'chatting'],
			prefix: '?',
			starting_points: 0,
			host: '0.0.0.0',
			port: 0,
			public_url: 'https://bot.example.com',
			webhook_secret: 'hook',
			database: 'data/bot.sqlite',
			log_level: 'debug',
			command_rate_limit: 2.5,
			backup_keep: 0,
			private_replies: true,
			viewer_session_days: 30,
			public_balances: true,
			event_clients: 100,
			outgoing_webhooks: [],
			reset_on_stream_start: [],
			trusted_proxies: ['127.0.0.1', '10.0.0.0/8', '2001:db8::/32'],
			predictions_enabled: false,
			polls_enabled: false,
			leaderboard_enabled: false,
			give_enabled: false,
			give_max_per_day: 50,
			give_min_earned: 0,
			ignore_users: ['OtherBot', 'user-id-1'],
			active_chatter_bonus: 2,
			first_chat_bonus: 5,
			streak_bonus: 25,
			streak_streams: 4,
			messages: {},
			commands: {},
			instanceDir: dir,
			databasePath: join(dir, 'data', 'bot.sqlite')
		})
	})

	test('an absolute database path is kept as it is', () => {
		const elsewhere = join(makeTempDir(), 'db.sqlite')
		const dir = instanceWith(`${SECRET_LINE}database = ${JSON.stringify(elsewhere)}\n`)
		expect(loadConfig(dir, {}).config.databasePath).toBe(elsewhere)
	})

	test('prefix accepts any single symbol, including one outside ASCII', () => {
		for (const prefix of ['!', '?', '$', '~', '€', '🦀']) {
			const dir = instanceWith(`${SECRET_LINE}prefix = ${JSON.stringify(prefix)}\n`)
			expect(loadConfig(dir, {}).config.prefix).toBe(prefix)
		}
	})

	test('a missing config.toml says to run init', () => {
		const dir = makeTempDir()
		expect(() => loadConfig(dir, {})).toThrow(ConfigError)
		expect(() => loadConfig(dir, {})).toThrow(/config\.toml not found: run `tlapbot init`/)
	})
})

describe('loadConfig: each key rejects bad values with file, key and expectation', () => {
	// [key, TOML value, what the message shows after "got"]
	const cases: [keyof typeof EXPECTED, string, string][] = [
		['owncast_url', '3', '3'],
		['owncast_url', '"ftp://owncast.example.com"', '"ftp://owncast.example.com"'],
		['owncast_url', '"localhost:8080"', '"localhost:8080"'],
		['owncast_url', '"not a url"', '"not a url"'],
		// Secrets are described, never shown.
		['owncast_access_token', '5', 'number (not shown)'],
		['secret_key', '"short"', 'a text of 5 characters (not shown)'],
		['secret_key', '"fifteen-chars!!"', 'a text of 15 characters (not shown)'],
		['secret_key', '1234567890123456', 'number (not shown)'],
		['points_cycle_time', '0', '0'],
		['points_cycle_time', '-5', '-5'],
		['points_cycle_time', '1.5', '1.5'],
		['points_cycle_time', '"600"', '"600"'],
		['points_amount_given', '-1', '-1'],
		['points_amount_given', '2.5', '2.5'],
		['passive', '"yes"', '"yes"'],
		['passive', '1', '1'],
		['list_redeems', '"true"', '"true"'],
		['active_categories', '"gaming"', '"gaming"'],
		['prefix', '"ab"', '"ab"'],
		['prefix', '"a"', '"a"'],
		['prefix', '" "', '" "'],
		['prefix', '"1"', '"1"'],
		['prefix', '""', '""'],
		['prefix', '1', '1'],
		['starting_points', '-1', '-1'],
		['host', '""', '""'],
		['host', '1', '1'],
		['port', '65536', '65536'],
		['port', '-1', '-1'],
		['port', '"8000"', '"8000"'],
		['public_url', '"bot.example.com"', '"bot.example.com"'],
		['public_url', '"javascript:alert(1)"', '"javascript:alert(1)"'],
		['webhook_secret', '""', 'a text of 0 characters (not shown)'],
		['admin_password', '"abc"', 'a text of 3 characters (not shown)'],
		['database', '""', '""'],
		['database', '3', '3'],
		['log_level', '"verbose"', '"verbose"'],
		['log_level', '"INFO"', '"INFO"'],
		['command_rate_limit', '-1', '-1'],
		['command_rate_limit', '1001', '1001'],
		['command_rate_limit', '"fast"', '"fast"'],
		['backup_keep', '-1', '-1'],
		['backup_keep', '366', '366'],
		['backup_keep', '1.5', '1.5']
	]
	for (const [key, value, got] of cases) {
		test(`${key} = ${value}`, () => {
			const secret = key === 'secret_key' ? '' : SECRET_LINE
			const { message, dir } = configError(`${secret}${key} = ${value}\n`)
			expect(message).toBe(`${configLabel(dir)}: ${key}: ${EXPECTED[key]}, got ${got}`)
		})
	}

	test('a list entry of the wrong type names its index', () => {
		const { message, dir } = configError(`${SECRET_LINE}active_categories = ["gaming", 1]\n`)
		expect(message).toBe(`${configLabel(dir)}: active_categories[1]: ${EXPECTED.active_categories}, got 1`)
	})

	test('a missing secret_key is reported as missing', () => {
		const { message, dir } = configError('port = 8000\n')
		expect(message).toBe(`${configLabel(dir)}: secret_key: missing; ${EXPECTED.secret_key}`)
	})

	test('the message names the file by its full path when it is outside the working directory', () => {
		const { message, dir } = configError(`${SECRET_LINE}port = "x"\n`)
		expect(message.startsWith(`${join(dir, 'config.toml')}: port:`)).toBe(true)
	})
})

describe('loadConfig: unknown keys', () => {
	test('a misspelt key suggests the right one', () => {
		const { message, dir } = configError(`${SECRET_LINE}prot = 8000\n`)
		expect(message).toBe(`${configLabel(dir)}: prot: unknown key; did you mean "port"?`)
	})

	test('a misspelt required key is reported as the typo, not as missing', () => {
		const { message, dir } = configError(`secret_kye = "${TEST_SECRET}"\n`)
		expect(message).toBe(`${configLabel(dir)}: secret_kye: unknown key; did you mean "secret_key"?`)
	})

	test('case mistakes suggest the right key', () => {
		const { message } = configError(`${SECRET_LINE}Log_Level = "info"\n`)
		expect(message).toContain('Log_Level: unknown key; did you mean "log_level"?')
	})

	test('a key with no close match lists the known keys', () => {
		const { message, dir } = configError(`${SECRET_LINE}zzzzzzzzzz = 1\n`)
		expect(message).toStartWith(`${configLabel(dir)}: zzzzzzzzzz: unknown key; known keys are owncast_url, `)
		expect(message).toContain('log_level')
	})

	test('redeems written into config.toml are an unknown key that lists the config keys', () => {
		const { message, dir } = configError(`${SECRET_LINE}[redeems.hydrate]\ntype = "list"\nprice = 1\n`)
		expect(message).toStartWith(`${configLabel(dir)}: redeems: unknown key; known keys are owncast_url`)
	})
})

describe('loadConfig: TLAPBOT_* environment overrides', () => {
	const load = (env: Env, toml = SECRET_LINE) => loadConfig(instanceWith(toml), env)

	test('numbers, strings and lists', () => {
		const { config, warnings } = load({
			TLAPBOT_PORT: '9000',
			TLAPBOT_POINTS_CYCLE_TIME: ' 30 ',
			TLAPBOT_STARTING_POINTS: '+5',
			TLAPBOT_HOST: '0.0.0.0',
			TLAPBOT_OWNCAST_ACCESS_TOKEN: 'from-env',
			TLAPBOT_ACTIVE_CATEGORIES: 'gaming, chatting',
			TLAPBOT_LOG_LEVEL: 'warn',
			TLAPBOT_COMMAND_RATE_LIMIT: '0.5',
			TLAPBOT_BACKUP_KEEP: '30'
		})
		expect(config.port).toBe(9000)
		expect(config.points_cycle_time).toBe(30)
		expect(config.starting_points).toBe(5)
		expect(config.host).toBe('0.0.0.0')
		expect(config.owncast_access_token).toBe('from-env')
		expect(config.active_categories).toEqual(['gaming', 'chatting'])
		expect(config.log_level).toBe('warn')
		expect(config.command_rate_limit).toBe(0.5)
		expect(config.backup_keep).toBe(30)
		expect(warnings).toEqual([])
	})

	test('a list can also be given in TOML form, and empty means no categories', () => {
		expect(load({ TLAPBOT_ACTIVE_CATEGORIES: '["a", "b c"]' }).config.active_categories).toEqual(['a', 'b c'])
		const fromFile = `${SECRET_LINE}active_categories = ["gaming"]\n`
		expect(load({ TLAPBOT_ACTIVE_CATEGORIES: '' }, fromFile).config.active_categories).toEqual([])
	})

	test('booleans accept true/false, 1/0, yes/no, on/off in any case', () => {
		for (const yes of ['true', '1', 'yes', 'on', 'TRUE', 'Yes']) {
			expect(load({ TLAPBOT_PASSIVE: yes }).config.passive).toBe(true)
		}
		for (const no of ['false', '0', 'no', 'off', 'False', 'OFF']) {
			expect(load({ TLAPBOT_LIST_REDEEMS: no }, `${SECRET_LINE}list_redeems = true\n`).config.list_redeems).toBe(false)
		}
	})

	test('the environment wins over the file, even over an invalid file value', () => {
		expect(load({ TLAPBOT_PORT: '9001' }, `${SECRET_LINE}port = 8001\n`).config.port).toBe(9001)
		expect(load({ TLAPBOT_PORT: '9002' }, `${SECRET_LINE}port = "bad"\n`).config.port).toBe(9002)
	})

	test('the secret can come from the environment alone', () => {
		expect(load({ TLAPBOT_SECRET_KEY: 'an-env-secret-of-enough-length' }, 'port = 8000\n').config.secret_key).toBe(
			'an-env-secret-of-enough-length'
		)
	})

	test('a bad value names the environment variable, not the file', () => {
		const cases: [Env, string][] = [
			[{ TLAPBOT_PORT: 'abc' }, `TLAPBOT_PORT (environment): port: ${EXPECTED.port}, got "abc"`],
			[{ TLAPBOT_PORT: '1.5' }, `TLAPBOT_PORT (environment): port: ${EXPECTED.port}, got 1.5`],
			[{ TLAPBOT_PORT: '80a' }, `TLAPBOT_PORT (environment): port: ${EXPECTED.port}, got "80a"`],
			[{ TLAPBOT_PORT: '70000' }, `TLAPBOT_PORT (environment): port: ${EXPECTED.port}, got 70000`],
			[{ TLAPBOT_PASSIVE: 'maybe' }, `TLAPBOT_PASSIVE (environment): passive: ${EXPECTED.passive}, got "maybe"`],
			[{ TLAPBOT_PREFIX: 'ab' }, `TLAPBOT_PREFIX (environment): prefix: ${EXPECTED.prefix}, got "ab"`],
			[
				{ TLAPBOT_OWNCAST_URL: 'owncast' },
				`TLAPBOT_OWNCAST_URL (environment): owncast_url: ${EXPECTED.owncast_url}, got "owncast"`
			],
			[
				{ TLAPBOT_SECRET_KEY: 'short' },
				`TLAPBOT_SECRET_KEY (environment): secret_key: ${EXPECTED.secret_key}, got a text of 5 characters (not shown)`
			],
			[
				{ TLAPBOT_ACTIVE_CATEGORIES: '[1, 2]' },
				`TLAPBOT_ACTIVE_CATEGORIES (environment): active_categories[0]: ${EXPECTED.active_categories}, got 1`
			]
		]
		for (const [env, message] of cases) {
			expect(() => load(env)).toThrow(message)
		}
	})

	test('an unknown TLAPBOT_ variable is a warning with a hint, not an error', () => {
		const { config, warnings } = load({ TLAPBOT_PROT: '1' })
		expect(config.port).toBe(8000)
		expect(warnings).toEqual(['TLAPBOT_PROT is not a tlapbot setting and is ignored; did you mean TLAPBOT_PORT?'])
	})

	test('TLAPBOT_INSTANCE, TLAPBOT_DEBUG and variables without the prefix are not settings', () => {
		const { config, warnings } = load({ TLAPBOT_INSTANCE: 'elsewhere', TLAPBOT_DEBUG: '1', PORT: '1234', port: '1' })
		expect(config.port).toBe(8000)
		expect(warnings).toEqual([])
	})
})

describe('TOML syntax errors name the file and the line', () => {
	test('config.toml', () => {
		const { message, dir } = configError(`${SECRET_LINE}\n\nport = \n`)
		expect(message).toMatch(new RegExp(`^${escapeRegExp(configLabel(dir))}:4:\\d+: invalid TOML: `))
	})

	test('redeems.toml, through loadRedeems', () => {
		const dir = instanceWith(SECRET_LINE)
		writeFileSync(join(dir, 'redeems.toml'), '[redeems.hydrate]\ntype = "list"\nprice = = 3\n')
		expect(() => loadRedeems(dir)).toThrow(ConfigError)
		expect(() => loadRedeems(dir)).toThrow(new RegExp(`^${escapeRegExp(displayPath(join(dir, 'redeems.toml')))}:3:\\d+: invalid TOML: `))
	})

	test('an unclosed table header', () => {
		expect(redeemsError('[redeems.hydrate\ntype = "list"\n')).toMatch(/^redeems\.toml:1:\d+: invalid TOML: /)
	})
})

describe('parseRedeems', () => {
	test('reads every type with its fields; categories default to none, names keep their case', () => {
		const redeems = parseRedeems(
			[
				'[redeems.Hydrate]',
				'type = "list"',
				'price = 60',
				'[redeems.lurk]',
				'type = "counter"',
				'price = 0',
				'info = "  Lurking.  "',
				'[redeems.react]',
				'type = "note"',
				'price = 200',
				'category = ["gaming", "chatting"]',
				'[redeems.go_nap]',
				'type = "milestone"',
				'goal = 1000',
				'info = ""'
			].join('\n'),
			'redeems.toml'
		)
		expect(redeems).toEqual([
			{ name: 'Hydrate', type: 'list', price: 60, categories: [], autoFulfil: false, limits: {} },
			{ name: 'lurk', type: 'counter', price: 0, categories: [], info: 'Lurking.', autoFulfil: false, limits: {} },
			{ name: 'react', type: 'note', price: 200, categories: ['gaming', 'chatting'], autoFulfil: false, limits: {} },
			{ name: 'go_nap', type: 'milestone', goal: 1000, categories: [], autoFulfil: false, limits: {} }
		])
		expect('info' in (redeems[3] as object)).toBe(false)
	})

	test('an empty file, or an empty [redeems] table, means no redeems', () => {
		expect(parseRedeems('', 'redeems.toml')).toEqual([])
		expect(parseRedeems('[redeems]\n', 'redeems.toml')).toEqual([])
	})

	test('a non-integer goal gives exactly the documented message', () => {
		expect(redeemsError('[redeems.go_nap]\ntype = "milestone"\ngoal = "lots"\n')).toBe(
			'redeems.toml: redeems.go_nap.goal: expected a positive integer, got "lots"'
		)
	})

	const errors: [string, string, string][] = [
		[
			'an unknown type',
			'[redeems.x]\ntype = "bogus"\nprice = 1\n',
			'redeems.toml: redeems.x.type: expected "list", "note", "counter" or "milestone", got "bogus"'
		],
		[
			'a missing type',
			'[redeems.x]\nprice = 1\n',
			'redeems.toml: redeems.x.type: expected "list", "note", "counter" or "milestone", got nothing'
		],
		['a missing price', '[redeems.x]\ntype = "list"\n', 'redeems.toml: redeems.x.price: missing; expected a price: an integer of 0 or more'],
		[
			'a negative price',
			'[redeems.x]\ntype = "note"\nprice = -1\n',
			'redeems.toml: redeems.x.price: expected a price: an integer of 0 or more, got -1'
		],
		[
			'a fractional price',
			'[redeems.x]\ntype = "counter"\nprice = 2.5\n',
			'redeems.toml: redeems.x.price: expected a price: an integer of 0 or more, got 2.5'
		],
		[
			'a price as text',
			'[redeems.x]\ntype = "list"\nprice = "60"\n',
			'redeems.toml: redeems.x.price: expected a price: an integer of 0 or more, got "60"'
		],
		[
			'a goal on a list',
			'[redeems.x]\ntype = "list"\nprice = 1\ngoal = 3\n',
			'redeems.toml: redeems.x.goal: only milestone redeems have a goal; a list redeem has a price'
		],
		[
			'a price on a milestone',
			'[redeems.x]\ntype = "milestone"\ngoal = 3\nprice = 1\n',
			'redeems.toml: redeems.x.price: a milestone has no price: viewers donate any amount towards its goal; remove price and set goal'
		],
		['a missing goal', '[redeems.x]\ntype = "milestone"\n', 'redeems.toml: redeems.x.goal: missing; expected a positive integer'],
		['a zero goal', '[redeems.x]\ntype = "milestone"\ngoal = 0\n', 'redeems.toml: redeems.x.goal: expected a positive integer, got 0'],
		['a fractional goal', '[redeems.x]\ntype = "milestone"\ngoal = 1.5\n', 'redeems.toml: redeems.x.goal: expected a positive integer, got 1.5'],
		['info that is not text', '[redeems.x]\ntype = "list"\nprice = 1\ninfo = 3\n', 'redeems.toml: redeems.x.info: expected a text, got 3'],
		[
			'category that is not a list',
			'[redeems.x]\ntype = "list"\nprice = 1\ncategory = "gaming"\n',
			'redeems.toml: redeems.x.category: expected a list of category names such as ["gaming"], got "gaming"'
		],
		[
			'a misspelt redeem key',
			'[redeems.x]\ntype = "list"\nprice = 1\ninfp = "a"\n',
			'redeems.toml: redeems.x.infp: unknown key; did you mean "info"?'
		],
		[
			'a misspelt price (reported as the typo, not as a missing price)',
			'[redeems.x]\ntype = "list"\nprcie = 1\n',
			'redeems.toml: redeems.x.prcie: unknown key; did you mean "price"?'
		],
		[
			'a nested table inside a redeem',
			'[redeems.x]\ntype = "list"\nprice = 1\n[redeems.x.extra]\na = 1\n',
			'redeems.toml: redeems.x.extra: unknown key; known keys are type, price, goal, info, title, category, auto_fulfil, cooldown, user_cooldown, max_per_stream, max_per_user_per_stream, stock, only_live, max_note_length'
		],
		[
			'a misspelt top-level table',
			'[redeem.x]\ntype = "list"\nprice = 1\n',
			'redeems.toml: redeem: unknown key; did you mean "redeems"?'
		],
		['redeems that is not a table', 'redeems = 3\n', 'redeems.toml: redeems: expected a table of redeems: [redeems.<command>], got 3'],
		[
			'a name with a space',
			'[redeems."go nap"]\ntype = "list"\nprice = 1\n',
			'redeems.toml: redeems."go nap": a redeem name is a chat command: 1 to 64 characters without spaces, got "go nap"'
		],
		[
			'an empty name',
			'[redeems.""]\ntype = "list"\nprice = 1\n',
			'redeems.toml: redeems."": a redeem name is a chat command: 1 to 64 characters without spaces, got ""'
		],
		[
			'names differing only in case',
			'[redeems.Hydrate]\ntype = "list"\nprice = 1\n[redeems.hydrate]\ntype = "note"\nprice = 2\n',
			'redeems.toml: redeems.hydrate: same command as redeems.Hydrate (commands ignore case); rename one of them'
		]
	]
	for (const [what, toml, message] of errors) {
		test(`rejects ${what}`, () => {
			expect(redeemsError(toml)).toBe(message)
		})
	}

	test('a name of 64 characters is fine, 65 is not', () => {
		const ok = 'a'.repeat(64)
		expect(parseRedeems(`[redeems.${ok}]\ntype = "list"\nprice = 1\n`, 'redeems.toml')[0]?.name).toBe(ok)
		expect(redeemsError(`[redeems.${ok}b]\ntype = "list"\nprice = 1\n`)).toContain('1 to 64 characters without spaces')
	})

	test('a redeem may have the name of a built-in command, in any case (the redeem wins; serve warns)', () => {
		for (const word of COMMAND_IDS) {
			for (const name of [word, word.toUpperCase()]) {
				expect(parseRedeems(`[redeems.${name}]\ntype = "list"\nprice = 1\n`, 'redeems.toml')[0]?.name).toBe(name)
			}
		}
	})

	test('the label passed in is the file named in messages', () => {
		expect(() => parseRedeems('[redeems.x]\ntype = "list"\n', '/some/where/redeems.toml')).toThrow(
			/^\/some\/where\/redeems\.toml: redeems\.x\.price: missing/
		)
	})
})

describe('loadRedeems', () => {
	test('without redeems.toml: the six default redeems', () => {
		const dir = makeTempDir()
		const { redeems, fromDefaults } = loadRedeems(dir)
		expect(fromDefaults).toBe(true)
		expect(redeems.map((r) => [r.name, r.type])).toEqual([
			['hydrate', 'list'],
			['lurk', 'counter'],
			['react', 'note'],
			['request', 'note'],
			['go_nap', 'milestone'],
			['inactive', 'note']
		])
		expect(redeems.find((r) => r.name === 'go_nap')).toMatchObject({ type: 'milestone', goal: 1000 })
		expect(redeems.find((r) => r.name === 'inactive')?.categories).toEqual(['inactive'])
		// The defaults are the example file.
		const example = readFileSync(resolve(import.meta.dir, '../../instance.example/redeems.toml'), 'utf8')
		expect(redeems).toEqual(parseRedeems(example, 'example'))
	})

	test('with redeems.toml: its redeems, even when it defines none', () => {
		const dir = makeTempDir()
		writeFileSync(join(dir, 'redeems.toml'), '[redeems.wave]\ntype = "list"\nprice = 5\n')
		expect(loadRedeems(dir)).toEqual({ redeems: [{ name: 'wave', type: 'list', price: 5, categories: [], autoFulfil: false, limits: {} }], fromDefaults: false })
		writeFileSync(join(dir, 'redeems.toml'), '# nothing yet\n')
		expect(loadRedeems(dir)).toEqual({ redeems: [], fromDefaults: false })
	})

	test('an error names redeems.toml', () => {
		const dir = makeTempDir()
		writeFileSync(join(dir, 'redeems.toml'), '[redeems.go_nap]\ntype = "milestone"\ngoal = "lots"\n')
		expect(() => loadRedeems(dir)).toThrow(
			`${displayPath(join(dir, 'redeems.toml'))}: redeems.go_nap.goal: expected a positive integer, got "lots"`
		)
	})
})

describe('resolveInstanceDir', () => {
	const cwd = '/srv/bot'
	test('defaults to ./instance in the working directory', () => {
		expect(resolveInstanceDir(undefined, {}, cwd)).toBe('/srv/bot/instance')
		expect(resolveInstanceDir(undefined, {})).toBe(resolve(process.cwd(), 'instance'))
	})

	test('--instance, relative to the working directory or absolute', () => {
		expect(resolveInstanceDir('mine', {}, cwd)).toBe('/srv/bot/mine')
		expect(resolveInstanceDir('../other/inst', {}, cwd)).toBe('/srv/other/inst')
		expect(resolveInstanceDir('/var/lib/tlapbot', {}, cwd)).toBe('/var/lib/tlapbot')
	})

	test('TLAPBOT_INSTANCE when there is no flag; the flag wins', () => {
		expect(resolveInstanceDir(undefined, { TLAPBOT_INSTANCE: 'from-env' }, cwd)).toBe('/srv/bot/from-env')
		expect(resolveInstanceDir('flag', { TLAPBOT_INSTANCE: 'from-env' }, cwd)).toBe('/srv/bot/flag')
	})

	test('blank values fall through to the next choice', () => {
		expect(resolveInstanceDir('  ', { TLAPBOT_INSTANCE: 'from-env' }, cwd)).toBe('/srv/bot/from-env')
		expect(resolveInstanceDir('', { TLAPBOT_INSTANCE: ' ' }, cwd)).toBe('/srv/bot/instance')
	})
})

describe('ensureInstance', () => {
	test('creates the folder (with parents) and both files, and lists them', () => {
		const dir = join(makeTempDir(), 'deep', 'instance')
		const created = ensureInstance(dir)
		expect(created).toEqual([dir, join(dir, 'config.toml'), join(dir, 'redeems.toml')])
		const { config } = loadConfig(dir, {})
		expect(config.secret_key).toMatch(/^[0-9a-f]{64}$/)
		expect(loadRedeems(dir).fromDefaults).toBe(false)
		expect(loadRedeems(dir).redeems).toHaveLength(6)
		expect(statSync(join(dir, 'config.toml')).mode & 0o777).toBe(0o600)
	})

	test('a second call creates nothing and changes nothing', () => {
		const dir = join(makeTempDir(), 'instance')
		ensureInstance(dir)
		const before = readFileSync(join(dir, 'config.toml'), 'utf8')
		expect(ensureInstance(dir)).toEqual([])
		expect(readFileSync(join(dir, 'config.toml'), 'utf8')).toBe(before)
	})

	test('an existing empty folder gets both files, the folder itself is not listed', () => {
		const dir = join(makeTempDir(), 'instance')
		mkdirSync(dir)
		expect(ensureInstance(dir)).toEqual([join(dir, 'config.toml'), join(dir, 'redeems.toml')])
	})

	test('only the missing file is created; an existing file is never overwritten', () => {
		const dir = join(makeTempDir(), 'instance')
		mkdirSync(dir)
		writeFileSync(join(dir, 'config.toml'), 'port = "my own, even broken"\n')
		expect(ensureInstance(dir)).toEqual([join(dir, 'redeems.toml')])
		expect(readFileSync(join(dir, 'config.toml'), 'utf8')).toBe('port = "my own, even broken"\n')

		const other = join(makeTempDir(), 'instance')
		mkdirSync(other)
		writeFileSync(join(other, 'redeems.toml'), '# mine\n')
		expect(ensureInstance(other)).toEqual([join(other, 'config.toml')])
		expect(readFileSync(join(other, 'redeems.toml'), 'utf8')).toBe('# mine\n')
	})

	test('each instance gets its own random secret', () => {
		const a = join(makeTempDir(), 'a')
		const b = join(makeTempDir(), 'b')
		ensureInstance(a)
		ensureInstance(b)
		expect(loadConfig(a, {}).config.secret_key).not.toBe(loadConfig(b, {}).config.secret_key)
	})
})

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

describe('secrets are never printed in config errors', () => {
	const cases: [string, string][] = [
		['secret_key', 'secret_key = "hunter2-secret"'],
		['secret_key', 'secret_key = ["hunter2-secret-in-a-list"]'],
		['webhook_secret', 'webhook_secret = ["hunter2-hook"]'],
		['admin_password', 'admin_password = "hunter2"'],
		['owncast_access_token', 'owncast_access_token = ["hunter2-token"]'],
		['owncast_url', 'owncast_url = "ftp://bot:hunter2@owncast.example.com"'],
		['overlay_key', 'overlay_key = "hunter2"'],
		['outgoing_webhooks', '[[outgoing_webhooks]]\nurl = "ftp://discord.example/hunter2"\nevents = ["*"]'],
		['outgoing_webhooks', '[[outgoing_webhooks]]\nurl = "https://x.example/"\nevents = ["*"]\nsecret = ["hunter2"]']
	]
	for (const [key, line] of cases) {
		test(`${key}: the error names the key, not the value`, () => {
			const body = key === 'secret_key' ? `${line}\n` : `${SECRET_LINE}${line}\n`
			const { message } = configError(body)
			expect(message).toContain(key)
			expect(message).not.toContain('hunter2')
		})
	}

	test('from the environment too', () => {
		const dir = instanceWith(SECRET_LINE)
		expect(() => loadConfig(dir, { TLAPBOT_ADMIN_PASSWORD: 'hunter2' })).toThrow('TLAPBOT_ADMIN_PASSWORD (environment): admin_password:')
		try {
			loadConfig(dir, { TLAPBOT_ADMIN_PASSWORD: 'hunter2' })
		} catch (error) {
			expect((error as Error).message).not.toContain('hunter2')
		}
	})
})
