// Reads the old Python bot's instance/config.py and instance/redeems.py: top-level `NAME = literal`
// assignments only. A hand-written tokenizer and recursive-descent parser, so nothing is ever evaluated.

export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue }

export class PythonLiteralError extends Error {
	readonly file: string
	readonly line: number

	constructor(file: string, line: number, message: string) {
		super(`${file}:${line}: ${message}`)
		this.name = 'PythonLiteralError'
		this.file = file
		this.line = line
	}
}

type Token =
	| { kind: 'name'; text: string; line: number }
	| { kind: 'op'; text: string; line: number }
	| { kind: 'string'; text: string; line: number; value: string }
	| { kind: 'int'; text: string; line: number; value: bigint }
	| { kind: 'float'; text: string; line: number; value: number }
	| { kind: 'newline'; text: string; line: number }
	| { kind: 'eof'; text: string; line: number }

const KEYWORDS = new Set([
	'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue',
	'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in',
	'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
])

// Longest first, so `**=` is not read as `*` `*` `=`.
const OPERATORS = [
	'**=', '//=', '>>=', '<<=', '...',
	'->', ':=', '**', '//', '<<', '>>', '<=', '>=', '==', '!=',
	'+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=',
	'(', ')', '[', ']', '{', '}', ',', ':', ';', '=', '.', '+', '-', '*', '/', '%', '@', '&', '|', '^',
	'~', '<', '>', '!',
]
const ARITHMETIC = new Set([
	'+', '-', '*', '/', '//', '%', '**', '@', '<<', '>>', '&', '|', '^', '~',
	'<', '>', '<=', '>=', '==', '!=',
])
const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '**=', '@=', '&=', '|=', '^=', '<<=', '>>='])
const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}' }

// CPython refuses deeper bracket nesting too; the limit also keeps the recursive parser off the stack limit.
const MAX_NESTING = 200

const ID_START = /[\p{ID_Start}_]/u
const ID_CONTINUE = /[\p{ID_Continue}]/u
const DIGITS = String.raw`\d(?:_?\d)*`
const EXPONENT = String.raw`[eE][+-]?${DIGITS}`
const FLOAT_RE = new RegExp(String.raw`(?:(?:${DIGITS})?\.${DIGITS}|${DIGITS}\.)(?:${EXPONENT})?|${DIGITS}${EXPONENT}`, 'y')
const DECIMAL_RE = new RegExp(DIGITS, 'y')
const PREFIXED_INT_RE = /0(?:[xX](?:_?[0-9a-fA-F])+|[oO](?:_?[0-7])+|[bB](?:_?[01])+)/y
const STRING_PREFIX_RE = /^(?:r|u|b|br|rb|f|fr|rf)$/i

const SIMPLE_ESCAPES: Record<string, string> = {
	'\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
}

