/**
 * The Effect 4 line's tests on Node 22 (`npm run test:node22`, in `npm test`): vitest runs
 * `effect4/` under the Node 22 binary of `node-binary.ts` (its workers and every process a test
 * spawns use the same binary: `process.execPath`).
 */
import { spawnSync } from "node:child_process"
import { delimiter, dirname, join, resolve } from "node:path"
import { node22 } from "./node-binary.js"

const effect4 = resolve(import.meta.dirname, "..", "effect4")
const node = node22()
// `node` by name is this binary too, for anything that spawns it so.
const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env["PATH"] ?? ""}` }
const ran = spawnSync(node, ["--version"], { stdio: "inherit" }).status === 0
  ? spawnSync(node, [join("node_modules", "vitest", "vitest.mjs"), "run"], { cwd: effect4, stdio: "inherit", env })
  : { status: 1 }
process.exit(ran.status ?? 1)
