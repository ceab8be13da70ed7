// The overlay pages (OBS browser sources): applies the page's options, follows /api/events from the event the page
// was rendered at, and shows what happens (alerts, goal, counter, queue, prediction, poll). Everything a viewer wrote (names, notes) is set with textContent.
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

	// ---- Prediction and poll: re-read from the bot after each of their events, so the numbers are always its own ----
	if (kind === 'prediction' || kind === 'poll') {
		const panel = document.getElementById(kind)
		const list = panel.querySelector('.economy-list')
		const questionText = panel.querySelector('.economy-question')
		const statusText = panel.querySelector('.economy-status')
		const resultText = panel.querySelector('.economy-result')
		const hintText = panel.querySelector('.economy-hint')
		const hint = opts.hint !== '0'
		/** The poll asked for by name (?poll=), else the newest open one is shown. */
		const wanted = opts.subject
		// The same texts as templates/overlay.tsx writes.
		const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`
		const points = (n) => plural(n, 'point', 'points')
		const percent = (share) => `${Math.round(num(share, 0) * 100)}%`
		const two = (n) => String(n).padStart(2, '0')
		const countdown = (ms) => {
			const s = Math.max(0, Math.ceil(ms / 1000))
			const h = Math.floor(s / 3600)
			const m = Math.floor((s % 3600) / 60)
			return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`
		}
		const text = (value) => (typeof value === 'string' ? value : '')
		/** The bot's clock: countdowns and hiding follow it, not the clock of the computer running OBS. */
		let offset = num(Date.parse(panel.dataset.now), Date.now()) - Date.now()
		const botNow = () => Date.now() + offset

		/** What is on screen: its key (which prediction or poll), its status, and the state it came from. */
		let current
		let hideTimer
		let initial = true

		const show = () => {
			panel.classList.remove('out')
			if (!panel.hidden) return
			panel.hidden = false
			panel.classList.remove('enter')
			void panel.offsetWidth
			panel.classList.add('enter')
		}
		const hide = () => {
			clearTimeout(hideTimer)
			if (panel.hidden || panel.classList.contains('out')) return
			panel.classList.remove('enter', 'finish')
			panel.classList.add('out')
			setTimeout(() => {
				if (!panel.classList.contains('out')) return
				panel.hidden = true
				panel.classList.remove('out')
			}, 400)
		}

		/** Items: {name, side, numbers, share, mark}. The same items as before are updated in place (the bars move). */
		const renderItems = (key, items) => {
			const rows = [...list.children]
			const same =
				panel.dataset.key === key &&
				rows.length === items.length &&
				rows.every((li, i) => li.querySelector('.item-name')?.textContent === items[i].name)
			if (!same) {
				list.replaceChildren(
					...items.map(() => {
						const li = element('li', 'economy-item')
						const head = element('div', 'item-head')
						head.append(element('span', 'item-name'), element('span', 'item-side'))
						const bar = element('div', 'bar')
						bar.setAttribute('aria-hidden', 'true')
						bar.append(element('div', 'bar-fill'))
						const numbers = element('div', 'item-numbers')
						numbers.append(element('span', 'item-points'), element('span', 'item-share'))
						li.append(head, bar, numbers)
						return li
					})
				)
				panel.dataset.key = key
			}
			// More than five: a tighter list (as templates/overlay.tsx renders it).
			list.classList.toggle('many', items.length > 5)
			items.forEach((item, i) => {
				const li = list.children[i]
				li.className = `economy-item${item.mark ? ` ${item.mark}` : ''}`
				li.querySelector('.item-name').textContent = item.name
				li.querySelector('.item-side').textContent = item.side
				const pointsText = li.querySelector('.item-points')
				if (pointsText.textContent !== item.numbers) {
					if (same) bump(pointsText)
					pointsText.textContent = item.numbers
				}
				li.querySelector('.item-share').textContent = percent(item.share)
				const fill = li.querySelector('.bar-fill')
				fill.dataset.share = String(num(item.share, 0))
				fill.style.setProperty('--progress', String(Math.min(1, Math.max(0, num(item.share, 0)))))
			})
		}

		/** Ten long outcomes and a long question at a large size: the panel's text shrinks until it fits the source. */
		const stage = panel.parentElement
		const fit = () => {
			panel.style.removeProperty('font-size')
			if (panel.hidden) return
			const look = getComputedStyle(stage)
			const room = stage.clientHeight - parseFloat(look.paddingTop) - parseFloat(look.paddingBottom)
			if (panel.offsetHeight <= room) return
			// The largest size that fits (text that shrinks wraps less, so a plain ratio would shrink it too far).
			let fits = 0.3
			let tooBig = 1
			for (let i = 0; i < 7; i++) {
				const scale = (fits + tooBig) / 2
				panel.style.setProperty('font-size', `${scale.toFixed(3)}em`)
				if (panel.offsetHeight <= room) fits = scale
				else tooBig = scale
			}
			panel.style.setProperty('font-size', `${fits.toFixed(3)}em`)
		}
		addEventListener('resize', fit)

		/** A finished prediction or closed poll leaves the screen at hideAt (the bot's clock). */
		const hideAt = (at) => {
			clearTimeout(hideTimer)
			if (!at) return true
			const left = Date.parse(at) - botNow()
			if (!(left > 0)) return false
			hideTimer = setTimeout(hide, left)
			return true
		}

		const predictionStatus = (p) => {
			if (p.status === 'resolved') return `Answer: ${text(p.winner)}`
			if (p.status === 'cancelled') return 'Prediction cancelled'
			const left = p.closesAt ? Date.parse(p.closesAt) - botNow() : undefined
			if (p.status === 'locked' || (left !== undefined && left <= 0)) return 'Betting closed'
			return left === undefined ? 'Betting open' : `Betting open (closes in ${countdown(left)})`
		}
		const predictionResult = (p) => {
			const pool = num(p.pool, 0)
			if (p.status === 'cancelled') return pool > 0 ? `All ${points(pool)} refunded` : 'Nobody had bet'
			if (p.status !== 'resolved') return ''
			if (pool === 0) return 'Nobody had bet'
			if (p.refunded) return `Nobody bet on ${text(p.winner) || 'the answer'}: ${points(pool)} refunded`
			return `${points(pool)} paid out to ${plural(num(p.winners, 0), 'viewer', 'viewers')}`
		}
		const pollStatus = (p) => {
			if (p.status === 'open') return `${points(num(p.total, 0))} in all`
			const best = Math.max(0, ...p.options.map((o) => num(o.points, 0)))
			const top = best > 0 ? p.options.filter((o) => num(o.points, 0) === best).map((o) => text(o.name)) : []
			if (top.length === 0) return 'Poll closed: no votes'
			if (top.length === 1) return `Poll closed: ${top[0]} wins with ${points(best)}`
			return `Poll closed: ${top.join(' and ')} tie with ${points(best)} each`
		}

		const renderPrediction = (state) => {
			const p = state.prediction && typeof state.prediction === 'object' ? state.prediction : null
			if (!p) return undefined
			const outcomes = Array.isArray(p.outcomes) ? p.outcomes : []
			const winner = text(p.winner).toLowerCase()
			renderItems(
				`prediction:${p.id}`,
				outcomes.map((o) => ({
					name: text(o.name),
					side: o.odds === null || o.odds === undefined ? '–' : `1:${num(o.odds, 0)}`,
					numbers: `${points(num(o.pool, 0))} · ${plural(num(o.bettors, 0), 'viewer', 'viewers')}`,
					share: o.share,
					mark: p.status === 'resolved' ? (text(o.name).toLowerCase() === winner ? 'winner' : 'loser') : ''
				}))
			)
			questionText.textContent = text(p.question)
			statusText.textContent = predictionStatus(p)
			const over = p.status === 'resolved' || p.status === 'cancelled'
			resultText.hidden = !over
			resultText.textContent = predictionResult(p)
			hintText.hidden = !hint || p.status !== 'open' || !state.command
			hintText.textContent = state.command ? `Bet with ${text(state.command)} <outcome> <points>` : ''
			return { key: `prediction:${p.id}`, status: p.status, over, hideAt: p.hideAt, item: p }
		}

		const renderPoll = (state) => {
			const p = state.poll && typeof state.poll === 'object' ? state.poll : null
			if (!p) return undefined
			const options = Array.isArray(p.options) ? p.options : []
			const best = Math.max(0, ...options.map((o) => num(o.points, 0)))
			const closed = p.status === 'closed'
			renderItems(
				`poll:${text(p.name)}`,
				options.map((o, i) => ({
					name: text(o.name),
					side: `#${i + 1}`,
					numbers: `${points(num(o.points, 0))} · ${plural(num(o.voters, 0), 'viewer', 'viewers')}`,
					share: o.share,
					mark: best > 0 && num(o.points, 0) === best ? (closed ? 'winner' : 'leading') : closed ? 'loser' : ''
				}))
			)
			questionText.textContent = text(p.question)
			statusText.textContent = pollStatus({ ...p, options })
			hintText.hidden = !hint || closed || !state.command
			hintText.textContent = state.command ? `Vote with ${text(state.command)} ${text(p.name)} <option> <points>` : ''
			return { key: `poll:${text(p.name)}:${text(p.question)}`, status: p.status, over: closed, hideAt: p.hideAt, item: p }
		}

		applyState = (state) => {
			if (!state || typeof state !== 'object') return
			const at = Date.parse(state.now)
			if (Number.isFinite(at)) offset = at - Date.now()
			const shown = kind === 'prediction' ? renderPrediction(state) : renderPoll(state)
			const before = current
			current = shown
			if (!shown) {
				panel.classList.remove('is-open', 'is-locked', 'is-resolved', 'is-cancelled', 'is-closed')
				hide()
				initial = false
				return
			}
			panel.classList.remove('is-open', 'is-locked', 'is-resolved', 'is-cancelled', 'is-closed')
			panel.classList.add(`is-${shown.status}`)
			if (!hideAt(shown.hideAt)) {
				hide()
				initial = false
				return
			}
			show()
			fit()
			// A chime for what happens while the page is up: a new prediction or poll, and its end.
			if (!initial && (!before || before.key !== shown.key || (shown.over && !before.over))) beep(shown.over)
			// The end, seen live: the answer or the results light up.
			if (!initial && shown.over && (!before || !before.over || before.key !== shown.key)) {
				panel.classList.remove('finish')
				void panel.offsetWidth
				panel.classList.add('finish')
			}
			initial = false
		}

		fit()
		// The bars of the page as rendered (the page has no inline styles).
		for (const fill of list.querySelectorAll('.bar-fill')) fill.style.setProperty('--progress', String(Math.min(1, Math.max(0, num(fill.dataset.share, 0)))))

		// The countdown of an open betting window.
		if (kind === 'prediction') {
			setInterval(() => {
				if (!current || current.status !== 'open' || panel.hidden) return
				const status = predictionStatus(current.item)
				statusText.textContent = status
				// The window is over: the bot locks it within a second; no more "bet with".
				if (status === 'Betting closed') hintText.hidden = true
			}, 250)
		}

		const params = { duration: opts.duration || '15' }
		if (kind === 'poll' && wanted) params.poll = wanted
		stateFrom(`/overlay/api/${kind}`, params)
		let pending
		const soon = (data) => {
			if (kind === 'poll' && wanted && !same(data.poll, wanted)) return
			if (pending) return
			pending = setTimeout(() => {
				pending = undefined
				refresh()
			}, 100)
		}
		const names = kind === 'prediction' ? ['opened', 'bet', 'locked', 'resolved', 'cancelled'] : ['opened', 'vote', 'closed']
		for (const name of names) handlers[`${kind}.${name}`] = soon
		// The page was rendered by the bot; read once more for the times to count down and hide by.
		void refresh()
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
