/**
 * Settings every service that talks to the sidecar shares.
 *
 * @since 1.0.0
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
 * import type { EndpointOptions } from "@effect-texas/core"
 *
 * const options: EndpointOptions = { endpoint: "http://127.0.0.1:8090/api/v1/token", timeout: "5 seconds" }
 * ```
 *
 * @category Options
 * @since 1.0.0
 */
export interface EndpointOptions {
  /** The endpoint's URL (`NAIS_TOKEN_ENDPOINT`, ...); not an http(s) URL: the layer fails with `InvalidTokenRequest`. */
  readonly endpoint: string | URL
  /** @default "json" */
  readonly encoding?: RequestEncoding | undefined
  /**
   * When to retry transient failures; `Retry-After` lengthens a delay, never shortens it.
   * @default exponential from 200 ms, jittered, 3 retries
   */
  readonly retrySchedule?: Schedule.Schedule<unknown, TokenError> | undefined
  /**
   * Time allowed for one request. The default outlasts the sidecar's own
   * retries of the identity provider (4 attempts of at most 2 s: about 8 s),
   * so a request it is still working on is not abandoned and sent again;
   * introspection, a local check at the sidecar, keeps a short one.
   * @default "10 seconds" ("1 second" for introspection)
   */
  readonly attemptTimeout?: Duration.Input | undefined
  /**
   * Time allowed for one call, retries included: a full attempt and at least
   * one retry after it. A refused connection (the sidecar starting) is
   * retried, after 100 ms doubling to 1 s, for as long as this minus
   * `attemptTimeout` allows, apart from `retrySchedule` and the retry budget.
   * @default "25 seconds" ("2500 millis" for introspection)
   */
  readonly timeout?: Duration.Input | undefined
  /** @default 262144 (256 KiB) */
  readonly maxResponseBytes?: number | undefined
  /**
   * A retry budget shared by all calls of the service (gRPC-style); `false` turns it off.
   * @default { maxTokens: 10, tokenRatio: 0.1 }
   */
  readonly retryBudget?: RetryBudgetOptions | false | undefined
}

/**
 * The settings of the retry budget.
 *
 * @category Options
 * @since 1.0.0
 */
export interface RetryBudgetOptions {
  /** @default 10 */
  readonly maxTokens?: number | undefined
  /** @default 0.1 */
  readonly tokenRatio?: number | undefined
}
