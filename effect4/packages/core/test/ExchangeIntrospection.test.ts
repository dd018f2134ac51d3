/**
 * TokenExchange and TokenIntrospection (Effect 4) against the emulator.
 */
import { describe, expect, it } from "@effect/vitest"
import { TokenExchange, TokenIntrospection } from "@effect-texas/core"
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
  Layer.mergeAll(
    TokenExchange.layer({ endpoint: `${emulator.url}/api/v1/token/exchange` }),
    TokenIntrospection.layer({ endpoint: `${emulator.url}/api/v1/introspect` })
  ).pipe(Layer.provide(FetchHttpClient.layer))
)
const requestsTo = (path: string) => emulator.requests().filter((r) => r.path === path)

describe("TokenExchange (Effect 4)", () => {
  it.effect("exchanges a user's token, cached per user and target", () =>
    Effect.gen(function*() {
      const exchange = yield* TokenExchange
      const userToken = Redacted.make(yield* Effect.promise(() => emulator.issueUserToken({ provider: "tokenx" })))
      const first = yield* exchange.exchange({ identityProvider: "tokenx", target: "dev-gcp:team:api", userToken })
      const again = yield* exchange.exchange({ identityProvider: "tokenx", target: "dev-gcp:team:api", userToken })
      expect(again).toBe(first)
      expect(requestsTo("/api/v1/token/exchange")).toHaveLength(1)
    }).pipe(Effect.provide(Services)))

  it.effect("refuses a user token that is not Redacted, before sending", () =>
    Effect.gen(function*() {
      const exchange = yield* TokenExchange
      const error = yield* Effect.flip(exchange.exchange({ identityProvider: "tokenx", target: "dev-gcp:team:api", userToken: "a.b.c" as unknown as Redacted.Redacted<string> }))
      expect(error).toMatchObject({ _tag: "InvalidTokenRequest", field: "userToken" })
      expect(requestsTo("/api/v1/token/exchange")).toHaveLength(0)
    }).pipe(Effect.provide(Services)))
})

describe("TokenIntrospection (Effect 4)", () => {
  it.effect("active with claims (one request for repeated calls), inactive with the sidecar's reason", () =>
    Effect.gen(function*() {
      const introspection = yield* TokenIntrospection
      const token = Redacted.make(yield* Effect.promise(() => emulator.issueUserToken({ provider: "idporten", subject: "someone" })))
      const active = yield* introspection.introspect({ identityProvider: "idporten", token })
      yield* introspection.introspect({ identityProvider: "idporten", token })
      expect(active).toMatchObject({ _tag: "Active", claims: { sub: "someone" } })
      expect(requestsTo("/api/v1/introspect")).toHaveLength(1)
      const expired = Redacted.make(yield* Effect.promise(() => emulator.issueUserToken({ provider: "idporten", expiresIn: "-5 minutes" })))
      expect(yield* introspection.introspect({ identityProvider: "idporten", token: expired })).toMatchObject({
        _tag: "Inactive",
        reason: "invalid token: ExpiredSignature"
      })
      expect(yield* introspection.introspect({ identityProvider: "idporten", token: Redacted.make("not a jwt") })).toMatchObject({ _tag: "Inactive" })
      expect(requestsTo("/api/v1/introspect")).toHaveLength(2)
    }).pipe(Effect.provide(Services)))
})
