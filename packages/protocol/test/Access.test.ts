/**
 * The inbound policy rules both lines' middlewares use (`Access`), judged on
 * plain claims. What reaches a caller (403, `insufficient_scope`, 500 for an
 * unusable policy) is pinned over HTTP in `behaviour/inbound.test.ts`.
 */
import { Access, Claims } from "@effect-texas/protocol"
import { describe, expect, it } from "vitest"

const policy = <C>(provider: string, requirements: Access.AnyRequirements<C> | undefined) => {
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

describe("Access.compile: each requirement, judged", () => {
  const org = "889640782"
  const allowed = { _tag: "Allowed" }

  it("consumers: only a consumer claim whose ID is 0192:<an allowed number>; a missing or other-shaped one is refused", () => {
    const judge = policy("maskinporten", { scopes: ["nav:api/read"], consumers: [org] }).judge
    expect(judge({ scope: "nav:api/read", consumer: { ID: `0192:${org}` } })).toEqual(allowed)
    for (const consumer of [undefined, { ID: org }, { ID: "0192:974761076" }, `0192:${org}`, null]) {
      expect(judge({ scope: "nav:api/read", consumer }), JSON.stringify(consumer)).toEqual({
        _tag: "Forbidden",
        reason: "the consumer organisation is not one of those allowed",
        missingScopes: []
      })
    }
  })

  it("acr: the login's level at least the one required; an unknown or missing level is below every level", () => {
    const high = policy("idporten", { acr: "idporten-loa-high" }).judge
    const substantial = policy("tokenx", { acr: "idporten-loa-substantial" }).judge
    expect(high({ acr: "idporten-loa-high" })).toEqual(allowed)
    expect(high({ acr: "idporten-loa-substantial" })).toMatchObject({ _tag: "Forbidden", reason: "the login's level of assurance is below idporten-loa-high" })
    expect(substantial({ acr: "idporten-loa-substantial" })).toEqual(allowed)
    expect(substantial({ acr: "idporten-loa-high" })).toEqual(allowed)
    for (const acr of [undefined, "Level4", ""]) expect(substantial({ acr })._tag, String(acr)).toBe("Forbidden")
  })

  it("clients: TokenX checks client_id, Entra ID azp_name", () => {
    expect(policy("tokenx", { clients: ["dev:team:app"] }).judge({ client_id: "dev:team:app" })).toEqual(allowed)
    expect(policy("tokenx", { clients: ["dev:team:app"] }).judge({ azp_name: "dev:team:app" })).toMatchObject({
      reason: "the calling application (client_id) is not one of those allowed"
    })
    expect(policy("entra_id", { clients: ["dev:team:app"] }).judge({ azp_name: "dev:team:app" })).toEqual(allowed)
    expect(policy("azuread", { clients: ["dev:team:app"] }).judge({ client_id: "dev:team:app" })).toMatchObject({
      reason: "the calling application (azp_name) is not one of those allowed"
    })
  })

  it("groups and roles: one of either lets in; the refusal names what was required", () => {
    const both = policy("entra_id", { groups: ["g1"], roles: ["r1"] }).judge
    expect(both({ groups: ["g0", "g1"] })).toEqual(allowed)
    expect(both({ roles: ["r1"] })).toEqual(allowed)
    expect(both({ groups: ["g0"], roles: ["r0"] })).toMatchObject({ reason: "the caller has none of the groups or roles allowed" })
    expect(policy("entra_id", { groups: ["g1"] }).judge({ roles: ["g1"] })).toMatchObject({ reason: "the caller is in none of the groups allowed" })
    expect(policy("entra_id", { roles: ["r1"] }).judge({ groups: ["r1"], roles: "r1" })).toMatchObject({ reason: "the caller has none of the roles allowed" })
  })

  it("the rules run in order, the first refusal is the verdict; no requirement lets every active token in", () => {
    const judge = policy("maskinporten", { scopes: ["a:b"], consumers: [org], check: () => false }).judge
    expect(judge({ scope: "x:y" })).toMatchObject({ reason: "the token lacks scope a:b", missingScopes: ["a:b"] })
    expect(judge({ scope: "a:b" })).toMatchObject({ reason: "the consumer organisation is not one of those allowed" })
    expect(judge({ scope: "a:b", consumer: { ID: `0192:${org}` } })).toMatchObject({ reason: "the policy's check refused the claims" })
    expect(policy("idporten", undefined).judge({})).toEqual(allowed)
    expect(policy("tokenx", {}).judge({ anything: 1 })).toEqual(allowed)
  })

  it("unusable requirements are Invalid, each with its reason", () => {
    const invalid = (provider: string, requirements: Access.AnyRequirements<unknown> | undefined) => {
      const compiled = Access.compile(provider, requirements)
      return compiled._tag === "Invalid" ? compiled.reason : "(compiled)"
    }
    expect(invalid("github", {})).toBe('unknown identity provider "github"')
    expect(invalid("idporten", { scopes: ["a:b"] })).toBe("idporten tokens have no scopes to require (it takes acr, check)")
    expect(invalid("maskinporten", {})).toBe(
      "require.scopes is required for maskinporten: the sidecar checks no audience for Maskinporten tokens, so without it any organisation's token for any API would be let in"
    )
    expect(invalid("maskinporten", { scopes: [] })).toBe("require.scopes must not be empty (it would let no one in)")
    expect(invalid("entra_id", { groups: [] })).toBe("require.groups must not be empty (it would let no one in, or everyone: say which by leaving it out)")
    expect(invalid("entra_id", { roles: ["", "x"] })).toBe("require.roles must be a list of non-empty strings")
    expect(invalid("tokenx", { clients: "app" as unknown as ReadonlyArray<string> })).toBe("require.clients must be a list of non-empty strings")
    expect(invalid("maskinporten", { scopes: ["a:b"], consumers: ["889640781"] })).toBe(
      "require.consumers: 889640781 is no organisation number: the check digit should be 2"
    )
    expect(invalid("idporten", { acr: "Level4" as Access.Acr })).toBe("require.acr must be one of idporten-loa-substantial, idporten-loa-high")
    expect(invalid("idporten", { check: true as unknown as () => boolean })).toBe("require.check must be a function")
    expect(invalid("idporten", { scopes: undefined, acr: "idporten-loa-high" })).toBe("(compiled)")
  })

  it("organisation numbers: nine digits with a mod-11 check digit (0 when the sum gives 11; none when it gives 10)", () => {
    for (const good of ["889640782", "974760673", "991825827", "313367002"]) expect(Access.organizationNumberProblem(good), good).toBeUndefined()
    expect(Access.organizationNumberProblem("88964078")).toBe("it must be exactly nine digits")
    expect(Access.organizationNumberProblem("8896407820")).toBe("it must be exactly nine digits")
    expect(Access.organizationNumberProblem("88964078x")).toBe("it must be exactly nine digits")
    expect(Access.organizationNumberProblem("889640781")).toBe("the check digit should be 2")
    expect(Access.organizationNumberProblem("000000060")).toBe("no organisation number has these first eight digits (their check digit would be 10)")
  })
})

describe("Claims.frozen", () => {
  it("freezes every object and list below the claims, so a change throws in strict mode", () => {
    const claims = Claims.frozen({ sub: "a", groups: ["readers"], consumer: { authority: "x", ID: "0192:889640782" } })
    expect([claims, claims.groups, claims.consumer].every(Object.isFrozen)).toBe(true)
    expect(() => (claims.groups as Array<string>).push("admin")).toThrow(TypeError)
  })
})
