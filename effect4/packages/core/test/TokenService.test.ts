/**
 * TokenService (Effect 4) against the emulator over loopback: the same
 * protocol behaviour as the Effect 3 line's tests pin.
 */
import { describe, expect, it } from "@effect/vitest"
import { TokenEndpointError, TokenService } from "@effect-texas/core"
import { Fault, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import { afterAll, afterEach, beforeAll } from "vitest"

const scope = "skatt:some.scope"
let emulator: TexasEmulatorHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: [scope, "skatt:other.scope"] })
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

const Tokens = Layer.suspend(() => TokenService.layer({ endpoint: emulator.tokenEndpoint }).pipe(Layer.provide(FetchHttpClient.layer)))
const tokenRequests = () => emulator.requests().filter((r) => r.path === "/api/v1/token")

describe("TokenService (Effect 4)", () => {
  it.effect("gives a token, and the second call from the cache", () =>
    Effect.gen(function*() {
      const tokens = yield* TokenService
      const first = yield* tokens.token({ identityProvider: "maskinporten", target: scope })
      const second = yield* tokens.token({ identityProvider: "maskinporten", target: [scope] })
      expect(second).toBe(first)
      expect(emulator.issuedTokens()).toContain(Redacted.value(first.accessToken))
      expect(tokenRequests()).toHaveLength(1)
      expect(tokenRequests()[0]?.body).toEqual({ identity_provider: "maskinporten", target: scope })
    }).pipe(Effect.provide(Tokens)))

  it.effect("reports invalid_scope as a typed TokenEndpointError, not retried", () =>
    Effect.gen(function*() {
      const tokens = yield* TokenService
      const error = yield* Effect.flip(tokens.token({ identityProvider: "maskinporten", target: "skatt:not.granted" }))
      expect(error).toBeInstanceOf(TokenEndpointError)
      expect(error).toMatchObject({ _tag: "TokenEndpointError", status: 400, error: "invalid_scope", target: "skatt:not.granted" })
      expect(error.message).toContain("spec.maskinporten.scopes.consumes")
      expect(tokenRequests()).toHaveLength(1)
    }).pipe(Effect.provide(Tokens)))

  it.effect("refuses a bad request before anything is sent", () =>
    Effect.gen(function*() {
      const tokens = yield* TokenService
      const error = yield* Effect.flip(tokens.token({ identityProvider: "maskinporten", target: "  " }))
      expect(error).toMatchObject({ _tag: "InvalidTokenRequest", field: "target" })
      expect(tokenRequests()).toHaveLength(0)
    }).pipe(Effect.provide(Tokens)))

  it.effect("100 concurrent callers share one request", () =>
    Effect.gen(function*() {
      const tokens = yield* TokenService
      emulator.inject(Fault.delay("100 millis"))
      const all = yield* Effect.all(Array.from({ length: 100 }, () => tokens.token({ identityProvider: "maskinporten", target: scope })), { concurrency: "unbounded" })
      expect(new Set(all).size).toBe(1)
      expect(tokenRequests()).toHaveLength(1)
    }).pipe(Effect.provide(Tokens)))

  it.live("retries a transient 503 and recovers; honours Retry-After", () =>
    Effect.gen(function*() {
      const tokens = yield* TokenService
      emulator.inject(Fault.status(503, { retryAfter: 1 }))
      const started = Date.now()
      yield* tokens.token({ identityProvider: "maskinporten", target: scope })
      expect(Date.now() - started).toBeGreaterThanOrEqual(950)
      expect(tokenRequests().map((r) => r.answer)).toEqual([503, 200])
    }).pipe(Effect.provide(Tokens)))

  it.effect("renew fetches with skip_cache once the API rejected the cached token", () =>
    Effect.gen(function*() {
      const tokens = yield* TokenService
      const request = { identityProvider: "maskinporten", target: scope } as const
      const first = yield* tokens.token(request)
      const renewed = yield* tokens.renew(request, first)
      expect(renewed).not.toBe(first)
      expect(tokenRequests().map((r) => r.body?.["skip_cache"])).toEqual([undefined, true])
      expect(yield* tokens.token(request)).toBe(renewed)
    }).pipe(Effect.provide(Tokens)))

  it.effect("an answer that is not a token is an InvalidTokenResponse naming no part of it", () =>
    Effect.gen(function*() {
      const tokens = yield* TokenService
      emulator.inject(Fault.respond(200, { access_token: "", expires_in: 10, token_type: "Bearer" }))
      const error = yield* Effect.flip(tokens.token({ identityProvider: "maskinporten", target: scope }))
      expect(error).toMatchObject({ _tag: "InvalidTokenResponse", reason: "access_token: expected a non-empty string" })
    }).pipe(Effect.provide(Tokens)))

  it.effect("layerConfig reads NAIS_TOKEN_ENDPOINT; a missing one fails the layer", () =>
    Effect.gen(function*() {
      const token = yield* TokenService.use((tokens) => tokens.token({ identityProvider: "maskinporten", target: scope })).pipe(
        Effect.provide(TokenService.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))),
        Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({ NAIS_TOKEN_ENDPOINT: emulator.tokenEndpoint })))
      )
      expect(token.tokenType).toBe("Bearer")
      const missing = yield* Effect.flip(TokenService.use(() => Effect.void).pipe(
        Effect.provide(TokenService.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))),
        Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({})))
      ))
      expect(missing._tag).toBe("ConfigError")
    }))

  it("cacheKey is equal exactly when the sidecar gives one token", () => {
    const a = TokenService.cacheKey({ identityProvider: "azuread", target: ["b", "a"] })
    const b = TokenService.cacheKey({ identityProvider: "entra_id", target: "b a" })
    expect(Result.getOrThrow(a)).toBe(Result.getOrThrow(b))
  })
})
