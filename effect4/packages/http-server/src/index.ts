/**
 * Inbound authentication for Effect 4 servers with the NAIS token sidecar:
 * `requireUser` for `effect/http` handlers, `Authentication` for `effect/http-api`.
 *
 * @since 1.0.0
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
 * @since 1.0.0
 */
export * as AccessPolicy from "./AccessPolicy.js"

export { type AccessOptions, InvalidPolicy } from "./AccessPolicy.js"
