/**
 * What a request to the sidecar means, without Effect: validation and cache
 * keys of token requests (and, beside them, of exchanges and
 * introspections), and the body fields each sends. Runs on every call, so
 * the common path (a valid request) allocates little. A refusal is an
 * `Invalid` value, which each line of the SDK turns into its own tagged error.
 *
 * @since 0.1.0
 */
import { checkDetails, checkResource, fail, isPlainObject, normalizeTarget, resolveProvider, targetLimit } from "./internal/requestFields.js"

// ---- Models ------------------------------------------------------------------

/**
 * Why a request cannot be sent: the field and what is wrong with it.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Invalid {
  readonly _tag: "Invalid"
  readonly field:
    | "identityProvider"
    | "target"
    | "resource"
    | "authorizationDetails"
    | "skipCache"
    | "endpoint"
    | "userToken"
    | "token"
  readonly reason: string
}

/**
 * Whether `value` is a refusal.
 *
 * @example
 * ```ts
 * import { Request } from "@effect-texas/protocol"
 *
 * const prepared = Request.prepare({ identityProvider: "idporten", target: "a:b" })
 * if (Request.isInvalid(prepared)) console.log(prepared.field, prepared.reason)
 * ```
 *
 * @category Guards
 * @since 0.1.0
 */
export const isInvalid = (value: unknown): value is Invalid =>
  typeof value === "object" && value !== null && (value as { _tag?: unknown })._tag === "Invalid"

/**
 * A request for a machine token, as callers of either line give it.
 *
 * @category Models
 * @since 0.1.0
 */
export interface TokenRequest {
  readonly identityProvider: string
  readonly target: string | ReadonlyArray<string>
  readonly resource?: string | undefined
  readonly authorizationDetails?: ReadonlyArray<Record<string, unknown>> | undefined
  readonly skipCache?: boolean | undefined
}

/**
 * A validated request: what to send and which cache entry it maps to.
 *
 * @category Models
 * @since 0.1.0
 */
export interface PreparedRequest {
  /** Provider after alias resolution: `azuread` and `entra_id` share tokens on the sidecar. */
  readonly provider: "maskinporten" | "entra_id"
  /** The provider name as the caller gave it, sent unchanged. */
  readonly providerName: string
  /** Scopes joined by single spaces. */
  readonly target: string
  readonly resource: string | undefined
  /** The details as they go on the wire (plain JSON values, `toJSON` applied). */
  readonly authorizationDetails: ReadonlyArray<Record<string, unknown>> | undefined
  /** Canonical JSON of `authorizationDetails` as sent (object keys sorted), for the key. */
  readonly detailsKey: string
  readonly skipCache: boolean
  /** Equal for two requests exactly when the sidecar would answer them with the same token. */
  readonly key: string
}

/**
 * Longest target accepted, in characters; real scope lists are a few hundred.
 *
 * @example
 * ```ts
 * import { Request } from "@effect-texas/protocol"
 *
 * console.log(Request.maxTargetLength) // 8192
 * ```
 *
 * @category Constants
 * @since 0.1.0
 */
export const maxTargetLength = targetLimit

/**
 * A refusal of `field` for `reason`.
 *
 * @example
 * ```ts
 * import { Request } from "@effect-texas/protocol"
 *
 * const refused = Request.invalid("target", "is empty")
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const invalid = (field: Invalid["field"], reason: string): Invalid => fail(field, reason)

/**
 * Validates a token request and computes its cache key.
 *
 * @example
 * ```ts
 * import { Request } from "@effect-texas/protocol"
 *
 * const prepared = Request.prepare({ identityProvider: "maskinporten", target: ["a:b", "c:d"] })
 * if (!Request.isInvalid(prepared)) console.log(prepared.target) // "a:b c:d"
 * ```
 *
 * @category Token
 * @since 0.1.0
 */
export const prepare = (request: TokenRequest): PreparedRequest | Invalid => {
  if (!isPlainObject(request)) return fail("target", "the request must be an object")
  const provider = resolveProvider(request.identityProvider)
  if (provider === undefined) {
    return fail(
      "identityProvider",
      `\`${String(request.identityProvider)}\` cannot issue machine tokens; use "maskinporten" or "entra_id"`
    )
  }
  const target = normalizeTarget(request.target)
  if (typeof target !== "string") return target
  const resource = request.resource
  if (resource !== undefined) {
    const problem = checkResource(resource)
    if (problem !== undefined) return problem
  }
  let detailsKey = ""
  let details: ReadonlyArray<Record<string, unknown>> | undefined
  if (request.authorizationDetails !== undefined) {
    const checked = checkDetails(request.authorizationDetails)
    if (isInvalid(checked)) return checked
    detailsKey = checked.key
    details = checked.wire
  }
  const skipCache = request.skipCache
  if (skipCache !== undefined && typeof skipCache !== "boolean") return fail("skipCache", "must be true or false")
  return {
    provider,
    providerName: request.identityProvider,
    target,
    resource,
    authorizationDetails: details,
    detailsKey,
    skipCache: skipCache === true,
    // NUL cannot occur in a valid target or resource, so the parts cannot run into each other.
    key: `${provider}\u0000${target}\u0000${resource ?? ""}\u0000${detailsKey}`
  }
}

