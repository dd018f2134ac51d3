/**
 * Testing your app against the Texas emulator: a real HTTP server on
 * loopback, real signed tokens, scripted faults
 * (`npx tsx examples/testing-with-emulator.ts`).
 *
 * In vitest, use `it.layer(TexasEmulator.layer())` or `it.effect(...)` with
 * `Effect.provide`; here `node:test` runs the same code on its own.
 */
import * as assert from "node:assert/strict"
import { test } from "node:test"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { TokenService } from "@effect-texas/core"
import { authenticateWith } from "@effect-texas/http-client"
import { Fault, ProtectedApi, TexasEmulator } from "@effect-texas/testkit"
import { Context, Effect, Layer, Schedule } from "effect"

const scope = "skatt:some.scope"

// ---- the code under test: calls an API secured with Maskinporten --------------------------

class Reports extends Context.Tag("app/Reports")<Reports, {
  readonly latest: Effect.Effect<{ readonly path: string; readonly scope: string }, unknown>
}>() {
  static readonly layer = (baseUrl: string) =>
    Layer.effect(
      Reports,
      Effect.gen(function*() {
        const tokens = yield* TokenService
        // authenticateWith: the client is built once, with the TokenService in hand.
        const client = (yield* HttpClient.HttpClient).pipe(
          authenticateWith(Effect.succeed(tokens), { identityProvider: "maskinporten", target: scope, allowedOrigins: [baseUrl] }),
          HttpClient.mapRequest(HttpClientRequest.prependUrl(baseUrl)),
          HttpClient.filterStatusOk
        )
        return {
          latest: Effect.flatMap(client.get("/api/hello"), (response) => response.json) as Effect.Effect<
            { readonly path: string; readonly scope: string },
            unknown
          >
        }
      })
    )
}

// ---- the wiring a test needs: emulator, protected API, the app pointed at them -----------------

const TestEnvironment = Layer.unwrapEffect(
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

const run = <A, E>(effect: Effect.Effect<A, E, Reports | TexasEmulator | ProtectedApi | TokenService>) =>
  Effect.runPromise(Effect.provide(effect, TestEnvironment))

// ---- the tests ------------------------------------------------------------------------------

test("the API accepts the token the app sends, and the second call reuses it", () =>
  run(Effect.gen(function*() {
    const reports = yield* Reports
    const answer = yield* reports.latest
    assert.equal(answer.path, "/api/hello")
    assert.equal(answer.scope, scope)
    yield* reports.latest
    const emulator = yield* TexasEmulator
    assert.equal((yield* emulator.stats).tokenRequests, 1)
  })))

test("a 503 from the token endpoint is retried; the app never notices", () =>
  run(Effect.gen(function*() {
    const emulator = yield* TexasEmulator
    yield* emulator.inject(Fault.status(503), 2)
    const reports = yield* Reports
    assert.equal((yield* reports.latest).scope, scope)
    const answers = (yield* emulator.requests).map((request) => request.answer)
    assert.deepEqual(answers, [503, 503, 200])
  })))

test("a scope the organisation lacks fails with invalid_scope", () =>
  run(Effect.gen(function*() {
    const emulator = yield* TexasEmulator
    yield* emulator.revoke(scope)
    const reports = yield* Reports
    const error = yield* Effect.flip(reports.latest)
    assert.equal((error as { error?: string }).error, "invalid_scope")
  })))
