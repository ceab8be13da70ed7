// The overlay pages (OBS browser sources): applies the page's options, follows /api/events from the event the page
// was rendered at, and shows what happens. Everything a viewer wrote (names, notes) is set with textContent.
// The stream reconnects by itself (the browser's EventSource sends Last-Event-ID; after a refused connection this
// script opens a new one from the last event it saw), and after every reconnect the page re-reads its state.
;(() => {
	'use strict'
	const body = document.body
	const opts = body.dataset
	const kind = opts.overlay
	if (!kind) return
	const key = new URLSearchParams(location.search).get('key') || ''
	const num = (value, fallback) => {
		const n = Number(value)
		return Number.isFinite(n) ? n : fallback
	}

	// ---- Options (checked by the server; colours once more here, since names are only known to CSS) ----
	const rootStyle = document.documentElement.style
	rootStyle.setProperty('--size', String(num(opts.size, 40)))
	rootStyle.setProperty('--width', String(num(opts.width, 900)))
	for (const name of ['color', 'accent', 'background']) {
		const value = opts[name]
		if (value && CSS.supports('color', value)) rootStyle.setProperty(`--${name}`, value)
	}
	if (opts.font) rootStyle.setProperty('--font', `"${opts.font.replace(/["\\]/g, '')}", system-ui, sans-serif`)
	const duration = Math.max(1, num(opts.duration, 5)) * 1000
	const notes = opts.notes === '1'

	const element = (tag, className, text) => {
		const el = document.createElement(tag)
		if (className) el.className = className
		if (text !== undefined) el.textContent = String(text)
		return el
	}
	/** Restarts a short CSS animation (the class's). */
	const bump = (el) => {
		if (!el) return
		el.classList.remove('bump')
		void el.offsetWidth
		el.classList.add('bump')
	}
	const same = (a, b) => typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase()

	// ---- The event stream ----
	/** The last event this page has seen (the page itself was rendered with the state up to data-event-id). */
	let lastId = num(opts.eventId, 0)
	/** The last event the shown state reflects (a state read later than an event wins over it, and the other way). */
	let applied = lastId
	const handlers = {}
	let source
	let opened = false
	let retryMs = 2000

	function connect() {
		const url = new URL('/api/events', location.href)
		url.searchParams.set('key', key)
		if (notes) url.searchParams.set('notes', '1')
		url.searchParams.set('lastEventId', String(lastId))
		source = new EventSource(url)
		source.addEventListener('open', () => {
			retryMs = 2000
			// Back after a break: what the page shows may have changed in ways no missed event tells.
			if (opened) refresh()
			opened = true
		})
		source.addEventListener('error', () => {
			// CONNECTING: the browser tries again itself, with Last-Event-ID. CLOSED (the bot refused the stream: busy,
			// too many clients, a new overlay key): a new stream from the last event seen, waiting longer each time.
			if (source.readyState !== EventSource.CLOSED) return
			source.close()
			setTimeout(connect, retryMs)
			retryMs = Math.min(retryMs * 2, 30000)
		})
		for (const name of Object.keys(handlers)) {
			source.addEventListener(name, (event) => {
				const id = num(event.lastEventId, 0)
				if (id && id <= lastId) return
				if (id) lastId = id
				let data
				try {
					data = JSON.parse(event.data)
				} catch {
					return
				}
				handlers[name](data, id)
			})
		}
	}

	// ---- State: re-read after a reconnect, and every 30 s for changes that are no events (clear-queue, resets) ----
	let stateUrl
	let applyState = () => {}
	let asked = 0
	async function refresh() {
		if (!stateUrl) return
		const ask = ++asked
		try {
			const response = await fetch(stateUrl, { cache: 'no-store' })
			if (!response.ok) return
			const state = await response.json()
			if (ask === asked) applyState(state)
		} catch {
			// The bot is restarting or unreachable: the next reconnect or tick tries again.
		}
	}
	function stateFrom(path, params) {
		const url = new URL(path, location.href)
		url.searchParams.set('key', key)
		for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
		stateUrl = url
		setInterval(refresh, 30000)
	}

	// ---- Alerts: one at a time, each for `duration` ----
	if (kind === 'alerts') {
		const stage = document.getElementById('alerts')
		const waiting = []
		const MAX_WAITING = 50
		let showing = false

		const show = (alert) => {
			waiting.push(alert)
			// After a long break the backlog could take an hour to show: the oldest go.
			while (waiting.length > MAX_WAITING) waiting.shift()
			if (!showing) next()
		}
		function next() {
			const alert = waiting.shift()
			if (!alert) {
				showing = false
				return
			}
			showing = true
			const box = element('div', `panel alert alert-${alert.kind}`)
			const line = element('p', 'alert-line')
			for (const part of alert.line) line.append(typeof part === 'string' ? document.createTextNode(part) : element('span', part.className, part.text))
			box.append(line)
			if (alert.detail) box.append(element('p', 'alert-detail', alert.detail))
			if (alert.note) box.append(element('p', 'alert-note', alert.note))
			stage.replaceChildren(box)
			beep(alert.kind === 'completed')
			setTimeout(() => {
				box.classList.add('out')
				setTimeout(() => {
					box.remove()
					next()
				}, 400)
			}, duration)
		}
		const viewer = (data) => ({ className: 'alert-viewer', text: (data.viewer && data.viewer.name) || 'Someone' })
		const title = (data) => ({ className: 'alert-title', text: data.title || data.redeem || data.counter || data.milestone || '' })

		handlers['redemption.created'] = (data) =>
			show({ kind: 'redeem', line: [viewer(data), ' redeemed ', title(data), '!'], note: typeof data.note === 'string' ? data.note : '' })
		handlers['counter.updated'] = (data) =>
			show({ kind: 'counter', line: [viewer(data), ' redeemed ', title(data), '!'], detail: `${title(data).text}: ${data.count}` })
		handlers['milestone.progress'] = (data) =>
			show({
				kind: 'donation',
				line: [viewer(data), ` donated ${data.amount} to `, title(data), '!'],
				detail: `${data.progress} / ${data.goal}`
			})
		handlers['milestone.completed'] = (data) =>
			show({ kind: 'completed', line: [title(data), ' completed!'], detail: `Goal reached: ${data.goal}` })
	}

	// ---- Goal: a bar that moves with every donation and celebrates the goal ----
	if (kind === 'goal') {
		const goal = document.getElementById('goal')
		const fill = goal.querySelector('.bar-fill')
		const bar = goal.querySelector('.bar')
		const progressText = goal.querySelector('.goal-progress')
		const goalText = goal.querySelector('.goal-goal')
		const titleText = goal.querySelector('.goal-title')
		const name = opts.subject

		const render = (state, moved) => {
			const total = Math.max(0, num(state.goal, 0))
			const progress = Math.min(Math.max(0, num(state.progress, 0)), total || Infinity)
			fill.style.setProperty('--progress', String(total > 0 ? progress / total : 0))
			progressText.textContent = String(progress)
			goalText.textContent = String(total)
			if (typeof state.title === 'string') {
				titleText.textContent = state.title
				bar.setAttribute('aria-label', state.title)
			}
			bar.setAttribute('aria-valuemax', String(total))
			bar.setAttribute('aria-valuenow', String(progress))
			goal.classList.toggle('completed', total > 0 && progress >= total)
			if (moved) bump(progressText)
		}
		render({ progress: goal.dataset.progress, goal: goal.dataset.goal })

		const celebrate = () => {
			goal.classList.remove('celebrate')
			void goal.offsetWidth
			goal.classList.add('celebrate')
			const colours = ['var(--accent)', '#ffffff', '#fbbf24', '#34d399', '#f472b6', '#60a5fa']
			for (let i = 0; i < 36; i++) {
				const piece = element('span', 'confetti')
				const angle = (i / 36) * Math.PI * 2 + Math.random() * 0.3
				const reach = 180 + Math.random() * 260
				piece.style.setProperty('--dx', String(Math.round(Math.cos(angle) * reach * 1.6)))
				piece.style.setProperty('--dy', String(Math.round(Math.sin(angle) * reach)))
				piece.style.setProperty('--turn', `${Math.round(Math.random() * 900 - 450)}deg`)
				piece.style.setProperty('--time', `${(1.2 + Math.random() * 0.8).toFixed(2)}s`)
				piece.style.setProperty('--piece', colours[i % colours.length])
				goal.append(piece)
				setTimeout(() => piece.remove(), 2200)
			}
			beep(true)
		}

		handlers['milestone.progress'] = (data, id) => {
			if (!same(data.milestone, name) || id <= applied) return
			applied = id
			render(data, true)
		}
		handlers['milestone.completed'] = (data, id) => {
			if (!same(data.milestone, name)) return
			if (id > applied) {
				applied = id
				render(data, false)
			}
			celebrate()
		}
		stateFrom('/overlay/api/goal', { milestone: name })
		applyState = (state) => {
			if (num(state.eventId, 0) < applied) return
			applied = num(state.eventId, 0)
			render(state, false)
		}
	}

	// ---- Counter ----
	if (kind === 'counter') {
		const counter = document.getElementById('counter')
		const count = counter.querySelector('.counter-count')
		const title = counter.querySelector('.counter-title')
		const name = opts.subject
		const render = (state, moved) => {
			count.textContent = String(num(state.count, 0))
			if (typeof state.title === 'string') title.textContent = state.title
			if (moved) bump(count)
		}
		handlers['counter.updated'] = (data, id) => {
			if (!same(data.counter, name) || id <= applied) return
			applied = id
			render(data, true)
		}
		stateFrom('/overlay/api/counter', { counter: name })
		applyState = (state) => {
			if (num(state.eventId, 0) < applied) return
			applied = num(state.eventId, 0)
			render(state, false)
		}
	}

	// ---- Queue: the first n pending entries, read again whenever a redemption is made or handled ----
	if (kind === 'queue') {
		const queue = document.getElementById('queue')
		const list = queue.querySelector('.queue-list')
		const empty = queue.querySelector('.queue-empty')
		const more = queue.querySelector('.queue-more')
		let shown = new Set([...list.children].map((li) => li.dataset.id))
		applyState = (state) => {
			const entries = Array.isArray(state.entries) ? state.entries : []
			list.replaceChildren(
				...entries.map((entry) => {
					const li = element('li', shown.has(String(entry.id)) ? 'queue-entry' : 'queue-entry new')
					li.dataset.id = String(entry.id)
					li.append(element('span', 'queue-redeem', entry.title), element('span', 'queue-viewer', entry.viewer))
					if (entry.note) li.append(element('span', 'queue-note', entry.note))
					return li
				})
			)
			shown = new Set(entries.map((entry) => String(entry.id)))
			const rest = num(state.total, entries.length) - entries.length
			empty.hidden = entries.length > 0
			more.hidden = rest <= 0
			more.textContent = `+${rest} more`
		}
		const params = { n: opts.n || '5' }
		if (notes) params.notes = '1'
		stateFrom('/overlay/api/queue', params)
		let pending
		const soon = () => {
			clearTimeout(pending)
			pending = setTimeout(refresh, 100)
		}
		handlers['redemption.created'] = soon
		handlers['redemption.updated'] = soon
	}

	// ---- Sound: a short synthesized chime (sound=1; volume=0-100) ----
	let audio
	function beep(bright) {
		if (opts.sound !== '1') return
		const volume = (Math.min(100, Math.max(0, num(opts.volume, 50))) / 100) * 0.4
		if (volume <= 0 || typeof AudioContext !== 'function') return
		try {
			audio = audio || new AudioContext()
			if (audio.state === 'suspended') void audio.resume()
			const start = audio.currentTime + 0.02
			const tones = bright ? [660, 880, 1320] : [880, 1320]
			tones.forEach((frequency, i) => {
				const at = start + i * 0.12
				const oscillator = audio.createOscillator()
				const gain = audio.createGain()
				oscillator.type = 'sine'
				oscillator.frequency.value = frequency
				gain.gain.setValueAtTime(0.0001, at)
				gain.gain.exponentialRampToValueAtTime(volume, at + 0.02)
				gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.28)
				oscillator.connect(gain).connect(audio.destination)
				oscillator.start(at)
				oscillator.stop(at + 0.3)
			})
		} catch {
			// No audio here: the alert shows all the same.
		}
	}

	connect()
})()
