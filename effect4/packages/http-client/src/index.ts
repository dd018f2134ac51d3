/**
 * `HttpClient` middleware (Effect 4, `effect/http`) that authenticates
 * outbound requests with tokens from `@effect-texas/core`.
 *
 * @since 1.0.0
 */

export {
  authenticate,
  type AuthenticateOptions,
  authenticateFrom,
  type OriginOptions,
  type TokenSource
} from "./Authenticate.js"

export { type AuthError, InvalidRedirect, OriginNotAllowed } from "./AuthError.js"

export { authenticateOnBehalfOf, type OnBehalfOfOptions } from "./OnBehalfOf.js"
