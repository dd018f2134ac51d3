/**
 * The sidecar's wire, without Effect: request bodies in JSON or form
 * encoding, answers read as JSON objects without ever quoting them, which
 * statuses are worth retrying, and `Retry-After`.
 *
 * @since 0.1.0
 */

/**
 * How request bodies are encoded.
 *
 * @category Models
 * @since 0.1.0
 */
export type RequestEncoding = "json" | "form"

/**
 * A body on the wire: JSON, or a form where non-string values travel as JSON
 * text (as the protocol says).
 *
 * @example
 * ```ts
 * import { Wire } from "@effect-texas/protocol"
 *
 * const body = Wire.encodeFields({ identity_provider: "maskinporten", target: "a:b", skip_cache: true }, "form")
 * console.log(body.text) // identity_provider=maskinporten&target=a%3Ab&skip_cache=true
 * ```
 *
 * @category Encoding
 * @since 0.1.0
 */
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

/**
 * The body as JSON, or undefined: the parser's message quotes the body, so it
 * is never passed on.
 *
 * @example
 * ```ts
 * import { Wire } from "@effect-texas/protocol"
 *
 * console.log(Wire.parseJson("{\"a\":1}")) // { ok: true, value: { a: 1 } }
 * ```
 *
 * @category Decoding
 * @since 0.1.0
 */
export const parseJson = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

