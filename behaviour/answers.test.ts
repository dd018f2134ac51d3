/// <reference types="vitest/globals" />
/**
 * Crafted answers are typed errors, never defects or invalid dates; nothing
 * a user can print or spread leads to a token; a request that changes while
 * frozen is not mistaken for the one before.
 */
import { Fault, startAltinnEmulator, startProtectedApi, type ProtectedApiHandle, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import { driver, failure, servicesFor, sidecarRequests, success } from "./setup.js"
import { expectNoTokenIn } from "./assertions.js"

let emulator: TexasEmulatorHandle
let api: ProtectedApiHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: ["skatt:some.scope", "altinn:serviceowner/instances.read"] })
  api = await startProtectedApi(emulator)
})
afterEach(() => {
  emulator.reset()
  api.reset()
})
afterAll(async () => {
  await api.close()
  await emulator.close()
})

const maskinporten = { identityProvider: "maskinporten", target: "skatt:some.scope" } as const
const json = { "content-type": "application/json" }
const answer = (expiresIn: number) => JSON.stringify({ access_token: "a.b.c", token_type: "Bearer", expires_in: expiresIn })
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
const jwtWithExp = (exp: number) => `${base64url({ alg: "none" })}.${base64url({ exp })}.sig`

describe(`crafted lifetimes (${driver.line})`, () => {
  it("an expires_in past what a date can hold is an InvalidTokenResponse naming expires_in, not a defect", async () => {
    const services = await servicesFor(emulator)
    try {
      emulator.inject(Fault.respond(200, answer(9e12), json))
      const error = failure(await services.token(maskinporten).run())
      expect(error._tag).toBe("InvalidTokenResponse")
      expect(error.message).toContain("expires_in")
    } finally {
      await services.close()
    }
  })

  it("a long but representable expires_in gives a token with a real expiry date", async () => {
    const services = await servicesFor(emulator)
    try {
      emulator.inject(Fault.respond(200, answer(3e12), json))
      const token = success(await services.token(maskinporten).run())
      expect(Number.isFinite(new Date(token.expiresAtMillis).getTime())).toBe(true)
    } finally {
      await services.close()
    }
  })

  it("an Altinn token whose exp no date can hold is an InvalidTokenResponse; one at the limit is a real date", async () => {
    const altinn = await startAltinnEmulator(emulator)
    const services = await servicesFor(emulator, { altinnPlatformUrl: altinn.url })
    try {
      altinn.inject(Fault.respond(200, jwtWithExp(9e12)))
      const error = failure(await services.altinnToken!("altinn:serviceowner/instances.read").run())
      expect(error._tag).toBe("InvalidTokenResponse")
      altinn.inject(Fault.respond(200, jwtWithExp(8.64e12)))
      const token = success(await services.altinnToken!("altinn:serviceowner/instances.read").run())
      expect(token.expiresAtMillis).toBe(8.64e15)
    } finally {
      await services.close()
      await altinn.close()
    }
  })
})

describe(`claims typed alike (${driver.line})`, () => {
  it("an active answer whose known claims have the wrong type (an object sub, a string exp) is an InvalidTokenResponse naming them", async () => {
    const services = await servicesFor(emulator)
    try {
      const token = await emulator.issueUserToken({ provider: "idporten" })
      emulator.inject(Fault.respond(200, JSON.stringify({ active: true, sub: { id: 1 }, exp: "soon", custom: { any: "thing" } }), json))
      const error = failure(await services.introspect("idporten", token).run())
      expect(error._tag).toBe("InvalidTokenResponse")
      expect(error.message).toContain("sub")
      expect(error.message).toContain("exp")
      // Unknown claims of any shape pass as they are.
      const fine = success(await services.introspect("idporten", await emulator.issueUserToken({ provider: "idporten", claims: { custom: { any: "thing" } } })).run())
      expect(fine.claims["custom"]).toEqual({ any: "thing" })
    } finally {
      await services.close()
    }
  })
})

describe(`no path from what a caller holds to the token (${driver.line})`, () => {
  it("a ResponseError from filterStatusOk: printed, spread, its response and request spread, no token anywhere", async () => {
    const services = await servicesFor(emulator)
    try {
      api.rejectNext(1, 403)
      const client = services.client({ kind: "machine", request: maskinporten, allowedOrigins: [api.url] })
      const error = failure(await client.send(`${api.url}/api/hello`, { filterStatusOk: true }))
      // The platform's own error: ResponseError on Effect 3, HttpClientError (reason StatusCodeError) on Effect 4.
      expect(["ResponseError", "HttpClientError"]).toContain(error._tag)
      expectNoTokenIn(error.printed, emulator.issuedTokens())
    } finally {
      await services.close()
    }
  })

  it("a response that leaves the middleware: printed and spread, no token", async () => {
    const services = await servicesFor(emulator)
    try {
      const client = services.client({ kind: "machine", request: maskinporten, allowedOrigins: [api.url] })
      const response = success(await client.send(`${api.url}/api/hello`))
      expect(response.status).toBe(200)
      expectNoTokenIn(response.printed, emulator.issuedTokens())
    } finally {
      await services.close()
    }
  })
})

describe(`requests remembered by identity (${driver.line})`, () => {
  it("a frozen request whose Date changes (setTime) is asked for anew, not answered with the old organisation's token", async () => {
    const services = await servicesFor(emulator)
    try {
      const at = Object.freeze(new Date("2026-01-01T00:00:00Z"))
      const request = Object.freeze({
        ...maskinporten,
        authorizationDetails: Object.freeze([Object.freeze({ type: "urn:example:detail", at })])
      })
      const first = success(await services.token(request as never).run())
      at.setTime(Date.parse("2027-01-01T00:00:00Z"))
      const second = success(await services.token(request as never).run())
      expect(second.token).not.toBe(first.token)
      expect(sidecarRequests(emulator, "/api/v1/token").all).toBe(2)
    } finally {
      await services.close()
    }
  })
})
