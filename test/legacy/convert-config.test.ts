import { test, expect, describe } from 'bun:test'
import { parse } from 'smol-toml'
import { convertLegacyConfig, convertLegacyRedeems, pyRepr } from '../../src/modules/legacy/convert-config.ts'
import { parsePythonAssignments, type PyValue } from '../../src/modules/legacy/python-literal.ts'

const NOW = new Date('2024-05-01T12:34:56.000Z')
const config = (source: string) => convertLegacyConfig(parsePythonAssignments(source, 'config.py'), 'config.py', NOW)
const redeems = (source: string) => convertLegacyRedeems(parsePythonAssignments(source, 'redeems.py'), 'redeems.py', NOW)

function errorOf(run: () => unknown): string {
	try {
		run()
	} catch (error) {
		return (error as Error).message
	}
	throw new Error('expected an error')
}

// Everything after the header comment and the blank line under it.
const body = (toml: string): string => toml.split('\n').slice(2).join('\n')

const EXAMPLE_CONFIG = `SECRET_KEY='5f2b9c0e8d7a6b5c4d3e'   # comment
OWNCAST_ACCESS_TOKEN="5AT0gbe9ZuzDunsBG0rcwfalQNTi3fvV70NPvvQHk3I="
OWNCAST_INSTANCE_URL="http://MyTlapbotServer.example"
POINTS_CYCLE_TIME=300
LIST_REDEEMS=True
ACTIVE_CATEGORIES=["gaming"]
PREFIX='?'
PASSIVE=False
GUNICORN=True
`

const EXAMPLE_REDEEMS = `REDEEMS={
    "hydrate": {"price": 60, "type": "list"},
    "lurk": {"price": 1, "type": "counter", "info": "Let us know you're going to lurk."},
    "go_nap": {"goal": 1000, "type": "milestone", "info": "Streamer will go nap when the goal is reached."},
    "inactive": {"price": 100, "type": "note", "info": "Example redeem that is inactive by default", "category": ["inactive"]}
}
`

