/**
 * Inbound authentication for `@effect/platform` servers: validates callers'
 * bearer tokens with the NAIS token sidecar (Texas) and provides the
 * `CurrentUser` to handlers.
 *
 * @since 0.1.0
 */

export { Authentication, type AuthenticationOptions } from "./Authentication.js"

export { requireUser, type RequireUserOptions } from "./RequireUser.js"
