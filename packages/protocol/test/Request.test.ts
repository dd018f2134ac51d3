/**
 * What a token request means before it is sent: each field refused with the field and the reason,
 * the target as the sidecar sends it on (nais/texas `src/handler/token.rs` passes `target` to the
 * provider as the scope: space-separated), and the cache key, equal exactly when the bodies are.
 */
import { Request } from "@effect-texas/protocol"
import { describe, expect, it } from "vitest"

const prepared = (request: Request.TokenRequest): Request.PreparedRequest => {
  const result = Request.prepare(request)
  if (Request.isInvalid(result)) throw new Error(`${result.field}: ${result.reason}`)
  return result
}
const refusal = (request: unknown) => {
  const result = Request.prepare(request as Request.TokenRequest)
  return Request.isInvalid(result) ? `${result.field}: ${result.reason}` : "(prepared)"
}
const maskinporten = (target: unknown, more: Record<string, unknown> = {}) => ({ identityProvider: "maskinporten", target, ...more }) as Request.TokenRequest

describe("Request.prepare: providers", () => {
  it("maskinporten and entra_id (azuread its older name, sent as given); nothing else issues machine tokens", () => {
    expect(prepared({ identityProvider: "maskinporten", target: "a:b" })).toMatchObject({ provider: "maskinporten", providerName: "maskinporten" })
    expect(prepared({ identityProvider: "azuread", target: "a" })).toMatchObject({ provider: "entra_id", providerName: "azuread" })
    expect(prepared({ identityProvider: "entra_id", target: "a" })).toMatchObject({ provider: "entra_id", providerName: "entra_id" })
    for (const name of ["tokenx", "idporten", "", undefined, "Maskinporten"]) {
      expect(refusal({ identityProvider: name, target: "a" })).toBe(`identityProvider: \`${String(name)}\` cannot issue machine tokens; use "maskinporten" or "entra_id"`)
    }
    for (const request of [null, "maskinporten", ["maskinporten"]]) expect(refusal(request)).toBe("target: the request must be an object")
  })
})

describe("Request.prepare: the target", () => {
  it("one scope passes as it is; several, as a string or a list, are joined by one space in their order", () => {
    expect(prepared(maskinporten("a:b")).target).toBe("a:b")
    expect(prepared(maskinporten("  a:b \t c:d\n")).target).toBe("a:b c:d")
    expect(prepared(maskinporten(["a:b", "c:d e:f", " "])).target).toBe("a:b c:d e:f")
    expect(prepared(maskinporten(["c:d", "a:b"])).target).toBe("c:d a:b")
  })

  it("refuses no scope, a scope twice, a control character, a non-string, and more than maxTargetLength characters", () => {
    expect(refusal(maskinporten(""))).toBe("target: names no scope (it is empty or only whitespace)")
    expect(refusal(maskinporten([" ", ""]))).toBe("target: names no scope (it is empty or only whitespace)")
    expect(refusal(maskinporten("a:b a:b"))).toBe("target: names scope `a:b` more than once")
    expect(refusal(maskinporten(["a:b", "c:d a:b"]))).toBe("target: names scope `a:b` more than once")
    expect(refusal(maskinporten("a\u0000b"))).toBe("target: contains a control character")
    expect(refusal(maskinporten("a:b c\u007fd"))).toBe("target: contains a control character")
    expect(refusal(maskinporten("a\u0085b"))).toBe("target: contains a control character")
    expect(refusal(maskinporten(42))).toBe("target: must be a string or a list of strings")
    expect(refusal(maskinporten(["a", 1]))).toBe("target: every scope in the list must be a string")
    const long = "a".repeat(Request.maxTargetLength)
    expect(prepared(maskinporten(long)).target).toBe(long)
    expect(refusal(maskinporten(`${long}b`))).toBe(`target: is ${Request.maxTargetLength + 1} characters long; at most ${Request.maxTargetLength} are accepted`)
    expect(refusal(maskinporten(`${long} b`))).toBe(`target: is ${Request.maxTargetLength + 2} characters long; at most ${Request.maxTargetLength} are accepted`)
    expect(refusal(maskinporten([long, "b"]))).toBe(`target: is ${Request.maxTargetLength + 2} characters long; at most ${Request.maxTargetLength} are accepted`)
    // Several scopes of exactly the limit in all, as a string or a list, are taken.
    const spaced = `${"a".repeat(Request.maxTargetLength - 2)} b`
    expect(prepared(maskinporten(spaced)).target).toBe(spaced)
    expect(prepared(maskinporten(spaced.split(" "))).target).toBe(spaced)
    // The scope named twice is the one named, wherever it is.
    expect(refusal(maskinporten("x:y a:b c:d a:b"))).toBe("target: names scope `a:b` more than once")
  })
})

