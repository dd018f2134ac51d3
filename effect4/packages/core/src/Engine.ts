/**
 * For building further caching services on the SDK's own engine, as `@effect-texas/altinn` does:
 * `TokenCache`, the cache behind every caching service (one flight per key, refresh-ahead, renewal
 * holds, bounded entries), and `TokenEndpoint`, calls to a token endpoint retried and typed as the
 * SDK calls the sidecar. An application that only asks for tokens needs neither: they are here,
 * at `@effect-texas/core/Engine`, not on the package's main entry point.
 *
 * @since 1.1.0
 */

/**
 * The cache engine behind every caching service of the SDK.
 *
 * @category Modules
 * @since 1.1.0
 */
export * as TokenCache from "./TokenCache.js"

/**
 * Calls to token endpoints beyond the sidecar's, retried and typed as the SDK's own.
 *
 * @category Modules
 * @since 1.1.0
 */
export * as TokenEndpoint from "./TokenEndpoint.js"
