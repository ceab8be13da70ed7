#!/usr/bin/env -S bun --no-env-file
// The tlapbot command. The only entry point, for `bun src/main.ts` and for the compiled binary.
import { runCli } from './cli/run.ts'

// Exit explicitly: a stray timer or socket (an Owncast request still timing out) must not hold the process open.
process.exit(await runCli(process.argv.slice(2)))
