/**
 * The user on whose behalf the current request runs: their token (for
 * exchanging it) and its validated claims. The server side provides it (the
 * inbound middleware of `@effect-texas/http-server` does, after introspection);
 * `authenticateOnBehalfOf` reads it.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Redacted from "effect/Redacted"
import type { Claims } from "./TokenIntrospection.js"

/**
 * What is known about the current user.
 *
 * @category Models
 * @since 0.1.0
 */
export interface User {
  /** The user's access token as it came in, without `Bearer `. */
  readonly token: Redacted.Redacted<string>
  /** Its claims, as introspection returned them. */
  readonly claims: Claims
}

/**
 * The current request's user.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CurrentUser } from "@effect-texas/core"
 *
 * const greeting = Effect.map(CurrentUser, (user) => `hello, ${user.claims.sub ?? "stranger"}`)
 * ```
 *
 * @category Services
 * @since 0.1.0
 */
export class CurrentUser extends Context.Tag("@effect-texas/core/CurrentUser")<CurrentUser, User>() {}
