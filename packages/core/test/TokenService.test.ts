import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { type AccessToken, Maskinporten, TestTokens, TokenMetrics, type TokenRequest, TokenService } from "@effect-texas/core"
import { Fault, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Jose from "jose"
import { afterAll, afterEach, beforeAll } from "vitest"
import { eventually, realSleep, tokenRequests, tokensFor } from "./helpers.js"

let emulator: TexasEmulatorHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({
    grantedScopes: ["skatt:some.scope", "nav:other/scope", "skatt:a", "skatt:b", "skatt:c", "skatt:d", "skatt:e", "api://dev-gcp.team.app/.default"]
  })
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

const skatt: TokenRequest = { identityProvider: "maskinporten", target: "skatt:some.scope" }

const getToken = (request: TokenRequest) => Effect.flatMap(TokenService, (service) => service.token(request))

const claimsOf = (token: AccessToken) => Jose.decodeJwt(Redacted.value(token.accessToken))

describe("request encoding", () => {
  it.effect("sends JSON by default, with exactly the protocol's fields", () =>
    Effect.gen(function*() {
      const token = yield* getToken(skatt)
      expect(token.tokenType).toBe("Bearer")
      expect(claimsOf(token).scope).toBe("skatt:some.scope")
      const [sent] = tokenRequests(emulator)
      expect(sent?.contentType).toBe("application/json")
      expect(sent?.body).toEqual({ identity_provider: "maskinporten", target: "skatt:some.scope" })
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.effect("sends a form when asked, with authorization_details as a JSON string", () =>
    Effect.gen(function*() {
      const details = [{ type: "urn:altinn:systemuser", systemuser_org: { authority: "iso6523-actorid-upis", ID: "0192:313367002" } }]
      const token = yield* getToken({ ...skatt, resource: "https://api.example.com/", authorizationDetails: details })
      const [sent] = tokenRequests(emulator)
      expect(sent?.contentType).toBe("application/x-www-form-urlencoded")
      expect(sent?.body).toEqual({
        identity_provider: "maskinporten",
        target: "skatt:some.scope",
        resource: "https://api.example.com/",
        authorization_details: JSON.stringify(details)
      })
      expect(claimsOf(token)).toMatchObject({ aud: "https://api.example.com/", authorization_details: details })
    }).pipe(Effect.provide(tokensFor(emulator, { encoding: "form" }))))

  it.effect("sends a list of scopes as one space-separated target, and shares its cache entry with the string form", () =>
    Effect.gen(function*() {
      const fromList = yield* getToken({ identityProvider: "maskinporten", target: ["skatt:some.scope", "nav:other/scope"] })
      const fromString = yield* getToken({ identityProvider: "maskinporten", target: " skatt:some.scope \n nav:other/scope" })
      expect(tokenRequests(emulator).map((r) => r.body?.["target"])).toEqual(["skatt:some.scope nav:other/scope"])
      expect(fromString).toBe(fromList)
      expect(claimsOf(fromList).scope).toBe("skatt:some.scope nav:other/scope")
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.effect("sends resource and authorization_details in JSON as they are", () =>
    Effect.gen(function*() {
      const details = [{ type: "urn:altinn:systemuser", systemuser_id: ["33a0911a"] }]
      yield* getToken({ ...skatt, resource: "https://api.example.com/v1", authorizationDetails: details })
      expect(tokenRequests(emulator)[0]?.body).toEqual({
        identity_provider: "maskinporten",
        target: "skatt:some.scope",
        resource: "https://api.example.com/v1",
        authorization_details: details
      })
    }).pipe(Effect.provide(tokensFor(emulator))))

  // nais/texas tests/integration/token.rs (test_token_with_resource) sends `some_resource`:
  // the sidecar forwards any string, so the SDK must not be stricter.
  it.effect("sends a resource that is not a URL, as the sidecar forwards any string", () =>
    Effect.gen(function*() {
      const token = yield* getToken({ ...skatt, resource: "some_resource" })
      expect(tokenRequests(emulator)[0]?.body).toMatchObject({ resource: "some_resource" })
      expect(claimsOf(token)).toMatchObject({ aud: "some_resource", resource: "some_resource" })
    }).pipe(Effect.provide(tokensFor(emulator))))

  // RFC 6749 §5.1: token_type is case-insensitive.
  it.effect("takes token_type in any case and hands out \"Bearer\"", () =>
    Effect.gen(function*() {
      emulator.inject(Fault.respond(200, { access_token: "a.b.c", expires_in: 60, token_type: "bearer" }))
      expect((yield* getToken(skatt)).tokenType).toBe("Bearer")
      emulator.inject(Fault.respond(200, { access_token: "d.e.f", expires_in: 60, token_type: "BEARER" }))
      expect((yield* getToken({ ...skatt, skipCache: true })).tokenType).toBe("Bearer")
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.effect("sends entra_id and its alias azuread unchanged, and caches them as one", () =>
    Effect.gen(function*() {
      const entra = yield* getToken({ identityProvider: "entra_id", target: "api://dev-gcp.team.app/.default" })
      const alias = yield* getToken({ identityProvider: "azuread", target: "api://dev-gcp.team.app/.default" })
      expect(alias).toBe(entra)
      expect(claimsOf(entra).aud).toBe("api://dev-gcp.team.app")
      expect(tokenRequests(emulator)).toHaveLength(1)
    }).pipe(Effect.provide(tokensFor(emulator))))
})

describe("prepared once per request object", () => {
  it.effect("a frozen request object is answered from the cache again and again; an object changed between calls gets what it says now", () =>
    Effect.gen(function*() {
      const frozen = Object.freeze({ identityProvider: "maskinporten" as const, target: "skatt:some.scope" })
      const first = yield* getToken(frozen)
      for (let i = 0; i < 10; i++) expect(yield* getToken(frozen)).toBe(first)
      const changing: { identityProvider: "maskinporten"; target: string } = { identityProvider: "maskinporten", target: "skatt:a" }
      const a = yield* getToken(changing)
      changing.target = "skatt:b"
      const b = yield* getToken(changing)
      expect(claimsOf(a).scope).toBe("skatt:a")
      expect(claimsOf(b).scope).toBe("skatt:b")
      expect(tokenRequests(emulator)).toHaveLength(3)
    }).pipe(Effect.provide(tokensFor(emulator))))
})

describe("observability", () => {
  it.live("each request to the sidecar lands in the duration histogram, per endpoint and outcome", () =>
    Effect.gen(function*() {
      const histogram = (outcome: string) =>
        TokenMetrics.requestDuration.pipe(Metric.tagged("texas.endpoint", "/api/v1/token"), Metric.tagged("outcome", outcome))
      const okBefore = (yield* Metric.value(histogram("ok"))).count
      const failedBefore = (yield* Metric.value(histogram("400"))).count
      yield* getToken(skatt)
      emulator.inject(Fault.status(400, { error: "invalid_scope" }))
      yield* Effect.flip(getToken({ ...skatt, target: "skatt:other" }))
      const ok = yield* Metric.value(histogram("ok"))
      expect(ok.count - okBefore).toBe(1)
      expect(ok.max).toBeGreaterThan(0)
      expect((yield* Metric.value(histogram("400"))).count - failedBefore).toBe(1)
    }).pipe(Effect.provide(tokensFor(emulator))))
})

describe("the cache", () => {
  it.effect("answers a repeated request from memory, with no request to the endpoint", () =>
    Effect.gen(function*() {
      const hitsBefore = (yield* Metric.value(TokenMetrics.cacheHits)).count
      const first = yield* getToken(skatt)
      const second = yield* Maskinporten.token("skatt:some.scope")
      expect(second).toBe(first)
      expect(tokenRequests(emulator)).toHaveLength(1)
      expect((yield* Metric.value(TokenMetrics.cacheHits)).count - hitsBefore).toBe(1)
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.effect("hands a token out until expiry minus the skew, then fetches a new one (TestClock)", () =>
    Effect.gen(function*() {
      const first = yield* getToken(skatt)
      expect(Duration.toSeconds(first.expiresIn)).toBeGreaterThanOrEqual(3598)
      const usableFor = Duration.toMillis(first.expiresIn) - 60_000
      yield* TestClock.adjust(Duration.millis(usableFor - 1))
      expect(yield* getToken(skatt)).toBe(first)
      expect(tokenRequests(emulator)).toHaveLength(1)

      // The sidecar has moved on too: its cached token is past its own leeway.
      emulator.advance(Duration.millis(usableFor + 1))
      yield* TestClock.adjust("2 millis")
      const second = yield* getToken(skatt)
      expect(tokenRequests(emulator)).toHaveLength(2)
      expect(Redacted.value(second.accessToken)).not.toBe(Redacted.value(first.accessToken))
      const now = yield* DateTime.now
      expect(DateTime.greaterThan(second.expiresAt, now)).toBe(true)
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.effect("caps the skew at half the lifetime for short-lived tokens", () =>
    Effect.gen(function*() {
      emulator.inject(Fault.respond(200, { access_token: "short.lived.token", expires_in: 10, token_type: "Bearer" }))
      const first = yield* getToken(skatt)
      yield* TestClock.adjust("4999 millis")
      expect(yield* getToken(skatt)).toBe(first)
      yield* TestClock.adjust("2 millis")
      const second = yield* getToken(skatt)
      expect(second).not.toBe(first)
      expect(tokenRequests(emulator)).toHaveLength(2)
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.effect("honours a configured skew", () =>
    Effect.gen(function*() {
      const first = yield* getToken(skatt)
      yield* TestClock.adjust(Duration.subtract(first.expiresIn, Duration.seconds(301)))
      expect(yield* getToken(skatt)).toBe(first)
      yield* TestClock.adjust("2 seconds")
      expect(yield* getToken(skatt)).not.toBe(first)
    }).pipe(Effect.provide(tokensFor(emulator, { expirySkew: "5 minutes" }))))

  it.effect("skipCache bypasses the cache, forwards skip_cache, and replaces the cached token", () =>
    Effect.gen(function*() {
      const first = yield* getToken(skatt)
      const forced = yield* getToken({ ...skatt, skipCache: true })
      const after = yield* getToken(skatt)
      expect(Redacted.value(forced.accessToken)).not.toBe(Redacted.value(first.accessToken))
      expect(after).toBe(forced)
      expect(tokenRequests(emulator).map((r) => r.body?.["skip_cache"])).toEqual([undefined, true])
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.effect("1,000 concurrent cold calls for one key make exactly one request", () =>
    Effect.gen(function*() {
      const tokens = yield* Effect.all(Array.from({ length: 1000 }, () => getToken(skatt)), { concurrency: "unbounded" })
      expect(new Set(tokens).size).toBe(1)
      expect(tokenRequests(emulator)).toHaveLength(1)
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.effect("keeps distinct keys apart, also when they are fetched concurrently", () =>
    Effect.gen(function*() {
      const requests: ReadonlyArray<TokenRequest> = [
        skatt,
        { identityProvider: "maskinporten", target: "nav:other/scope" },
        { ...skatt, resource: "https://a.example/" },
        { ...skatt, resource: "https://b.example/" },
        { ...skatt, authorizationDetails: [{ type: "a" }] },
        { ...skatt, authorizationDetails: [{ type: "b" }] }
      ]
      const tokens = yield* Effect.all(requests.map(getToken), { concurrency: "unbounded" })
      expect(new Set(tokens.map((t) => Redacted.value(t.accessToken))).size).toBe(requests.length)
      expect(claimsOf(tokens[1]!).scope).toBe("nav:other/scope")
      expect(claimsOf(tokens[2]!).aud).toBe("https://a.example/")
      expect(claimsOf(tokens[3]!).aud).toBe("https://b.example/")
      expect(claimsOf(tokens[5]!).authorization_details).toEqual([{ type: "b" }])
      // And each is then served from its own entry.
      const again = yield* Effect.all(requests.map(getToken))
      expect(again).toEqual(tokens)
      expect(tokenRequests(emulator)).toHaveLength(requests.length)
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.effect("treats authorization details with keys in another order as the same entry, as the sidecar does", () =>
    Effect.gen(function*() {
      const a = yield* getToken({ ...skatt, authorizationDetails: [{ type: "x", org: { ID: "1", authority: "a" } }] })
      const b = yield* getToken({ ...skatt, authorizationDetails: [{ org: { authority: "a", ID: "1" }, type: "x" }] })
      expect(b).toBe(a)
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.effect("does not cache failures", () =>
    Effect.gen(function*() {
      emulator.revoke("skatt:some.scope")
      const failed = yield* Effect.flip(getToken(skatt))
      expect(failed._tag).toBe("TokenEndpointError")
      emulator.grant("skatt:some.scope")
      const token = yield* getToken(skatt)
      expect(claimsOf(token).scope).toBe("skatt:some.scope")
      expect(tokenRequests(emulator)).toHaveLength(2)
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.effect("is bounded: past maxEntries the oldest entry goes", () =>
    Effect.gen(function*() {
      for (const scope of ["skatt:a", "skatt:b", "skatt:c", "skatt:d"]) yield* Maskinporten.token(scope)
      yield* Maskinporten.token("skatt:d")
      expect(tokenRequests(emulator)).toHaveLength(4)
      yield* Maskinporten.token("skatt:a")
      expect(tokenRequests(emulator)).toHaveLength(5)
    }).pipe(Effect.provide(tokensFor(emulator, { maxEntries: 3 }))))

  it.effect("a caller that gives up does not cancel the shared request for the others", () =>
    Effect.gen(function*() {
      emulator.inject(Fault.delay("200 millis"))
      const quitter = yield* Effect.fork(getToken(skatt))
      const stayer = yield* Effect.fork(getToken(skatt))
      yield* realSleep(20)
      yield* Fiber.interrupt(quitter)
      const token = yield* Fiber.join(stayer)
      expect(claimsOf(token).scope).toBe("skatt:some.scope")
      expect(tokenRequests(emulator)).toHaveLength(1)
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.effect("invalidate drops the cached token", () =>
    Effect.gen(function*() {
      const service = yield* TokenService
      const first = yield* service.token(skatt)
      yield* service.invalidate(skatt)
      const second = yield* service.token(skatt)
      expect(second).not.toBe(first)
      expect(tokenRequests(emulator)).toHaveLength(2)
    }).pipe(Effect.provide(tokensFor(emulator))))
})

describe("renew", () => {
  it.effect("fetches with skip_cache once for many callers holding the rejected token", () =>
    Effect.gen(function*() {
      const service = yield* TokenService
      const rejected = yield* service.token(skatt)
      const renewed = yield* Effect.all(Array.from({ length: 100 }, () => service.renew(skatt, rejected)), {
        concurrency: "unbounded"
      })
      expect(new Set(renewed).size).toBe(1)
      expect(renewed[0]).not.toBe(rejected)
      expect(tokenRequests(emulator).map((r) => r.body?.["skip_cache"])).toEqual([undefined, true])
      // A late caller with the old token gets the new one without another request.
      expect(yield* service.renew(skatt, rejected)).toBe(renewed[0])
      expect(yield* service.token(skatt)).toBe(renewed[0])
      expect(tokenRequests(emulator)).toHaveLength(2)
    }).pipe(Effect.provide(tokensFor(emulator))))
})

describe("refresh-ahead", () => {
  it.effect("serves the cached token while a failing renewal runs in the background, then renews", () =>
    Effect.gen(function*() {
      const failuresBefore = (yield* Metric.value(TokenMetrics.refreshFailures)).count
      const first = yield* getToken(skatt)
      // Into the refresh window: usable until expiry - 60 s, window 30 s before that.
      yield* TestClock.adjust(Duration.subtract(first.expiresIn, Duration.seconds(80)))
      emulator.inject(Fault.status(500), 10)
      expect(yield* getToken(skatt)).toBe(first)
      yield* eventually(() => tokenRequests(emulator).length === 2)
      yield* eventually(() => Effect.runSync(Metric.value(TokenMetrics.refreshFailures)).count === failuresBefore + 1)
      // Callers still get the valid token, and no refresh is retried within 5 s.
      expect(yield* getToken(skatt)).toBe(first)
      expect(tokenRequests(emulator)).toHaveLength(2)

      emulator.reset()
      emulator.advance(first.expiresIn)
      yield* TestClock.adjust("6 seconds")
      expect(yield* getToken(skatt)).toBe(first)
      yield* eventually(() => tokenRequests(emulator).length === 1)
      yield* realSleep(20)
      const renewed = yield* getToken(skatt)
      expect(renewed).not.toBe(first)
      expect(Redacted.value(renewed.accessToken)).not.toBe(Redacted.value(first.accessToken))
    }).pipe(Effect.provide(tokensFor(emulator, { refreshAhead: "30 seconds", retrySchedule: Schedule.stop }))))
})

describe("errors", () => {
  const invalid: ReadonlyArray<readonly [string, TokenRequest, string]> = [
    ["an empty target", { identityProvider: "maskinporten", target: "" }, "target"],
    ["a whitespace-only target", { identityProvider: "maskinporten", target: " \t\n" }, "target"],
    ["an empty list of scopes", { identityProvider: "maskinporten", target: [] }, "target"],
    ["a duplicated scope", { identityProvider: "maskinporten", target: ["skatt:a", "skatt:a"] }, "target"],
    ["a control character", { identityProvider: "maskinporten", target: "skatt:a\u0000" }, "target"],
    ["a 100 KB target", { identityProvider: "maskinporten", target: "s".repeat(100_000) }, "target"],
    ["an empty resource", { ...skatt, resource: "" }, "resource"],
    ["a resource with a line break", { ...skatt, resource: "some\nresource" }, "resource"],
    ["authorization details that are not a list", { ...skatt, authorizationDetails: { type: "x" } as never }, "authorizationDetails"],
    ["an identity provider that cannot issue machine tokens", { identityProvider: "tokenx" as never, target: "x" }, "identityProvider"]
  ]

  for (const [name, request, field] of invalid) {
    it.effect(`InvalidTokenRequest for ${name}, with nothing sent`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(getToken(request))
        expect(error._tag).toBe("InvalidTokenRequest")
        if (error._tag === "InvalidTokenRequest") expect(error.field).toBe(field)
        expect(error.message).toContain(field)
        expect(emulator.requests()).toHaveLength(0)
      }).pipe(Effect.provide(tokensFor(emulator))))
  }

  it.effect("TokenEndpointError for invalid_scope, not retried, with the propagation hint", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Maskinporten.token("skatt:not.granted"))
      expect(error).toMatchObject({ _tag: "TokenEndpointError", status: 400, error: "invalid_scope", target: "skatt:not.granted" })
      if (error._tag !== "TokenEndpointError") return
      expect(error.errorDescription).toContain("skatt:not.granted")
      expect(error.isTransient).toBe(false)
      expect(error.message).toContain("15 minutes")
      expect(error.message).toContain("spec.maskinporten.scopes.consumes")
      expect(tokenRequests(emulator)).toHaveLength(1)
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.effect("TokenEndpointError keeps codes the identity provider made up", () =>
    Effect.gen(function*() {
      emulator.inject(Fault.respond(400, { error: "invalid_altinn_thing", error_description: "system user unknown" }))
      const error = yield* Effect.flip(getToken(skatt))
      expect(error).toMatchObject({ status: 400, error: "invalid_altinn_thing", errorDescription: "system user unknown" })
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.live("retries 503 and then succeeds", () =>
    Effect.gen(function*() {
      emulator.inject(Fault.status(503), 2)
      const token = yield* getToken(skatt)
      expect(claimsOf(token).scope).toBe("skatt:some.scope")
      expect(tokenRequests(emulator).map((r) => r.answer)).toEqual([503, 503, 200])
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.live("retries 429 no sooner than its Retry-After", () =>
    Effect.gen(function*() {
      emulator.inject(Fault.status(429, { retryAfter: 1 }))
      const started = Date.now()
      yield* getToken(skatt)
      expect(Date.now() - started).toBeGreaterThanOrEqual(950)
      expect(tokenRequests(emulator).map((r) => r.answer)).toEqual([429, 200])
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.live("gives up after the retries with the last error", () =>
    Effect.gen(function*() {
      emulator.inject(Fault.status(500), 10)
      const error = yield* Effect.flip(getToken(skatt))
      expect(error).toMatchObject({ _tag: "TokenEndpointError", status: 500, error: "server_error" })
      expect(tokenRequests(emulator)).toHaveLength(4)
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.live("TokenEndpointUnreachable when nothing listens, after the retries", () =>
    Effect.gen(function*() {
      const gone = yield* Effect.promise(() => startTexasEmulator())
      yield* Effect.promise(() => gone.close())
      const error = yield* Effect.flip(getToken(skatt).pipe(Effect.provide(tokensFor(gone))))
      expect(error).toMatchObject({ _tag: "TokenEndpointUnreachable", reason: "Transport", endpoint: gone.tokenEndpoint })
    }))

  it.live("TokenEndpointUnreachable on a dropped connection and on a cut-off body, and recovers by retrying", () =>
    Effect.gen(function*() {
      emulator.inject(Fault.drop)
      emulator.inject(Fault.truncated)
      const token = yield* getToken(skatt)
      expect(claimsOf(token).scope).toBe("skatt:some.scope")
      expect(tokenRequests(emulator).map((r) => r.answer)).toEqual(["dropped", "truncated", 200])
      emulator.inject(Fault.drop, 4)
      const error = yield* Effect.flip(getToken({ ...skatt, skipCache: true }))
      expect(error).toMatchObject({ _tag: "TokenEndpointUnreachable", reason: "Transport" })
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.live("TokenEndpointUnreachable with reason Timeout when an attempt is too slow", () =>
    Effect.gen(function*() {
      emulator.inject(Fault.delay("2 seconds"), 2)
      const error = yield* Effect.flip(getToken(skatt))
      expect(error).toMatchObject({ _tag: "TokenEndpointUnreachable", reason: "Timeout" })
      expect(tokenRequests(emulator)).toHaveLength(0) // the emulator logs a delayed request when it answers
    }).pipe(Effect.provide(tokensFor(emulator, { attemptTimeout: "100 millis", retrySchedule: Schedule.recurs(1) }))))

  const badAnswers: ReadonlyArray<readonly [string, Fault.Fault, string]> = [
    ["a body that is not JSON", Fault.nonJson, "not JSON"],
    ["token_type mac", Fault.respond(200, { access_token: "secret.mac.token", expires_in: 60, token_type: "mac" }), "token_type"],
    ["a negative expires_in", Fault.respond(200, { access_token: "secret.neg.token", expires_in: -5, token_type: "Bearer" }), "expires_in"],
    ["expires_in 0", Fault.respond(200, { access_token: "secret.zero.token", expires_in: 0, token_type: "Bearer" }), "already expired"],
    ["a missing access_token", Fault.respond(200, { expires_in: 60, token_type: "Bearer" }), "access_token"],
    ["an empty access_token", Fault.respond(200, { access_token: "", expires_in: 60, token_type: "Bearer" }), "access_token"],
    ["a fractional expires_in", Fault.respond(200, { access_token: "secret.frac.token", expires_in: 1.5, token_type: "Bearer" }), "expires_in"],
    ["a JSON array", Fault.respond(200, []), "JSON an array, not an object"]
  ]

  for (const [name, fault, mentions] of badAnswers) {
    it.effect(`InvalidTokenResponse for ${name}, without the token in the message, not retried`, () =>
      Effect.gen(function*() {
        emulator.inject(fault)
        const error = yield* Effect.flip(getToken(skatt))
        expect(error._tag).toBe("InvalidTokenResponse")
        expect(error.message).toContain(mentions)
        expect(error.message).not.toMatch(/secret\.\w+\.token/)
        expect(JSON.stringify(error)).not.toMatch(/secret\.\w+\.token/)
        expect(tokenRequests(emulator)).toHaveLength(1)
      }).pipe(Effect.provide(tokensFor(emulator))))
  }
})

describe("layers", () => {
  it.effect("layerConfig reads NAIS_TOKEN_ENDPOINT", () =>
    Effect.gen(function*() {
      const token = yield* getToken(skatt).pipe(
        Effect.provide(TokenService.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["NAIS_TOKEN_ENDPOINT", emulator.tokenEndpoint]])))
      )
      expect(claimsOf(token).scope).toBe("skatt:some.scope")
    }))

  for (const [name, variables] of [
    ["missing", []],
    ["not a URL", [["NAIS_TOKEN_ENDPOINT", "not a url"]]],
    ["not http(s)", [["NAIS_TOKEN_ENDPOINT", "ftp://127.0.0.1/api/v1/token"]]]
  ] as const) {
    it.effect(`layerConfig fails with a ConfigError when NAIS_TOKEN_ENDPOINT is ${name}`, () =>
      Effect.gen(function*() {
        const exit = yield* getToken(skatt).pipe(
          Effect.provide(TokenService.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(variables))),
          Effect.exit
        )
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isFailure(exit)) expect(String(exit.cause)).toContain("NAIS_TOKEN_ENDPOINT")
      }))
  }

  it.effect("layer with an endpoint that is not http(s) fails the layer with InvalidTokenRequest", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        getToken(skatt).pipe(Effect.provide(TokenService.layer({ endpoint: "file:///etc/passwd" }).pipe(Layer.provide(FetchHttpClient.layer))))
      )
      expect(error).toMatchObject({ _tag: "InvalidTokenRequest", field: "endpoint" })
    }))

  it.effect("layerConfig takes every option as a Config, the endpoint too (else NAIS_TOKEN_ENDPOINT)", () =>
    Effect.gen(function*() {
      const token = yield* getToken(skatt).pipe(
        Effect.provide(
          TokenService.layerConfig({
            endpoint: Config.string("MY_TEXAS"),
            encoding: Config.literal("form")("MY_ENCODING"),
            expirySkew: Config.succeed("30 seconds")
          }).pipe(Layer.provide(FetchHttpClient.layer))
        ),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["MY_TEXAS", emulator.tokenEndpoint], ["MY_ENCODING", "form"]])))
      )
      expect(claimsOf(token).scope).toBe("skatt:some.scope")
      expect(tokenRequests(emulator)[0]?.contentType).toBe("application/x-www-form-urlencoded")
    }))

  it.effect("layerTest hands out stub tokens, records requests and expires on the TestClock", () =>
    Effect.gen(function*() {
      const token = yield* Maskinporten.token("skatt:some.scope")
      expect(Redacted.value(token.accessToken)).toBe("stub-token:maskinporten:skatt:some.scope")
      expect(DateTime.toEpochMillis(token.expiresAt)).toBe(3_600_000)
      yield* TestClock.adjust("1 hour")
      const later = yield* Maskinporten.token("skatt:some.scope")
      expect(DateTime.toEpochMillis(later.expiresAt)).toBe(7_200_000)
      const invalid = yield* Effect.flip(Maskinporten.token(""))
      expect(invalid._tag).toBe("InvalidTokenRequest")
      const recorder = yield* TestTokens
      expect((yield* recorder.requests).map((r) => r.target)).toEqual(["skatt:some.scope", "skatt:some.scope", ""])
    }).pipe(Effect.provide(TokenService.layerTest())))
})
