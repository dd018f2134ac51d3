/**
 * The user an incoming request was authenticated as.
 *
 * @since 1.0.0
 */
import * as Context from "effect/Context"
import type * as Redacted from "effect/Redacted"
import type { Claims } from "./TokenIntrospection.js"

/**
 * A user as `requireUser` or `Authentication` found them.
 *
 * @category Models
 * @since 1.0.0
 */
export interface User {
  /** The user's access token as it came in, without `Bearer `. */
  readonly token: Redacted.Redacted<string>
  /** Its claims, as introspection returned them. */
  readonly claims: Claims
}

/**
 * The authenticated user of the current request.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CurrentUser } from "@effect-texas/core"
 *
 * const whoAmI = Effect.map(CurrentUser, (user) => user.claims.sub)
 * ```
 *
 * @category Services
 * @since 1.0.0
 */
export class CurrentUser extends Context.Service<CurrentUser, User>()("@effect-texas/core/CurrentUser") {}
