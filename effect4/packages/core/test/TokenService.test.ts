/**
 * TokenService (Effect 4): its layers and cache keys; its behaviour is in
 * the shared suite (../behaviour).
 */
import { describe, expect, it } from "@effect/vitest"
import { TokenService } from "@effect-texas/core"
import { startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import { afterAll, afterEach, beforeAll } from "vitest"

const scope = "skatt:some.scope"
let emulator: TexasEmulatorHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: [scope, "skatt:other.scope"] })
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())


describe("TokenService (Effect 4)", () => {
  // Tokens, the cache, renewals, retries and the typed errors: pinned once for both lines in
  // ../behaviour/tokens.test.ts (run here through behaviour/driver.ts).
  it.effect("layerConfig reads NAIS_TOKEN_ENDPOINT; a missing one fails the layer", () =>
    Effect.gen(function*() {
      const token = yield* TokenService.use((tokens) => tokens.token({ identityProvider: "maskinporten", target: scope })).pipe(
        Effect.provide(TokenService.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))),
        Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({ NAIS_TOKEN_ENDPOINT: emulator.tokenEndpoint })))
      )
      expect(token.tokenType).toBe("Bearer")
      const missing = yield* Effect.flip(TokenService.use(() => Effect.void).pipe(
        Effect.provide(TokenService.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))),
        Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({})))
      ))
      expect(missing._tag).toBe("ConfigError")
    }))

  it("cacheKey is equal exactly when the sidecar gives one token", () => {
    const a = TokenService.cacheKey({ identityProvider: "azuread", target: ["b", "a"] })
    const b = TokenService.cacheKey({ identityProvider: "entra_id", target: "b a" })
    expect(Result.getOrThrow(a)).toBe(Result.getOrThrow(b))
  })
})
