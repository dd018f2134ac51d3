/// <reference types="vitest/globals" />
/**
 * Inbound: who may call, not just whether the token is active. Each case runs
 * against both middlewares (`requireUser` on a router, `Authentication` on an
 * `HttpApi`) of the line, served on loopback and introspecting at the
 * emulator. The sidecar checks no audience for Maskinporten tokens
 * (nais/texas `src/handler/token_introspect.rs` validates them without one;
 * `shared/texas-api.md`), so the policy is what keeps other organisations' tokens out.
 */
import { Messages } from "@effect-texas/protocol"
import { startTexasEmulator, type TexasEmulatorHandle, type UserTokenOptions } from "@effect-texas/emulator"
import type * as D from "./Driver.js"
import { driver, failure, servicesFor, success } from "./setup.js"

let emulator: TexasEmulatorHandle
let services: D.Services

beforeAll(async () => {
  emulator = await startTexasEmulator()
  services = await servicesFor(emulator)
})
afterEach(() => emulator.reset())
afterAll(async () => {
  await services.close()
  await emulator.close()
})

const path: Record<D.InboundKind, string> = { requireUser: "/me", Authentication: "/api/me" }

/** Serves `kind` with `options`, calls it with a token made from `token`, and closes it again. */
const ask = async (kind: D.InboundKind, options: Record<string, unknown>, token: UserTokenOptions | undefined) => {
  const server = success(await services.serve(kind, options))
  try {
    const bearer = token === undefined ? undefined : await emulator.issueUserToken(token)
    const response = await fetch(`${server.url}${path[kind]}`, { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } })
    return { status: response.status, challenge: response.headers.get("www-authenticate"), body: await response.text() }
  } finally {
    await server.close()
  }
}

const org = "889640782"
const otherOrg = "974761076"

