/**
 * What a request to the sidecar means, without Effect: validation and cache
 * keys of token requests (and, beside them, of exchanges and
 * introspections), and the body fields each sends. Runs on every call, so
 * the common path (a valid request) allocates little. A refusal is an
 * `Invalid` value, which each line of the SDK turns into its own tagged error.
 *
 * @since 0.2.0
 */

// ---- Models ------------------------------------------------------------------

/**
 * Why a request cannot be sent: the field and what is wrong with it.
 *
 * @category models
 * @since 0.2.0
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
 * @category guards
 * @since 0.2.0
 */
export const isInvalid = (value: unknown): value is Invalid =>
  typeof value === "object" && value !== null && (value as { _tag?: unknown })._tag === "Invalid"

/**
 * A request for a machine token, as callers of either line give it.
 *
 * @category models
 * @since 0.2.0
 */
export interface TokenRequest {
  readonly identityProvider: string
  readonly target: string | ReadonlyArray<string>
  readonly resource?: string | undefined
  readonly authorizationDetails?: ReadonlyArray<Record<string, unknown>> | undefined
  readonly skipCache?: boolean | undefined
}

/**
 * How a line of the SDK gets the user's token out of its wrapper (Effect's
 * `Redacted`), or why it cannot: a token passed unwrapped is refused.
 *
 * @category models
 * @since 0.2.0
 */
export type Unwrap = (token: unknown) => { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string }

const asIs: Unwrap = (token) => ({ ok: true, value: token })

/**
 * An exchange of a user's token (wrapped as the line wraps secrets).
 *
 * @category models
 * @since 0.2.0
 */
export interface ExchangeRequest {
  readonly identityProvider: string
  readonly target: string
  readonly userToken: unknown
  readonly skipCache?: boolean | undefined
}

/**
 * A validated request: what to send and which cache entry it maps to.
 *
 * @category models
 * @since 0.2.0
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

/** Longest target accepted; real scope lists are a few hundred characters. */
const maxTargetLength = 8192

// Control characters (C0, DEL, C1) never belong in a scope, URL or header value.
// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/
const whitespace = /\s+/
// In a resource, tabs and line breaks count too: a form body or a log line would not carry them faithfully.
// eslint-disable-next-line no-control-regex
const controlCharacterInUrl = /[\u0000-\u001f\u007f-\u009f]/

const fail = (field: Invalid["field"], reason: string): Invalid => ({ _tag: "Invalid", field, reason })

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
 * @category token
 * @since 0.2.0
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
 * @category token
 * @since 0.2.0
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
 * @category token
 * @since 0.2.0
 */
export const prepareRemembered = (request: TokenRequest): PreparedRequest | Invalid => {
  const known = typeof request === "object" && request !== null ? remembered.get(request) : undefined
  if (known !== undefined) return known
  const prepared = prepare(request)
  if (!isInvalid(prepared) && isFrozenPlainData(request)) remembered.set(request, prepared)
  return prepared
}

// ---- exchanges -----------------------------------------------------------------

// eslint-disable-next-line no-control-regex
const controlOrSpace = /[\u0000-\u0020\u007f-\u009f]/
const maxUserTokenLength = 64 * 1024

/**
 * A validated exchange: what to send.
 *
 * @category models
 * @since 0.2.0
 */
export interface PreparedExchange {
  readonly provider: "tokenx" | "entra_id"
  readonly providerName: string
  readonly target: string
  readonly userToken: string
  readonly skipCache: boolean
}

/**
 * Validates an exchange request (`TokenExchange.exchange`), the user's token unwrapped.
 *
 * @example
 * ```ts
 * import { Request } from "@effect-texas/protocol"
 *
 * const prepared = Request.prepareExchange({ identityProvider: "tokenx", target: "dev-gcp:team:app", userToken: "eyJ..." })
 * ```
 *
 * @category exchange
 * @since 0.2.0
 */
export const prepareExchange = (request: ExchangeRequest, unwrap: Unwrap = asIs): PreparedExchange | Invalid => {
  if (typeof request !== "object" || request === null) return fail("target", "the request must be an object")
  const name: unknown = request.identityProvider
  const provider = name === "tokenx" ? "tokenx" : name === "entra_id" || name === "azuread" ? "entra_id" : undefined
  if (provider === undefined) {
    return fail("identityProvider", `\`${String(name)}\` cannot exchange tokens; use "tokenx" or "entra_id"`)
  }
  const target: unknown = request.target
  if (typeof target !== "string") return fail("target", "must be a string")
  const trimmed = target.trim()
  if (trimmed.length === 0) return fail("target", "is empty")
  if (trimmed.length > maxTargetLength) return fail("target", `is ${trimmed.length} characters long; at most ${maxTargetLength} are accepted`)
  if (controlOrSpace.test(trimmed)) return fail("target", "names one audience: it must not contain spaces or control characters")
  const unwrapped = unwrap(request.userToken)
  if (!unwrapped.ok) return fail("userToken", unwrapped.reason)
  const userToken: unknown = unwrapped.value
  if (typeof userToken !== "string" || userToken.length === 0) return fail("userToken", "is empty")
  if (userToken.length > maxUserTokenLength) return fail("userToken", `is longer than ${maxUserTokenLength} characters`)
  if (controlOrSpace.test(userToken)) return fail("userToken", "contains spaces or control characters (pass the token without `Bearer `)")
  const skipCache: unknown = request.skipCache
  if (skipCache !== undefined && typeof skipCache !== "boolean") return fail("skipCache", "must be true or false")
  return { provider, providerName: name as string, target: trimmed, userToken, skipCache: skipCache === true }
}

