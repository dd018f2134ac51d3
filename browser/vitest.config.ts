/**
 * The browser tests (`npm run test:browser`): the emulator's page in Debian's Chromium, driven by
 * playwright-core, against the emulator command and an example API run as a developer runs them.
 * Kept out of `vitest run` (the unit tests): they need Chromium, which `scripts/chromium.ts`
 * installs first, and the Effect 4 line's installed packages (`npm test` runs them after
 * `test:effect4`).
 */
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: { name: "browser", include: ["browser/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 60_000 }
})
