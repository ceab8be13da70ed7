// Release guard, run by .github/workflows/release.yml: a release tag must be "v" + package.json's version,
// and the built binaries must print that version.
//   bun scripts/release-check.ts v0.2.0                            -> exit 0, or exit 1 saying what differs
//   bun scripts/release-check.ts v0.2.0 dist/tlapbot-linux-x64     -> also runs each binary with --version
// Without a tag argument it reads GITHUB_REF_NAME (the pushed tag in a tag-triggered workflow).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const inActions = process.env.GITHUB_ACTIONS === 'true'

function fail(title: string, message: string, code = 1): never {
	// In GitHub Actions an ::error:: line also shows as an annotation on the run's summary page.
	if (inActions) console.log(`::error title=${title}::${message.replaceAll('%', '%25').replaceAll('\n', '%0A')}`)
	console.error(`release-check: ${title}\n${message}`)
	process.exit(code)
}

function readVersion(file: string): string | undefined {
	const json = JSON.parse(readFileSync(join(root, file), 'utf8')) as { version?: unknown }
	return typeof json.version === 'string' ? json.version : undefined
}

const [tagArg, ...binaries] = process.argv.slice(2)
if (tagArg === undefined && process.env.GITHUB_REF_TYPE !== undefined && process.env.GITHUB_REF_TYPE !== 'tag') {
	fail('not a tag', `This run was started by a ${process.env.GITHUB_REF_TYPE}, not a tag; releases are made from v* tags only.`, 2)
}
const tag = (tagArg ?? process.env.GITHUB_REF_NAME ?? '').replace(/^refs\/tags\//, '')
if (!tag) fail('no tag', 'usage: bun scripts/release-check.ts <tag, e.g. v1.2.3> [binary ...]  (or set GITHUB_REF_NAME)', 2)

const version = readVersion('package.json')
if (!version) fail('no version', 'package.json has no "version" string.')

if (!tag.startsWith('v')) {
	fail('tag without v', `Tag "${tag}" does not start with "v"; release tags are "v" + package.json's version (here: v${version}).`)
}
const tagVersion = tag.slice(1)
if (tagVersion !== version) {
	fail(
		'tag does not match package.json',
		[
			`Tag ${tag} says version ${tagVersion}, but package.json says ${version}. No release was made.`,
			`To release ${tagVersion}: set it in package.json and package-lock.json (npm version ${tagVersion} --no-git-tag-version),`,
			`commit, then move the tag to that commit: git tag -f ${tag} && git push -f origin ${tag}.`,
			`If the tag is the mistake, delete it (git push --delete origin ${tag}) and push v${version} instead.`
		].join('\n')
	)
}

// npm keeps a copy of the version in package-lock.json; a stale copy does not change the binaries, so only warn.
const lockVersion = readVersion('package-lock.json')
if (lockVersion !== version) {
	const message = `package-lock.json says version ${lockVersion ?? '(none)'}, package.json says ${version}; run npm install to update the lock file.`
	if (inActions) console.log(`::warning title=package-lock.json version::${message}`)
	console.warn(`release-check: warning: ${message}`)
}

// The binaries get their version from package.json at build time (src/version.ts imports it); check what they print.
for (const binary of binaries) {
	const run = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000 })
	if (run.error) fail('binary did not run', `${binary} --version: ${run.error.message}`)
	const printed = run.stdout.trim()
	if (run.status !== 0 || printed !== version) {
		fail('binary version differs', `${binary} --version printed "${printed}" (exit ${run.status}), expected "${version}".\n${run.stderr.trim()}`)
	}
	console.log(`release-check: ${binary} --version prints ${printed}`)
}

console.log(`release-check: tag ${tag} matches package.json version ${version}`)
