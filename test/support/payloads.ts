// Owncast webhook payloads in the shapes real servers send (see shared/owncast.md §1.3–1.4).
export type Shape = 'v0.2' | 'v0.3'
export type TestUser = { id: string; displayName: string; isBot?: boolean; moderator?: boolean }

let sequence = 0
const nextId = () => `msg${Date.now().toString(36)}${(sequence++).toString(36)}`

const status = {
	lastConnectTime: '2026-09-20T18:02:11Z',
	lastDisconnectTime: null,
	versionNumber: '0.3.0',
	streamTitle: 'Speedrun practice',
	viewerCount: 12,
	overallMaxViewerCount: 87,
	sessionMaxViewerCount: 14,
	online: true
}

function owncastUser(user: TestUser) {
	return {
		id: user.id,
		displayName: user.displayName,
		displayColor: 3,
		createdAt: '2026-08-01T20:14:03.512Z',
		previousNames: [user.displayName],
		nameChangedAt: '0001-01-01T00:00:00Z',
		...(user.moderator ? { scopes: ['MODERATOR'] } : {}),
		isBot: user.isBot ?? false,
		authenticated: false
	}
}

const newer = (shape: Shape) => (shape === 'v0.3' ? { status, serverURL: 'https://live.example.com' } : {})

/** A CHAT webhook. v0.3 puts the typed text in rawBody and the rendered HTML in body. */
export function chatEvent(user: TestUser, text: string, shape: Shape = 'v0.3', extra: Record<string, unknown> = {}) {
	return {
		type: 'CHAT',
		eventData: {
			...newer(shape),
			user: owncastUser(user),
			clientId: 14,
			body: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</p>`,
			rawBody: text,
			id: nextId(),
			visible: true,
			timestamp: new Date().toISOString(),
			...extra
		}
	}
}

export function nameChangeEvent(user: TestUser, newName: string, shape: Shape = 'v0.3', type = 'NAME_CHANGE') {
	return {
		type,
		eventData: {
			...newer(shape),
			id: '',
			timestamp: '0001-01-01T00:00:00Z',
			user: { ...owncastUser({ ...user, displayName: newName }), previousNames: [user.displayName] },
			newName
		}
	}
}

export function userJoinedEvent(user: TestUser, shape: Shape = 'v0.3') {
	return {
		type: 'USER_JOINED',
		eventData: { ...newer(shape), id: nextId(), timestamp: new Date().toISOString(), user: owncastUser(user), ...(shape === 'v0.2' ? { clientId: 3 } : {}) }
	}
}

export function streamEvent(type: 'STREAM_STARTED' | 'STREAM_STOPPED', shape: Shape = 'v0.3') {
	return {
		type,
		eventData: {
			id: nextId(),
			name: 'Panda Live',
			summary: 'Chill speedruns',
			streamTitle: 'Speedrun practice',
			...(shape === 'v0.3' ? { serverURL: 'https://live.example.com', status: { ...status, online: type === 'STREAM_STARTED' } } : {}),
			timestamp: new Date().toISOString()
		}
	}
}
