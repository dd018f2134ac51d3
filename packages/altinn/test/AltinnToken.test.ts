/**
 * The Altinn package against the Texas and Altinn emulators over loopback:
 * system user details, the exchange (cache, single flight, refusals, answers
 * that are not tokens, faults), and the middleware against a protected API
 * that takes Altinn tokens only.
 */
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import {
  AltinnToken,
  authenticateAltinn,
  checkOrganizationNumber,
  InvalidOrganizationNumber,
  platformUrls,
  systemUser
} from "@effect-texas/altinn"
import { TokenService } from "@effect-texas/core"
import {
  type AltinnEmulatorHandle,
  Fault,
  type ProtectedApiHandle,
  startAltinnEmulator,
  startProtectedApi,
  startTexasEmulator,
  type TexasEmulatorHandle
} from "@effect-texas/testkit"
import * as ConfigProvider from "effect/ConfigProvider"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Jose from "jose"
import { afterAll, afterEach, beforeAll } from "vitest"

const scope = "altinn:serviceowner/instances.read"
const scopes = "altinn:systembruker.demo"
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

const Tokens = Layer.suspend(() => TokenService.layer({ endpoint: texas.tokenEndpoint }))
const Altinn = (platformUrl: () => string, options: { readonly test?: boolean } = {}) =>
  Layer.suspend(() => AltinnToken.layer({ platformUrl: platformUrl(), ...options })).pipe(
    Layer.provide(Tokens),
    Layer.provide(FetchHttpClient.layer)
  )

const run = <A, E>(effect: Effect.Effect<A, E, AltinnToken>, layer = Altinn(() => altinn.url)) =>
  effect.pipe(Effect.provide(layer))

const maskinportenRequests = () => texas.requests().filter((r) => r.path === "/api/v1/token")
const exchangeRequests = (emulator = altinn) => emulator.requests().filter((r) => r.path.endsWith("/exchange/maskinporten"))
const claimsOf = (token: Redacted.Redacted<string>) => Jose.decodeJwt(Redacted.value(token))

describe("systemUser", () => {
  // Field names as nais/texas hack/roundtrip-maskinporten-rar.sh sends them to Maskinporten through the sidecar.
  it("builds the detail as Altinn and nais/texas hack/roundtrip-maskinporten-rar.sh spell it", () => {
    const detail = systemUser({ organization, systemUserId: "a8b2f3c1-0d7e-4f5a-9b6c-2e1d0f3a4b5c", systemId: "991825827_smartcloud" })
    expect(detail).toEqual(Either.right({
      type: "urn:altinn:systemuser",
      systemuser_org: { authority: "iso6523-actorid-upis", ID: `0192:${organization}` },
      systemuser_id: ["a8b2f3c1-0d7e-4f5a-9b6c-2e1d0f3a4b5c"],
      system_id: "991825827_smartcloud"
    }))
    // Only what was given is sent.
    expect(Either.getOrThrow(systemUser({ organization }))).toEqual({
      type: "urn:altinn:systemuser",
      systemuser_org: { authority: "iso6523-actorid-upis", ID: `0192:${organization}` }
    })
  })

  it("refuses what is not a Norwegian organisation number, at once and typed", () => {
    for (const bad of ["31336700", "3133670021", "31336700x", " 313367002", "313367003", "", "000000001"]) {
      const result = systemUser({ organization: bad })
      expect(Either.isLeft(result), bad).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left).toBeInstanceOf(InvalidOrganizationNumber)
        expect(result.left.organization).toBe(bad)
      }
    }
    // Valid mod-11 numbers: NAV's, Digdir's, the roundtrip script's, one whose check digit is 0.
    for (const good of ["889640782", "991825827", "313367002", "974760673"]) expect(checkOrganizationNumber(good), good).toBeUndefined()
    // First eight digits whose check digit would be 10 make no number at all.
    expect(checkOrganizationNumber("100000300")).toMatch(/would be 10/)
  })

  it.effect("is yieldable in Effect.gen, failing with the typed error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.gen(function*() {
        return yield* systemUser({ organization: "123456789" })
      }))
      expect(error._tag).toBe("InvalidOrganizationNumber")
      expect(error.message).toContain("check digit")
    }))
})

