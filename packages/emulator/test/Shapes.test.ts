/**
 * The tokens the emulator signs, claim by claim, as each identity provider shapes them (the claims
 * the platform's docs name for Maskinporten, ID-porten, TokenX and Entra ID; a user's test reads
 * them through introspection), and the identity providers' refusals the sidecar passes on
 * (nais/texas `src/oauth/token.rs` relays the provider's error body), over loopback HTTP.
 */
import { startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import * as Jose from "jose"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"

let emulator: TexasEmulatorHandle
beforeAll(async () => {
  emulator = await startTexasEmulator({ organisationNumber: "974761076", entraIdApplications: ["api://dev-gcp.team.api"] })
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

const post = async (path: string, body: unknown) => {
  const response = await fetch(`${emulator.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}
const claimsOf = (answer: { readonly body: Record<string, unknown> }) => Jose.decodeJwt(String(answer.body["access_token"]))
/** The claims without those that differ per token. */
const stable = (claims: Record<string, unknown>) => {
  const { exp: _exp, iat: _iat, jti: _jti, nbf: _nbf, ...rest } = claims
  return rest
}

describe("machine tokens", () => {
  it("Maskinporten: scope, the organisation as consumer, the client, and the resource and details as asked", async () => {
    const plain = claimsOf(await post("/api/v1/token", { identity_provider: "maskinporten", target: "nav:a  nav:b" }))
    expect(stable(plain)).toEqual({
      iss: emulator.issuer("maskinporten"),
      aud: "unspecified",
      scope: "nav:a nav:b",
      client_id: "dev-gcp:team:app",
      client_amr: "private_key_jwt",
      token_type: "Bearer",
      consumer: { authority: "iso6523-actorid-upis", ID: "0192:974761076" }
    })
    const details = [{ type: "urn:altinn:systemuser", systemuser_org: { authority: "iso6523-actorid-upis", ID: "0192:889640782" } }]
    const rich = claimsOf(await post("/api/v1/token", { identity_provider: "maskinporten", target: "nav:a", resource: "https://api.example", authorization_details: details }))
    expect(rich).toMatchObject({ aud: "https://api.example", resource: "https://api.example", authorization_details: details })
  })

  it("Entra ID: the application's token for the resource, by ID URI or by platform name", async () => {
    const byUri = claimsOf(await post("/api/v1/token", { identity_provider: "entra_id", target: "api://dev-gcp.team.api/.default" }))
    expect(stable(byUri)).toEqual({
      iss: emulator.issuer("entra_id"),
      aud: "api://dev-gcp.team.api",
      azp: "dev-gcp:team:app",
      sub: "dev-gcp:team:app",
      oid: "dev-gcp:team:app",
      tid: "emulator-tenant",
      idtyp: "app",
      roles: ["access_as_application"],
      azp_name: "dev-gcp:team:app",
      ver: "2.0"
    })
    const byName = claimsOf(await post("/api/v1/token", { identity_provider: "entra_id", target: " dev-gcp:team:api " }))
    expect(byName["aud"]).toBe("api://dev-gcp.team.api")
  })

  it("Entra ID refuses as Entra ID does: several scopes, no /.default, an empty resource, an unknown application, no grant", async () => {
    const refusal = async (target: string) => {
      const answer = await post("/api/v1/token", { identity_provider: "entra_id", target })
      return `${answer.status} ${String(answer.body["error"])}: ${String(answer.body["error_description"])}`
    }
    expect(await refusal("api://a/.default api://b/.default")).toBe(
      "400 invalid_scope: AADSTS70011: The provided value for scope api://a/.default api://b/.default is not valid. Client credential flows must name exactly one resource with the /.default suffix."
    )
    expect(await refusal("api://dev-gcp.team.api")).toBe(
      "400 invalid_scope: AADSTS1002012: The provided value for scope api://dev-gcp.team.api is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
    )
    expect(await refusal("/.default")).toBe("400 invalid_scope: AADSTS500011: The resource principal named in scope /.default is empty: name a resource before /.default.")
    expect(await refusal("api://dev-gcp.team.other/.default")).toBe(
      "400 invalid_resource: AADSTS500011: The resource principal named api://dev-gcp.team.other was not found in the tenant named emulator-tenant."
    )
    emulator.revoke("api://dev-gcp.team.api/.default")
    expect(await refusal("api://dev-gcp.team.api/.default")).toBe(
      "400 invalid_grant: AADSTS501051: Application 'dev-gcp:team:app' (dev-gcp:team:app) is not assigned to a role for the application 'api://dev-gcp.team.api'."
    )
    // Granted under the target's own name, as under its ID URI.
    emulator.grant("dev-gcp:team:api")
    expect((await post("/api/v1/token", { identity_provider: "entra_id", target: "dev-gcp:team:api" })).status).toBe(200)
  })

  it("Maskinporten refuses a scope not granted to the organisation, naming it", async () => {
    emulator.grant("nav:a")
    const answer = await post("/api/v1/token", { identity_provider: "maskinporten", target: "nav:a nav:b nav:c" })
    expect(answer).toEqual({ status: 400, body: { error: "invalid_scope", error_description: "Consumer 974761076 has not been granted access to the scope(s): nav:b, nav:c" } })
  })
})

describe("users' tokens, as a login shapes them", () => {
  it("ID-porten, TokenX, Maskinporten and Entra ID with their defaults", async () => {
    const claims = async (provider: "idporten" | "tokenx" | "maskinporten" | "entra_id") => stable(Jose.decodeJwt(await emulator.issueUserToken({ provider, subject: "u" })))
    const base = (provider: "idporten" | "tokenx" | "maskinporten" | "entra_id") => ({ iss: emulator.issuer(provider), aud: "dev-gcp:team:app", sub: "u" })
    expect(await claims("idporten")).toEqual({ ...base("idporten"), pid: "12345678910", acr: "idporten-loa-high", amr: ["BankID"], locale: "nb", client_id: "emulator-frontend" })
    expect(await claims("tokenx")).toEqual({ ...base("tokenx"), pid: "12345678910", idp: emulator.issuer("idporten"), acr: "idporten-loa-high", client_id: "dev-gcp:team:frontend" })
    expect(await claims("maskinporten")).toEqual({
      ...base("maskinporten"),
      scope: "nav:example/read",
      client_id: "emulator-client",
      client_amr: "private_key_jwt",
      token_type: "Bearer",
      consumer: { authority: "iso6523-actorid-upis", ID: "0192:974761076" }
    })
    expect(await claims("entra_id")).toEqual({
      ...base("entra_id"),
      oid: "u",
      azp: "emulator-frontend",
      azp_name: "dev-gcp:team:frontend",
      ver: "2.0",
      NAVident: "Z123456",
      name: "Emulated Employee",
      preferred_username: "emulated.employee@nav.no",
      groups: []
    })
  })

  it("with the options given: level, client, scope, consumer, groups and roles; roles alone make an application's token", async () => {
    const claims = async (options: Parameters<TexasEmulatorHandle["issueUserToken"]>[0]) => Jose.decodeJwt(await emulator.issueUserToken(options))
    expect(await claims({ provider: "idporten", acr: "idporten-loa-substantial", clientId: "c" })).toMatchObject({ acr: "idporten-loa-substantial", client_id: "c" })
    expect(await claims({ provider: "tokenx", acr: "idporten-loa-substantial", clientId: "c" })).toMatchObject({ acr: "idporten-loa-substantial", client_id: "c" })
    expect(await claims({ provider: "maskinporten", scope: "nav:x", consumer: "889640782", clientId: "c" })).toMatchObject({ scope: "nav:x", client_id: "c", consumer: { ID: "0192:889640782" } })
    expect(await claims({ provider: "entra_id", groups: ["g"], roles: ["r"], clientId: "c" })).toMatchObject({ groups: ["g"], roles: ["r"], azp_name: "c", NAVident: "Z123456" })
    const app = await claims({ provider: "entra_id", roles: ["r"] })
    expect(app).toMatchObject({ idtyp: "app", roles: ["r"] })
    expect(app["NAVident"]).toBeUndefined()
    expect(app["groups"]).toBeUndefined()
    const employee = await claims({ provider: "entra_id", groups: ["g"] })
    expect(employee["roles"]).toBeUndefined()
    expect(employee["idtyp"]).toBeUndefined()
  })
})

describe("exchanged tokens", () => {
  it("TokenX: the user's subject, pid and level, the issuer they logged in at as idp, the target as audience", async () => {
    const user = await emulator.issueUserToken({ provider: "idporten", subject: "u", acr: "idporten-loa-substantial" })
    const exchanged = claimsOf(await post("/api/v1/token/exchange", { identity_provider: "tokenx", target: "dev-gcp:team:api", user_token: user }))
    expect(stable(exchanged)).toEqual({
      iss: emulator.issuer("tokenx"),
      aud: "dev-gcp:team:api",
      sub: "u",
      client_id: "dev-gcp:team:app",
      idp: emulator.issuer("idporten"),
      pid: "12345678910",
      acr: "idporten-loa-substantial"
    })
    const entraUser = await emulator.issueUserToken({ provider: "entra_id", subject: "e", groups: ["g"] })
    const fromEntra = claimsOf(await post("/api/v1/token/exchange", { identity_provider: "tokenx", target: "dev-gcp:team:api", user_token: entraUser }))
    expect(fromEntra).toMatchObject({ sub: "e", idp: emulator.issuer("entra_id") })
    expect(fromEntra["pid"]).toBeUndefined()
    expect(fromEntra["acr"]).toBeUndefined()
  })

  it("Entra ID on-behalf-of: the user's subject, object id, NAVident and groups, for the resource", async () => {
    const user = await emulator.issueUserToken({ provider: "entra_id", subject: "e", groups: ["g1", "g2"] })
    const obo = claimsOf(await post("/api/v1/token/exchange", { identity_provider: "entra_id", target: "api://dev-gcp.team.api/.default", user_token: user }))
    expect(stable(obo)).toEqual({
      iss: emulator.issuer("entra_id"),
      aud: "api://dev-gcp.team.api",
      azp: "dev-gcp:team:app",
      sub: "e",
      oid: "e",
      azp_name: "dev-gcp:team:app",
      NAVident: "Z123456",
      groups: ["g1", "g2"],
      scp: "defaultaccess",
      ver: "2.0"
    })
    const app = await emulator.issueUserToken({ provider: "entra_id", subject: "a", roles: ["r"], claims: { oid: "object-a" } })
    const appObo = claimsOf(await post("/api/v1/token/exchange", { identity_provider: "entra_id", target: "api://dev-gcp.team.api/.default", user_token: app }))
    expect(appObo).toMatchObject({ sub: "a", oid: "object-a" })
    expect(appObo["NAVident"]).toBeUndefined()
    expect(appObo["groups"]).toBeUndefined()
  })

  it("refuses a token the provider would not take: on-behalf-of for another provider's, TokenX for Maskinporten's", async () => {
    const idporten = await emulator.issueUserToken({ provider: "idporten" })
    expect(await post("/api/v1/token/exchange", { identity_provider: "entra_id", target: "api://dev-gcp.team.api/.default", user_token: idporten })).toEqual({
      status: 400,
      body: { error: "invalid_grant", error_description: "AADSTS50013: Assertion failed signature validation or was not issued by Entra ID." }
    })
    const maskinporten = await emulator.issueUserToken({ provider: "maskinporten" })
    expect(await post("/api/v1/token/exchange", { identity_provider: "tokenx", target: "dev-gcp:team:api", user_token: maskinporten })).toEqual({
      status: 400,
      body: { error: "invalid_request", error_description: "invalid subject_token: not issued by an identity provider TokenX trusts" }
    })
  })
})
