/// <reference types="vitest/globals" />
/**
 * `@effect-texas/altinn` on each line, against the Texas and Altinn
 * emulators: system users as Maskinporten authorization details (the field
 * names of nais/texas `hack/roundtrip-maskinporten-rar.sh`), the exchange
 * (cached until the Altinn token's own `exp`, single flight, refusals,
 * answers that are not tokens, faults, `?test=true`), and `authenticateAltinn`
 * against an API that takes Altinn tokens only.
 */
import { Messages } from "@effect-texas/protocol"
import {
  type AltinnEmulatorHandle,
  Fault,
  type ProtectedApiHandle,
  startAltinnEmulator,
  startProtectedApi,
  startTexasEmulator,
  type TexasEmulatorHandle
} from "@effect-texas/emulator"
import * as Jose from "jose"
import type * as D from "./Driver.js"
import { driver, failure, servicesFor, success } from "./setup.js"
import { expectNoTokenIn } from "./assertions.js"

const scope = "altinn:serviceowner/instances.read"
const organization = "313367002"

let texas: TexasEmulatorHandle
let altinn: AltinnEmulatorHandle
let altinnJson: AltinnEmulatorHandle
let api: ProtectedApiHandle

beforeAll(async () => {
  texas = await startTexasEmulator({ grantedScopes: [scope, "altinn:systembruker.demo"] })
  altinn = await startAltinnEmulator(texas)
  altinnJson = await startAltinnEmulator(texas, { answerFormat: "json-string" })
  api = await startProtectedApi(texas, { jwks: altinn.jwks, issuer: altinn.issuer, requiredScope: scope })
})
afterEach(() => {
  texas.reset()
  altinn.reset()
  altinnJson.reset()
  api.reset()
})
afterAll(async () => {
  await Promise.all([api.close(), altinn.close(), altinnJson.close()])
  await texas.close()
})

const maskinportenRequests = () => texas.requests().filter((request) => request.path === "/api/v1/token")
const exchangeRequests = (emulator = altinn) => emulator.requests().filter((request) => request.path.endsWith("/exchange/maskinporten"))
const claimsOf = (token: D.TokenView) => Jose.decodeJwt(token.token)

const withAltinn = async (
  options: { readonly platform?: AltinnEmulatorHandle; readonly test?: boolean },
  body: (services: D.Services, token: (request: D.AltinnRequestView) => Promise<D.Outcome<D.TokenView>>) => Promise<void>
) => {
  const services = await servicesFor(texas, { altinnPlatformUrl: (options.platform ?? altinn).url, altinnTest: options.test })
  try {
    await body(services, (request) => services.altinnToken!(request).run())
  } finally {
    await services.close()
  }
}
const detailFor = async (organization: string, extra: { readonly systemUserId?: string; readonly systemId?: string } = {}) =>
  success(await driver.systemUser({ organization, ...extra }))

describe(`systemUser (${driver.line})`, () => {
  it("builds the detail as Altinn and nais/texas hack/roundtrip-maskinporten-rar.sh spell it, sending only what was given", async () => {
    expect(await detailFor(organization, { systemUserId: "a8b2f3c1-0d7e-4f5a-9b6c-2e1d0f3a4b5c", systemId: "991825827_smartcloud" })).toEqual({
      type: "urn:altinn:systemuser",
      systemuser_org: { authority: "iso6523-actorid-upis", ID: `0192:${organization}` },
      systemuser_id: ["a8b2f3c1-0d7e-4f5a-9b6c-2e1d0f3a4b5c"],
      system_id: "991825827_smartcloud"
    })
    expect(await detailFor(organization)).toEqual({ type: "urn:altinn:systemuser", systemuser_org: { authority: "iso6523-actorid-upis", ID: `0192:${organization}` } })
  })

  it("refuses what is not a Norwegian organisation number, at once and typed", async () => {
    for (const bad of ["31336700", "3133670021", "31336700x", " 313367002", "313367003", "", "000000001"]) {
      const error = failure(await driver.systemUser({ organization: bad }))
      expect(error).toMatchObject({ _tag: "InvalidOrganizationNumber", fields: { organization: bad } })
      expect(error.message).toBe(Messages.invalidOrganization(error.fields as { organization: string; reason: string }))
    }
    // Valid mod-11 numbers: NAV's, Digdir's, the roundtrip script's, one whose check digit is 0.
    for (const good of ["889640782", "991825827", "313367002", "974760673"]) success(await driver.systemUser({ organization: good }))
    expect(failure(await driver.systemUser({ organization: "123456789" })).message).toContain("check digit")
  })
})

