/**
 * The Effect-free rules both lines share, pinned on their own (each line's
 * tests also run them through its services against the emulator).
 */
import { Access, Answers, Bearer, Origins, Policy, Request, UserToken, Wire } from "@effect-texas/protocol"
import { describe, expect, it } from "vitest"

describe("Request", () => {
  it("validates and keys token requests: a string and a list of the same scopes share a key; azuread is entra_id", () => {
    const a = Request.prepare({ identityProvider: "azuread", target: ["api://x/.default"] })
    const b = Request.prepare({ identityProvider: "entra_id", target: "api://x/.default" })
    expect(Request.isInvalid(a) || Request.isInvalid(b)).toBe(false)
    if (!Request.isInvalid(a) && !Request.isInvalid(b)) expect(a.key).toBe(b.key)
    expect(Request.prepare({ identityProvider: "idporten", target: "a" })).toMatchObject({ _tag: "Invalid", field: "identityProvider" })
    expect(Request.prepare({ identityProvider: "maskinporten", target: "a a" })).toMatchObject({ _tag: "Invalid", field: "target" })
  })

  it("refuses a user token its line did not wrap, through the line's unwrap", () => {
    const refuse: UserToken.Unwrap = () => ({ ok: false, reason: "must be Redacted" })
    expect(UserToken.prepareExchange({ identityProvider: "tokenx", target: "a:b:c", userToken: "x.y.z" }, refuse)).toMatchObject({
      _tag: "Invalid",
      field: "userToken",
      reason: "must be Redacted"
    })
    expect(UserToken.prepareIntrospection({ identityProvider: "tokenx", token: "not-a-jws" })).toMatchObject({ _tag: "NotAJws" })
  })

  it("checks endpoint URLs", () => {
    expect(Request.checkEndpoint("http://127.0.0.1:8090/api/v1/token")).toBe("http://127.0.0.1:8090/api/v1/token")
    expect(Request.checkEndpoint("ftp://x/y")).toMatchObject({ _tag: "Invalid", field: "endpoint" })
    expect(Request.checkEndpoint("/relative")).toMatchObject({ _tag: "Invalid", field: "endpoint" })
  })
})

describe("Wire", () => {
  it("reads OAuth errors and problem details, never quoting other bodies", () => {
    expect(Wire.errorBody(JSON.stringify({ error: "invalid_scope", error_description: "no" }))).toEqual({ error: "invalid_scope", description: "no" })
    expect(Wire.errorBody(JSON.stringify({ title: "Forbidden", detail: "not yours" }))).toEqual({ error: "Forbidden", description: "not yours" })
    expect(Wire.errorBody("<html>")).toBeUndefined()
    expect(Wire.parseJsonObject("\"eyJ.secret.sig\"")).toEqual({ ok: false, reason: "the body is JSON a string, not an object" })
  })

  it("classifies statuses and reads Retry-After as seconds or a date", () => {
    expect([500, 503, 408, 429, 400, 401, 403].map(Wire.isTransientStatus)).toEqual([true, true, true, true, false, false, false])
    expect(Wire.retryAfterMillis("3", 0)).toBe(3000)
    expect(Wire.retryAfterMillis(new Date(10_000).toUTCString(), 4_000)).toBe(6000)
    expect(Wire.retryAfterMillis("soon", 0)).toBeUndefined()
  })
})

describe("Policy", () => {
  it("caps the skew at half a token's lifetime", () => {
    expect(Policy.tokenUsableUntil(100_000, 3_600_000, 60_000)).toBe(40_000)
    expect(Policy.tokenUsableUntil(4_000, 4_000, 60_000)).toBe(2_000)
  })

  it("reuses active verdicts only until their exp and the cap", () => {
    expect(Policy.verdictUsableUntil(true, 100, 50_000)).toBe(50_000)
    expect(Policy.verdictUsableUntil(true, 10, 50_000)).toBe(10_000)
    expect(Policy.verdictUsableUntil(false, 100, 50_000)).toBe(-Infinity)
    expect(Policy.verdictUsableUntil(true, undefined, 50_000)).toBe(-Infinity)
  })

  it("reads a user token's exp when it is a JWT", () => {
    const jwt = `e30.${Buffer.from(JSON.stringify({ exp: 1234 })).toString("base64url")}.sig`
    expect(Policy.userTokenExpiry(jwt)).toBe(1_234_000)
    expect(Policy.userTokenExpiry("opaque")).toBe(Infinity)
  })

  it("makes room: expired entries first, then the least recently used", () => {
    const entries = new Map([
      ["old", { usableUntil: 10_000, lastUsed: 1 }],
      ["expired", { usableUntil: 0, lastUsed: 5 }],
      ["recent", { usableUntil: 10_000, lastUsed: 9 }]
    ])
    Policy.makeRoom(entries, 1, 3)
    expect([...entries.keys()]).toEqual(["old", "recent"])
    Policy.makeRoom(entries, 1, 2)
    expect([...entries.keys()]).toEqual(["recent"])
  })

  it("the retry bucket allows retries while more than half is left, and refills slowly", () => {
    const bucket = Policy.retryBucket({ maxTokens: 4, tokenRatio: 0.5 })
    bucket.failed()
    expect(bucket.allows()).toBe(true)
    bucket.failed()
    expect(bucket.allows()).toBe(false)
    bucket.succeeded()
    expect(bucket.allows()).toBe(true)
  })
})

