// What the streamer can set: the schemas of config.toml and redeems.toml, the words used when they fail, and the
// Config type every module reads its settings from. Reading the files is src/config/load.ts's job.
import * as v from 'valibot'

import { LOG_LEVELS } from '../../log.ts'
import { isIpOrCidr } from '../http/client-address.ts'

export const REDEEM_TYPES = ['list', 'note', 'counter', 'milestone'] as const
export type RedeemType = (typeof REDEEM_TYPES)[number]

/** What each key must hold, in the words of the error message ("<file>: <key>: expected …, got …"). */
export const EXPECTED = {
	owncast_url: 'expected an http(s) URL such as "http://localhost:8080"',
	owncast_access_token: 'expected a string (the access token from Owncast)',
	secret_key: 'expected a secret of at least 16 characters (`tlapbot init` writes one; or use `openssl rand -hex 32`)',
	points_cycle_time: 'expected a whole number of seconds, at least 1',
	points_amount_given: 'expected an integer of 0 or more',
	passive: 'expected true or false',
	list_redeems: 'expected true or false',
	active_categories: 'expected a list of category names such as ["gaming"]',
	prefix: 'expected exactly one character that is not a letter, digit or space, such as "!"',
	starting_points: 'expected an integer of 0 or more',
	host: 'expected a host name or IP address such as "127.0.0.1"',
	port: 'expected a port number from 0 to 65535',
	public_url: 'expected the https address the bot is reached at, such as "https://bot.example.com"',
	webhook_secret: 'expected a non-empty string',
	database: 'expected a file path such as "tlapbot.sqlite"',
	command_rate_limit: 'expected commands per second per viewer: a number of 0 or more (0 turns the limit off)',
	backup_keep: 'expected how many daily backups to keep: an integer of 0 or more (0 turns backups off)',
	log_level: `expected one of ${LOG_LEVELS.map((l) => `"${l}"`).join(', ')}`,
	redeems: 'expected a table of redeems: [redeems.<command>]',
	type: `expected ${REDEEM_TYPES.map((t) => `"${t}"`).join(', ').replace(/, ([^,]*)$/, ' or $1')}`,
	price: 'expected a price: an integer of 0 or more',
	goal: 'expected a positive integer',
	info: 'expected a text',
	title: 'expected a short text (at most 100 characters) shown on the store card instead of the command',
	viewer_session_days: 'expected how many days a viewer stays signed in on the dashboard: an integer from 1 to 365',
	public_balances: 'expected true or false',
	overlay_key: 'expected a key of at least 16 characters for the overlay URLs (?key=...)',
	event_clients: 'expected how many event-stream connections to allow at once: an integer from 1 to 10000',
	outgoing_webhooks: 'expected [[outgoing_webhooks]] tables with url and events',
	url: 'expected an http(s) URL',
	events: 'expected a list of event names such as ["redemption.created"], or ["*"] for all',
	format: 'expected "json" or "discord"',
	category: 'expected a list of category names such as ["gaming"]',
	auto_fulfil: 'expected true or false',
	cooldown: 'expected a whole number of seconds, 0 or more',
	user_cooldown: 'expected a whole number of seconds, 0 or more',
	max_per_stream: 'expected a positive integer',
	max_per_user_per_stream: 'expected a positive integer',
	stock: 'expected an integer of 0 or more',
	only_live: 'expected true or false',
	max_note_length: 'expected an integer from 1 to 500',
	admin_password: 'expected a password of at least 8 characters, or a hash from `tlapbot hash-password` ("$argon2id$...")',
	trusted_proxies: 'expected a list of IP addresses or CIDR ranges of your reverse proxies, such as ["127.0.0.1", "10.0.0.0/8"]',
	private_replies: 'expected true or false',
	reset_on_stream_start: 'expected a list with "queue" and/or "counters"',
	predictions_enabled: 'expected true or false',
	polls_enabled: 'expected true or false',
	leaderboard_enabled: 'expected true or false',
	give_enabled: 'expected true or false',
	give_max_per_day: 'expected how many points a viewer may give in 24 hours: an integer of 0 or more',
	give_min_earned: 'expected how many points a viewer must have earned in chat before giving: an integer of 0 or more',
	ignore_users: 'expected a list of chat names or user ids that never earn and are never listed, such as ["OtherBot"]',
	active_chatter_bonus: 'expected extra points per cycle for viewers who chatted: an integer of 0 or more (0 turns it off)',
	first_chat_bonus: "expected points for a viewer's first message in a stream: an integer of 0 or more (0 turns it off)",
	streak_bonus: 'expected points for a streak of streams: an integer of 0 or more (0 turns it off)',
	streak_streams: 'expected how many streams in a row make a streak: an integer from 1 to 1000',
	polls: 'expected a table of polls: [polls.<name>] with info and options',
	options: 'expected a list of 2 to 10 option names such as ["pizza", "soup"]',
	messages: 'expected a table of message texts: [messages]',
	commands: 'expected a table of built-in command names: [commands] points = "balance"'
} as const

