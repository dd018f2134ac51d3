import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import {
  type ExchangeRequest,
  TokenExchange,
  type TokenExchangeOptions,
  TokenIntrospection,
  TokenService
} from "@effect-texas/core"
import { Fault, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as ConfigProvider from "effect/ConfigProvider"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as fc from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Jose from "jose"
import { afterAll, afterEach, beforeAll } from "vitest"

let emulator: TexasEmulatorHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ enabledProviders: ["maskinporten", "entra_id", "tokenx", "idporten"] })
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

const quick = Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(3)))

const exchangeLayer = (options: Omit<TokenExchangeOptions, "endpoint"> = {}) =>
  TokenExchange.layer({ endpoint: `${emulator.url}/api/v1/token/exchange`, retrySchedule: quick, ...options }).pipe(
    Layer.provide(FetchHttpClient.layer)
  )

const introspectionLayer = () =>
  TokenIntrospection.layer({ endpoint: `${emulator.url}/api/v1/introspect`, retrySchedule: quick }).pipe(
    Layer.provide(FetchHttpClient.layer)
  )

const userToken = (subject: string, expiresIn: Duration.DurationInput = "1 hour") =>
  Effect.map(
    Effect.promise(() => emulator.issueUserToken({ provider: "idporten", subject, expiresIn })),
    Redacted.make
  )

const toDownstream = (token: Redacted.Redacted<string>, extra: Partial<ExchangeRequest> = {}): ExchangeRequest => ({
  identityProvider: "tokenx",
  target: "dev-gcp:team:downstream",
  userToken: token,
  ...extra
})

const exchange = (request: ExchangeRequest) => Effect.flatMap(TokenExchange, (service) => service.exchange(request))

const claimsOf = (token: { readonly accessToken: Redacted.Redacted<string> }) => Jose.decodeJwt(Redacted.value(token.accessToken))

