// What handling a chat message produces: replies, in order, for the viewer who wrote or for everyone.
import type { MessageKey, Messages, Params } from '../messages/messages.ts'

/** A reply for the viewer who wrote (may go privately) or for everyone in chat. */
export type Reply = PlainReply | SecretReply
export type PlainReply = { text: string; to: 'viewer' | 'public' }

/**
 * A reply that must only ever reach the sender's own chat connection (a personal login link): sent privately to
 * the connection the message came from, after Owncast confirms it belongs to `owner` where it can; never posted
 * publicly (then `fallback`, which holds no secret, goes to public chat instead) and never sent after `expiresAt`.
 */
export type SecretReply = {
	text: string
	to: 'secret'
	fallback: string
	owner: string
	/** The connection the chat message came from, only when the event carried one. */
	clientId: number | undefined
	expiresAt: number
}

/** Fills a message template for the viewer who wrote (their name and the prefix are always offered). */
export type Say = (key: MessageKey, params?: Params, to?: PlainReply['to']) => PlainReply

/** The Say for one viewer: their display name and the command prefix filled into every message. */
export const sayTo =
	(messages: Messages, prefix: string, name: string): Say =>
	(key, params = {}, to = 'viewer') => ({ text: messages.text(key, { name, prefix, ...params }), to })
