/**
 * Outbound requests on behalf of the current user: each request carries a
 * token exchanged (TokenX, Entra ID on-behalf-of) from the user's own token.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { type AccessToken, CurrentUser, type ExchangeRequest, type TokenError, TokenExchange } from "@effect-texas/core"
import * as Effect from "effect/Effect"
import type { AuthError } from "./AuthError.js"
import { authenticateFrom, type OriginOptions } from "./Authenticate.js"

/**
 * Which token to exchange for, and where it may go.
 *
 * @category Options
 * @since 0.1.0
 */
export interface OnBehalfOfOptions extends OriginOptions {
  readonly identityProvider: ExchangeRequest["identityProvider"]
  /** TokenX: `cluster:namespace:app`; Entra ID: `api://cluster.namespace.app/.default`. */
  readonly target: string
}

/**
 * Authenticates every request with a token exchanged from the `CurrentUser`'s
 * token, so the downstream API sees the user, not only the application.
 *
 * - The exchange is cached per user and target (`TokenExchange`); a hit adds no I/O.
 * - Only `allowedOrigins` get the token; other requests fail with
 *   `OriginNotAllowed` before anything is exchanged or sent.
 * - On a 401 it asks `TokenExchange.renew` for a replacement (one forced
 *   exchange per user and target within the service's `minRenewInterval`) and replays once.
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { authenticateOnBehalfOf } from "@effect-texas/http-client"
 *
 * // Inside a handler that has the CurrentUser (see @effect-texas/http-server):
 * const callDownstream = Effect.gen(function*() {
 *   const client = (yield* HttpClient.HttpClient).pipe(
 *     authenticateOnBehalfOf({
 *       identityProvider: "tokenx",
 *       target: "dev-gcp:team:downstream",
 *       allowedOrigins: ["http://downstream"]
 *     })
 *   )
 *   return yield* client.get("http://downstream/api/things")
 * })
 * ```
 *
 * @category Middleware
 * @since 0.1.0
 */
export const authenticateOnBehalfOf = (options: OnBehalfOfOptions) =>
<E, R>(
  client: HttpClient.HttpClient.With<E, R>
): HttpClient.HttpClient.With<E | TokenError | AuthError, R | TokenExchange | CurrentUser> => {
  const request = (user: CurrentUser["Type"]): ExchangeRequest =>
    ({ identityProvider: options.identityProvider, target: options.target, userToken: user.token })
  const token = Effect.flatMap(CurrentUser, (user) => Effect.flatMap(TokenExchange, (service) => service.exchange(request(user))))
  const renew = (rejected: AccessToken) =>
    Effect.flatMap(CurrentUser, (user) => Effect.flatMap(TokenExchange, (service) => service.renew(request(user), rejected)))
  return authenticateFrom({ token, renew }, options)(client)
}
