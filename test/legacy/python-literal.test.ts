import { test, expect, describe } from 'bun:test'
import { parsePythonAssignments, PythonLiteralError, type PyValue } from '../../src/modules/legacy/python-literal.ts'

const parse = (source: string): Map<string, PyValue> => parsePythonAssignments(source, 'config.py')
// The value of the single variable X.
const value = (literal: string): PyValue | undefined => parse(`X = ${literal}\n`).get('X')

function errorOf(source: string, file = 'config.py'): PythonLiteralError {
	try {
		parsePythonAssignments(source, file)
	} catch (error) {
		if (error instanceof PythonLiteralError) return error
		throw error
	}
	throw new Error(`expected ${JSON.stringify(source)} to fail`)
}
const messageOf = (source: string): string => errorOf(source).message

const LITERAL = 'expected a literal (string, number, True/False/None, list, tuple or dict)'

describe('the old bot\'s example files', () => {
	test('config.py', () => {
		const source = [
			"SECRET_KEY='5f2b...'   # comment",
			'OWNCAST_ACCESS_TOKEN="5AT0gbe9ZuzDunsBG0rcwfalQNTi3fvV70NPvvQHk3I="',
			'OWNCAST_INSTANCE_URL="http://MyTlapbotServer.example"',
			'POINTS_CYCLE_TIME=300',
			'LIST_REDEEMS=True',
			'ACTIVE_CATEGORIES=["gaming"]',
			"PREFIX='?'",
			'PASSIVE=False',
			'GUNICORN=True',
			'',
		].join('\n')
		expect([...parse(source)]).toEqual([
			['SECRET_KEY', '5f2b...'],
			['OWNCAST_ACCESS_TOKEN', '5AT0gbe9ZuzDunsBG0rcwfalQNTi3fvV70NPvvQHk3I='],
			['OWNCAST_INSTANCE_URL', 'http://MyTlapbotServer.example'],
			['POINTS_CYCLE_TIME', 300],
			['LIST_REDEEMS', true],
			['ACTIVE_CATEGORIES', ['gaming']],
			['PREFIX', '?'],
			['PASSIVE', false],
			['GUNICORN', true],
		])
	})

	test('redeems.py', () => {
		const source = `REDEEMS={
    "hydrate": {"price": 60, "type": "list"},
    "lurk": {"price": 1, "type": "counter", "info": "Let us know you're going to lurk."},
    "go_nap": {"goal": 1000, "type": "milestone", "info": "Streamer will go nap when the goal is reached."},
    "inactive": {"price": 100, "type": "note", "info": "Example redeem that is inactive by default", "category": ["inactive"]}
}
`
		expect(Object.fromEntries(parsePythonAssignments(source, 'redeems.py'))).toEqual({
			REDEEMS: {
				hydrate: { price: 60, type: 'list' },
				lurk: { price: 1, type: 'counter', info: "Let us know you're going to lurk." },
				go_nap: { goal: 1000, type: 'milestone', info: 'Streamer will go nap when the goal is reached.' },
				inactive: { price: 100, type: 'note', info: 'Example redeem that is inactive by default', category: ['inactive'] },
			},
		})
	})
})