describe.each(["requireUser", "Authentication"] as const)(`%s (${driver.line})`, (kind) => {
  describe("Maskinporten: an API exposed to other organisations", () => {
    const policy = { identityProvider: "maskinporten", require: { scopes: ["nav:api/read"], consumers: [org] } }

    it("lets in a token for the scope from an allowed consumer", async () => {
      const answer = await ask(kind, policy, { provider: "maskinporten", scope: "nav:api/read", consumer: org })
      expect(answer.status).toBe(200)
    })

    it("refuses a valid token issued for another API's scope: 403 insufficient_scope (the hole this closes)", async () => {
      const answer = await ask(kind, policy, { provider: "maskinporten", scope: "skatt:something", consumer: org })
      expect(answer.status).toBe(403)
      expect(answer.challenge).toMatch(/^Bearer error="insufficient_scope"/)
      expect(answer.challenge).toContain("nav:api/read")
    })

    it("refuses a token whose scope merely starts with the required one: 403 insufficient_scope (scopes match whole)", async () => {
      const answer = await ask(kind, policy, { provider: "maskinporten", scope: "nav:api/readwrite", consumer: org })
      expect(answer.status).toBe(403)
      expect(answer.challenge).toBe('Bearer error="insufficient_scope", scope="nav:api/read"')
    })

    it("refuses a token without a consumer claim, or with an ID not in the 0192 scheme: a plain 403", async () => {
      for (const consumer of [undefined, { authority: "iso6523-actorid-upis", ID: "889640782" }]) {
        const answer = await ask(kind, policy, { provider: "maskinporten", scope: "nav:api/read", claims: { consumer } })
        expect(answer.status, JSON.stringify(consumer)).toBe(403)
        expect(answer.challenge).toBeNull()
      }
    })

    it("refuses another organisation's token for the right scope: a plain 403, no reason in the answer", async () => {
      const answer = await ask(kind, policy, { provider: "maskinporten", scope: "nav:api/read other:scope", consumer: otherOrg })
      expect(answer.status).toBe(403)
      expect(answer.challenge).toBeNull()
      expect(answer.body).not.toContain("consumer")
    })

    it("an inactive or missing token stays 401 with the challenge", async () => {
      expect((await ask(kind, policy, undefined)).status).toBe(401)
      const expired = await ask(kind, policy, { provider: "maskinporten", scope: "nav:api/read", consumer: org, expiresIn: "-5 minutes" })
      expect(expired.status).toBe(401)
      expect(expired.challenge).toMatch(/^Bearer/)
    })

    it("a Maskinporten policy without scopes, or with a consumer that is no organisation number, is a typed InvalidPolicy", async () => {
      for (const bad of [{ identityProvider: "maskinporten" }, { identityProvider: "maskinporten", require: { scopes: ["nav:api/read"], consumers: ["889640781"] } }]) {
        if (kind === "Authentication") {
          const invalid = failure(await services.serve(kind, bad))
          expect(invalid._tag).toBe("InvalidPolicy")
          expect(invalid.message).toBe(Messages.invalidAccessPolicy(invalid.fields as { identityProvider: string; reason: string }))
        } else {
          const answer = await ask(kind, bad, { provider: "maskinporten", scope: "nav:api/read" })
          expect(answer.status).toBe(500)
          expect(JSON.parse(answer.body)).toEqual({ error: "InvalidPolicy" })
        }
      }
    })
  })

  describe("ID-porten and TokenX: level of assurance and calling application", () => {
    it("acr: high satisfies substantial; substantial does not satisfy high", async () => {
      const substantial = { identityProvider: "idporten", require: { acr: "idporten-loa-substantial" } }
      const high = { identityProvider: "idporten", require: { acr: "idporten-loa-high" } }
      expect((await ask(kind, substantial, { provider: "idporten", acr: "idporten-loa-high" })).status).toBe(200)
      expect((await ask(kind, high, { provider: "idporten", acr: "idporten-loa-high" })).status).toBe(200)
      expect((await ask(kind, high, { provider: "idporten", acr: "idporten-loa-substantial" })).status).toBe(403)
    })

    it("TokenX clients: only the named calling applications (client_id)", async () => {
      const policy = { identityProvider: "tokenx", require: { clients: ["dev-gcp:team:frontend"], acr: "idporten-loa-substantial" } }
      expect((await ask(kind, policy, { provider: "tokenx", clientId: "dev-gcp:team:frontend" })).status).toBe(200)
      expect((await ask(kind, policy, { provider: "tokenx", clientId: "dev-gcp:other:app" })).status).toBe(403)
    })
  })

  describe("Entra ID: groups, roles and calling application", () => {
    const group = "3c1b7e2a-0000-4000-8000-000000000001"

    it("groups: a user in one of them is let in, others get 403", async () => {
      const policy = { identityProvider: "entra_id", require: { groups: [group] } }
      expect((await ask(kind, policy, { provider: "entra_id", groups: [group, "other"] })).status).toBe(200)
      expect((await ask(kind, policy, { provider: "entra_id", groups: ["other"] })).status).toBe(403)
    })

    it("groups or roles: a machine caller with the role is let in as a user with the group is", async () => {
      const policy = { identityProvider: "entra_id", require: { groups: [group], roles: ["access_as_application"], clients: ["dev-gcp:team:frontend"] } }
      expect((await ask(kind, policy, { provider: "entra_id", roles: ["access_as_application"] })).status).toBe(200)
      expect((await ask(kind, policy, { provider: "entra_id", roles: ["access_as_application"], clientId: "dev-gcp:team:other" })).status).toBe(403)
    })

    it("an option another provider's tokens have (consumers on Entra ID) is a typed InvalidPolicy, not ignored", async () => {
      const bad = { identityProvider: "entra_id", require: { consumers: [org] } }
      if (kind === "Authentication") expect(failure(await services.serve(kind, bad))._tag).toBe("InvalidPolicy")
      else expect((await ask(kind, bad, { provider: "entra_id" })).status).toBe(500)
    })
  })

  it("check: a predicate over the typed claims for what the options do not cover", async () => {
    const policy = { identityProvider: "idporten", require: { check: (claims: { readonly locale?: string }) => claims.locale === "nb" } }
    expect((await ask(kind, policy, { provider: "idporten" })).status).toBe(200)
    expect((await ask(kind, policy, { provider: "idporten", claims: { locale: "en" } })).status).toBe(403)
  })

  it("check allows only on true: a Promise (an async check), the string \"false\" or an object refuses with 403", async () => {
    expect((await ask(kind, { identityProvider: "idporten", require: { check: () => true } }, { provider: "idporten" })).status).toBe(200)
    for (const result of [Promise.resolve(true), "false", {}, 1]) {
      const answer = await ask(kind, { identityProvider: "idporten", require: { check: () => result } }, { provider: "idporten" })
      expect(answer.status).toBe(403)
    }
  })

  it("scopes follow RFC 6749's scope-token grammar (§3.3): CR/LF, NUL, a quote, a backslash or a space is a typed InvalidPolicy, not a 500 on every refusal", async () => {
    for (const scope of ["nav:api/read\r\nx-injected: 1", "nav:api/read\u0000", 'nav:"api"', "nav:api\\read", "nav:api/read nav:api/write", ""]) {
      const bad = { identityProvider: "maskinporten", require: { scopes: [scope] } }
      if (kind === "Authentication") expect(failure(await services.serve(kind, bad))).toMatchObject({ _tag: "InvalidPolicy" })
      else {
        const answer = await ask(kind, bad, { provider: "maskinporten", scope: "other:scope" })
        expect(answer.status).toBe(500)
        expect(JSON.parse(answer.body)).toEqual({ error: "InvalidPolicy" })
      }
    }
  })

  it("a key the options do not have (requires for require, from untyped configuration) is a typed InvalidPolicy, not an open policy", async () => {
    const misspelt = { identityProvider: "idporten", requires: { acr: "idporten-loa-high" } }
    if (kind === "Authentication") expect(failure(await services.serve(kind, misspelt))).toMatchObject({ _tag: "InvalidPolicy", message: expect.stringContaining("requires") })
    else expect((await ask(kind, misspelt, { provider: "idporten", acr: "idporten-loa-substantial" })).status).toBe(500)
  })

  it("claims from the verdict cache cannot be changed by one request for the next: what a check sees is what the sidecar said", async () => {
    const seen: Array<ReadonlyArray<string>> = []
    const check = (claims: { readonly groups?: Array<string> }) => {
      seen.push([...claims.groups ?? []])
      try {
        claims.groups?.push("admin")
      } catch {
        // Frozen: a change is refused, which is the point.
      }
      return true
    }
    const server = success(await services.serve(kind, { identityProvider: "entra_id", require: { check } }))
    try {
      const token = await emulator.issueUserToken({ provider: "entra_id", groups: ["readers"] })
      for (let call = 0; call < 3; call++) expect((await fetch(`${server.url}${path[kind]}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
      expect(seen).toEqual([["readers"], ["readers"], ["readers"]])
      // One introspection: the second and third came from the cache.
      expect(emulator.requests().filter((request) => request.path === "/api/v1/introspect")).toHaveLength(1)
    } finally {
      await server.close()
    }
  })

  it("no require on a provider other than Maskinporten: any active token, as before", async () => {
    expect((await ask(kind, { identityProvider: "tokenx" }, { provider: "tokenx" })).status).toBe(200)
  })

  it("the policy is checked on every request, also when the verdict comes from the cache", async () => {
    const server = success(await services.serve(kind, { identityProvider: "maskinporten", require: { scopes: ["nav:api/read"] } }))
    try {
      const right = await emulator.issueUserToken({ provider: "maskinporten", scope: "nav:api/read" })
      const wrong = await emulator.issueUserToken({ provider: "maskinporten", scope: "skatt:something" })
      const call = async (token: string) => (await fetch(`${server.url}${path[kind]}`, { headers: { authorization: `Bearer ${token}` } })).status
      expect([await call(right), await call(wrong), await call(right), await call(wrong)]).toEqual([200, 403, 200, 403])
      // One introspection per token: the second round came from the verdict cache.
      expect(emulator.requests().filter((request) => request.path === "/api/v1/introspect")).toHaveLength(2)
    } finally {
      await server.close()
    }
  })
})
