/// <reference types="vitest/globals" />
/**
 * `TokenService` as an application sees it, on each line: what goes on the
 * wire (nais/texas `src/handler.rs`: JSON or form, the protocol's field
 * names; `tests/integration/token.rs` sends a `resource` that is no URL), the
 * cache and its keys, renewals, retries of transient failures with
 * `Retry-After`, and every typed error. (Expiry on the clock stays with each
 * line's own tests, which drive `TestClock`.)
 */
import { Fault, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import * as Jose from "jose"
import type * as D from "./Driver.js"
import { driver, failure, servicesFor, sidecarRequests, success } from "./setup.js"

let emulator: TexasEmulatorHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({
    grantedScopes: ["skatt:some.scope", "nav:other/scope", "skatt:a", "skatt:b", "skatt:c", "skatt:d", "api://dev-gcp.team.app/.default"]
  })
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

const skatt: D.TokenRequestView = { identityProvider: "maskinporten", target: "skatt:some.scope" }
const claimsOf = (token: D.TokenView) => Jose.decodeJwt(token.token)
const tokenRequests = () => emulator.requests().filter((request) => request.path === "/api/v1/token")

/** Runs `body` with the line's services, closing them after. */
const withServices = async (options: Omit<D.ServicesOptions, "texasUrl">, body: (services: D.Services) => Promise<void>) => {
  const services = await servicesFor(emulator, options)
  try {
    await body(services)
  } finally {
    await services.close()
  }
}
const token = async (services: D.Services, request: D.TokenRequestView) => success(await services.token(request).run())

describe(`what a token request sends (${driver.line})`, () => {
  it("JSON by default, with exactly the protocol's fields", () =>
    withServices({}, async (services) => {
      const issued = await token(services, skatt)
      expect(issued.tokenType).toBe("Bearer")
      expect(claimsOf(issued).scope).toBe("skatt:some.scope")
      const [sent] = tokenRequests()
      expect(sent?.contentType).toBe("application/json")
      expect(sent?.body).toEqual({ identity_provider: "maskinporten", target: "skatt:some.scope" })
    }))

  it("a form when asked, with authorization_details as a JSON string", () =>
    withServices({ encoding: "form" }, async (services) => {
      const details = [{ type: "urn:altinn:systemuser", systemuser_org: { authority: "iso6523-actorid-upis", ID: "0192:313367002" } }]
      const issued = await token(services, { ...skatt, resource: "https://api.example.com/", authorizationDetails: details })
      const [sent] = tokenRequests()
      expect(sent?.contentType).toBe("application/x-www-form-urlencoded")
      expect(sent?.body).toEqual({
        identity_provider: "maskinporten",
        target: "skatt:some.scope",
        resource: "https://api.example.com/",
        authorization_details: JSON.stringify(details)
      })
      expect(claimsOf(issued)).toMatchObject({ aud: "https://api.example.com/", authorization_details: details })
    }))

  it("an Entra ID target as the platform names it, <cluster>:<namespace>:<app>, sent as it is (nais/doc consume-m2m.md; the sidecar forwards it)", () =>
    withServices({}, async (services) => {
      // Granted as api://dev-gcp.team.app/.default: the emulator resolves the platform's name to it.
      const issued = await token(services, { identityProvider: "entra_id", target: "dev-gcp:team:app" })
      expect(tokenRequests().map((request) => request.body)).toEqual([{ identity_provider: "entra_id", target: "dev-gcp:team:app" }])
      expect(claimsOf(issued).aud).toBe("api://dev-gcp.team.app")
    }))

  it("a list of scopes as one space-separated target, sharing its cache entry with the string form", () =>
    withServices({}, async (services) => {
      const fromList = await token(services, { identityProvider: "maskinporten", target: ["skatt:some.scope", "nav:other/scope"] })
      const fromString = await token(services, { identityProvider: "maskinporten", target: " skatt:some.scope \n nav:other/scope" })
      expect(tokenRequests().map((request) => request.body?.["target"])).toEqual(["skatt:some.scope nav:other/scope"])
      expect(fromString.token).toBe(fromList.token)
    }))

  it("resource and authorization_details in JSON as they are; a resource that is not a URL too (the sidecar forwards any string)", () =>
    withServices({}, async (services) => {
      const details = [{ type: "urn:altinn:systemuser", systemuser_id: ["33a0911a"] }]
      await token(services, { ...skatt, resource: "https://api.example.com/v1", authorizationDetails: details })
      expect(tokenRequests()[0]?.body).toEqual({
        identity_provider: "maskinporten",
        target: "skatt:some.scope",
        resource: "https://api.example.com/v1",
        authorization_details: details
      })
      const loose = await token(services, { ...skatt, resource: "some_resource" })
      expect(claimsOf(loose)).toMatchObject({ aud: "some_resource", resource: "some_resource" })
    }))

  // RFC 6749 §5.1: token_type is case-insensitive.
  it("takes token_type in any case and hands out \"Bearer\"", () =>
    withServices({}, async (services) => {
      emulator.inject(Fault.respond(200, { access_token: "a.b.c", expires_in: 60, token_type: "bearer" }))
      expect((await token(services, skatt)).tokenType).toBe("Bearer")
      emulator.inject(Fault.respond(200, { access_token: "d.e.f", expires_in: 60, token_type: "BEARER" }))
      expect((await token(services, { ...skatt, skipCache: true })).tokenType).toBe("Bearer")
    }))

  it("entra_id and its alias azuread go out unchanged and share one cache entry", () =>
    withServices({}, async (services) => {
      const entra = await token(services, { identityProvider: "entra_id", target: "api://dev-gcp.team.app/.default" })
      const alias = await token(services, { identityProvider: "azuread", target: "api://dev-gcp.team.app/.default" })
      expect(alias.token).toBe(entra.token)
      expect(claimsOf(entra).aud).toBe("api://dev-gcp.team.app")
      expect(tokenRequests().map((request) => request.body?.["identity_provider"])).toEqual(["entra_id"])
    }))
})

describe(`the token cache (${driver.line})`, () => {
  it("answers a repeated request from memory; a request object changed between calls gets what it says now", () =>
    withServices({}, async (services) => {
      const frozen = Object.freeze({ identityProvider: "maskinporten", target: "skatt:some.scope" })
      const first = await token(services, frozen)
      for (let i = 0; i < 5; i++) expect((await token(services, frozen)).token).toBe(first.token)
      const changing = { identityProvider: "maskinporten", target: "skatt:a" }
      const a = await token(services, changing)
      changing.target = "skatt:b"
      const b = await token(services, changing)
      expect([claimsOf(a).scope, claimsOf(b).scope]).toEqual(["skatt:a", "skatt:b"])
      expect(tokenRequests()).toHaveLength(3)
    }))

  it("skipCache bypasses the cache, forwards skip_cache, and replaces the cached token", () =>
    withServices({}, async (services) => {
      const first = await token(services, skatt)
      const forced = await token(services, { ...skatt, skipCache: true })
      const after = await token(services, skatt)
      expect(forced.token).not.toBe(first.token)
      expect(after.token).toBe(forced.token)
      expect(tokenRequests().map((request) => request.body?.["skip_cache"])).toEqual([undefined, true])
    }))

  it("1,000 concurrent cold calls for one key make exactly one request", () =>
    withServices({}, async (services) => {
      const tokens = await Promise.all(Array.from({ length: 1000 }, () => token(services, skatt)))
      expect(new Set(tokens.map((issued) => issued.token)).size).toBe(1)
      expect(tokenRequests()).toHaveLength(1)
    }))

  it("keeps distinct keys apart, also when fetched concurrently; details with keys in another order are one entry", () =>
    withServices({}, async (services) => {
      const requests: ReadonlyArray<D.TokenRequestView> = [
        skatt,
        { identityProvider: "maskinporten", target: "nav:other/scope" },
        { ...skatt, resource: "https://a.example/" },
        { ...skatt, resource: "https://b.example/" },
        { ...skatt, authorizationDetails: [{ type: "x", org: { ID: "1", authority: "a" } }] },
        { ...skatt, authorizationDetails: [{ type: "y" }] }
      ]
      const tokens = await Promise.all(requests.map((request) => token(services, request)))
      expect(new Set(tokens.map((issued) => issued.token)).size).toBe(requests.length)
      expect(claimsOf(tokens[3]!).aud).toBe("https://b.example/")
      const again = await Promise.all(requests.map((request) => token(services, request)))
      expect(again.map((issued) => issued.token)).toEqual(tokens.map((issued) => issued.token))
      const reordered = await token(services, { ...skatt, authorizationDetails: [{ org: { authority: "a", ID: "1" }, type: "x" }] })
      expect(reordered.token).toBe(tokens[4]!.token)
      expect(tokenRequests()).toHaveLength(requests.length)
    }))

  it("does not cache failures", () =>
    withServices({}, async (services) => {
      emulator.revoke("skatt:some.scope")
      expect(failure(await services.token(skatt).run())._tag).toBe("TokenEndpointError")
      emulator.grant("skatt:some.scope")
      expect(claimsOf(await token(services, skatt)).scope).toBe("skatt:some.scope")
      expect(tokenRequests()).toHaveLength(2)
    }))

  it("is bounded: past maxEntries the least recently used entry goes", () =>
    withServices({ maxEntries: 3 }, async (services) => {
      for (const scope of ["skatt:a", "skatt:b", "skatt:c", "skatt:d"]) await token(services, { identityProvider: "maskinporten", target: scope })
      await token(services, { identityProvider: "maskinporten", target: "skatt:d" })
      expect(tokenRequests()).toHaveLength(4)
      await token(services, { identityProvider: "maskinporten", target: "skatt:a" })
      expect(tokenRequests()).toHaveLength(5)
    }))

  it("invalidate drops the cached token: the next call asks the sidecar again (which may answer from its own cache)", () =>
    withServices({}, async (services) => {
      await token(services, skatt)
      await token(services, skatt)
      success(await services.invalidate(skatt).run())
      await token(services, skatt)
      expect(tokenRequests().map((request) => request.body?.["skip_cache"])).toEqual([undefined, undefined])
    }))

  it("renew: one skip_cache request for 100 callers holding the rejected token; a late one gets the new token", () =>
    withServices({}, async (services) => {
      const rejected = await token(services, skatt)
      const renewed = await Promise.all(Array.from({ length: 100 }, async () => success(await services.renew(skatt, rejected).run())))
      expect(new Set(renewed.map((issued) => issued.token)).size).toBe(1)
      expect(renewed[0]!.token).not.toBe(rejected.token)
      expect(success(await services.renew(skatt, rejected).run()).token).toBe(renewed[0]!.token)
      expect(sidecarRequests(emulator, "/api/v1/token")).toEqual({ all: 2, forced: 1 })
    }))
})

describe(`typed errors (${driver.line})`, () => {
  const invalid: ReadonlyArray<readonly [string, D.TokenRequestView, string]> = [
    ["an empty target", { identityProvider: "maskinporten", target: "" }, "target"],
    ["a whitespace-only target", { identityProvider: "maskinporten", target: " \t\n" }, "target"],
    ["an empty list of scopes", { identityProvider: "maskinporten", target: [] }, "target"],
    ["a duplicated scope", { identityProvider: "maskinporten", target: ["skatt:a", "skatt:a"] }, "target"],
    ["a control character", { identityProvider: "maskinporten", target: "skatt:a\u0000" }, "target"],
    ["a 100 KB target", { identityProvider: "maskinporten", target: "s".repeat(100_000) }, "target"],
    ["an empty resource", { ...skatt, resource: "" }, "resource"],
    ["a resource with a line break", { ...skatt, resource: "some\nresource" }, "resource"],
    ["authorization details that are not a list", { ...skatt, authorizationDetails: { type: "x" } as never }, "authorizationDetails"],
    ["an identity provider that cannot issue machine tokens", { identityProvider: "tokenx", target: "x" }, "identityProvider"]
  ]
  for (const [name, request, field] of invalid) {
    it(`InvalidTokenRequest for ${name}, with nothing sent`, () =>
      withServices({}, async (services) => {
        const error = failure(await services.token(request).run())
        expect(error._tag).toBe("InvalidTokenRequest")
        expect(error.fields["field"]).toBe(field)
        expect(error.message).toContain(field)
        expect(emulator.requests()).toHaveLength(0)
      }))
  }

  it("TokenEndpointError for invalid_scope: not retried, with the propagation hint", () =>
    withServices({}, async (services) => {
      const error = failure(await services.token({ identityProvider: "maskinporten", target: "skatt:not.granted" }).run())
      expect(error).toMatchObject({ _tag: "TokenEndpointError", fields: { status: 400, error: "invalid_scope", target: "skatt:not.granted" } })
      expect(error.message).toContain("15 minutes")
      expect(error.message).toContain("spec.maskinporten.scopes.consumes")
      expect(tokenRequests()).toHaveLength(1)
    }))

  it("TokenEndpointError keeps codes the identity provider made up", () =>
    withServices({}, async (services) => {
      emulator.inject(Fault.respond(400, { error: "invalid_altinn_thing", error_description: "system user unknown" }))
      const error = failure(await services.token(skatt).run())
      expect(error.fields).toMatchObject({ status: 400, error: "invalid_altinn_thing", errorDescription: "system user unknown" })
    }))

  it("retries 503 and then succeeds; gives up after the retries with the last error", () =>
    withServices({}, async (services) => {
      emulator.inject(Fault.status(503), 2)
      expect(claimsOf(await token(services, skatt)).scope).toBe("skatt:some.scope")
      expect(tokenRequests().map((request) => request.answer)).toEqual([503, 503, 200])
      emulator.reset()
      emulator.inject(Fault.status(500), 10)
      const error = failure(await services.token({ ...skatt, skipCache: true }).run())
      expect(error).toMatchObject({ _tag: "TokenEndpointError", fields: { status: 500, error: "server_error" } })
      expect(tokenRequests()).toHaveLength(4)
    }))

  it("retries 429 no sooner than its Retry-After", () =>
    withServices({}, async (services) => {
      emulator.inject(Fault.status(429, { retryAfter: 1 }))
      const started = Date.now()
      await token(services, skatt)
      expect(Date.now() - started).toBeGreaterThanOrEqual(950)
      expect(tokenRequests().map((request) => request.answer)).toEqual([429, 200])
    }))

  it("TokenEndpointUnreachable with reason Refused when nothing listens, after retrying for what the budget leaves", async () => {
    const gone = await startTexasEmulator()
    await gone.close()
    // One attempt may take 1 s, the call 1.6 s: refused connections are retried for the 0.6 s between.
    const services = await servicesFor(gone, { attemptTimeout: "1 second", timeout: "1600 millis" })
    try {
      const started = Date.now()
      const error = failure(await services.token(skatt).run())
      expect(error).toMatchObject({ _tag: "TokenEndpointUnreachable", fields: { reason: "Refused", endpoint: gone.tokenEndpoint } })
      expect(Date.now() - started).toBeGreaterThanOrEqual(550)
      expect(Date.now() - started).toBeLessThan(1600)
    } finally {
      await services.close()
    }
  })

  it("TokenEndpointUnreachable on a dropped connection and a cut-off body, recovering by retrying", () =>
    withServices({}, async (services) => {
      emulator.inject(Fault.drop)
      emulator.inject(Fault.truncated)
      expect(claimsOf(await token(services, skatt)).scope).toBe("skatt:some.scope")
      expect(tokenRequests().map((request) => request.answer)).toEqual(["dropped", "truncated", 200])
      emulator.inject(Fault.drop, 4)
      expect(failure(await services.token({ ...skatt, skipCache: true }).run()).fields).toMatchObject({ reason: "Transport" })
    }))

  it("TokenEndpointUnreachable with reason Timeout when every attempt is too slow", () =>
    withServices({ attemptTimeout: "100 millis" }, async (services) => {
      emulator.inject(Fault.delay("2 seconds"), 4)
      const error = failure(await services.token(skatt).run())
      expect(error).toMatchObject({ _tag: "TokenEndpointUnreachable", fields: { reason: "Timeout" } })
    }))

  const badAnswers: ReadonlyArray<readonly [string, Fault.Fault, string]> = [
    ["a body that is not JSON", Fault.nonJson, "not JSON"],
    ["token_type mac", Fault.respond(200, { access_token: "secret.mac.token", expires_in: 60, token_type: "mac" }), "token_type"],
    ["a negative expires_in", Fault.respond(200, { access_token: "secret.neg.token", expires_in: -5, token_type: "Bearer" }), "expires_in"],
    ["expires_in 0", Fault.respond(200, { access_token: "secret.zero.token", expires_in: 0, token_type: "Bearer" }), "already expired"],
    ["a missing access_token", Fault.respond(200, { expires_in: 60, token_type: "Bearer" }), "access_token"],
    ["an empty access_token", Fault.respond(200, { access_token: "", expires_in: 60, token_type: "Bearer" }), "access_token"],
    ["a fractional expires_in", Fault.respond(200, { access_token: "secret.frac.token", expires_in: 1.5, token_type: "Bearer" }), "expires_in"],
    ["a JSON array", Fault.respond(200, []), "JSON an array, not an object"]
  ]
  for (const [name, fault, mentions] of badAnswers) {
    it(`InvalidTokenResponse for ${name}: never quoting the token, not retried`, () =>
      withServices({}, async (services) => {
        emulator.inject(fault)
        const error = failure(await services.token(skatt).run())
        expect(error._tag).toBe("InvalidTokenResponse")
        expect(error.message).toContain(mentions)
        for (const printed of error.printed) expect(printed).not.toMatch(/secret\.\w+\.token/)
        expect(tokenRequests()).toHaveLength(1)
      }))
  }
})
