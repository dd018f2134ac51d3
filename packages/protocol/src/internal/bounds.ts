/**
 * The two bounded structures behind `Policy`: a cache's eviction (`Policy.makeRoom`) and a retry
 * budget's bucket (`Policy.retryBucket`).
 */
import type { RetryBucket } from "../Policy.js"

/** Expired entries first, then the least recently used, until one more fits. */
export const evict = <K>(
  entries: Map<K, { readonly usableUntil: number; readonly lastUsed: number }>,
  now: number,
  maxEntries: number
): void => {
  for (const [key, entry] of entries) if (entry.usableUntil <= now) entries.delete(key)
  while (entries.size >= maxEntries) {
    let oldestKey: K | undefined
    let oldest = Infinity
    for (const [key, entry] of entries) {
      if (entry.lastUsed < oldest) {
        oldest = entry.lastUsed
        oldestKey = key
      }
    }
    if (oldestKey === undefined) break
    entries.delete(oldestKey)
  }
}

/** A full bucket: a failure takes a token, a success gives back `tokenRatio`, retries while over half is left. */
export const fullBucket = (options: { readonly maxTokens?: number | undefined; readonly tokenRatio?: number | undefined } = {}): RetryBucket => {
  const maxTokens = Math.max(1, options.maxTokens ?? 10)
  const ratio = Math.max(0, options.tokenRatio ?? 0.1)
  let tokens = maxTokens
  return {
    failed: () => {
      tokens = Math.max(0, tokens - 1)
    },
    succeeded: () => {
      tokens = Math.min(maxTokens, tokens + ratio)
    },
    allows: () => tokens > maxTokens / 2
  }
}