const jsonType = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`

/**
 * The body as a JSON object, or why not, by its JSON type only: a body that is
 * a bare string may well be a token, so no part of it is ever quoted.
 *
 * @example
 * ```ts
 * import { Wire } from "@effect-texas/protocol"
 *
 * console.log(Wire.parseJsonObject("\"eyJ...\"")) // { ok: false, reason: "the body is JSON a string, not an object" }
 * ```
 *
 * @category Decoding
 * @since 0.1.0
 */
export const parseJsonObject = (
  text: string
): { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly reason: string } => {
  const json = parseJson(text)
  if (!json.ok) return { ok: false, reason: `the body is not JSON (${text.length} characters)` }
  const value = json.value
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? { ok: true, value: value as Record<string, unknown> }
    : { ok: false, reason: `the body is JSON ${jsonType(value)}, not an object` }
}

/**
 * An OAuth error body (RFC 6749 §5.2), or RFC 9457 problem details read as
 * one, or undefined when the body is neither.
 *
 * @example
 * ```ts
 * import { Wire } from "@effect-texas/protocol"
 *
 * console.log(Wire.errorBody("{\"error\":\"invalid_scope\"}")) // { error: "invalid_scope", description: "" }
 * ```
 *
 * @category Decoding
 * @since 0.1.0
 */
export const errorBody = (text: string): { readonly error: string; readonly description: string } | undefined => {
  const json = parseJsonObject(text)
  if (!json.ok) return undefined
  const { detail, error, error_description, title } = json.value
  const optional = (value: unknown) => value === undefined || typeof value === "string"
  if (typeof error === "string" && optional(error_description)) {
    return { error, description: (error_description as string | undefined) ?? "" }
  }
  if (typeof title === "string" && optional(detail)) return { error: title, description: (detail as string | undefined) ?? "" }
  return undefined
}

/**
 * Whether an error answer with this status is worth another attempt: 5xx,
 * 408 and 429. Other 4xx are the request's fault and never retried.
 *
 * @example
 * ```ts
 * import { Wire } from "@effect-texas/protocol"
 *
 * console.log(Wire.isTransientStatus(503), Wire.isTransientStatus(400)) // true false
 * ```
 *
 * @category Classification
 * @since 0.1.0
 */
export const isTransientStatus = (status: number): boolean => status >= 500 || status === 408 || status === 429

/**
 * Whether a transport failure was a refused connection (`ECONNREFUSED`
 * anywhere in its causes, also inside an `AggregateError` of several
 * addresses): nothing listens at the endpoint, as while the sidecar starts
 * (it opens no port until its providers' keys are loaded). Nothing was sent,
 * so a retry costs the sidecar nothing.
 *
 * @example
 * ```ts
 * import { Wire } from "@effect-texas/protocol"
 *
 * const failure = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:7164"), { code: "ECONNREFUSED" }) })
 * console.log(Wire.isConnectionRefused(failure)) // true
 * ```
 *
 * @category Classification
 * @since 0.1.0
 */
export const isConnectionRefused = (error: unknown): boolean => {
  const seen = new Set<unknown>()
  const visit = (value: unknown, depth: number): boolean => {
    if (typeof value !== "object" || value === null || seen.has(value) || depth > 8) return false
    seen.add(value)
    const { cause, code, errors } = value as { readonly code?: unknown; readonly cause?: unknown; readonly errors?: unknown }
    if (code === "ECONNREFUSED") return true
    if (Array.isArray(errors) && errors.length > 0 && errors.every((inner) => visit(inner, depth + 1))) return true
    return visit(cause, depth + 1)
  }
  return visit(error, 0)
}

/** Codes of a connection that went away before an answer came: reset, or closed by the other side. */
const lostCodes: ReadonlySet<unknown> = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET"])

/**
 * Whether a transport failure was a connection lost before an answer came
 * (reset, or closed by the other side: `ECONNRESET`, `EPIPE`,
 * `ECONNABORTED`, undici's `UND_ERR_SOCKET` "other side closed", anywhere in
 * its causes): what a caller sees whose request was in flight when the
 * sidecar restarted. Like a refused connection, it is the sidecar being
 * away, not the sidecar failing under load, so it draws nothing from the
 * retry budget (a retry is still bounded by the retry schedule).
 *
 * @example
 * ```ts
 * import { Wire } from "@effect-texas/protocol"
 *
 * const failure = new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) })
 * console.log(Wire.isConnectionLost(failure)) // true
 * ```
 *
 * @category Classification
 * @since 0.2.0
 */
export const isConnectionLost = (error: unknown): boolean => {
  const seen = new Set<unknown>()
  const visit = (value: unknown, depth: number): boolean => {
    if (typeof value !== "object" || value === null || seen.has(value) || depth > 8) return false
    seen.add(value)
    const { cause, code } = value as { readonly code?: unknown; readonly cause?: unknown }
    return lostCodes.has(code) || visit(cause, depth + 1)
  }
  return visit(error, 0)
}

/**
 * `Retry-After` in milliseconds, as seconds or an HTTP date (relative to
 * `nowMillis`); anything else is ignored (undefined).
 *
 * @example
 * ```ts
 * import { Wire } from "@effect-texas/protocol"
 *
 * console.log(Wire.retryAfterMillis("2", Date.now())) // 2000
 * ```
 *
 * @category Classification
 * @since 0.1.0
 */
export const retryAfterMillis = (value: string | undefined, nowMillis: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMillis)
}

/**
 * What an error names of a body it could not use: its type and length, never its content.
 *
 * @example
 * ```ts
 * import { Wire } from "@effect-texas/protocol"
 *
 * console.log(Wire.describeBody("text/html", "<html>")) // "content-type text/html, 6 characters"
 * ```
 *
 * @category Decoding
 * @since 0.1.0
 */
export const describeBody = (contentType: string | undefined, text: string): string =>
  `content-type ${contentType ?? "(none)"}, ${text.length} characters`

/**
 * What a `TokenEndpointError` says (both lines): the status and OAuth error,
 * and for `invalid_scope` where to look (the manifest's scopes, grants that
 * take up to 15 minutes, the target's inbound access policy).
 *
 * @example
 * ```ts
 * import { Wire } from "@effect-texas/protocol"
 *
 * console.log(Wire.endpointErrorMessage({ status: 400, error: "invalid_scope", errorDescription: "", identityProvider: "maskinporten", target: "a:b" }))
 * ```
 *
 * @category Messages
 * @since 0.1.0
 */
export const endpointErrorMessage = (error: {
  readonly status: number
  readonly error: string
  readonly errorDescription: string
  readonly identityProvider: string
  readonly target: string
}): string => {
  const description = error.errorDescription.replace(/\.+$/, "")
  const base = `The token endpoint answered ${error.status} ${error.error}: ${description}`
  if (error.error !== "invalid_scope") return base
  if (error.identityProvider === "maskinporten") {
    return `${base}. The organisation has no access to scope \`${error.target}\`, or the application does not declare it: check spec.maskinporten.scopes.consumes in the application manifest and that the API provider has granted access; scope grants take up to 15 minutes to propagate, so an invalid_scope right after a change may clear by itself.`
  }
  return `${base}. The application may not be allowed to call \`${error.target}\`: check the target application's inbound access policy; changes take a few minutes to propagate.`
}
