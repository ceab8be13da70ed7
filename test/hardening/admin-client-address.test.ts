// Who a request comes from (src/modules/http/client-address.ts), the per-client login throttle (auth.ts), and
// the trusted_proxies setting.
import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { ConfigError, loadConfig } from '../../src/config/load.ts'
import { createLoginThrottle } from '../../src/modules/admin/auth.ts'
import {
	clientAddress,
	clientKey,
	createTrust,
	formatIp,
	fromTrustedProxy,
	inCidr,
	parseCidr,
	parseForwarded,
	parseIp,
	parseXForwardedFor,
	UNKNOWN_CLIENT
} from '../../src/modules/http/client-address.ts'
import { EXPECTED } from '../../src/modules/settings/schema.ts'
import { makeTempDir, TEST_SECRET, useTempDirs, writeInstance } from '../helpers.ts'

useTempDirs()

const text = (input: string) => {
	const ip = parseIp(input)
	return ip && formatIp(ip)
}
const headers = (values: Record<string, string>) => new Headers(values)

describe('parseIp', () => {
	test('IPv4 and IPv6 in their usual forms', () => {
		expect(text('192.0.2.1')).toBe('192.0.2.1')
		expect(text(' 10.0.0.255 ')).toBe('10.0.0.255')
		expect(text('::1')).toBe('::1')
		expect(text('::')).toBe('::')
		expect(text('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1')
		expect(text('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1')
		expect(text('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2:3:4:5:6')
		expect(text('fe80::1%eth0')).toBe('fe80::1')
		expect(text('[2001:db8::7]')).toBe('2001:db8::7')
		expect(text('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221')
	})

	test('an IPv4-mapped IPv6 address is the IPv4 address', () => {
		expect(parseIp('::ffff:127.0.0.1')).toEqual({ version: 4, bytes: new Uint8Array([127, 0, 0, 1]) })
		expect(text('::FFFF:7f00:1')).toBe('127.0.0.1')
	})

	test('anything else is not an address', () => {
		for (const bad of [
			'',
			'unknown',
			'_hidden',
			'1.2.3',
			'1.2.3.4.5',
			'256.1.1.1',
			'01.2.3.4',
			'1.2.3.4:80',
			'1::2::3',
			'1:2:3:4:5:6:7:8:9',
			'1:2:3:4:5:6:7::8',
			'12345::',
			'1.2.3.4::',
			'::g',
			'2001:db8::/32',
			'localhost'
		]) {
			expect(parseIp(bad)).toBeUndefined()
		}
	})
})

describe('parseCidr and inCidr', () => {
	const inside = (ip: string, range: string) => inCidr(parseIp(ip)!, parseCidr(range)!)

	test('ranges and single addresses', () => {
		expect(inside('10.1.2.3', '10.0.0.0/8')).toBe(true)
		expect(inside('11.1.2.3', '10.0.0.0/8')).toBe(false)
		expect(inside('172.31.255.255', '172.16.0.0/12')).toBe(true)
		expect(inside('172.32.0.0', '172.16.0.0/12')).toBe(false)
		expect(inside('192.0.2.1', '192.0.2.1')).toBe(true)
		expect(inside('192.0.2.2', '192.0.2.1')).toBe(false)
		expect(inside('203.0.113.9', '0.0.0.0/0')).toBe(true)
		expect(inside('2001:db8:ffff::1', '2001:db8::/32')).toBe(true)
		expect(inside('2001:db9::1', '2001:db8::/32')).toBe(false)
		expect(inside('::1', '::1')).toBe(true)
		// The two families never match each other (a mapped address is IPv4).
		expect(inside('::ffff:10.0.0.1', '10.0.0.0/8')).toBe(true)
		expect(inside('10.0.0.1', '::ffff:10.0.0.0/104')).toBe(true)
		expect(inside('::1', '0.0.0.0/0')).toBe(false)
		expect(inside('10.0.0.1', '::/0')).toBe(false)
	})

	test('bad ranges are refused', () => {
		for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', '2001:db8::/129', 'example.com', '10.0.0.0/08', '*']) {
			expect(parseCidr(bad)).toBeUndefined()
		}
	})
})

describe('clientKey', () => {
	test('IPv4 as it is; IPv6 grouped by /64; no address is "unknown"', () => {
		expect(clientKey(parseIp('198.51.100.7'))).toBe('198.51.100.7')
		expect(clientKey(parseIp('2001:db8:1:2:aaaa:bbbb:cccc:dddd'))).toBe('2001:db8:1:2::/64')
		expect(clientKey(parseIp('2001:db8:1:2::1'))).toBe(clientKey(parseIp('2001:db8:1:2:ffff::9')))
		expect(clientKey(parseIp('2001:db8:1:3::1'))).not.toBe(clientKey(parseIp('2001:db8:1:2::1')))
		expect(clientKey(parseIp('::1'))).toBe('::/64')
		expect(clientKey(undefined)).toBe(UNKNOWN_CLIENT)
	})
})

describe('forwarding headers', () => {
	test('X-Forwarded-For: a comma-separated list, also over several header lines', () => {
		expect(parseXForwardedFor('203.0.113.1, 10.0.0.2,10.0.0.3')).toEqual(['203.0.113.1', '10.0.0.2', '10.0.0.3'])
		expect(parseXForwardedFor(' , 2001:db8::1 ,')).toEqual(['2001:db8::1'])
		const h = new Headers()
		h.append('x-forwarded-for', '1.1.1.1')
		h.append('x-forwarded-for', '2.2.2.2')
		expect(parseXForwardedFor(h.get('x-forwarded-for')!)).toEqual(['1.1.1.1', '2.2.2.2'])
	})

	test('Forwarded: for= of each element, quoted or not, ports dropped', () => {
		expect(parseForwarded('for=192.0.2.43')).toEqual(['192.0.2.43'])
		expect(parseForwarded('For="[2001:db8:cafe::17]:4711"')).toEqual(['[2001:db8:cafe::17]'])
		expect(parseForwarded('for=192.0.2.60;proto=http;by=203.0.113.43, for="198.51.100.17:8080"')).toEqual(['192.0.2.60', '198.51.100.17'])
		expect(parseForwarded('for=unknown, for=_hidden, by=10.0.0.1')).toEqual(['unknown', '_hidden'])
		expect(parseForwarded('proto=https;for="a,b;c", for=10.0.0.1')).toEqual(['a,b;c', '10.0.0.1'])
		expect(parseForwarded('')).toEqual([])
	})
})

describe('clientAddress', () => {
	const trust = createTrust(['127.0.0.1', '10.0.0.0/8', '2001:db8:aaaa::/48'])
	const client = (peer: string | undefined, values: Record<string, string> = {}) => {
		const ip = clientAddress(peer, headers(values), trust)
		return ip && formatIp(ip)
	}

	test('without a trusted peer, the headers mean nothing', () => {
		expect(client('198.51.100.7', { 'x-forwarded-for': '1.2.3.4', forwarded: 'for=5.6.7.8' })).toBe('198.51.100.7')
		expect(client(undefined, { 'x-forwarded-for': '1.2.3.4' })).toBeUndefined()
		expect(client('not an address', { 'x-forwarded-for': '1.2.3.4' })).toBeUndefined()
	})

	test('from a trusted proxy: the right-most X-Forwarded-For hop that is not a trusted proxy', () => {
		expect(client('127.0.0.1', { 'x-forwarded-for': '203.0.113.5' })).toBe('203.0.113.5')
		// What the client wrote itself (to the left) is never believed.
		expect(client('127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 203.0.113.5' })).toBe('203.0.113.5')
		// Trusted proxies in the chain are skipped.
		expect(client('127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 203.0.113.5, 10.1.1.1, 10.2.2.2' })).toBe('203.0.113.5')
		expect(client('::ffff:127.0.0.1', { 'x-forwarded-for': '2001:db8:1::9' })).toBe('2001:db8:1::9')
		expect(client('2001:db8:aaaa::1', { 'x-forwarded-for': '[2001:db8:1::9]' })).toBe('2001:db8:1::9')
	})

	test('Forwarded: for= the same way, when there is no X-Forwarded-For', () => {
		expect(client('127.0.0.1', { forwarded: 'for=6.6.6.6, for="203.0.113.5:1234";proto=https, for=10.0.0.2' })).toBe('203.0.113.5')
		expect(client('127.0.0.1', { forwarded: 'for="[2001:db8:1::9]:4711"' })).toBe('2001:db8:1::9')
		expect(client('127.0.0.1', { 'x-forwarded-for': '203.0.113.5', forwarded: 'for=6.6.6.6' })).toBe('203.0.113.5')
	})

	test('edge cases: no header, every hop trusted, a hop that is not an address', () => {
		// Straight from the trusted machine (a local check, curl on the server): the peer itself.
		expect(client('127.0.0.1')).toBe('127.0.0.1')
		expect(client('127.0.0.1', { 'x-forwarded-for': ' ' })).toBe('127.0.0.1')
		expect(client('127.0.0.1', { 'x-forwarded-for': '10.9.9.9, 10.1.1.1' })).toBe('10.9.9.9')
		// "unknown" or garbage where an address should be: the nearest address known, never the text.
		expect(client('127.0.0.1', { 'x-forwarded-for': '6.6.6.6, garbage' })).toBe('127.0.0.1')
		expect(client('127.0.0.1', { 'x-forwarded-for': 'unknown, 10.1.1.1' })).toBe('10.1.1.1')
		expect(client('127.0.0.1', { forwarded: 'for=_hidden' })).toBe('127.0.0.1')
	})

	test('fromTrustedProxy: only a trusted peer', () => {
		expect(fromTrustedProxy('127.0.0.1', trust)).toBe(true)
		expect(fromTrustedProxy('10.200.0.1', trust)).toBe(true)
		expect(fromTrustedProxy('198.51.100.7', trust)).toBe(false)
		expect(fromTrustedProxy(undefined, trust)).toBe(false)
		expect(fromTrustedProxy('127.0.0.1', createTrust([]))).toBe(false)
	})
})

describe('createLoginThrottle', () => {
	test('each failure doubles the wait of that client only: 1 s, 2 s, 4 s ... up to 60 s', () => {
		const throttle = createLoginThrottle()
		let now = 1_000_000
		const waits: number[] = []
		for (let i = 0; i < 9; i++) {
			expect(throttle.begin('a', now)).toBeFunction()
			waits.push(throttle.retryAfter('a', now))
			expect(throttle.begin('a', now)).toBeUndefined()
			expect(throttle.begin('a', now + waits.at(-1)! * 1000 - 1)).toBeUndefined()
			now += waits.at(-1)! * 1000
		}
		expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60])
		// Another client was never affected.
		expect(throttle.begin('b', now - 1)).toBeFunction()
		// A right password forgets the failures.
		throttle.reset('a')
		expect(throttle.begin('a', now)).toBeFunction()
		expect(throttle.retryAfter('a', now)).toBe(1)
	})

	test('an attempt counts as soon as it begins (parallel guesses wait); forgive takes it back', () => {
		const throttle = createLoginThrottle()
		const forgive = throttle.begin('a', 0)!
		expect(throttle.begin('a', 10)).toBeUndefined()
		forgive()
		expect(throttle.begin('a', 10)).toBeFunction()
		// Taken back after a later failure, it leaves that failure alone.
		const late = createLoginThrottle()
		const first = late.begin('a', 0)!
		late.begin('a', 1000)
		first()
		expect(late.retryAfter('a', 1000)).toBe(2)
	})

	test('a client quiet for 15 minutes starts again from 1 s; memory is bounded', () => {
		const throttle = createLoginThrottle()
		let now = 0
		for (let i = 0; i < 6; i++) {
			throttle.begin('a', now)
			now += 60_000
		}
		expect(throttle.retryAfter('a', now - 60_000)).toBe(32)
		now += 15 * 60_000
		throttle.begin('a', now)
		expect(throttle.retryAfter('a', now)).toBe(1)

		const small = createLoginThrottle({ maxClients: 3 })
		for (const client of ['a', 'b', 'c', 'd']) small.begin(client, 0)
		// The oldest was forgotten to make room.
		expect(small.begin('a', 1)).toBeFunction()
		expect(small.begin('d', 1)).toBeUndefined()
	})
})

