// Who is asking: the client address of an admin request, for the login throttle and the origin check. Pure
// functions only: IP and CIDR parsing, matching, grouping of IPv6 addresses by /64, and the forwarding headers
// (X-Forwarded-For, Forwarded: for=), which count only when the socket peer is a trusted proxy (trusted_proxies).

export type Ip = { version: 4 | 6; bytes: Uint8Array }
export type Cidr = Ip & { prefix: number }
/** True for addresses of trusted proxies. */
export type Trust = (ip: Ip) => boolean

/** The key every request without a known peer shares (app.handle() in tests has no socket). */
export const UNKNOWN_CLIENT = 'unknown'

function parseIpv4(text: string): Uint8Array | undefined {
	const parts = text.split('.')
	if (parts.length !== 4) return undefined
	const bytes = new Uint8Array(4)
	for (let i = 0; i < 4; i++) {
		const part = parts[i] as string
		// No leading zeros: "010" is octal to some parsers and decimal to others.
		if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined
		const value = Number(part)
		if (value > 255) return undefined
		bytes[i] = value
	}
	return bytes
}

function parseIpv6(text: string): Uint8Array | undefined {
	if (!/^[0-9A-Fa-f:.]{2,45}$/.test(text)) return undefined
	const halves = text.split('::')
	if (halves.length > 2) return undefined
	const groups = (half: string): number[] | undefined => {
		if (half === '') return []
		const out: number[] = []
		const parts = half.split(':')
		for (let i = 0; i < parts.length; i++) {
			const part = parts[i] as string
			if (i === parts.length - 1 && part.includes('.')) {
				const v4 = parseIpv4(part)
				if (!v4) return undefined
				out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!)
			} else if (/^[0-9A-Fa-f]{1,4}$/.test(part)) {
				out.push(Number.parseInt(part, 16))
			} else {
				return undefined
			}
		}
		return out
	}
	const head = groups(halves[0] as string)
	const tail = halves.length === 2 ? groups(halves[1] as string) : []
	if (!head || !tail) return undefined
	// An embedded IPv4 address may only end the address.
	if (halves.length === 2 && head.length && (halves[0] as string).includes('.')) return undefined
	const count = head.length + tail.length
	if (halves.length === 2 ? count > 7 : count !== 8) return undefined
	const all = [...head, ...new Array<number>(8 - count).fill(0), ...tail]
	const bytes = new Uint8Array(16)
	all.forEach((group, i) => {
		bytes[2 * i] = group >> 8
		bytes[2 * i + 1] = group & 0xff
	})
	return bytes
}

const isV4Mapped = (bytes: Uint8Array) => bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff

/**
 * An IP address, or undefined. Accepts IPv4, IPv6 (also in [brackets], with a %zone, which is dropped) and
 * IPv4-mapped IPv6 (::ffff:192.0.2.1), which becomes the IPv4 address it stands for.
 */
export function parseIp(input: string): Ip | undefined {
	let text = input.trim()
	if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1)
	const zone = text.indexOf('%')
	if (zone >= 0 && text.includes(':')) text = text.slice(0, zone)
	if (!text.includes(':')) {
		const v4 = parseIpv4(text)
		return v4 && { version: 4, bytes: v4 }
	}
	const v6 = parseIpv6(text)
	if (!v6) return undefined
	return isV4Mapped(v6) ? { version: 4, bytes: v6.slice(12) } : { version: 6, bytes: v6 }
}

/** An address or CIDR range ("10.0.0.0/8", "2001:db8::/32"; a plain address is a range of one). */
export function parseCidr(input: string): Cidr | undefined {
	const text = input.trim()
	const slash = text.indexOf('/')
	const addressText = slash < 0 ? text : text.slice(0, slash)
	const prefixText = slash < 0 ? undefined : text.slice(slash + 1)
	const mapped = addressText.includes(':') && parseIpv6(addressText.replace(/^\[(.*)\]$/, '$1'))
	const ip = parseIp(addressText)
	if (!ip) return undefined
	let max = ip.version === 4 ? 32 : 128
	let shift = 0
	// "::ffff:10.0.0.0/104" is written in IPv6 but means the IPv4 range 10.0.0.0/8.
	if (ip.version === 4 && mapped) {
		max = 128
		shift = 96
	}
	if (prefixText !== undefined && !/^(0|[1-9]\d{0,2})$/.test(prefixText)) return undefined
	const prefix = prefixText === undefined ? max : Number(prefixText)
	if (prefix > max || prefix < shift) return undefined
	return { ...ip, prefix: prefix - shift }
}

/** Whether ip lies in the range. */
export function inCidr(ip: Ip, cidr: Cidr): boolean {
	if (ip.version !== cidr.version) return false
	let bits = cidr.prefix
	for (let i = 0; bits > 0; i++, bits -= 8) {
		const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff
		if ((ip.bytes[i]! & mask) !== (cidr.bytes[i]! & mask)) return false
	}
	return true
}

export const isIpOrCidr = (text: string) => parseCidr(text) !== undefined

/** A trust test for a list of addresses and ranges (entries that do not parse are never trusted). */
export function createTrust(list: readonly string[]): Trust {
	const ranges = list.map(parseCidr).filter((c): c is Cidr => c !== undefined)
	return (ip) => ranges.some((range) => inCidr(ip, range))
}

