/**
 * The sidecar's token cache (nais/texas `src/cache.rs`): an entry lives until
 * 120 s before its token expires, or half its remaining lifetime when that is
 * shorter; concurrent misses for one key share one issue; `skip_cache` drops
 * the entry first; failures are not cached. Bounded, oldest entry out first.
 */

/** A token as cached: its text and when it expires and drops out. */
export interface CachedToken {
  readonly accessToken: string
  readonly expiresAtMs: number
  readonly dropAtMs: number
}

/** A rejection from the identity provider, or a token. */
export type Issued<R> = { readonly _tag: "Token"; readonly token: CachedToken; readonly fromCache?: boolean } | R

const leewayMs = 120_000

/** The sidecar's TTL: remaining - 120 s, or half the remaining when that is shorter. */
export const cacheTtlMs = (remainingMs: number): number => (remainingMs > leewayMs ? remainingMs - leewayMs : remainingMs / 2)

/** The cache, with hits counted by the caller's `onHit`. */
export interface SidecarCache {
  readonly lookup: <R extends { readonly _tag: string }>(
    key: string,
    skipCache: boolean,
    issue: () => Promise<Issued<R>>
  ) => Promise<Issued<R>>
  readonly clear: () => void
  readonly size: () => number
}

/** What the cache may hold in all (keys and tokens): keys made of 1.5 MB fields cannot pin memory. */
const maxCacheBytes = 64 * 1024 * 1024

const entrySize = (key: string, token: CachedToken) => (key.length + token.accessToken.length) * 2 + 64

export const makeSidecarCache = (options: {
  readonly now: () => number
  readonly maxEntries: number
  readonly onHit: () => void
}): SidecarCache => {
  const entries = new Map<string, CachedToken>()
  const inFlight = new Map<string, Promise<Issued<{ readonly _tag: string }>>>()
  let bytes = 0
  const remove = (key: string) => {
    const token = entries.get(key)
    if (token === undefined) return
    entries.delete(key)
    bytes -= entrySize(key, token)
  }
  // Bounded by count and by size, oldest entry out first.
  const store = (key: string, token: CachedToken) => {
    remove(key)
    entries.set(key, token)
    bytes += entrySize(key, token)
    while (entries.size > 1 && (entries.size > options.maxEntries || bytes > maxCacheBytes)) remove(entries.keys().next().value!)
  }
  const lookup = <R extends { readonly _tag: string }>(
    key: string,
    skipCache: boolean,
    issue: () => Promise<Issued<R>>
  ): Promise<Issued<R>> => {
    if (skipCache) remove(key)
    const cached = entries.get(key)
    if (cached !== undefined && options.now() < cached.dropAtMs) {
      options.onHit()
      return Promise.resolve({ _tag: "Token", token: cached, fromCache: true })
    }
    remove(key)
    const pending = inFlight.get(key)
    if (pending !== undefined) return pending as Promise<Issued<R>>
    const fetching = issue()
      .then((outcome) => {
        if (outcome._tag === "Token") store(key, (outcome as { readonly token: CachedToken }).token)
        return outcome
      })
      .finally(() => inFlight.delete(key))
    inFlight.set(key, fetching)
    return fetching
  }
  const clear = () => {
    entries.clear()
    bytes = 0
  }
  return { lookup, clear, size: () => entries.size }
}
