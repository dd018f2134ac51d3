/**
 * The SDK's rules that need no Effect, shared by both lines: when a cached
 * value stops being handed out, which entries make room, when a failed
 * refresh is tried again, and the retry budget's token bucket.
 *
 * @since 0.1.0
 */
import { evict, fullBucket } from "./internal/bounds.js"

/**
 * Epoch ms until which a token is handed out: its expiry less the skew, the
 * skew at most half the token's lifetime, and never more than
 * `maxCachedMillis` after its receipt.
 *
 * @example
 * ```ts
 * import { Policy } from "@effect-texas/protocol"
 *
 * // A 4-second token with a 60 s skew is handed out for 2 seconds.
 * console.log(Policy.tokenUsableUntil(4_000, 4_000, 60_000)) // 2000
 * ```
 *
 * @category Expiry
 * @since 0.1.0
 */
export const tokenUsableUntil = (expiresAtMillis: number, lifetimeMillis: number, skewMillis: number): number =>
  Math.min(expiresAtMillis - Math.min(skewMillis, lifetimeMillis / 2), expiresAtMillis - lifetimeMillis + maxCachedMillis)

/** The sidecar drops a cached token this long before it expires, or at half its lifetime when that is sooner. */
const sidecarLeewayMillis = 120_000

/**
 * Epoch ms until which the sidecar answers requests for this token's key from
 * its own cache, with this same token (nais/texas `src/cache.rs`:
 * `CachedTokenResponse::ttl`, set when the entry is made: the lifetime less
 * 120 s, or half of it when 120 s or less), from an answer that said it
 * expires at `expiresAtMillis` after `lifetimeMillis`. The sidecar floors
 * `expires_in` to whole seconds (a fresh one-hour token arrives as 3599), so
 * the token's true expiry and lifetime are up to a second more than the
 * answer says: this takes the later bound, so that asking after it never
 * reaches a sidecar that still holds the token. From an answer the sidecar
 * gave out of its cache (a shorter lifetime than first issued), it is later
 * still than the sidecar's real drop point, never earlier.
 *
 * @example
 * ```ts
 * import { Policy } from "@effect-texas/protocol"
 *
 * // A one-hour token (answered as 3599 s) is held by the sidecar until 2 minutes before it expires.
 * console.log(Policy.sidecarHeldUntil(3_599_000, 3_599_000)) // 3480000
 * // A 120 s Maskinporten token (answered as 119 s): until half its lifetime.
 * console.log(Policy.sidecarHeldUntil(119_000, 119_000)) // 60000
 * ```
 *
 * @category Expiry
 * @since 0.2.0
 */
export const sidecarHeldUntil = (expiresAtMillis: number, lifetimeMillis: number): number => {
  const expiresAt = expiresAtMillis + 1000
  const lifetime = lifetimeMillis + 1000
  return expiresAt - (lifetime > sidecarLeewayMillis ? sidecarLeewayMillis : lifetime / 2)
}

/**
 * Epoch ms until which a token from the sidecar is handed out: as
 * `tokenUsableUntil` says, but never before the sidecar itself stops
 * answering with it (`sidecarHeldUntil`). Before that, asking again would
 * only bring back the same token with less time left: with a skew longer
 * than the sidecar's 120 s, or a 120-second token whose `expires_in` the
 * sidecar floored, the SDK would otherwise ask the sidecar for a token it
 * still holds, and ask again as that token's remaining lifetime shrinks.
 *
 * @example
 * ```ts
 * import { Policy } from "@effect-texas/protocol"
 *
 * // A 120 s token answered as 119 s, default 60 s skew: kept until the sidecar drops it.
 * console.log(Policy.sidecarTokenUsableUntil(119_000, 119_000, 60_000)) // 60000
 * ```
 *
 * @category Expiry
 * @since 0.2.0
 */
export const sidecarTokenUsableUntil = (expiresAtMillis: number, lifetimeMillis: number, skewMillis: number): number =>
  Math.min(
    Math.max(tokenUsableUntil(expiresAtMillis, lifetimeMillis, skewMillis), sidecarHeldUntil(expiresAtMillis, lifetimeMillis)),
    expiresAtMillis - lifetimeMillis + maxCachedMillis
  )

/**
 * How long a token from a forced renewal is held against further forced
 * renewals of its key: the interval, at most half the token's lifetime, so
 * a short-lived token that a slow request delivered late is still renewed.
 *
 * @example
 * ```ts
 * import { Policy } from "@effect-texas/protocol"
 *
 * console.log(Policy.renewHoldMillis(30_000, 4_000)) // 2000
 * ```
 *
 * @category Expiry
 * @since 0.1.0
 */
export const renewHoldMillis = (minRenewMillis: number, lifetimeMillis: number): number =>
  Math.max(0, Math.min(minRenewMillis, lifetimeMillis / 2))

/**
 * The longest a token is handed out from a cache, counted from its receipt
 * (365 days). No identity provider on the platform issues tokens that live
 * this long (Maskinporten's and Entra ID's live minutes to hours); a token
 * that says it does is still handed out (the identity provider decides), but
 * fetched anew after this, so that a broken or crafted lifetime cannot pin
 * one token in the cache for ever.
 *
 * @example
 * ```ts
 * import { Policy } from "@effect-texas/protocol"
 *
 * console.log(Policy.maxCachedMillis / 86_400_000) // 365
 * ```
 *
 * @category Expiry
 * @since 0.1.0
 */
export const maxCachedMillis = 365 * 24 * 60 * 60 * 1000

/** The largest epoch ms a JavaScript `Date` (and so a `DateTime`) can hold. */
const maxDateMillis = 8.64e15