describe("Request.prepare: resource, authorization_details, skipCache", () => {
  it("a resource is sent as given (the sidecar forwards any string), but an empty one or one with a line break is refused", () => {
    expect(prepared(maskinporten("a:b", { resource: "some_resource" })).resource).toBe("some_resource")
    expect(refusal(maskinporten("a:b", { resource: "" }))).toBe("resource: is empty; leave it out instead")
    expect(refusal(maskinporten("a:b", { resource: "https://x/\n" }))).toBe("resource: contains a control character")
    expect(refusal(maskinporten("a:b", { resource: "https://x/\t" }))).toBe("resource: contains a control character")
    expect(refusal(maskinporten("a:b", { resource: 1 }))).toBe("resource: must be a string")
  })

  it("authorization_details go as JSON says (toJSON honoured, undefined dropped); the key ignores key order", () => {
    const one = prepared(maskinporten("a:b", { authorizationDetails: [{ type: "t", b: 1, a: [2, { y: 1, x: 2 }], gone: undefined }] }))
    const same = prepared(maskinporten("a:b", { authorizationDetails: [{ a: [2, { x: 2, y: 1 }], type: "t", b: 1 }] }))
    expect(one.authorizationDetails).toEqual([{ type: "t", b: 1, a: [2, { y: 1, x: 2 }] }])
    expect(one.key).toBe(same.key)
    expect(one.detailsKey).toBe('[{"a":[2,{"x":2,"y":1}],"b":1,"type":"t"}]')
    const dated = prepared(maskinporten("a:b", { authorizationDetails: [{ at: new Date(0) }] }))
    expect(dated.authorizationDetails).toEqual([{ at: "1970-01-01T00:00:00.000Z" }])
    expect(prepared(maskinporten("a:b", { authorizationDetails: [{ n: null }] })).detailsKey).toBe('[{"n":null}]')
    expect(prepared(maskinporten("a:b", { authorizationDetails: [{ type: "t" }] })).key).not.toBe(prepared(maskinporten("a:b", { authorizationDetails: [{ type: "u" }] })).key)
  })

  it("refuses details that are no list of objects, or cannot be sent as JSON", () => {
    expect(refusal(maskinporten("a:b", { authorizationDetails: { type: "t" } }))).toBe("authorizationDetails: must be a list of objects")
    expect(refusal(maskinporten("a:b", { authorizationDetails: ["t"] }))).toBe("authorizationDetails: every entry must be an object (as sent in JSON)")
    expect(refusal(maskinporten("a:b", { authorizationDetails: [[1]] }))).toBe("authorizationDetails: every entry must be an object (as sent in JSON)")
    expect(refusal(maskinporten("a:b", { authorizationDetails: [{ n: 1n }] }))).toMatch(/^authorizationDetails: cannot be sent as JSON: /)
  })

  it("skipCache is true or false; the key is the same either way", () => {
    expect(prepared(maskinporten("a:b", { skipCache: true }))).toMatchObject({ skipCache: true })
    expect(prepared(maskinporten("a:b"))).toMatchObject({ skipCache: false })
    expect(prepared(maskinporten("a:b", { skipCache: true })).key).toBe(prepared(maskinporten("a:b")).key)
    expect(refusal(maskinporten("a:b", { skipCache: "yes" }))).toBe("skipCache: must be true or false")
  })

  it("the key separates provider, target, resource and details: no two different bodies share one", () => {
    const keys = [
      maskinporten("a:b"),
      { identityProvider: "entra_id", target: "a:b" },
      maskinporten("a:b", { resource: "r" }),
      maskinporten("a:b r"),
      maskinporten("a:b", { authorizationDetails: [] })
    ].map((request) => prepared(request as Request.TokenRequest).key)
    expect(new Set(keys).size).toBe(keys.length)
  })
})

describe("Request: remembered preparations and the body", () => {
  it("a deeply frozen plain request is prepared once; anything else each time", () => {
    const frozen = Object.freeze({ identityProvider: "maskinporten" as const, target: Object.freeze(["a:b"]) })
    expect(Request.prepareRemembered(frozen)).toBe(Request.prepareRemembered(frozen))
    const open = { identityProvider: "maskinporten" as const, target: "a:b" }
    expect(Request.prepareRemembered(open)).not.toBe(Request.prepareRemembered(open))
    expect(Request.isFrozenPlainData(Object.freeze({ a: Object.freeze([1, "x", true, null]) }))).toBe(true)
    expect(Request.isFrozenPlainData(Object.freeze({ a: [1] }))).toBe(false)
    expect(Request.isFrozenPlainData(Object.freeze({ d: Object.freeze(new Date(0)) }))).toBe(false)
    expect(Request.isFrozenPlainData(Object.freeze(Object.create(null) as object))).toBe(true)
    expect(Request.isFrozenPlainData(() => 1)).toBe(false)
    expect(Request.prepareRemembered(Object.freeze({ identityProvider: "github", target: "x" }) as unknown as Request.TokenRequest)).toMatchObject({ _tag: "Invalid" })
  })

  it("the body carries what was asked: identity_provider as given, target, resource and details when set, skip_cache only when forced", () => {
    const request = prepared({ identityProvider: "azuread", target: ["a", "b"], resource: "r", authorizationDetails: [{ type: "t" }] })
    expect(Request.tokenFields(request, false)).toEqual({ identity_provider: "azuread", target: "a b", resource: "r", authorization_details: [{ type: "t" }] })
    expect(Request.tokenFields(prepared(maskinporten("a:b")), true)).toEqual({ identity_provider: "maskinporten", target: "a:b", skip_cache: true })
  })
})
