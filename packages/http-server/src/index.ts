/**
 * Inbound authentication for `@effect/platform` servers: validates callers'
 * bearer tokens with the NAIS token sidecar (Texas) and provides the
 * `CurrentUser` to handlers.
 *
 * @since 0.1.0
 *
 * @document ../README.md
 * @module @effect-texas/http-server
 */

export { Authentication, type AuthenticationOptions } from "./Authentication.js"

export { requireUser, type RequireUserOptions } from "./RequireUser.js"

/**
 * Who may call: per-provider requirements (`require`) and the `InvalidPolicy` error.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as AccessPolicy from "./AccessPolicy.js"

export { type AccessOptions, InvalidPolicy } from "./AccessPolicy.js"
