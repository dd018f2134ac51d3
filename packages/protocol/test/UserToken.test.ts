/**
 * What a user's token request means before it is sent: an exchange (nais/texas
 * `src/handler/token_exchange.rs`: `identity_provider`, `target`, `user_token`, `skip_cache`; only
 * TokenX and Entra ID exchange) and an introspection (`src/handler/token_introspect.rs`: any of the
 * platform's providers), each refused with the field and the reason, and the cache keys.
 */
import { UserToken } from "@effect-texas/protocol"
import { describe, expect, it } from "vitest"

const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln"
const exchange = (more: Record<string, unknown> = {}) => UserToken.prepareExchange({ identityProvider: "tokenx", target: "dev-gcp:team:api", userToken: jwt, ...more } as UserToken.ExchangeRequest)
const refusal = (result: unknown) => {
  const invalid = result as { readonly _tag?: string; readonly field?: string; readonly reason?: string }
  return invalid._tag === "Invalid" ? `${invalid.field}: ${invalid.reason}` : "(prepared)"
}

describe("UserToken.prepareExchange", () => {
  it("takes TokenX and Entra ID (azuread its older name, sent as given), the target trimmed, skip_cache only when true", () => {
    expect(exchange()).toEqual({ provider: "tokenx", providerName: "tokenx", target: "dev-gcp:team:api", userToken: jwt, skipCache: false })
    expect(exchange({ identityProvider: "entra_id", target: " api://x/.default \n", skipCache: true })).toEqual({
      provider: "entra_id",
      providerName: "entra_id",
      target: "api://x/.default",
      userToken: jwt,
      skipCache: true
    })
    expect(exchange({ identityProvider: "azuread", skipCache: false })).toMatchObject({ provider: "entra_id", providerName: "azuread", skipCache: false })
  })

  it("refuses a provider that does not exchange, naming the ones that do", () => {
    for (const name of ["maskinporten", "idporten", "TokenX", "", undefined]) {
      expect(refusal(exchange({ identityProvider: name }))).toBe(`identityProvider: \`${String(name)}\` cannot exchange tokens; use "tokenx" or "entra_id"`)
    }
    for (const request of [null, "tokenx", 1]) expect(refusal(UserToken.prepareExchange(request as never))).toBe("target: the request must be an object")
  })

  it("refuses a target that is not one audience: not a string, empty, too long, spaced or with control characters", () => {
    expect(refusal(exchange({ target: 1 }))).toBe("target: must be a string")
    expect(refusal(exchange({ target: " \t" }))).toBe("target: is empty")
    expect(refusal(exchange({ target: "a".repeat(8193) }))).toBe("target: is 8193 characters long; at most 8192 are accepted")
    expect(refusal(exchange({ target: "a".repeat(8192) }))).toBe("(prepared)")
    for (const target of ["a b", "a\tb", "a\u0000b", "a\u007fb", "a\u009fb"]) {
      expect(refusal(exchange({ target })), JSON.stringify(target)).toBe("target: names one audience: it must not contain spaces or control characters")
    }
    expect(refusal(exchange({ target: "a\u00a0b" }))).toBe("(prepared)")
  })

  it("refuses a user token that is empty, over 64 KiB, or carries spaces (a `Bearer ` prefix) or control characters", () => {
    for (const userToken of ["", undefined, 42, null]) expect(refusal(exchange({ userToken }))).toBe("userToken: is empty")
    expect(refusal(exchange({ userToken: "a".repeat(64 * 1024 + 1) }))).toBe("userToken: is longer than 65536 characters")
    expect(refusal(exchange({ userToken: "a".repeat(64 * 1024) }))).toBe("(prepared)")
    for (const userToken of [`Bearer ${jwt}`, `${jwt}\n`, "a\u0001b", "a\u0080b"]) {
      expect(refusal(exchange({ userToken })), JSON.stringify(userToken)).toBe("userToken: contains spaces or control characters (pass the token without `Bearer `)")
    }
  })

  it("takes the token through the caller's unwrap (Redacted on each line), and its refusal as the token's", () => {
    const unwrap: UserToken.Unwrap = (token) => (typeof token === "object" && token !== null && "secret" in token ? { ok: true, value: token.secret } : { ok: false, reason: "must be Redacted" })
    expect(UserToken.prepareExchange({ identityProvider: "tokenx", target: "a", userToken: { secret: jwt } }, unwrap)).toMatchObject({ userToken: jwt })
    expect(refusal(UserToken.prepareExchange({ identityProvider: "tokenx", target: "a", userToken: jwt }, unwrap))).toBe("userToken: must be Redacted")
  })

  it("refuses a skipCache that is not a boolean", () => {
    for (const skipCache of ["true", 1, null]) expect(refusal(exchange({ skipCache }))).toBe("skipCache: must be true or false")
  })
})

