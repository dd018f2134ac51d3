/// <reference types="vitest/globals" />
/**
 * The SDK's token cache in front of the sidecar's. The sidecar keeps a token for its lifetime
 * less 120 s, or half of it when less remains, and answers from that cache with the *remaining*
 * `expires_in` (nais/texas `src/cache.rs`: `CachedTokenResponse::ttl`, `expires_in`, set when the
 * entry is made by `expire_after_create`). Asking it while it holds the token buys the same token,
 * shorter: the SDK never does unless forced, and an answer carrying the token it already holds
 * does not shrink that token's window. Counted at the emulator, which follows the same rule.
 */
import { startTexasEmulator } from "@effect-texas/emulator"
import type * as D from "./Driver.js"
import { driver, servicesFor, success } from "./setup.js"

const scope = "skatt:some.scope"
const request: D.TokenRequestView = { identityProvider: "maskinporten", target: scope }

/**
 * One caller every 50 ms for `seconds` against a sidecar issuing `lifetime`-second tokens: the
 * sidecar's token requests, and how many of them it answered from its cache.
 */
const steadyCaller = async (lifetime: number, seconds: number, options: Omit<D.ServicesOptions, "texasUrl">) => {
  const emulator = await startTexasEmulator({ grantedScopes: [scope], tokenLifetime: `${lifetime} seconds` })
  const services = await servicesFor(emulator, options)
  try {
    const until = Date.now() + seconds * 1000
    while (Date.now() < until) {
      success(await services.token(request).run())
      await new Promise((wait) => setTimeout(wait, 50))
    }
    const stats = emulator.stats()
    return { requests: stats.tokenRequests, fromCache: stats.cacheHits }
  } finally {
    await services.close()
    await emulator.close()
  }
}

describe.concurrent(`the SDK's cache in front of the sidecar's (${driver.line})`, () => {
  // 4 s tokens (answered as 3 s: the sidecar floors expires_in), the default 60 s skew: a fresh
  // token is usable for half its lifetime, 2 s, which is also when the sidecar drops it (half the
  // lifetime, as it is under 120 s). The ideal over 10 s: 5 requests.
  it("over five lifetimes, with and without refreshAhead: at most the ideal plus one requests, none answered from the sidecar's cache", async () => {
    const [plain, ahead] = await Promise.all([steadyCaller(4, 10, {}), steadyCaller(4, 10, { refreshAhead: "1 second" })])
    for (const run of [plain, ahead]) {
      expect(run.fromCache).toBe(0)
      expect(run.requests).toBeLessThanOrEqual(10 / 2 + 1)
      expect(run.requests).toBeGreaterThanOrEqual(10 / 2 - 1)
    }
  }, 30_000)

  // 10 s tokens (answered as 9 s) with a 1 s skew: usable for 8 s, while the sidecar drops them
  // after 5 s. Without refreshAhead: a request at 0 and 8 s of a 15 s run. A refresh ahead of 2 s
  // starts at 6 s, after the sidecar's entry has gone (0, 6, 12 s). One of 6 s would start at 2 s,
  // while the sidecar still holds the token: it waits until the sidecar's entry goes (0, 5, 10 s).
  it("refreshAhead starts no earlier than the sidecar's entry goes: fresh tokens ahead of expiry, none from its cache", async () => {
    const runs = await Promise.all([
      steadyCaller(10, 15, { expirySkew: "1 second" }),
      steadyCaller(10, 15, { expirySkew: "1 second", refreshAhead: "2 seconds" }),
      steadyCaller(10, 15, { expirySkew: "1 second", refreshAhead: "6 seconds" })
    ])
    expect(runs).toEqual([{ requests: 2, fromCache: 0 }, { requests: 3, fromCache: 0 }, { requests: 3, fromCache: 0 }])
  }, 30_000)
})
