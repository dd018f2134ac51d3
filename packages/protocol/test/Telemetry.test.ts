/**
 * The names and attributes of the SDK's spans and metrics: dashboards, alerts and trace queries
 * are written against them, so each is pinned as users see it, and the operations guide names
 * every metric.
 */
import { Metrics, Spans } from "@effect-texas/protocol"
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"

describe("Spans", () => {
  it("names a span per operation", () => {
    expect(Spans.names).toEqual({
      token: "TokenService.fetch",
      exchange: "TokenExchange.exchange",
      introspect: "TokenIntrospection.introspect",
      altinn: "AltinnToken.exchange",
      requireUser: "requireUser",
      authentication: "Authentication.bearer"
    })
  })

  it("says what a request asked for, never a token", () => {
    expect(Spans.tokenRequest({ provider: "entra_id", target: "api://a", resource: "https://r" }, true)).toEqual({
      "texas.identity_provider": "entra_id",
      "texas.target": "api://a",
      "texas.resource": "https://r",
      "texas.skip_cache": true,
      "texas.cache_hit": false
    })
    expect(Spans.tokenRequest({ provider: "maskinporten", target: "a:b" }, false)).toMatchObject({ "texas.resource": "", "texas.skip_cache": false })
    expect(Spans.exchangeRequest({ provider: "tokenx", target: "dev-gcp:team:app" }, true)).toEqual({
      "texas.identity_provider": "tokenx",
      "texas.target": "dev-gcp:team:app",
      "texas.skip_cache": true,
      "texas.cache_hit": false
    })
    expect(Spans.provider("idporten")).toEqual({ "texas.identity_provider": "idporten" })
    expect(Spans.altinnRequest("altinn:a altinn:b", false)).toEqual({ "texas.target": "altinn:a altinn:b", "texas.skip_cache": false })
  })

  it("says how a request ended: attempts, and the lifetime, the verdict or the error's tag", () => {
    expect(Spans.succeeded(2)).toStrictEqual({ "texas.attempts": 2 })
    expect(Spans.succeeded(1, { expiresInSeconds: 0 })).toStrictEqual({ "texas.attempts": 1, "texas.expires_in": 0 })
    expect(Spans.succeeded(1, { active: false })).toStrictEqual({ "texas.attempts": 1, "texas.active": false })
    expect(Spans.succeeded(3, { expiresInSeconds: 60, active: true })).toEqual({ "texas.attempts": 3, "texas.expires_in": 60, "texas.active": true })
    expect(Spans.failed(4, "TokenEndpointUnreachable")).toEqual({ "texas.attempts": 4, "texas.error": "TokenEndpointUnreachable" })
  })
})

describe("Metrics", () => {
  const guide = readFileSync(new URL("../../../docs/guides/10-operations.md", import.meta.url), "utf8")

  it("names each metric, with what it counts", () => {
    expect(Object.fromEntries(Object.entries(Metrics.catalogue).map(([key, { description, name }]) => [key, `${name}: ${description}`]))).toEqual({
      cacheHits: "texas.token.cache.hits: token calls answered from the client cache",
      cacheMisses: "texas.token.cache.misses: token calls that found no usable cached token",
      cacheEntries: "texas.token.cache.entries: tokens held in the client cache",
      fetches: "texas.token.fetches: requests sent to the token endpoint, retries included",
      retries: "texas.token.retries: retries after a transient failure of the token endpoint",
      retriesDenied: "texas.token.retries.denied: retries not made because the retry budget was spent",
      failures: "texas.token.failures: token acquisitions that failed after retries",
      refreshFailures: "texas.token.refresh.failures: background refreshes that failed while the cached token was still valid",
      verdictCacheHits: "texas.introspection.cache.hits: introspections answered from the verdict cache",
      verdictCacheMisses: "texas.introspection.cache.misses: introspections not answered from the verdict cache",
      verdictCacheEntries: "texas.introspection.cache.entries: active verdicts held in the verdict cache",
      altinnCacheHits: "altinn.token.cache.hits: Altinn tokens served from the cache",
      altinnCacheMisses: "altinn.token.cache.misses: Altinn token requests that needed an exchange",
      altinnCacheEntries: "altinn.token.cache.entries: Altinn tokens in the cache",
      requestDuration: "http.client.request.duration: duration of requests to the token sidecar, in seconds"
    })
  })

  it("the operations guide names every metric (a family by its prefix and .*)", () => {
    for (const { name } of Object.values(Metrics.catalogue)) {
      const family = `${name.slice(0, name.lastIndexOf("."))}.*`
      const last = name.slice(name.lastIndexOf(".") + 1)
      // By its name, by its family (`texas.introspection.cache.*`), or after a sibling (`….hits` / `misses`).
      const named = [`\`${name}\``, `\`${family}\``, `/ \`${last}\``].some((form) => guide.includes(form))
      expect(named, name).toBe(true)
    }
  })

  it("measures request durations in seconds, from 5 ms to 10 s", () => {
    expect(Metrics.durationBuckets).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10])
  })

  it("labels an outcome by the sidecar's status, else by the error's tag", () => {
    expect(Metrics.outcome("ok")).toBe("ok")
    expect(Metrics.outcome("interrupted")).toBe("interrupted")
    expect(Metrics.outcome({ _tag: "TokenEndpointError", status: 401 })).toBe("401")
    expect(Metrics.outcome({ _tag: "TokenEndpointError" })).toBe("TokenEndpointError")
    expect(Metrics.outcome({ _tag: "InvalidTokenResponse", status: 200 })).toBe("InvalidTokenResponse")
    expect(Metrics.outcome({ _tag: "TokenEndpointUnreachable" })).toBe("TokenEndpointUnreachable")
  })
})
