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
 * Options of a Maskinporten request besides its scopes.
 *
 * @category Options
 * @since 1.1.0
 */
export type Options = Omit<TokenRequest, "identityProvider" | "target">

/**
 * A Maskinporten token request for one or more scopes.
 *
 * @example
 * ```ts
 * import { Maskinporten } from "@effect-texas/core"
 *
 * const request = Maskinporten.request(["skatt:some.scope", "nav:other/scope"], { resource: "https://api.example.com/" })
 * ```
 *
 * @category Constructors
 * @since 1.1.0
 */
export const request = (scopes: string | ReadonlyArray<string>, options: Options = {}): TokenRequest => ({
  ...options,
  identityProvider: "maskinporten",
  target: scopes
})

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
  options: Options = {}
): Effect.Effect<AccessToken, TokenError, TokenService> =>
  TokenService.use((tokens) => tokens.token(request(scope, options)))