describe(`AltinnToken (${driver.line})`, () => {
  it("exchanges the Maskinporten token and caches the Altinn token until its own exp", () =>
    withAltinn({}, async (_services, token) => {
      const first = success(await token(scope))
      const claims = claimsOf(first)
      expect(claims).toMatchObject({ iss: altinn.issuer, "urn:altinn:orgNumber": "889640782", scope, consumer: { authority: "iso6523-actorid-upis", ID: "0192:889640782" } })
      expect(first.expiresAtMillis).toBe(claims.exp! * 1000)
      expect(success(await token({ scopes: [scope] })).token).toBe(first.token)
      expect(maskinportenRequests()).toHaveLength(1)
      expect(exchangeRequests()).toMatchObject([{ method: "GET", authorization: "bearer", answer: 200, test: false }])
    }))

  it("sends the system user's details to Maskinporten, they reach the Altinn token, and each details list has its entry", () =>
    withAltinn({}, async (_services, token) => {
      const detail = await detailFor(organization, { systemId: "991825827_smartcloud" })
      const issued = success(await token({ scopes: "altinn:systembruker.demo", authorizationDetails: [detail] }))
      expect(maskinportenRequests()[0]?.body).toMatchObject({ target: "altinn:systembruker.demo", authorization_details: [detail] })
      expect(claimsOf(issued)["authorization_details"]).toEqual([detail])
      const other = success(await token({ scopes: "altinn:systembruker.demo", authorizationDetails: [await detailFor("889640782")] }))
      const plain = success(await token(scope))
      expect(new Set([issued.token, other.token, plain.token]).size).toBe(3)
      expect(exchangeRequests()).toHaveLength(3)
    }))

  it("takes the answer as a JSON string too", () =>
    withAltinn({ platform: altinnJson }, async (_services, token) => {
      const issued = success(await token(scope))
      expect(issued.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
      expect(claimsOf(issued).iss).toBe(altinnJson.issuer)
    }))

  it("100 concurrent callers share one Maskinporten token and one exchange", () =>
    withAltinn({}, async (_services, token) => {
      altinn.inject(Fault.delay("150 millis"))
      const tokens = await Promise.all(Array.from({ length: 100 }, async () => success(await token(scope))))
      expect(new Set(tokens.map((issued) => issued.token)).size).toBe(1)
      expect(maskinportenRequests()).toHaveLength(1)
      expect(altinn.exchanges()).toBe(1)
    }))

  it("a refused exchange (403, RFC 9457 problem details) is a typed TokenEndpointError with its status, not retried, no token in it", () =>
    withAltinn({}, async (_services, token) => {
      altinn.inject(Fault.respond(403, { type: "https://tools.ietf.org/html/rfc9110#section-15.5.4", title: "Forbidden", status: 403, detail: "not a service owner" }))
      const error = failure(await token(scope))
      expect(error).toMatchObject({
        _tag: "TokenEndpointError",
        fields: { status: 403, identityProvider: "altinn", target: scope, error: "Forbidden", errorDescription: "not a service owner" }
      })
      expect(exchangeRequests()).toHaveLength(1)
      expectNoTokenIn(error.printed, [...texas.issuedTokens(), ...altinn.issuedTokens()])
    }))

  it("an answer that is not a token is an InvalidTokenResponse naming no part of it; a JWT without exp cannot be cached", () =>
    withAltinn({}, async (_services, token) => {
      altinn.inject(Fault.respond(200, "<html>maintenance</html>"))
      const html = failure(await token(scope))
      expect(html).toMatchObject({ _tag: "InvalidTokenResponse", fields: { status: 200 } })
      expect(html.message).not.toContain("maintenance")
      altinn.inject(Fault.respond(200, { token: "abc" }))
      expect(failure(await token(scope))._tag).toBe("InvalidTokenResponse")
      const noExp = `${Buffer.from("{\"alg\":\"none\"}").toString("base64url")}.${Buffer.from("{\"scope\":\"x\"}").toString("base64url")}.sig`
      altinn.inject(Fault.respond(200, noExp))
      expect(failure(await token(scope))).toMatchObject({ _tag: "InvalidTokenResponse", fields: { reason: "the token has no numeric exp claim" } })
      expect(exchangeRequests()).toHaveLength(3)
    }))

  it("retries a transient failure of the exchange (503, then a dropped connection) and recovers", () =>
    withAltinn({}, async (_services, token) => {
      altinn.inject(Fault.status(503))
      altinn.inject(Fault.drop)
      expect(claimsOf(success(await token(scope))).iss).toBe(altinn.issuer)
      expect(exchangeRequests().map((request) => request.answer)).toEqual([503, "dropped", 200])
      expect(maskinportenRequests()).toHaveLength(1)
    }))

  it("a Maskinporten refusal fails before any exchange", () =>
    withAltinn({}, async (_services, token) => {
      const error = failure(await token("altinn:not.granted"))
      expect(error).toMatchObject({ _tag: "TokenEndpointError", fields: { status: 400, error: "invalid_scope", identityProvider: "maskinporten" } })
      expect(exchangeRequests()).toHaveLength(0)
    }))

  it("?test=true when asked, and the test department in the token", () =>
    withAltinn({ test: true }, async (_services, token) => {
      expect(claimsOf(success(await token(scope)))["urn:altinn:org"]).toBe("ttd")
      expect(exchangeRequests()).toMatchObject([{ test: true }])
    }))

  it("skipCache fetches a fresh Maskinporten token (skip_cache) and exchanges anew", () =>
    withAltinn({}, async (_services, token) => {
      const first = success(await token(scope))
      const second = success(await token({ scopes: scope, skipCache: true }))
      expect(second.token).not.toBe(first.token)
      expect(maskinportenRequests().map((request) => request.body?.["skip_cache"])).toEqual([undefined, true])
      expect(exchangeRequests()).toHaveLength(2)
    }))
})

describe(`authenticateAltinn (${driver.line})`, () => {
  it("calls an API that takes Altinn tokens only; a 401 renews once (fresh Maskinporten token, new exchange) and replays, shared by concurrent 401s", () =>
    withAltinn({}, async (services) => {
      const client = services.client({ kind: "altinn", scopes: scope, allowedOrigins: [api.url] })
      const response = success(await client.send(`${api.url}/storage/api/v1/instances`, { readJson: true }))
      expect(response.status).toBe(200)
      expect(response.json).toMatchObject({ scope, path: "/storage/api/v1/instances" })
      api.revokeSeenTokens()
      const answers = await Promise.all(Array.from({ length: 20 }, async () => success(await client.send(`${api.url}/after`)).status))
      expect(answers.every((status) => status === 200)).toBe(true)
      expect(maskinportenRequests().map((request) => request.body?.["skip_cache"])).toEqual([undefined, true])
      expect(exchangeRequests()).toHaveLength(2)
    }))

  it("takes system user details; details that cannot be sent as JSON fail typed at the call", () =>
    withAltinn({}, async (services) => {
      const detail = await detailFor(organization)
      const client = services.client({ kind: "altinn", scopes: "altinn:systembruker.demo", authorizationDetails: [detail], allowedOrigins: [api.url] })
      expect(success(await client.send(`${api.url}/x`)).status).toBe(403) // the API wants another scope; the token itself was fine
      expect(maskinportenRequests()[0]?.body).toMatchObject({ authorization_details: [detail] })
      const broken = services.client({ kind: "altinn", scopes: "altinn:systembruker.demo", authorizationDetails: [{ type: "x", count: 1n }], allowedOrigins: [api.url] })
      expect(failure(await broken.send(`${api.url}/x`))).toMatchObject({ _tag: "InvalidTokenRequest", fields: { field: "authorizationDetails" } })
    }))

  it("sends no token to another origin, and fetches none for it", () =>
    withAltinn({}, async (services) => {
      const client = services.client({ kind: "altinn", scopes: scope, allowedOrigins: [api.url] })
      expect(failure(await client.send("https://elsewhere.example/x"))._tag).toBe("OriginNotAllowed")
      expect(exchangeRequests()).toHaveLength(0)
      expect(maskinportenRequests()).toHaveLength(0)
    }))
})