/** The usual text of an address (RFC 5952 for IPv6: lower case, longest run of zero groups as "::"). */
export function formatIp(ip: Ip): string {
	if (ip.version === 4) return [...ip.bytes].join('.')
	const groups = Array.from({ length: 8 }, (_, i) => (ip.bytes[2 * i]! << 8) | ip.bytes[2 * i + 1]!)
	let bestStart = -1
	let bestLength = 1
	for (let i = 0; i < 8; ) {
		if (groups[i] !== 0) {
			i++
			continue
		}
		let j = i
		while (j < 8 && groups[j] === 0) j++
		if (j - i > bestLength) {
			bestStart = i
			bestLength = j - i
		}
		i = j
	}
	const hex = groups.map((g) => g.toString(16))
	if (bestStart < 0) return hex.join(':')
	return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

/**
 * The throttle key of a client: an IPv4 address as it is, an IPv6 address by its /64 (one household or server
 * usually gets a whole /64, so its 2^64 addresses count as one client).
 */
export function clientKey(ip: Ip | undefined): string {
	if (!ip) return UNKNOWN_CLIENT
	if (ip.version === 4) return formatIp(ip)
	const network = new Uint8Array(16)
	network.set(ip.bytes.subarray(0, 8))
	return `${formatIp({ version: 6, bytes: network })}/64`
}

/** The hops of X-Forwarded-For, left (the original client, as claimed) to right (the nearest proxy's peer). */
export function parseXForwardedFor(header: string): string[] {
	return header
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part !== '')
}

/**
 * The for= of every element of a Forwarded header (RFC 7239), left to right. Values may be quoted and carry a
 * port ("[2001:db8::1]:4711", "192.0.2.1:80"); the port is dropped. Obfuscated ("_hidden") and "unknown"
 * nodes are kept as they are (they never parse as addresses).
 */
export function parseForwarded(header: string): string[] {
	const hops: string[] = []
	// Split on commas and semicolons outside quoted strings.
	let element: Record<string, string> = {}
	let pair = ''
	let quoted = false
	const endPair = () => {
		const eq = pair.indexOf('=')
		if (eq > 0) {
			const name = pair.slice(0, eq).trim().toLowerCase()
			let value = pair.slice(eq + 1).trim()
			if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1).replace(/\\(.)/g, '$1')
			if (!(name in element)) element[name] = value
		}
		pair = ''
	}
	const endElement = () => {
		endPair()
		if (element.for !== undefined) hops.push(stripPort(element.for))
		element = {}
	}
	for (let i = 0; i < header.length; i++) {
		const c = header[i] as string
		if (quoted) {
			if (c === '\\' && i + 1 < header.length) {
				pair += c + header[++i]
				continue
			}
			if (c === '"') quoted = false
			pair += c
		} else if (c === '"') {
			quoted = true
			pair += c
		} else if (c === ';') {
			endPair()
		} else if (c === ',') {
			endElement()
		} else {
			pair += c
		}
	}
	endElement()
	return hops
}

/** "192.0.2.1:80" -> "192.0.2.1", "[2001:db8::1]:4711" -> "[2001:db8::1]"; anything else as it is. */
function stripPort(node: string): string {
	const bracketed = /^(\[[^\]]*\])(?::\d+)?$/.exec(node)
	if (bracketed) return bracketed[1] as string
	const v4 = /^([\d.]+):\d+$/.exec(node)
	return v4 ? (v4[1] as string) : node
}

type HeaderSource = { get(name: string): string | null }

/** True when the socket peer is a trusted proxy, so that its forwarding headers count. */
export function fromTrustedProxy(peer: string | undefined, trusted: Trust): boolean {
	const ip = peer === undefined ? undefined : parseIp(peer)
	return ip !== undefined && trusted(ip)
}

/**
 * The client's address: the socket peer, unless the peer is a trusted proxy; then the right-most hop of
 * X-Forwarded-For (or, without it, of Forwarded: for=) that is not itself a trusted proxy. Hops to the left of
 * that one were written by the client and are never believed. When every hop is trusted, the left-most one;
 * when a hop does not parse (a proxy's "unknown" or "_hidden"), the last trusted address before it. Undefined
 * without a peer.
 */
export function clientAddress(peer: string | undefined, headers: HeaderSource, trusted: Trust): Ip | undefined {
	const peerIp = peer === undefined ? undefined : parseIp(peer)
	if (!peerIp || !trusted(peerIp)) return peerIp
	const xff = headers.get('x-forwarded-for')
	const forwarded = headers.get('forwarded')
	const hops = xff !== null && xff.trim() !== '' ? parseXForwardedFor(xff) : forwarded !== null ? parseForwarded(forwarded) : []
	let nearest = peerIp
	for (let i = hops.length - 1; i >= 0; i--) {
		const ip = parseIp(hops[i] as string)
		if (!ip) return nearest
		if (!trusted(ip)) return ip
		nearest = ip
	}
	return nearest
}

/** trusted_proxies as it is now, parsed again only when a reload replaced the list. */
export function createTrustOf(trustedProxies: () => readonly string[]): () => Trust {
	let cache: { list: readonly string[]; trust: Trust } | undefined
	return () => {
		const list = trustedProxies()
		if (cache?.list !== list) cache = { list, trust: createTrust(list) }
		return cache.trust
	}
}

/** Who a request comes from, as the key rate limits count by (an IPv6 client by its /64). */
export function createClientKeyOf(trust: () => Trust) {
	return (peer: string | undefined, headers: HeaderSource): string => clientKey(clientAddress(peer, headers, trust()))
}
