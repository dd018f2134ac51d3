/**
 * Settings every service that talks to the sidecar shares: where it is, how
 * requests are encoded, how long to wait and when to retry.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Schedule from "effect/Schedule"
import type { TokenError } from "./TokenError.js"
import type { RequestEncoding } from "./TokenRequest.js"

/**
 * How a service reaches its endpoint of the sidecar.
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import type { EndpointOptions } from "@effect-texas/core"
 *
 * const options: EndpointOptions = {
 *   endpoint: "http://127.0.0.1:8090/api/v1/token",
 *   retrySchedule: Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(2))),
 *   timeout: "5 seconds"
 * }
 * ```
 *
 * @category Options
 * @since 0.1.0
 */
export interface EndpointOptions {
  /**
   * The endpoint's URL: the value of its variable (`NAIS_TOKEN_ENDPOINT`,
   * `NAIS_TOKEN_EXCHANGE_ENDPOINT` or `NAIS_TOKEN_INTROSPECTION_ENDPOINT`).
   * Must be an http(s) URL; any other value fails the layer with `InvalidTokenRequest`.
   */
  readonly endpoint: string | URL
  /**
   * Body encoding of requests.
   * @default "json"
   */
  readonly encoding?: RequestEncoding | undefined
  /**
   * When to retry transient failures (transport, timeouts, 5xx, 408, 429);
   * `Retry-After` lengthens a delay, never shortens it. 4xx are never retried.
   * A refused connection (nothing listening yet: the sidecar is starting) is
   * retried apart from this schedule, after 100 ms doubling to 1 s, for as
   * long as `timeout` minus `attemptTimeout` allows, and draws nothing from
   * the retry budget (it reached no sidecar).
   * @default exponential from 200 ms, jittered, 3 retries
   */
  readonly retrySchedule?: Schedule.Schedule<unknown, TokenError> | undefined
  /**
   * Time allowed for one request to the endpoint. The default outlasts the
   * sidecar's own retries of the identity provider (4 attempts of at most
   * 2 s: about 8 s), so a request the sidecar is still working on is not
   * abandoned and sent again. Introspection is a local check at the
   * sidecar: its default is short.
   * @default "10 seconds" ("1 second" for introspection)
   */
  readonly attemptTimeout?: Duration.DurationInput | undefined
  /**
   * Time allowed for one call, retries included: a full attempt and at least
   * one retry after it.
   * @default "25 seconds" ("2500 millis" for introspection)
   */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * A longer answer is refused with `InvalidTokenResponse` without being read
   * into memory (a token answer is a few KB).
   * @default 262144 (256 KiB)
   */
  readonly maxResponseBytes?: number | undefined
  /**
   * A retry budget shared by all calls of the service (gRPC-style retry
   * throttling): each transient failure takes a token, each success gives back
   * `tokenRatio`, and retries happen only while more than half of `maxTokens`
   * are left. A lone failure is retried as the schedule says; while most
   * calls fail, they fail at once instead of multiplying the sidecar's own
   * retries. `false` turns it off.
   * @default { maxTokens: 10, tokenRatio: 0.1 }
   */
  readonly retryBudget?: RetryBudgetOptions | false | undefined
}

/**
 * The settings of the retry budget that a service's calls share.
 *
 * @example
 * ```ts
 * import type { RetryBudgetOptions } from "@effect-texas/core"
 *
 * const strict: RetryBudgetOptions = { maxTokens: 4, tokenRatio: 0.5 }
 * ```
 *
 * @category Options
 * @since 0.1.0
 */
export interface RetryBudgetOptions {
  /**
   * Size of the bucket; retries stop once half of it has been spent on failures.
   * @default 10
   */
  readonly maxTokens?: number | undefined
  /**
   * What one success puts back (0.1: ten successes undo one failure).
   * @default 0.1
   */
  readonly tokenRatio?: number | undefined
}