// Lazy, so an error early in the file is reported before a tokenizing error further down.
function* tokenize(source: string, file: string): Generator<Token, Token> {
	const src = source.startsWith('\uFEFF') ? source.slice(1) : source
	let last: Token | undefined
	const brackets: { char: string; line: number }[] = []
	let i = 0
	let line = 1
	// True at the start of a logical line, where Python would treat leading whitespace as indentation.
	let lineStart = true
	const fail = (message: string, at = line): never => {
		throw new PythonLiteralError(file, at, message)
	}
	const newlineLength = (at: number): number =>
		src[at] === '\r' ? (src[at + 1] === '\n' ? 2 : 1) : src[at] === '\n' ? 1 : 0

	while (i < src.length) {
		const c = src[i] as string
		const nl = newlineLength(i)
		if (nl > 0) {
			if (brackets.length === 0 && last !== undefined && last.kind !== 'newline') {
				yield last = { kind: 'newline', text: '\n', line }
			}
			i += nl
			line++
			if (brackets.length === 0) lineStart = true
			continue
		}
		if (c === ' ' || c === '\t' || c === '\f') {
			while (src[i] === ' ' || src[i] === '\t' || src[i] === '\f') i++
			const next = src[i]
			const blank = next === undefined || next === '#' || newlineLength(i) > 0
			if (lineStart && !blank) fail('unexpected indentation (only top-level assignments are supported)')
			continue
		}
		if (c === '#') {
			while (i < src.length && newlineLength(i) === 0) i++
			continue
		}
		if (c === '\\') {
			const after = newlineLength(i + 1)
			if (after === 0) fail(i + 1 >= src.length ? 'unexpected end of file after "\\"' : 'unexpected character "\\"')
			i += 1 + after
			line++
			// A continued line is not a new statement, so its indentation does not matter.
			lineStart = false
			continue
		}
		lineStart = false

		const first = String.fromCodePoint(src.codePointAt(i) as number)
		if (ID_START.test(first)) {
			const start = i
			i += first.length
			while (i < src.length) {
				const ch = String.fromCodePoint(src.codePointAt(i) as number)
				if (!ID_CONTINUE.test(ch)) break
				i += ch.length
			}
			const word = src.slice(start, i)
			const quote = src[i]
			if ((quote === "'" || quote === '"') && STRING_PREFIX_RE.test(word)) {
				const prefix = word.toLowerCase()
				if (prefix.includes('b')) fail('bytes literals are not supported')
				if (prefix.includes('f')) fail('f-strings are not supported')
				const startLine = line
				const read = readString(src, i, prefix.includes('r'), (message, offset) => fail(message, startLine + offset))
				yield last = { kind: 'string', text: src.slice(start, read.end), line: startLine, value: read.value }
				line += read.lines
				i = read.end
				continue
			}
			yield last = { kind: 'name', text: word, line }
			continue
		}
		if (c === "'" || c === '"') {
			const startLine = line
			const read = readString(src, i, false, (message, offset) => fail(message, startLine + offset))
			yield last = { kind: 'string', text: src.slice(i, read.end), line: startLine, value: read.value }
			line += read.lines
			i = read.end
			continue
		}
		if (/\d/.test(c) || c === '.' && /\d/.test(src[i + 1] ?? '')) {
			const number = readNumber(src, i, line, fail)
			yield last = number
			i += number.text.length
			continue
		}
		const op = OPERATORS.find((o) => src.startsWith(o, i))
		if (op !== undefined) {
			if (Object.hasOwn(CLOSING, op)) {
				if (brackets.length >= MAX_NESTING) fail(`too many nested brackets (more than ${MAX_NESTING})`)
				brackets.push({ char: op, line })
			} else if (op === ')' || op === ']' || op === '}') {
				const open = brackets.pop()
				if (open === undefined) fail(`unmatched "${op}"`)
				else if (CLOSING[open.char] !== op) {
					fail(`closing "${op}" does not match opening "${open.char}" on line ${open.line}`)
				}
			}
			yield last = { kind: 'op', text: op, line }
			i += op.length
			continue
		}
		fail(`unexpected character ${JSON.stringify(first)}`)
	}
	const open = brackets[brackets.length - 1]
	if (open !== undefined) fail(`"${open.char}" was never closed`, open.line)
	if (last !== undefined && last.kind !== 'newline') yield { kind: 'newline', text: '\n', line }
	return { kind: 'eof', text: '', line }
}

