import { Fault, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import * as Jose from "jose"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"

// Plain HTTP against the exchange and introspection endpoints: no SDK code.

const postJson = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })

const postForm = (url: string, fields: Record<string, string>) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString()
  })

let emulator: TexasEmulatorHandle
let exchangeUrl: string
let introspectUrl: string

beforeAll(async () => {
  emulator = await startTexasEmulator({ enabledProviders: ["maskinporten", "entra_id", "tokenx", "idporten"] })
  exchangeUrl = `${emulator.url}/api/v1/token/exchange`
  introspectUrl = `${emulator.url}/api/v1/introspect`
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

const exchange = async (body: Record<string, unknown>) => {
  const response = await postJson(exchangeUrl, body)
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

const introspect = async (provider: string, token: string) => {
  const response = await postJson(introspectUrl, { identity_provider: provider, token })
  expect(response.status).toBe(200)
  return await response.json() as Record<string, unknown>
}

/** A token of the right shape signed by a key the emulator does not know. */
const foreignToken = async () => {
  const { privateKey } = await Jose.generateKeyPair("RS256")
  return new Jose.SignJWT({ sub: "mallory", iss: `${emulator.url}/idporten` })
    .setProtectedHeader({ alg: "RS256", kid: "someone-else" })
    .setExpirationTime("1h")
    .sign(privateKey)
}

const tamper = (token: string) => {
  const [header, payload, signature] = token.split(".")
  const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<string, unknown>
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: "admin" })).toString("base64url")
  return `${header}.${forged}.${signature}`
}