/** Frozen request objects prepared before. */
const remembered = new WeakMap<TokenRequest, PreparedRequest>()

/**
 * Whether `value` is plain data that cannot change: strings, numbers,
 * booleans, null and undefined, and frozen plain arrays and objects of them.
 * A frozen `Date` (its time is an internal slot `setTime` changes), a class
 * instance (private fields), a function or a `toJSON` is not: its wire form
 * may change while the object stays the same. What may be remembered by identity.
 *
 * @example
 * ```ts
 * import { Request } from "@effect-texas/protocol"
 *
 * console.log(Request.isFrozenPlainData(Object.freeze({ a: Object.freeze([1]) }))) // true
 * console.log(Request.isFrozenPlainData(Object.freeze({ at: Object.freeze(new Date()) }))) // false
 * ```
 *
 * @category Token
 * @since 0.1.0
 */
export const isFrozenPlainData = (value: unknown): boolean => {
  if (value === null || value === undefined) return true
  const type = typeof value
  if (type === "string" || type === "number" || type === "boolean") return true
  if (type !== "object" || !Object.isFrozen(value)) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  const plain = Array.isArray(value) ? prototype === Array.prototype : prototype === Object.prototype || prototype === null
  return plain && Object.values(value as object).every(isFrozenPlainData)
}

/**
 * `prepare`, remembered per request object, as the middleware passes the same
 * one on every request: a hit skips validation and keying. Only a request
 * that cannot change (frozen plain data all the way down, as the
 * middleware's is) is remembered,
 * so a fresh literal per call costs one WeakMap look-up more, no allocation.
 *
 * @example
 * ```ts
 * import { Request } from "@effect-texas/protocol"
 *
 * const request = Object.freeze({ identityProvider: "maskinporten", target: "a:b" })
 * Request.prepareRemembered(request) // validated once; later calls look it up
 * ```
 *
 * @category Token
 * @since 0.1.0
 */
export const prepareRemembered = (request: TokenRequest): PreparedRequest | Invalid => {
  const known = typeof request === "object" && request !== null ? remembered.get(request) : undefined
  if (known !== undefined) return known
  const prepared = prepare(request)
  if (!isInvalid(prepared) && isFrozenPlainData(request)) remembered.set(request, prepared)
  return prepared
}

// ---- bodies ------------------------------------------------------------------

/**
 * The fields of `POST /api/v1/token`, with exactly the protocol's names;
 * `skip_cache` only when forced.
 *
 * @example
 * ```ts
 * import { Request } from "@effect-texas/protocol"
 *
 * const prepared = Request.prepare({ identityProvider: "maskinporten", target: "a:b" })
 * if (!Request.isInvalid(prepared)) console.log(Request.tokenFields(prepared, false))
 * ```
 *
 * @category Token
 * @since 0.1.0
 */
export const tokenFields = (request: PreparedRequest, forced: boolean): Record<string, unknown> => {
  const fields: Record<string, unknown> = { identity_provider: request.providerName, target: request.target }
  if (request.resource !== undefined) fields["resource"] = request.resource
  if (request.authorizationDetails !== undefined) fields["authorization_details"] = request.authorizationDetails
  if (forced) fields["skip_cache"] = true
  return fields
}

// ---- endpoints -----------------------------------------------------------------

/**
 * An endpoint URL as sent (normalised), or why it cannot be one: not absolute,
 * or not http(s).
 *
 * @example
 * ```ts
 * import { Request } from "@effect-texas/protocol"
 *
 * console.log(Request.checkEndpoint("ftp://x/y")) // { _tag: "Invalid", field: "endpoint", ... }
 * ```
 *
 * @category Endpoints
 * @since 0.1.0
 */
export const checkEndpoint = (endpoint: string | URL): string | Invalid => {
  const text = String(endpoint)
  if (!URL.canParse(text)) return fail("endpoint", `\`${text}\` is not an absolute URL`)
  const url = new URL(text)
  if (url.protocol !== "http:" && url.protocol !== "https:") return fail("endpoint", `\`${url.href}\` must be an http or https URL`)
  return url.href
}
