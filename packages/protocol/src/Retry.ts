/**
 * The retry decisions of every call to the sidecar (and to Altinn), written once for both lines:
 * whether a failed attempt is worth another, whether it draws on the retry budget, and the
 * start-up rule (a sidecar that refuses connections is starting, and is waited for a while). Each
 * line keeps its schedules and fibers and asks these for the decisions.
 *
 * @since 0.2.0
 */

/**
 * A failed attempt, as the decisions see it.
 *
 * @category Models
 * @since 0.2.0
 */
export interface Failure {
  /** A 5xx, 408 or 429, or no answer at all: trying again may help. */
  readonly transient: boolean
  /** Nothing listened (the connection was refused): the sidecar is starting or gone. */
  readonly refused: boolean
  /** The sidecar was away (refused, or the connection lost before an answer): it did no work. */
  readonly away: boolean
  /** The server's `Retry-After`, 0 when it sent none. */
  readonly retryAfterMillis: number
}

/**
 * After a failed attempt, on the regular schedule: `"stop"` (not transient, refused, which the
 * start-up rule handles, or a `Retry-After` past the whole budget), `"free"` (the sidecar was away:
 * it did no work, so the retry budget is not asked), or `"ask"` (the retry budget decides).
 *
 * @example
 * ```ts
 * import { Retry } from "@effect-texas/protocol"
 *
 * console.log(Retry.afterFailure({ transient: true, refused: false, away: false, retryAfterMillis: 0 }, 10_000)) // ask
 * console.log(Retry.afterFailure({ transient: true, refused: false, away: false, retryAfterMillis: 60_000 }, 10_000)) // stop
 * ```
 *
 * @category Decisions
 * @since 0.2.0
 */
export const afterFailure = (failure: Failure, totalMillis: number): "stop" | "free" | "ask" =>
  !failure.transient || failure.refused || failure.retryAfterMillis > totalMillis ? "stop" : failure.away ? "free" : "ask"

/**
 * What the retry budget learns from an attempt: a success, or a failure that was not transient,
 * counts as a success (the sidecar answered); a transient failure as a failure; an attempt the
 * sidecar was away for, as nothing.
 *
 * @example
 * ```ts
 * import { Retry } from "@effect-texas/protocol"
 *
 * console.log(Retry.budgetLearns(undefined)) // succeeded
 * console.log(Retry.budgetLearns({ transient: true, refused: true, away: true, retryAfterMillis: 0 })) // nothing
 * ```
 *
 * @category Decisions
 * @since 0.2.0
 */
export const budgetLearns = (failure: Failure | undefined): "succeeded" | "failed" | "nothing" =>
  failure === undefined ? "succeeded" : failure.away ? "nothing" : failure.transient ? "failed" : "succeeded"

/**
 * The start-up rule: a refused connection is tried again while the call is younger than the
 * refused window (the sidecar opens its port once started; nais/texas `src/http/server.rs`).
 *
 * @example
 * ```ts
 * import { Retry } from "@effect-texas/protocol"
 *
 * console.log(Retry.waitForStart(true, { startedAtMillis: 0, nowMillis: 2_000, windowMillis: 5_000 })) // true
 * ```
 *
 * @category Decisions
 * @since 0.2.0
 */
export const waitForStart = (refused: boolean, at: { readonly startedAtMillis: number; readonly nowMillis: number; readonly windowMillis: number }): boolean =>
  refused && at.nowMillis < at.startedAtMillis + at.windowMillis
