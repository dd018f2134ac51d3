/**
 * Machine-to-machine tokens from the NAIS token sidecar (Texas) for Effect
 * programs: cached, shared between concurrent callers, retried, typed.
 *
 * @since 0.1.0
 *
 * @document ../README.md
 * @module @effect-texas/core
 */

export { AccessToken } from "./AccessToken.js"

export { CurrentUser, type User } from "./CurrentUser.js"

export type { EndpointOptions, RetryBudgetOptions } from "./EndpointOptions.js"

/**
 * Entra ID machine-to-machine tokens.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as EntraId from "./EntraId.js"

/**
 * Maskinporten tokens in one call.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Maskinporten from "./Maskinporten.js"

export { TestTokens } from "./TestTokens.js"

export {
  InvalidTokenRequest,
  InvalidTokenResponse,
  isTransient,
  TokenEndpointError,
  TokenEndpointUnreachable,
  type TokenError
} from "./TokenError.js"

/**
 * Counters of cache hits, misses, endpoint requests, retries and failures,
 * and the request-duration histogram; the names are shared by both lines.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Maskinporten, TokenMetrics } from "@effect-texas/core"
 *
 * // Every metric is read the same way; export them with your metrics layer (OpenTelemetry, Prometheus).
 * const hitRate = Effect.gen(function*() {
 *   yield* Maskinporten.token("skatt:some.scope")
 *   const hits = yield* Metric.value(TokenMetrics.cacheHits)
 *   const misses = yield* Metric.value(TokenMetrics.cacheMisses)
 *   return hits.count / Math.max(1, hits.count + misses.count)
 * })
 * ```
 *
 * @category Modules
 * @since 0.1.0
 */
export * as TokenMetrics from "./TokenMetrics.js"



export {
  type ExchangeRequest,
  TokenExchange,
  type TokenExchangeOptions
} from "./TokenExchange.js"

export {
  Active,
  Claims,
  Inactive,
  type IntrospectionResult,
  type IntrospectRequest,
  TokenIntrospection,
  type TokenIntrospectionOptions
} from "./TokenIntrospection.js"

export type { IdentityProvider, RequestEncoding, TokenRequest } from "./TokenRequest.js"

export {
  type TestOptions,
  TokenService,
  type TokenServiceOptions
} from "./TokenService.js"
