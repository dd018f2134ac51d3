/**
 * What a request to the sidecar means, without Effect: validation and cache
 * keys of token requests (and, beside them, of exchanges and
 * introspections), and the body fields each sends. Runs on every call, so
 * the common path (a valid request) allocates little. A refusal is an
 * `Invalid` value, which each line of the SDK turns into its own tagged error.
 *
 * @since 0.1.0
 */

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
export const maxTargetLength = 8192

// Control characters (C0, DEL, C1) never belong in a scope, URL or header value.
// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/
const whitespace = /\s+/
// In a resource, tabs and line breaks count too: a form body or a log line would not carry them faithfully.
// eslint-disable-next-line no-control-regex
const controlCharacterInUrl = /[\u0000-\u001f\u007f-\u009f]/

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
export const invalid = (field: Invalid["field"], reason: string): Invalid => ({ _tag: "Invalid", field, reason })
const fail = invalid

const resolveProvider = (name: unknown): PreparedRequest["provider"] | undefined => {
  switch (name) {
    case "maskinporten":
      return "maskinporten"
    case "entra_id":
    case "azuread":
      return "entra_id"
    default:
      return undefined
  }
}

/** Splits, checks and re-joins the scopes; a string and a list of the same scopes give the same target. */
const anyWhitespace = /\s/

const normalizeTarget = (target: unknown): string | Invalid => {
  // The common case, one scope and no whitespace: nothing to split, join or compare.
  if (typeof target === "string" && target.length > 0 && target.length <= maxTargetLength && !anyWhitespace.test(target)) {
    return controlCharacter.test(target) ? fail("target", "contains a control character") : target
  }
  const parts: Array<string> = []
  if (typeof target === "string") {
    if (target.length > maxTargetLength) {
      return fail("target", `is ${target.length} characters long; at most ${maxTargetLength} are accepted`)
    }
    for (const scope of target.split(whitespace)) if (scope.length > 0) parts.push(scope)
  } else if (Array.isArray(target)) {
    for (const entry of target as ReadonlyArray<unknown>) {
      if (typeof entry !== "string") return fail("target", "every scope in the list must be a string")
      for (const scope of entry.split(whitespace)) if (scope.length > 0) parts.push(scope)
    }
  } else {
    return fail("target", "must be a string or a list of strings")
  }
  if (parts.length === 0) return fail("target", "names no scope (it is empty or only whitespace)")
  const joined = parts.join(" ")
  if (joined.length > maxTargetLength) {
    return fail("target", `is ${joined.length} characters long; at most ${maxTargetLength} are accepted`)
  }
  if (controlCharacter.test(joined)) return fail("target", "contains a control character")
  if (parts.length > 1 && new Set(parts).size !== parts.length) {
    const duplicate = parts.find((scope, index) => parts.indexOf(scope) !== index)
    return fail("target", `names scope \`${duplicate}\` more than once`)
  }
  return joined
}

/**
 * The sidecar forwards any `resource` string to the identity provider (its own
 * tests send `some_resource`), so only what cannot be sent faithfully is refused.
 */
const checkResource = (resource: unknown): Invalid | undefined => {
  if (typeof resource !== "string") return fail("resource", "must be a string")
  if (resource.length === 0) return fail("resource", "is empty; leave it out instead")
  if (controlCharacterInUrl.test(resource)) return fail("resource", "contains a control character")
  return undefined
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** JSON with object keys sorted, so that key order does not split one sidecar cache entry into two. */
const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  if (isPlainObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`
  }
  return JSON.stringify(value) ?? "null"
}

/**
 * The details exactly as they go on the wire: `JSON.stringify` (which honours
 * `toJSON`, drops `undefined` and turns a `Date` or `URL` into a string),
 * read back. Both the body and the cache key are made from this copy, so two
 * requests share a cache entry exactly when their bodies are equal.
 */
const checkDetails = (details: unknown): { readonly wire: ReadonlyArray<Record<string, unknown>>; readonly key: string } | Invalid => {
  if (!Array.isArray(details)) return fail("authorizationDetails", "must be a list of objects")
  let wire: unknown
  try {
    wire = JSON.parse(JSON.stringify(details))
  } catch (error) {
    return fail("authorizationDetails", `cannot be sent as JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (!Array.isArray(wire) || !wire.every(isPlainObject)) {
    return fail("authorizationDetails", "every entry must be an object (as sent in JSON)")
  }
  return { wire, key: canonicalJson(wire) }
}

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
