// The viewer store on the Redeems tab: sign in (a code typed in chat, or a personal link from the store command),
// then the viewer's balance, a card per redeem to redeem with a click, their activity, and signing out.
//
// It runs inside Owncast's sandboxed, cross-origin iframe: no alert/confirm/prompt, storage partitioned, third-party
// cookies dropped. The session travels only in the Authorization header; the server never reads a cookie.
// Every piece of DOM is built with createElement and textContent: names, notes, reasons and redeem texts come from
// users and never go through innerHTML. Without this script the tab is the plain help it always was.
;(() => {
	'use strict'
	const root = document.getElementById('store')
	if (!root) return

	const REFRESH_MS = 3000
	const POLL_MS = 1000
	const SIGNIN_MAX_MS = 5 * 60 * 1000
	const ACTIVITY_REFRESH_MS = 10000
	const KEY = 'tlapbot_session'
	const TOKEN = /^[A-Za-z0-9_-]{43}$/
	const QUICK_AMOUNTS = [10, 50, 100]

	const prefix = root.dataset.prefix || '!'
	const linkCommand = root.dataset.linkCommand || ''
	const storeCommand = root.dataset.storeCommand || ''
	const help = document.getElementById('content')

	// ---- small helpers ----

	/** An element with attributes (strings), properties for `text`/`class`, listeners for `on…`, and children. */
	function el(tag, props, ...children) {
		const node = document.createElement(tag)
		for (const [key, value] of Object.entries(props || {})) {
			if (value === undefined || value === null || value === false) continue
			if (key === 'text') node.textContent = String(value)
			else if (key === 'class') node.className = value
			else if (key.startsWith('on')) node.addEventListener(key.slice(2), value)
			else node.setAttribute(key, value === true ? '' : String(value))
		}
		for (const child of children) {
			if (child === undefined || child === null || child === false) continue
			node.append(child)
		}
		return node
	}
	/** Changes a text only when it changed: the refresh every few seconds leaves the page (and screen readers) alone. */
	function setText(node, text) {
		if (node.textContent !== text) node.textContent = text
	}
	const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
	const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`
	const points = (n) => plural(n, 'point')
	/** An API error text as a sentence. */
	const sentence = (text) => {
		const t = String(text || '').trim()
		return t ? `${t[0].toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}` : ''
	}
	let sequence = 0
	const newId = (what) => `store-${what}-${++sequence}`

	/** "just now", "5 min ago", a date: the same words as the rest of the dashboard. */
	function describeTime(iso) {
		const date = new Date(iso)
		if (Number.isNaN(date.getTime())) return ''
		const seconds = Math.round((Date.now() - date.getTime()) / 1000)
		if (seconds < 0) return date.toLocaleString()
		if (seconds < 45) return 'just now'
		if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min ago`
		if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`
		return date.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })
	}
	function timeEl(iso) {
		const date = new Date(iso)
		return el('time', { datetime: iso, title: Number.isNaN(date.getTime()) ? undefined : date.toLocaleString(), text: describeTime(iso) })
	}
	const day = (iso) => new Date(iso).toLocaleDateString([], { dateStyle: 'medium' })

	/** A fresh Idempotency-Key: one per click, the same for that click's retries. */
	function newKey() {
		if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID()
		// Not a secure context (plain http on another host): 128 random bits all the same.
		const bytes = crypto.getRandomValues(new Uint8Array(16))
		return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
	}

	// ---- the session: localStorage, else sessionStorage, else memory; a partitioned cookie as a spare on https ----

	function storageOf(name) {
		try {
			const storage = window[name]
			const probe = `${KEY}_probe`
			storage.setItem(probe, '1')
			storage.removeItem(probe)
			return storage
		} catch {
			return undefined
		}
	}
	const storage = storageOf('localStorage') || storageOf('sessionStorage')
	// Secure cookies need https (or localhost, which browsers treat as secure). Partitioned: a cookie of the frame's
	// own, kept per embedding site, which browsers that drop third-party cookies still allow.
	const cookies = location.protocol === 'https:' || window.isSecureContext === true
	let remembered = ''

	function writeCookie(value, maxAgeSeconds) {
		if (!cookies) return
		try {
			document.cookie = `${KEY}=${value}; Max-Age=${maxAgeSeconds}; Path=/; Secure; SameSite=None; Partitioned`
		} catch {
			// Cookies refused (a third-party frame): storage or memory keeps the session.
		}
	}
	function readCookie() {
		try {
			for (const part of document.cookie.split(';')) {
				const [name, value] = part.trim().split('=')
				if (name === KEY && value) return value
			}
		} catch {
			// No cookies here.
		}
		return ''
	}
	function saveSession(value, expiresAt) {
		const record = JSON.stringify({ session: value, expiresAt: expiresAt || null })
		remembered = record
		try {
			if (storage) storage.setItem(KEY, record)
		} catch {
			// Full or refused: memory keeps it for this page.
		}
		const until = Date.parse(expiresAt || '')
		writeCookie(value, Number.isNaN(until) ? 30 * 86400 : Math.max(0, Math.floor((until - Date.now()) / 1000)))
	}
	function forgetSession() {
		remembered = ''
		try {
			if (storage) storage.removeItem(KEY)
		} catch {
			// Nothing to remove.
		}
		writeCookie('', 0)
	}
	function loadSession() {
		let record
		try {
			record = JSON.parse((storage && storage.getItem(KEY)) || remembered || 'null')
		} catch {
			record = null
		}
		if (record && TOKEN.test(record.session || '')) {
			const until = Date.parse(record.expiresAt || '')
			if (!Number.isNaN(until) && until <= Date.now()) {
				forgetSession()
				return ''
			}
			return record.session
		}
		const fromCookie = readCookie()
		if (TOKEN.test(fromCookie)) {
			saveSession(fromCookie, null)
			return fromCookie
		}
		return ''
	}

	let session = ''

	/** A JSON request to the bot; the session only ever in the header. Throws on a network error. */
	async function api(method, path, body, idempotencyKey) {
		const headers = { accept: 'application/json' }
		if (session) headers.authorization = `Bearer ${session}`
		if (body !== undefined) headers['content-type'] = 'application/json'
		if (idempotencyKey) headers['idempotency-key'] = idempotencyKey
		const response = await fetch(path, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			cache: 'no-store',
			credentials: 'omit'
		})
		let json = null
		try {
			json = await response.json()
		} catch {
			json = null
		}
		return { status: response.status, json: json || {}, retryAfter: Number(response.headers.get('retry-after')) || 1 }
	}

	// ---- the frame of the store: a notice line, then one view at a time ----

	const notice = el('p', { class: 'store-notice', role: 'alert' })
	const view = el('div', { class: 'store-view' })
	root.append(notice, view)
	root.hidden = false

	function setNotice(text) {
		notice.textContent = text || ''
	}
	function showView(...nodes) {
		view.replaceChildren(...nodes)
	}
	/** Moves focus into a new view only when it was in the view it replaces (never steals it from elsewhere). */
	function focusIfInside(target) {
		const active = document.activeElement
		if (!active || active === document.body || root.contains(active) || !document.contains(active)) target.focus()
	}

	// ---- signed out: the sign-in button and the chat way ----

	function chatWay(lead) {
		if (!storeCommand) return null
		return el('p', { class: 'meta' }, lead, el('code', { text: `${prefix}${storeCommand}` }), ' in chat for a personal link')
	}

	function showSignedOut(message) {
		stopStore()
		stopSignIn()
		if (help) help.hidden = false
		setNotice(message)
		const heading = el('h2', { id: newId('title'), tabindex: '-1', text: 'Redeem on this page' })
		const parts = [heading, el('p', { text: 'Sign in once, then spend your points here with a click instead of typing commands.' })]
		if (linkCommand) parts.push(el('p', {}, el('button', { type: 'button', class: 'primary', text: 'Sign in to redeem here', onclick: startSignIn })))
		parts.push(chatWay(linkCommand ? 'or type ' : 'Type '))
		showView(el('div', { class: 'signin' }, ...parts))
		return heading
	}

	// ---- signing in with a code typed in chat ----

	let signin = null

	function stopSignIn() {
		if (signin) {
			clearTimeout(signin.timer)
			clearInterval(signin.countdown)
		}
		signin = null
	}

	async function startSignIn(event) {
		const button = event && event.currentTarget
		if (button) button.disabled = true
		stopSignIn()
		setNotice('')
		let answer
		try {
			answer = await api('POST', '/api/store/signin')
		} catch {
			answer = null
		}
		if (button) button.disabled = false
		if (!answer) return setNotice('Could not reach the bot. Check your connection and try again.')
		if (answer.status === 429) return setNotice('Too many sign-in codes were asked for from here. Wait a few minutes, then try again.')
		if (answer.status !== 201 || !answer.json.code) {
			return setNotice(sentence(answer.json.error) || `Signing in is unavailable right now (error ${answer.status}).`)
		}
		const { code, claim, expiresAt, command } = answer.json
		const started = Date.now()
		const until = Math.min(Date.parse(expiresAt) || started + SIGNIN_MAX_MS, started + SIGNIN_MAX_MS)
		signin = { code, claim, until, timer: 0, countdown: 0 }
		const heading = el('h2', { id: newId('title'), tabindex: '-1', text: 'Sign in with a code' })
		const line = el('code', { class: 'command-line', text: command || `${prefix}${linkCommand} ${code}` })
		const copy = el('button', { type: 'button', class: 'small', text: 'Copy' })
		const copied = el('span', { class: 'meta', role: 'status' })
		copy.addEventListener('click', async () => {
			try {
				await navigator.clipboard.writeText(line.textContent)
				copied.textContent = 'Copied.'
			} catch {
				// The frame may not write to the clipboard: the line selects with one click instead.
				copied.textContent = 'Select the line and copy it.'
			}
		})
		const left = el('span')
		const status = el('p', { class: 'waiting', role: 'status' }, 'Waiting for your message in chat… ')
		const tickCountdown = () => {
			const seconds = Math.max(0, Math.round((signin ? signin.until - Date.now() : 0) / 1000))
			setText(left, `(the code works for ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')})`)
		}
		tickCountdown()
		const waiting = el('p', { class: 'meta' }, left)
		showView(
			el(
				'div',
				{ class: 'signin signin-code' },
				heading,
				el('p', { class: 'code-label', text: 'Your code' }),
				// Read out letter by letter; shown as one big word.
				el('p', { class: 'code' }, el('span', { 'aria-hidden': 'true', text: code }), el('span', { class: 'visually-hidden', text: code.split('').join(' ') })),
				el('p', { text: 'Type this line in the stream chat:' }),
				el('p', { class: 'command-row' }, line, ' ', copy, ' ', copied),
				status,
				waiting,
				el('p', {}, el('button', { type: 'button', text: 'Cancel', onclick: () => focusIfInside(showSignedOut()) }))
			)
		)
		focusIfInside(heading)
		signin.countdown = setInterval(tickCountdown, 1000)
		void poll(signin)
	}

	async function poll(current) {
		if (current !== signin) return
		if (Date.now() >= current.until) return codeOver('This code has expired.')
		let answer
		try {
			answer = await api('POST', '/api/store/signin/collect', { code: current.code, claim: current.claim })
		} catch {
			answer = null
		}
		if (current !== signin) return
		if (answer && answer.status === 200 && answer.json.status === 'signed_in' && TOKEN.test(answer.json.session || '')) {
			stopSignIn()
			signedIn(answer.json.session, answer.json.expiresAt, true)
			return
		}
		if (answer && answer.status === 410 && answer.json.status === 'collected') return codeOver('This code was already used.')
		if (answer && (answer.status === 410 || answer.status === 404)) return codeOver('This code has expired.')
		// Waiting, or a network error or a busy bot: ask again in a second, until the code runs out.
		current.timer = setTimeout(() => void poll(current), POLL_MS)
	}

	function codeOver(text) {
		stopSignIn()
		const heading = el('h2', { id: newId('title'), tabindex: '-1', text: 'Sign in with a code' })
		showView(
			el(
				'div',
				{ class: 'signin' },
				heading,
				el('p', { text: `${text} Codes work for 5 minutes.` }),
				el('p', {}, el('button', { type: 'button', class: 'primary', text: 'Get a new code', onclick: startSignIn })),
				chatWay('or type ')
			)
		)
		focusIfInside(heading)
	}

	// ---- a personal login link: /dashboard?login=<token> ----

	async function useLoginLink(token) {
		showView(el('p', { class: 'meta', text: 'Signing you in…' }))
		let answer = null
		for (let attempt = 0; attempt < 3 && !answer; attempt++) {
			try {
				answer = await api('POST', '/api/store/login', { token })
			} catch {
				await sleep(1000 * (attempt + 1))
			}
		}
		if (answer && answer.status === 200 && TOKEN.test(answer.json.session || '')) {
			signedIn(answer.json.session, answer.json.expiresAt, false)
			return
		}
		const why = !answer
			? 'Could not reach the bot to use your login link.'
			: answer.json.status === 'used'
				? 'This login link was already used.'
				: answer.json.status === 'expired'
					? 'This login link has expired.'
					: 'This login link is not valid.'
		const again = storeCommand ? ` Type ${prefix}${storeCommand} in chat for a new one${linkCommand ? ', or sign in with a code' : ''}.` : ''
		session = loadSession()
		if (session) {
			enterStore(`${why} You are still signed in from before.`)
		} else {
			showSignedOut(`${why}${again}`)
		}
	}

	function signedIn(value, expiresAt, focus) {
		session = value
		saveSession(value, expiresAt)
		setNotice('')
		enterStore('', focus)
	}

	// ---- signed in: balance, cards, activity, sign-out ----

	let store = null

	function stopStore() {
		if (store) {
			clearInterval(store.timer)
			clearInterval(store.activityTimer)
		}
		store = null
	}

	function enterStore(message, focus) {
		stopStore()
		stopSignIn()
		setNotice(message)
		const state = {
			timer: 0,
			activityTimer: 0,
			loading: false,
			busy: false,
			balance: 0,
			passive: false,
			loaded: false,
			cards: new Map(),
			focus: !!focus,
			ui: null
		}
		store = state
		showView(el('p', { class: 'meta', text: 'Loading your points…' }))
		void load(state)
		state.timer = setInterval(() => {
			if (!document.hidden) void load(state)
		}, REFRESH_MS)
	}

	document.addEventListener('visibilitychange', () => {
		if (!document.hidden && store) void load(store)
	})

	/** Forgets a session the bot no longer accepts (expired, signed out elsewhere). */
	function lostSession() {
		session = ''
		forgetSession()
		focusIfInside(showSignedOut('You are signed out. Sign in again to redeem here.'))
	}

	/**
	 * One GET for the store shown now, at most one at a time per `busy` flag: the answer, null when the bot could
	 * not be reached, or undefined when there is nothing more to do (already loading, another store since, or the
	 * session is gone).
	 */
	async function fetchFor(state, busy, path) {
		if (state !== store || state[busy]) return undefined
		state[busy] = true
		let answer
		try {
			answer = await api('GET', path)
		} catch {
			answer = null
		} finally {
			state[busy] = false
		}
		if (state !== store) return undefined
		if (answer && answer.status === 401) return void lostSession()
		return answer
	}

	async function load(state) {
		const answer = await fetchFor(state, 'loading', '/api/store')
		if (answer === undefined) return
		if (!answer || answer.status !== 200 || !answer.json.viewer) {
			if (state.ui) state.ui.status.textContent = 'Could not reach the bot; trying again.'
			else showView(el('p', { class: 'meta', text: 'Could not reach the bot; trying again…' }))
			return
		}
		if (!state.ui) build(state)
		update(state, answer.json)
	}

	function build(state) {
		const title = el('h2', { id: newId('title'), tabindex: '-1', text: 'Your points' })
		const name = el('strong')
		const balance = el('span', { class: 'points' })
		const status = el('p', { class: 'meta', role: 'status' })
		const passive = el('p', { class: 'notice', hidden: true, text: 'Redeems are off right now (passive mode): you still earn points.' })
		const list = el('ul', { class: 'cards' })
		const empty = el('p', { class: 'empty', hidden: true, text: 'No redeems are active right now.' })
		const redeemsTitle = el('h2', { id: newId('title'), text: 'Redeems' })
		state.ui = { name, balance, status, passive, list, empty }
		showView(
			title,
			el('div', { class: 'wallet' }, el('p', { class: 'who' }, 'Signed in as ', name), el('p', { class: 'total' }, balance, ' points')),
			status,
			passive,
			predictionSection(state),
			el('section', { 'aria-labelledby': redeemsTitle.id }, redeemsTitle, list, empty),
			activitySection(state),
			accountSection(state)
		)
		if (help) help.hidden = true
		if (state.focus) focusIfInside(title)
	}

	function update(state, data) {
		const { ui } = state
		state.balance = data.viewer.balance
		state.passive = !!data.passive
		setText(ui.status, '')
		setText(ui.name, data.viewer.name)
		setText(ui.balance, String(data.viewer.balance))
		ui.passive.hidden = !state.passive
		const wanted = []
		for (const card of data.cards || []) {
			let item = state.cards.get(card.name)
			if (!item || item.type !== card.type) {
				if (item) item.li.remove()
				item = cardItem(state, card)
				state.cards.set(card.name, item)
			}
			item.update(card)
			wanted.push(item)
		}
		for (const [key, item] of state.cards) {
			if (!wanted.includes(item)) {
				item.li.remove()
				state.cards.delete(key)
			}
		}
		// Reordered only when the order changed: moving an element would take the focus from a field being typed in.
		const shown = [...ui.list.children]
		if (shown.length !== wanted.length || wanted.some((item, i) => shown[i] !== item.li)) ui.list.replaceChildren(...wanted.map((i) => i.li))
		ui.empty.hidden = wanted.length > 0
		updatePrediction(state, state.passive ? null : data.prediction)
		syncButtons(state)
	}

	// ---- the prediction: bet from the page like !bet in chat ----

	function predictionSection(state) {
		const title = el('h2', { id: newId('title'), text: 'Prediction' })
		const question = el('p', { class: 'question' })
		const line = el('p', { class: 'meta' })
		const amountId = newId('bet-amount')
		const amount = el('input', { id: amountId, type: 'number', min: '1', step: '1', inputmode: 'numeric', class: 'bet-amount' })
		const amountRow = el('p', { class: 'bet-row' }, el('label', { for: amountId, text: 'Points to bet' }), ' ', amount)
		const list = el('ul', { class: 'outcomes' })
		const result = el('p', { class: 'result', role: 'status' })
		const section = el('section', { 'aria-labelledby': title.id, class: 'prediction', hidden: true }, title, question, line, amountRow, list, result)
		state.prediction = { section, question, line, amount, amountRow, list, result, items: [], key: '', open: false }
		return section
	}

	function updatePrediction(state, p) {
		const ui = state.prediction
		if (!ui) return
		ui.section.hidden = !p
		if (!p) return
		ui.open = p.status === 'open'
		setText(ui.question, p.question)
		setText(ui.line, ui.open ? `Betting is open${p.closesAt ? ` until ${new Date(p.closesAt).toLocaleTimeString()}` : ''}: pick an outcome. Pool: ${points(p.pool)}.` : `Betting is closed. Pool: ${points(p.pool)}.`)
		ui.amountRow.hidden = !ui.open
		// Rebuilt only when the outcomes changed (another prediction): a button being pressed stays in place.
		const key = `${p.id}:${p.outcomes.map((o) => o.name).join('|')}`
		if (key !== ui.key) {
			ui.key = key
			ui.items = p.outcomes.map((o, i) => {
				const facts = el('span', { class: 'meta' })
				const button = el('button', { type: 'button', onclick: () => void placeBet(state, i, o.name) }, `Bet on ${o.name}`)
				const li = el('li', {}, button, ' ', facts)
				return { li, facts, button }
			})
			ui.list.replaceChildren(...ui.items.map((item) => item.li))
		}
		p.outcomes.forEach((o, i) => {
			const item = ui.items[i]
			if (!item) return
			setText(item.facts, `${points(o.pool)}, ${plural(o.bettors, 'bettor')}${o.odds ? `, pays x${o.odds.toFixed(2)}` : ''}`)
			item.button.disabled = !ui.open || !!state.busy
		})
	}

	async function placeBet(state, index, name) {
		const ui = state.prediction
		if (state.busy || state !== store || !ui.open) return
		const say = (text, kind) => {
			ui.result.textContent = text
			ui.result.className = `result${kind ? ` ${kind}` : ''}`
		}
		const amount = Number(ui.amount.value)
		if (!Number.isInteger(amount) || amount < 1) {
			say('Choose how many points to bet: a whole number, 1 or more.', 'refused')
			ui.amount.focus()
			return
		}
		state.busy = true
		syncButtons(state)
		say(`Betting on ${name}…`)
		let answer = null
		try {
			answer = await postOnce('/api/store/bet', { outcome: String(index + 1), amount })
		} finally {
			state.busy = false
		}
		if (state !== store) return
		if (answer && answer.status === 401) return lostSession()
		if (!answer) say('Could not reach the bot. If the bet went through, it shows in your balance.', 'refused')
		else if (answer.status === 200) {
			say(answer.json.message || (answer.json.ok ? 'Done.' : 'That did not work.'), answer.json.ok ? 'ok' : 'refused')
			if (typeof answer.json.balance === 'number') {
				state.balance = answer.json.balance
				state.ui.balance.textContent = String(answer.json.balance)
			}
		} else say(sentence(answer.json.message || answer.json.error) || `That did not work (error ${answer.status}).`, 'refused')
		syncButtons(state)
		void load(state)
	}

	/**
	 * A click's POST with one Idempotency-Key, retried after a network error, 429 or 503 with that same key: a retry
	 * can never charge twice. null when the bot could not be reached.
	 */
	async function postOnce(path, body) {
		const key = newKey()
		let answer = null
		for (let attempt = 0; attempt < 5; attempt++) {
			try {
				answer = await api('POST', path, body, key)
			} catch {
				answer = null
				await sleep(500 * (attempt + 1))
				continue
			}
			if (answer.status === 429 || answer.status === 503) {
				await sleep(1000 * Math.min(5, answer.retryAfter))
				continue
			}
			break
		}
		return answer
	}

	function syncButtons(state) {
		for (const item of state.cards.values()) item.sync()
		for (const item of state.prediction ? state.prediction.items : []) item.button.disabled = !state.prediction.open || !!state.busy
	}

	function commandOf(card) {
		return `${prefix}${card.name}${card.type === 'note' ? ' <message>' : card.type === 'milestone' ? ' <points>' : ''}`
	}

	function cardItem(state, first) {
		const id = newId('card')
		const type = first.type
		const title = el('h3', { id: `${id}-title`, class: 'card-title' })
		const cost = el('span', { class: 'cost' })
		const info = el('p', { class: 'info' })
		const facts = el('p', { class: 'facts meta' })
		const blocked = el('p', { class: 'blocked' })
		const result = el('p', { class: 'result', role: 'status' })
		// Every card has a "Redeem" button: the title tells them apart for screen readers.
		const submit = el('button', { type: 'submit', class: 'primary', 'aria-describedby': `${id}-title` })
		const form = el('form', { class: 'card-form', novalidate: true })
		let card = first
		let field = null
		let count = null
		const quick = []
		let progress = null
		let progressText = null

		if (type === 'note') {
			const fieldId = `${id}-note`
			count = el('span', { class: 'count-chars meta', id: `${id}-count` })
			field = el('textarea', { id: fieldId, name: 'note', rows: '2', 'aria-describedby': count.id })
			field.addEventListener('input', () => showCount())
			form.append(el('label', { for: fieldId, text: 'Your message' }), field, el('div', { class: 'form-row' }, count, submit))
		} else if (type === 'milestone') {
			const fieldId = `${id}-amount`
			progress = el('progress', { max: '1', value: '0' })
			progressText = el('span', { class: 'progress-text' })
			field = el('input', { id: fieldId, name: 'amount', type: 'number', min: '1', step: '1', inputmode: 'numeric' })
			const choices = el('div', { class: 'quick', role: 'group', 'aria-label': 'Quick amounts' })
			const choose = (amount) => () => {
				field.value = String(amount())
			}
			for (const n of QUICK_AMOUNTS) {
				const button = el('button', { type: 'button', class: 'small', text: String(n), onclick: choose(() => n) })
				quick.push({ button, amount: () => n })
				choices.append(button)
			}
			const all = el('button', { type: 'button', class: 'small', onclick: choose(() => state.balance) })
			const missing = el('button', { type: 'button', class: 'small', onclick: choose(() => missingPoints()) })
			quick.push({ button: all, amount: () => state.balance, label: () => `All I have (${state.balance})` })
			quick.push({ button: missing, amount: () => missingPoints(), label: () => `What is missing (${missingPoints()})` })
			choices.append(all, missing)
			form.append(el('label', { for: fieldId, text: 'Points to donate' }), el('div', { class: 'form-row' }, field, submit), choices)
		} else {
			form.append(submit)
		}
		form.addEventListener('submit', (event) => {
			event.preventDefault()
			void send()
		})

		const head = el('div', { class: 'card-head' }, title, cost)
		const li = el(
			'li',
			{ class: `card card-${type}` },
			head,
			info,
			progress ? el('div', { class: 'card-progress' }, progress, progressText) : null,
			facts,
			blocked,
			form,
			result
		)

		function missingPoints() {
			return Math.max(0, (card.goal || 0) - (card.progress || 0))
		}
		function showCount() {
			if (count && field) setText(count, `${field.value.length} / ${card.maxNoteLength || 500}`)
		}

		function update(next) {
			card = next
			setText(title, card.title || card.name)
			setText(cost, type === 'milestone' ? `goal ${card.goal}` : card.price === 0 ? 'free' : points(card.price))
			setText(info, card.info || '')
			info.hidden = !card.info
			const bits = [commandOf(card)]
			if (card.categories && card.categories.length) bits.push(`${card.categories.length === 1 ? 'category' : 'categories'}: ${card.categories.join(', ')}`)
			if (typeof card.stockLeft === 'number') bits.push(`${card.stockLeft} left in stock`)
			if (typeof card.streamUsesLeft === 'number') bits.push(`${plural(card.streamUsesLeft, 'use')} left this stream`)
			if (typeof card.userUsesLeft === 'number') bits.push(`${plural(card.userUsesLeft, 'use')} left for you this stream`)
			setText(facts, bits.join(' · '))
			setText(blocked, card.blocked ? card.blocked.text : '')
			blocked.hidden = !card.blocked
			if (progress) {
				progress.max = Math.max(1, card.goal || 1)
				progress.value = Math.min(card.progress || 0, card.goal || 0)
				setText(progress, `${Math.floor((100 * (card.progress || 0)) / Math.max(1, card.goal || 1))}%`)
				progress.setAttribute('aria-label', `${card.title || card.name}: ${card.progress || 0} of ${card.goal} points`)
				setText(progressText, `${card.progress || 0} / ${card.goal}`)
			}
			if (type === 'note' && field) {
				const max = String(card.maxNoteLength || 500)
				if (field.getAttribute('maxlength') !== max) field.setAttribute('maxlength', max)
				showCount()
			}
			if (type === 'milestone' && field) field.max = String(Math.max(1, state.balance))
			setText(submit, type === 'milestone' ? 'Donate' : card.price === 0 ? 'Redeem' : `Redeem for ${points(card.price)}`)
			for (const q of quick) if (q.label) setText(q.button, q.label())
		}

		function sync() {
			const off = state.busy || state.passive || !!card.blocked
			submit.disabled = off
			for (const q of quick) {
				const amount = q.amount()
				q.button.disabled = off || amount < 1 || amount > state.balance
			}
		}

		function say(text, kind) {
			result.textContent = text
			result.className = `result${kind ? ` ${kind}` : ''}`
		}

		async function send() {
			if (state.busy || state !== store) return
			const body = { redeem: card.name }
			if (type === 'note') {
				const note = field.value.trim()
				if (!note) {
					say('Write your message first.', 'refused')
					field.focus()
					return
				}
				body.note = note
			}
			if (type === 'milestone') {
				const amount = Number(field.value)
				if (!Number.isInteger(amount) || amount < 1) {
					say('Choose how many points to donate: a whole number, 1 or more.', 'refused')
					field.focus()
					return
				}
				body.amount = amount
			}
			state.busy = true
			syncButtons(state)
			say('Redeeming…')
			let answer = null
			try {
				answer = await postOnce('/api/store/redeem', body)
			} finally {
				state.busy = false
			}
			if (state !== store) return
			if (answer && answer.status === 401) return lostSession()
			if (!answer) {
				say('Could not reach the bot. If the redeem went through, it shows in your balance and activity.', 'refused')
			} else if (answer.status === 200) {
				say(answer.json.message || (answer.json.ok ? 'Done.' : 'That did not work.'), answer.json.ok ? 'ok' : 'refused')
				if (answer.json.ok && field) {
					field.value = ''
					showCount()
				}
				if (typeof answer.json.balance === 'number') {
					state.balance = answer.json.balance
					state.ui.balance.textContent = String(answer.json.balance)
				}
			} else {
				say(sentence(answer.json.message || answer.json.error) || `That did not work (error ${answer.status}).`, 'refused')
			}
			syncButtons(state)
			if (document.activeElement === document.body || !document.activeElement) submit.focus()
			void load(state)
			if (state.activityOpen) void loadActivity(state)
		}

		return { li, type, update, sync }
	}

	// ---- my activity ----

	function activitySection(state) {
		const body = el('div', { class: 'activity-body' }, el('p', { class: 'meta', text: 'Loading…' }))
		const details = el('details', { class: 'activity' }, el('summary', {}, el('h2', { text: 'My activity' })), body)
		state.activityBody = body
		details.addEventListener('toggle', () => {
			state.activityOpen = details.open
			clearInterval(state.activityTimer)
			if (!details.open) return
			void loadActivity(state)
			state.activityTimer = setInterval(() => {
				if (!document.hidden) void loadActivity(state)
			}, ACTIVITY_REFRESH_MS)
		})
		return details
	}

	const STATUS_WORDS = { pending: 'pending', fulfilled: 'fulfilled', rejected: 'rejected', cancelled: 'refunded' }

	function redemptionItem(r) {
		const status =
			r.status === 'pending' && typeof r.position === 'number' ? `pending: #${r.position} in the queue` : STATUS_WORDS[r.status] || r.status
		const details = []
		if (r.status === 'rejected' && r.reason) details.push(`Reason: ${r.reason}`)
		if (r.refunded > 0) details.push(`${points(r.refunded)} refunded`)
		return el(
			'li',
			{ class: 'entry' },
			el(
				'div',
				{ class: 'entry-head' },
				el('span', { class: 'redeem', text: r.redeem }),
				el('span', { class: `status status-${r.status}`, text: status }),
				timeEl(r.createdAt)
			),
			r.note ? el('p', { class: 'note', text: r.note }) : null,
			details.length ? el('p', { class: 'meta', text: `${details.join('. ')}.` }) : null
		)
	}

	function pointsItem(p) {
		let what
		let at
		switch (p.kind) {
			case 'earned':
				what = p.streamStartedAt ? `Earned during the stream of ${day(p.streamStartedAt)}` : `Earned on ${day(p.from)}`
				at = p.to
				break
			case 'redeem':
				what = `Spent on ${p.redeem || 'a redeem'}`
				break
			case 'donation':
				what = `Donated to ${p.redeem || 'a milestone'}`
				break
			case 'refund':
				what = `Refund for ${p.redeem || 'a redeem'}`
				break
			case 'starting':
				what = 'Starting points'
				break
			case 'import':
				what = 'Brought over from the old bot'
				break
			case 'moderator':
				what = 'Changed by a moderator'
				break
			case 'bet':
				what = 'Bet on a prediction'
				break
			case 'payout':
				what = 'Won a prediction'
				break
			case 'bet_refund':
				what = 'Prediction bet refunded'
				break
			case 'vote':
				what = 'Spent on a poll'
				break
			case 'give':
				what = p.points > 0 ? 'A gift from a viewer' : 'Given to a viewer'
				break
			case 'bonus':
				what = 'Bonus for being in chat'
				break
			default:
				what = String(p.kind)
		}
		const delta = p.points > 0 ? `+${p.points}` : String(p.points)
		return el(
			'li',
			{ class: 'entry' },
			el(
				'div',
				{ class: 'entry-head' },
				el('span', { class: `delta ${p.points < 0 ? 'minus' : 'plus'}`, text: delta }),
				el('span', { text: what }),
				timeEl(at || p.at)
			)
		)
	}

	async function loadActivity(state) {
		const answer = await fetchFor(state, 'activityLoading', '/api/store/activity')
		if (answer === undefined) return
		if (!answer || answer.status !== 200) {
			if (!state.activityLoaded) state.activityBody.replaceChildren(el('p', { class: 'meta', text: 'Could not load your activity; trying again.' }))
			return
		}
		state.activityLoaded = true
		const redemptions = answer.json.redemptions || []
		const history = answer.json.points || []
		const redeemsTitle = el('h3', { text: 'My redeems' })
		const pointsTitle = el('h3', { text: 'My points' })
		state.activityBody.replaceChildren(
			el('p', { class: 'meta', text: 'The last 30 days, newest first.' }),
			redeemsTitle,
			redemptions.length
				? el('ul', { class: 'entries' }, ...redemptions.map(redemptionItem))
				: el('p', { class: 'empty', text: 'No redeems in the last 30 days.' }),
			pointsTitle,
			history.length ? el('ul', { class: 'entries history' }, ...history.map(pointsItem)) : el('p', { class: 'empty', text: 'No points yet.' })
		)
	}

	// ---- signing out ----

	function accountSection(state) {
		const title = el('h2', { id: newId('title'), text: 'Signed in on this browser' })
		const result = el('p', { class: 'meta', role: 'status' })
		const signOut = el('button', { type: 'button', text: 'Sign out' })
		const everywhere = el('button', { type: 'button', text: 'Sign out everywhere…' })
		const yes = el('button', { type: 'button', class: 'danger', text: 'Yes, sign out everywhere' })
		const no = el('button', { type: 'button', text: 'Cancel' })
		const question = el('p', { id: newId('confirm'), text: 'Sign out of every browser and device where you are signed in to the store?' })
		const confirm = el('div', { class: 'confirm', role: 'group', 'aria-labelledby': question.id, hidden: true }, question, el('p', { class: 'buttons' }, yes, ' ', no))
		const buttons = el('p', { class: 'buttons' }, signOut, ' ', everywhere)

		everywhere.addEventListener('click', () => {
			confirm.hidden = false
			buttons.hidden = true
			no.focus()
		})
		no.addEventListener('click', () => {
			confirm.hidden = true
			buttons.hidden = false
			everywhere.focus()
		})
		async function end(all) {
			for (const b of [signOut, everywhere, yes, no]) b.disabled = true
			let answer = null
			try {
				answer = await api('POST', '/api/store/signout', { everywhere: all })
			} catch {
				answer = null
			}
			if (state !== store) return
			if (all && (!answer || (answer.status !== 200 && answer.status !== 401))) {
				for (const b of [signOut, everywhere, yes, no]) b.disabled = false
				result.textContent = 'Could not reach the bot: nothing was signed out. Try again.'
				return
			}
			session = ''
			forgetSession()
			const ended = answer && answer.status === 200 ? Number(answer.json.ended) || 0 : 0
			const message = all ? `You are signed out everywhere (${plural(ended, 'browser')}).` : 'You are signed out on this browser.'
			focusIfInside(showSignedOut(message))
			// The store above is gone: bring the notice (and the tabs) back into view.
			window.scrollTo(0, 0)
		}
		signOut.addEventListener('click', () => void end(false))
		yes.addEventListener('click', () => void end(true))
		return el('section', { class: 'account', 'aria-labelledby': title.id }, title, buttons, confirm, result)
	}

	// ---- start ----

	const params = new URLSearchParams(location.search)
	const login = params.get('login')
	if (login !== null) {
		// The token is used once, now: it must not stay in the address bar, the history or a bookmark.
		params.delete('login')
		if (!params.has('tab')) params.set('tab', 'help')
		history.replaceState(history.state, '', `${location.pathname}?${params}${location.hash}`)
	}
	if (login && TOKEN.test(login)) {
		void useLoginLink(login)
	} else {
		session = loadSession()
		if (session) enterStore('')
		else showSignedOut(login !== null ? `This login link is not valid.${storeCommand ? ` Type ${prefix}${storeCommand} in chat for a new one.` : ''}` : '')
	}
})()