describe('convertLegacyConfig', () => {
	test('round trip of the example config.py', () => {
		const { toml, warnings } = config(EXAMPLE_CONFIG)
		expect(parse(toml)).toEqual({
			secret_key: '5f2b9c0e8d7a6b5c4d3e',
			owncast_access_token: '5AT0gbe9ZuzDunsBG0rcwfalQNTi3fvV70NPvvQHk3I=',
			owncast_url: 'http://MyTlapbotServer.example',
			points_cycle_time: 300,
			passive: false,
			list_redeems: true,
			active_categories: ['gaming'],
			prefix: '?',
		})
		expect(warnings).toEqual(['GUNICORN has no equivalent: tlapbot logs to standard output; use log_level'])
	})

	test('the exact text: header, listed key order, integers without a decimal point', () => {
		expect(config(EXAMPLE_CONFIG).toml).toBe(
			[
				'# Converted from config.py by tlapbot import-legacy on 2024-05-01T12:34:56.000Z',
				'',
				'secret_key = "5f2b9c0e8d7a6b5c4d3e"',
				'owncast_access_token = "5AT0gbe9ZuzDunsBG0rcwfalQNTi3fvV70NPvvQHk3I="',
				'owncast_url = "http://MyTlapbotServer.example"',
				'points_cycle_time = 300',
				'passive = false',
				'list_redeems = true',
				'active_categories = [ "gaming" ]',
				'prefix = "?"',
				'',
			].join('\n'),
		)
	})

	test('the header carries the current time by default', () => {
		const before = Date.now()
		const { toml } = convertLegacyConfig(new Map(), 'instance/config.py')
		const match = /^# Converted from instance\/config\.py by tlapbot import-legacy on (\S+)\n/.exec(toml)
		expect(match).not.toBeNull()
		const stamp = Date.parse(match?.[1] ?? '')
		expect(stamp).toBeGreaterThanOrEqual(before - 1000)
		expect(stamp).toBeLessThanOrEqual(Date.now() + 1000)
	})

	test('a newline in the file name cannot break out of the header comment', () => {
		const { toml } = convertLegacyConfig(new Map([['PREFIX', '?']]), 'evil\nsecret_key = "x"', NOW)
		expect(parse(toml)).toEqual({ prefix: '?' })
	})

	test('every key is renamed, in the listed order whatever the source order', () => {
		const { toml, warnings } = config(`PREFIX = '!'
ACTIVE_CATEGORIES = []
LIST_REDEEMS = False
PASSIVE = True
POINTS_AMOUNT_GIVEN = 10
POINTS_CYCLE_TIME = 600
OWNCAST_INSTANCE_URL = 'http://localhost:8080'
OWNCAST_ACCESS_TOKEN = ''
SECRET_KEY = 'an-old-key-long-enough'
`)
		expect(warnings).toEqual([])
		expect(body(toml).split('\n').map((line) => line.split(' = ')[0])).toEqual([
			'secret_key', 'owncast_access_token', 'owncast_url', 'points_cycle_time', 'points_amount_given',
			'passive', 'list_redeems', 'active_categories', 'prefix', '',
		])
		expect(toml).toContain('points_amount_given = 10\n')
		expect(toml).toContain('active_categories = []\n')
		expect(parse(toml)).toEqual({
			secret_key: 'an-old-key-long-enough',
			owncast_access_token: '',
			owncast_url: 'http://localhost:8080',
			points_cycle_time: 600,
			points_amount_given: 10,
			passive: true,
			list_redeems: false,
			active_categories: [],
			prefix: '!',
		})
	})

	test('only keys that are present are written', () => {
		const { toml, warnings } = config('POINTS_AMOUNT_GIVEN = 5\n')
		expect(body(toml)).toBe('points_amount_given = 5\n')
		expect(warnings).toEqual([])
	})

	test('an empty config gives just the header', () => {
		const { toml, warnings } = config('# nothing here\n')
		expect(toml).toBe('# Converted from config.py by tlapbot import-legacy on 2024-05-01T12:34:56.000Z\n')
		expect(parse(toml)).toEqual({})
		expect(warnings).toEqual([])
	})

	test("the old default SECRET_KEY 'dev' is dropped so a fresh one is generated", () => {
		const { toml, warnings } = config("SECRET_KEY = 'dev'\nPREFIX = '!'\n")
		expect(parse(toml)).toEqual({ prefix: '!' })
		expect(toml).not.toContain('secret_key')
		expect(warnings).toEqual(["SECRET_KEY is the old default 'dev'; it was dropped and a fresh secret will be generated"])
	})

	test('a SECRET_KEY shorter than the 16 characters secret_key needs is dropped with a warning, like the default', () => {
		const warning =
			'SECRET_KEY is shorter than the 16 characters secret_key needs; it was dropped and a fresh secret will be generated (it signed nothing tlapbot uses)'
		for (const key of ['', 'hunter2', 'fifteen-chars!!']) {
			const { toml, warnings } = config(`SECRET_KEY = '${key}'\nPREFIX = '!'\n`)
			expect(parse(toml)).toEqual({ prefix: '!' })
			expect(warnings).toEqual([warning])
		}
		// Exactly 16 characters is enough and is kept.
		expect(parse(config("SECRET_KEY = 'sixteen-chars!!!'\n").toml)).toEqual({ secret_key: 'sixteen-chars!!!' })
	})

	test('unknown keys are dropped with a warning naming each', () => {
		const { toml, warnings } = config(`DATABASE = 'tlapbot.db'
SQLALCHEMY_DATABASE_URI = 'sqlite:///x'
GUNICORN = False
prefix = '!'
PREFIX = '?'
`)
		expect(parse(toml)).toEqual({ prefix: '?' })
		expect(warnings).toEqual([
			"DATABASE is not a setting tlapbot knows; it was dropped",
			"SQLALCHEMY_DATABASE_URI is not a setting tlapbot knows; it was dropped",
			'GUNICORN has no equivalent: tlapbot logs to standard output; use log_level',
			"prefix is not a setting tlapbot knows; it was dropped",
		])
	})

	test('strings are escaped as TOML basic strings', () => {
		const tricky = 'a "quoted" \\ back\nslash\ttab \x01 \x7f é 😀'
		const values = new Map<string, PyValue>([['SECRET_KEY', tricky], ['ACTIVE_CATEGORIES', ['x"y', 'new\nline']]])
		const { toml } = convertLegacyConfig(values, 'config.py', NOW)
		expect(toml).toContain('secret_key = "a \\"quoted\\" \\\\ back\\nslash\\ttab \\u0001 \\u007f é 😀"\n')
		expect(parse(toml)).toEqual({ secret_key: tricky, active_categories: ['x"y', 'new\nline'] })
	})

	test('values of the wrong type are errors naming the file, key and Python value', () => {
		const cases: [string, string][] = [
			["POINTS_CYCLE_TIME = 'abc'", "config.py: POINTS_CYCLE_TIME: expected an integer, got 'abc'"],
			['POINTS_CYCLE_TIME = 1.5', 'config.py: POINTS_CYCLE_TIME: expected an integer, got 1.5'],
			['POINTS_AMOUNT_GIVEN = True', 'config.py: POINTS_AMOUNT_GIVEN: expected an integer, got True'],
			['POINTS_AMOUNT_GIVEN = None', 'config.py: POINTS_AMOUNT_GIVEN: expected an integer, got None'],
			['PASSIVE = 1', 'config.py: PASSIVE: expected True or False, got 1'],
			["LIST_REDEEMS = 'True'", "config.py: LIST_REDEEMS: expected True or False, got 'True'"],
			['SECRET_KEY = 42', 'config.py: SECRET_KEY: expected a string, got 42'],
			['OWNCAST_ACCESS_TOKEN = None', 'config.py: OWNCAST_ACCESS_TOKEN: expected a string, got None'],
			['OWNCAST_INSTANCE_URL = ["http://x"]', "config.py: OWNCAST_INSTANCE_URL: expected a string, got ['http://x']"],
			['PREFIX = {"a": 1}', "config.py: PREFIX: expected a string, got {'a': 1}"],
			["ACTIVE_CATEGORIES = 'gaming'", "config.py: ACTIVE_CATEGORIES: expected a list of strings, got 'gaming'"],
			["ACTIVE_CATEGORIES = ['gaming', 1]", "config.py: ACTIVE_CATEGORIES: expected a list of strings, got ['gaming', 1]"],
			// A lone surrogate cannot be written as TOML.
			["PREFIX = '\\ud800'", "config.py: PREFIX: expected a string, got '\\ud800'"],
		]
		for (const [source, message] of cases) expect(errorOf(() => config(source))).toBe(message)
	})

	test('a tuple for ACTIVE_CATEGORIES is accepted', () => {
		expect(parse(config("ACTIVE_CATEGORIES = ('a', 'b')").toml)).toEqual({ active_categories: ['a', 'b'] })
	})
})

