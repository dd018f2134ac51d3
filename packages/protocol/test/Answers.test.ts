/**
 * The token answer, decoded once for both lines (`Answers.decodeToken`): what the sidecar sends
 * on success (nais/texas `src/oauth/identity_provider.rs`, `TokenResponse`: `access_token`, `expires_in`,
 * `token_type`), and each way an answer can be unusable, named by field without quoting a value.
 */
import { Answers, UserToken } from "@effect-texas/protocol"
import { describe, expect, it } from "vitest"

const now = Date.UTC(2026, 11, 2)
const decode = (body: unknown, contentType = "application/json") => Answers.decodeToken(typeof body === "string" ? body : JSON.stringify(body), contentType, now)

describe("Answers.decodeToken", () => {
  it("takes the sidecar's answer, token_type in any case", () => {
    expect(decode({ access_token: "eyJ.a.b", expires_in: 3599, token_type: "Bearer" })).toEqual({ ok: true, accessToken: "eyJ.a.b", expiresInSeconds: 3599 })
    expect(decode({ access_token: "eyJ.a.b", expires_in: 10, token_type: "bearer" })).toMatchObject({ ok: true })
  })

  it("names every field that is wrong, never its value", () => {
    const answer = decode({ access_token: "", expires_in: 1.5, token_type: "DPoP" })
    expect(answer).toEqual({
      ok: false,
      reason: "access_token: expected a non-empty string; expires_in: expected a whole number of seconds, at least 0; token_type: expected \"Bearer\" (in any case)"
    })
    expect(decode({ access_token: "secret-token-value", expires_in: "3600" })).toEqual({
      ok: false,
      reason: "expires_in: expected a whole number of seconds, at least 0; token_type: expected a string"
    })
    expect(JSON.stringify(decode({ access_token: "secret-token-value", expires_in: -1, token_type: "Bearer" }))).not.toContain("secret-token-value")
  })

  it("refuses a token that has already expired, or an expiry past what a date holds", () => {
    expect(decode({ access_token: "t", expires_in: 0, token_type: "Bearer" })).toEqual({ ok: false, reason: "the token had already expired (expires_in 0)" })
    expect(decode({ access_token: "t", expires_in: 1e300, token_type: "Bearer" })).toMatchObject({ ok: false, reason: expect.stringMatching(/^expires_in: /) })
  })

  it("says what the body was when it is not a JSON object, with its content type, quoting nothing", () => {
    const answer = decode("eyJhbGciOi.a-bare-token.b", "text/plain")
    expect(answer.ok).toBe(false)
    if (!answer.ok) {
      expect(answer.reason).toMatch(/\(content-type text\/plain\)$/)
      expect(answer.reason).not.toContain("a-bare-token")
    }
  })
})

/**
 * The introspection answer (nais/texas `src/oauth/identity_provider.rs`, `IntrospectResponse`: `active`, and `error` when not,
 * with the token's claims beside them), decoded once for both lines.
 */
describe("Answers.decodeIntrospection", () => {
  it("an active token's claims, frozen; an inactive one's error", () => {
    const active = Answers.decodeIntrospection(JSON.stringify({ active: true, sub: "user-a", groups: ["g1"], custom: { a: 1 } }))
    expect(active).toEqual({ ok: true, active: true, error: undefined, claims: { sub: "user-a", groups: ["g1"], custom: { a: 1 } } })
    if (active.ok) expect(Object.isFrozen(active.claims["groups"])).toBe(true)
    expect(Answers.decodeIntrospection(JSON.stringify({ active: false, error: "token is expired" }))).toEqual({ ok: true, active: false, error: "token is expired", claims: {} })
  })

  it("refuses an answer without a boolean active, or with a typed claim of the wrong type, naming each", () => {
    expect(Answers.decodeIntrospection(JSON.stringify({ active: "yes" }))).toEqual({ ok: false, reason: "active: expected a boolean" })
    const wrong = Answers.decodeIntrospection(JSON.stringify({ active: true, sub: 42, groups: "g1" }))
    expect(wrong.ok).toBe(false)
    if (!wrong.ok) expect(wrong.reason.split("; ").map((problem) => problem.split(":")[0])).toEqual(["sub", "groups"])
  })

  it("is no stricter than the sidecar about what it does not type: another claim, or an error that is not a string", () => {
    expect(Answers.decodeIntrospection(JSON.stringify({ active: false, error: 7, extra: [1] }))).toEqual({ ok: true, active: false, error: undefined, claims: { extra: [1] } })
  })
})

/** The keys the exchange and verdict caches file under, the same on both lines. */
describe("UserToken cache keys", () => {
  it("an exchange's key names provider and target and hashes the user token, once per holder", () => {
    const holder = {}
    const key = UserToken.exchangeKey({ provider: "tokenx", target: "dev-gcp:team:app", userToken: "user-token-a" }, holder)
    expect(key).not.toContain("user-token-a")
    expect(key).toBe(UserToken.exchangeKey({ provider: "tokenx", target: "dev-gcp:team:app", userToken: "user-token-a" }, {}))
    expect(key).not.toBe(UserToken.exchangeKey({ provider: "tokenx", target: "dev-gcp:team:app", userToken: "user-token-b" }, {}))
    expect(key).not.toBe(UserToken.exchangeKey({ provider: "tokenx", target: "dev-gcp:team:other", userToken: "user-token-a" }, {}))
  })

  it("a verdict's key: one for azuread and entra_id, another per token, never the token", () => {
    expect(UserToken.verdictKey("azuread", "t")).toBe(UserToken.verdictKey("entra_id", "t"))
    expect(UserToken.verdictKey("tokenx", "t")).not.toBe(UserToken.verdictKey("idporten", "t"))
    expect(UserToken.verdictKey("tokenx", "token-value")).not.toContain("token-value")
  })
})
