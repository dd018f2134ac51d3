/**
 * `HttpClient` middleware (Effect 4, `effect/http`) that authenticates
 * outbound requests with tokens from `@effect-texas/core`.
 *
 * @since 1.0.0
 *
 * @document ../README.md
 * @module @effect-texas/http-client
 */

export {
  authenticate,
  type AuthenticateOptions,
  authenticateFrom,
  authenticateWith,
  type OriginOptions,
  type TokenSource
} from "./Authenticate.js"

/**
 * A ready authenticated client for one API, as a layer.
 *
 * @category Modules
 * @since 1.0.0
 */
export * as AuthenticatedClient from "./AuthenticatedClient.js"

export { type AuthError, InvalidRedirect, OriginNotAllowed } from "./AuthError.js"

export { authenticateOnBehalfOf, type OnBehalfOfOptions } from "./OnBehalfOf.js"
