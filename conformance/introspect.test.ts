/**
 * `POST /api/v1/introspect`, ported from nais/texas tests/integration/token_introspect.rs
 * (`all_providers` and its helpers) and src/oauth/token.rs (`Jwks::validate`:
 * RS256, required `iss`/`exp`/`iat` and `aud` where the provider has an
 * audience, 60 s of leeway, the sidecar's own `iat` check).
 */
import { type IdentityProvider, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { foreignToken, nowSeconds, paths, post } from "./support.js"

let emulator: TexasEmulatorHandle
beforeAll(async () => {
  emulator = await startTexasEmulator()
})
afterAll(() => emulator.close())

const introspect = async (provider: string, token: string, format: "json" | "form" = "json") => {
  const answer = await post(emulator, paths.introspect, { identity_provider: provider, token }, format)
  expect(answer.status).toBe(200)
  return answer.body
}

/** A token signed with the provider's own key, claims as given (`Token::sign_with_kid` in the Texas tests). */
const signed = (provider: IdentityProvider, claims: Record<string, unknown>) =>
  emulator.issueUserToken({ provider, claims })

describe("introspect_token, all providers (token_introspect.rs)", () => {
  for (const format of ["form", "json"] as const) {
    for (const provider of ["entra_id", "idporten", "maskinporten", "tokenx"] as const) {
      it(`${provider}, ${format}: active with the token's claims and the provider's issuer`, async () => {
        const body = await introspect(provider, await emulator.issueUserToken({ provider, subject: "some-user" }), format)
        expect(body).toMatchObject({ active: true, iss: emulator.issuer(provider), sub: "some-user" })
        expect(body["error"]).toBeUndefined()
        expect(typeof body["jti"]).toBe("string")
      })
    }
  }
})

describe("what makes a token inactive (token_introspect.rs, src/oauth/token.rs)", () => {
  const now = () => nowSeconds(emulator)
  const cases: ReadonlyArray<readonly [string, () => Promise<readonly [string, string]>, string]> = [
    ["test_introspect_token_has_not_before_in_the_future (+120 s)", async () => ["maskinporten", await signed("maskinporten", { nbf: now() + 120, iat: now(), exp: now() + 300 })], "invalid token: ImmatureSignature"],
    ["test_introspect_token_is_expired (-120 s)", async () => ["maskinporten", await signed("maskinporten", { nbf: now(), iat: now(), exp: now() - 120 })], "invalid token: ExpiredSignature"],
    ["test_introspect_token_is_issued_in_the_future (+120 s)", async () => ["maskinporten", await signed("maskinporten", { nbf: now(), iat: now() + 120, exp: now() + 300 })], "invalid token: ImmatureSignature"],
    ["test_introspect_token_is_not_a_jwt", () => Promise.resolve(["entra_id", "not a jwt"] as const), "invalid token header: InvalidToken"],
    ["test_introspect_token_issuer_mismatch (a Maskinporten key, asked as Entra ID)", async () => ["entra_id", await signed("maskinporten", {})], "token can not be validated with this identity provider"],
    ["test_introspect_token_missing_issuer", async () => ["maskinporten", await signed("maskinporten", { iss: undefined })], "invalid token: Missing required claim: iss"],
    ["test_introspect_token_missing_key_in_jwks", async () => ["maskinporten", await foreignToken({ iss: emulator.issuer("maskinporten") }, "missing-key")], "token can not be validated with this identity provider"],
    ["test_introspect_token_missing_kid", async () => ["entra_id", await foreignToken({ iss: emulator.issuer("maskinporten") }, undefined)], "missing key id from token header"],
    ["test_introspect_token_unrecognized_issuer", async () => ["maskinporten", await signed("maskinporten", { iss: "snafu" })], "invalid token: InvalidIssuer"],
    ["test_introspect_token_invalid_audience (aud of another application)", async () => ["entra_id", await signed("entra_id", { aud: "another-app" })], "invalid token: InvalidAudience"],
    ["no aud at all, for a provider that requires one", async () => ["tokenx", await signed("tokenx", { aud: undefined })], "invalid token: Missing required claim: aud"],
    ["no exp", async () => ["idporten", await signed("idporten", { exp: undefined })], "invalid token: Missing required claim: exp"],
    ["no iat (the sidecar's own check)", async () => ["idporten", await signed("idporten", { iat: undefined })], "invalid token: Missing required claim: iat"],
    ["signed by a key with the provider's kid but another key", async () => ["idporten", await foreignToken({ iss: emulator.issuer("idporten"), aud: emulator.clientId("idporten"), iat: now(), exp: now() + 60 }, "idporten")], "invalid token: InvalidSignature"],
    ["a tampered payload", async () => {
      const [h, , s] = (await signed("idporten", {})).split(".")
      return ["idporten", `${h}.${Buffer.from(JSON.stringify({ sub: "admin" })).toString("base64url")}.${s}`]
    }, "invalid token: InvalidSignature"]
  ]
  for (const [name, make, reason] of cases) {
    it(name, async () => {
      const [provider, token] = await make()
      expect(await introspect(provider, token)).toEqual({ active: false, error: reason })
    })
  }
})

describe("60 s of leeway (src/oauth/token.rs `validation.leeway = 60`)", () => {
  const now = () => nowSeconds(emulator)
  const active = async (claims: Record<string, unknown>) => (await introspect("idporten", await signed("idporten", claims)))["active"]
  it("exp: 30 s ago still active, 61 s ago not", async () => {
    expect(await active({ exp: now() - 30 })).toBe(true)
    expect(await active({ exp: now() - 61 })).toBe(false)
  })
  it("nbf: 50 s ahead active, 61 s ahead not", async () => {
    expect(await active({ nbf: now() + 50 })).toBe(true)
    expect(await active({ nbf: now() + 61 })).toBe(false)
  })
  it("iat: 50 s ahead active, 61 s ahead not", async () => {
    expect(await active({ iat: now() + 50 })).toBe(true)
    expect(await active({ iat: now() + 61 })).toBe(false)
  })
  it("numeric dates as jsonwebtoken 10 reads them (src/validation.rs numeric_type): a float exp is rounded and active", async () => {
    expect(await active({ exp: now() + 300.5 })).toBe(true)
    expect(await active({ exp: now() - 61.5 })).toBe(false)
  })
  it("a malformed nbf (a string) is inactive, Invalid format for claim; a malformed exp counts as missing", async () => {
    expect(await introspect("idporten", await signed("idporten", { nbf: String(now()) }))).toEqual({ active: false, error: "invalid token: Invalid format for claim: nbf" })
    expect(await introspect("idporten", await signed("idporten", { exp: String(now() + 300) }))).toEqual({ active: false, error: "invalid token: Missing required claim: exp" })
    expect(await introspect("idporten", await signed("idporten", { nbf: -5 }))).toEqual({ active: false, error: "invalid token: Invalid format for claim: nbf" })
  })
  it("iss as a list is active when it holds the issuer (jsonwebtoken's Issuer::Multiple), inactive when not", async () => {
    expect(await active({ iss: ["https://elsewhere.example", emulator.issuer("idporten")] })).toBe(true)
    expect(await introspect("idporten", await signed("idporten", { iss: ["https://elsewhere.example"] }))).toEqual({ active: false, error: "invalid token: InvalidIssuer" })
  })
  it("iat is the sidecar's own check (Value::as_u64): a float iat is missing", async () => {
    expect(await introspect("idporten", await signed("idporten", { iat: now() + 0.5 }))).toEqual({ active: false, error: "invalid token: Missing required claim: iat" })
  })
  it("Maskinporten has no audience check: any aud is active", async () => {
    expect((await introspect("maskinporten", await signed("maskinporten", { aud: "whatever" })))["active"]).toBe(true)
  })
})

describe("per-deployment settings: client id and issuer (src/handler/state.rs)", () => {
  it("a configured client id is the audience required; a configured issuer the one trusted", async () => {
    const configured = await startTexasEmulator({ providers: { tokenx: { clientId: "prod-gcp:team:api", issuer: "https://tokenx.example/" } } })
    try {
      const user = await configured.issueUserToken({ provider: "tokenx" })
      const answer = await post(configured, paths.introspect, { identity_provider: "tokenx", token: user })
      expect(answer.body).toMatchObject({ active: true, aud: "prod-gcp:team:api", iss: "https://tokenx.example/" })
      const forOther = await configured.issueUserToken({ provider: "tokenx", audience: "dev-gcp:team:app" })
      expect((await post(configured, paths.introspect, { identity_provider: "tokenx", token: forOther })).body)
        .toEqual({ active: false, error: "invalid token: InvalidAudience" })
    } finally {
      await configured.close()
    }
  })

  it("a body that does not decode is a 400 like every endpoint's (src/handler.rs JsonOrForm)", async () => {
    const answer = await post(emulator, paths.introspect, { identity_provider: "idporten" })
    expect(answer.status).toBe(400)
    expect(answer.body["error"]).toBe("invalid_request")
  })
})
