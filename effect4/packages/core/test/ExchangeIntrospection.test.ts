/**
 * TokenExchange (Effect 4): what only this line's types decide (a user token must be `Redacted`).
 */
import { describe, expect, it } from "@effect/vitest"
import { TokenExchange } from "@effect-texas/core"
import { startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import { afterAll, afterEach, beforeAll } from "vitest"

let emulator: TexasEmulatorHandle
beforeAll(async () => {
  emulator = await startTexasEmulator()
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

const Services = Layer.suspend(() =>
  TokenExchange.layer({ endpoint: `${emulator.url}/api/v1/token/exchange` }).pipe(Layer.provide(FetchHttpClient.layer))
)
const requestsTo = (path: string) => emulator.requests().filter((r) => r.path === path)

describe("TokenExchange (Effect 4)", () => {
  // Exchanges, introspections and the verdict cache: pinned for both lines in ../behaviour/user-tokens.test.ts.
  it.effect("refuses a user token that is not Redacted, before sending", () =>
    Effect.gen(function*() {
      const exchange = yield* TokenExchange
      const error = yield* Effect.flip(exchange.exchange({ identityProvider: "tokenx", target: "dev-gcp:team:api", userToken: "a.b.c" as unknown as Redacted.Redacted<string> }))
      expect(error).toMatchObject({ _tag: "InvalidTokenRequest", field: "userToken" })
      expect(requestsTo("/api/v1/token/exchange")).toHaveLength(0)
    }).pipe(Effect.provide(Services)))
})