type ExpectedKey = keyof typeof EXPECTED

const integer = (key: ExpectedKey, min: number, max = Number.MAX_SAFE_INTEGER) =>
	v.pipe(
		v.number(EXPECTED[key]),
		v.integer(EXPECTED[key]),
		v.minValue(min, EXPECTED[key]),
		v.maxValue(max, EXPECTED[key])
	)

const text = (key: ExpectedKey) => v.string(EXPECTED[key])
const flag = (key: ExpectedKey) => v.boolean(EXPECTED[key])
const names = (key: ExpectedKey) => v.array(v.pipe(v.string(EXPECTED[key]), v.trim()), EXPECTED[key])

const httpUrl = (key: ExpectedKey) =>
	v.pipe(
		v.string(EXPECTED[key]),
		v.trim(),
		v.check((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), EXPECTED[key]),
		// One canonical form, so paths can be appended with a single "/".
		v.transform((s) => s.replace(/\/+$/, ''))
	)

export const ConfigSchema = v.strictObject({
	owncast_url: v.optional(httpUrl('owncast_url'), 'http://localhost:8080'),
	owncast_access_token: v.optional(v.pipe(text('owncast_access_token'), v.trim()), ''),
	secret_key: v.pipe(text('secret_key'), v.minLength(16, EXPECTED.secret_key)),
	points_cycle_time: v.optional(integer('points_cycle_time', 1), 600),
	points_amount_given: v.optional(integer('points_amount_given', 0), 10),
	passive: v.optional(flag('passive'), false),
	list_redeems: v.optional(flag('list_redeems'), false),
	active_categories: v.optional(names('active_categories'), []),
	prefix: v.optional(
		v.pipe(
			text('prefix'),
			v.check((s) => [...s].length === 1 && !/[\p{L}\p{N}\s]/u.test(s), EXPECTED.prefix)
		),
		'!'
	),
	starting_points: v.optional(integer('starting_points', 0), 10),
	host: v.optional(v.pipe(text('host'), v.trim(), v.minLength(1, EXPECTED.host)), '127.0.0.1'),
	port: v.optional(integer('port', 0, 65535), 8000),
	public_url: v.optional(httpUrl('public_url')),
	webhook_secret: v.optional(v.pipe(text('webhook_secret'), v.minLength(1, EXPECTED.webhook_secret))),
	database: v.optional(v.pipe(text('database'), v.trim(), v.minLength(1, EXPECTED.database)), 'tlapbot.sqlite'),
	log_level: v.optional(v.picklist(LOG_LEVELS, EXPECTED.log_level), 'info'),
	command_rate_limit: v.optional(
		v.pipe(v.number(EXPECTED.command_rate_limit), v.minValue(0, EXPECTED.command_rate_limit), v.maxValue(1000, EXPECTED.command_rate_limit)),
		1
	),
	backup_keep: v.optional(integer('backup_keep', 0, 365), 7),
	admin_password: v.optional(v.pipe(text('admin_password'), v.minLength(8, EXPECTED.admin_password))),
	// Only these peers' X-Forwarded-For / Forwarded / X-Forwarded-Host are believed (admin login throttle, origin check).
	trusted_proxies: v.optional(
		v.array(
			v.pipe(text('trusted_proxies'), v.trim(), v.check(isIpOrCidr, EXPECTED.trusted_proxies)),
			EXPECTED.trusted_proxies
		),
		[]
	),
	private_replies: v.optional(flag('private_replies'), true),
	viewer_session_days: v.optional(integer('viewer_session_days', 1, 365), 30),
	public_balances: v.optional(flag('public_balances'), true),
	overlay_key: v.optional(v.pipe(text('overlay_key'), v.trim(), v.minLength(16, EXPECTED.overlay_key))),
	event_clients: v.optional(integer('event_clients', 1, 10_000), 100),
	outgoing_webhooks: v.optional(
		v.array(
			v.strictObject({
				url: v.pipe(
					v.string(EXPECTED.url),
					v.trim(),
					v.check((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), EXPECTED.url)
				),
				events: v.pipe(v.array(v.string(EXPECTED.events), EXPECTED.events), v.minLength(1, EXPECTED.events)),
				secret: v.optional(v.pipe(v.string(EXPECTED.webhook_secret), v.minLength(1, EXPECTED.webhook_secret))),
				format: v.optional(v.picklist(['json', 'discord'], EXPECTED.format), 'json')
			}),
			EXPECTED.outgoing_webhooks
		),
		[]
	),
	reset_on_stream_start: v.optional(
		v.array(v.picklist(['queue', 'counters'], EXPECTED.reset_on_stream_start), EXPECTED.reset_on_stream_start),
		[]
	),
	predictions_enabled: v.optional(flag('predictions_enabled'), true),
	polls_enabled: v.optional(flag('polls_enabled'), true),
	leaderboard_enabled: v.optional(flag('leaderboard_enabled'), true),
	give_enabled: v.optional(flag('give_enabled'), true),
	give_max_per_day: v.optional(integer('give_max_per_day', 0), 1000),
	give_min_earned: v.optional(integer('give_min_earned', 0), 100),
	ignore_users: v.optional(v.array(v.pipe(text('ignore_users'), v.trim(), v.minLength(1, EXPECTED.ignore_users)), EXPECTED.ignore_users), []),
	active_chatter_bonus: v.optional(integer('active_chatter_bonus', 0), 0),
	first_chat_bonus: v.optional(integer('first_chat_bonus', 0), 0),
	streak_bonus: v.optional(integer('streak_bonus', 0), 0),
	streak_streams: v.optional(integer('streak_streams', 1, 1000), 3),
	messages: v.optional(v.record(v.string(), v.string('expected a text'), EXPECTED.messages), {}),
	commands: v.optional(v.record(v.string(), v.pipe(v.string('expected a command name'), v.trim()), EXPECTED.commands), {})
})