describe('file structure', () => {
	test('comments, blank lines, a coding line and a shebang are ignored', () => {
		const source = '#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n\n# a comment\n   \n\t# indented comment\nA = 1  # trailing\n\n\nB = 2'
		expect([...parse(source)]).toEqual([['A', 1], ['B', 2]])
	})

	test('an empty file or one with only comments has no values', () => {
		expect(parse('').size).toBe(0)
		expect(parse('# nothing\n\n').size).toBe(0)
	})

	test('a later assignment to the same name wins', () => {
		expect(parse('A = 1\nB = 2\nA = 3\n').get('A')).toBe(3)
	})

	test('chained assignments and semicolons', () => {
		expect([...parse('A = B = "x"; C = 2;\n')]).toEqual([['A', 'x'], ['B', 'x'], ['C', 2]])
	})

	test('a byte order mark, \\r\\n and \\r line endings', () => {
		expect([...parse('\uFEFFA = 1\r\nB = [\r\n  2,\r\n]\rC = 3')]).toEqual([['A', 1], ['B', [2]], ['C', 3]])
	})

	test('literals can span lines inside brackets, with comments', () => {
		const source = 'X = [\n  1,  # one\n\n  2,\n# between\n  (3,\n 4),\n  {"a":\n   5},\n]\nY = 1\n'
		expect(parse(source).get('X')).toEqual([1, 2, [3, 4], { a: 5 }])
		expect(parse(source).get('Y')).toBe(1)
	})

	test('backslash line continuation', () => {
		expect(parse('X = \\\n  "a" \\\n  "b"\nY = 2').get('X')).toBe('ab')
		expect(parse('X \\\n= 1').get('X')).toBe(1)
		expect(parse('X = [1, \\\n 2]').get('X')).toEqual([1, 2])
	})

	test('names may use underscores, digits and non-ASCII letters', () => {
		expect([...parse('_a1 = 1\nÄpfel = 2\n')]).toEqual([['_a1', 1], ['Äpfel', 2]])
	})
})

describe('strings', () => {
	test('all four kinds of quotes', () => {
		expect(value("'single'")).toBe('single')
		expect(value('"double"')).toBe('double')
		expect(value("'it\"s'")).toBe('it"s')
		expect(value('"it\'s"')).toBe("it's")
		expect(value("''")).toBe('')
		expect(value("'''triple ' '' single'''")).toBe("triple ' '' single")
		expect(value('"""triple " "" double"""')).toBe('triple " "" double')
		expect(value('""""""')).toBe('')
	})

	test('triple-quoted strings span lines, with \\r\\n read as \\n', () => {
		expect(value('"""one\ntwo\n"""')).toBe('one\ntwo\n')
		expect(value("'''a\r\nb'''")).toBe('a\nb')
		// Line numbers keep counting through the string.
		expect(errorOf('X = """\n\n"""\nY = z').line).toBe(4)
	})

	test('escapes', () => {
		expect(value(String.raw`'\n\t\r\\\'\"'`)).toBe('\n\t\r\\\'"')
		expect(value(String.raw`'\a\b\f\v'`)).toBe('\x07\b\f\v')
		expect(value(String.raw`'\x41\x7e'`)).toBe('A~')
		expect(value(String.raw`'\u00e9\u20AC'`)).toBe('é€')
		expect(value(String.raw`'\U0001F600'`)).toBe('😀')
		expect(value(String.raw`'\101\0\7'`)).toBe('A\0\x07')
		expect(value(String.raw`'\1234'`)).toBe('S4')
	})

	test('unknown escapes keep their backslash, like Python', () => {
		expect(value(String.raw`'\q\d \/'`)).toBe('\\q\\d \\/')
		expect(value(String.raw`'C:\Program Files\me'`)).toBe('C:\\Program Files\\me')
		// As in Python, \U still has to be a valid escape.
		expect(messageOf(String.raw`X = 'C:\Users'`)).toBe('config.py:1: truncated \\UXXXXXXXX escape')
	})

	test('a backslash at the end of a line inside a string joins the lines', () => {
		expect(value('"a\\\nb"')).toBe('ab')
		expect(value('"""a\\\nb"""')).toBe('ab')
	})

	test('raw strings keep backslashes', () => {
		expect(value(String.raw`r'\n\x41\q'`)).toBe(String.raw`\n\x41\q`)
		expect(value(String.raw`R"C:\new"`)).toBe(String.raw`C:\new`)
		// An escaped quote does not end a raw string, and keeps its backslash.
		expect(value(String.raw`r'it\'s'`)).toBe(String.raw`it\'s`)
		expect(value(String.raw`r'''a\
b'''`)).toBe('a\\\nb')
	})

	test('the u prefix is accepted', () => {
		expect(value("u'x'")).toBe('x')
		expect(value('U"y"')).toBe('y')
	})

	test('adjacent literals are concatenated', () => {
		expect(value("'a' 'b'")).toBe('ab')
		expect(value("'a' \"b\" '''c''' r'\\d'")).toBe('abc\\d')
		expect(value("('a'\n 'b'\n 'c')")).toBe('abc')
		expect(value("['a' 'b', 'c']")).toEqual(['ab', 'c'])
	})

	test('bytes and f-strings are errors', () => {
		expect(messageOf("X = b'a'")).toBe('config.py:1: bytes literals are not supported')
		expect(messageOf("X = RB'a'")).toBe('config.py:1: bytes literals are not supported')
		expect(messageOf("X = f'{a}'")).toBe('config.py:1: f-strings are not supported')
		expect(messageOf('X = Rf"a"')).toBe('config.py:1: f-strings are not supported')
		expect(messageOf("X = 'a' f'b'")).toBe('config.py:1: f-strings are not supported')
	})

	test('bad escapes are errors', () => {
		expect(messageOf(String.raw`X = '\x4'`)).toBe('config.py:1: truncated \\xXX escape')
		expect(messageOf(String.raw`X = '\u12'`)).toBe('config.py:1: truncated \\uXXXX escape')
		expect(messageOf(String.raw`X = '\U0001F60'`)).toBe('config.py:1: truncated \\UXXXXXXXX escape')
		expect(messageOf(String.raw`X = '\U00110000'`)).toBe('config.py:1: illegal Unicode character \\U00110000')
		expect(messageOf(String.raw`X = '\N{BULLET}'`)).toBe('config.py:1: \\N{...} escapes are not supported')
		expect(errorOf('X = """\n\n\\xZZ"""').line).toBe(3)
	})

	test('unterminated strings are errors on the line they start', () => {
		expect(messageOf("A = 1\nX = 'abc\nY = 2")).toBe('config.py:2: unterminated string literal')
		expect(messageOf("X = 'abc")).toBe('config.py:1: unterminated string literal')
		expect(messageOf("A = 1\nX = '''abc\n\n")).toBe('config.py:2: unterminated triple-quoted string literal')
		expect(messageOf("X = 'abc\\")).toBe('config.py:1: unterminated string literal')
		expect(messageOf("X = r'abc\\'")).toBe('config.py:1: unterminated string literal')
	})
})

