import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

// Tests import the packages by name; point the names at the sources so tests
// need no build step and always run against the code in the work tree.
const alias = {
  "@effect-texas/core": fileURLToPath(new URL("./packages/core/src/index.ts", import.meta.url)),
  "@effect-texas/http-client": fileURLToPath(new URL("./packages/http-client/src/index.ts", import.meta.url)),
  "@effect-texas/http-server": fileURLToPath(new URL("./packages/http-server/src/index.ts", import.meta.url)),
  "@effect-texas/testkit": fileURLToPath(new URL("./packages/testkit/src/index.ts", import.meta.url))
}

const project = (name: string) => ({
  resolve: { alias },
  test: {
    name,
    include: [`packages/${name}/test/**/*.test.ts`],
    testTimeout: 20_000,
    hookTimeout: 20_000
  }
})

export default defineConfig({
  test: {
    projects: [
      project("testkit"),
      project("core"),
      project("http-client"),
      project("http-server"),
      {
        resolve: { alias },
        test: { name: "conformance", include: ["conformance/**/*.test.ts"], testTimeout: 20_000, hookTimeout: 20_000 }
      },
      {
        resolve: { alias },
        test: { name: "reliability", include: ["reliability/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 20_000 }
      }
    ]
  }
})
