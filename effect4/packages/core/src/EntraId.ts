/**
 * Entra ID machine-to-machine tokens.
 *
 * @since 1.0.0
 */
import type * as Effect from "effect/Effect"
import type { AccessToken } from "./AccessToken.js"
import type { TokenError } from "./TokenError.js"
import type { TokenRequest } from "./TokenRequest.js"
import { TokenService } from "./TokenService.js"

/**
 * An Entra ID token request for a target application, `api://<cluster>.<namespace>.<app>/.default`.
 *
 * @example
 * ```ts
 * import { EntraId } from "@effect-texas/core"
 *
 * const request = EntraId.request("api://dev-gcp.team.app/.default")
 * ```
 *
 * @category Constructors
 * @since 1.1.0
 */
export const request = (target: string, options: Pick<TokenRequest, "skipCache"> = {}): TokenRequest => ({
  ...options,
  identityProvider: "entra_id",
  target
})

/**
 * An Entra ID token for `target` (`api://<cluster>.<namespace>.<app>/.default`) from the `TokenService` in context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { EntraId } from "@effect-texas/core"
 *
 * const program = Effect.gen(function*() {
 *   const token = yield* EntraId.token("api://dev-gcp.team.app/.default")
 *   yield* Effect.log(`expires in ${token.expiresIn}`)
 * })
 * ```
 *
 * @category Accessors
 * @since 1.0.0
 */
export const token = (target: string, options: Pick<TokenRequest, "skipCache"> = {}): Effect.Effect<AccessToken, TokenError, TokenService> =>
  TokenService.use((tokens) => tokens.token(request(target, options)))
