// Browser tests run in Debian's chromium, driven by playwright-core. Without chromium they are skipped, unless
// TLAPBOT_REQUIRE_BROWSER=1 (set by .ci/run) makes that a failure.
import { describe, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
	(p): p is string => !!p && existsSync(p)
)

/** Headless chromium with what a closed network and running as root need. */
export function launchChromium(): Promise<Browser> {
	return chromium.launch({
		executablePath: CHROMIUM as string,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
	})
}

/** describe() when chromium is there; otherwise a skipped test, or a failing one when the browser is required. */
export function describeInBrowser(name: string, body: () => void): void {
	if (CHROMIUM) {
		describe(name, body)
	} else if (process.env.TLAPBOT_REQUIRE_BROWSER === '1') {
		test(`${name} needs chromium (TLAPBOT_REQUIRE_BROWSER=1)`, () => {
			throw new Error('chromium not found: apt-get install chromium, or set CHROMIUM_PATH')
		})
	} else {
		console.log(`${name}: skipped, chromium not found (apt-get install chromium)`)
		test.skip(`${name} (chromium not found)`, () => {})
	}
}
