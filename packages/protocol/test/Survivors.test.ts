/**
 * Behaviours the mutation run found unpinned, each as a user would meet it: the token request's
 * body and key, the endpoint check, which values count as frozen data, policy options named
 * wrong, a refused connection behind nested aggregates, the retry budget's ceiling and the cache's
 * expiry boundary when it makes room.
 */
import { Access, Policy, Request, Wire } from "@effect-texas/protocol"
import { describe, expect, it } from "vitest"

const prepared = (request: Request.TokenRequest) => {
  const result = Request.prepare(request)
  if (Request.isInvalid(result)) throw new Error(result.reason)
  return result
}

describe("Request", () => {
  it("sends resource and authorization_details only when given (no field with an undefined value)", () => {
    expect(Request.tokenFields(prepared({ identityProvider: "maskinporten", target: "a:b" }), false)).toStrictEqual({ identity_provider: "maskinporten", target: "a:b" })
    const details = [{ type: "x" }]
    expect(Request.tokenFields(prepared({ identityProvider: "maskinporten", target: "a:b", resource: "https://r", authorizationDetails: details }), true)).toStrictEqual({
      identity_provider: "maskinporten",
      target: "a:b",
      resource: "https://r",
      authorization_details: details,
      skip_cache: true
    })
  })

  it("keys requests for different resources apart, and none from a request without one", () => {
    const keys = [undefined, "https://a", "https://b"].map((resource) => prepared({ identityProvider: "maskinporten", target: "a:b", ...(resource === undefined ? {} : { resource }) }).key)
    expect(new Set(keys).size).toBe(3)
  })

  it("takes an http(s) endpoint as its normal form, and says why it refuses another", () => {
    expect(Request.checkEndpoint("http://127.0.0.1:7164/api/v1/token")).toBe("http://127.0.0.1:7164/api/v1/token")
    expect(Request.checkEndpoint(new URL("HTTPS://Sidecar/api/v1/token"))).toBe("https://sidecar/api/v1/token")
    expect(Request.checkEndpoint("sidecar:7164")).toEqual({ _tag: "Invalid", field: "endpoint", reason: "`sidecar:7164` must be an http or https URL" })
    expect(Request.checkEndpoint("ftp://sidecar/token")).toEqual({ _tag: "Invalid", field: "endpoint", reason: "`ftp://sidecar/token` must be an http or https URL" })
    expect(Request.checkEndpoint("/api/v1/token")).toEqual({ _tag: "Invalid", field: "endpoint", reason: "`/api/v1/token` is not an absolute URL" })
  })

  it("isInvalid is false for anything but an Invalid, null and undefined included", () => {
    for (const value of [null, undefined, "Invalid", 0, {}, { _tag: "Prepared" }]) expect(Request.isInvalid(value)).toBe(false)
    expect(Request.isInvalid(Request.invalid("target", "x"))).toBe(true)
  })

  it("counts as frozen plain data only frozen objects and arrays all the way down (and nothing at all)", () => {
    expect(Request.isFrozenPlainData(null)).toBe(true)
    expect(Request.isFrozenPlainData(undefined)).toBe(true)
    expect(Request.isFrozenPlainData("a")).toBe(true)
    expect(Request.isFrozenPlainData(Object.freeze({ a: Object.freeze([1, Object.freeze({ b: "c" })]) }))).toBe(true)
    expect(Request.isFrozenPlainData({ a: 1 })).toBe(false)
    expect(Request.isFrozenPlainData(Object.freeze({ a: [1] }))).toBe(false)
    expect(Request.isFrozenPlainData(Object.freeze(new (class Thing {})()))).toBe(false)
    expect(Request.isFrozenPlainData(Object.freeze(Object.setPrototypeOf([1], Object.freeze({}))))).toBe(false)
  })
})

