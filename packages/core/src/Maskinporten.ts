/**
 * The common case in one call: a Maskinporten token for some scopes.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type { AccessToken } from "./AccessToken.js"
import type { TokenError } from "./TokenError.js"
import type { TokenRequest } from "./TokenRequest.js"
import { TokenService } from "./TokenService.js"

/**
 * Options of a Maskinporten request besides its scopes.
 *
 * @category Options
 * @since 0.1.0
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
 * @since 0.1.0
 */
export const request = (scopes: string | ReadonlyArray<string>, options: Options = {}): TokenRequest => ({
  ...options,
  identityProvider: "maskinporten",
  target: scopes
})

/**
 * A Maskinporten token for `scopes`, from the `TokenService` in context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Maskinporten } from "@effect-texas/core"
 *
 * const program = Effect.gen(function*() {
 *   const token = yield* Maskinporten.token("skatt:some.scope", { resource: "https://api.example.com/" })
 *   yield* Effect.log(`expires ${token.expiresAt}`)
 * })
 * ```
 *
 * @category Accessors
 * @since 0.1.0
 */
export const token = (
  scopes: string | ReadonlyArray<string>,
  options: Options = {}
): Effect.Effect<AccessToken, TokenError, TokenService> =>
  Effect.flatMap(TokenService, (service) => service.token(request(scopes, options)))