export type ConfigInput = v.InferInput<typeof ConfigSchema>
export type ConfigData = v.InferOutput<typeof ConfigSchema>
export const CONFIG_KEYS = Object.keys(ConfigSchema.entries) as (keyof ConfigData)[]

/** The settings of config.toml (with TLAPBOT_* overrides), and where they came from. */
export type Config = ConfigData & {
	/** Absolute path of the instance folder. */
	instanceDir: string
	/** Absolute path of the SQLite database. */
	databasePath: string
}

const redeemCommon = {
	info: v.optional(v.pipe(text('info'), v.trim())),
	title: v.optional(v.pipe(text('title'), v.trim(), v.minLength(1, EXPECTED.title), v.maxLength(100, EXPECTED.title))),
	category: v.optional(names('category')),
	cooldown: v.optional(integer('cooldown', 0)),
	user_cooldown: v.optional(integer('user_cooldown', 0)),
	max_per_stream: v.optional(integer('max_per_stream', 1)),
	max_per_user_per_stream: v.optional(integer('max_per_user_per_stream', 1)),
	stock: v.optional(integer('stock', 0)),
	only_live: v.optional(flag('only_live'))
}
const pricedRedeem = <T extends 'list' | 'counter'>(type: T) =>
	v.strictObject({ type: v.literal(type), price: integer('price', 0), ...redeemCommon })
const queued = { auto_fulfil: v.optional(flag('auto_fulfil')) }

export const RedeemSchema = v.variant(
	'type',
	[
		v.strictObject({ ...pricedRedeem('list').entries, ...queued }),
		v.strictObject({
			...pricedRedeem('list').entries,
			type: v.literal('note'),
			...queued,
			max_note_length: v.optional(integer('max_note_length', 1, 500))
		}),
		pricedRedeem('counter'),
		v.strictObject({ type: v.literal('milestone'), goal: integer('goal', 1), ...redeemCommon })
	],
	EXPECTED.type
)

/** [polls.<name>] in redeems.toml: a points-weighted poll, opened when it is added to the file (or changed there). */
export const PollSchema = v.strictObject({
	info: v.pipe(text('info'), v.trim(), v.minLength(1, EXPECTED.info)),
	options: v.pipe(v.array(v.pipe(v.string(EXPECTED.options), v.trim()), EXPECTED.options), v.minLength(2, EXPECTED.options), v.maxLength(10, EXPECTED.options))
})

export const RedeemsFileSchema = v.strictObject({
	redeems: v.optional(v.record(v.string(), RedeemSchema, EXPECTED.redeems), {}),
	polls: v.optional(v.record(v.string(), PollSchema, EXPECTED.polls), {})
})

export type RedeemData = v.InferOutput<typeof RedeemSchema>
export const REDEEM_KEYS = [
	'type',
	'price',
	'goal',
	'info',
	'title',
	'category',
	'auto_fulfil',
	'cooldown',
	'user_cooldown',
	'max_per_stream',
	'max_per_user_per_stream',
	'stock',
	'only_live',
	'max_note_length'
] as const