describe("TokenExchange", () => {
  it.effect("exchanges a user's token for one to the target, on the user's behalf", () =>
    Effect.gen(function*() {
      const user = yield* userToken("user-a")
      const token = yield* exchange(toDownstream(user))
      expect(claimsOf(token)).toMatchObject({ sub: "user-a", aud: "dev-gcp:team:downstream", iss: emulator.issuer("tokenx") })
      expect(emulator.requests()[0]?.body).toMatchObject({ identity_provider: "tokenx", target: "dev-gcp:team:downstream" })
      expect(emulator.requests()[0]?.body).not.toHaveProperty("skip_cache")
    }).pipe(Effect.provide(exchangeLayer())))

  it.effect("caches per user and target; skipCache exchanges anew and is forwarded", () =>
    Effect.gen(function*() {
      const a = yield* userToken("user-a")
      const b = yield* userToken("user-b")
      const first = yield* exchange(toDownstream(a))
      expect(yield* exchange(toDownstream(a))).toBe(first)
      expect(emulator.stats().exchangeRequests).toBe(1)
      const forB = yield* exchange(toDownstream(b))
      expect(claimsOf(forB).sub).toBe("user-b")
      const elsewhere = yield* exchange(toDownstream(a, { target: "dev-gcp:team:other" }))
      expect(claimsOf(elsewhere).aud).toBe("dev-gcp:team:other")
      const forced = yield* exchange(toDownstream(a, { skipCache: true }))
      expect(forced).not.toBe(first)
      expect(emulator.requests().at(-1)?.body).toMatchObject({ skip_cache: true })
      expect(yield* exchange(toDownstream(a))).toBe(forced)
      expect(emulator.stats().exchangeRequests).toBe(4)
    }).pipe(Effect.provide(exchangeLayer())))

  it.effect("concurrent exchanges for one user and target share one request", () =>
    Effect.gen(function*() {
      const a = yield* userToken("user-a")
      const tokens = yield* Effect.all(Array.from({ length: 200 }, () => exchange(toDownstream(a))), { concurrency: "unbounded" })
      expect(new Set(tokens).size).toBe(1)
      expect(emulator.stats().exchangeRequests).toBe(1)
    }).pipe(Effect.provide(exchangeLayer())))

  it.effect("never hands out a cached token past the user token's own expiry (TestClock)", () =>
    Effect.gen(function*() {
      // The user token's expiry is wall-clock time: start the TestClock there.
      yield* TestClock.setTime(Date.now())
      const shortLived = yield* userToken("user-a", "90 seconds")
      yield* exchange(toDownstream(shortLived))
      yield* TestClock.adjust("60 seconds")
      yield* exchange(toDownstream(shortLived))
      expect(emulator.stats().exchangeRequests).toBe(1)
      yield* TestClock.adjust("31 seconds")
      yield* exchange(toDownstream(shortLived))
      expect(emulator.stats().exchangeRequests).toBe(2)
    }).pipe(Effect.provide(exchangeLayer())))

  it.effect("is bounded: past maxEntries the least recently used entry goes", () =>
    Effect.gen(function*() {
      const [a, b, c] = [yield* userToken("a"), yield* userToken("b"), yield* userToken("c")]
      yield* exchange(toDownstream(a))
      yield* exchange(toDownstream(b))
      yield* exchange(toDownstream(a)) // a is now the most recently used
      yield* exchange(toDownstream(c)) // evicts b
      expect(emulator.stats().exchangeRequests).toBe(3)
      yield* exchange(toDownstream(a))
      expect(emulator.stats().exchangeRequests).toBe(3)
      yield* exchange(toDownstream(b))
      expect(emulator.stats().exchangeRequests).toBe(4)
    }).pipe(Effect.provide(exchangeLayer({ maxEntries: 2 }))))

  it.live("retries a 503 and fails typed, without retrying, for an expired user token", () =>
    Effect.gen(function*() {
      emulator.inject(Fault.status(503), 2)
      const user = yield* userToken("user-a")
      yield* exchange(toDownstream(user))
      expect(emulator.stats().exchangeRequests).toBe(3)
      emulator.reset()
      const expired = yield* userToken("user-a", "-2 minutes")
      const error = yield* Effect.flip(exchange(toDownstream(expired)))
      expect(error).toMatchObject({ _tag: "TokenEndpointError", status: 400, error: "invalid_request", target: "dev-gcp:team:downstream" })
      expect(error.message).toContain("invalid token: ExpiredSignature")
      expect(error.message).not.toContain(Redacted.value(expired))
      expect(emulator.stats().exchangeRequests).toBe(1)
    }).pipe(Effect.provide(exchangeLayer())))

  const badRequests: ReadonlyArray<readonly [string, (token: Redacted.Redacted<string>) => ExchangeRequest, string]> = [
    ["maskinporten as provider", (t) => toDownstream(t, { identityProvider: "maskinporten" as "tokenx" }), "identityProvider"],
    ["an empty target", (t) => toDownstream(t, { target: " " }), "target"],
    ["a target with a space", (t) => toDownstream(t, { target: "a b" }), "target"],
    ["a user token with the Bearer prefix", () => toDownstream(Redacted.make("Bearer eyJ.x.y")), "userToken"],
    ["an empty user token", () => toDownstream(Redacted.make("")), "userToken"],
    ["a user token that is not Redacted", () => toDownstream("eyJ.x.y" as unknown as Redacted.Redacted<string>), "userToken"]
  ]
  for (const [name, build, field] of badRequests) {
    it.effect(`InvalidTokenRequest on ${field} for ${name}, nothing sent`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(exchange(build(Redacted.make("eyJ.x.y"))))
        expect(error).toMatchObject({ _tag: "InvalidTokenRequest", field })
        expect(error.message).not.toContain("eyJ")
        expect(emulator.stats().exchangeRequests).toBe(0)
      }).pipe(Effect.provide(exchangeLayer())))
  }

  it.live("user A never receives a token exchanged for user B (property, concurrent and interleaved)", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.constantFrom("dev-gcp:team:one", "dev-gcp:team:two")), {
            minLength: 1,
            maxLength: 30
          }),
          async (calls) => {
            emulator.reset()
            const users = await Promise.all([0, 1, 2, 3, 4].map((i) => emulator.issueUserToken({ provider: "idporten", subject: `user-${i}` })))
            const results = await Effect.runPromise(
              Effect.all(
                calls.map(([user, target]) =>
                  Effect.map(exchange({ identityProvider: "tokenx", target, userToken: Redacted.make(users[user]!) }), (token) => ({
                    user,
                    target,
                    token
                  }))
                ),
                { concurrency: "unbounded" }
              ).pipe(Effect.provide(exchangeLayer()))
            )
            for (const { target, token, user } of results) {
              expect(claimsOf(token)).toMatchObject({ sub: `user-${user}`, aud: target })
            }
          }
        ),
        { numRuns: 40 }
      )
    ))

  it.effect("layerConfig needs NAIS_TOKEN_EXCHANGE_ENDPOINT only for exchange; TokenService does not need it", () =>
    Effect.gen(function*() {
      const env = ConfigProvider.fromMap(new Map([["NAIS_TOKEN_ENDPOINT", emulator.tokenEndpoint]]))
      const withEnv = Layer.setConfigProvider(env)
      const exchangeExit = yield* Effect.exit(
        Effect.provide(TokenExchange, TokenExchange.layerConfig().pipe(Layer.provide(FetchHttpClient.layer), Layer.provide(withEnv)))
      )
      expect(Exit.isFailure(exchangeExit) && String(exchangeExit.cause)).toContain("NAIS_TOKEN_EXCHANGE_ENDPOINT")
      const tokensExit = yield* Effect.exit(
        Effect.provide(TokenService, TokenService.layerConfig().pipe(Layer.provide(FetchHttpClient.layer), Layer.provide(withEnv)))
      )
      expect(Exit.isSuccess(tokensExit)).toBe(true)
    }))
})

