/**
 * What the authenticating middleware refuses, besides the token errors.
 *
 * @since 1.0.0
 */
import { Messages } from "@effect-texas/protocol"
import * as Data from "effect/Data"

/**
 * The request was for an origin not in `allowedOrigins`: nothing was sent, no token fetched.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OriginNotAllowed } from "@effect-texas/http-client"
 *
 * const refused = Effect.fail(new OriginNotAllowed({ origin: "https://elsewhere.example", allowedOrigins: ["https://api.example.com"] }))
 * ```
 *
 * @category Errors
 * @since 1.0.0
 */
export class OriginNotAllowed extends Data.TaggedError("OriginNotAllowed")<{
  readonly origin: string
  readonly allowedOrigins: ReadonlyArray<string>
}> {
  override get message(): string {
    return Messages.originNotAllowed(this)
  }
}

/**
 * A redirect the middleware was asked to follow had no usable `Location`.
 *
 * @example
 * ```ts
 * import { InvalidRedirect } from "@effect-texas/http-client"
 *
 * const error = new InvalidRedirect({ status: 302, reason: "its Location header is not a URL" })
 * ```
 *
 * @category Errors
 * @since 1.0.0
 */
export class InvalidRedirect extends Data.TaggedError("InvalidRedirect")<{
  readonly status: number
  readonly reason: string
}> {
  override get message(): string {
    return Messages.invalidRedirect(this)
  }
}

/**
 * Any refusal of the middleware.
 *
 * @category Errors
 * @since 1.0.0
 */
export type AuthError = OriginNotAllowed | InvalidRedirect
