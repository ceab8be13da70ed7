// tlapbot admin page: live updates, and the moderator sign-in from chat that goes on by itself. The queue (and the other live pages) follow the event stream behind the admin
// session (/admin/events): on each event the page's live part is fetched again and swapped in, keeping what the
// person at the screen selected or typed. A sound and a browser notification for new redemptions are switched on
// here and remembered in this browser. Without this script the page works the same, by reloading.
;(() => {
	'use strict'
	// ---- Signing in from chat: ask every 2 s whether the code was typed; then continue (the button does the same) ----
	const waiting = document.querySelector('.chat-login[data-poll]')
	if (waiting) {
		const state = waiting.querySelector('.chat-login-state')
		const form = waiting.querySelector('form')
		const poll = async () => {
			try {
				const response = await fetch(waiting.dataset.poll, { credentials: 'same-origin', cache: 'no-store' })
				const { status } = await response.json()
				if (status === 'linked') {
					if (state) state.textContent = 'Typed in chat: signing in…'
					form.submit()
					return
				}
				if (status !== 'waiting') {
					if (state) state.textContent = 'This code has expired or was used: go back for a new one.'
					return
				}
			} catch {}
			setTimeout(poll, 2000)
		}
		setTimeout(poll, 2000)
	}
})()

;(() => {
	'use strict'
	const controls = document.querySelector('.live-controls')
	const region = document.querySelector('.live-region')
	if (!controls || !region || typeof EventSource !== 'function' || typeof DOMParser !== 'function') return
	controls.hidden = false
	const state = controls.querySelector('.live-state')
	const soundBox = controls.querySelector('.live-sound')
	const notifyBox = controls.querySelector('.live-notify')
	const SOUND = 'tlapbot.admin.sound'
	const NOTIFY = 'tlapbot.admin.notify'

	const storage = (() => {
		try {
			return window.localStorage
		} catch {
			return undefined
		}
	})()
	const pref = (key) => {
		try {
			return storage?.getItem(key) === '1'
		} catch {
			return false
		}
	}
	const setPref = (key, on) => {
		try {
			if (on) storage?.setItem(key, '1')
			else storage?.removeItem(key)
		} catch {}
	}
	const say = (text) => {
		if (state) state.textContent = text
	}
	const canNotify = () => 'Notification' in window && window.isSecureContext

	soundBox.checked = pref(SOUND)
	notifyBox.checked = pref(NOTIFY) && canNotify() && Notification.permission === 'granted'

	// ---- Sound: a short synthesized chime; the first one is played by the click that switches it on ----
	let audio
	function chime() {
		if (!soundBox.checked || typeof AudioContext !== 'function') return
		try {
			audio = audio || new AudioContext()
			const at = audio.currentTime
			for (const [i, pitch] of [880, 1320].entries()) {
				const osc = audio.createOscillator()
				const gain = audio.createGain()
				osc.frequency.value = pitch
				gain.gain.setValueAtTime(0.0001, at + i * 0.12)
				gain.gain.exponentialRampToValueAtTime(0.25, at + i * 0.12 + 0.02)
				gain.gain.exponentialRampToValueAtTime(0.0001, at + i * 0.12 + 0.3)
				osc.connect(gain).connect(audio.destination)
				osc.start(at + i * 0.12)
				osc.stop(at + i * 0.12 + 0.32)
			}
		} catch {}
	}
	soundBox.addEventListener('change', () => {
		setPref(SOUND, soundBox.checked)
		chime()
	})
	notifyBox.addEventListener('change', async () => {
		if (!notifyBox.checked) {
			setPref(NOTIFY, false)
			return
		}
		if (!canNotify()) {
			notifyBox.checked = false
			say('Browser notifications need the page on https (or on localhost).')
			return
		}
		const permission = await Notification.requestPermission()
		if (permission !== 'granted') {
			notifyBox.checked = false
			say('This browser blocks notifications for this page; allow them in its site settings.')
			return
		}
		setPref(NOTIFY, true)
	})
	function notify(data) {
		if (!notifyBox.checked || !canNotify() || Notification.permission !== 'granted') return
		try {
			const who = data && data.viewer && data.viewer.name ? data.viewer.name : 'A viewer'
			const what = data && (data.title || data.redeem) ? data.title || data.redeem : 'a redeem'
			new Notification('New redemption', { body: `${who}: ${what}${data && data.note ? `: ${data.note}` : ''}`, tag: `tlapbot-${data && data.id}` })
		} catch {}
	}

	// ---- The live part of the page, fetched again and swapped in ----
	const typing = () => {
		const el = document.activeElement
		return !!el && region.contains(el) && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && el.type !== 'checkbox' && el.value !== ''))
	}
	const keyOf = (el) => `${el.form ? el.form.getAttribute('action') : ''}|${el.getAttribute('form') || ''}|${el.name}|${el.type === 'checkbox' ? el.value : ''}`
	let timer
	let running = false
	let again = false
	let updates = 0
	async function refresh() {
		timer = undefined
		if (running) {
			again = true
			return
		}
		// Someone is typing a reason: the update waits until they leave the field.
		if (typing()) {
			region.addEventListener('focusout', () => schedule(), { once: true })
			return
		}
		running = true
		try {
			const response = await fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'text/html' } })
			if (response.redirected && new URL(response.url).pathname === '/admin/login') {
				window.location.assign(response.url)
				return
			}
			if (!response.ok) return
			const next = new DOMParser().parseFromString(await response.text(), 'text/html').querySelector('.live-region')
			if (!next) return
			const kept = new Map()
			for (const el of region.querySelectorAll('input, textarea, select')) {
				if (el.type === 'hidden') continue
				kept.set(keyOf(el), el.type === 'checkbox' ? el.checked : el.value)
			}
			// A copy first: adopting a node takes it out of the live childNodes list.
			region.replaceChildren(...Array.from(next.childNodes).map((node) => document.adoptNode(node)))
			for (const el of region.querySelectorAll('input, textarea, select')) {
				const value = kept.get(keyOf(el))
				if (value === undefined) continue
				if (el.type === 'checkbox') el.checked = value
				else el.value = value
			}
			updates++
			document.body.dataset.liveUpdates = String(updates)
		} catch {
			// Offline for a moment: the next event tries again.
		} finally {
			running = false
			if (again) {
				again = false
				schedule()
			}
		}
	}
	function schedule() {
		if (!timer) timer = setTimeout(refresh, 100)
	}

	// ---- The event stream ----
	// Every event the bot records (the page lists them: modules/events/store.ts EVENT_NAMES): any may change the page.
	const EVENTS = (controls.dataset.events || '').split(' ').filter(Boolean)
	const source = new EventSource('/admin/events')
	source.addEventListener('open', () => {
		say('Live: new redemptions appear by themselves.')
		document.body.dataset.live = 'open'
		// Whatever happened while the stream was down.
		if (updates > 0 || source.reconnected) schedule()
		source.reconnected = true
	})
	source.addEventListener('error', () => {
		say('Reconnecting… (reload the page to see the latest)')
		document.body.dataset.live = 'reconnecting'
	})
	for (const name of EVENTS) {
		source.addEventListener(name, (event) => {
			if (name === 'redemption.created') {
				let data
				try {
					data = JSON.parse(event.data)
				} catch {}
				chime()
				notify(data)
			}
			schedule()
		})
	}
})()