describe('trusted_proxies in config.toml', () => {
	const load = (toml: string, env: Record<string, string> = {}) =>
		loadConfig(writeInstance(join(makeTempDir(), 'instance'), { config: `secret_key = "${TEST_SECRET}"\n${toml}` }), env).config

	test('addresses and CIDR ranges of both families; default none; from the environment as a list', () => {
		expect(load('').trusted_proxies).toEqual([])
		expect(load('trusted_proxies = ["127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8"]\n').trusted_proxies).toEqual([
			'127.0.0.1',
			'::1',
			'10.0.0.0/8',
			'fd00::/8'
		])
		expect(load('', { TLAPBOT_TRUSTED_PROXIES: '127.0.0.1, 172.16.0.0/12' }).trusted_proxies).toEqual(['127.0.0.1', '172.16.0.0/12'])
	})

	test('a bad entry is an error naming the key, the entry and the bad value', () => {
		for (const [value, where, got] of [
			['["127.0.0.1", "localhost"]', 'trusted_proxies[1]', '"localhost"'],
			['["10.0.0.0/33"]', 'trusted_proxies[0]', '"10.0.0.0/33"'],
			['[8]', 'trusted_proxies[0]', '8'],
			['"127.0.0.1"', 'trusted_proxies', '"127.0.0.1"']
		] as const) {
			let message = ''
			try {
				load(`trusted_proxies = ${value}\n`)
			} catch (error) {
				expect(error).toBeInstanceOf(ConfigError)
				message = (error as Error).message
			}
			expect(message).toEndWith(`config.toml: ${where}: ${EXPECTED.trusted_proxies}, got ${got}`)
		}
	})
})