/**
 * Why an expiry in epoch ms cannot be taken (not a number, or past what a
 * date can hold), or undefined when it can. Such an answer is refused as
 * invalid rather than turned into an invalid date.
 *
 * @example
 * ```ts
 * import { Policy } from "@effect-texas/protocol"
 *
 * console.log(Policy.expiryProblem(Date.now() + 3_600_000)) // undefined
 * console.log(Policy.expiryProblem(1e300)) // the expiry is past what a date can hold
 * ```
 *
 * @category Expiry
 * @since 0.1.0
 */
export const expiryProblem = (expiresAtMillis: number): string | undefined =>
  Number.isFinite(expiresAtMillis) && Math.abs(expiresAtMillis) <= maxDateMillis
    ? undefined
    : "the expiry is past what a date can hold"

/**
 * Until when an introspection verdict may be reused: an active one until the
 * `exp` the sidecar reported and `cap`; an inactive one, or one without a
 * numeric `exp`, not at all.
 *
 * @example
 * ```ts
 * import { Policy } from "@effect-texas/protocol"
 *
 * console.log(Policy.verdictUsableUntil(true, 1_700_000_000, 1_699_999_999_000)) // 1699999999000
 * ```
 *
 * @category Expiry
 * @since 0.1.0
 */
export const verdictUsableUntil = (active: boolean, exp: unknown, capMillis: number): number =>
  active && typeof exp === "number" && Number.isFinite(exp) ? Math.min(exp * 1000, capMillis) : -Infinity

/**
 * The `exp` of a user's token in epoch ms when it is a JWT that says so, else
 * `Infinity` (the sidecar judges it): an exchanged token is never used past it.
 *
 * @example
 * ```ts
 * import { Policy } from "@effect-texas/protocol"
 *
 * console.log(Policy.userTokenExpiry("not a jwt")) // Infinity
 * ```
 *
 * @category Expiry
 * @since 0.1.0
 */
export const userTokenExpiry = (token: string): number => {
  const payload = token.split(".")[1]
  if (payload === undefined) return Infinity
  try {
    const exp: unknown = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown }).exp
    return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : Infinity
  } catch {
    return Infinity
  }
}

/** A failed refresh is not tried again sooner than this, or a quarter of the remaining usable time when shorter. */
const refreshRetryMillis = 5_000

/**
 * When a background refresh that failed (or the first one) is tried next.
 *
 * @example
 * ```ts
 * import { Policy } from "@effect-texas/protocol"
 *
 * console.log(Policy.nextRefreshTry(0, 4_000)) // 1000: a quarter of what is left
 * ```
 *
 * @category Caching
 * @since 0.1.0
 */
export const nextRefreshTry = (now: number, usableUntil: number): number =>
  now + Math.min(refreshRetryMillis, Math.max(0, usableUntil - now) / 4)

/**
 * Makes room for one more entry: expired ones first, then the least recently used.
 *
 * @example
 * ```ts
 * import { Policy } from "@effect-texas/protocol"
 *
 * const entries = new Map([["a", { usableUntil: 0, lastUsed: 1 }], ["b", { usableUntil: 9e15, lastUsed: 2 }]])
 * Policy.makeRoom(entries, Date.now(), 2)
 * console.log([...entries.keys()]) // ["b"]
 * ```
 *
 * @category Caching
 * @since 0.1.0
 */
export const makeRoom: <K>(
  entries: Map<K, { readonly usableUntil: number; readonly lastUsed: number }>,
  now: number,
  maxEntries: number
) => void = evict

/**
 * A retry budget's bucket (gRPC-style retry throttling): transient failures
 * take a token each, successes give back `tokenRatio`, and retries are allowed
 * only while more than half of `maxTokens` are left.
 *
 * @category Models
 * @since 0.1.0
 */
export interface RetryBucket {
  readonly failed: () => void
  readonly succeeded: () => void
  readonly allows: () => boolean
}

/**
 * A fresh, full bucket (each line's services hold one and step it inside their effects).
 *
 * @example
 * ```ts
 * import { Policy } from "@effect-texas/protocol"
 *
 * const bucket = Policy.retryBucket({ maxTokens: 2 })
 * bucket.failed()
 * console.log(bucket.allows()) // false: half of the bucket is spent
 * ```
 *
 * @category Retries
 * @since 0.1.0
 */
export const retryBucket: (options?: { readonly maxTokens?: number | undefined; readonly tokenRatio?: number | undefined }) => RetryBucket = fullBucket

/**
 * The SDK's default timing for the token and exchange endpoints, fitted to
 * the sidecar's own (nais/texas `src/http/client.rs`, `Config::token`): it
 * makes up to 4 attempts at the identity provider, no backoff, each cut off
 * after 2 s, so a slow provider can take it about 8 s to answer. One SDK
 * attempt waits `attemptTimeoutMillis` (10 s: the sidecar's worst case and a
 * margin), so the SDK never abandons a request the sidecar is still
 * retrying and starts its sequence again; `timeoutMillis` (25 s) leaves room
 * for one retry after a full attempt. A refused connection (the sidecar
 * still starting) is retried for what the budget leaves after one attempt
 * (15 s).
 *
 * @example
 * ```ts
 * import { Policy } from "@effect-texas/protocol"
 *
 * console.log(Policy.tokenTiming.attemptTimeoutMillis > Policy.tokenTiming.sidecarWorstCaseMillis) // true
 * ```
 *
 * @category Timing
 * @since 0.1.0
 */
export const tokenTiming = {
  /** The sidecar's worst case: 4 attempts of 2 s each. */
  sidecarWorstCaseMillis: 4 * 2000,
  attemptTimeoutMillis: 10_000,
  timeoutMillis: 25_000
} as const

