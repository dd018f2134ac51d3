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

// What goes on the wire, the cache's keys, renewals, retries and the typed errors are pinned once
// for both lines in the behaviour suite (behaviour/tokens.test.ts); here: this line's clock-driven
// expiry and refresh-ahead, metrics, and layers.
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

  // The skew is capped at half the lifetime; the sidecar floors expires_in, so a 10 s answer may be an
  // 11 s token, which it keeps until 5.5 s (nais/texas src/cache.rs, ttl): the SDK keeps it as long.
  it.effect("caps the skew at half the lifetime for short-lived tokens, and keeps the token as long as the sidecar would", () =>
    Effect.gen(function*() {
      emulator.inject(Fault.respond(200, { access_token: "short.lived.token", expires_in: 10, token_type: "Bearer" }))
      const first = yield* getToken(skatt)
      yield* TestClock.adjust("5499 millis")
      expect(yield* getToken(skatt)).toBe(first)
      yield* TestClock.adjust("2 millis")
      const second = yield* getToken(skatt)
      expect(second).not.toBe(first)
      expect(tokenRequests(emulator)).toHaveLength(2)
    }).pipe(Effect.provide(tokensFor(emulator))))

  it.effect("honours a configured skew", () =>
    Effect.gen(function*() {
      const first = yield* getToken(skatt)
      yield* TestClock.adjust(Duration.subtract(first.expiresIn, Duration.seconds(91)))
      expect(yield* getToken(skatt)).toBe(first)
      yield* TestClock.adjust("2 seconds")
      expect(yield* getToken(skatt)).not.toBe(first)
    }).pipe(Effect.provide(tokensFor(emulator, { expirySkew: "90 seconds" }))))

  // The sidecar answers with the same token until 120 s before it expires (nais/texas src/cache.rs,
  // ttl): a longer skew would only ask it for that token again and again.
  it.effect("a skew longer than the sidecar's 120 s keeps the token until the sidecar drops it", () =>
    Effect.gen(function*() {
      const first = yield* getToken(skatt)
      // Answered as 3599 s: the sidecar holds it until 3480 s (120 s before the true, up to 1 s later, expiry).
      yield* TestClock.adjust(Duration.subtract(first.expiresIn, Duration.seconds(121)))
      expect(yield* getToken(skatt)).toBe(first)
      expect(tokenRequests(emulator)).toHaveLength(1)
      yield* TestClock.adjust("2 seconds")
      expect(yield* getToken(skatt)).not.toBe(first)
    }).pipe(Effect.provide(tokensFor(emulator, { expirySkew: "5 minutes" }))))

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
