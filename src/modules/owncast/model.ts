// Owncast's webhook payloads (v0.1/v0.2 and v0.3 shapes) and API answers, as far as tlapbot reads them.
// Objects are loose: Owncast adds fields between versions (status, serverURL) and we ignore what we don't use.
import * as v from 'valibot'

export const OwncastUserSchema = v.looseObject({
	// Owncast ids are short ASCII; a string SQLite cannot store faithfully (lone surrogates) is not one.
	id: v.pipe(v.string(), v.minLength(1), v.maxLength(200), v.check((id) => id.isWellFormed(), 'a well-formed string')),
	displayName: v.optional(v.pipe(v.string(), v.maxLength(500)), ''),
	isBot: v.optional(v.boolean(), false),
	scopes: v.optional(v.nullable(v.array(v.string())), [])
})
export type OwncastUser = v.InferOutput<typeof OwncastUserSchema>

export const WebhookEnvelopeSchema = v.looseObject({
	type: v.string(),
	eventData: v.optional(v.unknown())
})

export const ChatEventSchema = v.looseObject({
	user: OwncastUserSchema,
	rawBody: v.optional(v.nullable(v.string())),
	body: v.optional(v.nullable(v.string())),
	id: v.optional(v.nullable(v.string())),
	// Missing when Go's omitempty dropped a zero; replies then go to connection 0, but no secret does.
	clientId: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0))))
})
export type ChatEvent = v.InferOutput<typeof ChatEventSchema>

export const NameChangeEventSchema = v.looseObject({
	user: OwncastUserSchema,
	newName: v.optional(v.nullable(v.string()))
})

export const UserJoinedEventSchema = v.looseObject({ user: OwncastUserSchema })

export const StreamEventSchema = v.looseObject({ id: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(200)))) })

/** GET /api/status (public). */
export const StatusSchema = v.looseObject({ online: v.boolean() })

/** GET /api/integrations/clients: one entry per chat connection. */
export const ClientsSchema = v.array(v.looseObject({ user: v.optional(v.nullable(OwncastUserSchema)) }))

export const SendResponseSchema = v.looseObject({ success: v.optional(v.boolean()) })

/** GET /api/integrations/moderation/chat/user/{id}: the user's current connections, by clientId. */
export const UserDetailsSchema = v.looseObject({
	connectedClients: v.optional(v.nullable(v.array(v.looseObject({ id: v.pipe(v.number(), v.integer()) }))))
})

const MODERATOR_SCOPE = 'MODERATOR'

/** A chat user as the bot sees one: moderators are the users with Owncast's MODERATOR scope. */
export type EventUser = { id: string; displayName: string; isBot: boolean; isModerator: boolean }

/** The webhook events the bot acts on, parsed and checked; every other type is 'other'. */
export type OwncastEvent =
	| {
			type: 'CHAT'
			user: EventUser
			rawBody: string | undefined
			body: string | undefined
			id: string | undefined
			/** The connection the message came from; undefined when the event did not carry one. */
			clientId: number | undefined
	  }
	| { type: 'NAME_CHANGE'; user: EventUser }
	| { type: 'USER_JOINED'; user: EventUser }
	| { type: 'STREAM_STARTED' | 'STREAM_STOPPED'; id: string | undefined }
	| { type: 'other'; name: string }

export type ParsedEvent = { ok: true; event: OwncastEvent } | { ok: false; error: string }

const eventUser = (user: OwncastUser, name?: string): EventUser => ({
	id: user.id,
	displayName: name || user.displayName || user.id,
	isBot: user.isBot,
	isModerator: user.scopes?.includes(MODERATOR_SCOPE) ?? false
})

/** Reads a webhook body (already JSON-parsed) into an event, or says what is wrong with it. */
export function parseOwncastEvent(json: unknown): ParsedEvent {
	const envelope = v.safeParse(WebhookEnvelopeSchema, json)
	if (!envelope.success) return { ok: false, error: 'expected {"type": string, "eventData": object}' }
	const { type, eventData } = envelope.output
	switch (type) {
		case 'CHAT': {
			const event = v.safeParse(ChatEventSchema, eventData)
			if (!event.success) return { ok: false, error: `CHAT: ${describeIssue(event.issues)}` }
			const { user, id, rawBody, body, clientId } = event.output
			return {
				ok: true,
				event: { type: 'CHAT', user: eventUser(user), rawBody: rawBody ?? undefined, body: body ?? undefined, id: id || undefined, clientId: clientId ?? undefined }
			}
		}
		case 'NAME_CHANGE':
		case 'NAME_CHANGED': {
			const event = v.safeParse(NameChangeEventSchema, eventData)
			if (!event.success) return { ok: false, error: `${type}: ${describeIssue(event.issues)}` }
			return { ok: true, event: { type: 'NAME_CHANGE', user: eventUser(event.output.user, event.output.newName?.trim()) } }
		}
		case 'USER_JOINED': {
			const event = v.safeParse(UserJoinedEventSchema, eventData)
			if (!event.success) return { ok: false, error: `USER_JOINED: ${describeIssue(event.issues)}` }
			return { ok: true, event: { type: 'USER_JOINED', user: eventUser(event.output.user) } }
		}
		case 'STREAM_STARTED':
		case 'STREAM_STOPPED': {
			// Acted on whatever eventData holds (a lost stream event is worse than an odd one); only a well-formed
			// id is used to recognise a replay.
			const event = v.safeParse(StreamEventSchema, eventData)
			return { ok: true, event: { type, id: (event.success && event.output.id) || undefined } }
		}
		default:
			return { ok: true, event: { type: 'other', name: type } }
	}
}

function describeIssue(issues: readonly v.BaseIssue<unknown>[]): string {
	const issue = issues[0]
	if (!issue) return 'invalid'
	const path = v.getDotPath(issue)
	return `${path ? `eventData.${path}` : 'eventData'}: ${issue.expected ? `expected ${issue.expected}` : issue.message}`
}
