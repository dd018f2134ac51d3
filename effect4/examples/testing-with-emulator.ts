/**
 * Testing an Effect 4 app against the Texas emulator: a real HTTP server on
 * loopback, real signed tokens, scripted faults
 * (`npx tsx examples/testing-with-emulator.ts` in `effect4/`).
 *
 * In vitest (`@effect/vitest` 4), use `it.effect(...)` with `Effect.provide(TestEnvironment)`;
 * here `node:test` runs the same code on its own.
 */
import * as assert from "node:assert/strict"
import { test } from "node:test"
import { TokenService } from "@effect-texas/core"
import { authenticateFrom } from "@effect-texas/http-client"
import { Fault, ProtectedApi, TexasEmulator } from "@effect-texas/testkit"
import { Context, Effect, Layer, Schedule } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"

const scope = "skatt:some.scope"

// ---- the code under test: calls an API secured with Maskinporten --------------------------

class Reports extends Context.Service<Reports, {
  readonly latest: Effect.Effect<unknown, unknown>
}>()("app/Reports") {
  static readonly layer = (baseUrl: string) =>
    Layer.effect(
      Reports,
      Effect.gen(function*() {
        const tokens = yield* TokenService
        const request = { identityProvider: "maskinporten", target: scope } as const
        // Built once, with the TokenService in hand: the client's requests need nothing from context.
        const client = (yield* HttpClient.HttpClient).pipe(
          authenticateFrom({ token: tokens.token(request), renew: (rejected) => tokens.renew(request, rejected) }, { allowedOrigins: [baseUrl] }),
          HttpClient.mapRequest(HttpClientRequest.prependUrl(baseUrl)),
          HttpClient.filterStatusOk
        )
        return { latest: Effect.flatMap(client.get("/api/hello"), (response) => response.json) }
      })
    )
}

// ---- the wiring a test needs: emulator, protected API, the app pointed at them -----------------

const TestEnvironment = Layer.unwrap(
  Effect.gen(function*() {
    const emulator = yield* TexasEmulator
    const api = yield* ProtectedApi
    // Quick retries keep the fault tests fast; production uses the default schedule.
    const tokens = TokenService.layer({ endpoint: emulator.tokenEndpoint, retrySchedule: Schedule.recurs(3) })
    return Reports.layer(api.url).pipe(Layer.provideMerge(tokens))
  })
).pipe(
  Layer.provideMerge(ProtectedApi.layer({ requiredScope: scope })),
  Layer.provideMerge(TexasEmulator.layer({ grantedScopes: [scope] })),
  Layer.provide(FetchHttpClient.layer)
)

const run = <A, E>(effect: Effect.Effect<A, E, Reports | TexasEmulator>) => Effect.runPromise(Effect.provide(effect, TestEnvironment))

test("the API accepts the token the app sends, and the second call reuses it", () =>
  run(Effect.gen(function*() {
    const reports = yield* Reports
    assert.deepEqual(yield* reports.latest, {
      method: "GET",
      path: "/api/hello",
      scope,
      consumer: { authority: "iso6523-actorid-upis", ID: "0192:889640782" },
      audience: "unspecified"
    })
    yield* reports.latest
    const emulator = yield* TexasEmulator
    assert.equal((yield* emulator.stats).tokenRequests, 1)
  })))

test("a 503 from the token endpoint is retried; the app never notices", () =>
  run(Effect.gen(function*() {
    const emulator = yield* TexasEmulator
    yield* emulator.inject(Fault.status(503), 2)
    yield* (yield* Reports).latest
    const answers = (yield* emulator.requests).filter((r) => r.path === "/api/v1/token").map((r) => r.answer)
    assert.deepEqual(answers, [503, 503, 200])
  })))

test("a scope the organisation lacks fails with invalid_scope", () =>
  run(Effect.gen(function*() {
    const emulator = yield* TexasEmulator
    yield* emulator.revoke(scope)
    const error = yield* Effect.flip((yield* Reports).latest)
    assert.equal((error as { readonly _tag: string })._tag, "TokenEndpointError")
    assert.equal((error as { readonly error?: string }).error, "invalid_scope")
  })))
