// Turning what Owncast delivers (rawBody or rendered body, depending on its version) into the text a viewer typed.

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" }

export function decodeEntities(text: string): string {
	return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (whole, name: string) => {
		const lower = name.toLowerCase()
		if (lower.startsWith('#x')) return codePoint(Number.parseInt(lower.slice(2), 16), whole)
		if (lower.startsWith('#')) return codePoint(Number.parseInt(lower.slice(1), 10), whole)
		return ENTITIES[lower] ?? whole
	})
}

function codePoint(n: number, fallback: string): string {
	return Number.isInteger(n) && n > 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : fallback
}

/** Owncast renders custom emoji as <img class="emoji" alt=":name:" ...>; give back the :name: the viewer typed. */
function emojiToShortcodes(html: string): string {
	return html.replace(/<img\b[^<>]*>/gi, (tag) => {
		const attr = /\b(?:alt|title)\s*=\s*("([^"]*)"|'([^']*)')/i.exec(tag)
		const name = attr?.[2] ?? attr?.[3]
		return name ? decodeEntities(name) : ''
	})
}

// A tag starts with a letter, "/" or "!" right after "<", so text like "<3" or "a < b" is not a tag.
const TAG = /<\/?[a-z!][^<>]*>/gi

/** Text for finding a command: every tag stripped, entities decoded, whitespace folded. */
export function commandText(message: string): string {
	const noTags = emojiToShortcodes(message).replace(/<br\s*\/?>/gi, ' ').replace(TAG, ' ')
	return decodeEntities(noTags).replace(/\s+/g, ' ').trim()
}

/**
 * A note as the viewer typed it. Only Owncast's own markup goes (paragraphs, line breaks, emoji images);
 * when the text is the rendered HTML body, its tags and entities are undone too.
 */
export function noteText(message: string, isRenderedHtml: boolean): string {
	let text = emojiToShortcodes(message)
		.replace(/<br\s*\/?>/gi, ' ')
		.replace(/<\/?p\b[^<>]*>/gi, ' ')
	if (isRenderedHtml) text = decodeEntities(text.replace(TAG, ''))
	return text.replace(/\s+/g, ' ').trim()
}
