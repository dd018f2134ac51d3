/**
 * Every fault production brings, injected by the emulator over loopback. Per
 * case: the typed error or the recovery the SDK should give, how many requests
 * the emulator saw (retries are bounded), that no expired or malformed token
 * was handed out, and that the service works again once the fault clears.
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { type AccessToken, type TokenRequest, TokenService } from "@effect-texas/core"
import { authenticate } from "@effect-texas/http-client"
import { Fault, startProtectedApi, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import * as Http from "node:http"
import { afterAll, afterEach, beforeAll } from "vitest"
import { assertIssuedAndValid, tokenRequestCount, tokensFor } from "./support.js"

const scope = "skatt:some.scope"
const request: TokenRequest = { identityProvider: "maskinporten", target: scope }

let emulator: TexasEmulatorHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: [scope] })
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

const getToken = (req: TokenRequest = request) => Effect.flatMap(TokenService, (tokens) => tokens.token(req))

describe("faults at the token endpoint", () => {
  // The fault table itself (every injected fault: typed error or recovery, the exact request count,
  // only tokens the emulator signed, recovery after) is pinned for both lines in
  // behaviour/faults.test.ts; here the cases that need this line's own wiring.
  it.live("connection refused (emulator stopped), then restarted on the same port: fails typed, then recovers", () =>
    Effect.gen(function*() {
      const first = yield* Effect.promise(() => startTexasEmulator({ grantedScopes: [scope] }))
      const port = Number(new URL(first.url).port)
      // Refused connections are retried for what the budget leaves after one attempt: 0.5 s here.
      const layer = tokensFor(first, { attemptTimeout: "1 second", timeout: "1500 millis" })
      yield* Effect.gen(function*() {
        yield* Effect.promise(() => first.close())
        const error = yield* Effect.flip(getToken())
        expect(error._tag === "TokenEndpointUnreachable" && error.reason).toBe("Refused")
        const again = yield* Effect.promise(() => startTexasEmulator({ grantedScopes: [scope], port }))
        const token = yield* getToken()
        yield* assertIssuedAndValid(again, token)
        expect(again.stats().tokenRequests).toBe(1)
        yield* Effect.promise(() => again.close())
      }).pipe(Effect.provide(layer))
    }))

  it.live("a redirect from the token endpoint is not followed: the request never leaves the configured URL", () =>
    Effect.gen(function*() {
      let elsewhereHits = 0
      const elsewhere = Http.createServer((_req, res) => {
        elsewhereHits++
        res.end("{}")
      })
      yield* Effect.promise(() => new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve)))
      const { port } = elsewhere.address() as { port: number }
      emulator.inject(Fault.respond(307, "", { location: `http://127.0.0.1:${port}/api/v1/token` }))
      const error = yield* Effect.flip(getToken())
      expect(error).toMatchObject({ _tag: "TokenEndpointError", status: 307 })
      expect(elsewhereHits).toBe(0)
      expect(tokenRequestCount(emulator)).toBe(1)
      yield* Effect.promise(() => new Promise<void>((resolve) => elsewhere.close(() => resolve())))
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.live("a slow answer that never clears ends within the overall budget, with reason Timeout", () =>
    Effect.gen(function*() {
      emulator.inject(Fault.delay("5 seconds"), 10)
      const started = Date.now()
      const error = yield* Effect.flip(getToken())
      expect(error).toMatchObject({ _tag: "TokenEndpointUnreachable", reason: "Timeout" })
      expect(Date.now() - started).toBeLessThan(2_000)
    }).pipe(
      Effect.provide(tokensFor(emulator, { attemptTimeout: "200 millis", timeout: "1 second", retrySchedule: Schedule.spaced("10 millis") }))
    ))
})

describe("a 401 from the API with an otherwise valid token", () => {
  it.live("renews once with skip_cache, replays once, and succeeds with a valid token", () =>
    Effect.gen(function*() {
      const api = yield* Effect.promise(() => startProtectedApi(emulator, { requiredScope: scope }))
      const client = (yield* HttpClient.HttpClient).pipe(authenticate({ ...request, allowedOrigins: [api.url] }))
      const tokens = yield* TokenService
      const before: AccessToken = yield* tokens.token(request)
      api.rejectNext(1)
      const response = yield* client.get(`${api.url}/api/hello`)
      expect(response.status).toBe(200)
      const tokenCalls = emulator.requests().filter((r) => r.path === "/api/v1/token")
      expect(tokenCalls.map((r) => r.body?.["skip_cache"])).toEqual([undefined, true])
      expect(api.requests().map((r) => r.answer)).toEqual([401, 200])
      const after = yield* tokens.token(request)
      expect(after).not.toBe(before)
      yield* assertIssuedAndValid(emulator, after)
      yield* Effect.promise(() => api.close())
    }).pipe(Effect.provide(tokensFor(emulator)), Effect.provide(FetchHttpClient.layer)))
})

describe("retry budget: an outage is not multiplied", () => {
  // Texas retries the identity provider itself (nais/texas src/http/client.rs: reqwest-retry), so
  // every SDK retry during an outage costs the sidecar up to 4 upstream attempts more.
  const coldCallers = (budget: "default" | false) =>
    Effect.gen(function*() {
      emulator.injectRandomly(Fault.status(500), 1)
      const requests = Array.from({ length: 100 }, (_, i): TokenRequest => ({ identityProvider: "maskinporten", target: `skatt:scope.${i}` }))
      const results = yield* Effect.all(requests.map((req) => Effect.either(getToken(req))), { concurrency: "unbounded" })
      emulator.injectRandomly(Fault.status(500), 0)
      return { results, sent: tokenRequestCount(emulator) }
    }).pipe(Effect.provide(tokensFor(emulator, budget === false ? { retryBudget: false } : {})))

  it.live("100 cold callers on 100 keys against a sidecar answering 500 cost at most 135 requests, each a typed error", () =>
    Effect.gen(function*() {
      const { results, sent } = yield* coldCallers("default")
      expect(sent).toBeLessThanOrEqual(135)
      expect(sent).toBeGreaterThanOrEqual(100)
      for (const result of results) {
        expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "TokenEndpointError", status: 500 })
      }
    }))

  it.live("without the budget the same outage costs 4 requests a caller", () =>
    Effect.gen(function*() {
      const { sent } = yield* coldCallers(false)
      expect(sent).toBe(400)
    }))

  it.live("a lone failure is still retried; spent, the budget refills with successes", () =>
    Effect.gen(function*() {
      const tokens = yield* TokenService
      const sentFor = (arrange: () => void, req: TokenRequest = { ...request, skipCache: true }) =>
        Effect.gen(function*() {
          const before = tokenRequestCount(emulator)
          arrange()
          const result = yield* Effect.either(tokens.token(req))
          return { ok: Either.isRight(result), sent: tokenRequestCount(emulator) - before }
        })
      expect(yield* sentFor(() => emulator.inject(Fault.status(500)))).toEqual({ ok: true, sent: 2 })
      // 500 that does not clear: 4 attempts as the schedule allows; the bucket of 10 is down to 5.1.
      // (A 4xx answer counts as an answer: only transient failures take from the bucket.)
      expect(yield* sentFor(() => emulator.inject(Fault.status(500), 10))).toEqual({ ok: false, sent: 4 })
      emulator.reset()
      expect(yield* sentFor(() => emulator.inject(Fault.status(500)))).toEqual({ ok: false, sent: 1 })
      // Down to 4.1; each success puts back a tenth: 20 successes and a lone failure is retried again.
      for (let i = 0; i < 20; i++) expect((yield* sentFor(() => undefined)).ok).toBe(true)
      expect(yield* sentFor(() => emulator.inject(Fault.status(500)))).toEqual({ ok: true, sent: 2 })
    }).pipe(Effect.provide(tokensFor(emulator))))
})