describe('numbers', () => {
	test('decimal integers, with underscores and signs', () => {
		expect(value('0')).toBe(0)
		expect(value('300')).toBe(300)
		expect(value('1_000_000')).toBe(1_000_000)
		expect(value('-5')).toBe(-5)
		expect(value('+5')).toBe(5)
		expect(value('- 5')).toBe(-5)
		expect(value('--5')).toBe(5)
		expect(value('-+-5')).toBe(5)
		expect(value('000')).toBe(0)
		expect(value('0_0')).toBe(0)
	})

	test('hex, octal and binary integers', () => {
		expect(value('0xff')).toBe(255)
		expect(value('0XFF')).toBe(255)
		expect(value('0x_ff_ff')).toBe(0xffff)
		expect(value('0o17')).toBe(15)
		expect(value('0O1_7')).toBe(15)
		expect(value('0b101')).toBe(5)
		expect(value('-0B1_0')).toBe(-2)
	})

	test('floats', () => {
		expect(value('1.5')).toBe(1.5)
		expect(value('.5')).toBe(0.5)
		expect(value('5.')).toBe(5)
		expect(value('1e3')).toBe(1000)
		expect(value('1E-2')).toBe(0.01)
		expect(value('2.5e+2')).toBe(250)
		expect(value('1_0.2_5')).toBe(10.25)
		expect(value('-0.25')).toBe(-0.25)
		expect(value('00.5')).toBe(0.5)
	})

	test('the safe JS integer range is the limit', () => {
		expect(value('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER)
		expect(value('-9007199254740991')).toBe(Number.MIN_SAFE_INTEGER)
		expect(value('0x1fffffffffffff')).toBe(Number.MAX_SAFE_INTEGER)
		expect(messageOf('X = 9007199254740992')).toBe(
			'config.py:1: integer 9007199254740992 is too large (the limit is ±9007199254740991)',
		)
		expect(messageOf('X = -9007199254740992')).toContain('integer -9007199254740992 is too large')
		expect(messageOf('X = 0x20000000000000')).toContain('is too large')
		expect(messageOf('X = [1, 99999999999999999999999]')).toContain('is too large')
	})

	test('malformed numbers are errors', () => {
		expect(messageOf('X = 012')).toBe(
			'config.py:1: leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers',
		)
		expect(messageOf('X = 1j')).toBe('config.py:1: complex numbers are not supported')
		expect(messageOf('X = 1.5J')).toBe('config.py:1: complex numbers are not supported')
		expect(messageOf('X = 1_')).toBe('config.py:1: invalid number literal "1_"')
		expect(messageOf('X = 1__0')).toBe('config.py:1: invalid number literal "1_"')
		expect(messageOf('X = 0x')).toBe('config.py:1: invalid number literal "0x"')
		expect(messageOf('X = 0b102')).toBe('config.py:1: invalid number literal "0b102"')
		expect(messageOf('X = 1e')).toBe('config.py:1: invalid number literal "1e"')
		expect(messageOf('X = 10abc')).toBe('config.py:1: invalid number literal "10a"')
	})

	test('a sign must be followed by a number', () => {
		expect(messageOf('X = -True')).toBe('config.py:1: expected a number after "-", found "True" (expressions are not supported)')
		expect(messageOf("X = -'a'")).toContain('expected a number after "-"')
		expect(messageOf('X = -')).toBe('config.py:1: expected a number after "-", found end of line (expressions are not supported)')
	})
})

describe('constants and containers', () => {
	test('True, False and None', () => {
		expect(value('True')).toBe(true)
		expect(value('False')).toBe(false)
		expect(value('None')).toBe(null)
	})

	test('lists, with trailing commas and nesting', () => {
		expect(value('[]')).toEqual([])
		expect(value('[1]')).toEqual([1])
		expect(value('[1, "a", None, True,]')).toEqual([1, 'a', null, true])
		expect(value('[[1, [2]], []]')).toEqual([[1, [2]], []])
	})

	test('tuples become arrays; parentheses alone just group', () => {
		expect(value('()')).toEqual([])
		expect(value('(1,)')).toEqual([1])
		expect(value('(1, 2)')).toEqual([1, 2])
		expect(value('(1, 2,)')).toEqual([1, 2])
		expect(value('(1)')).toBe(1)
		expect(value('(("a"))')).toBe('a')
		expect(value('((1, 2), [3])')).toEqual([[1, 2], [3]])
		// A bare tuple on the right-hand side.
		expect(value('1, 2')).toEqual([1, 2])
		expect(value('"a",')).toEqual(['a'])
	})

	test('dicts with string and integer keys', () => {
		expect(value('{}')).toEqual({})
		expect(value('{"a": 1, \'b\': [2], "c": {"d": None},}')).toEqual({ a: 1, b: [2], c: { d: null } })
		expect(value('{1: "one", -2: "minus two", 0x10: "hex"}')).toEqual({ '1': 'one', '-2': 'minus two', '16': 'hex' })
		expect(value('{"a" "b": 1}')).toEqual({ ab: 1 })
	})

	test('a repeated dict key keeps the last value', () => {
		expect(value('{"a": 1, "b": 2, "a": 3}')).toEqual({ a: 3, b: 2 })
	})

	test('a "__proto__" key is an ordinary property', () => {
		const dict = value('{"__proto__": {"polluted": 1}, "constructor": 2}') as { [key: string]: PyValue }
		expect(Object.getPrototypeOf(dict)).toBe(Object.prototype)
		expect(Object.keys(dict)).toEqual(['__proto__', 'constructor'])
		expect(Object.getOwnPropertyDescriptor(dict, '__proto__')?.value).toEqual({ polluted: 1 })
		expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
	})

	test('unsupported dict and set forms are errors', () => {
		expect(messageOf('X = {1, 2}')).toBe('config.py:1: sets are not supported')
		expect(messageOf('X = {"a"}')).toBe('config.py:1: sets are not supported')
		expect(messageOf('X = {1.5: "a"}')).toBe('config.py:1: dict keys must be strings or integers, found "1.5"')
		expect(messageOf('X = {True: "a"}')).toBe('config.py:1: dict keys must be strings or integers, found "True"')
		expect(messageOf('X = {None: "a"}')).toBe('config.py:1: dict keys must be strings or integers, found "None"')
		expect(messageOf('X = {(1, 2): "a"}')).toBe('config.py:1: dict keys must be strings or integers, found "("')
		expect(messageOf('X = {**other}')).toBe('config.py:1: dict keys must be strings or integers, found "**"')
		expect(messageOf('X = {"a": 1 "b": 2}')).toBe('config.py:1: expected "," or "}" in dict, found the string "b"')
		expect(messageOf('X = {"a" 1}')).toBe('config.py:1: expected ":" after a dict key, found "1"')
	})

	test('missing commas and stray tokens in lists and tuples are errors', () => {
		expect(messageOf('X = [1 2]')).toBe('config.py:1: expected "," or "]" in list, found "2"')
		expect(messageOf('X = (1, 2 3)')).toBe('config.py:1: expected "," or ")" in tuple, found "3"')
		expect(messageOf('X = (1 2)')).toBe('config.py:1: expected "," or ")" in tuple, found "2"')
		expect(messageOf('X = [,]')).toBe(`config.py:1: ${LITERAL}, found ","`)
		expect(messageOf('X = [x for x in y]')).toBe(`config.py:1: ${LITERAL}, found "x"`)
	})
})

describe('unsupported Python', () => {
	test('imports', () => {
		expect(messageOf('import os\n')).toBe('config.py:1: import statements are not supported (only NAME = value assignments)')
		expect(messageOf('A = 1\n\nfrom os import environ\n')).toBe(
			'config.py:3: import statements are not supported (only NAME = value assignments)',
		)
	})

	test('function calls and names on the right-hand side', () => {
		expect(messageOf('A = 1\nB = 2\nC = 3\nSECRET_KEY = os.environ.get("X")\n')).toBe(`config.py:4: ${LITERAL}, found "os"`)
		expect(messageOf('X = dict(a=1)')).toBe(`config.py:1: ${LITERAL}, found "dict"`)
		expect(messageOf('X = OTHER')).toBe(`config.py:1: ${LITERAL}, found "OTHER"`)
		expect(messageOf('X = __import__("os").system("true")')).toBe(`config.py:1: ${LITERAL}, found "__import__"`)
		expect(messageOf('X = lambda: 1')).toBe(`config.py:1: ${LITERAL}, found "lambda"`)
		expect(messageOf('X = ...')).toBe(`config.py:1: ${LITERAL}, found "..."`)
	})

	test('arithmetic and other expressions', () => {
		const arithmetic = 'expected end of line after the value, found "*" (arithmetic and other expressions are not supported)'
		expect(messageOf('X = 60*10')).toBe(`config.py:1: ${arithmetic}`)
		expect(messageOf('X = 60 * 10')).toBe(`config.py:1: ${arithmetic}`)
		expect(messageOf("X = 'a' + 'b'")).toContain('found "+" (arithmetic and other expressions are not supported)')
		expect(messageOf('X = 1 -2')).toContain('found "-" (arithmetic')
		expect(messageOf('X = 2 ** 8')).toContain('found "**" (arithmetic')
		expect(messageOf('X = [1] * 3')).toContain('found "*" (arithmetic')
		expect(messageOf('X = 1 == 1')).toContain('found "==" (arithmetic')
		expect(messageOf("X = 'a'.upper()")).toBe(
			'config.py:1: expected end of line after the value, found "." (method calls, indexing and attribute access are not supported)',
		)
		expect(messageOf("X = {'a': 1}['a']")).toContain('found "[" (method calls, indexing')
		expect(messageOf('X = 1 if True else 2')).toBe('config.py:1: expected end of line after the value, found "if"')
		expect(messageOf('X = 1 = 2')).toBe('config.py:1: expected end of line after the value, found "="')
		expect(messageOf("X = 'a' b")).toBe('config.py:1: expected end of line after the value, found "b"')
	})

	test('statements other than assignment', () => {
		expect(messageOf('if True:\n    X = 1\n')).toBe(
			'config.py:1: expected an assignment NAME = value, found "if" (only assignments are supported)',
		)
		expect(messageOf('def f():\n    pass\n')).toContain('found "def"')
		expect(messageOf('print("hi")')).toBe('config.py:1: expected "=" after print, found "("')
		expect(messageOf('X')).toBe('config.py:1: expected "=" after X, found end of line')
		expect(messageOf('os.environ["X"] = "1"')).toBe('config.py:1: expected "=" after os, found "."')
		expect(messageOf('X += 1')).toBe('config.py:1: augmented assignment "+=" is not supported')
		expect(messageOf('X: int = 1')).toBe('config.py:1: type annotations are not supported')
		expect(messageOf('True = 1')).toBe('config.py:1: cannot assign to True')
		expect(messageOf('None = 1')).toBe('config.py:1: cannot assign to None')
		expect(messageOf('"a" = 1')).toBe('config.py:1: expected an assignment NAME = value, found the string "a"')
		expect(messageOf('1 = 1')).toBe('config.py:1: expected an assignment NAME = value, found "1"')
		expect(messageOf('; X = 1')).toBe('config.py:1: expected an assignment NAME = value, found ";"')
	})

	test('a missing value', () => {
		expect(messageOf('X =\nY = 1')).toBe(`config.py:1: ${LITERAL}, found end of line`)
		expect(messageOf('X = ')).toBe(`config.py:1: ${LITERAL}, found end of line`)
	})

	test('indentation', () => {
		expect(messageOf('A = 1\n  X = 1')).toBe('config.py:2: unexpected indentation (only top-level assignments are supported)')
		expect(messageOf('\tX = 1')).toBe('config.py:1: unexpected indentation (only top-level assignments are supported)')
	})

	test('unbalanced brackets', () => {
		expect(messageOf('A = 1\nX = [1,\n2\n')).toBe('config.py:2: "[" was never closed')
		expect(messageOf('X = 1)')).toBe('config.py:1: unmatched ")"')
		expect(messageOf('X = [\n1)')).toBe('config.py:2: closing ")" does not match opening "[" on line 1')
	})

	test('stray characters', () => {
		expect(messageOf('X = $1')).toBe('config.py:1: unexpected character "$"')
		expect(messageOf('X = 1 ? 2')).toBe('config.py:1: unexpected character "?"')
		expect(messageOf('X = `1`')).toBe('config.py:1: unexpected character "`"')
		expect(messageOf('X = 1 \\ 2')).toBe('config.py:1: unexpected character "\\"')
		expect(messageOf('X = 1 \\')).toBe('config.py:1: unexpected end of file after "\\"')
	})

	test('deep nesting is an error, not a stack overflow', () => {
		expect(value('['.repeat(200) + ']'.repeat(200))).toBeArray()
		expect(messageOf('X = ' + '['.repeat(100_000))).toBe('config.py:1: too many nested brackets (more than 200)')
	})

	test('the first error in the file is the one reported', () => {
		expect(errorOf('X = os\nY = "unterminated').line).toBe(1)
	})
})

describe('PythonLiteralError', () => {
	test('names the file and line', () => {
		const error = errorOf('A = 1\n\nB = [\n  1,\n  x,\n]\n', 'instance/config.py')
		expect(error).toBeInstanceOf(Error)
		expect(error.name).toBe('PythonLiteralError')
		expect(error.file).toBe('instance/config.py')
		expect(error.line).toBe(5)
		expect(error.message).toBe(`instance/config.py:5: ${LITERAL}, found "x"`)
	})

	test('can be constructed directly', () => {
		const error = new PythonLiteralError('redeems.py', 7, 'something')
		expect(error.message).toBe('redeems.py:7: something')
		expect([error.file, error.line]).toEqual(['redeems.py', 7])
	})
})
