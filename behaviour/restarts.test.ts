/// <reference types="vitest/globals" />
/**
 * A sidecar that restarts under load: its pod's container restarts, the requests in flight are
 * reset, and for a while nothing listens (the sidecar opens no port until its providers' keys are
 * loaded: nais/texas `src/main.rs`, `src/http/server.rs`). Those are the sidecar being away, not
 * failing: they draw nothing from the retry budget, so every caller whose overall timeout outlasts
 * the restart gets its token. Error answers still do (the budget's figure: reliability/faults.test.ts).
 */
import { Fault, startTexasEmulator } from "@effect-texas/emulator"
import type * as D from "./Driver.js"
import { driver, servicesFor } from "./setup.js"

const scopes = Array.from({ length: 20 }, (_, i) => `skatt:scope.${i}`)

describe(`a sidecar restart under load (${driver.line})`, () => {
  it("50 concurrent callers over 20 keys through a restart of 2 s (in-flight requests reset, then refused): none fails", async () => {
    const emulator = await startTexasEmulator({ grantedScopes: scopes })
    const services = await servicesFor(emulator)
    try {
      // Every answer takes 300 ms, so that the restart finds requests in flight.
      emulator.injectRandomly(Fault.slowProvider("300 millis"), 1)
      const until = Date.now() + 4_000
      const outcomes: Array<D.Outcome<D.TokenView>> = []
      let longest = 0
      const caller = async (index: number) => {
        while (Date.now() < until) {
          const started = Date.now()
          outcomes.push(await services.token({ identityProvider: "maskinporten", target: scopes[index % scopes.length]!, skipCache: true }).run())
          longest = Math.max(longest, Date.now() - started)
        }
      }
      const callers = Promise.all(Array.from({ length: 50 }, (_, index) => caller(index)))
      await new Promise((wait) => setTimeout(wait, 1_000))
      await emulator.restart("2 seconds")
      await callers
      expect(outcomes.length).toBeGreaterThanOrEqual(50)
      expect(outcomes.filter((outcome) => outcome._tag !== "Success").map((outcome) => JSON.stringify(outcome).slice(0, 600))).toEqual([])
      // Callers rode the restart out: some waited through the 2 s of refused connections.
      expect(longest).toBeGreaterThanOrEqual(1_900)
    } finally {
      emulator.injectRandomly(Fault.slowProvider("300 millis"), 0)
      await services.close()
      await emulator.close()
    }
  }, 30_000)
})