describe("AltinnToken", () => {
  it.effect("exchanges the Maskinporten token and caches the Altinn token until its own exp", () =>
    run(Effect.gen(function*() {
      const service = yield* AltinnToken
      const token = yield* service.token({ scopes: scope })
      const claims = claimsOf(token.accessToken)
      expect(claims.iss).toBe(altinn.issuer)
      expect(claims["urn:altinn:orgNumber"]).toBe("889640782")
      expect(claims["scope"]).toBe(scope)
      expect(claims["consumer"]).toEqual({ authority: "iso6523-actorid-upis", ID: "0192:889640782" })
      expect(DateTime.toEpochMillis(token.expiresAt)).toBe(claims.exp! * 1000)
      const again = yield* service.token({ scopes: [scope] })
      expect(again).toBe(token)
      expect(maskinportenRequests()).toHaveLength(1)
      expect(exchangeRequests()).toMatchObject([{ method: "GET", authorization: "bearer", answer: 200, test: false }])
    })))

  it.effect("sends the system user's details to Maskinporten, and they reach the Altinn token", () =>
    run(Effect.gen(function*() {
      const detail = yield* systemUser({ organization, systemId: "991825827_smartcloud" })
      const token = yield* (yield* AltinnToken).token({ scopes: "altinn:systembruker.demo", authorizationDetails: [detail] })
      expect(maskinportenRequests()[0]?.body).toMatchObject({ target: "altinn:systembruker.demo", authorization_details: [detail] })
      expect(claimsOf(token.accessToken)["authorization_details"]).toEqual([detail])
    })))

  it.effect("keeps an entry per scopes and details", () =>
    run(Effect.gen(function*() {
      const service = yield* AltinnToken
      const one = yield* systemUser({ organization: "889640782" })
      const two = yield* systemUser({ organization })
      const a = yield* service.token({ scopes: "altinn:systembruker.demo", authorizationDetails: [one] })
      const b = yield* service.token({ scopes: "altinn:systembruker.demo", authorizationDetails: [two] })
      const c = yield* service.token({ scopes: scope })
      expect(new Set([a, b, c]).size).toBe(3)
      expect(exchangeRequests()).toHaveLength(3)
    })))

  it.effect("takes the answer as a JSON string too", () =>
    run(
      Effect.gen(function*() {
        const token = yield* (yield* AltinnToken).token({ scopes: scope })
        expect(Redacted.value(token.accessToken)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
        expect(claimsOf(token.accessToken).iss).toBe(altinnJson.issuer)
        expect(exchangeRequests(altinnJson)).toHaveLength(1)
      }),
      Altinn(() => altinnJson.url)
    ))

  it.effect("100 concurrent callers share one Maskinporten token and one exchange", () =>
    run(Effect.gen(function*() {
      const service = yield* AltinnToken
      altinn.inject(Fault.delay("150 millis"))
      const tokens = yield* Effect.all(Array.from({ length: 100 }, () => service.token({ scopes: scope })), { concurrency: "unbounded" })
      expect(new Set(tokens).size).toBe(1)
      expect(maskinportenRequests()).toHaveLength(1)
      expect(exchangeRequests()).toHaveLength(1)
      expect(altinn.exchanges()).toBe(1)
    })))

  it.effect("a refused exchange (403) is a typed TokenEndpointError with its status, not retried, no token in it", () =>
    run(Effect.gen(function*() {
      altinn.inject(Fault.respond(403, { type: "https://tools.ietf.org/html/rfc9110#section-15.5.4", title: "Forbidden", status: 403, detail: "not a service owner" }))
      const error = yield* Effect.flip((yield* AltinnToken).token({ scopes: scope }))
      expect(error).toMatchObject({ _tag: "TokenEndpointError", status: 403, identityProvider: "altinn", target: scope, error: "Forbidden", errorDescription: "not a service owner" })
      expect(exchangeRequests()).toHaveLength(1)
      const text = `${error.message} ${JSON.stringify(error)} ${String(error)}`
      for (const issued of [...texas.issuedTokens(), ...altinn.issuedTokens()]) expect(text).not.toContain(issued)
    })))

  it.effect("an answer that is not a token is an InvalidTokenResponse naming no part of it", () =>
    run(Effect.gen(function*() {
      const service = yield* AltinnToken
      altinn.inject(Fault.respond(200, "<html>maintenance</html>"))
      const html = yield* Effect.flip(service.token({ scopes: scope }))
      expect(html).toMatchObject({ _tag: "InvalidTokenResponse", status: 200 })
      expect(html.message).not.toContain("maintenance")
      altinn.inject(Fault.respond(200, { token: "abc" }))
      expect(yield* Effect.flip(service.token({ scopes: scope }))).toMatchObject({ _tag: "InvalidTokenResponse" })
      // A JWT without exp cannot be cached safely.
      const noExp = `${Buffer.from("{\"alg\":\"none\"}").toString("base64url")}.${Buffer.from("{\"scope\":\"x\"}").toString("base64url")}.sig`
      altinn.inject(Fault.respond(200, noExp))
      const missing = yield* Effect.flip(service.token({ scopes: scope }))
      expect(missing).toMatchObject({ _tag: "InvalidTokenResponse", reason: "the token has no numeric exp claim" })
      expect(exchangeRequests()).toHaveLength(3)
    })))

  // Live clock: the retry schedule sleeps.
  it.live("retries a transient failure of the exchange (503, then a dropped connection) and recovers", () =>
    run(Effect.gen(function*() {
      altinn.inject(Fault.status(503))
      altinn.inject(Fault.drop)
      const token = yield* (yield* AltinnToken).token({ scopes: scope })
      expect(claimsOf(token.accessToken).iss).toBe(altinn.issuer)
      expect(exchangeRequests().map((r) => r.answer)).toEqual([503, "dropped", 200])
      expect(maskinportenRequests()).toHaveLength(1)
    })))

  it.effect("a Maskinporten refusal fails before any exchange", () =>
    run(Effect.gen(function*() {
      const error = yield* Effect.flip((yield* AltinnToken).token({ scopes: "altinn:not.granted" }))
      expect(error).toMatchObject({ _tag: "TokenEndpointError", status: 400, error: "invalid_scope", identityProvider: "maskinporten" })
      expect(exchangeRequests()).toHaveLength(0)
    })))

  it.effect("an expired Maskinporten token is refused by the exchange with 401", () =>
    Effect.promise(async () => {
      const expired = await texas.issueUserToken({ provider: "maskinporten", expiresIn: "-5 minutes", claims: { scope } })
      const response = await fetch(altinn.exchangeEndpoint, { headers: { authorization: `Bearer ${expired}` } })
      expect(response.status).toBe(401)
      const forged = await fetch(altinn.exchangeEndpoint, { headers: { authorization: "Bearer a.b.c" } })
      expect(forged.status).toBe(401)
      const none = await fetch(altinn.exchangeEndpoint)
      expect(none.status).toBe(401)
      expect(altinn.requests().map((r) => r.refusal)).toEqual([expect.stringMatching(/EXPIRED/), expect.any(String), "missing bearer token"])
    }))

  it.effect("?test=true when asked, and the test department in the token", () =>
    run(
      Effect.gen(function*() {
        const token = yield* (yield* AltinnToken).token({ scopes: scope })
        expect(exchangeRequests()).toMatchObject([{ test: true }])
        expect(claimsOf(token.accessToken)["urn:altinn:org"]).toBe("ttd")
      }),
      Altinn(() => altinn.url, { test: true })
    ))

  it.effect("skipCache fetches a fresh Maskinporten token (skip_cache) and exchanges anew", () =>
    run(Effect.gen(function*() {
      const service = yield* AltinnToken
      const first = yield* service.token({ scopes: scope })
      const second = yield* service.token({ scopes: scope, skipCache: true })
      expect(second).not.toBe(first)
      expect(maskinportenRequests().map((r) => r.body?.["skip_cache"])).toEqual([undefined, true])
      expect(exchangeRequests()).toHaveLength(2)
    })))
})

describe("AltinnToken layers", () => {
  it.effect("layerConfig reads ALTINN_PLATFORM_URL, also as a name", () =>
    Effect.gen(function*() {
      const read = (value: string) =>
        AltinnToken.pipe(
          Effect.flatMap((service) => service.token({ scopes: scope })),
          Effect.provide(AltinnToken.layerConfig().pipe(Layer.provide(Tokens), Layer.provide(FetchHttpClient.layer))),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["ALTINN_PLATFORM_URL", value]])))
        )
      const token = yield* read(altinn.url)
      expect(claimsOf(token.accessToken).iss).toBe(altinn.issuer)
      expect(yield* Effect.flip(read("ftp://altinn.example"))).toMatchObject({ _tag: "InvalidTokenRequest", field: "endpoint" })
      const missing = yield* Effect.flip(
        Effect.provide(AltinnToken, AltinnToken.layerConfig().pipe(Layer.provide(Tokens), Layer.provide(FetchHttpClient.layer))).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
        )
      )
      expect(missing._tag).toBe("ConfigError")
    }))

  it("names the published platforms", () => {
    expect(platformUrls).toEqual({ production: "https://platform.altinn.no", tt02: "https://platform.tt02.altinn.no" })
  })
})

