/**
 * What the sidecar decides at each of its three endpoints, given a body:
 * which providers are enabled and what they support (nais/texas
 * `src/handler/*.rs`), the cache in front of the identity providers, and
 * introspection as a local JWT check. HTTP, faults and logging are `routes.ts`'s.
 */
import { randomUUID } from "node:crypto"
import * as Jose from "jose"
import { validate, type Verdict } from "./jwt.js"
import type { Keys } from "./keys.js"
import * as Protocol from "./protocol.js"
import {
  decideExchange,
  decideToken,
  type Decision,
  type IdentityProvider,
  type ProviderContext,
  rejected
} from "./providers.js"
import { cacheTtlMs, type CachedToken, type Issued, type SidecarCache } from "./sidecarCache.js"

/** An OAuth error answer. */
export type Rejected = { readonly _tag: "Rejected"; readonly answer: Protocol.OAuthErrorAnswer }

/** A token endpoint's outcome: the token, or an error answer. */
export type TokenOutcome = Issued<Rejected>

/** What an endpoint decided, and the body's fields for the request log (users' tokens redacted). */
export interface Answered<A> {
  readonly fields: Record<string, unknown> | undefined
  readonly outcome: A
  /** The user's token the request carried (exchange, introspection), for the log to fingerprint; never logged whole. */
  readonly presented?: string | undefined
}

/** The sidecar's state and collaborators, as the emulator wires them. */
export interface SidecarContext extends ProviderContext {
  readonly keys: Keys
  readonly cache: SidecarCache
  readonly now: () => number
  readonly isEnabled: (provider: IdentityProvider) => boolean
  readonly lifetimeMs: number
  readonly upstreamLatencyMs: number
  /** Tokens from elsewhere taken as issued by a provider (`accept`). */
  readonly accepted: ReadonlyMap<string, IdentityProvider>
  /** Called with each token signed. */
  readonly onIssued: (token: string) => void
}

const invalidRequest = (description: string): Protocol.OAuthErrorAnswer => ({ status: 400, error: "invalid_request", description })
const notEnabled = (provider: string) => `identity provider '${provider}' is not enabled`
const reject = (answer: Protocol.OAuthErrorAnswer): Rejected => ({ _tag: "Rejected", answer })

/** The request log never keeps a user's token: it shows that one was sent, not what it was. */
export const redactUserToken = (fields: Record<string, unknown>): Record<string, unknown> => {
  const copy = { ...fields }
  for (const name of ["user_token", "token"]) if (typeof copy[name] === "string") copy[name] = "<redacted>"
  return copy
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Signs claims as `provider`, issued now with the configured lifetime. */
const signAccessToken = async (context: SidecarContext, provider: IdentityProvider, claims: Jose.JWTPayload): Promise<CachedToken> => {
  const issuedAtMs = context.now()
  const expiresAtMs = issuedAtMs + context.lifetimeMs
  const seconds = Math.floor(issuedAtMs / 1000)
  const accessToken = await context.keys.sign(provider, {
    ...claims,
    iat: seconds,
    nbf: seconds,
    exp: Math.floor(expiresAtMs / 1000),
    jti: randomUUID()
  })
  context.onIssued(accessToken)
  return { accessToken, expiresAtMs, dropAtMs: issuedAtMs + cacheTtlMs(context.lifetimeMs) }
}

const issue = async (context: SidecarContext, provider: IdentityProvider, decision: Decision): Promise<TokenOutcome> => {
  if (context.upstreamLatencyMs > 0) await delay(context.upstreamLatencyMs)
  if (decision._tag === "Rejected") return decision
  return { _tag: "Token", token: await signAccessToken(context, provider, decision.claims) }
}

/** The sidecar's cache key: `(identity_provider, target, resource, authorization_details)`, details compared as maps. */
const tokenCacheKey = (request: Protocol.DecodedTokenRequest): string =>
  JSON.stringify([
    request.identityProvider,
    request.target,
    request.resource ?? null,
    request.authorizationDetails === undefined ? null : sortedKeys(request.authorizationDetails)
  ])

/** serde_json maps keep keys sorted: key order does not make two details different. */
const sortedKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortedKeys)
  if (typeof value !== "object" || value === null) return value
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return Object.fromEntries(entries.map(([k, v]) => [k, sortedKeys(v)]))
}

/** `POST /api/v1/token` (nais/texas `src/handler/token.rs`). */
export const answerToken = async (context: SidecarContext, body: string, contentType: string | undefined): Promise<Answered<TokenOutcome>> => {
  const decoded = Protocol.decodeTokenRequest(body, contentType)
  if (decoded._tag === "Invalid") return { fields: undefined, outcome: reject(decoded.answer) }
  const request = decoded.value
  const provider = request.identityProvider
  const answer = (outcome: TokenOutcome) => ({ fields: decoded.fields, outcome })
  if (!context.isEnabled(provider)) return answer(reject(invalidRequest(notEnabled(provider))))
  if (provider !== "maskinporten" && provider !== "entra_id") {
    return answer(reject(invalidRequest(`identity provider '${provider}' does not support token requests`)))
  }
  const outcome = await context.cache.lookup(tokenCacheKey(request), request.skipCache, () =>
    issue(context, provider, decideToken(context, request)))
  return answer(outcome)
}

