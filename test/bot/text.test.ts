// Turning Owncast's chat text into commands: tag stripping, entities, emoji, command words and amounts.
import { test, expect, describe } from 'bun:test'
import { parseAmount, parseCommand, textAfterCommand } from '../../src/modules/chat/commands.ts'
import { describeInterval } from '../../src/modules/messages/messages.ts'
import { commandText, decodeEntities, noteText } from '../../src/modules/chat/text.ts'

describe('decodeEntities', () => {
	test('decodes the named entities Owncast and browsers produce', () => {
		expect(decodeEntities('fish &amp; chips')).toBe('fish & chips')
		expect(decodeEntities('&lt;b&gt;')).toBe('<b>')
		expect(decodeEntities('&quot;hi&quot;')).toBe('"hi"')
		expect(decodeEntities('it&apos;s')).toBe("it's")
		expect(decodeEntities('a&nbsp;b')).toBe('a b')
	})

	test('names are case-insensitive', () => {
		expect(decodeEntities('&AMP; &Lt;')).toBe('& <')
	})

	test('decodes decimal and hexadecimal character references, including astral ones', () => {
		expect(decodeEntities('it&#39;s')).toBe("it's")
		expect(decodeEntities('&#x1F600;')).toBe('😀')
		expect(decodeEntities('&#X1f600;')).toBe('😀')
		expect(decodeEntities('&#128512;')).toBe('😀')
		expect(decodeEntities('&#65;&#x42;')).toBe('AB')
	})

	test('decodes only once: &amp;lt; stays the text "&lt;"', () => {
		expect(decodeEntities('&amp;lt;')).toBe('&lt;')
		expect(decodeEntities('&amp;amp;')).toBe('&amp;')
	})

	test('leaves unknown names and impossible code points as they were', () => {
		expect(decodeEntities('&unknown;')).toBe('&unknown;')
		expect(decodeEntities('&#0;')).toBe('&#0;')
		expect(decodeEntities('&#xD800;')).toBe('&#xD800;')
		expect(decodeEntities('&#x110000;')).toBe('&#x110000;')
		expect(decodeEntities('AT&T and & alone')).toBe('AT&T and & alone')
	})
})

describe('commandText', () => {
	test('strips <p> wrappers and folds whitespace', () => {
		expect(commandText('<p>!points</p>')).toBe('!points')
		expect(commandText('  <p>  !help \n\t now </p> ')).toBe('!help now')
	})

	test('<br> in any spelling becomes a space, not glued words', () => {
		expect(commandText('one<br>two<br/>three<br />four<BR>five')).toBe('one two three four five')
	})

	test('strips every tag, including links and formatting', () => {
		expect(commandText('<p><strong>!hydrate</strong> <em>now</em> <a href="https://x.example" rel="noreferrer">x</a></p>')).toBe(
			'!hydrate now x'
		)
		expect(commandText('<!-- c -->!points')).toBe('!points')
	})

	test('keeps text that only looks like a tag start: "<3" and "a < b"', () => {
		expect(commandText('I <3 tlapbot')).toBe('I <3 tlapbot')
		expect(commandText('<p>a < b > c</p>')).toBe('a < b > c')
	})

	test('decodes entities after stripping tags, so escaped markup is text, not a tag', () => {
		expect(commandText('<p>fish &amp; chips &lt;3 &#39;quoted&#39; &#x1F600;</p>')).toBe("fish & chips <3 'quoted' 😀")
		expect(commandText('&lt;p&gt;!points&lt;/p&gt;')).toBe('<p>!points</p>')
	})

	test('custom emoji images go back to the :name: the viewer typed', () => {
		const body = '<p>!hug <img class="emoji" alt=":wave:" title=":wave:" src="/img/emoji/wave.gif"> ok</p>'
		expect(commandText(body)).toBe('!hug :wave: ok')
		expect(commandText("<img class='emoji' title=':cat:' src='/img/emoji/cat.png'>")).toBe(':cat:')
		// An image with no alt or title leaves nothing behind.
		expect(commandText('a<img src="/x.png">b')).toBe('ab')
	})

	test('a command word glued to an emoji stays recognisable', () => {
		expect(commandText('<p>!points<img class="emoji" alt=":tada:" src="/img/emoji/tada.gif"></p>')).toBe('!points:tada:')
	})
})

