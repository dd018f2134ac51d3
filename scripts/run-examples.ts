/**
 * Smoke-runs every example under `examples/` with tsx, two at a time,
 * against the embedded emulator (the sidecar's variables are cleared so no example
 * reaches a real endpoint). Fails when any example exits non-zero or hangs,
 * or prints other than what a guide shows it printing (`guide-outputs.ts`);
 * a guide's run against the emulator command runs here too.
 */
import type { ChildProcess } from "node:child_process"
import { readdirSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { startEmulatorCommand } from "./emulator-command.js"
import { compare, type Expected, expectedOutputs } from "./guide-outputs.js"
import { type Job, runAll } from "./processes.js"

// The Effect 4 line runs its own examples with its directory as the argument.
const directory = resolve(process.argv[2] ?? "examples")
const examples = readdirSync(directory).filter((name) => name.endsWith(".ts")).sort()
const environment = { ...process.env }
// The sidecar's variables of the shell are not the examples': each runs against its own emulator
// (one that finds NAIS_TOKEN_INTROSPECTION_ENDPOINT, local-api.ts, would serve until stopped).
for (const name of ["NAIS_TOKEN_ENDPOINT", "NAIS_TOKEN_EXCHANGE_ENDPOINT", "NAIS_TOKEN_INTROSPECTION_ENDPOINT"]) delete environment[name]
const outputs = expectedOutputs()

const checkAll = (expected: ReadonlyArray<Expected>) => (output: string) => {
  for (const block of expected) {
    const wrong = compare(block.lines, output)
    if (wrong !== undefined) return `${block.guide}: ${wrong}`
  }
  return undefined
}

const jobs: Array<Job> = examples.map((example) => {
  const file = join(directory, example)
  const expected = (outputs.get(file) ?? []).filter((block) => block.emulator === undefined)
  return { name: example, file, env: environment, check: checkAll(expected) }
})
const emulators: Array<ChildProcess> = []
for (const example of examples) {
  const file = join(directory, example)
  for (const block of (outputs.get(file) ?? []).filter((block) => block.emulator !== undefined)) {
    const bin = join(dirname(directory), "packages", "testkit", "src", "bin.ts")
    const emulator = await startEmulatorCommand(process.execPath, ["--import", "tsx", bin, ...block.emulator!], dirname(directory))
    emulators.push(emulator.child)
    jobs.push({ name: `${example} against effect-texas-emulator ${block.emulator!.join(" ")}`, file, env: { ...environment, ...emulator.env }, check: checkAll([block]) })
  }
}

const failed = await runAll(jobs)
for (const child of emulators) child.kill()
console.log(`examples: ${jobs.length - failed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
