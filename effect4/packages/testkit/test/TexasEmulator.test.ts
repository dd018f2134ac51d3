/**
 * The testkit (Effect 4): the shared emulator as layers.
 */
import { describe, expect, it } from "@effect/vitest"
import { TokenService } from "@effect-texas/core"
import { Fault, ProtectedApi, TexasEmulator } from "@effect-texas/testkit"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as FetchHttpClient from "effect/http/FetchHttpClient"

const Servers = ProtectedApi.layer({ requiredScope: "skatt:some.scope" }).pipe(Layer.provideMerge(TexasEmulator.layer()))
const Tokens = Layer.unwrap(Effect.map(TexasEmulator, (emulator) => TokenService.layer({ endpoint: emulator.tokenEndpoint }))).pipe(
  Layer.provide(FetchHttpClient.layer)
)

describe("testkit (Effect 4)", () => {
  it.effect("starts the emulator and the protected API for the layer's scope; controls are effects", () =>
    Effect.gen(function*() {
      const emulator = yield* TexasEmulator
      const api = yield* ProtectedApi
      const tokens = yield* TokenService
      yield* emulator.inject(Fault.status(400, { error: "invalid_request" }))
      const refused = yield* Effect.flip(tokens.token({ identityProvider: "maskinporten", target: "skatt:some.scope" }))
      expect(refused).toMatchObject({ _tag: "TokenEndpointError", status: 400, error: "invalid_request" })
      const token = yield* tokens.token({ identityProvider: "maskinporten", target: "skatt:some.scope" })
      const answer = yield* Effect.promise(() => fetch(`${api.url}/x`, { headers: { authorization: `Bearer ${token.accessToken.pipe(String)}` } }))
      expect(answer.status).toBe(401) // String() of a Redacted is "<redacted>": the API refuses it
      expect((yield* emulator.stats).tokenRequests).toBe(2)
    }).pipe(Effect.provide(Tokens.pipe(Layer.provideMerge(Servers)))))

  it.effect("a taken port is a typed EmulatorStartError", () =>
    Effect.gen(function*() {
      const first = yield* TexasEmulator
      const port = Number(new URL(first.url).port)
      const error = yield* Effect.flip(Effect.provide(Effect.asVoid(TexasEmulator), TexasEmulator.layer({ port })))
      expect(error).toMatchObject({ _tag: "EmulatorStartError", port })
    }).pipe(Effect.provide(TexasEmulator.layer())))
})
