/**
 * Entra ID machine-to-machine tokens for another application on the platform.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
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
 * @since 0.1.0
 */
export const request = (target: string, options: Pick<TokenRequest, "skipCache"> = {}): TokenRequest => ({
  ...options,
  identityProvider: "entra_id",
  target
})

/**
 * An Entra ID token for `target`, from the `TokenService` in context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { EntraId } from "@effect-texas/core"
 *
 * const program = EntraId.token("api://dev-gcp.team.app/.default").pipe(
 *   Effect.tap((token) => Effect.log(`expires ${token.expiresAt}`))
 * )
 * ```
 *
 * @category Accessors
 * @since 0.1.0
 */
export const token = (
  target: string,
  options: Pick<TokenRequest, "skipCache"> = {}
): Effect.Effect<AccessToken, TokenError, TokenService> =>
  Effect.flatMap(TokenService, (service) => service.token(request(target, options)))
