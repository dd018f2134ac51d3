/**
 * Counters of what `TokenService` does, as Effect `Metric`s, so they reach
 * whatever metrics exporter the application has set up.
 *
 * @since 0.1.0
 */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"

/**
 * `token` calls answered from this client's cache, with no I/O.
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
 * @since 0.1.0
 */
export const cacheHits = Metric.counter("effect_texas_token_cache_hits", {
  description: "token calls answered from the client cache"
})

/**
 * `token` calls that found no usable cached token (including `skipCache` calls).
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const cacheMisses = Metric.value(TokenMetrics.cacheMisses)
 * ```
 *
 * @category metrics
 * @since 0.1.0
 */
export const cacheMisses = Metric.counter("effect_texas_token_cache_misses", {
  description: "token calls that found no usable cached token"
})

/**
 * Requests sent to the token endpoint (each attempt counts, retries included).
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const fetches = Metric.value(TokenMetrics.fetches)
 * ```
 *
 * @category metrics
 * @since 0.1.0
 */
export const fetches = Metric.counter("effect_texas_token_endpoint_requests", {
  description: "requests sent to the token endpoint, retries included"
})

/**
 * Retries after a transient failure of the token endpoint.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const retries = Metric.value(TokenMetrics.retries)
 * ```
 *
 * @category metrics
 * @since 0.1.0
 */
export const retries = Metric.counter("effect_texas_token_endpoint_retries", {
  description: "retries after a transient failure of the token endpoint"
})

/**
 * Retries the retry budget held back: transient failures answered at once
 * because most recent calls to the sidecar had failed.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const denied = Metric.value(TokenMetrics.retriesDenied)
 * ```
 *
 * @category metrics
 * @since 0.2.0
 */
export const retriesDenied = Metric.counter("effect_texas_token_endpoint_retries_denied", {
  description: "retries not made because the retry budget was spent"
})

/**
 * Token acquisitions that failed (after retries), whatever the error.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const failures = Metric.value(TokenMetrics.failures)
 * ```
 *
 * @category metrics
 * @since 0.1.0
 */
export const failures = Metric.counter("effect_texas_token_failures", {
  description: "token acquisitions that failed after retries"
})

/**
 * Background refreshes (refresh-ahead) that failed while the cached token was still valid.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const refreshFailures = Metric.value(TokenMetrics.refreshFailures)
 * ```
 *
 * @category metrics
 * @since 0.1.0
 */
export const refreshFailures = Metric.counter("effect_texas_token_refresh_failures", {
  description: "background refreshes that failed while the cached token was still valid"
})

/**
 * Tokens held in the client cache right now (bounded by `maxEntries`).
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const cacheEntries = Metric.value(TokenMetrics.cacheEntries)
 * ```
 *
 * @category metrics
 * @since 0.1.0
 */
export const cacheEntries = Metric.gauge("effect_texas_token_cache_entries", {
  description: "tokens held in the client cache"
})

/**
 * Introspection verdicts answered from the verdict cache (no request to the sidecar).
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const hits = Metric.value(TokenMetrics.verdictCacheHits)
 * ```
 *
 * @category metrics
 * @since 0.2.0
 */
export const verdictCacheHits = Metric.counter("effect_texas_verdict_cache_hits", {
  description: "introspections answered from the verdict cache"
})

/**
 * Introspections that went to the sidecar (joined flights included).
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const misses = Metric.value(TokenMetrics.verdictCacheMisses)
 * ```
 *
 * @category metrics
 * @since 0.2.0
 */
export const verdictCacheMisses = Metric.counter("effect_texas_verdict_cache_misses", {
  description: "introspections not answered from the verdict cache"
})

/**
 * Active verdicts held in the verdict cache.
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const entries = Metric.value(TokenMetrics.verdictCacheEntries)
 * ```
 *
 * @category metrics
 * @since 0.2.0
 */
export const verdictCacheEntries = Metric.gauge("effect_texas_verdict_cache_entries", {
  description: "active verdicts held in the verdict cache"
})

/**
 * Duration of each request to the sidecar in seconds, per endpoint path
 * (`texas.endpoint`) and `outcome` (`ok`, the status of an error answer, or
 * the error's tag), in the buckets OpenTelemetry advises for
 * `http.client.request.duration`.
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { TokenMetrics } from "@effect-texas/core"
 *
 * const tokenCalls = Metric.value(
 *   TokenMetrics.requestDuration.pipe(Metric.tagged("texas.endpoint", "/api/v1/token"), Metric.tagged("outcome", "ok"))
 * )
 * ```
 *
 * @category metrics
 * @since 0.2.0
 */
export const requestDuration = Metric.histogram(
  "http.client.request.duration",
  MetricBoundaries.fromIterable([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]),
  "duration of requests to the token sidecar, in seconds"
)
