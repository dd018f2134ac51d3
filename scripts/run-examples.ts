/**
 * Smoke-runs every example under `examples/` with tsx, one after another,
 * against the embedded emulator (NAIS_TOKEN_ENDPOINT is cleared so no example
 * reaches a real endpoint). Fails when any example exits non-zero or hangs.
 */
import { spawnSync } from "node:child_process"
import { readdirSync } from "node:fs"
import { join } from "node:path"

// The Effect 4 line runs its own examples with its directory as the argument.
const directory = process.argv[2] ?? "examples"
const timeoutMs = 60_000
const examples = readdirSync(directory).filter((name) => name.endsWith(".ts")).sort()
const environment = { ...process.env }
delete environment["NAIS_TOKEN_ENDPOINT"]

let failed = 0
for (const example of examples) {
  const started = performance.now()
  const run = spawnSync(process.execPath, ["--import", "tsx", join(directory, example)], {
    env: environment,
    encoding: "utf8",
    timeout: timeoutMs
  })
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  if (run.status === 0) {
    console.log(`ok   ${example} (${seconds} s)`)
  } else {
    failed++
    const why = run.error !== undefined ? run.error.message : `exit ${run.status ?? run.signal}`
    console.log(`FAIL ${example} (${seconds} s): ${why}\n${run.stdout}\n${run.stderr}`)
  }
}
console.log(`examples: ${examples.length - failed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
