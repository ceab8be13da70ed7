/** @jsxImportSource @kitajs/html */
import type { PropsWithChildren } from '@kitajs/html'

// The page shell: no external resources at all, so the dashboard works with no internet.
export function Layout({ title, children }: PropsWithChildren<{ title: string }>): JSX.Element {
	return (
		<html lang="en">
			<head>
				<meta charset="utf-8" />
				<meta name="viewport" content="width=device-width, initial-scale=1" />
				<meta name="color-scheme" content="light dark" />
				<link rel="icon" href="data:," />
				<title safe>{title}</title>
				<link rel="stylesheet" href="/dashboard/assets/style.css" />
				<script src="/dashboard/assets/dashboard.js" defer></script>
			</head>
			<body>{children}</body>
		</html>
	)
}