function readString(
	src: string,
	start: number,
	raw: boolean,
	// Takes the number of lines into the string, so errors point at the right line.
	fail: (message: string, lineOffset: number) => never,
): { value: string; end: number; lines: number } {
	const q = src[start] as string
	const triple = src.startsWith(q.repeat(3), start)
	let i = start + (triple ? 3 : 1)
	let lines = 0
	let value = ''
	const newlineAt = (at: number): number =>
		src[at] === '\r' ? (src[at + 1] === '\n' ? 2 : 1) : src[at] === '\n' ? 1 : 0
	const unterminated = (): never =>
		fail(triple ? 'unterminated triple-quoted string literal' : 'unterminated string literal', 0)

	for (;;) {
		if (i >= src.length) unterminated()
		if (triple ? src.startsWith(q.repeat(3), i) : src[i] === q) {
			return { value, end: i + (triple ? 3 : 1), lines }
		}
		const nl = newlineAt(i)
		if (nl > 0) {
			if (!triple) unterminated()
			// Python reads source files with universal newlines, so \r\n inside a string becomes \n.
			value += '\n'
			i += nl
			lines++
			continue
		}
		const c = src[i] as string
		if (c !== '\\') {
			value += c
			i++
			continue
		}
		const e = src[i + 1]
		if (e === undefined) unterminated()
		const enl = newlineAt(i + 1)
		if (raw) {
			// Raw strings keep the backslash; it still stops the next quote from ending the string.
			value += enl > 0 ? '\\\n' : '\\' + e
			i += 1 + (enl > 0 ? enl : 1)
			if (enl > 0) lines++
			continue
		}
		if (enl > 0) {
			i += 1 + enl
			lines++
			continue
		}
		const simple = SIMPLE_ESCAPES[e as string]
		if (simple !== undefined) {
			value += simple
			i += 2
			continue
		}
		if (/[0-7]/.test(e as string)) {
			const digits = /[0-7]{1,3}/y
			digits.lastIndex = i + 1
			const m = digits.exec(src)?.[0] as string
			value += String.fromCodePoint(parseInt(m, 8))
			i += 1 + m.length
			continue
		}
		const hexLength = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0
		if (hexLength > 0) {
			const hex = src.slice(i + 2, i + 2 + hexLength)
			if (hex.length !== hexLength || !/^[0-9a-fA-F]+$/.test(hex)) {
				fail(`truncated \\${e}${'X'.repeat(hexLength)} escape`, lines)
			}
			const code = parseInt(hex, 16)
			if (code > 0x10ffff) fail(`illegal Unicode character \\U${hex}`, lines)
			value += String.fromCodePoint(code)
			i += 2 + hexLength
			continue
		}
		if (e === 'N') fail('\\N{...} escapes are not supported', lines)
		// Like Python, an unknown escape keeps its backslash.
		value += '\\'
		i++
	}
}

function readNumber(src: string, start: number, line: number, fail: (message: string) => never): Token {
	const match = (re: RegExp): string | undefined => {
		re.lastIndex = start
		return re.exec(src)?.[0]
	}
	let token: Token
	const prefixed = match(PREFIXED_INT_RE)
	const float = prefixed === undefined ? match(FLOAT_RE) : undefined
	if (prefixed !== undefined) {
		token = { kind: 'int', text: prefixed, line, value: BigInt(prefixed.replaceAll('_', '')) }
	} else if (float !== undefined) {
		token = { kind: 'float', text: float, line, value: Number(float.replaceAll('_', '')) }
	} else {
		const text = match(DECIMAL_RE) as string
		if (text.startsWith('0') && /[1-9]/.test(text)) {
			fail('leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers')
		}
		token = { kind: 'int', text, line, value: BigInt(text.replaceAll('_', '')) }
	}
	const next = src[start + token.text.length] ?? ''
	if (next === 'j' || next === 'J') fail('complex numbers are not supported')
	if (ID_CONTINUE.test(next)) {
		fail(`invalid number literal ${JSON.stringify(src.slice(start, start + token.text.length + 1))}`)
	}
	return token
}

const LITERAL_EXPECTED = 'expected a literal (string, number, True/False/None, list, tuple or dict)'

function describe(token: Token): string {
	switch (token.kind) {
		case 'newline':
			return 'end of line'
		case 'eof':
			return 'end of file'
		case 'string':
			return `the string ${token.text}`
		default:
			return JSON.stringify(token.text)
	}
}

// Own data property even for keys like "__proto__", which plain assignment would turn into a prototype change.
function setKey(obj: { [key: string]: PyValue }, key: string, value: PyValue): void {
	Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
}

class Parser {
	private readonly source: Generator<Token, Token>
	private readonly file: string
	// Tokens read but not yet consumed; the parser looks at most one token ahead.
	private readonly buffer: Token[] = []