describe("TokenIntrospection", () => {
  const introspect = (identityProvider: "idporten" | "tokenx", token: string) =>
    Effect.flatMap(TokenIntrospection, (service) => service.introspect({ identityProvider, token: Redacted.make(token) }))

  it.effect("answers Active with typed claims for a valid token", () =>
    Effect.gen(function*() {
      const token = yield* Effect.promise(() =>
        emulator.issueUserToken({ provider: "idporten", subject: "user-a", claims: { pid: "12345678910", custom: [1, 2] } })
      )
      const result = yield* introspect("idporten", token)
      expect(result._tag).toBe("Active")
      if (result._tag === "Active") {
        expect(result.claims).toMatchObject({ sub: "user-a", pid: "12345678910", iss: emulator.issuer("idporten"), custom: [1, 2] })
        expect(typeof result.claims.exp).toBe("number")
      }
    }).pipe(Effect.provide(introspectionLayer())))

  it.effect("answers Inactive with the reason for expired, tampered and foreign tokens", () =>
    Effect.gen(function*() {
      const expired = yield* Effect.promise(() => emulator.issueUserToken({ provider: "idporten", expiresIn: "-2 minutes" }))
      expect(yield* introspect("idporten", expired)).toMatchObject({ _tag: "Inactive", reason: "invalid token: ExpiredSignature" })
      const valid = yield* Effect.promise(() => emulator.issueUserToken({ provider: "idporten" }))
      expect(yield* introspect("idporten", `${valid}x`)).toMatchObject({ _tag: "Inactive" })
      expect(yield* introspect("tokenx", valid)).toMatchObject({ _tag: "Inactive", reason: "token can not be validated with this identity provider" })
      expect(yield* introspect("idporten", "garbage")).toMatchObject({ _tag: "Inactive", reason: "invalid token header: InvalidToken" })
    }).pipe(Effect.provide(introspectionLayer())))

  it.live("retries a 503, and fails typed on an answer without `active`", () =>
    Effect.gen(function*() {
      const valid = yield* Effect.promise(() => emulator.issueUserToken({ provider: "idporten" }))
      emulator.inject(Fault.status(503))
      expect((yield* introspect("idporten", valid))._tag).toBe("Active")
      expect(emulator.stats().introspectionRequests).toBe(2)
      emulator.inject(Fault.respond(200, { sub: "x" }))
      const another = yield* Effect.promise(() => emulator.issueUserToken({ provider: "idporten" }))
      const error = yield* Effect.flip(introspect("idporten", another))
      expect(error).toMatchObject({ _tag: "InvalidTokenResponse" })
      expect(error.message).toContain("active")
    }).pipe(Effect.provide(introspectionLayer())))

  it.effect("refuses an empty token before sending anything", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(introspect("idporten", " "))
      expect(error).toMatchObject({ _tag: "InvalidTokenRequest", field: "token" })
      expect(emulator.stats().introspectionRequests).toBe(0)
    }).pipe(Effect.provide(introspectionLayer())))

  // Security review: inbound amplification. What cannot be a JWS the sidecar answers inactive
  // (nais/texas src/oauth/token.rs decodes the header first), so it is answered here without a request.
  it.effect("answers a token that cannot be a JWT inactive without asking the sidecar", () =>
    Effect.gen(function*() {
      for (const token of ["x", "a.b", "not a jwt", "a.b.c.d.e", `${"a".repeat(17_000)}.b.c`]) {
        expect((yield* introspect("idporten", token))._tag).toBe("Inactive")
      }
      expect(yield* introspect("idporten", "x")).toMatchObject({ reason: "invalid token header: InvalidToken" })
      expect(emulator.stats().introspectionRequests).toBe(0)
    }).pipe(Effect.provide(introspectionLayer())))

  it.live("identical tokens in flight share one request", () =>
    Effect.gen(function*() {
      const token = yield* Effect.promise(() => emulator.issueUserToken({ provider: "idporten" }))
      const results = yield* Effect.all(Array.from({ length: 20 }, () => introspect("idporten", token)), { concurrency: "unbounded" })
      expect(results.every((result) => result._tag === "Active")).toBe(true)
      expect(emulator.stats().introspectionRequests).toBe(1)
    }).pipe(Effect.provide(introspectionLayer())))

  it.live("on the request path: with the sidecar answering 503, at most one retry, and soon", () =>
    Effect.gen(function*() {
      const token = yield* Effect.promise(() => emulator.issueUserToken({ provider: "idporten" }))
      emulator.inject(Fault.status(503), 10)
      const started = Date.now()
      const error = yield* Effect.flip(introspect("idporten", token))
      expect(error._tag).toBe("TokenEndpointError")
      expect(emulator.stats().introspectionRequests).toBe(2)
      expect(Date.now() - started).toBeLessThan(1_000)
    }).pipe(Effect.provide(TokenIntrospection.layer({ endpoint: `${emulator.url}/api/v1/introspect` })), Effect.provide(FetchHttpClient.layer)))

  // Hot paths: the verdict cache (Texas's answer is a local JWT check: nais/texas src/oauth/token.rs).
  it.live("200 introspections of one token cost one request; the verdict never outlives the token's exp", () =>
    Effect.gen(function*() {
      const token = yield* Effect.promise(() => emulator.issueUserToken({ provider: "idporten", expiresIn: "2 seconds" }))
      for (let i = 0; i < 200; i++) expect((yield* introspect("idporten", token))._tag).toBe("Active")
      expect(emulator.stats().introspectionRequests).toBe(1)
      // Past its exp the verdict is gone: the sidecar is asked again (and, within its 60 s leeway, says active).
      yield* Effect.sleep("2100 millis")
      expect((yield* introspect("idporten", token))._tag).toBe("Active")
      expect(emulator.stats().introspectionRequests).toBe(2)
    }).pipe(Effect.provide(introspectionLayer())))

  it.live("inactive verdicts are not kept; cache: false asks every time; the key is never the token", () =>
    Effect.gen(function*() {
      const expired = yield* Effect.promise(() => emulator.issueUserToken({ provider: "idporten", expiresIn: "-5 minutes" }))
      yield* introspect("idporten", expired)
      yield* introspect("idporten", expired)
      expect(emulator.stats().introspectionRequests).toBe(2)
      const token = yield* Effect.promise(() => emulator.issueUserToken({ provider: "idporten" }))
      const uncached = yield* Effect.provide(
        Effect.all([introspect("idporten", token), introspect("idporten", token)]),
        TokenIntrospection.layer({ endpoint: `${emulator.url}/api/v1/introspect`, cache: false }).pipe(Layer.provide(FetchHttpClient.layer))
      )
      expect(uncached.map((result) => result._tag)).toEqual(["Active", "Active"])
      expect(emulator.stats().introspectionRequests).toBe(4)
    }).pipe(Effect.provide(introspectionLayer())))

  it.live("a verdict lives at most maxAge", () =>
    Effect.gen(function*() {
      const token = yield* Effect.promise(() => emulator.issueUserToken({ provider: "idporten" }))
      yield* introspect("idporten", token)
      yield* Effect.sleep("300 millis")
      yield* introspect("idporten", token)
      expect(emulator.stats().introspectionRequests).toBe(2)
    }).pipe(Effect.provide(
      TokenIntrospection.layer({ endpoint: `${emulator.url}/api/v1/introspect`, cache: { maxAge: "200 millis" } }).pipe(Layer.provide(FetchHttpClient.layer))
    )))
})