// ---- introspections -------------------------------------------------------------

const introspectionProviders = new Set(["tokenx", "entra_id", "azuread", "idporten", "maskinporten"])

/**
 * Longest token sent to the sidecar: Node refuses request headers over 16 KiB,
 * so no longer bearer token can reach a server to begin with.
 */
const maxIntrospectedLength = 16 * 1024

/** Three base64url segments: what the sidecar can validate (a JWS); anything else it answers inactive. */
const jwsShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/**
 * A checked introspection: what to send, or the sidecar's verdict on a token
 * that cannot be a JWS, given without a round trip (nais/texas
 * `src/oauth/token.rs` decodes the header first and answers inactive when it cannot).
 *
 * @category models
 * @since 0.2.0
 */
export type PreparedIntrospection =
  | { readonly _tag: "Send"; readonly provider: string; readonly token: string }
  | { readonly _tag: "NotAJws"; readonly reason: string }
  | Invalid

/**
 * Validates an introspection request (`TokenIntrospection.introspect`), the token unwrapped.
 *
 * @example
 * ```ts
 * import { Request } from "@effect-texas/protocol"
 *
 * console.log(Request.prepareIntrospection({ identityProvider: "tokenx", token: "not a jwt" })._tag) // "NotAJws"
 * ```
 *
 * @category introspection
 * @since 0.2.0
 */
export const prepareIntrospection = (
  request: { readonly identityProvider: string; readonly token: unknown },
  unwrap: Unwrap = asIs
): PreparedIntrospection => {
  if (!introspectionProviders.has(request.identityProvider)) {
    return fail("identityProvider", `\`${String(request.identityProvider)}\` is not an identity provider of the platform`)
  }
  const unwrapped = unwrap(request.token)
  if (!unwrapped.ok) return fail("token", unwrapped.reason)
  const token: unknown = unwrapped.value
  if (typeof token !== "string" || token.trim().length === 0) return fail("token", "is empty")
  if (token.length > maxIntrospectedLength) {
    return { _tag: "NotAJws", reason: `token is longer than ${maxIntrospectedLength} characters (not sent)` }
  }
  if (!jwsShape.test(token)) return { _tag: "NotAJws", reason: "invalid token header: InvalidToken" }
  return { _tag: "Send", provider: request.identityProvider, token }
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
 * @category token
 * @since 0.2.0
 */
export const tokenFields = (request: PreparedRequest, forced: boolean): Record<string, unknown> => {
  const fields: Record<string, unknown> = { identity_provider: request.providerName, target: request.target }
  if (request.resource !== undefined) fields["resource"] = request.resource
  if (request.authorizationDetails !== undefined) fields["authorization_details"] = request.authorizationDetails
  if (forced) fields["skip_cache"] = true
  return fields
}

/**
 * The fields of `POST /api/v1/token/exchange`; `skip_cache` only when forced.
 *
 * @example
 * ```ts
 * import { Request } from "@effect-texas/protocol"
 *
 * const prepared = Request.prepareExchange({ identityProvider: "tokenx", target: "dev-gcp:team:app", userToken: "a.b.c" })
 * if (!Request.isInvalid(prepared)) console.log(Object.keys(Request.exchangeFields(prepared, false)))
 * ```
 *
 * @category exchange
 * @since 0.2.0
 */
export const exchangeFields = (request: PreparedExchange, forced: boolean): Record<string, unknown> => {
  const fields: Record<string, unknown> = {
    identity_provider: request.providerName,
    target: request.target,
    user_token: request.userToken
  }
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
 * @category endpoints
 * @since 0.2.0
 */
export const checkEndpoint = (endpoint: string | URL): string | Invalid => {
  const text = String(endpoint)
  if (!URL.canParse(text)) return fail("endpoint", `\`${text}\` is not an absolute URL`)
  const url = new URL(text)
  if (url.protocol !== "http:" && url.protocol !== "https:") return fail("endpoint", `\`${url.href}\` must be an http or https URL`)
  return url.href
}
