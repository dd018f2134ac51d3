/**
 * Calls to other applications on behalf of the current user: the user's
 * token exchanged (TokenX, Entra ID on-behalf-of) for each request.
 *
 * @since 1.0.0
 */
import { type AccessToken, CurrentUser, type ExchangeRequest, type TokenError, TokenExchange } from "@effect-texas/core"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import type { AuthError } from "./AuthError.js"
import { authenticateFrom, type OriginOptions } from "./Authenticate.js"

/**
 * Which exchange, and where the token may go.
 *
 * @category Options
 * @since 1.0.0
 */
export interface OnBehalfOfOptions extends OriginOptions {
  readonly identityProvider: ExchangeRequest["identityProvider"]
  /** TokenX: `cluster:namespace:app`; Entra ID: `api://cluster.namespace.app/.default`. */
  readonly target: string
}

/**
 * Authenticates a client's requests with the `CurrentUser`'s token exchanged
 * by `TokenExchange` (cached per user and target); a 401 asks `TokenExchange.renew`
 * for a replacement (one forced exchange per user and target within the
 * service's `minRenewInterval`) and replays once.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpClient } from "effect/http"
 * import { authenticateOnBehalfOf } from "@effect-texas/http-client"
 *
 * // In a handler behind Authentication or requireUser, which provide the CurrentUser:
 * const accounts = (downstream: string) =>
 *   Effect.gen(function*() {
 *     const client = (yield* HttpClient.HttpClient).pipe(
 *       authenticateOnBehalfOf({ identityProvider: "tokenx", target: "dev-gcp:bank:accounts", allowedOrigins: [downstream] })
 *     )
 *     return yield* client.get(`${downstream}/api/accounts`)
 *   })
 * ```
 *
 * @category Middleware
 * @since 1.0.0
 */
export const authenticateOnBehalfOf = (options: OnBehalfOfOptions) =>
<E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<E | TokenError | AuthError, R | TokenExchange | CurrentUser> => {
  const request = (user: CurrentUser["Service"]): ExchangeRequest => ({
    identityProvider: options.identityProvider,
    target: options.target,
    userToken: user.token
  })
  const token = Effect.flatMap(CurrentUser, (user) => TokenExchange.use((service) => service.exchange(request(user))))
  const renew = (rejected: AccessToken) =>
    Effect.flatMap(CurrentUser, (user) => TokenExchange.use((service) => service.renew(request(user), rejected)))
  return authenticateFrom({ token, renew }, options)(client)
}
