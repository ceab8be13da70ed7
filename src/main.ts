#!/usr/bin/env -S bun --no-env-file
// The tlapbot command. The only entry point, for `bun src/main.ts` and for the compiled binary.
import { runCli } from './cli/run.ts'

process.exitCode = await runCli(process.argv.slice(2))
