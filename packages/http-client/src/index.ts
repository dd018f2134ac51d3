/**
 * `HttpClient` middleware that authenticates outbound requests with tokens
 * from `@effect-texas/core`, only towards the origins it was set up for.
 *
 * @since 0.1.0
 *
 * @document ../README.md
 * @module @effect-texas/http-client
 */

export {
  authenticate,
  authenticateFrom,
  type AuthenticateOptions,
  authenticateWith,
  type OriginOptions,
  type TokenSource
} from "./Authenticate.js"

/**
 * A ready authenticated client for one API, as a layer.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as AuthenticatedClient from "./AuthenticatedClient.js"

export { type AuthError, InvalidRedirect, OriginNotAllowed } from "./AuthError.js"

export { authenticateOnBehalfOf, type OnBehalfOfOptions } from "./OnBehalfOf.js"