describe("Access: options named wrong, several at once", () => {
  it("names every option a policy does not take, comma-separated", () => {
    expect(Access.fromOptions({ identityProvider: "tokenx", require: {}, a: 1, b: 2 } as never)).toEqual({ _tag: "Invalid", reason: "the options have no a, b (they take identityProvider, require)" })
    expect(Access.compile("idporten", { groups: ["g"], roles: ["r"] } as never)).toEqual({ _tag: "Invalid", reason: "idporten tokens have no groups, roles to require (it takes acr, check)" })
  })
})

describe("Wire.isConnectionRefused through nested aggregates", () => {
  it("looks eight levels deep through aggregates as through causes", () => {
    const refused = { code: "ECONNREFUSED" }
    const nested = (depth: number): unknown => (depth === 0 ? refused : { errors: [nested(depth - 1)] })
    expect(Wire.isConnectionRefused(nested(8))).toBe(true)
    expect(Wire.isConnectionRefused(nested(9))).toBe(false)
  })
})

describe("Policy: the retry budget and making room", () => {
  it("a budget refilled by successes never holds more than its ceiling", () => {
    const bucket = Policy.retryBucket({ maxTokens: 4, tokenRatio: 1 })
    for (let i = 0; i < 10; i++) bucket.succeeded()
    // From the ceiling, three failures leave 1 of 4: no more than half, so no retry.
    for (let i = 0; i < 3; i++) bucket.failed()
    expect(bucket.allows()).toBe(false)
  })

  it("drops an entry that expires at the instant room is made, before any live one", () => {
    const entries = new Map([["expiring", { usableUntil: 100, lastUsed: 5 }], ["old", { usableUntil: 500, lastUsed: 1 }], ["new", { usableUntil: 500, lastUsed: 9 }]])
    Policy.makeRoom(entries, 100, 3)
    expect([...entries.keys()]).toEqual(["old", "new"])
  })
})

describe("Access: what a refusal and a bad policy say", () => {
  const judge = (require: Record<string, unknown>, claims: Record<string, unknown>) => {
    const policy = Access.compile("maskinporten", require as never)
    if (policy._tag !== "Policy") throw new Error(policy.reason)
    return policy.judge(claims as never)
  }

  it("names every scope a token lacks", () => {
    expect(judge({ scopes: ["nav:a", "nav:b", "nav:c"] }, { scope: "nav:b" })).toMatchObject({ _tag: "Forbidden", reason: "the token lacks scope nav:a nav:c", missingScopes: ["nav:a", "nav:c"] })
  })

  it("names the option that is wrong: an empty consumers list, a list holding a non-string, an organisation number among good ones", () => {
    expect(Access.compile("maskinporten", { scopes: ["nav:a"], consumers: [] } as never)).toMatchObject({ _tag: "Invalid", reason: expect.stringMatching(/^require\.consumers must not be empty/) })
    expect(Access.compile("maskinporten", { scopes: ["nav:a", ["nav:b"]] } as never)).toEqual({ _tag: "Invalid", reason: "require.scopes must be a list of non-empty strings" })
    expect(Access.compile("maskinporten", { scopes: ["nav:a"], consumers: ["889640782", "123"] } as never)).toEqual({
      _tag: "Invalid",
      reason: "require.consumers: 123 is no organisation number: it must be exactly nine digits"
    })
  })
})

describe("Request: the cache key follows the body the sidecar gets", () => {
  const key = (details: ReadonlyArray<Record<string, unknown>>) => prepared({ identityProvider: "maskinporten", target: "a:b", authorizationDetails: details }).key
  it("a detail's field that is undefined is not sent, so it keys as absent; key order does not matter", () => {
    expect(key([{ a: 1, b: undefined }])).toBe(key([{ a: 1 }]))
    expect(key([{ b: 2, a: 1 }])).toBe(key([{ a: 1, b: 2 }]))
    expect(key([{ a: 1, b: null }])).not.toBe(key([{ a: 1 }]))
  })
})
