/**
 * Smoke-runs every example under `examples/` with tsx, two at a time,
 * against the embedded emulator (NAIS_TOKEN_ENDPOINT is cleared so no example
 * reaches a real endpoint). Fails when any example exits non-zero or hangs.
 */
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { runAll } from "./processes.js"

// The Effect 4 line runs its own examples with its directory as the argument.
const directory = process.argv[2] ?? "examples"
const examples = readdirSync(directory).filter((name) => name.endsWith(".ts")).sort()
const environment = { ...process.env }
delete environment["NAIS_TOKEN_ENDPOINT"]

const failed = await runAll(examples.map((example) => ({ name: example, file: join(directory, example), env: environment })))
console.log(`examples: ${examples.length - failed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
