/**
 * The sidecar's own token cache as the emulator keeps it (nais/texas `src/cache.rs`: a token is
 * held until 120 s before it expires, half its lifetime when it lives shorter; `skip_cache` drops
 * it; one request per key at a time), and the bounds that keep a hostile client from filling it
 * (count, oldest first, and 64 MiB).
 */
import { describe, expect, it } from "vitest"
import { cacheTtlMs, type CachedToken, makeSidecarCache } from "../src/internal/sidecarCache.js"

const token = (accessToken: string, dropAtMs: number): CachedToken => ({ accessToken, expiresAtMs: dropAtMs + 120_000, dropAtMs })

const cache = (maxEntries = 10) => {
  let now = 0
  let hits = 0
  const made = makeSidecarCache({ now: () => now, maxEntries, onHit: () => hits++ })
  let issued = 0
  const issue = (accessToken = `t${++issued}`, dropAtMs = 1_000) => () => Promise.resolve({ _tag: "Token" as const, token: token(accessToken, dropAtMs) })
  return { made, issue, at: (ms: number) => (now = ms), hits: () => hits }
}

describe("cacheTtlMs", () => {
  it("holds a token until 120 s before it expires; one living 120 s or less for half its lifetime", () => {
    expect(cacheTtlMs(3_600_000)).toBe(3_480_000)
    expect(cacheTtlMs(120_001)).toBe(1)
    expect(cacheTtlMs(120_000)).toBe(60_000)
    expect(cacheTtlMs(60_000)).toBe(30_000)
  })
})

describe("the cache", () => {
  it("answers from the cache until the token's drop time, then asks again", async () => {
    const { at, hits, issue, made } = cache()
    const first = await made.lookup("k", false, issue("a", 1_000))
    expect(first).toMatchObject({ token: { accessToken: "a" } })
    expect(first).not.toHaveProperty("fromCache", true)
    at(999)
    expect(await made.lookup("k", false, issue("b"))).toMatchObject({ token: { accessToken: "a" }, fromCache: true })
    expect(hits()).toBe(1)
    at(1_000)
    expect(await made.lookup("k", false, issue("c", 5_000))).toMatchObject({ token: { accessToken: "c" } })
    expect(made.size()).toBe(1)
  })

  it("skip_cache drops the held token and asks again; a refusal is not kept", async () => {
    const { issue, made } = cache()
    await made.lookup("k", false, issue("a"))
    expect(await made.lookup("k", true, issue("b"))).toMatchObject({ token: { accessToken: "b" } })
    expect(await made.lookup("k", false, issue("c"))).toMatchObject({ token: { accessToken: "b" }, fromCache: true })
    const refused = await made.lookup("r", false, () => Promise.resolve({ _tag: "Rejected" as const }))
    expect(refused).toEqual({ _tag: "Rejected" })
    expect(made.size()).toBe(1)
  })

  it("asks once for concurrent requests for one key", async () => {
    const { made } = cache()
    let asked = 0
    let release: (value: { readonly _tag: "Token"; readonly token: CachedToken }) => void = () => undefined
    const slow = () => {
      asked++
      return new Promise<{ readonly _tag: "Token"; readonly token: CachedToken }>((resolve) => (release = resolve))
    }
    const both = Promise.all([made.lookup("k", false, slow), made.lookup("k", false, slow)])
    release({ _tag: "Token", token: token("a", 1_000) })
    expect((await both).map((answer) => (answer as { token: CachedToken }).token.accessToken)).toEqual(["a", "a"])
    expect(asked).toBe(1)
  })

  it("keeps at most maxEntries, dropping the oldest first; one entry always stays", async () => {
    const { issue, made } = cache(2)
    for (const key of ["a", "b", "c"]) await made.lookup(key, false, issue(key))
    expect(made.size()).toBe(2)
    expect(await made.lookup("b", false, issue("new-b"))).toMatchObject({ fromCache: true })
    expect(await made.lookup("c", false, issue("new-c"))).toMatchObject({ fromCache: true })
    expect(await made.lookup("a", false, issue("new-a"))).toMatchObject({ token: { accessToken: "new-a" } })
    const one = cache(0)
    await one.made.lookup("x", false, one.issue("x"))
    expect(one.made.size()).toBe(1)
  })

  it("keeps at most 64 MiB of tokens, counted as UTF-16 with the key", async () => {
    const { issue, made } = cache(1_000)
    const big = "t".repeat(8 * 1024 * 1024) // 16 MiB as UTF-16
    for (const key of ["a", "b", "c"]) await made.lookup(key, false, issue(big + key))
    expect(made.size()).toBe(3)
    await made.lookup("d", false, issue(big + "d"))
    // Four of 16 MiB and their keys are over 64 MiB: the oldest goes.
    expect(made.size()).toBe(3)
    expect(await made.lookup("a", false, issue("small"))).toMatchObject({ token: { accessToken: "small" } })
    // Replacing an entry frees its bytes: the same key again does not push another out.
    const again = cache(1_000)
    for (const key of ["a", "b", "c"]) await again.made.lookup(key, false, again.issue(big + key))
    for (let i = 0; i < 3; i++) await again.made.lookup("c", true, again.issue(big + "c"))
    expect(again.made.size()).toBe(3)
  })

  it("clear forgets every token", async () => {
    const { issue, made } = cache()
    await made.lookup("a", false, issue())
    made.clear()
    expect(made.size()).toBe(0)
  })
})