describe("POST /api/v1/token/exchange", () => {
  it("exchanges an ID-porten user token for a TokenX token to the target, keeping the user", async () => {
    const user = await emulator.issueUserToken({ provider: "idporten", subject: "user-a", claims: { pid: "12345678910" } })
    const answer = await exchange({ identity_provider: "tokenx", target: "dev-gcp:team:downstream", user_token: user })
    expect(answer.status).toBe(200)
    expect(Object.keys(answer.body).sort()).toEqual(["access_token", "expires_in", "token_type"])
    const claims = Jose.decodeJwt(answer.body["access_token"] as string)
    expect(claims).toMatchObject({
      iss: emulator.issuer("tokenx"),
      aud: "dev-gcp:team:downstream",
      sub: "user-a",
      pid: "12345678910",
      idp: emulator.issuer("idporten")
    })
  })

  it("accepts a form body, caches per (provider, target, user token) and honours skip_cache", async () => {
    const user = await emulator.issueUserToken({ provider: "idporten" })
    const fields = { identity_provider: "tokenx", target: "dev-gcp:team:downstream", user_token: user }
    const first = await (await postForm(exchangeUrl, fields)).json() as { access_token: string }
    const again = await (await postForm(exchangeUrl, fields)).json() as { access_token: string }
    expect(again.access_token).toBe(first.access_token)
    const other = await emulator.issueUserToken({ provider: "idporten" })
    const forOther = await (await postForm(exchangeUrl, { ...fields, user_token: other })).json() as { access_token: string }
    expect(forOther.access_token).not.toBe(first.access_token)
    const forced = await (await postForm(exchangeUrl, { ...fields, skip_cache: "true" })).json() as { access_token: string }
    expect(forced.access_token).not.toBe(first.access_token)
    expect(emulator.stats()).toMatchObject({ exchangeRequests: 4, cacheHits: 1 })
  })

  it("does Entra ID on-behalf-of for an Entra ID user token", async () => {
    const user = await emulator.issueUserToken({ provider: "entra_id", subject: "oid-1", claims: { NAVident: "Z123456" } })
    const answer = await exchange({ identity_provider: "azuread", target: "api://dev-gcp.team.downstream/.default", user_token: user })
    expect(answer.status).toBe(200)
    expect(Jose.decodeJwt(answer.body["access_token"] as string)).toMatchObject({
      aud: "api://dev-gcp.team.downstream",
      NAVident: "Z123456",
      sub: "oid-1"
    })
  })

  it("refuses Entra ID on-behalf-of for a token Entra ID did not issue", async () => {
    const user = await emulator.issueUserToken({ provider: "idporten" })
    const answer = await exchange({ identity_provider: "entra_id", target: "api://dev-gcp.team.downstream/.default", user_token: user })
    expect(answer).toMatchObject({ status: 400, body: { error: "invalid_grant" } })
  })

  const badUserTokens: ReadonlyArray<readonly [string, () => Promise<string>, string]> = [
    ["an expired user token", () => emulator.issueUserToken({ provider: "idporten", expiresIn: "-2 minutes" }), "invalid token: ExpiredSignature"],
    ["a tampered user token", async () => tamper(await emulator.issueUserToken({ provider: "idporten" })), "invalid token: InvalidSignature"],
    ["a token signed by another key", foreignToken, "token can not be validated with this identity provider"],
    ["a string that is not a JWT", () => Promise.resolve("not-a-jwt"), "invalid token header: InvalidToken"],
    ["a Maskinporten token (no user)", () => emulator.issueUserToken({ provider: "maskinporten" }), "not issued by an identity provider TokenX trusts"]
  ]
  for (const [name, make, reason] of badUserTokens) {
    it(`answers 400 invalid_request for ${name}`, async () => {
      const answer = await exchange({ identity_provider: "tokenx", target: "dev-gcp:team:downstream", user_token: await make() })
      expect(answer.status).toBe(400)
      expect(answer.body["error"]).toBe("invalid_request")
      expect(answer.body["error_description"]).toContain(reason)
    })
  }

  it("answers 400 for providers that do not exchange and for missing fields, as the spec says", async () => {
    const user = await emulator.issueUserToken({ provider: "idporten" })
    expect(await exchange({ identity_provider: "maskinporten", target: "x", user_token: user })).toMatchObject({
      status: 400,
      body: { error: "invalid_request", error_description: "identity provider 'maskinporten' does not support token exchange" }
    })
    expect(await exchange({ identity_provider: "tokenx", target: "x" })).toMatchObject({
      status: 400,
      body: { error: "invalid_request", error_description: "Failed to deserialize the JSON body into the target type: missing field `user_token` at line 1 column 43" }
    })
    const disabled = await startTexasEmulator({ enabledProviders: ["maskinporten"] })
    const response = await postJson(`${disabled.url}/api/v1/token/exchange`, { identity_provider: "tokenx", target: "x", user_token: user })
    expect(await response.json()).toEqual({ error: "invalid_request", error_description: "identity provider 'tokenx' is not enabled" })
    await disabled.close()
  })

  it("never keeps the user token in its request log", async () => {
    const user = await emulator.issueUserToken({ provider: "idporten" })
    await exchange({ identity_provider: "tokenx", target: "dev-gcp:team:downstream", user_token: user })
    // Also when a scripted fault answers instead.
    emulator.inject(Fault.status(503))
    await postJson(exchangeUrl, { identity_provider: "tokenx", target: "dev-gcp:team:downstream", user_token: user })
    expect(emulator.requests()[1]?.body).toMatchObject({ user_token: "<redacted>" })
    expect(JSON.stringify(emulator.requests())).not.toContain(user)
    expect(emulator.requests()[0]?.body).toMatchObject({ user_token: "<redacted>" })
  })
})

