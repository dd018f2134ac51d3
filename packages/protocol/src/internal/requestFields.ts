/**
 * The field checks behind `Request.prepare`: provider names, scopes, `resource` and
 * `authorization_details`, each refused with the field and the reason.
 */
import type { Invalid, PreparedRequest } from "../Request.js"

/** The longest target accepted, in characters (`Request.maxTargetLength`). */
export const targetLimit = 8192

export const fail = (field: Invalid["field"], reason: string): Invalid => ({ _tag: "Invalid", field, reason })

// Control characters (C0, DEL, C1) never belong in a scope, URL or header value.
// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/
const whitespace = /\s+/
// In a resource, tabs and line breaks count too: a form body or a log line would not carry them faithfully.
// eslint-disable-next-line no-control-regex
const controlCharacterInUrl = /[\u0000-\u001f\u007f-\u009f]/


export const resolveProvider = (name: unknown): PreparedRequest["provider"] | undefined => {
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

export const normalizeTarget = (target: unknown): string | Invalid => {
  // The common case, one scope and no whitespace: nothing to split, join or compare.
  if (typeof target === "string" && target.length > 0 && target.length <= targetLimit && !anyWhitespace.test(target)) {
    return controlCharacter.test(target) ? fail("target", "contains a control character") : target
  }
  const parts: Array<string> = []
  if (typeof target === "string") {
    if (target.length > targetLimit) {
      return fail("target", `is ${target.length} characters long; at most ${targetLimit} are accepted`)
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
  if (joined.length > targetLimit) {
    return fail("target", `is ${joined.length} characters long; at most ${targetLimit} are accepted`)
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
export const checkResource = (resource: unknown): Invalid | undefined => {
  if (typeof resource !== "string") return fail("resource", "must be a string")
  if (resource.length === 0) return fail("resource", "is empty; leave it out instead")
  if (controlCharacterInUrl.test(resource)) return fail("resource", "contains a control character")
  return undefined
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
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
export const checkDetails = (details: unknown): { readonly wire: ReadonlyArray<Record<string, unknown>>; readonly key: string } | Invalid => {
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
