/**
 * Inbound authentication for Effect 4 servers with the NAIS token sidecar:
 * `requireUser` for `effect/http` handlers, `Authentication` for `effect/http-api`.
 *
 * @since 1.0.0
 */

export { Authentication, type AuthenticationOptions } from "./Authentication.js"

export { requireUser, type RequireUserOptions } from "./RequireUser.js"
