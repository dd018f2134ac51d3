/**
 * TokenService.layerTest (Effect 4): a stub that records requests and honours Clock.
 */
import { describe, expect, it } from "@effect/vitest"
import { EntraId, Maskinporten, TestTokens, TokenEndpointError, TokenExchange, TokenIntrospection, TokenService } from "@effect-texas/core"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"

describe("TokenService.layerTest (Effect 4)", () => {
  it.effect("hands out stub tokens, records requests, and dates them by the test clock", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust("10 minutes")
      const token = yield* Maskinporten.token("skatt:some.scope")
      expect(Redacted.value(token.accessToken)).toBe("stub-token:maskinporten:skatt:some.scope")
      expect(DateTime.toEpochMillis(token.expiresAt)).toBe(10 * 60_000 + 3_600_000)
      yield* EntraId.token("api://dev-gcp.team.app/.default")
      const recorded = yield* TestTokens.use((tokens) => tokens.requests)
      expect(recorded.map((request) => request.identityProvider)).toEqual(["maskinporten", "entra_id"])
      const refused = yield* Effect.flip(Maskinporten.token(""))
      expect(refused._tag).toBe("InvalidTokenRequest")
    }).pipe(Effect.provide(TokenService.layerTest())))

  it.effect("fails as told", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Maskinporten.token("skatt:denied"))
      expect(error).toMatchObject({ _tag: "TokenEndpointError", error: "invalid_scope" })
    }).pipe(Effect.provide(TokenService.layerTest({
      fail: (request) =>
        request.target === "skatt:denied"
          ? new TokenEndpointError({ endpoint: "stub", status: 400, error: "invalid_scope", errorDescription: "", identityProvider: "maskinporten", target: "skatt:denied", retryAfter: undefined })
          : undefined
    }))))
})

describe("the other stubs and request constructors (Effect 4, as on Effect 3)", () => {
  it.effect("TokenExchange.layerTest names the target and dates its token by the test clock; fail decides", () =>
    Effect.gen(function*() {
      const exchange = yield* TokenExchange
      const token = yield* exchange.exchange({ identityProvider: "tokenx", target: "dev-gcp:team:app", userToken: Redacted.make("user") })
      expect(Redacted.value(token.accessToken)).toBe("stub-exchanged:dev-gcp:team:app")
      expect(DateTime.toEpochMillis(token.expiresAt)).toBe(3_600_000)
      const refused = yield* Effect.flip(exchange.exchange({ identityProvider: "tokenx", target: "dev-gcp:team:denied", userToken: Redacted.make("user") }))
      expect(refused).toMatchObject({ _tag: "TokenEndpointError", error: "invalid_grant" })
    }).pipe(Effect.provide(TokenExchange.layerTest({
      fail: (request) =>
        request.target.endsWith("denied")
          ? new TokenEndpointError({ endpoint: "stub", status: 400, error: "invalid_grant", errorDescription: "not allowed", identityProvider: "tokenx", target: request.target, retryAfter: undefined })
          : undefined
    }))))

  it.effect("TokenIntrospection.layerTest: active with sub test-user by default, inactive for an empty token, or as the verdict says", () =>
    Effect.gen(function*() {
      const introspection = yield* TokenIntrospection
      const active = yield* introspection.introspect({ identityProvider: "tokenx", token: Redacted.make("a-token") })
      expect(active).toMatchObject({ _tag: "Active", claims: { sub: "test-user" } })
      const inactive = yield* introspection.introspect({ identityProvider: "tokenx", token: Redacted.make("") })
      expect(inactive).toMatchObject({ _tag: "Inactive", reason: "token is empty" })
    }).pipe(Effect.provide(TokenIntrospection.layerTest())))

  it("Maskinporten.request and EntraId.request build the requests Maskinporten.token and EntraId.token send", () => {
    expect(Maskinporten.request(["a:b", "c:d"], { resource: "https://api.example.com/" })).toEqual({ resource: "https://api.example.com/", identityProvider: "maskinporten", target: ["a:b", "c:d"] })
    expect(EntraId.request("api://dev-gcp.team.app/.default", { skipCache: true })).toEqual({ skipCache: true, identityProvider: "entra_id", target: "api://dev-gcp.team.app/.default" })
  })
})
