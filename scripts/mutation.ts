/**
 * `npm run mutation`: Stryker over the Effect-free rules (`stryker.config.mjs`), then the score per
 * package from its JSON report, against the floors the project holds itself to. Stryker 10 needs
 * Node 22, so it runs on the Node 22 binary the project already uses (`scripts/node-binary.ts`).
 *
 *   npm run mutation                      every rule, from scratch (about 40 minutes on 2 cores)
 *   npm run mutation -- --incremental     only what changed since the last run's report
 *   npm run mutation -- --incremental --force   every mutant, and a fresh base for later incremental runs
 *   npm run mutation -- --mutate <glob>   one file or folder, e.g. packages/protocol/src/Origins.ts
 *
 * The HTML report is `reports/mutation/index.html`. Survivors that are equivalent (no behaviour
 * changes) are listed with their reasons in `mutation/equivalent.md`.
 */
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { node22 } from "./node-binary.js"

const { values } = parseArgs({
  options: { incremental: { type: "boolean", default: false }, force: { type: "boolean", default: false }, mutate: { type: "string" } },
  allowPositionals: false
})

/** The floors: the share of mutants killed (or timed out) among those the tests cover or could. */
const floors: ReadonlyArray<{ readonly name: string; readonly prefix: string; readonly floor: number }> = [
  { name: "protocol", prefix: "packages/protocol/", floor: 90 },
  { name: "emulator rules", prefix: "packages/emulator/", floor: 85 },
  { name: "doctor", prefix: "packages/doctor/", floor: 85 }
]

const report = "reports/mutation/mutation.json"
const args = ["node_modules/@stryker-mutator/core/bin/stryker.js", "run", "stryker.config.mjs"]
if (values.incremental) args.push("--incremental")
// With --incremental: run every mutant anyway, and write the file the next incremental run starts from.
if (values.force) args.push("--force")
if (values.mutate !== undefined) args.push("--mutate", values.mutate)
const run = spawnSync(node22(), args, { stdio: "inherit" })
if (run.status !== 0 || !existsSync(report)) {
  console.error(`Stryker did not finish (exit ${run.status})`)
  process.exit(1)
}

interface Mutant {
  readonly status: string
}
const files = (JSON.parse(readFileSync(report, "utf8")) as { readonly files: Record<string, { readonly mutants: ReadonlyArray<Mutant> }> }).files

const detected = new Set(["Killed", "Timeout"])
const counted = new Set(["Killed", "Timeout", "Survived", "NoCoverage"])
let failed = false
console.log("\nmutation score per package (killed or timed out / killed, timed out, survived or not covered):")
for (const { floor, name, prefix } of floors) {
  const mutants = Object.entries(files).filter(([path]) => path.startsWith(prefix)).flatMap(([, file]) => file.mutants)
  const relevant = mutants.filter((mutant) => counted.has(mutant.status))
  if (relevant.length === 0) {
    console.log(`  ${name}: not run`)
    continue
  }
  const score = (100 * relevant.filter((mutant) => detected.has(mutant.status)).length) / relevant.length
  const survivors = relevant.length - relevant.filter((mutant) => detected.has(mutant.status)).length
  const met = score >= floor
  failed ||= !met && values.mutate === undefined
  console.log(`  ${met ? "ok  " : "LOW "} ${name}: ${score.toFixed(1)}% of ${relevant.length} (floor ${floor}%; ${survivors} survived or uncovered)`)
}
console.log("report: reports/mutation/index.html")
process.exit(failed ? 1 : 0)
