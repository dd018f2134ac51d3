/**
 * Counters of cache hits, misses, endpoint requests, retries and failures.
 *
 * @since 1.0.0
 */
import * as Metric from "effect/Metric"

/**
 * Token requests answered from the cache.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const hits = Metric.value(TokenMetrics.cacheHits).pipe(Effect.map((state) => state.count))
 * ```
 *
 * @category metrics
 * @since 1.0.0
 */
export const cacheHits = Metric.counter("texas.token.cache.hits", { description: "Token requests answered from the cache" })

/**
 * Token requests that needed the endpoint.
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const misses = Metric.value(TokenMetrics.cacheMisses)
 * ```
 *
 * @category metrics
 * @since 1.0.0
 */
export const cacheMisses = Metric.counter("texas.token.cache.misses", { description: "Token requests that needed the endpoint" })

/**
 * Tokens in the cache.
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const size = Metric.value(TokenMetrics.cacheEntries)
 * ```
 *
 * @category metrics
 * @since 1.0.0
 */
export const cacheEntries = Metric.gauge("texas.token.cache.entries", { description: "Tokens in the cache" })

/**
 * Requests sent to the endpoint (retries included).
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const sent = Metric.value(TokenMetrics.fetches)
 * ```
 *
 * @category metrics
 * @since 1.0.0
 */
export const fetches = Metric.counter("texas.token.fetches", { description: "Requests sent to the token endpoint" })

/**
 * Retries of transient failures.
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const retried = Metric.value(TokenMetrics.retries)
 * ```
 *
 * @category metrics
 * @since 1.0.0
 */
export const retries = Metric.counter("texas.token.retries", { description: "Retries of transient failures" })

/**
 * Retries the retry budget refused.
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const denied = Metric.value(TokenMetrics.retriesDenied)
 * ```
 *
 * @category metrics
 * @since 1.0.0
 */
export const retriesDenied = Metric.counter("texas.token.retries.denied", { description: "Retries the retry budget refused" })

/**
 * Calls that ended in an error.
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const failed = Metric.value(TokenMetrics.failures)
 * ```
 *
 * @category metrics
 * @since 1.0.0
 */
export const failures = Metric.counter("texas.token.failures", { description: "Token calls that ended in an error" })

/**
 * Background refreshes (`refreshAhead`) that failed while the cached token
 * was still handed out: the service tries again later, no caller failed.
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const refreshFailures = Metric.value(TokenMetrics.refreshFailures)
 * ```
 *
 * @category metrics
 * @since 1.0.0
 */
export const refreshFailures = Metric.counter("texas.token.refresh.failures", {
  description: "Background refreshes that failed while the cached token was still valid"
})
