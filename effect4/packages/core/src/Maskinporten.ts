/**
 * Maskinporten tokens in one call.
 *
 * @since 1.0.0
 */
import type * as Effect from "effect/Effect"
import type { AccessToken } from "./AccessToken.js"
import type { TokenError } from "./TokenError.js"
import type { TokenRequest } from "./TokenRequest.js"
import { TokenService } from "./TokenService.js"

/**
 * A Maskinporten token for `scope` from the `TokenService` in context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Maskinporten } from "@effect-texas/core"
 *
 * const program = Effect.gen(function*() {
 *   const token = yield* Maskinporten.token("skatt:some.scope")
 *   yield* Effect.log(`expires in ${token.expiresIn}`)
 * })
 * ```
 *
 * @category Accessors
 * @since 1.0.0
 */
export const token = (
  scope: string | ReadonlyArray<string>,
  options: Omit<TokenRequest, "identityProvider" | "target"> = {}
): Effect.Effect<AccessToken, TokenError, TokenService> =>
  TokenService.use((tokens) => tokens.token({ ...options, identityProvider: "maskinporten", target: scope }))
