/**
 * Counters of what `TokenService` does, as Effect `Metric`s, so they reach
 * whatever metrics exporter the application has set up.
 *
 * @since 0.1.0
 */
import { Metrics } from "@effect-texas/protocol"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"

const { catalogue, durationBuckets } = Metrics

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
 * @category Metrics
 * @since 0.1.0
 */
export const cacheHits = Metric.counter(catalogue.cacheHits.name, { description: catalogue.cacheHits.description })

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
 * @category Metrics
 * @since 0.1.0
 */
export const cacheMisses = Metric.counter(catalogue.cacheMisses.name, { description: catalogue.cacheMisses.description })

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
 * @category Metrics
 * @since 0.1.0
 */
export const fetches = Metric.counter(catalogue.fetches.name, { description: catalogue.fetches.description })

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
 * @category Metrics
 * @since 0.1.0
 */
export const retries = Metric.counter(catalogue.retries.name, { description: catalogue.retries.description })

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
 * @category Metrics
 * @since 0.2.0
 */
export const retriesDenied = Metric.counter(catalogue.retriesDenied.name, { description: catalogue.retriesDenied.description })

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
 * @category Metrics
 * @since 0.1.0
 */
export const failures = Metric.counter(catalogue.failures.name, { description: catalogue.failures.description })

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
 * @category Metrics
 * @since 0.1.0
 */
export const refreshFailures = Metric.counter(catalogue.refreshFailures.name, { description: catalogue.refreshFailures.description })

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
 * @category Metrics
 * @since 0.1.0
 */
export const cacheEntries = Metric.gauge(catalogue.cacheEntries.name, { description: catalogue.cacheEntries.description })

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
 * @category Metrics
 * @since 0.2.0
 */
export const verdictCacheHits = Metric.counter(catalogue.verdictCacheHits.name, { description: catalogue.verdictCacheHits.description })

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
 * @category Metrics
 * @since 0.2.0
 */
export const verdictCacheMisses = Metric.counter(catalogue.verdictCacheMisses.name, { description: catalogue.verdictCacheMisses.description })

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
 * @category Metrics
 * @since 0.2.0
 */
export const verdictCacheEntries = Metric.gauge(catalogue.verdictCacheEntries.name, { description: catalogue.verdictCacheEntries.description })

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
 * @category Metrics
 * @since 0.2.0
 */
export const requestDuration = Metric.histogram(
  catalogue.requestDuration.name,
  MetricBoundaries.fromIterable(durationBuckets),
  catalogue.requestDuration.description
)