describe("authenticateAltinn", () => {
  const client = Effect.map(HttpClient.HttpClient, (http) =>
    http.pipe(
      authenticateAltinn({ scopes: scope, allowedOrigins: [api.url] }),
      HttpClient.mapRequest(HttpClientRequest.prependUrl(api.url))
    ))
  const withClient = <A, E>(effect: Effect.Effect<A, E, AltinnToken | HttpClient.HttpClient>) =>
    run(Effect.provide(effect, FetchHttpClient.layer))

  it.effect("calls an API that takes Altinn tokens only", () =>
    withClient(Effect.gen(function*() {
      const response = yield* (yield* client).get("/storage/api/v1/instances")
      expect(response.status).toBe(200)
      expect(yield* response.json).toMatchObject({ scope, path: "/storage/api/v1/instances" })
      // The API refuses the Maskinporten token itself: only the exchanged one is accepted.
      const maskinporten = yield* (yield* TokenService).token({ identityProvider: "maskinporten", target: scope })
      const direct = yield* (yield* HttpClient.HttpClient).execute(
        HttpClientRequest.get(`${api.url}/x`).pipe(HttpClientRequest.bearerToken(maskinporten.accessToken))
      )
      expect(direct.status).toBe(401)
    }).pipe(Effect.provide(Tokens))))

  it.effect("on a 401 renews once (fresh Maskinporten token, new exchange) and replays; concurrent 401s share it", () =>
    withClient(Effect.gen(function*() {
      const http = yield* client
      yield* http.get("/warm")
      api.revokeSeenTokens()
      const answers = yield* Effect.all(Array.from({ length: 20 }, () => Effect.map(http.get("/after"), (r) => r.status)), { concurrency: "unbounded" })
      expect(answers.every((status) => status === 200)).toBe(true)
      expect(maskinportenRequests().map((r) => r.body?.["skip_cache"])).toEqual([undefined, true])
      expect(exchangeRequests()).toHaveLength(2)
    })))

  it.effect("takes system user details; ones that cannot be sent as JSON fail typed at the call, not when the client is built", () =>
    withClient(Effect.gen(function*() {
      const detail = yield* systemUser({ organization })
      const http = (yield* HttpClient.HttpClient).pipe(
        authenticateAltinn({ scopes, authorizationDetails: [detail], allowedOrigins: [api.url] })
      )
      expect((yield* http.get(`${api.url}/x`)).status).toBe(403) // the API wants another scope; the token itself was fine
      expect(maskinportenRequests()[0]?.body).toMatchObject({ authorization_details: [detail] })
      const broken = (yield* HttpClient.HttpClient).pipe(
        authenticateAltinn({ scopes, authorizationDetails: [{ type: "x", count: 1n }], allowedOrigins: [api.url] })
      )
      const error = yield* Effect.flip(broken.get(`${api.url}/x`))
      expect(error).toMatchObject({ _tag: "InvalidTokenRequest", field: "authorizationDetails" })
    })))

  it.effect("sends no token to another origin, and fetches none for it", () =>
    withClient(Effect.gen(function*() {
      const http = (yield* HttpClient.HttpClient).pipe(authenticateAltinn({ scopes: scope, allowedOrigins: [api.url] }))
      const error = yield* Effect.flip(http.get("https://elsewhere.example/x"))
      expect(error._tag).toBe("OriginNotAllowed")
      expect(exchangeRequests()).toHaveLength(0)
      expect(maskinportenRequests()).toHaveLength(0)
    })))
})
