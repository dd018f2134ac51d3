/**
 * The four things that can go wrong when asking the sidecar, as tagged
 * errors: the request was refused before it was sent, the endpoint could not
 * be reached, it answered with an error, or it answered 2xx without a usable
 * token. None of them ever holds a token.
 *
 * @since 1.0.0
 */
import { Messages, type Request, Wire } from "@effect-texas/protocol"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"

/**
 * The request was refused before anything was sent.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { InvalidTokenRequest } from "@effect-texas/core"
 *
 * const refused = Effect.fail(new InvalidTokenRequest({ field: "target", reason: "is empty" }))
 * ```
 *
 * @category Errors
 * @since 1.0.0
 */
export class InvalidTokenRequest extends Data.TaggedError("InvalidTokenRequest")<{
  readonly field: Request.Invalid["field"]
  readonly reason: string
}> {
  override get message(): string {
    return Messages.invalidTokenRequest(this)
  }
}

/**
 * No answer: the connection failed, or no complete answer came in time.
 *
 * @example
 * ```ts
 * import { TokenEndpointUnreachable } from "@effect-texas/core"
 *
 * const error = new TokenEndpointUnreachable({ endpoint: "http://127.0.0.1:1/api/v1/token", reason: "Transport", detail: "ECONNREFUSED" })
 * ```
 *
 * @category Errors
 * @since 1.0.0
 */
export class TokenEndpointUnreachable extends Data.TaggedError("TokenEndpointUnreachable")<{
  readonly endpoint: string
  /**
   * `Refused`: nothing listens at the endpoint (the sidecar is starting, or
   * gone); `Transport`: the connection failed otherwise; `Timeout`: no
   * complete answer in time.
   */
  readonly reason: "Refused" | "Transport" | "Timeout"
  readonly detail: string
}> {
  override get message(): string {
    return Messages.tokenEndpointUnreachable(this)
  }
}

/**
 * The endpoint answered with an error (an OAuth error body, or its status).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Maskinporten } from "@effect-texas/core"
 *
 * const program = Maskinporten.token("skatt:some.scope").pipe(
 *   Effect.catchTag("TokenEndpointError", (error) => Effect.logWarning(`${error.status} ${error.error}`))
 * )
 * ```
 *
 * @category Errors
 * @since 1.0.0
 */
export class TokenEndpointError extends Data.TaggedError("TokenEndpointError")<{
  readonly endpoint: string
  readonly status: number
  readonly error: string
  readonly errorDescription: string
  readonly identityProvider: string
  readonly target: string
  readonly retryAfter: Duration.Duration | undefined
}> {
  override get message(): string {
    return Messages.tokenEndpointError(this)
  }


  /** Whether trying again may help: 5xx, 408 and 429. */
  get isTransient(): boolean {
    return Wire.isTransientStatus(this.status)
  }
}

/**
 * The endpoint answered 2xx, but not with a usable token.
 *
 * @example
 * ```ts
 * import { InvalidTokenResponse } from "@effect-texas/core"
 *
 * const error = new InvalidTokenResponse({ endpoint: "http://127.0.0.1:8090/api/v1/token", status: 200, reason: "the body is not JSON" })
 * ```
 *
 * @category Errors
 * @since 1.0.0
 */
export class InvalidTokenResponse extends Data.TaggedError("InvalidTokenResponse")<{
  readonly endpoint: string
  readonly status: number
  readonly reason: string
}> {
  override get message(): string {
    return Messages.invalidTokenResponse(this)
  }
}

/**
 * Any failure of a token request.
 *
 * @category Errors
 * @since 1.0.0
 */
export type TokenError = InvalidTokenRequest | TokenEndpointUnreachable | TokenEndpointError | InvalidTokenResponse

/**
 * Whether trying again later may succeed (unreachable, or a transient status).
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
 * @since 1.0.0
 */
export const isTransient = (error: TokenError): boolean =>
  error._tag === "TokenEndpointUnreachable" || (error._tag === "TokenEndpointError" && error.isTransient)
