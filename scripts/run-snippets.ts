/**
 * Runs every ```ts block of the READMEs and guides as written, against the emulator's
 * command (`effect-texas-emulator --api-scope skatt:some.scope --altinn`),
 * with the variables it prints exported: `NAIS_TOKEN_ENDPOINT`, `API_URL`,
 * `ALTINN_PLATFORM_URL`, `ALTINN_API_URL`, ... A block with `it.effect` or
 * `it.live` is a test and runs under vitest; any other runs as a program and
 * must exit 0. Blocks that import `effect/http` belong to the Effect 4 line
 * and run from `effect4/` (`tsx ../scripts/run-snippets.ts` there).
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { startEmulatorCommand } from "./emulator-command.js"
import { runAll } from "./processes.js"

const effect4 = process.cwd().endsWith("effect4")
const repository = resolve(effect4 ? ".." : ".")
const out = resolve(".snippets")
rmSync(out, { recursive: true, force: true })
mkdirSync(out)

// ---- the blocks ----------------------------------------------------------------

const isEffect4Block = (code: string) => /from "effect\/http/.test(code)
const readmes = [
  "README.md",
  ...(effect4 ? [] : readdirSync(join("docs", "guides")).map((name) => join("docs", "guides", name))),
  ...readdirSync("packages").map((name) => join("packages", name, "README.md")).filter((path) => existsSync(path)),
  ...(effect4 ? [join("..", "README.md")] : [])
]
const programs: Array<{ name: string; file: string }> = []
let tests = 0
for (const readme of readmes) {
  const text = readFileSync(readme, "utf8")
  for (const match of text.matchAll(/```ts\n([\s\S]*?)\n```/g)) {
    const code = match[1]!
    if (effect4 !== isEffect4Block(code) && !(effect4 && !readme.startsWith(".."))) continue
    // A guide's copy of a program run-examples runs as a file (scripts/guide-programs.ts keeps it equal).
    if (/<!-- program: \S+ -->\n$/.test(text.slice(0, match.index))) continue
    const line = text.slice(0, match.index).split("\n").length
    const base = `${readme.replace(/^\.\.\//, "root_").replace(/[/.]/g, "_")}_${line}`
    const test = /\bit\.(effect|live|scoped)\(/.test(code)
    writeFileSync(join(out, `${base}${test ? ".test" : ""}.ts`), `// ${readme}:${line}\n${code}\n`)
    if (test) tests++
    else programs.push({ name: `${readme}:${line}`, file: join(out, `${base}.ts`) })
  }
}

// ---- the emulator's command, and what it prints to export ------------------------

const emulator = await startEmulatorCommand(process.execPath, [
  "--import", "tsx", join(repository, "packages/testkit/src/bin.ts"), "--api-scope", "skatt:some.scope", "--altinn"
], repository)
const env = { ...process.env, ...emulator.env }

// ---- run ------------------------------------------------------------------------

let failed = 0
try {
  // The line's tsconfig maps the packages to their sources: no build needed for the programs.
  const programEnv = { ...env, TSX_TSCONFIG_PATH: resolve("tsconfig.json") }
  failed += await runAll(programs.map((program) => ({ ...program, env: programEnv })))
  if (tests > 0) {
    writeFileSync(join(out, "vitest.config.mts"), `export default { test: { include: ["*.test.ts"], testTimeout: 60000 } }\n`)
    const vitest = spawnSync(process.execPath, [resolve("node_modules/vitest/vitest.mjs"), "run", "--config", join(out, "vitest.config.mts"), "--root", out], {
      env,
      encoding: "utf8"
    })
    if (vitest.status === 0) console.log(`ok   ${tests} test block(s) under vitest`)
    else {
      failed++
      console.log(`FAIL the test blocks under vitest\n${vitest.stdout}\n${vitest.stderr}`)
    }
  }
} finally {
  emulator.child.kill("SIGINT")
}
console.log(`snippets: ${programs.length} program(s) and ${tests} test(s) from ${readmes.length} READMEs, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
