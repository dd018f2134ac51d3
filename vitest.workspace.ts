/**
 * The test projects: one per package, the sidecar conformance suite, and the
 * reliability suite. `vitest.config.ts` hands this list to vitest 3.2's
 * `test.projects` (a workspace file read on its own is deprecated there).
 */
import { fileURLToPath } from "node:url"

// Tests import the packages by name; point the names at the sources so tests
// need no build step and always run against the code in the work tree.
const alias = {
  "@effect-texas/emulator/Fault": fileURLToPath(new URL("./packages/emulator/src/Fault.ts", import.meta.url)),
  "@effect-texas/emulator/EmulatorLog": fileURLToPath(new URL("./packages/emulator/src/EmulatorLog.ts", import.meta.url)),
  "@effect-texas/emulator/Command": fileURLToPath(new URL("./packages/emulator/src/Command.ts", import.meta.url)),
  "@effect-texas/emulator": fileURLToPath(new URL("./packages/emulator/src/index.ts", import.meta.url)),
  "@effect-texas/protocol": fileURLToPath(new URL("./packages/protocol/src/index.ts", import.meta.url)),
  "@effect-texas/core/Engine": fileURLToPath(new URL("./packages/core/src/Engine.ts", import.meta.url)),
  "@effect-texas/core": fileURLToPath(new URL("./packages/core/src/index.ts", import.meta.url)),
  "@effect-texas/http-client": fileURLToPath(new URL("./packages/http-client/src/index.ts", import.meta.url)),
  "@effect-texas/http-server": fileURLToPath(new URL("./packages/http-server/src/index.ts", import.meta.url)),
  "@effect-texas/testkit": fileURLToPath(new URL("./packages/testkit/src/index.ts", import.meta.url)),
  "@effect-texas/doctor": fileURLToPath(new URL("./packages/doctor/src/index.ts", import.meta.url)),
  "@effect-texas/cli": fileURLToPath(new URL("./packages/cli/src/index.ts", import.meta.url)),
  "@effect-texas/altinn": fileURLToPath(new URL("./packages/altinn/src/index.ts", import.meta.url))
}

const project = (name: string, include: string, timeout = 20_000) => ({
  resolve: { alias },
  test: { name, include: [include], testTimeout: timeout, hookTimeout: 20_000 }
})

export const projects = [
  project("protocol", "packages/protocol/test/**/*.test.ts"),
  project("emulator", "packages/emulator/test/**/*.test.ts"),
  project("testkit", "packages/testkit/test/**/*.test.ts"),
  project("core", "packages/core/test/**/*.test.ts"),
  project("http-client", "packages/http-client/test/**/*.test.ts"),
  project("http-server", "packages/http-server/test/**/*.test.ts"),
  project("doctor", "packages/doctor/test/**/*.test.ts"),
  project("cli", "packages/cli/test/**/*.test.ts"),
  project("altinn", "packages/altinn/test/**/*.test.ts"),
  project("conformance", "conformance/**/*.test.ts"),
  project("reliability", "reliability/**/*.test.ts", 60_000),
  project("release", "scripts/**/*.test.ts", 60_000),
  // The behaviour suite, written once for both lines; this line runs it through its own driver
  // (effect4/vitest.config.ts runs the same files through the Effect 4 driver).
  {
    resolve: { alias: { ...alias, "#driver": fileURLToPath(new URL("./behaviour/drivers/effect3.ts", import.meta.url)) } },
    test: { name: "behaviour", include: ["behaviour/**/*.test.ts"], globals: true, testTimeout: 60_000, hookTimeout: 20_000 }
  }
]

export default projects
