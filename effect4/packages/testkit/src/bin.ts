#!/usr/bin/env node
/**
 * `effect-texas-emulator`: the Texas emulator command of `@effect-texas/emulator`.
 *
 * @since 1.0.0
 */
import { runCommand } from "@effect-texas/emulator/Command"

runCommand(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
