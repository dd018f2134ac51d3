/**
 * The sidecar's protocol without Effect, shared by the Effect 3 and Effect 4
 * lines of the SDK: request validation and cache keys, body encoding, answer
 * classification, `Retry-After`, digests.
 *
 * @since 0.1.0
 *
 * @document ../README.md
 * @module @effect-texas/protocol
 */

/**
 * Who may call an API: requirements per identity provider, checked against claims.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Access from "./Access.js"

/**
 * Altinn 3: the exchange's URL and answer, system users.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Altinn from "./Altinn.js"

/**
 * Bearer tokens in and out of headers.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Bearer from "./Bearer.js"

/**
 * The cache engine's decisions (hits, flights, refresh-ahead, eviction, the renewal hold).
 *
 * @category Modules
 * @since 0.1.0
 */
export * as CacheState from "./CacheState.js"

/**
 * The claims the SDK types, and the check both lines make of them.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Claims from "./Claims.js"

/**
 * Digests for cache keys of users' tokens.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Digest from "./Digest.js"

/**
 * Where a token may go: origins, the allow-list, redirects.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Origins from "./Origins.js"

/**
 * Expiry, eviction, refresh and retry-budget rules.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Policy from "./Policy.js"

/**
 * Validation, cache keys and body fields of requests to the sidecar.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Request from "./Request.js"

/**
 * Exchanges and introspections: requests that carry a user's token.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as UserToken from "./UserToken.js"

/**
 * Encoding of requests and classification of answers.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Wire from "./Wire.js"

/**
 * The metrics' names, descriptions and buckets, the same on both lines.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Metrics from "./Metrics.js"

/**
 * What the token errors say, the same words on both lines.
 *
 * @category Modules
 * @since 0.2.0
 */
export * as Messages from "./Messages.js"

/**
 * The spans' names and attributes, the same on both lines.
 *
 * @category Modules
 * @since 0.2.0
 */
export * as Spans from "./Spans.js"

/**
 * The sidecar's token and introspection answers, decoded the same on both lines.
 *
 * @category Modules
 * @since 0.2.0
 */
export * as Answers from "./Answers.js"

/**
 * The retry decisions: worth another attempt, the budget, the start-up rule.
 *
 * @category Modules
 * @since 0.2.0
 */
export * as Retry from "./Retry.js"

/**
 * The outbound middleware's decisions: return, renew and replay, follow or refuse a redirect.
 *
 * @category Modules
 * @since 0.2.0
 */
export * as Outbound from "./Outbound.js"
