/**
 * TokenService.layerTest (Effect 4): a stub that records requests and honours Clock.
 */
import { describe, expect, it } from "@effect/vitest"
import { EntraId, Maskinporten, TestTokens, TokenEndpointError, TokenService } from "@effect-texas/core"
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
