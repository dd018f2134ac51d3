/**
 * How the emulator's introspection judges a token, rule by rule, as the sidecar does (nais/texas
 * `src/oauth/token.rs`, `Jwks::validate`, on `jsonwebtoken` 10: the key by `kid`, RS256 only, the
 * required claims, `exp`/`nbf`/`iat` with 60 s of leeway, `iss`, `aud`), with the sidecar's
 * reasons. The boundaries are pinned exactly: a token a second past the leeway is refused.
 */
import * as Jose from "jose"
import { beforeAll, describe, expect, it } from "vitest"
import { validate, type Validation } from "../src/internal/jwt.js"

const now = 1_800_000_000
let key: Jose.CryptoKey
let validation: Validation
let other: Jose.CryptoKey

beforeAll(async () => {
  const pair = await Jose.generateKeyPair("RS256")
  key = pair.privateKey
  other = (await Jose.generateKeyPair("RS256")).privateKey
  validation = { keys: new Map([["k1", pair.publicKey]]), issuer: "https://issuer", audience: "my-app" }
})

const sign = (claims: Record<string, unknown>, header: Record<string, unknown> = {}, signer = key) =>
  new Jose.CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: "RS256", kid: "k1", ...header } as Jose.CompactJWSHeaderParameters).sign(signer)
const good = { iss: "https://issuer", aud: "my-app", exp: now + 300, iat: now, nbf: now }
const reason = async (token: string, rules: Validation = validation) => {
  const verdict = await validate(token, rules, now)
  return verdict._tag === "Valid" ? "valid" : verdict.reason
}
const b64 = (text: string) => Buffer.from(text).toString("base64url")

describe("the claims", () => {
  it("takes a good token, with its claims", async () => {
    expect(await validate(await sign(good), validation, now)).toEqual({ _tag: "Valid", claims: good })
  })

  it("gives exp, nbf and iat 60 s of leeway, and not a second more", async () => {
    expect(await reason(await sign({ ...good, exp: now - 60 }))).toBe("valid")
    expect(await reason(await sign({ ...good, exp: now - 61 }))).toBe("invalid token: ExpiredSignature")
    expect(await reason(await sign({ ...good, exp: 0 }))).toBe("invalid token: ExpiredSignature")
    expect(await reason(await sign({ ...good, exp: now - 60.4 }))).toBe("valid")
    expect(await reason(await sign({ ...good, nbf: now + 60 }))).toBe("valid")
    expect(await reason(await sign({ ...good, nbf: now + 61 }))).toBe("invalid token: ImmatureSignature")
    expect(await reason(await sign({ ...good, iat: now + 60 }))).toBe("valid")
    expect(await reason(await sign({ ...good, iat: now + 61 }))).toBe("invalid token: ImmatureSignature")
  })

  it("requires exp, iss, iat, and aud where the provider has an audience; a malformed one counts as missing", async () => {
    for (const exp of [undefined, null, "soon", -1]) {
      expect(await reason(await sign({ ...good, exp })), String(exp)).toBe("invalid token: Missing required claim: exp")
    }
    expect(await reason(await sign({ ...good, iss: undefined }))).toBe("invalid token: Missing required claim: iss")
    expect(await reason(await sign({ ...good, iss: ["https://issuer", 1] }))).toBe("invalid token: Missing required claim: iss")
    expect(await reason(await sign({ ...good, aud: undefined }))).toBe("invalid token: Missing required claim: aud")
    expect(await reason(await sign({ ...good, aud: undefined }), { ...validation, audience: undefined })).toBe("valid")
    for (const iat of [undefined, 1.5, -1, "0"]) expect(await reason(await sign({ ...good, iat })), String(iat)).toBe("invalid token: Missing required claim: iat")
    expect(await reason(await sign({ ...good, iat: 0 }))).toBe("valid")
    expect(await reason(await sign({ ...good, nbf: null }))).toBe("valid")
    expect(await reason(await sign({ ...good, nbf: "now" }))).toBe("invalid token: Invalid format for claim: nbf")
  })

  it("takes an issuer or audience given as a list that holds it", async () => {
    expect(await reason(await sign({ ...good, iss: ["https://other", "https://issuer"], aud: ["x", "my-app"] }))).toBe("valid")
    expect(await reason(await sign({ ...good, iss: "https://other" }))).toBe("invalid token: InvalidIssuer")
    expect(await reason(await sign({ ...good, aud: ["x"] }))).toBe("invalid token: InvalidAudience")
  })
})

describe("the header and signature", () => {
  it("finds the key by kid, RS256 only, and checks the signature", async () => {
    expect(await reason(await sign(good, { kid: undefined }))).toBe("missing key id from token header")
    expect(await reason(await sign(good, { kid: "k2" }))).toBe("token can not be validated with this identity provider")
    expect(await reason(await sign(good, {}, other))).toBe("invalid token: InvalidSignature")
    const [, payload, signature] = (await sign(good)).split(".")
    expect(await reason(`${b64(JSON.stringify({ alg: "HS256", kid: "k1" }))}.${payload}.${signature}`)).toBe("invalid token: InvalidAlgorithm")
    expect(await reason(`${b64(JSON.stringify({ kid: "k1" }))}.${payload}.${signature}`)).toBe("invalid token header: JSON error: missing field `alg`")
  })

  it("says what is wrong with a header that does not decode, in jsonwebtoken's words", async () => {
    const [, payload, signature] = (await sign(good)).split(".")
    expect(await reason("a.b")).toBe("invalid token header: InvalidToken")
    expect(await reason(`a+b.${payload}.${signature}`)).toBe("invalid token header: Base64 error: Invalid input")
    expect(await reason(`abcde.${payload}.${signature}`)).toBe("invalid token header: Base64 error: Invalid input")
    expect(await reason(`${b64("[1]")}.${payload}.${signature}`)).toBe("invalid token header: JSON error: expected a JSON object")
    expect(await reason(`${b64("null")}.${payload}.${signature}`)).toBe("invalid token header: JSON error: expected a JSON object")
    expect(await reason(`${b64("{")}.${payload}.${signature}`)).toMatch(/^invalid token header: JSON error: .+/)
    expect(await reason(`${b64("{")}.${payload}.${signature}`)).not.toBe("invalid token header: JSON error: expected a JSON object")
  })

  it("says a signed payload that is not a JSON object is invalid", async () => {
    const token = await new Jose.CompactSign(new TextEncoder().encode("[1]")).setProtectedHeader({ alg: "RS256", kid: "k1" }).sign(key)
    expect(await reason(token)).toBe("invalid token: JSON error: expected a JSON object")
  })
})
