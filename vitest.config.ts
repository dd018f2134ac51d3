import { defineConfig } from "vitest/config"
import { projects } from "./vitest.workspace.js"

export default defineConfig({
  // Test files share a worker's module graph: effect and the packages load once per project, not
  // once per file (with isolation, a third of the run was loading). The files keep
  // no global state of their own; each starts its own emulators and runtimes.
  test: { projects, isolate: false }
})
