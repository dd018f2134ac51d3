#!/usr/bin/env node
/**
 * `effect-texas-emulator`: runs the Texas emulator (and optionally the
 * protected API and Altinn's exchange) until interrupted, printing the
 * variables to export. The command itself lives in `@effect-texas/emulator`.
 *
 * @since 0.1.0
 */
import { runCommand } from "@effect-texas/emulator/Command"

runCommand(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