describe("Origins and Bearer", () => {
  it("allows exactly the listed origins", () => {
    const list = Origins.allowList(["https://api.example.com", "not a url"])
    expect(list.origins).toEqual(["https://api.example.com"])
    expect(["https://api.example.com/x", "https://api.example.com:443/", "https://api.example.com.evil.test/", "http://api.example.com/", "//api.example.com/", "data:,x"].map(list.allows))
      .toEqual([true, true, false, false, false, false])
    expect(Origins.redirectsToGet(303, "PUT")).toBe(true)
    expect(Origins.redirectsToGet(308, "POST")).toBe(false)
  })

  it("takes only `Bearer <token>`", () => {
    expect(Bearer.tokenOf("Bearer abc")).toBe("abc")
    expect(Bearer.tokenOf("bearer abc")).toBe("abc")
    for (const header of ["Basic abc", "Bearer  abc", "Bearer a b", "Bearer", undefined]) expect(Bearer.tokenOf(header)).toBeUndefined()
    expect(Bearer.challenge("x")).toBe("Bearer error=\"invalid_token\", error_description=\"x\"")
  })
})

describe("Policy: the sidecar's cache (nais/texas src/cache.rs, CachedTokenResponse::ttl)", () => {
  it("the sidecar holds a token until 120 s before it expires, or half its lifetime, read from floored whole seconds", () => {
    // 3599 s answered (a fresh one-hour token): held until 120 s before the true expiry, up to a second later than said.
    expect(Policy.sidecarHeldUntil(3_599_000, 3_599_000)).toBe(3_480_000)
    // 121 s: past the 120 s leeway, so 1 s of caching.
    expect(Policy.sidecarHeldUntil(120_000, 120_000)).toBe(1_000)
    // 120 s answered as 119: half of it.
    expect(Policy.sidecarHeldUntil(119_000, 119_000)).toBe(60_000)
  })

  it("a token is handed out at least until the sidecar drops it, else with the skew, and never past a year", () => {
    expect(Policy.sidecarTokenUsableUntil(119_000, 119_000, 60_000)).toBe(60_000)
    expect(Policy.sidecarTokenUsableUntil(3_599_000, 3_599_000, 60_000)).toBe(3_539_000)
    // A skew longer than the sidecar's leeway buys nothing: it would hand out the same token until then.
    expect(Policy.sidecarTokenUsableUntil(3_599_000, 3_599_000, 300_000)).toBe(3_480_000)
    expect(Policy.sidecarTokenUsableUntil(1e15, 1e15, 60_000)).toBe(Policy.maxCachedMillis)
  })
})

describe("Policy bounds and timings (mutation survivors)", () => {
  it("holds a token at most a year (beyond it a date's arithmetic is the identity provider's mistake)", () => {
    expect(Policy.maxCachedMillis).toBe(365 * 86_400_000)
  })

  it("tries a failed refresh again after a quarter of the time left, at most 5 s later", () => {
    expect(Policy.nextRefreshTry(1_000, 9_000)).toBe(3_000)
    expect(Policy.nextRefreshTry(1_000, 101_000)).toBe(6_000)
    expect(Policy.nextRefreshTry(1_000, 500)).toBe(1_000)
  })

  it("holds a renewal at most half a short token's lifetime", () => {
    expect(Policy.renewHoldMillis(30_000, 4_000)).toBe(2_000)
    expect(Policy.renewHoldMillis(1_000, 3_600_000)).toBe(1_000)
    expect(Policy.renewHoldMillis(-5, 10)).toBe(0)
  })
})

describe("Answers.decodeToken: a lifetime a date cannot hold", () => {
  it("refuses an expires_in whose expiry is past what a date holds, and takes one just inside", () => {
    expect(Answers.decodeToken("{\"access_token\":\"t\",\"expires_in\":10000000000000,\"token_type\":\"Bearer\"}", "application/json", 0)).toEqual({
      ok: false,
      reason: "expires_in: the expiry is past what a date can hold"
    })
    expect(Answers.decodeToken("{\"access_token\":\"t\",\"expires_in\":8000000000000,\"token_type\":\"Bearer\"}", "application/json", 0)).toMatchObject({ ok: true })
    expect(Answers.decodeToken("{\"access_token\":\"t\",\"expires_in\":8000000000000,\"token_type\":\"Bearer\"}", "application/json", 1e15)).toMatchObject({ ok: false })
  })
  it("says the content type of a body that is not JSON", () => {
    expect(Answers.decodeToken("<html>", undefined, 0)).toEqual({ ok: false, reason: "the body is not JSON (6 characters) (content-type (none))" })
  })
})

describe("Access options named wrong (mutation survivors)", () => {
  it("names the options a policy does not take, and those it does", () => {
    expect(Access.fromOptions({ identityProvider: "tokenx", require: {}, extra: 1 } as never)).toEqual({ _tag: "Invalid", reason: "the options have no extra (they take identityProvider, require)" })
    expect(Access.compile("idporten", { groups: ["g"] } as never)).toMatchObject({ _tag: "Invalid", reason: expect.stringMatching(/^idporten tokens have no groups to require \(it takes .+\)$/) })
  })
})
