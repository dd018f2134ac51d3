/**
 * Machine-to-machine tokens from the NAIS token sidecar (Texas) for Effect 4
 * programs: cached, shared between concurrent callers, retried, typed.
 *
 * @since 1.0.0
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
 * @since 1.0.0
 */
export * as EntraId from "./EntraId.js"

/**
 * Maskinporten tokens in one call.
 *
 * @category Modules
 * @since 1.0.0
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

export { type ExchangeRequest, TokenExchange, type TokenExchangeOptions } from "./TokenExchange.js"

export {
  Active,
  type Claims,
  type Organisation,
  Inactive,
  type IntrospectionResult,
  type IntrospectRequest,
  TokenIntrospection,
  type TokenIntrospectionOptions
} from "./TokenIntrospection.js"

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
 * const hits = Effect.andThen(Maskinporten.token("skatt:some.scope"), Metric.value(TokenMetrics.cacheHits))
 * ```
 *
 * @category Modules
 * @since 1.0.0
 */
export * as TokenMetrics from "./TokenMetrics.js"

export type { IdentityProvider, RequestEncoding, TokenRequest } from "./TokenRequest.js"

export { type TestOptions, TokenService, type TokenServiceOptions } from "./TokenService.js"
