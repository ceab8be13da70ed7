// What handling a chat message produces: replies, in order, for the viewer who wrote or for everyone.
import type { MessageKey, Params } from './messages.ts'

/** A reply for the viewer who wrote (may go privately) or for everyone in chat. */
export type Reply = { text: string; to: 'viewer' | 'public' }

/** Fills a message template for the viewer who wrote (their name and the prefix are always offered). */
export type Say = (key: MessageKey, params?: Params, to?: Reply['to']) => Reply