describe('noteText', () => {
	test('typed text (rawBody) keeps everything the viewer wrote except Owncast markup', () => {
		expect(noteText('<p>play <b>this</b> &amp; <3</p>', false)).toBe('play <b>this</b> &amp; <3')
		expect(noteText('line one<br>line two', false)).toBe('line one line two')
		expect(noteText('hi <img class="emoji" alt=":wave:" src="/img/emoji/wave.gif">', false)).toBe('hi :wave:')
	})

	test('the rendered body loses its tags and entities', () => {
		expect(noteText('<p>play <strong>this</strong> &amp; &lt;3</p>', true)).toBe('play this & <3')
		expect(noteText('<p>a</p><p>b</p>', true)).toBe('a b')
	})
})

describe('parseCommand', () => {
	test('finds the command word, lower-cased, and the trimmed arguments', () => {
		expect(parseCommand('!points', '!')).toEqual({ name: 'points', args: '' })
		expect(parseCommand('!POINTS', '!')).toEqual({ name: 'points', args: '' })
		expect(parseCommand('!hydrate  a big  glass ', '!')).toEqual({ name: 'hydrate', args: 'a big  glass' })
		expect(parseCommand('!note line\nnext', '!')).toEqual({ name: 'note', args: 'line\nnext' })
	})

	test('matches the whole word: "!pointsXYZ" is not "!points"', () => {
		const parsed = parseCommand('!pointsXYZ', '!')
		expect(parsed?.name).toBe('pointsxyz')
		expect(parsed?.name).not.toBe('points')
	})

	test('the prefix alone, or followed by a space, is no command', () => {
		expect(parseCommand('!', '!')).toBeUndefined()
		expect(parseCommand('! points', '!')).toBeUndefined()
		expect(parseCommand('!   ', '!')).toBeUndefined()
	})

	test('text without the prefix at the start is no command', () => {
		expect(parseCommand('points', '!')).toBeUndefined()
		expect(parseCommand('say !points', '!')).toBeUndefined()
		expect(parseCommand('?points', '!')).toBeUndefined()
		expect(parseCommand('', '!')).toBeUndefined()
	})

	test('other prefixes work, including ones that are regex characters', () => {
		expect(parseCommand('$points', '$')).toEqual({ name: 'points', args: '' })
		expect(parseCommand('.help me', '.')).toEqual({ name: 'help', args: 'me' })
		expect(parseCommand('!help', '.')).toBeUndefined()
	})
})

describe('textAfterCommand', () => {
	test('gives what follows the command word, trimmed', () => {
		expect(textAfterCommand('!hydrate  drink water ', '!')).toBe('drink water')
		expect(textAfterCommand('  !note two  words', '!')).toBe('two  words')
	})

	test('is empty when there is nothing after the word, or no command', () => {
		expect(textAfterCommand('!hydrate', '!')).toBe('')
		expect(textAfterCommand('!hydrate   ', '!')).toBe('')
		expect(textAfterCommand('hello there', '!')).toBe('')
	})
})

describe('parseAmount', () => {
	test('accepts positive whole numbers in ASCII digits', () => {
		expect(parseAmount('1')).toBe(1)
		expect(parseAmount('50')).toBe(50)
		expect(parseAmount('007')).toBe(7)
		expect(parseAmount(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER)
	})

	test.each(['²', '٣', '１２', '-5', '+5', '0', '00', '1.5', '1e3', '0x10', '', ' 5', '5 ', 'five', 'Infinity', 'NaN'])(
		'rejects %p',
		(text) => {
			expect(parseAmount(text)).toBeUndefined()
		}
	)

	test('rejects numbers beyond the safe integers', () => {
		expect(parseAmount(String(Number.MAX_SAFE_INTEGER + 1))).toBeUndefined()
		expect(parseAmount('99999999999999999999')).toBeUndefined()
		expect(parseAmount('9'.repeat(400))).toBeUndefined()
	})
})

describe('describeInterval', () => {
	test('whole hours, whole minutes, else seconds', () => {
		expect(describeInterval(600)).toBe('10 minutes')
		expect(describeInterval(90)).toBe('90 seconds')
		expect(describeInterval(3600)).toBe('hour')
		expect(describeInterval(7200)).toBe('2 hours')
		expect(describeInterval(5400)).toBe('90 minutes')
		expect(describeInterval(120)).toBe('2 minutes')
		expect(describeInterval(59)).toBe('59 seconds')
	})

	test('one unit reads as "every minute", "every second"', () => {
		expect(describeInterval(60)).toBe('minute')
		expect(describeInterval(1)).toBe('second')
		expect(`every ${describeInterval(60)}`).toBe('every minute')
	})
})
