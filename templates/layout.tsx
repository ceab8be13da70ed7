/** @jsxImportSource @kitajs/html */
import type { PropsWithChildren } from '@kitajs/html'

type LayoutProps = {
	title: string
	/** Extra stylesheets after the shared one. */
	stylesheets?: string[]
	/** The dashboard's script (times, live updates); the admin page has none. */
	script?: boolean
	/** More scripts after the dashboard's (the Redeems tab's store.js). */
	scripts?: string[]
	/** Keep search engines out (the admin page). */
	noindex?: boolean
	bodyClass?: string
}

// The page shell: no external resources at all, so the pages work with no internet.
export function Layout({ title, stylesheets = [], script = true, scripts = [], noindex = false, bodyClass, children }: PropsWithChildren<LayoutProps>): JSX.Element {
	return (
		<html lang="en">
			<head>
				<meta charset="utf-8" />
				<meta name="viewport" content="width=device-width, initial-scale=1" />
				<meta name="color-scheme" content="light dark" />
				{noindex ? <meta name="robots" content="noindex, nofollow" /> : ''}
				<link rel="icon" href="data:," />
				<title safe>{title}</title>
				<link rel="stylesheet" href="/dashboard/assets/style.css" />
				{stylesheets.map((href) => (
					<link rel="stylesheet" href={href} />
				))}
				{script ? <script src="/dashboard/assets/dashboard.js" defer></script> : ''}
				{scripts.map((src) => (
					<script src={src} defer></script>
				))}
			</head>
			<body class={bodyClass}>{children}</body>
		</html>
	)
}