describe('convertLegacyRedeems', () => {
	test('round trip of the example redeems.py', () => {
		const { toml, warnings } = redeems(EXAMPLE_REDEEMS)
		expect(parse(toml)).toEqual({
			redeems: {
				hydrate: { type: 'list', price: 60 },
				lurk: { type: 'counter', price: 1, info: "Let us know you're going to lurk." },
				go_nap: { type: 'milestone', goal: 1000, info: 'Streamer will go nap when the goal is reached.' },
				inactive: { type: 'note', price: 100, info: 'Example redeem that is inactive by default', category: ['inactive'] },
			},
		})
		expect(warnings).toEqual([])
	})

	test('the exact text: tables, key order and integers without a decimal point', () => {
		expect(redeems(EXAMPLE_REDEEMS).toml).toBe(
			[
				'# Converted from redeems.py by tlapbot import-legacy on 2024-05-01T12:34:56.000Z',
				'',
				'[redeems.hydrate]',
				'type = "list"',
				'price = 60',
				'',
				'[redeems.lurk]',
				'type = "counter"',
				'price = 1',
				'info = "Let us know you\'re going to lurk."',
				'',
				'[redeems.go_nap]',
				'type = "milestone"',
				'goal = 1000',
				'info = "Streamer will go nap when the goal is reached."',
				'',
				'[redeems.inactive]',
				'type = "note"',
				'price = 100',
				'info = "Example redeem that is inactive by default"',
				'category = [ "inactive" ]',
				'',
			].join('\n'),
		)
	})

	test('names that are not bare keys are quoted', () => {
		const { toml } = redeems(`REDEEMS = {
	"odd name": {"type": "list", "price": 1},
	"a.b": {"type": "list", "price": 2},
	"ünï": {"type": "list", "price": 3},
	'say "hi"': {"type": "list", "price": 4},
	"ok-name_1": {"type": "list", "price": 5},
}`)
		expect(toml).toContain('[redeems."odd name"]\n')
		expect(toml).toContain('[redeems."a.b"]\n')
		expect(toml).toContain('[redeems."ünï"]\n')
		expect(toml).toContain('[redeems."say \\"hi\\""]\n')
		expect(toml).toContain('[redeems.ok-name_1]\n')
		expect(parse(toml)).toEqual({
			redeems: {
				'odd name': { type: 'list', price: 1 },
				'a.b': { type: 'list', price: 2 },
				'ünï': { type: 'list', price: 3 },
				'say "hi"': { type: 'list', price: 4 },
				'ok-name_1': { type: 'list', price: 5 },
			},
		})
	})

	test('an empty REDEEMS gives an empty redeems table', () => {
		const { toml, warnings } = redeems('REDEEMS = {}')
		expect(parse(toml)).toEqual({ redeems: {} })
		expect(warnings).toEqual([])
	})

	test('a price of 0 is kept', () => {
		const { toml } = redeems('REDEEMS = {"free": {"type": "note", "price": 0}}')
		expect(toml).toContain('price = 0\n')
		expect(parse(toml)).toEqual({ redeems: { free: { type: 'note', price: 0 } } })
	})

	test('keys come out in the order type, price or goal, info, category', () => {
		const { toml } = redeems(`REDEEMS = {
	"x": {"category": ["a"], "info": "i", "price": 5, "type": "counter"},
	"y": {"info": "i", "goal": 5, "type": "milestone", "category": []},
}`)
		expect(body(toml)).toBe(
			'[redeems.x]\ntype = "counter"\nprice = 5\ninfo = "i"\ncategory = [ "a" ]\n\n'
			+ '[redeems.y]\ntype = "milestone"\ngoal = 5\ninfo = "i"\ncategory = []\n',
		)
	})

	test('unknown keys, milestone prices, goals on other types and other variables are dropped with warnings', () => {
		const { toml, warnings } = redeems(`DEBUG = True
REDEEMS = {
	"a": {"type": "list", "price": 1, "color": "red", "enabled": False},
	"b": {"type": "milestone", "goal": 10, "price": 3},
	"c": {"type": "note", "price": 2, "goal": 7},
}`)
		expect(parse(toml)).toEqual({
			redeems: {
				a: { type: 'list', price: 1 },
				b: { type: 'milestone', goal: 10 },
				c: { type: 'note', price: 2 },
			},
		})
		expect(warnings).toEqual([
			'DEBUG is not used by tlapbot; it was dropped',
			'REDEEMS["a"]: unknown key "color" was dropped',
			'REDEEMS["a"]: unknown key "enabled" was dropped',
			'REDEEMS["b"]: milestones have no price; price was dropped',
			'REDEEMS["c"]: only milestones have a goal; goal was dropped',
		])
	})

	test('REDEEMS must exist and be a dict', () => {
		expect(errorOf(() => redeems('OTHER = 1'))).toBe('redeems.py: no REDEEMS dictionary found')
		expect(errorOf(() => convertLegacyRedeems(new Map(), 'instance/redeems.py'))).toBe(
			'instance/redeems.py: no REDEEMS dictionary found',
		)
		expect(errorOf(() => redeems('REDEEMS = ["hydrate"]'))).toBe("redeems.py: REDEEMS: expected a dict, got ['hydrate']")
		expect(errorOf(() => redeems('REDEEMS = None'))).toBe('redeems.py: REDEEMS: expected a dict, got None')
	})

	test('malformed redeems are errors naming the file, redeem and key', () => {
		const cases: [string, string][] = [
			['"x": 5', 'redeems.py: REDEEMS["x"]: expected a dict, got 5'],
			['"x": {"price": 1}', 'redeems.py: REDEEMS["x"].type is missing; expected "list", "note", "counter" or "milestone"'],
			[
				'"x": {"type": "x", "price": 1}',
				'redeems.py: REDEEMS["x"].type: expected "list", "note", "counter" or "milestone", got \'x\'',
			],
			[
				'"x": {"type": ["list"], "price": 1}',
				'redeems.py: REDEEMS["x"].type: expected "list", "note", "counter" or "milestone", got [\'list\']',
			],
			['"x": {"type": "List", "price": 1}', 'redeems.py: REDEEMS["x"].type: expected "list", "note", "counter" or "milestone", got \'List\''],
			['"x": {"type": "list"}', 'redeems.py: REDEEMS["x"].price is missing; list redeems need a price'],
			['"x": {"type": "note", "price": -1}', 'redeems.py: REDEEMS["x"].price: expected an integer of 0 or more, got -1'],
			['"x": {"type": "note", "price": 1.5}', 'redeems.py: REDEEMS["x"].price: expected an integer of 0 or more, got 1.5'],
			['"x": {"type": "note", "price": "60"}', 'redeems.py: REDEEMS["x"].price: expected an integer of 0 or more, got \'60\''],
			['"x": {"type": "note", "price": True}', 'redeems.py: REDEEMS["x"].price: expected an integer of 0 or more, got True'],
			['"x": {"type": "milestone"}', 'redeems.py: REDEEMS["x"].goal is missing; milestones need a goal'],
			['"x": {"type": "milestone", "price": 5}', 'redeems.py: REDEEMS["x"].goal is missing; milestones need a goal'],
			['"x": {"type": "milestone", "goal": 0}', 'redeems.py: REDEEMS["x"].goal: expected an integer greater than 0, got 0'],
			['"x": {"type": "milestone", "goal": None}', 'redeems.py: REDEEMS["x"].goal: expected an integer greater than 0, got None'],
			['"x": {"type": "list", "price": 1, "info": 5}', 'redeems.py: REDEEMS["x"].info: expected a string, got 5'],
			['"x": {"type": "list", "price": 1, "category": "a"}', 'redeems.py: REDEEMS["x"].category: expected a list of strings, got \'a\''],
			['"x": {"type": "list", "price": 1, "category": [None]}', 'redeems.py: REDEEMS["x"].category: expected a list of strings, got [None]'],
			['"say \\"hi\\"": 1', 'redeems.py: REDEEMS["say \\"hi\\""]: expected a dict, got 1'],
			['1: {"type": "list", "price": 1}, "y": []', 'redeems.py: REDEEMS["y"]: expected a dict, got []'],
		]
		for (const [entry, message] of cases) expect(errorOf(() => redeems(`REDEEMS = {${entry}}`))).toBe(message)
	})

	test('an integer redeem name becomes a string', () => {
		expect(parse(redeems('REDEEMS = {7: {"type": "list", "price": 1}}').toml)).toEqual({ redeems: { '7': { type: 'list', price: 1 } } })
	})

	test('a "__proto__" redeem name stays an ordinary redeem', () => {
		const { toml } = redeems('REDEEMS = {"__proto__": {"type": "list", "price": 1}}')
		expect(toml).toContain('[redeems.__proto__]\ntype = "list"\nprice = 1\n')
	})
})

describe('pyRepr', () => {
	test('formats values the way Python prints them', () => {
		expect(pyRepr(null)).toBe('None')
		expect(pyRepr(true)).toBe('True')
		expect(pyRepr(false)).toBe('False')
		expect(pyRepr(42)).toBe('42')
		expect(pyRepr(-1.5)).toBe('-1.5')
		expect(pyRepr(Infinity)).toBe('inf')
		expect(pyRepr('abc')).toBe("'abc'")
		expect(pyRepr("it's")).toBe('"it\'s"')
		expect(pyRepr('both \' and "')).toBe("'both \\' and \"'")
		expect(pyRepr('a\\b\n\t\x01')).toBe("'a\\\\b\\n\\t\\x01'")
		expect(pyRepr(['a', 1, [null]])).toBe("['a', 1, [None]]")
		expect(pyRepr({ a: 1, b: { c: 'd' } })).toBe("{'a': 1, 'b': {'c': 'd'}}")
		expect(pyRepr({})).toBe('{}')
		expect(pyRepr([])).toBe('[]')
	})
})