	constructor(source: Generator<Token, Token>, file: string) {
		this.source = source
		this.file = file
	}

	private get tok(): Token {
		return this.peek(0)
	}

	private peek(offset: number): Token {
		while (this.buffer.length <= offset) {
			const last = this.buffer[this.buffer.length - 1]
			// The end-of-file token repeats, so looking past it is harmless.
			if (last?.kind === 'eof') return last
			this.buffer.push(this.source.next().value)
		}
		return this.buffer[offset] as Token
	}

	private advance(count = 1): void {
		for (let n = 0; n < count; n++) {
			if (this.tok.kind !== 'eof') this.buffer.shift()
		}
	}

	private fail(message: string, token: Token = this.tok): never {
		throw new PythonLiteralError(this.file, token.line, message)
	}

	private isOp(text: string, token: Token = this.tok): boolean {
		return token.kind === 'op' && token.text === text
	}

	private expectOp(text: string, context: string): void {
		if (!this.isOp(text)) this.fail(`expected "${text}" ${context}, found ${describe(this.tok)}`)
		this.advance()
	}

	private atStatementEnd(): boolean {
		return this.tok.kind === 'newline' || this.tok.kind === 'eof' || this.isOp(';')
	}

	parseFile(): Map<string, PyValue> {
		const values = new Map<string, PyValue>()
		while (this.tok.kind !== 'eof') {
			if (this.tok.kind === 'newline') {
				this.advance()
				continue
			}
			const targets = this.parseTargets()
			const value = this.parseRightHandSide()
			for (const name of targets) values.set(name, value)
			if (this.isOp(';')) {
				this.advance()
				continue
			}
			if (!this.atStatementEnd()) this.failAfterValue()
		}
		return values
	}

	private parseTargets(): string[] {
		const first = this.tok
		if (first.kind !== 'name') this.fail(`expected an assignment NAME = value, found ${describe(first)}`)
		if (first.text === 'import' || first.text === 'from') {
			this.fail('import statements are not supported (only NAME = value assignments)')
		}
		if (first.text === 'True' || first.text === 'False' || first.text === 'None') {
			this.fail(`cannot assign to ${first.text}`)
		}
		if (KEYWORDS.has(first.text)) {
			this.fail(`expected an assignment NAME = value, found ${describe(first)} (only assignments are supported)`)
		}
		const targets: string[] = []
		// `A = B = 1` assigns both names, as in Python.
		while (this.tok.kind === 'name' && !KEYWORDS.has(this.tok.text) && this.isOp('=', this.peek(1))) {
			targets.push(this.tok.text)
			this.advance(2)
		}
		if (targets.length > 0) return targets
		const next = this.peek(1)
		if (next.kind === 'op' && AUGMENTED.has(next.text)) this.fail(`augmented assignment "${next.text}" is not supported`, next)
		if (this.isOp(':', next)) this.fail('type annotations are not supported', next)
		return this.fail(`expected "=" after ${first.text}, found ${describe(next)}`, next)
	}

	private parseRightHandSide(): PyValue {
		const value = this.parseValue()
		if (!this.isOp(',')) return value
		// A bare `X = 1, 2` is a tuple.
		const items = [value]
		while (this.isOp(',')) {
			this.advance()
			if (this.atStatementEnd()) break
			items.push(this.parseValue())
		}
		return items
	}

	private failAfterValue(): never {
		const token = this.tok
		if (token.kind === 'op' && ARITHMETIC.has(token.text)) {
			this.fail(`expected end of line after the value, found "${token.text}" (arithmetic and other expressions are not supported)`)
		}
		if (this.isOp('.') || this.isOp('(') || this.isOp('[')) {
			this.fail(`expected end of line after the value, found "${token.text}" (method calls, indexing and attribute access are not supported)`)
		}
		return this.fail(`expected end of line after the value, found ${describe(token)}`)
	}

