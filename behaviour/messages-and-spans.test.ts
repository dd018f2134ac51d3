/// <reference types="vitest/globals" />
/**
 * Both lines say the same: every token error's message is `@effect-texas/protocol`'s `Messages`
 * for its fields, and every call to the sidecar makes the span `Spans` names, with its attributes
 * (`texas.*`) and no more. A trace or a log line reads alike whichever line an application runs.
 */
import { createServer } from "node:net"
import { Fault, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import { Messages, Spans } from "@effect-texas/protocol"
import type * as D from "./Driver.js"
import { driver, failure, servicesFor, success } from "./setup.js"

let emulator: TexasEmulatorHandle
let services: D.Services
beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: ["skatt:some.scope"] })
  services = await servicesFor(emulator, { quickRetries: true, recordSpans: true })
})
afterAll(async () => {
  await services.close()
  await emulator.close()
})
beforeEach(() => emulator.reset())

/** The `texas.*` attributes of the last span named `name` these services made. */
const lastSpan = (name: string) => {
  const found = services.spans().filter((span) => span.name === name).at(-1)
  if (found === undefined) throw new Error(`no ${name} span among ${services.spans().map((span) => span.name).join(", ")}`)
  return Object.fromEntries(Object.entries(found.attributes).filter(([key]) => key.startsWith("texas.")))
}

/** A loopback port nothing listens on. */
const closedPort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => done(typeof address === "object" && address !== null ? address.port : 1))
    })
  })

describe(`error messages, written once (${driver.line})`, () => {
  it("TokenEndpointError says Messages.tokenEndpointError, for invalid_scope and for a plain status", async () => {
    const refused = failure(await services.token({ identityProvider: "maskinporten", target: "skatt:not.granted" }).run())
    expect(refused._tag).toBe("TokenEndpointError")
    expect(refused.message).toBe(Messages.tokenEndpointError(refused.fields as Parameters<typeof Messages.tokenEndpointError>[0]))
    expect(refused.message).toContain("spec.maskinporten.scopes.consumes")
    emulator.inject(Fault.status(400))
    const plain = failure(await services.token({ identityProvider: "maskinporten", target: "skatt:some.scope" }).run())
    expect(plain.message).toBe(Messages.tokenEndpointError(plain.fields as Parameters<typeof Messages.tokenEndpointError>[0]))
    expect(plain.message).toMatch(/^The token endpoint answered 400 \S+: /)
  })

  it("InvalidTokenRequest says Messages.invalidTokenRequest", async () => {
    const invalid = failure(await services.token({ identityProvider: "maskinporten", target: "" }).run())
    expect(invalid._tag).toBe("InvalidTokenRequest")
    expect(invalid.message).toBe(Messages.invalidTokenRequest(invalid.fields as { field: string; reason: string }))
    expect(invalid.message).toMatch(/^Invalid token request: target: /)
  })

  it("InvalidTokenResponse says Messages.invalidTokenResponse", async () => {
    emulator.inject(Fault.nonJson)
    const bad = failure(await services.token({ identityProvider: "maskinporten", target: "skatt:some.scope" }).run())
    expect(bad._tag).toBe("InvalidTokenResponse")
    expect(bad.message).toBe(Messages.invalidTokenResponse(bad.fields as { endpoint: string; status: number; reason: string }))
    expect(bad.message).toContain(`${emulator.url}/api/v1/token answered 200 without a usable token`)
  })

  it("TokenEndpointUnreachable says Messages.tokenEndpointUnreachable: a refused connection asks whether the sidecar runs", async () => {
    const nowhere = await servicesFor({ url: `http://127.0.0.1:${await closedPort()}` } as TexasEmulatorHandle, { timeout: "300 millis", attemptTimeout: "100 millis" })
    try {
      const unreachable = failure(await nowhere.token({ identityProvider: "maskinporten", target: "skatt:some.scope" }).run())
      expect(unreachable._tag).toBe("TokenEndpointUnreachable")
      expect(unreachable.message).toBe(Messages.tokenEndpointUnreachable(unreachable.fields as Parameters<typeof Messages.tokenEndpointUnreachable>[0]))
    } finally {
      await nowhere.close()
    }
  })
})

describe(`spans, written once (${driver.line})`, () => {
  it("a token fetch: Spans.names.token with the request's attributes, its attempts and the token's lifetime", async () => {
    success(await services.token({ identityProvider: "maskinporten", target: "skatt:some.scope", resource: "https://api.example/" }).run())
    const attributes = lastSpan(Spans.names.token)
    expect(attributes).toEqual({
      ...Spans.tokenRequest({ provider: "maskinporten", target: "skatt:some.scope", resource: "https://api.example/" }, false),
      ...Spans.succeeded(1, { expiresInSeconds: attributes["texas.expires_in"] as number })
    })
    expect(attributes["texas.expires_in"]).toBeGreaterThan(3500)
  })

  it("a failed fetch: its attempts and the error's tag", async () => {
    failure(await services.token({ identityProvider: "maskinporten", target: "skatt:not.granted" }).run())
    expect(lastSpan(Spans.names.token)).toEqual({
      ...Spans.tokenRequest({ provider: "maskinporten", target: "skatt:not.granted" }, false),
      ...Spans.failed(1, "TokenEndpointError")
    })
  })

  it("an exchange and an introspection: their names and attributes", async () => {
    const user = await emulator.issueUserToken({ provider: "tokenx" })
    success(await services.exchange({ identityProvider: "tokenx", target: "dev-gcp:team:other", userToken: user }).run())
    const exchanged = lastSpan(Spans.names.exchange)
    expect(exchanged).toEqual({
      ...Spans.exchangeRequest({ provider: "tokenx", target: "dev-gcp:team:other" }, false),
      ...Spans.succeeded(1, { expiresInSeconds: exchanged["texas.expires_in"] as number })
    })
    success(await services.introspect("tokenx", user).run())
    expect(lastSpan(Spans.names.introspect)).toEqual({ ...Spans.provider("tokenx"), ...Spans.succeeded(1, { active: true }) })
  })
})
