/**
 * `POST /api/v1/token`, ported from nais/texas tests/integration/token.rs, the
 * handler (src/handler.rs `JsonOrForm`, src/handler/token.rs), the cache
 * (src/cache.rs) and hack/roundtrip-maskinporten-rar.sh.
 */
import { startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as Jose from "jose"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { type Format, happyToken, paths, post, postRaw } from "./support.js"

let emulator: TexasEmulatorHandle
beforeAll(async () => {
  emulator = await startTexasEmulator()
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

const introspect = (token: string, provider: string, format: Format = "json") =>
  post(emulator, paths.introspect, { identity_provider: provider, token }, format)

const providersAndTargets = [
  ["maskinporten", "scope", "different_target"],
  ["entra_id", "api://dev-gcp.team.app/.default", "api://dev-gcp.team.other/.default"]
] as const

describe("machine_to_machine_token (tests/integration/token.rs)", () => {
  for (const format of ["form", "json"] as const) {
    for (const [provider, target, different] of providersAndTargets) {
      it(`${provider}, ${format}: cached per target, skip_cache gives a new token`, async () => {
        const first = await happyToken(emulator, { identity_provider: provider, target }, format)
        const other = await happyToken(emulator, { identity_provider: provider, target: different }, format)
        expect(other.accessToken).not.toBe(first.accessToken)
        const second = await happyToken(emulator, { identity_provider: provider, target }, format)
        expect(second.accessToken).toBe(first.accessToken)
        const skipCache = format === "json" ? true : "true"
        const third = await happyToken(emulator, { identity_provider: provider, target, skip_cache: skipCache }, format)
        expect(third.accessToken).not.toBe(first.accessToken)
        expect(Jose.decodeJwt(third.accessToken).jti).not.toBe(Jose.decodeJwt(first.accessToken).jti)
        // skip_cache replaces the entry: the next plain request gets the new token.
        expect((await happyToken(emulator, { identity_provider: provider, target }, format)).accessToken).toBe(third.accessToken)
        // Introspected as the issuer: Maskinporten has no audience; an Entra ID token for another app is not ours.
        const introspected = await introspect(first.accessToken, provider, format)
        if (provider === "maskinporten") expect(introspected.body).toMatchObject({ active: true, iss: emulator.issuer(provider) })
        else expect(introspected.body).toEqual({ active: false, error: "invalid token: InvalidAudience" })
        expect(Jose.decodeJwt(first.accessToken)).toMatchObject({ iss: emulator.issuer(provider) })
      })
    }
  }

  it("an Entra ID token for this application itself introspects active; for another, InvalidAudience (token_introspect.rs test_introspect_token_invalid_audience)", async () => {
    const self = await startTexasEmulator({ providers: { entra_id: { clientId: "api://dev-gcp.team.app" } } })
    try {
      const own = await happyToken(self, { identity_provider: "entra_id", target: "api://dev-gcp.team.app/.default" })
      expect((await post(self, paths.introspect, { identity_provider: "entra_id", token: own.accessToken })).body).toMatchObject({ active: true })
      const other = await happyToken(self, { identity_provider: "entra_id", target: "api://dev-gcp.team.invalid/.default" })
      expect((await post(self, paths.introspect, { identity_provider: "entra_id", token: other.accessToken })).body)
        .toEqual({ active: false, error: "invalid token: InvalidAudience" })
    } finally {
      await self.close()
    }
  })

  it("Entra ID: any <resource>/.default is a target (texas-api.md), an unsuffixed one is refused saying so", async () => {
    await happyToken(emulator, { identity_provider: "entra_id", target: "https://graph.microsoft.com/.default" })
    const bare = await post(emulator, paths.token, { identity_provider: "entra_id", target: "client-id" })
    expect(bare.status).toBe(400)
    expect(bare.body["error"]).toBe("invalid_scope")
    expect(String(bare.body["error_description"])).toContain("/.default")
  })
})

describe("resource and authorization_details (token.rs, hack/roundtrip-maskinporten-rar.sh)", () => {
  for (const format of ["form", "json"] as const) {
    it(`test_token_with_resource, ${format}: any string is forwarded`, async () => {
      const token = await happyToken(emulator, { identity_provider: "maskinporten", target: "scope", resource: "some_resource" }, format)
      expect((await introspect(token.accessToken, "maskinporten", format)).body).toMatchObject({ active: true, resource: "some_resource" })
    })
  }

  const details = [{
    type: "urn:altinn:systemuser",
    systemuser_org: { authority: "iso6523-actorid-upis", ID: "0192:313367002" },
    systemuser_id: ["33a0911a-5459-456f-bc57-3d37ef9a016c"],
    system_id: "974761076_skatt_demo_system"
  }]

  it("as an array in JSON, as a JSON string in a form, and as a JSON string in JSON: one token", async () => {
    const asArray = await happyToken(emulator, { identity_provider: "maskinporten", target: "my-target", authorization_details: details })
    const inForm = await happyToken(emulator, { identity_provider: "maskinporten", target: "my-target", authorization_details: JSON.stringify(details) }, "form")
    const asString = await happyToken(emulator, { identity_provider: "maskinporten", target: "my-target", authorization_details: JSON.stringify(details) })
    expect(new Set([asArray.accessToken, inForm.accessToken, asString.accessToken]).size).toBe(1)
    expect((await introspect(asArray.accessToken, "maskinporten")).body).toMatchObject({ authorization_details: details })
  })

  it("key order inside details does not make another cache entry; other details do", async () => {
    const a = await happyToken(emulator, { identity_provider: "maskinporten", target: "t", authorization_details: [{ type: "x", a: 1, b: 2 }] })
    const b = await happyToken(emulator, { identity_provider: "maskinporten", target: "t", authorization_details: [{ b: 2, a: 1, type: "x" }] })
    const c = await happyToken(emulator, { identity_provider: "maskinporten", target: "t", authorization_details: [] })
    expect(b.accessToken).toBe(a.accessToken)
    expect(c.accessToken).not.toBe(a.accessToken)
    // `Some([])` is not `None` in the sidecar's key (TokenRequest's Hash includes the Option): an entry of its own.
    const none = await happyToken(emulator, { identity_provider: "maskinporten", target: "t" })
    expect(none.accessToken).not.toBe(c.accessToken)
    expect((await happyToken(emulator, { identity_provider: "maskinporten", target: "t", authorization_details: [] })).accessToken).toBe(c.accessToken)
  })

  const badDetails: ReadonlyArray<readonly [string, string]> = [
    ["not a json array", "not+a+json+array"],
    ["an object", "%7B%22type%22%3A%22t%22%7D"],
    ["an unterminated array", "%5B%7B%22type%22%3A%22t%22%7D"]
  ]
  for (const [name, encoded] of badDetails) {
    it(`a form whose authorization_details is ${name}: 400 (identity_provider.rs invalid_form_authorization_details)`, async () => {
      const answer = await postRaw(emulator, paths.token, "application/x-www-form-urlencoded", `identity_provider=maskinporten&target=t&authorization_details=${encoded}`)
      expect(answer.status).toBe(400)
      expect(String(answer.body["error_description"])).toMatch(/^Failed to deserialize form body: authorization_details: failed to parse authorization_details JSON string: /)
    })
  }
  for (const value of [42, null, true, { type: "t" }]) {
    it(`JSON authorization_details ${JSON.stringify(value)} is refused unless null (invalid_json_authorization_details)`, async () => {
      const answer = await post(emulator, paths.token, { authorization_details: value, identity_provider: "maskinporten", target: "t" })
      expect(answer.status).toBe(value === null ? 200 : 400)
    })
  }
})

describe("decoding (src/handler.rs JsonOrForm, token.rs)", () => {
  it("test_token_invalid_identity_provider, JSON: serde's text with its position", async () => {
    const answer = await post(emulator, paths.token, { identity_provider: "invalid", target: "dontcare" })
    expect(answer).toMatchObject({ status: 400, body: {
      error: "invalid_request",
      error_description: "Failed to deserialize the JSON body into the target type: identity_provider: unknown variant `invalid`, expected one of `azuread`, `entra_id`, `tokenx`, `maskinporten`, `idporten` at line 1 column 30"
    } })
  })

  it("test_token_invalid_identity_provider, form", async () => {
    const answer = await post(emulator, paths.token, { target: "dontcare", identity_provider: "invalid" }, "form")
    expect(answer.body).toEqual({
      error: "invalid_request",
      error_description: "Failed to deserialize form body: identity_provider: unknown variant `invalid`, expected one of `azuread`, `entra_id`, `tokenx`, `maskinporten`, `idporten`"
    })
  })

  it("test_token_invalid_content_type: text/plain", async () => {
    const answer = await postRaw(emulator, paths.token, "text/plain", "some plain text")
    expect(answer).toMatchObject({ status: 400, contentType: "application/json", body: {
      error: "invalid_request",
      error_description: "unsupported media type: text/plain: expected one of `application/json`, `application/x-www-form-urlencoded`"
    } })
  })

  it("no content type at all", async () => {
    const answer = await postRaw(emulator, paths.token, undefined, "{}")
    expect(answer.body["error_description"]).toBe("unsupported media type: : expected one of `application/json`, `application/x-www-form-urlencoded`")
  })

  it("charset parameters are fine for both media types (prefix match)", async () => {
    const json = await postRaw(emulator, paths.token, "application/json; charset=utf-8", JSON.stringify({ identity_provider: "maskinporten", target: "scope" }))
    const form = await postRaw(emulator, paths.token, "application/x-www-form-urlencoded; charset=UTF-8", "identity_provider=maskinporten&target=scope")
    expect([json.status, form.status]).toEqual([200, 200])
  })

  it("test_token_unsupported_identity_provider: idporten and tokenx do not issue machine tokens", async () => {
    for (const provider of ["idporten", "tokenx"]) {
      expect(await post(emulator, paths.token, { identity_provider: provider, target: "some_target" })).toMatchObject({
        status: 400,
        body: { error: "invalid_request", error_description: `identity provider '${provider}' does not support token requests` }
      })
    }
  })

  const fieldCases: ReadonlyArray<readonly [string, string, string]> = [
    ["missing target", `{"identity_provider":"maskinporten"}`, "missing field `target` at line 1 column 36"],
    ["missing identity_provider", `{"target":"scope"}`, "missing field `identity_provider` at line 1 column 18"],
    ["null target", `{"identity_provider":"maskinporten","target":null}`, "target: invalid type: null, expected a string at line 1 column 49"],
    ["a number target", `{"identity_provider":"maskinporten","target":5}`, "target: invalid type: integer `5`, expected a string at line 1 column 46"],
    ["skip_cache as a string", `{"identity_provider":"maskinporten","target":"s","skip_cache":"yes"}`, "skip_cache: invalid type: string \"yes\", expected a boolean at line 1 column 67"],
    ["a duplicate field (serde refuses it)", `{"identity_provider":"maskinporten","target":"a","target":"b"}`, "duplicate field `target` at line 1 column 57"],
    // serde's sequence form of a struct: too short is an invalid length, reported at the closing bracket.
    ["an empty array body", `[]`, "invalid length 0, expected struct TokenRequest with 5 elements at line 1 column 2"],
    ["an array body one field long", `["scope"]`, "invalid length 1, expected struct TokenRequest with 5 elements at line 1 column 9"],
    ["an array body with a wrong element", `["s","nope",null,null,null]`, "[1]: unknown variant `nope`, expected one of `azuread`, `entra_id`, `tokenx`, `maskinporten`, `idporten` at line 1 column 11"],
    ["a string body", `"scope"`, "invalid type: string \"scope\", expected struct TokenRequest"]
  ]
  for (const [name, body, description] of fieldCases) {
    it(`JSON with ${name}: 400 invalid_request`, async () => {
      const answer = await postRaw(emulator, paths.token, "application/json", body)
      expect(answer.status).toBe(400)
      expect(answer.body).toEqual({ error: "invalid_request", error_description: `Failed to deserialize the JSON body into the target type: ${description}` })
    })
  }

  it("a struct as a JSON array is a token request: serde's sequence form, the fields in declaration order (src/oauth/identity_provider.rs TokenRequest)", async () => {
    const answer = await postRaw(emulator, paths.token, "application/json", `["scope","maskinporten",null,null,null]`)
    expect(answer.status).toBe(200)
    expect(answer.body["token_type"]).toBe("Bearer")
    const detailed = await postRaw(emulator, paths.token, "application/json", `["scope","maskinporten","https://api.example",[{"type":"urn:altinn:systemuser"}],true]`)
    expect(detailed.status).toBe(200)
    const longer = await postRaw(emulator, paths.token, "application/json", `["scope","maskinporten",null,null,null,1]`)
    expect(longer.body).toEqual({ error: "invalid_request", error_description: "Failed to parse the request body as JSON: trailing characters at line 1 column 40" })
    const introspection = await postRaw(emulator, paths.introspect, "application/json", `["not.a.token","tokenx"]`)
    expect(introspection).toMatchObject({ status: 200, body: { active: false } })
  })

  it("unknown fields and null optional fields are ignored (serde's defaults)", async () => {
    await happyToken(emulator, { identity_provider: "maskinporten", target: "scope", color: "blue", resource: null, skip_cache: null })
    await happyToken(emulator, { identity_provider: "maskinporten", target: "scope", color: "blue" }, "form")
  })

  it("a form with skip_cache other than true/false, and a duplicated field: 400", async () => {
    const bad = await postRaw(emulator, paths.token, "application/x-www-form-urlencoded", "identity_provider=maskinporten&target=s&skip_cache=1")
    expect(bad.body["error_description"]).toBe("Failed to deserialize form body: skip_cache: provided string was not `true` or `false`")
    const twice = await postRaw(emulator, paths.token, "application/x-www-form-urlencoded", "identity_provider=maskinporten&target=a&target=b")
    expect(twice.body["error_description"]).toBe("Failed to deserialize form body: duplicate field `target`")
  })
})

describe("routes and media types (src/http/router.rs, src/handler.rs JsonOrForm)", () => {
  it("a wrong method is 405 with Allow: POST and an empty body; an unknown path 404, empty (axum's router)", async () => {
    for (const path of Object.values(paths)) {
      const answer = await fetch(`${emulator.url}${path}`)
      expect(answer.status).toBe(405)
      expect(answer.headers.get("allow")).toBe("POST")
      expect(await answer.text()).toBe("")
    }
    const missing = await fetch(`${emulator.url}/api/v1/tokens`, { method: "POST" })
    expect(missing.status).toBe(404)
    expect(await missing.text()).toBe("")
  })

  it("media types by prefix, as JsonOrForm matches them, then as axum's Json and Form check them", async () => {
    const json = JSON.stringify({ identity_provider: "maskinporten", target: "scope" })
    expect((await postRaw(emulator, paths.token, "application/json-patch+json", json)).status).toBe(200)
    expect((await postRaw(emulator, paths.token, "application/x-www-form-urlencodedx", "identity_provider=maskinporten&target=scope")).status).toBe(200)
    expect((await postRaw(emulator, paths.token, "application/jsonx", json)).body).toEqual({
      error: "invalid_request",
      error_description: "Expected request with `Content-Type: application/json`"
    })
    expect((await postRaw(emulator, paths.token, "Application/JSON", json)).body).toEqual({
      error: "invalid_request",
      error_description: "unsupported media type: Application/JSON: expected one of `application/json`, `application/x-www-form-urlencoded`"
    })
  })

  it("the azuread alias at every endpoint (IdentityProvider: alias = \"azuread\")", async () => {
    const user = await emulator.issueUserToken({ provider: "entra_id" })
    const exchanged = await post(emulator, paths.exchange, { identity_provider: "azuread", target: "api://a.b.c/.default", user_token: user })
    expect(exchanged.status).toBe(200)
    expect((await post(emulator, paths.introspect, { identity_provider: "azuread", token: user })).body).toMatchObject({ active: true })
    expect((await post(emulator, paths.token, { identity_provider: "azuread", target: "api://a.b.c/.default" })).status).toBe(200)
  })

  it("an Entra ID target as the platform names it, <cluster>:<namespace>:<app> (nais/doc consume-m2m.md; the sidecar forwards it unchanged)", async () => {
    const named = await happyToken(emulator, { identity_provider: "entra_id", target: "dev-gcp:team:accounts" })
    expect(Jose.decodeJwt(named.accessToken)["aud"]).toBe("api://dev-gcp.team.accounts")
    const granted = await startTexasEmulator({ grantedScopes: ["api://dev-gcp.team.accounts/.default"] })
    try {
      expect((await post(granted, paths.token, { identity_provider: "entra_id", target: "dev-gcp:team:accounts" })).status).toBe(200)
      expect((await post(granted, paths.token, { identity_provider: "entra_id", target: "dev-gcp:team:ledger" })).body).toMatchObject({ error: "invalid_grant" })
    } finally {
      await granted.close()
    }
  })
})

describe("the sidecar cache (src/cache.rs)", () => {
  it("azuread is entra_id, sharing its cache entry", async () => {
    const entra = await happyToken(emulator, { identity_provider: "entra_id", target: "api://a.b.c/.default" })
    const alias = await happyToken(emulator, { identity_provider: "azuread", target: "api://a.b.c/.default" })
    expect(alias.accessToken).toBe(entra.accessToken)
  })

  it("an hour-long token is dropped 120 s before it expires; expires_in counts down", async () => {
    const first = await happyToken(emulator, { identity_provider: "maskinporten", target: "scope" })
    emulator.advance("3470 seconds")
    const cached = await happyToken(emulator, { identity_provider: "maskinporten", target: "scope" })
    expect(cached.accessToken).toBe(first.accessToken)
    expect(cached.expiresIn).toBeLessThanOrEqual(130)
    emulator.advance("11 seconds")
    expect((await happyToken(emulator, { identity_provider: "maskinporten", target: "scope" })).accessToken).not.toBe(first.accessToken)
  })

  it("a token of 100 s is dropped at half its lifetime", async () => {
    const short = await startTexasEmulator({ tokenLifetime: "100 seconds" })
    try {
      const first = await happyToken(short, { identity_provider: "maskinporten", target: "scope" })
      short.advance("49 seconds")
      expect((await happyToken(short, { identity_provider: "maskinporten", target: "scope" })).accessToken).toBe(first.accessToken)
      short.advance("2 seconds")
      expect((await happyToken(short, { identity_provider: "maskinporten", target: "scope" })).accessToken).not.toBe(first.accessToken)
    } finally {
      await short.close()
    }
  })

  it("concurrent requests for one key are coalesced (token_exchange_concurrent_requests_are_coalesced)", async () => {
    const slow = await startTexasEmulator({ upstreamLatency: "50 millis" })
    try {
      const answers = await Promise.all(Array.from({ length: 10 }, () => happyToken(slow, { identity_provider: "maskinporten", target: "scope" })))
      expect(new Set(answers.map((a) => a.accessToken)).size).toBe(1)
      expect(slow.stats().tokensIssued).toBe(1)
    } finally {
      await slow.close()
    }
  })
})
