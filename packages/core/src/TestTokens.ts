/**
 * The recorder of `TokenService.layerTest`: what the code under test asked for.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { TokenRequest } from "./TokenRequest.js"

/**
 * Every request the stub `TokenService` received, oldest first.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Maskinporten, TestTokens, TokenService } from "@effect-texas/core"
 *
 * const test = Effect.gen(function*() {
 *   yield* Maskinporten.token("skatt:some.scope")
 *   const requests = yield* TestTokens.pipe(Effect.flatMap((recorder) => recorder.requests))
 *   console.log(requests.length) // 1
 * }).pipe(Effect.provide(TokenService.layerTest()))
 * ```
 *
 * @category Services
 * @since 0.1.0
 */
export class TestTokens extends Context.Tag("@effect-texas/core/TestTokens")<TestTokens, {
  readonly requests: Effect.Effect<ReadonlyArray<TokenRequest>>
}>() {}
