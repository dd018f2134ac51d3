/**
 * Testing your own service on Effect 4 with the stub layer and `TestClock`: no
 * endpoint, no network, time under the test's control
 * (`npx tsx examples/testing-with-stub.ts` in `effect4/`).
 *
 * The same tests run in vitest with `@effect/vitest` 4 (`it.effect` provides the
 * TestClock); here they use `node:test` so the file runs on its own.
 */
import * as assert from "node:assert/strict"
import { test } from "node:test"
import { Maskinporten, TestTokens, TokenEndpointError, TokenService } from "@effect-texas/core"
import { Context, DateTime, Effect, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"

// ---- the code under test: a service of your own that needs tokens ------------------------

class TaxReports extends Context.Service<TaxReports, {
  /** The headers a report submission is sent with. */
  readonly headers: Effect.Effect<Record<string, string>>
}>()("app/TaxReports") {
  static readonly layer = Layer.effect(
    TaxReports,
    Effect.map(Effect.service(TokenService), (tokens) => ({
      headers: tokens.token({ identityProvider: "maskinporten", target: "skatt:report.write" }).pipe(
        Effect.map((token) => ({ authorization: `Bearer ${Redacted.value(token.accessToken)}` })),
        Effect.orDie
      )
    }))
  )
}

// ---- the tests ------------------------------------------------------------------------------

const run = <A, E>(effect: Effect.Effect<A, E, TaxReports | TestTokens | TokenService>) =>
  Effect.runPromise(
    effect.pipe(
      Effect.provide(TaxReports.layer),
      Effect.provide(TokenService.layerTest({ token: (request) => `stub-token-for:${String(request.target)}` })),
      Effect.provide(TestClock.layer())
    )
  )

test("asks for the right scope and sends the token as a bearer header", () =>
  run(Effect.gen(function*() {
    const headers = yield* (yield* TaxReports).headers
    assert.equal(headers["authorization"], "Bearer stub-token-for:skatt:report.write")
    const requests = yield* (yield* TestTokens).requests
    assert.deepEqual(requests, [{ identityProvider: "maskinporten", target: "skatt:report.write" }])
  })))

test("stub tokens expire on the TestClock: an hour is a TestClock.adjust away", () =>
  run(Effect.gen(function*() {
    const token = yield* Maskinporten.token("skatt:report.write")
    assert.equal(DateTime.toEpochMillis(token.expiresAt), 60 * 60 * 1000) // the TestClock starts at 0
    yield* TestClock.adjust("2 hours")
    const later = yield* Maskinporten.token("skatt:report.write")
    assert.ok(DateTime.isGreaterThan(later.expiresAt, token.expiresAt))
  })))

test("a refused scope reaches your code as a typed error it can branch on", () =>
  Effect.runPromise(Effect.gen(function*() {
    const error = yield* Effect.flip(Maskinporten.token("skatt:report.write"))
    assert.equal(error._tag, "TokenEndpointError")
    if (error._tag === "TokenEndpointError") assert.equal(error.error, "invalid_scope")
  }).pipe(
    Effect.provide(TokenService.layerTest({
      fail: (request) =>
        new TokenEndpointError({
          endpoint: "http://texas.stub/api/v1/token",
          status: 400,
          error: "invalid_scope",
          errorDescription: "the organisation has not been granted the scope",
          identityProvider: request.identityProvider,
          target: String(request.target),
          retryAfter: undefined
        })
    }))
  )))
