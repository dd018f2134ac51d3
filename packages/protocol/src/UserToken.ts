/**
 * Requests that carry a user's token, without Effect: exchanges (TokenX,
 * Entra ID on-behalf-of) and introspections. Refusals are `Request.Invalid`
 * values, as for machine tokens.
 *
 * @since 0.1.0
 */
import { sha256Hex } from "./Digest.js"
import { type Invalid, invalid as fail, maxTargetLength } from "./Request.js"

/**
 * How a line of the SDK gets the user's token out of its wrapper (Effect's
 * `Redacted`), or why it cannot: a token passed unwrapped is refused.
 *
 * @category Models
 * @since 0.1.0
 */
export type Unwrap = (token: unknown) => { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string }

const asIs: Unwrap = (token) => ({ ok: true, value: token })

/**
 * An exchange of a user's token (wrapped as the line wraps secrets).
 *
 * @category Models
 * @since 0.1.0
 */
export interface ExchangeRequest {
  readonly identityProvider: string
  readonly target: string
  readonly userToken: unknown
  readonly skipCache?: boolean | undefined
}

// ---- exchanges -----------------------------------------------------------------

// eslint-disable-next-line no-control-regex
const controlOrSpace = /[\u0000-\u0020\u007f-\u009f]/
const maxUserTokenLength = 64 * 1024

/**
 * A validated exchange: what to send.
 *
 * @category Models
 * @since 0.1.0
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
 * import { UserToken } from "@effect-texas/protocol"
 *
 * const prepared = UserToken.prepareExchange({ identityProvider: "tokenx", target: "dev-gcp:team:app", userToken: "eyJ..." })
 * ```
 *
 * @category Exchange
 * @since 0.1.0
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
 * @category Models
 * @since 0.1.0
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
 * import { UserToken } from "@effect-texas/protocol"
 *
 * console.log(UserToken.prepareIntrospection({ identityProvider: "tokenx", token: "not a jwt" })._tag) // "NotAJws"
 * ```
 *
 * @category Introspection
 * @since 0.1.0
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

/**
 * The fields of `POST /api/v1/token/exchange`; `skip_cache` only when forced.
 *
 * @example
 * ```ts
 * import { Request, UserToken } from "@effect-texas/protocol"
 *
 * const prepared = UserToken.prepareExchange({ identityProvider: "tokenx", target: "dev-gcp:team:app", userToken: "a.b.c" })
 * if (!Request.isInvalid(prepared)) console.log(Object.keys(UserToken.exchangeFields(prepared, false)))
 * ```
 *
 * @category Exchange
 * @since 0.1.0
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


// ---- cache keys ------------------------------------------------------------------

const digests = new WeakMap<object, string>()

/**
 * The exchange cache's key: provider, target and a SHA-256 of the user token, so the cache never
 * holds a user's token and two users never share an entry. The digest is remembered per `holder`
 * (the caller's `Redacted`, which holds this one token): the outbound requests of one inbound
 * request hash it once, and the memory goes with the holder.
 *
 * @example
 * ```ts
 * import { UserToken } from "@effect-texas/protocol"
 *
 * const holder = {}
 * const key = UserToken.exchangeKey({ provider: "tokenx", target: "dev-gcp:team:app", userToken: "eyJ.a.b" }, holder)
 * console.log(key.startsWith("tokenx\u0000dev-gcp:team:app\u0000")) // true
 * ```
 *
 * @category Cache keys
 * @since 0.2.0
 */
export const exchangeKey = (prepared: { readonly provider: string; readonly target: string; readonly userToken: string }, holder: object): string => {
  let digest = digests.get(holder)
  if (digest === undefined) {
    digest = sha256Hex(prepared.userToken)
    digests.set(holder, digest)
  }
  return `${prepared.provider}\u0000${prepared.target}\u0000${digest}`
}

/**
 * The verdict cache's key: the provider (`azuread` as `entra_id`, which it names) and a SHA-256 of
 * the token, never the token.
 *
 * @example
 * ```ts
 * import { UserToken } from "@effect-texas/protocol"
 *
 * console.log(UserToken.verdictKey("azuread", "eyJ.a.b") === UserToken.verdictKey("entra_id", "eyJ.a.b")) // true
 * ```
 *
 * @category Cache keys
 * @since 0.2.0
 */
export const verdictKey = (provider: string, token: string): string => `${provider === "azuread" ? "entra_id" : provider}\u0000${sha256Hex(token)}`
