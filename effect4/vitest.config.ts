/**
 * The Effect 4 line's test projects, one per package; the packages (and the
 * shared Effect-free ones) are mapped to their sources.
 */
import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

// vitest 5 is built for Node 22; on Node 20 (this project's floor) its error report calls
// Map.groupBy, which Node 20 lacks. Give it the standard one.
const MapWithGroupBy = Map as unknown as { groupBy?: unknown }
if (typeof MapWithGroupBy.groupBy !== "function") {
  MapWithGroupBy.groupBy = <K, V>(items: Iterable<V>, keyOf: (item: V, index: number) => K): Map<K, Array<V>> => {
    const groups = new Map<K, Array<V>>()
    let index = 0
    for (const item of items) {
      const key = keyOf(item, index++)
      const group = groups.get(key)
      if (group === undefined) groups.set(key, [item])
      else group.push(item)
    }
    return groups
  }
}

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

const alias = {
  "@effect-texas/protocol": source("../packages/protocol/src/index.ts"),
  "@effect-texas/emulator/Fault": source("../packages/emulator/src/Fault.ts"),
  "@effect-texas/emulator": source("../packages/emulator/src/index.ts"),
  "@effect-texas/core/Engine": source("./packages/core/src/Engine.ts"),
  "@effect-texas/core": source("./packages/core/src/index.ts"),
  "@effect-texas/http-client": source("./packages/http-client/src/index.ts"),
  "@effect-texas/http-server": source("./packages/http-server/src/index.ts"),
  "@effect-texas/testkit": source("./packages/testkit/src/index.ts"),
  "@effect-texas/altinn": source("./packages/altinn/src/index.ts"),
  "@effect-texas/doctor": source("../packages/doctor/src/index.ts"),
  "@effect-texas/cli": source("./packages/cli/src/index.ts")
}

const project = (name: string) => ({
  resolve: { alias },
  test: { name, include: [`packages/${name}/test/**/*.test.ts`], testTimeout: 20_000, hookTimeout: 20_000 }
})

// The behaviour suite: the cases in ../behaviour, written once, run here through this line's driver.
const behaviour = {
  resolve: { alias: { ...alias, "#driver": source("./behaviour/driver.ts") } },
  test: {
    name: "behaviour",
    dir: source("../behaviour"),
    include: ["**/*.test.ts"],
    globals: true,
    testTimeout: 60_000,
    hookTimeout: 20_000
  }
}

export default defineConfig({
  // Files share a worker's module graph (as at the root): effect loads once per project, not per file.
  test: { isolate: false, projects: [project("core"), project("testkit"), project("http-client"), project("http-server"), project("altinn"), project("cli"), behaviour] }
})
