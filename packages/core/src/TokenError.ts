/**
 * Every way getting a token can fail, as tagged errors a caller can branch on
 * with `Effect.catchTag`. No error ever carries a token or a response body.
 *
 * @since 0.1.0
 */
import { Messages, type Request, Wire } from "@effect-texas/protocol"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"

// ---- InvalidTokenRequest -----------------------------------------------------

/**
 * The request was rejected before anything was sent: the fix is in the calling code or its configuration.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Maskinporten } from "@effect-texas/core"
 *
 * const program = Maskinporten.token("  ").pipe(
 *   Effect.catchTag("InvalidTokenRequest", (error) => Effect.logError(error.message))
 * )
 * ```
 *
 * @category Errors
 * @since 0.1.0
 */
export class InvalidTokenRequest extends Data.TaggedError("InvalidTokenRequest")<{
  /** Which part of the request is wrong. */
  readonly field: Request.Invalid["field"]
  /** What is wrong with it, in words a person can act on. */
  readonly reason: string
}> {
  override get message(): string {
    return Messages.invalidTokenRequest(this)
  }
}

// ---- TokenEndpointUnreachable ------------------------------------------------

/**
 * No answer came from the token endpoint (connection refused or reset, body cut
 * off, or no answer in time), also after the retries.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Maskinporten } from "@effect-texas/core"
 *
 * const program = Maskinporten.token("skatt:some.scope").pipe(
 *   Effect.catchTag("TokenEndpointUnreachable", (error) => Effect.logError(`sidecar down (${error.reason})`))
 * )
 * ```
 *
 * @category Errors
 * @since 0.1.0
 */
export class TokenEndpointUnreachable extends Data.TaggedError("TokenEndpointUnreachable")<{
  readonly endpoint: string
  /**
   * `Refused`: nothing listens at the endpoint (the sidecar is starting, or
   * gone); `Transport`: the connection failed otherwise (reset, body cut off);
   * `Timeout`: no complete answer within the time allowed.
   */
  readonly reason: "Refused" | "Transport" | "Timeout"
  /** What went wrong underneath (for logs); never holds a token. */
  readonly detail: string
}> {
  override get message(): string {
    return Messages.tokenEndpointUnreachable(this)
  }
}

// ---- TokenEndpointError ------------------------------------------------------

/**
 * The token endpoint answered with an error status. `error` is the OAuth error
 * code (`invalid_scope`, `invalid_request`, `server_error`, or a code of the
 * identity provider's own), `errorDescription` its text.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Maskinporten } from "@effect-texas/core"
 *
 * const program = Maskinporten.token("skatt:some.scope").pipe(
 *   Effect.catchTag("TokenEndpointError", (error) =>
 *     error.error === "invalid_scope"
 *       ? Effect.logWarning("scope not granted (yet?)", error.errorDescription)
 *       : Effect.fail(error))
 * )
 * ```
 *
 * @category Errors
 * @since 0.1.0
 */
export class TokenEndpointError extends Data.TaggedError("TokenEndpointError")<{
  readonly endpoint: string
  readonly status: number
  /** The OAuth error code; `unknown_error` when the body held none. */
  readonly error: string
  readonly errorDescription: string
  /** The provider asked, as sent (`maskinporten`, `entra_id`, ...). */
  readonly identityProvider: string
  /** The scope(s) requested, to name them in the message (scopes are not secret). */
  readonly target: string
  /** The server's `Retry-After`, when it sent one. */
  readonly retryAfter: Duration.Duration | undefined
}> {
  override get message(): string {
    return Messages.tokenEndpointError(this)
  }


  /** Whether trying again may help: 5xx, 408 and 429 are transient, other 4xx are not. */
  get isTransient(): boolean {
    return Wire.isTransientStatus(this.status)
  }
}

// ---- InvalidTokenResponse ----------------------------------------------------

/**
 * The token endpoint answered 2xx, but not with a usable token: the body was
 * not JSON, missed fields, had a `token_type` other than `Bearer`, or gave a
 * token that had already expired.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Maskinporten } from "@effect-texas/core"
 *
 * const program = Maskinporten.token("skatt:some.scope").pipe(
 *   Effect.catchTag("InvalidTokenResponse", (error) => Effect.logError(error.reason))
 * )
 * ```
 *
 * @category Errors
 * @since 0.1.0
 */
export class InvalidTokenResponse extends Data.TaggedError("InvalidTokenResponse")<{
  readonly endpoint: string
  readonly status: number
  /** What was wrong, naming fields and never their token values. */
  readonly reason: string
}> {
  override get message(): string {
    return Messages.invalidTokenResponse(this)
  }
}

// ---- Union -------------------------------------------------------------------

/**
 * Any failure of `TokenService.token`.
 *
 * @category Errors
 * @since 0.1.0
 */
export type TokenError = InvalidTokenRequest | TokenEndpointUnreachable | TokenEndpointError | InvalidTokenResponse

/**
 * Whether a failure is worth retrying: transport faults, timeouts, 5xx, 408 and 429.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { isTransient, Maskinporten } from "@effect-texas/core"
 *
 * const program = Maskinporten.token("skatt:some.scope").pipe(
 *   Effect.tapError((error) => Effect.log(isTransient(error) ? "try again later" : "fix the request"))
 * )
 * ```
 *
 * @category Predicates
 * @since 0.1.0
 */
export const isTransient = (error: TokenError): boolean => {
  switch (error._tag) {
    case "TokenEndpointUnreachable":
      return true
    case "TokenEndpointError":
      return error.isTransient
    default:
      return false
  }
}
