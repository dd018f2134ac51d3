/**
 * The tests Stryker runs against each mutant of the shared rules: the packages' own tests, the
 * sidecar conformance suite, and the behaviour suite through the Effect 3 driver (the rules'
 * users-facing effects are pinned there). Slow, fault-injecting and process-spawning cases stay
 * out: they add minutes per mutant and pin no rule the others do not.
 */
import { defineConfig } from "vitest/config"
import { projects } from "../vitest.workspace.js"

const kept = new Set((process.env["MUTATION_PROJECTS"] ?? "protocol,emulator,doctor,conformance").split(","))
// (sidecar-cache holds the 15 s refresh-ahead case.) The doc-examples check stays out too: it
// imports the rules inside its tests, so Stryker credits it alone with a module's top-level values
// (evaluated once, on that import) and then cannot switch them in a module already loaded: every
// such mutant would "survive" it. Without it they are static mutants, which the config ignores.
const slow = ["behaviour/restarts.test.ts", "behaviour/run-main.test.ts", "behaviour/sidecar-cache.test.ts", "packages/protocol/test/DocExamples.test.ts"]

export default defineConfig({
  test: {
    projects: projects
      .filter((project) => kept.has(project.test.name))
      .map((project) => ({ ...project, test: { ...project.test, exclude: slow.map((file) => `../${file}`).concat(slow) } })),
    isolate: false
  }
})
