/**
 * A machine token as the SDK hands it out: the token itself kept `Redacted`,
 * with its type and when it expires.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import { NodeInspectSymbol } from "effect/Inspectable"
import * as Redacted from "effect/Redacted"

// ---- Models ------------------------------------------------------------------

/**
 * An access token from the token endpoint.
 *
 * Printing, logging or `JSON.stringify`-ing it never shows the token: only
 * `Redacted.value(token.accessToken)` does. Call it where the header is set, nowhere else.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Maskinporten } from "@effect-texas/core"
 *
 * const program = Effect.gen(function*() {
 *   const token = yield* Maskinporten.token("skatt:some.scope")
 *   yield* Effect.log(token) // AccessToken(Bearer, expires 2026-...): no token in the log
 *   return { authorization: `Bearer ${Redacted.value(token.accessToken)}` }
 * })
 * ```
 *
 * @category Models
 * @since 0.1.0
 */
export class AccessToken extends Data.Class<{
  readonly accessToken: Redacted.Redacted<string>
  readonly tokenType: "Bearer"
  /** When the token expires: receipt time plus `expires_in`. */
  readonly expiresAt: DateTime.Utc
  /** The lifetime it had left when it was received. */
  readonly expiresIn: Duration.Duration
}> {
  override toString(): string {
    return `AccessToken(${this.tokenType}, expires ${DateTime.formatIso(this.expiresAt)})`
  }

  toJSON(): unknown {
    return {
      _id: "AccessToken",
      accessToken: "<redacted>",
      tokenType: this.tokenType,
      expiresAt: DateTime.formatIso(this.expiresAt),
      expiresIn: Duration.format(this.expiresIn)
    }
  }

  [NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}
