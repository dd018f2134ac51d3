/**
 * A token as the SDK hands it out: the token itself (`Redacted`, so it never
 * shows in logs), its type and when it expires.
 *
 * @since 1.0.0
 */
import * as Data from "effect/Data"
import type * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"
import type * as Redacted from "effect/Redacted"

/**
 * An access token and its expiry.
 *
 * @example
 * ```ts
 * import { DateTime, Duration, Redacted } from "effect"
 * import { AccessToken } from "@effect-texas/core"
 *
 * const token = new AccessToken({
 *   accessToken: Redacted.make("eyJ..."),
 *   tokenType: "Bearer",
 *   expiresAt: DateTime.makeUnsafe(Date.now() + 3_600_000),
 *   expiresIn: Duration.hours(1)
 * })
 * console.log(String(token.accessToken)) // <redacted>
 * ```
 *
 * @category Models
 * @since 1.0.0
 */
export class AccessToken extends Data.Class<{
  readonly accessToken: Redacted.Redacted<string>
  readonly tokenType: "Bearer"
  readonly expiresAt: DateTime.Utc
  /** The lifetime the endpoint reported when it issued the token. */
  readonly expiresIn: Duration.Duration
}> {}
