/**
 * The documentation site, one for both lines (`npm run docs`, in `npm test`): the guides checked
 * against the programs CI runs, each line's API reference (and the shared packages') read by
 * typedoc into JSON and checked, then merged into one site at `docs/api` with the guides, and that
 * site checked as a reader finds it. The Effect 4 line's reference needs its own install
 * (`effect4/node_modules`): this runs `npm ci` there first when it is missing.
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { join, resolve } from "node:path"

const repository = resolve(import.meta.dirname, "..")
const effect4 = join(repository, "effect4")
const typedoc = join(repository, "node_modules", ".bin", "typedoc")
const tsx = join(repository, "node_modules", ".bin", "tsx")

const step = (what: string, command: string, args: ReadonlyArray<string>, cwd = repository) => {
  const started = performance.now()
  const ran = spawnSync(command, args, { cwd, stdio: "inherit" })
  if (ran.status !== 0) {
    console.log(`FAIL ${what}`)
    process.exit(1)
  }
  console.log(`ok   ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
}

step("guides: each program as CI runs it, both lines' install blocks", tsx, ["scripts/guide-programs.ts"])
if (!existsSync(join(effect4, "node_modules"))) step("the Effect 4 line's install, for its types", "npm", ["ci", "--no-audit", "--no-fund"], effect4)
step("the Effect 3 line's reference", typedoc, ["--options", "typedoc.json"])
step("the shared packages' reference", typedoc, ["--options", "typedoc.shared.json"])
step("the Effect 4 line's reference", typedoc, ["--options", "typedoc.json"], effect4)
for (const json of ["api-effect3.json", "api-shared.json", "api-effect4.json"]) {
  step(`every export documented, with an example (${json})`, tsx, ["scripts/check-docs.ts", join("docs", json)])
}
step("both lines offer the same names, but for the deliberate differences", tsx, ["scripts/check-parity.ts"])
step("one site: both lines, the shared packages, the guides", typedoc, ["--options", "typedoc.site.json"])
step("the site as a reader finds it", tsx, ["scripts/check-site.ts"])
step("every example in the docs type-checks (Effect 3 line and shared)", tsx, ["scripts/check-doc-examples.ts"])
step("every example in the docs type-checks (Effect 4 line)", tsx, [join("..", "scripts", "check-doc-examples.ts")], effect4)
