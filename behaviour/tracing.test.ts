/// <reference types="vitest/globals" />
/**
 * The sidecar continues the application's trace: it extracts the W3C `traceparent` header of each
 * request and makes its own spans children of it (nais/texas `src/http/router.rs`: the global
 * propagator's `extract` on the request headers, set as the request span's parent). So each of
 * the SDK's requests to it carries one, from the SDK's span for the call.
 */
import { startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import type * as D from "./Driver.js"
import { driver, servicesFor, success } from "./setup.js"

let emulator: TexasEmulatorHandle
let services: D.Services
beforeAll(async () => {
  emulator = await startTexasEmulator()
  services = await servicesFor(emulator)
})
afterAll(async () => {
  await services.close()
  await emulator.close()
})

const traceparent = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-0[0-9a-f]$/

describe(`the trace reaches the sidecar (${driver.line})`, () => {
  it("token, exchange and introspection requests each carry a W3C traceparent, one trace per call", async () => {
    success(await services.token({ identityProvider: "maskinporten", target: "skatt:some.scope" }).run())
    const user = await emulator.issueUserToken({ provider: "tokenx" })
    success(await services.exchange({ identityProvider: "tokenx", target: "dev-gcp:team:other", userToken: user }).run())
    success(await services.introspect("tokenx", user).run())
    const seen = emulator.requests().filter((request) => request.path.startsWith("/api/v1/"))
    expect(seen.map((request) => request.path)).toEqual(["/api/v1/token", "/api/v1/token/exchange", "/api/v1/introspect"])
    for (const request of seen) expect(request.traceparent).toMatch(traceparent)
    // Three calls, three traces: each call is a root span of its own here.
    expect(new Set(seen.map((request) => request.traceparent?.split("-")[1])).size).toBe(3)
  })
})