	private parseValue(): PyValue {
		const token = this.tok
		switch (token.kind) {
			case 'string': {
				// Adjacent literals concatenate: 'a' 'b' == 'ab'.
				let value = ''
				for (let t = this.tok; t.kind === 'string'; t = this.tok) {
					value += t.value
					this.advance()
				}
				return value
			}
			case 'int':
			case 'float':
				return this.parseNumber().value
			case 'name':
				this.advance()
				if (token.text === 'True') return true
				if (token.text === 'False') return false
				if (token.text === 'None') return null
				return this.fail(`${LITERAL_EXPECTED}, found ${describe(token)}`, token)
			case 'op':
				if (token.text === '+' || token.text === '-') return this.parseNumber().value
				if (token.text === '[') return this.parseSequence(']', 'list')
				if (token.text === '(') return this.parseParenthesized()
				if (token.text === '{') return this.parseDict()
				return this.fail(`${LITERAL_EXPECTED}, found ${describe(token)}`)
			default:
				return this.fail(`${LITERAL_EXPECTED}, found ${describe(token)}`)
		}
	}

	// A number with any run of unary signs in front, as Python allows `--5`.
	private parseNumber(): { value: number; isInt: boolean } {
		let negative = false
		const first = this.tok
		while (this.isOp('+') || this.isOp('-')) {
			if (this.tok.text === '-') negative = !negative
			this.advance()
		}
		const token = this.tok
		if (token.kind === 'float') {
			this.advance()
			return { value: negative ? -token.value : token.value, isInt: false }
		}
		if (token.kind !== 'int') {
			return this.fail(`expected a number after "${first.text}", found ${describe(token)} (expressions are not supported)`)
		}
		this.advance()
		const value = negative ? -token.value : token.value
		if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
			this.fail(`integer ${value} is too large (the limit is ±${Number.MAX_SAFE_INTEGER})`, token)
		}
		return { value: Number(value), isInt: true }
	}

	private parseSequence(close: string, what: string): PyValue[] {
		this.advance()
		const items: PyValue[] = []
		while (!this.isOp(close)) {
			items.push(this.parseValue())
			if (this.isOp(close)) break
			this.expectOp(',', `or "${close}" in ${what}`)
		}
		this.advance()
		return items
	}

	// `(x)` is just x; `()`, `(x,)` and `(x, y)` are tuples, which become arrays.
	private parseParenthesized(): PyValue {
		if (this.isOp(')', this.peek(1))) {
			this.advance(2)
			return []
		}
		this.advance()
		const first = this.parseValue()
		if (this.isOp(')')) {
			this.advance()
			return first
		}
		this.expectOp(',', 'or ")" in tuple')
		const items = [first]
		while (!this.isOp(')')) {
			items.push(this.parseValue())
			if (this.isOp(')')) break
			this.expectOp(',', 'or ")" in tuple')
		}
		this.advance()
		return items
	}

	private parseDict(): { [key: string]: PyValue } {
		this.advance()
		const dict: { [key: string]: PyValue } = {}
		while (!this.isOp('}')) {
			const keyToken = this.tok
			let key: string
			if (keyToken.kind === 'string') {
				key = this.parseValue() as string
			} else if (keyToken.kind === 'int' || keyToken.kind === 'float' || this.isOp('+') || this.isOp('-')) {
				const number = this.parseNumber()
				if (!number.isInt) this.fail(`dict keys must be strings or integers, found ${describe(keyToken)}`, keyToken)
				key = String(number.value)
			} else {
				return this.fail(`dict keys must be strings or integers, found ${describe(keyToken)}`)
			}
			if (this.isOp(',') || this.isOp('}')) this.fail('sets are not supported', keyToken)
			this.expectOp(':', 'after a dict key')
			// Later duplicates win, as in Python.
			setKey(dict, key, this.parseValue())
			if (this.isOp('}')) break
			this.expectOp(',', 'or "}" in dict')
		}
		this.advance()
		return dict
	}
}

/** Parses the top-level `NAME = literal` assignments of a Python file; `file` is used in error messages. */
export function parsePythonAssignments(source: string, file: string): Map<string, PyValue> {
	return new Parser(tokenize(source, file), file).parseFile()
}
