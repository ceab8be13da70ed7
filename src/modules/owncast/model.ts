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
	// A missing clientId means connection 0 (Go's omitempty drops the zero value).
	clientId: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0))), 0)
})
export type ChatEvent = v.InferOutput<typeof ChatEventSchema>

export const NameChangeEventSchema = v.looseObject({
	user: OwncastUserSchema,
	newName: v.optional(v.nullable(v.string()))
})

export const UserJoinedEventSchema = v.looseObject({ user: OwncastUserSchema })

/** GET /api/status (public). */
export const StatusSchema = v.looseObject({ online: v.boolean() })

/** GET /api/integrations/clients: one entry per chat connection. */
export const ClientsSchema = v.array(v.looseObject({ user: v.optional(v.nullable(OwncastUserSchema)) }))

export const SendResponseSchema = v.looseObject({ success: v.optional(v.boolean()) })
