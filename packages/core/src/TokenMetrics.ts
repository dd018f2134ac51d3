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
 * @category Metrics
 * @since 0.1.0
 */
export const cacheHits = Metric.counter(catalogue.cacheHits.name, { description: catalogue.cacheHits.description })

/**
 * `token` calls that found no usable cached token (including `skipCache` calls).
 *
 * @category Metrics
 * @since 0.1.0
 */
export const cacheMisses = Metric.counter(catalogue.cacheMisses.name, { description: catalogue.cacheMisses.description })

/**
 * Requests sent to the token endpoint (each attempt counts, retries included).
 *
 * @category Metrics
 * @since 0.1.0
 */
export const fetches = Metric.counter(catalogue.fetches.name, { description: catalogue.fetches.description })

/**
 * Retries after a transient failure of the token endpoint.
 *
 * @category Metrics
 * @since 0.1.0
 */
export const retries = Metric.counter(catalogue.retries.name, { description: catalogue.retries.description })

/**
 * Retries the retry budget held back: transient failures answered at once
 * because most recent calls to the sidecar had failed.
 *
 * @category Metrics
 * @since 0.1.0
 */
export const retriesDenied = Metric.counter(catalogue.retriesDenied.name, { description: catalogue.retriesDenied.description })

/**
 * Token acquisitions that failed (after retries), whatever the error.
 *
 * @category Metrics
 * @since 0.1.0
 */
export const failures = Metric.counter(catalogue.failures.name, { description: catalogue.failures.description })

/**
 * Background refreshes (refresh-ahead) that failed while the cached token was still valid.
 *
 * @category Metrics
 * @since 0.1.0
 */
export const refreshFailures = Metric.counter(catalogue.refreshFailures.name, { description: catalogue.refreshFailures.description })

/**
 * Tokens held in the client cache right now (bounded by `maxEntries`).
 *
 * @category Metrics
 * @since 0.1.0
 */
export const cacheEntries = Metric.gauge(catalogue.cacheEntries.name, { description: catalogue.cacheEntries.description })

/**
 * Introspection verdicts answered from the verdict cache (no request to the sidecar).
 *
 * @category Metrics
 * @since 0.1.0
 */
export const verdictCacheHits = Metric.counter(catalogue.verdictCacheHits.name, { description: catalogue.verdictCacheHits.description })

/**
 * Introspections that went to the sidecar (joined flights included).
 *
 * @category Metrics
 * @since 0.1.0
 */
export const verdictCacheMisses = Metric.counter(catalogue.verdictCacheMisses.name, { description: catalogue.verdictCacheMisses.description })

/**
 * Active verdicts held in the verdict cache.
 *
 * @category Metrics
 * @since 0.1.0
 */
export const verdictCacheEntries = Metric.gauge(catalogue.verdictCacheEntries.name, { description: catalogue.verdictCacheEntries.description })

/**
 * Duration of each request to the sidecar in seconds, per endpoint path
 * (`texas.endpoint`) and `outcome` (`ok`, the status of an error answer, or
 * the error's tag), in the buckets OpenTelemetry advises for
 * `http.client.request.duration`.
 *
 * @category Metrics
 * @since 0.1.0
 */
export const requestDuration = Metric.histogram(
  catalogue.requestDuration.name,
  MetricBoundaries.fromIterable(durationBuckets),
  catalogue.requestDuration.description
)
