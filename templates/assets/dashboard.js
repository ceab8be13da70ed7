// Dashboard enhancements: local, relative times and live updates. The page works without this script.
;(() => {
	'use strict'
	const REFRESH_MS = 3000

	function describe(date) {
		const seconds = Math.round((Date.now() - date.getTime()) / 1000)
		if (seconds < 0) return date.toLocaleString()
		if (seconds < 45) return 'just now'
		if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min ago`
		if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`
		return date.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })
	}

	/** A time to come, counted down: "in 45 s", "in 3 min 5 s", "in 2 h 10 min"; "now" once it is there. */
	function countdown(date) {
		const seconds = Math.ceil((date.getTime() - Date.now()) / 1000)
		if (seconds <= 0) return 'now'
		if (seconds < 60) return `in ${seconds} s`
		if (seconds < 3600) return `in ${Math.floor(seconds / 60)} min${seconds % 60 ? ` ${seconds % 60} s` : ''}`
		return `in ${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`
	}

	function formatTimes(root, onlyCountdowns) {
		for (const el of root.querySelectorAll(onlyCountdowns ? 'time.countdown[datetime]' : 'time[datetime]')) {
			const date = new Date(el.getAttribute('datetime'))
			if (Number.isNaN(date.getTime())) continue
			el.textContent = el.classList.contains('countdown') ? countdown(date) : describe(date)
			el.title = date.toLocaleString()
		}
	}

	formatTimes(document)
	// Betting windows count down every second; other times change every 30 s.
	setInterval(() => formatTimes(document, true), 1000)
	const main = document.getElementById('content')
	if (!main || !main.dataset.live) return
	let etag = main.dataset.etag || ''
	let busy = false

	async function refresh() {
		// Hidden: the Redeems tab shows the signed-in store instead (store.js).
		if (busy || document.hidden || main.hidden) return
		busy = true
		try {
			const url = new URL(main.dataset.live, location.href)
			url.searchParams.set('fragment', '1')
			const response = await fetch(url, { cache: 'no-store', headers: etag ? { 'if-none-match': etag } : {} })
			if (response.status === 200) {
				etag = response.headers.get('etag') || ''
				main.innerHTML = await response.text()
				formatTimes(main)
			}
		} catch {
			// Offline or the bot restarting: try again at the next tick.
		} finally {
			busy = false
		}
	}

	setInterval(refresh, REFRESH_MS)
	setInterval(() => formatTimes(document), 30000)
})()
