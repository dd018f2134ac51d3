/**
 * Altinn's token exchange as the SDK prepares and reads it (Altinn's docs, "Maskinporten token
 * exchange": `GET {platform}/authentication/api/v1/exchange/maskinporten`, `?test=true` for a test
 * token in TT02, the answer the token itself, as text or a JSON string; the system user as an
 * `authorization_details` entry of type `urn:altinn:systemuser`).
 */
import { Altinn, Request } from "@effect-texas/protocol"
import { describe, expect, it } from "vitest"

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url")
const jwt = (claims: Record<string, unknown>): string => `${base64url({ alg: "RS256", typ: "JWT" })}.${base64url(claims)}.c2ln`
const now = 1_700_000_000_000

describe("Altinn.exchangeUrl", () => {
  it("names the exchange on production, TT02 or a given platform URL, with ?test=true only when asked", () => {
    expect(Altinn.exchangeUrl("production", false)).toBe("https://platform.altinn.no/authentication/api/v1/exchange/maskinporten")
    expect(Altinn.exchangeUrl("tt02", true)).toBe("https://platform.tt02.altinn.no/authentication/api/v1/exchange/maskinporten?test=true")
    expect(Altinn.exchangeUrl("tt02", false)).toBe("https://platform.tt02.altinn.no/authentication/api/v1/exchange/maskinporten")
    expect(Altinn.exchangeUrl(new URL("https://altinn.example/base/"), false)).toBe("https://altinn.example/base/authentication/api/v1/exchange/maskinporten")
    expect(Altinn.exchangeUrl("http://127.0.0.1:8081", false)).toBe("http://127.0.0.1:8081/authentication/api/v1/exchange/maskinporten")
  })

  it("refuses a platform URL it would not send a Maskinporten token to, saying why", () => {
    expect(Altinn.exchangeUrl("prod", false)).toEqual({ reason: "the Altinn platform URL is not an absolute URL" })
    expect(Altinn.exchangeUrl("http://altinn.example", false)).toEqual({ reason: "the Altinn platform URL `http://altinn.example/` must be an https URL (http only on loopback)" })
    expect(Altinn.exchangeUrl("https://user@altinn.example", false)).toEqual({ reason: "the Altinn platform URL `https://altinn.example/` carries a user name or password; give them no URL" })
  })
})

describe("Altinn.readAnswer", () => {
  const exp = Math.floor(now / 1000) + 1800
  const token = jwt({ exp, iss: "https://platform.altinn.no/authentication/api/v1/openid/" })

  it("takes the token as bare text or as a JSON string, around white space, expiring at its exp", () => {
    for (const text of [token, `"${token}"`, `  ${token}\n`, ` "${token}" `]) {
      expect(Altinn.readAnswer(text, now), JSON.stringify(text)).toEqual({ ok: true, token, expiresAtMillis: exp * 1000 })
    }
  })

  it("refuses what is not a JWT, saying only how long it was (it may be a token)", () => {
    for (const text of ["", "not a token", "\"a.b\"", "\"unterminated", "42", "{\"token\":\"a.b.c\"}", "a.b.c.d", "a b.c.d", "%%.%%.%%", "\"a.b.c\""]) {
      expect(Altinn.readAnswer(text, now), JSON.stringify(text)).toEqual({ ok: false, reason: `the answer is not a JWT (${text.length} characters)` })
    }
    expect(Altinn.readAnswer("\"1\"", now)).toEqual({ ok: false, reason: "the answer is not a JWT (3 characters)" })
  })

  it("accepts a token without a signature part, as the JWT form allows", () => {
    const unsigned = token.slice(0, token.lastIndexOf(".") + 1)
    expect(Altinn.readAnswer(unsigned, now)).toEqual({ ok: true, token: unsigned, expiresAtMillis: exp * 1000 })
  })

  it("refuses a token without a numeric exp, one past what a date holds, and one already expired", () => {
    expect(Altinn.readAnswer(jwt({}), now)).toEqual({ ok: false, reason: "the token has no numeric exp claim" })
    expect(Altinn.readAnswer(jwt({ exp: "1800" }), now)).toEqual({ ok: false, reason: "the token has no numeric exp claim" })
    expect(Altinn.readAnswer(jwt({ exp: 1e300 }), now)).toEqual({ ok: false, reason: "exp: the expiry is past what a date can hold" })
    expect(Altinn.readAnswer(jwt({ exp: now / 1000 }), now)).toEqual({ ok: false, reason: "the token had already expired" })
    expect(Altinn.readAnswer(jwt({ exp: now / 1000 - 1 }), now)).toEqual({ ok: false, reason: "the token had already expired" })
    expect(Altinn.readAnswer(jwt({ exp: now / 1000 + 0.5 }), now)).toMatchObject({ ok: true, expiresAtMillis: now + 500 })
  })
})

