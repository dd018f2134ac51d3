/**
 * Errors of the authenticating middleware, as tagged classes.
 *
 * @since 0.1.0
 */
import { Messages } from "@effect-texas/protocol"
import * as Data from "effect/Data"

/**
 * A request was about to go, with a token, to an origin the middleware was not
 * set up for. Nothing was sent, and no token was fetched for it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { OriginNotAllowed } from "@effect-texas/http-client"
 *
 * const explain = (error: OriginNotAllowed) =>
 *   Effect.logError(`refused to send a token to ${error.origin}; allowed: ${error.allowedOrigins.join(", ")}`)
 * ```
 *
 * @category Errors
 * @since 0.1.0
 */
export class OriginNotAllowed extends Data.TaggedError("OriginNotAllowed")<{
  /** The origin the request was for (`"(relative URL)"` or `"(invalid URL)"` when it had none). */
  readonly origin: string
  readonly allowedOrigins: ReadonlyArray<string>
}> {
  override get message(): string {
    return Messages.originNotAllowed(this)
  }
}

/**
 * A redirect the middleware was to follow (`followRedirects`) cannot be: its
 * `Location` is not a URL. Nothing more was sent.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { InvalidRedirect } from "@effect-texas/http-client"
 *
 * const explain = (error: InvalidRedirect) => Effect.logError(`the API answered ${error.status}, but ${error.reason}`)
 * ```
 *
 * @category Errors
 * @since 0.1.0
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
 * Every error the middleware adds to a client's own.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { AuthError } from "@effect-texas/http-client"
 *
 * const explain = (error: AuthError) => Effect.logError(error.message)
 * ```
 *
 * @category Errors
 * @since 0.1.0
 */
export type AuthError = OriginNotAllowed | InvalidRedirect
