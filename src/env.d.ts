// Text and file imports that Bun embeds in the compiled binary.
declare module '*.sql' {
	const text: string
	export default text
}
declare module '*.css' {
	const path: string
	export default path
}
declare module '*.js' {
	const path: string
	export default path
}
