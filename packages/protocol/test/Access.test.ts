/**
 * The inbound policy rules both lines' middlewares use (`Access`), judged on
 * plain claims. What reaches a caller (403, `insufficient_scope`, 500 for an
 * unusable policy) is pinned over HTTP in `behaviour/inbound.test.ts`.
 */
import { Access, Claims } from "@effect-texas/protocol"
import { describe, expect, it } from "vitest"

const policy = <C>(provider: string, requirements: Access.AnyRequirements<C>) => {
  const compiled = Access.compile<C>(provider, requirements)
  if (compiled._tag !== "Policy") throw new Error(compiled.reason)
  return compiled
}

describe("Access", () => {
  it("a scope is matched whole: one that merely starts with the required one is missing", () => {
    const verdict = policy("maskinporten", { scopes: ["nav:api/read"] }).judge({ scope: "nav:api/readwrite nav:api/read.all" })
    expect(verdict).toEqual({ _tag: "Forbidden", reason: "the token lacks scope nav:api/read", missingScopes: ["nav:api/read"] })
    expect(policy("maskinporten", { scopes: ["nav:api/read"] }).judge({ scope: "other nav:api/read" })._tag).toBe("Allowed")
  })

  it("a check allows only on true, and says in the refusal when it returned no boolean", () => {
    const judged = (result: unknown) => policy("idporten", { check: () => result as boolean }).judge({})
    expect(judged(true)._tag).toBe("Allowed")
    expect(judged(false)).toMatchObject({ _tag: "Forbidden", reason: "the policy's check refused the claims" })
    expect(judged(Promise.resolve(true))).toMatchObject({ _tag: "Forbidden", reason: expect.stringContaining("returned no boolean (a Promise") })
    expect(judged("false")).toMatchObject({ _tag: "Forbidden", reason: "the policy's check returned no boolean (string)" })
    expect(policy("idporten", { check: () => { throw new Error("boom") } }).judge({})).toMatchObject({ _tag: "Forbidden", reason: "the policy's check failed" })
  })

  it("scopes are RFC 6749 scope-tokens (§3.3), checked when the policy is built", () => {
    for (const scope of ["a\r\nb", "a\u0000", 'a"b', "a\\b", "a b", "æ"]) {
      expect(Access.compile("maskinporten", { scopes: [scope] })).toMatchObject({ _tag: "Invalid", reason: expect.stringContaining("is no scope (RFC 6749 §3.3") })
    }
    expect(Access.compile("maskinporten", { scopes: ["nav:api/read", "!#[]~"] })._tag).toBe("Policy")
  })

  it("options: a key they do not have is Invalid, naming it; the two they have compile", () => {
    const misspelt = { identityProvider: "idporten", requires: { acr: "idporten-loa-high" } } as unknown as Access.Options<unknown>
    expect(Access.fromOptions(misspelt)).toEqual({ _tag: "Invalid", reason: "the options have no requires (they take identityProvider, require)" })
    expect(Access.fromOptions({ identityProvider: "idporten", require: { acr: "idporten-loa-high" } })._tag).toBe("Policy")
  })

  it("the challenge names the missing scopes as they are (they cannot hold a quote)", () => {
    expect(Access.forbiddenChallenge({ _tag: "Forbidden", reason: "", missingScopes: ["a:b", "c:d"] })).toBe('Bearer error="insufficient_scope", scope="a:b c:d"')
    expect(Access.forbiddenChallenge({ _tag: "Forbidden", reason: "", missingScopes: [] })).toBeUndefined()
  })
})

describe("Claims.frozen", () => {
  it("freezes every object and list below the claims, so a change throws in strict mode", () => {
    const claims = Claims.frozen({ sub: "a", groups: ["readers"], consumer: { authority: "x", ID: "0192:889640782" } })
    expect([claims, claims.groups, claims.consumer].every(Object.isFrozen)).toBe(true)
    expect(() => (claims.groups as Array<string>).push("admin")).toThrow(TypeError)
  })
})
