/// <reference types="vitest/globals" />
/**
 * The SDK's defaults against the sidecar's own timing, on each line. The
 * sidecar retries the identity provider up to 4 times, 2 s each (nais/texas
 * `src/http/client.rs`, `Config::token`), so a slow provider can take it
 * about 8 s to answer; it opens no port until its providers' keys are loaded
 * (`src/http/server.rs`), so an application started with it sees refused
 * connections for a while. Real time, real loopback: each case runs in its
 * own emulator, concurrently.
 */
import { Fault, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import type * as D from "./Driver.js"
import { driver, failure, servicesFor, success } from "./setup.js"

const skatt: D.TokenRequestView = { identityProvider: "maskinporten", target: "skatt:some.scope" }

/** Runs `body` against a fresh emulator and the line's services with `options`, then closes both. */
const withEmulator = async (
  emulatorOptions: Parameters<typeof startTexasEmulator>[0],
  options: Omit<D.ServicesOptions, "texasUrl">,
  body: (emulator: TexasEmulatorHandle, services: D.Services) => Promise<void>
) => {
  const emulator = await startTexasEmulator(emulatorOptions)
  const services = await servicesFor(emulator, options)
  try {
    await body(emulator, services)
  } finally {
    await services.close()
    await emulator.close()
  }
}

const tokenRequests = (emulator: TexasEmulatorHandle) => emulator.requests().filter((request) => request.path === "/api/v1/token")

describe.concurrent(`the sidecar's timing (${driver.line})`, () => {
  it("a provider that keeps the sidecar 7 s costs one sidecar request with the defaults, not two", () =>
    withEmulator({}, { quickRetries: false }, async (emulator, services) => {
      emulator.inject(Fault.slowProvider("7 seconds"))
      const started = Date.now()
      success(await services.token(skatt).run())
      expect(Date.now() - started).toBeGreaterThanOrEqual(6900)
      expect(tokenRequests(emulator).map((request) => request.answer)).toEqual([200])
      expect(emulator.stats().tokenRequests).toBe(1)
    }), 20_000)

  it("the old 5 s attempt timeout abandoned that request while the sidecar was still retrying, and asked again", () =>
    withEmulator({}, { quickRetries: false, attemptTimeout: "5 seconds" }, async (emulator, services) => {
      emulator.inject(Fault.slowProvider("7 seconds"))
      success(await services.token(skatt).run())
      // Counted on arrival: the first request is still at the sidecar when the second is answered.
      expect(emulator.stats().tokenRequests).toBe(2)
    }), 20_000)

  it("a sidecar that refuses connections for 3 s, then serves, gives the first caller a token, without an error", () =>
    withEmulator({ startupDelay: "3 seconds" }, { quickRetries: false }, async (emulator, services) => {
      const started = Date.now()
      const issued = success(await services.token(skatt).run())
      expect(Date.now() - started).toBeGreaterThanOrEqual(2900)
      expect(emulator.issuedTokens()).toContain(issued.token)
      expect(tokenRequests(emulator)).toHaveLength(1)
    }), 20_000)

  it("a sidecar that restarts is waited for the same way, and the retry budget is left whole for real failures", () =>
    withEmulator({}, { quickRetries: false }, async (emulator, services) => {
      success(await services.token(skatt).run())
      await emulator.restart("2 seconds")
      success(await services.token({ ...skatt, skipCache: true }).run())
      // Refused connections drew nothing from the budget: a lone 503 right after is still retried.
      emulator.inject(Fault.status(503))
      success(await services.token({ ...skatt, skipCache: true }).run())
      expect(tokenRequests(emulator).map((request) => request.answer)).toEqual([200, 200, 503, 200])
    }), 20_000)

  it("a provider failing every attempt: its JSON 503 comes back through the sidecar as the SDK's typed error, a non-JSON one as 500", () =>
    withEmulator({}, { quickRetries: true }, async (emulator, services) => {
      emulator.inject(Fault.providerError(503), 4)
      expect(failure(await services.token(skatt).run())).toMatchObject({ _tag: "TokenEndpointError", fields: { status: 503, error: "temporarily_unavailable" } })
      emulator.inject(Fault.providerError(502, { json: false }), 4)
      expect(failure(await services.token({ ...skatt, skipCache: true }).run())).toMatchObject({ _tag: "TokenEndpointError", fields: { status: 500, error: "server_error" } })
    }))
})
