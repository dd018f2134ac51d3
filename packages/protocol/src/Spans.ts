/**
 * The spans of both lines, written once: their names and attributes (`texas.*`), so a trace reads
 * the same whichever line an application runs (a behaviour case compares them). No attribute ever
 * holds a token: providers, targets, flags, counts and error tags only.
 *
 * @since 0.2.0
 */

/**
 * A span's attributes.
 *
 * @category Models
 * @since 0.2.0
 */
export type Attributes = Readonly<Record<string, string | number | boolean>>

/**
 * The span names: one client span per call to the sidecar or to Altinn, one per inbound check.
 *
 * @example
 * ```ts
 * import { Spans } from "@effect-texas/protocol"
 *
 * console.log(Spans.names.token) // TokenService.fetch
 * ```
 *
 * @category Names
 * @since 0.2.0
 */
export const names = {
  token: "TokenService.fetch",
  exchange: "TokenExchange.exchange",
  introspect: "TokenIntrospection.introspect",
  altinn: "AltinnToken.exchange",
  requireUser: "requireUser",
  authentication: "Authentication.bearer"
} as const

/**
 * A token request's span, when it starts (a cache hit makes no span at all).
 *
 * @example
 * ```ts
 * import { Spans } from "@effect-texas/protocol"
 *
 * console.log(Spans.tokenRequest({ provider: "maskinporten", target: "skatt:a", resource: undefined }, false))
 * // { "texas.identity_provider": "maskinporten", "texas.target": "skatt:a", "texas.resource": "", "texas.skip_cache": false, "texas.cache_hit": false }
 * ```
 *
 * @category Attributes
 * @since 0.2.0
 */
export const tokenRequest = (request: { readonly provider: string; readonly target: string; readonly resource?: string | undefined }, forced: boolean): Attributes => ({
  "texas.identity_provider": request.provider,
  "texas.target": request.target,
  "texas.resource": request.resource ?? "",
  "texas.skip_cache": forced,
  "texas.cache_hit": false
})

/**
 * An exchange's span, when it starts.
 *
 * @example
 * ```ts
 * import { Spans } from "@effect-texas/protocol"
 *
 * console.log(Spans.exchangeRequest({ provider: "tokenx", target: "dev-gcp:team:app" }, false)["texas.target"]) // dev-gcp:team:app
 * ```
 *
 * @category Attributes
 * @since 0.2.0
 */
export const exchangeRequest = (request: { readonly provider: string; readonly target: string }, forced: boolean): Attributes => ({
  "texas.identity_provider": request.provider,
  "texas.target": request.target,
  "texas.skip_cache": forced,
  "texas.cache_hit": false
})

/**
 * An introspection's span, or an inbound check's (`requireUser`, `Authentication`): the provider.
 *
 * @example
 * ```ts
 * import { Spans } from "@effect-texas/protocol"
 *
 * console.log(Spans.provider("idporten")) // { "texas.identity_provider": "idporten" }
 * ```
 *
 * @category Attributes
 * @since 0.2.0
 */
export const provider = (identityProvider: string): Attributes => ({ "texas.identity_provider": identityProvider })

/**
 * An Altinn exchange's span, when it starts.
 *
 * @example
 * ```ts
 * import { Spans } from "@effect-texas/protocol"
 *
 * console.log(Spans.altinnRequest("altinn:a", true)) // { "texas.target": "altinn:a", "texas.skip_cache": true }
 * ```
 *
 * @category Attributes
 * @since 0.2.0
 */
export const altinnRequest = (scopes: string, forced: boolean): Attributes => ({ "texas.target": scopes, "texas.skip_cache": forced })

/**
 * What a call adds when it succeeds: its attempts, and what it got (a token's lifetime in seconds,
 * an introspection's verdict).
 *
 * @example
 * ```ts
 * import { Spans } from "@effect-texas/protocol"
 *
 * console.log(Spans.succeeded(1, { expiresInSeconds: 3599 })) // { "texas.attempts": 1, "texas.expires_in": 3599 }
 * ```
 *
 * @category Attributes
 * @since 0.2.0
 */
export const succeeded = (attempts: number, got: { readonly expiresInSeconds?: number; readonly active?: boolean } = {}): Attributes => ({
  "texas.attempts": attempts,
  ...(got.expiresInSeconds === undefined ? {} : { "texas.expires_in": got.expiresInSeconds }),
  ...(got.active === undefined ? {} : { "texas.active": got.active })
})

/**
 * What a call adds when it fails: its attempts and the error's tag.
 *
 * @example
 * ```ts
 * import { Spans } from "@effect-texas/protocol"
 *
 * console.log(Spans.failed(3, "TokenEndpointError")) // { "texas.attempts": 3, "texas.error": "TokenEndpointError" }
 * ```
 *
 * @category Attributes
 * @since 0.2.0
 */
export const failed = (attempts: number, tag: string): Attributes => ({ "texas.attempts": attempts, "texas.error": tag })