/** Checks a user's token as the identity provider receiving it in an exchange would: signature, issuer, expiry. */
const verifySubjectToken = async (
  context: SidecarContext,
  token: string
): Promise<{ readonly verdict: Verdict; readonly from: IdentityProvider | undefined }> => {
  const acceptedAs = context.accepted.get(token)
  if (acceptedAs !== undefined) return { verdict: verifyAccepted(context, token), from: acceptedAs }
  let kid: unknown
  try {
    kid = Jose.decodeProtectedHeader(token).kid
  } catch {
    return { verdict: { _tag: "Invalid", reason: "invalid token header: InvalidToken" }, from: undefined }
  }
  const from = context.keys.providerOfKid(kid)
  if (from === undefined) return { verdict: { _tag: "Invalid", reason: "token can not be validated with this identity provider" }, from }
  const validation = { keys: context.keys.keysOf(from), issuer: context.identity(from).issuer, audience: undefined }
  return { verdict: await validate(token, validation, Math.floor(context.now() / 1000)), from }
}

/** An accepted token is not verified, but its `exp` still counts, with the sidecar's leeway. */
const verifyAccepted = (context: SidecarContext, token: string): Verdict => {
  let claims: Record<string, unknown> = {}
  try {
    claims = Jose.decodeJwt(token)
  } catch {
    // Not a JWT: accepted as an opaque token with no claims of its own.
  }
  const exp = claims["exp"]
  if (typeof exp === "number" && exp < Math.floor(context.now() / 1000) - 60) {
    return { _tag: "Invalid", reason: "invalid token: ExpiredSignature" }
  }
  return { _tag: "Valid", claims }
}

const exchange = async (context: SidecarContext, provider: "tokenx" | "entra_id", target: string, userToken: string): Promise<TokenOutcome> => {
  if (userToken.length === 0) return issue(context, provider, rejected(400, "invalid_request", "invalid request: missing or empty assertion parameter"))
  const { from, verdict } = await verifySubjectToken(context, userToken)
  if (verdict._tag === "Invalid" || from === undefined) {
    const reason = verdict._tag === "Invalid" ? verdict.reason : "unknown issuer"
    return issue(context, provider, rejected(400, "invalid_request", `invalid subject_token: ${reason}`))
  }
  return issue(context, provider, decideExchange(context, provider, target, verdict.claims, from))
}

/** `POST /api/v1/token/exchange` (nais/texas `src/handler/token_exchange.rs`), cached per (provider, target, user token). */
export const answerExchange = async (context: SidecarContext, body: string, contentType: string | undefined): Promise<Answered<TokenOutcome>> => {
  const decoded = Protocol.decodeBody(body, contentType, Protocol.exchangeRequestSpec)
  if (decoded._tag === "Invalid") return { fields: undefined, outcome: reject(decoded.answer) }
  const fields = redactUserToken(decoded.fields)
  const provider = decoded.value["identity_provider"] as IdentityProvider
  const target = decoded.value["target"] as string
  const userToken = decoded.value["user_token"] as string
  if (!context.isEnabled(provider)) return { fields, outcome: reject(invalidRequest(notEnabled(provider))) }
  if (provider !== "tokenx" && provider !== "entra_id") {
    return { fields, outcome: reject(invalidRequest(`identity provider '${provider}' does not support token exchange`)) }
  }
  // Three parts, never equal to a token request's four.
  const key = JSON.stringify([provider, target, userToken])
  const outcome = await context.cache.lookup(key, decoded.value["skip_cache"] === true, () => exchange(context, provider, target, userToken))
  return { fields, outcome, presented: userToken }
}

/** An introspection answer body, always sent with 200. */
export type IntrospectionBody = { readonly _tag: "Answer"; readonly body: Record<string, unknown> }

/** Introspects a token for an enabled provider: the provider's keys, issuer and audience (client id for all but Maskinporten). */
const introspect = async (context: SidecarContext, provider: IdentityProvider, token: string): Promise<Verdict> => {
  const acceptedAs = context.accepted.get(token)
  if (acceptedAs !== undefined) {
    return acceptedAs === provider
      ? verifyAccepted(context, token)
      : { _tag: "Invalid", reason: "token can not be validated with this identity provider" }
  }
  const identity = context.identity(provider)
  const audience = provider === "maskinporten" ? undefined : identity.clientId
  return validate(token, { keys: context.keys.keysOf(provider), issuer: identity.issuer, audience }, Math.floor(context.now() / 1000))
}

/**
 * `POST /api/v1/introspect` (nais/texas `src/handler/token_introspect.rs`): 200 with `active`,
 * also for a provider that is not enabled; only a body that does not decode gets a 400.
 */
export const answerIntrospection = async (
  context: SidecarContext,
  body: string,
  contentType: string | undefined
): Promise<Answered<IntrospectionBody | Rejected>> => {
  const decoded = Protocol.decodeBody(body, contentType, Protocol.introspectRequestSpec)
  if (decoded._tag === "Invalid") return { fields: undefined, outcome: reject(decoded.answer) }
  const fields = redactUserToken(decoded.fields)
  const provider = decoded.value["identity_provider"] as IdentityProvider
  const presented = decoded.value["token"] as string
  if (!context.isEnabled(provider)) return { fields, presented, outcome: { _tag: "Answer", body: { active: false, error: notEnabled(provider) } } }
  const verdict = await introspect(context, provider, presented)
  const answer = verdict._tag === "Valid" ? { active: true, ...verdict.claims } : { active: false, error: verdict.reason }
  return { fields, presented, outcome: { _tag: "Answer", body: answer } }
}
