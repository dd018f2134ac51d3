// Mutation testing of the Effect-free rules (`npm run mutation`, see CONTRIBUTING.md): Stryker
// changes the code of the shared packages one small mistake at a time and runs the tests that
// cover it; a mutant no test notices is a mistake users could suffer from unnoticed.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "vitest",
  // related: false: the tests import the packages by name (aliases), which vitest's related-file search does not follow.
  vitest: { configFile: "mutation/vitest.config.ts", related: false },
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.mutation.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: "perTest",
  mutate: [
    "packages/protocol/src/**/*.ts",
    "!packages/protocol/src/index.ts",
    "packages/emulator/src/internal/{sidecarCache,sidecar,providers,fields,protocol,jwt}.ts",
    "packages/doctor/src/{Checkup,Plan}.ts",
    "packages/doctor/src/internal/hints.ts"
  ],
  ignorePatterns: ["effect4/docs/api", "effect4/packages/*/dist", "packages/*/dist", "docs/api", "docs/api-*.json", "bench", "reports", ".doc-examples", ".snippets", "soak-report"],
  ignoreStatic: true,
  reporters: ["html", "json", "clear-text", "progress"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  incrementalFile: "reports/mutation/incremental.json",
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  concurrency: 2,
  timeoutMS: 30_000,
  thresholds: { high: 90, low: 85, break: null }
}