describe("Altinn.systemUserDetail", () => {
  it("names the organisation by its 0192 number, with the system user and system only when given", () => {
    expect(Altinn.systemUserDetail({ organization: "889640782" })).toEqual({
      type: "urn:altinn:systemuser",
      systemuser_org: { authority: "iso6523-actorid-upis", ID: "0192:889640782" }
    })
    expect(Altinn.systemUserDetail({ organization: "889640782", systemUserId: "a1b2", systemId: "991825827_smartcloud" })).toEqual({
      type: "urn:altinn:systemuser",
      systemuser_org: { authority: "iso6523-actorid-upis", ID: "0192:889640782" },
      systemuser_id: ["a1b2"],
      system_id: "991825827_smartcloud"
    })
  })

  it("refuses what is not an organisation number by the register's mod-11 rule", () => {
    expect(Altinn.systemUserDetail({ organization: "000000000" })).toMatchObject({ type: "urn:altinn:systemuser" })
    expect(Altinn.systemUserDetail({ organization: "88964078" })).toEqual({ reason: "it must be exactly nine digits" })
    expect(Altinn.systemUserDetail({ organization: "8896407820" })).toEqual({ reason: "it must be exactly nine digits" })
    expect(Altinn.systemUserDetail({ organization: "88964078a" })).toEqual({ reason: "it must be exactly nine digits" })
    expect(Altinn.systemUserDetail({ organization: "889640781" })).toEqual({ reason: "the check digit should be 2" })
    expect(Altinn.systemUserDetail({ organization: "000000001" })).toEqual({ reason: "the check digit should be 0" })
    expect(Altinn.systemUserDetail({ organization: "000000060" })).toEqual({ reason: "no organisation number has these first eight digits (their check digit would be 10)" })
  })
})

describe("Altinn.frozenDetails", () => {
  it("copies the details and freezes the copy all the way down, leaving the caller's own as they were", () => {
    const details = [{ type: "urn:altinn:systemuser", systemuser_org: { ID: "0192:889640782" }, list: ["a"] }]
    const frozen = Altinn.frozenDetails(details)
    expect(frozen).toEqual(details)
    expect(frozen).not.toBe(details)
    expect(Object.isFrozen(frozen)).toBe(true)
    expect(Object.isFrozen(frozen[0])).toBe(true)
    expect(Object.isFrozen(frozen[0]!["systemuser_org"])).toBe(true)
    expect(Object.isFrozen(frozen[0]!["list"])).toBe(true)
    expect(Object.isFrozen(details[0])).toBe(false)
  })

  it("gives back details it cannot copy as JSON as they are (the request check refuses them)", () => {
    const cyclic: Record<string, unknown> = { type: "x" }
    cyclic["self"] = cyclic
    expect(Altinn.frozenDetails([cyclic])[0]).toBe(cyclic)
  })
})

describe("Altinn.prepareExchange", () => {
  it("is the Maskinporten request for the scopes, keyed as that request is, the scopes as one string", () => {
    const prepared = Altinn.prepareExchange({ scopes: ["altinn:a", "altinn:b"] })
    if (Request.isInvalid(prepared)) throw new Error(prepared.reason)
    const direct = Request.prepare({ identityProvider: "maskinporten", target: ["altinn:a", "altinn:b"] })
    if (Request.isInvalid(direct)) throw new Error(direct.reason)
    expect(prepared).toMatchObject({ _tag: "Prepared", key: direct.key, scopes: "altinn:a altinn:b", maskinporten: { identityProvider: "maskinporten", target: ["altinn:a", "altinn:b"] } })
    expect(Altinn.prepareExchange({ scopes: "altinn:a" })).toMatchObject({ scopes: "altinn:a" })
  })

  it("keys requests with different system users apart", () => {
    const detail = (organization: string) => [Altinn.systemUserDetail({ organization }) as Record<string, unknown>]
    const a = Altinn.prepareExchange({ scopes: "altinn:a", authorizationDetails: detail("889640782") })
    const b = Altinn.prepareExchange({ scopes: "altinn:a", authorizationDetails: detail("000000000") })
    const none = Altinn.prepareExchange({ scopes: "altinn:a" })
    if (Request.isInvalid(a) || Request.isInvalid(b) || Request.isInvalid(none)) throw new Error("refused")
    expect(new Set([a.key, b.key, none.key]).size).toBe(3)
    expect(a.maskinporten.authorizationDetails).toEqual(detail("889640782"))
  })

  it("refuses what the Maskinporten request would refuse, with the field", () => {
    expect(Altinn.prepareExchange({ scopes: [] })).toMatchObject({ field: "target" })
    expect(Altinn.prepareExchange({ scopes: " " })).toMatchObject({ field: "target" })
  })

  it("prepares a frozen request once and gives the same answer again; an unfrozen one afresh each time", () => {
    const frozen = Object.freeze({ scopes: Object.freeze(["altinn:a"]) })
    expect(Altinn.prepareExchange(frozen)).toBe(Altinn.prepareExchange(frozen))
    const open = { scopes: ["altinn:a"] }
    const first = Altinn.prepareExchange(open)
    open.scopes.push("altinn:b")
    expect(Altinn.prepareExchange(open)).not.toBe(first)
    expect(Altinn.prepareExchange(open)).toMatchObject({ scopes: "altinn:a altinn:b" })
  })
})
