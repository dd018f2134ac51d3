/**
 * The SDK's metrics as both lines name them: one catalogue, so a dashboard
 * built on an Effect 3 service reads an Effect 4 service unchanged. Names
 * follow OpenTelemetry's dotted style (an exporter to Prometheus turns the
 * dots into underscores), as `http.client.request.duration` does.
 *
 * @since 0.1.0
 */

/**
 * A metric's name and description.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Definition {
  readonly name: string
  readonly description: string
}

const define = (name: string, description: string): Definition => ({ name, description })

/**
 * Every counter and gauge of `TokenMetrics` (core) and `AltinnMetrics` (altinn), by the
 * export that carries it.
 *
 * @example
 * ```ts
 * import { Metrics } from "@effect-texas/protocol"
 *
 * console.log(Metrics.catalogue.cacheHits.name) // texas.token.cache.hits
 * ```
 *
 * @category Constants
 * @since 0.1.0
 */
export const catalogue = {
  cacheHits: define("texas.token.cache.hits", "token calls answered from the client cache"),
  cacheMisses: define("texas.token.cache.misses", "token calls that found no usable cached token"),
  cacheEntries: define("texas.token.cache.entries", "tokens held in the client cache"),
  fetches: define("texas.token.fetches", "requests sent to the token endpoint, retries included"),
  retries: define("texas.token.retries", "retries after a transient failure of the token endpoint"),
  retriesDenied: define("texas.token.retries.denied", "retries not made because the retry budget was spent"),
  failures: define("texas.token.failures", "token acquisitions that failed after retries"),
  refreshFailures: define(
    "texas.token.refresh.failures",
    "background refreshes that failed while the cached token was still valid"
  ),
  verdictCacheHits: define("texas.introspection.cache.hits", "introspections answered from the verdict cache"),
  verdictCacheMisses: define("texas.introspection.cache.misses", "introspections not answered from the verdict cache"),
  verdictCacheEntries: define("texas.introspection.cache.entries", "active verdicts held in the verdict cache"),
  altinnCacheHits: define("altinn.token.cache.hits", "Altinn tokens served from the cache"),
  altinnCacheMisses: define("altinn.token.cache.misses", "Altinn token requests that needed an exchange"),
  altinnCacheEntries: define("altinn.token.cache.entries", "Altinn tokens in the cache"),
  requestDuration: define("http.client.request.duration", "duration of requests to the token sidecar, in seconds")
} as const

/**
 * The request-duration histogram's buckets in seconds: those OpenTelemetry
 * advises for `http.client.request.duration`.
 *
 * @example
 * ```ts
 * import { Metrics } from "@effect-texas/protocol"
 *
 * console.log(Metrics.durationBuckets.length) // 14
 * ```
 *
 * @category Constants
 * @since 0.1.0
 */
export const durationBuckets: ReadonlyArray<number> = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

/**
 * A finished attempt's `outcome` tag: `ok`, the status of an error answer,
 * the error's tag (OpenTelemetry's `error.type`), or `interrupted`.
 *
 * @example
 * ```ts
 * import { Metrics } from "@effect-texas/protocol"
 *
 * console.log(Metrics.outcome({ _tag: "TokenEndpointError", status: 503 })) // 503
 * ```
 *
 * @category Outcomes
 * @since 0.1.0
 */
export const outcome = (error: { readonly _tag: string; readonly status?: number } | "ok" | "interrupted"): string =>
  typeof error === "string" ? error : error._tag === "TokenEndpointError" && error.status !== undefined ? String(error.status) : error._tag
