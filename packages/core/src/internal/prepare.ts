/**
 * Validation, cache keys and wire encoding of token requests. Runs on every
 * `token` call, so the common path (a valid request) allocates little: the
 * body is only encoded when a request actually goes out.
 */
import { InvalidTokenRequest } from "../TokenError.js"
import type { RequestEncoding, TokenRequest } from "../TokenRequest.js"

/** A validated request: what to send and which cache entry it maps to. */
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
export const maxTargetLength = 8192

// Control characters (C0, DEL, C1) never belong in a scope, URL or header value.
// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/
const whitespace = /\s+/
// In a resource, tabs and line breaks count too: a form body or a log line would not carry them faithfully.
// eslint-disable-next-line no-control-regex
const controlCharacterInUrl = /[\u0000-\u001f\u007f-\u009f]/

const fail = (field: InvalidTokenRequest["field"], reason: string) => new InvalidTokenRequest({ field, reason })

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
const normalizeTarget = (target: unknown): string | InvalidTokenRequest => {
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
  if (new Set(parts).size !== parts.length) {
    const duplicate = parts.find((scope, index) => parts.indexOf(scope) !== index)
    return fail("target", `names scope \`${duplicate}\` more than once`)
  }
  return joined
}

/**
 * The sidecar forwards any `resource` string to the identity provider (its own
 * tests send `some_resource`), so only what cannot be sent faithfully is refused.
 */
const checkResource = (resource: unknown): InvalidTokenRequest | undefined => {
  if (typeof resource !== "string") return fail("resource", "must be a string")
  if (resource.length === 0) return fail("resource", "is empty; leave it out instead")
  if (controlCharacterInUrl.test(resource)) return fail("resource", "contains a control character")
  return undefined
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** JSON with object keys sorted, so that key order does not split one sidecar cache entry into two. */
export const canonicalJson = (value: unknown): string => {
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
const checkDetails = (details: unknown): { readonly wire: ReadonlyArray<Record<string, unknown>>; readonly key: string } | InvalidTokenRequest => {
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

/** Validates a request and computes its cache key. */
export const prepare = (request: TokenRequest): PreparedRequest | InvalidTokenRequest => {
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
    if (checked instanceof InvalidTokenRequest) return checked
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

/** The fields of `/api/v1/token`, with exactly the protocol's names; `skip_cache` only when true. */
export const tokenFields = (request: PreparedRequest): Record<string, unknown> => {
  const fields: Record<string, unknown> = { identity_provider: request.providerName, target: request.target }
  if (request.resource !== undefined) fields["resource"] = request.resource
  if (request.authorizationDetails !== undefined) fields["authorization_details"] = request.authorizationDetails
  if (request.skipCache) fields["skip_cache"] = true
  return fields
}

/** A body on the wire: JSON, or a form where non-string values travel as JSON text (as the protocol says). */
export const encodeFields = (
  fields: Readonly<Record<string, unknown>>,
  encoding: RequestEncoding
): { readonly contentType: string; readonly text: string } => {
  if (encoding === "json") return { contentType: "application/json", text: JSON.stringify(fields) }
  const form = new URLSearchParams()
  for (const [name, value] of Object.entries(fields)) {
    form.append(name, typeof value === "string" ? value : JSON.stringify(value))
  }
  return { contentType: "application/x-www-form-urlencoded", text: form.toString() }
}
