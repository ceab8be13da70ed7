// Browser tests run in Debian's chromium, driven by playwright-core. Without chromium they are skipped, unless
// TLAPBOT_REQUIRE_BROWSER=1 (set by .ci/run) makes that a failure.
import { describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { chromium, type Browser, type Frame, type Page } from 'playwright-core'

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

/** axe-core from node_modules; missing, the checks are skipped, or fail where the browser tests are required. */
export const AXE_SOURCE = (() => {
	try {
		return readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
	} catch {
		return undefined
	}
})()

type AxeResult = { violations: { id: string; help: string; nodes: { target: string[] }[] }[] }

/** WCAG 2.1 A and AA rules of axe-core on a frame's document (the page's own by default), in light and dark. */
export async function expectAccessible(page: Page, what: string, frame: Frame = page.mainFrame()) {
	if (!AXE_SOURCE) {
		if (process.env.TLAPBOT_REQUIRE_BROWSER === '1') throw new Error('axe-core is not installed: npm install --save-dev axe-core')
		console.log(`${what}: accessibility check skipped, axe-core not installed`)
		return
	}
	for (const colorScheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme })
		if (!(await frame.evaluate(() => 'axe' in window))) await frame.evaluate(AXE_SOURCE)
		const result = (await frame.evaluate(() =>
			(window as unknown as { axe: { run(context: Document, options: unknown): Promise<unknown> } }).axe.run(document, {
				runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
				resultTypes: ['violations']
			})
		)) as AxeResult
		const violations = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)
		expect({ what, colorScheme, violations }).toEqual({ what, colorScheme, violations: [] })
	}
	await page.emulateMedia({ colorScheme: 'light' })
}