describe("UserToken.exchangeFields", () => {
  it("is the body the sidecar takes, skip_cache only when forced", () => {
    const prepared = exchange({ identityProvider: "azuread" }) as UserToken.PreparedExchange
    expect(UserToken.exchangeFields(prepared, false)).toStrictEqual({ identity_provider: "azuread", target: "dev-gcp:team:api", user_token: jwt })
    expect(UserToken.exchangeFields(prepared, true)).toStrictEqual({ identity_provider: "azuread", target: "dev-gcp:team:api", user_token: jwt, skip_cache: true })
  })
})

describe("UserToken.prepareIntrospection", () => {
  const introspect = (identityProvider: string, token: unknown) => UserToken.prepareIntrospection({ identityProvider, token })

  it("sends a JWS-shaped token for any of the platform's providers", () => {
    for (const provider of ["tokenx", "entra_id", "azuread", "idporten", "maskinporten"]) {
      expect(introspect(provider, jwt)).toEqual({ _tag: "Send", provider, token: jwt })
    }
    expect(introspect("idporten", "a.b.")).toEqual({ _tag: "Send", provider: "idporten", token: "a.b." })
  })

  it("refuses another provider, and an empty token, naming the field", () => {
    for (const provider of ["google", "", "TokenX"]) expect(refusal(introspect(provider, jwt))).toBe(`identityProvider: \`${provider}\` is not an identity provider of the platform`)
    for (const token of ["", "  ", undefined, 1]) expect(refusal(introspect("tokenx", token))).toBe("token: is empty")
  })

  it("answers inactive without asking for what is not a JWS, as the sidecar would (or over 16 KiB)", () => {
    for (const token of ["abc", "a.b", "a.b.c.d", " a.b.c", "a.b.c ", "a+b.c.d", "a.b+.c", "a.b.c+", ".b.c", "a..c", "\n" + jwt]) {
      expect(introspect("tokenx", token), JSON.stringify(token)).toEqual({ _tag: "NotAJws", reason: "invalid token header: InvalidToken" })
    }
    expect(introspect("tokenx", `${jwt}${"a".repeat(16 * 1024)}`)).toEqual({ _tag: "NotAJws", reason: "token is longer than 16384 characters (not sent)" })
    const longest = `a.b.${"c".repeat(16 * 1024 - 4)}`
    expect(introspect("tokenx", longest)).toMatchObject({ _tag: "Send" })
  })

  it("takes the token through the caller's unwrap", () => {
    const refuse: UserToken.Unwrap = () => ({ ok: false, reason: "must be Redacted" })
    expect(refusal(UserToken.prepareIntrospection({ identityProvider: "tokenx", token: jwt }, refuse))).toBe("token: must be Redacted")
  })
})

describe("UserToken cache keys", () => {
  it("keys an exchange by provider, target and the token's digest, never the token", () => {
    const prepared = { provider: "tokenx", target: "a", userToken: jwt }
    const key = UserToken.exchangeKey(prepared, {})
    expect(key).not.toContain(jwt)
    const [provider, target, digest] = key.split("\u0000")
    expect([provider, target]).toEqual(["tokenx", "a"])
    expect(digest).toMatch(/^[0-9a-f]{64}$/)
    expect(UserToken.exchangeKey({ ...prepared, target: "b" }, {})).not.toBe(key)
    expect(UserToken.exchangeKey({ ...prepared, userToken: `${jwt}x` }, {})).not.toBe(key)
    expect(UserToken.exchangeKey({ ...prepared, provider: "entra_id" }, {})).not.toBe(key)
  })

  it("digests a holder's token once (the same holder, the same digest)", () => {
    const holder = {}
    const first = UserToken.exchangeKey({ provider: "tokenx", target: "a", userToken: jwt }, holder)
    expect(UserToken.exchangeKey({ provider: "tokenx", target: "a", userToken: "other" }, holder)).toBe(first)
  })

  it("keys a verdict by provider (azuread as entra_id) and the token's digest", () => {
    expect(UserToken.verdictKey("azuread", jwt)).toBe(UserToken.verdictKey("entra_id", jwt))
    expect(UserToken.verdictKey("tokenx", jwt).split("\u0000")).toEqual(["tokenx", expect.stringMatching(/^[0-9a-f]{64}$/)])
    expect(UserToken.verdictKey("tokenx", jwt)).not.toBe(UserToken.verdictKey("tokenx", `${jwt}x`))
    expect(UserToken.verdictKey("tokenx", jwt)).not.toBe(UserToken.verdictKey("idporten", jwt))
  })
})
