/**
 * What `TokenService.layerTest` records.
 *
 * @since 1.0.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { TokenRequest } from "./TokenRequest.js"

/**
 * The requests the stub service received, oldest first.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Maskinporten, TestTokens, TokenService } from "@effect-texas/core"
 *
 * const program = Effect.gen(function*() {
 *   yield* Maskinporten.token("skatt:some.scope")
 *   return yield* TestTokens.use((recorded) => recorded.requests)
 * }).pipe(Effect.provide(TokenService.layerTest()))
 * ```
 *
 * @category Testing
 * @since 1.0.0
 */
export class TestTokens extends Context.Service<TestTokens, {
  readonly requests: Effect.Effect<ReadonlyArray<TokenRequest>>
}>()("@effect-texas/core/TestTokens") {}
