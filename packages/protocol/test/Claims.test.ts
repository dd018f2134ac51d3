/**
 * The introspection claims the SDK types (nais/texas `src/handler/token_introspect.rs` passes the
 * provider's claims on as they are; nais/doc's auth reference pages name them): a known claim of
 * the wrong kind makes the answer unusable, named by claim and never by value; every other claim,
 * and a known claim that is absent, passes as it is.
 */
import { Claims } from "@effect-texas/protocol"
import { describe, expect, it } from "vitest"

/** A value of each kind, and values that are not of it. */
const samples: Record<Claims.Kind, { readonly fits: ReadonlyArray<unknown>; readonly misfits: ReadonlyArray<unknown> }> = {
  string: { fits: ["", "x"], misfits: [1, null, ["x"], { x: 1 }, true] },
  number: { fits: [0, 1_700_000_000, -1.5], misfits: ["1", Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null, [1]] },
  "string or list of strings": { fits: ["a", [], ["a", "b"]], misfits: [1, null, ["a", 1], [null], { a: "b" }] },
  "list of strings": { fits: [[], ["a", "b"]], misfits: ["a", 1, null, ["a", 2], [["a"]], { 0: "a" }] },
  "organisation (authority and ID)": {
    fits: [{ ID: "0192:889640782" }, { authority: "iso6523-actorid-upis", ID: "0192:889640782" }, { ID: "x", other: 1 }],
    misfits: ["0192:889640782", null, [], [{ ID: "x" }], {}, { ID: 192 }, { authority: "iso6523-actorid-upis" }, { authority: 1, ID: "x" }, { authority: null, ID: "x" }]
  }
}

describe("Claims.kinds", () => {
  it("types the claims of every provider the platform documents", () => {
    expect(Claims.kinds).toEqual({
      iss: "string or list of strings",
      sub: "string",
      aud: "string or list of strings",
      exp: "number",
      iat: "number",
      nbf: "number",
      jti: "string",
      azp: "string",
      client_id: "string",
      scope: "string",
      pid: "string",
      acr: "string",
      idp: "string",
      NAVident: "string",
      consumer: "organisation (authority and ID)",
      supplier: "organisation (authority and ID)",
      client_amr: "string",
      amr: "list of strings",
      locale: "string",
      oid: "string",
      groups: "list of strings",
      roles: "list of strings",
      azp_name: "string",
      idtyp: "string",
      name: "string",
      preferred_username: "string"
    })
  })
})

describe("Claims.problems", () => {
  it("passes every known claim holding a value of its kind, and an answer with none of them", () => {
    expect(Claims.problems({})).toEqual([])
    for (const [name, kind] of Object.entries(Claims.kinds)) {
      for (const value of samples[kind].fits) expect(Claims.problems({ [name]: value }), `${name} = ${JSON.stringify(value)}`).toEqual([])
    }
  })

  it("names each known claim of the wrong kind with the kind expected, never its value", () => {
    for (const [name, kind] of Object.entries(Claims.kinds)) {
      for (const value of samples[kind].misfits) {
        const found = Claims.problems({ [name]: value })
        expect(found, `${name} = ${JSON.stringify(value)}`).toEqual([`${name}: expected a ${kind}`])
      }
    }
  })

  it("names every wrong claim of one answer, in the order of the kinds, and lets unknown claims through", () => {
    const answer = { custom: [1, { x: null }], groups: "readers", sub: 7, exp: "soon", Groups: 1, extra: undefined }
    expect(Claims.problems(answer)).toEqual(["sub: expected a string", "exp: expected a number", "groups: expected a list of strings"])
    expect(Claims.problems({ sub: undefined, exp: undefined })).toEqual([])
  })
})

describe("Claims.frozen", () => {
  it("freezes the claims, their lists and their objects, all the way down, and returns the same object", () => {
    const claims = { sub: "a", groups: ["g"], consumer: { authority: "x", ID: "0192:889640782", inner: { list: [1] } } }
    const result = Claims.frozen(claims)
    expect(result).toBe(claims)
    expect(Object.isFrozen(result)).toBe(true)
    expect(Object.isFrozen(result.groups)).toBe(true)
    expect(Object.isFrozen(result.consumer)).toBe(true)
    expect(Object.isFrozen(result.consumer.inner)).toBe(true)
    expect(Object.isFrozen(result.consumer.inner.list)).toBe(true)
    expect(() => (result.groups as Array<string>).push("h")).toThrow(TypeError)
  })

  it("leaves an already frozen part as it is (and so ends on a cycle through one)", () => {
    const shared: Record<string, unknown> = Object.freeze({ inner: { list: ["x"] } })
    const claims = Claims.frozen({ a: shared, b: [shared] })
    expect(Object.isFrozen(claims.b)).toBe(true)
    // The frozen part's own contents were not walked into.
    expect(Object.isFrozen((shared["inner"] as { list: Array<string> }).list)).toBe(false)
  })
})