describe("POST /api/v1/introspect", () => {
  it("answers active with the token's claims for a valid token", async () => {
    const user = await emulator.issueUserToken({ provider: "idporten", subject: "user-a", claims: { pid: "12345678910" } })
    const answer = await introspect("idporten", user)
    expect(answer).toMatchObject({ active: true, sub: "user-a", pid: "12345678910", iss: emulator.issuer("idporten") })
    expect(typeof answer["exp"]).toBe("number")
  })

  it("introspects tokens from every provider, exchanged ones included", async () => {
    const user = await emulator.issueUserToken({ provider: "idporten" })
    // A token exchanged to this application itself is meant for it (aud = its client id).
    const exchanged = await exchange({ identity_provider: "tokenx", target: emulator.clientId("tokenx"), user_token: user })
    expect(await introspect("tokenx", exchanged.body["access_token"] as string)).toMatchObject({ active: true, aud: emulator.clientId("tokenx") })
    const machine = await postJson(emulator.tokenEndpoint, { identity_provider: "maskinporten", target: "skatt:some.scope" })
    const { access_token } = await machine.json() as { access_token: string }
    expect(await introspect("maskinporten", access_token)).toMatchObject({ active: true, scope: "skatt:some.scope" })
    const entra = await emulator.issueUserToken({ provider: "entra_id" })
    expect(await introspect("azuread", entra)).toMatchObject({ active: true })
  })

  const inactive: ReadonlyArray<readonly [string, () => Promise<readonly [string, string]>, string]> = [
    ["expired", async () => ["idporten", await emulator.issueUserToken({ provider: "idporten", expiresIn: "-61 seconds" })], "invalid token: ExpiredSignature"],
    ["tampered", async () => ["idporten", tamper(await emulator.issueUserToken({ provider: "idporten" }))], "invalid token: InvalidSignature"],
    ["signed by another key", async () => ["idporten", await foreignToken()], "token can not be validated with this identity provider"],
    ["not a JWT", () => Promise.resolve(["idporten", "garbage"] as const), "invalid token header: InvalidToken"],
    ["issued by another provider", async () => ["tokenx", await emulator.issueUserToken({ provider: "idporten" })], "token can not be validated with this identity provider"],
    ["meant for another application", async () => ["idporten", await emulator.issueUserToken({ provider: "idporten", audience: "other-app" })], "invalid token: InvalidAudience"]
  ]
  for (const [name, make, reason] of inactive) {
    it(`answers 200 active=false with the reason for a token that is ${name}`, async () => {
      const [provider, token] = await make()
      expect(await introspect(provider, token)).toEqual({ active: false, error: reason })
    })
  }

  it("takes a token it was told to accept as issued by that provider, expiry included", async () => {
    const foreign = await foreignToken()
    expect(await introspect("idporten", foreign)).toEqual({ active: false, error: "token can not be validated with this identity provider" })
    emulator.accept(foreign, "idporten")
    expect(await introspect("idporten", foreign)).toMatchObject({ active: true, sub: "mallory" })
    expect(await introspect("tokenx", foreign)).toEqual({ active: false, error: "token can not be validated with this identity provider" })
    const exchanged = await exchange({ identity_provider: "tokenx", target: "dev-gcp:team:downstream", user_token: foreign })
    expect(Jose.decodeJwt(exchanged.body["access_token"] as string)).toMatchObject({ sub: "mallory" })
    emulator.accept("opaque-session-token", "entra_id")
    expect(await introspect("entra_id", "opaque-session-token")).toEqual({ active: true })
    emulator.advance("2 hours")
    expect(await introspect("idporten", foreign)).toEqual({ active: false, error: "invalid token: ExpiredSignature" })
    emulator.reset()
    expect((await introspect("entra_id", "opaque-session-token"))["active"]).toBe(false)
  })

  it("expires tokens by the emulator's clock", async () => {
    const user = await emulator.issueUserToken({ provider: "idporten", expiresIn: "10 minutes" })
    expect(await introspect("idporten", user)).toMatchObject({ active: true })
    // The sidecar allows 60 s of leeway (nais/texas src/oauth/token.rs, `validation.leeway = 60`).
    emulator.advance("630 seconds")
    expect(await introspect("idporten", user)).toMatchObject({ active: true })
    emulator.advance("31 seconds")
    expect(await introspect("idporten", user)).toEqual({ active: false, error: "invalid token: ExpiredSignature" })
  })

  it("answers 200 inactive for a disabled provider, 400 for a missing token and a wrong media type", async () => {
    // nais/texas src/handler/token_introspect.rs, tests/integration/providers_not_enabled.rs
    const disabled = await startTexasEmulator({ enabledProviders: ["maskinporten"] })
    const response = await postJson(`${disabled.url}/api/v1/introspect`, { identity_provider: "idporten", token: "x" })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ active: false, error: "identity provider 'idporten' is not enabled" })
    await disabled.close()
    const missing = await postJson(introspectUrl, { identity_provider: "idporten" })
    expect(await missing.json()).toMatchObject({ error_description: "Failed to deserialize the JSON body into the target type: missing field `token` at line 1 column 32" })
    const text = await fetch(introspectUrl, { method: "POST", headers: { "content-type": "text/plain" }, body: "token=x" })
    expect(text.status).toBe(400)
  })
})
