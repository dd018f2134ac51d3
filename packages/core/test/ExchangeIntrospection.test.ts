import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import {
  type ExchangeRequest,
  TokenExchange,
  type TokenExchangeOptions,
  TokenService
} from "@effect-texas/core"
import { startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as ConfigProvider from "effect/ConfigProvider"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
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

describe("TokenExchange", () => {
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

  // The other refusals are pinned for both lines in ../../../behaviour/user-tokens.test.ts; a token
  // passed without Redacted is this line's own type boundary.
  const badRequests: ReadonlyArray<readonly [string, (token: Redacted.Redacted<string>) => ExchangeRequest, string]> = [
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
