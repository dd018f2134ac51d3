/// <reference types="vitest/globals" />
/**
 * Forced renewals are bounded per cache key in the service, not per client:
 * an API that answers 401 where it means 403 cannot send every request past
 * the sidecar's cache, however the application builds its clients.
 */
import { startAltinnEmulator, startProtectedApi, type ProtectedApiHandle, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import { driver, servicesFor, sidecarRequests, success } from "./setup.js"

let emulator: TexasEmulatorHandle
let api: ProtectedApiHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: ["skatt:some.scope", "altinn:serviceowner/instances.read"] })
  api = await startProtectedApi(emulator)
})
afterEach(() => {
  emulator.reset()
  api.reset()
})
afterAll(async () => {
  await api.close()
  await emulator.close()
})

const statuses = async (count: number, send: (i: number) => Promise<{ readonly _tag: string; readonly value?: { readonly status: number } }>) => {
  const seen: Array<number> = []
  for (let i = 0; i < count; i++) {
    const outcome = await send(i)
    seen.push(outcome._tag === "Success" ? outcome.value!.status : -1)
  }
  return seen
}

describe(`renewals bounded per key (${driver.line})`, () => {
  it("an always-401 API, 20 requests through clients built per request: at most 2 forced token fetches", async () => {
    const services = await servicesFor(emulator)
    try {
      api.rejectNext(1_000)
      const spec = { kind: "machine", request: { identityProvider: "maskinporten", target: "skatt:some.scope" }, allowedOrigins: [api.url] } as const
      const seen = await statuses(20, () => services.client(spec).send(`${api.url}/api/hello`))
      expect(seen.every((status) => status === 401)).toBe(true)
      const { forced } = sidecarRequests(emulator, "/api/v1/token")
      expect(forced).toBeGreaterThanOrEqual(1)
      expect(forced).toBeLessThanOrEqual(2)
    } finally {
      await services.close()
    }
  })

  it("one on-behalf-of client shared by two users taking turns: at most one forced exchange per user", async () => {
    const services = await servicesFor(emulator)
    try {
      const users = [await emulator.issueUserToken({ provider: "tokenx", subject: "a" }), await emulator.issueUserToken({ provider: "tokenx", subject: "b" })]
      api.rejectNext(1_000)
      const client = services.client({ kind: "onBehalfOf", identityProvider: "tokenx", target: "dev-gcp:team:api", allowedOrigins: [api.url] })
      const seen = await statuses(20, (i) => client.send(`${api.url}/api/hello`, { userToken: users[i % 2]! }))
      expect(seen.every((status) => status === 401)).toBe(true)
      const { forced } = sidecarRequests(emulator, "/api/v1/token/exchange")
      expect(forced).toBeGreaterThanOrEqual(1)
      expect(forced).toBeLessThanOrEqual(2)
    } finally {
      await services.close()
    }
  })

  it("renew hands the renewed token back within minRenewInterval (no replay), and forces again after it", async () => {
    const services = await servicesFor(emulator, { minRenewInterval: "300 millis" })
    try {
      const request = { identityProvider: "maskinporten", target: "skatt:some.scope" } as const
      const first = success(await services.token(request).run())
      const renewed = success(await services.renew(request, first).run())
      expect(renewed.token).not.toBe(first.token)
      // Rejected again at once: held, the same token comes back without a request.
      const held = success(await services.renew(request, renewed).run())
      expect(held.token).toBe(renewed.token)
      expect(sidecarRequests(emulator, "/api/v1/token").forced).toBe(1)
      await new Promise((resolve) => setTimeout(resolve, 350))
      const again = success(await services.renew(request, renewed).run())
      expect(again.token).not.toBe(renewed.token)
      expect(sidecarRequests(emulator, "/api/v1/token").forced).toBe(2)
    } finally {
      await services.close()
    }
  })

  it("the renewal hold is at most half a short token's lifetime: an always-401 API gets a fresh token once it has passed", async () => {
    // A 4 s token (Maskinporten's default is 120 s): minRenewInterval (30 s) would hold it past its
    // use; the hold ends at half its lifetime (Policy.renewHoldMillis), while it is still handed out.
    const shortLived = await startTexasEmulator({ grantedScopes: ["skatt:some.scope"], tokenLifetime: "4 seconds" })
    const rejecting = await startProtectedApi(shortLived)
    const services = await servicesFor(shortLived, { minRenewInterval: "30 seconds", expirySkew: "500 millis" })
    try {
      rejecting.rejectNext(1_000)
      const client = services.client({ kind: "machine", request: { identityProvider: "maskinporten", target: "skatt:some.scope" }, allowedOrigins: [rejecting.url] })
      expect(success(await client.send(`${rejecting.url}/api/hello`)).status).toBe(401)
      expect(success(await client.send(`${rejecting.url}/api/hello`)).status).toBe(401)
      // Within the hold: one forced fetch for both requests.
      expect(sidecarRequests(shortLived, "/api/v1/token").forced).toBe(1)
      await new Promise((resolve) => setTimeout(resolve, 2_300))
      expect(success(await client.send(`${rejecting.url}/api/hello`)).status).toBe(401)
      // Past half its lifetime, still handed out (usable until 3.5 s), the rejected token is renewed again.
      expect(sidecarRequests(shortLived, "/api/v1/token").forced).toBe(2)
    } finally {
      await services.close()
      await rejecting.close()
      await shortLived.close()
    }
  })

  it("a 401 from another origin that fetch was redirected to is not a rejection of our token: nothing forced", async () => {
    const services = await servicesFor(emulator)
    const elsewhere = await startProtectedApi(emulator)
    try {
      const spec = { kind: "machine", request: { identityProvider: "maskinporten", target: "skatt:some.scope" }, allowedOrigins: [api.url] } as const
      const outcome = await services.client(spec).send(`${api.url}/redirect?to=${encodeURIComponent(`${elsewhere.url}/api/hello`)}`)
      expect(success(outcome).status).toBe(401)
      expect(sidecarRequests(emulator, "/api/v1/token").forced).toBe(0)
      expect(api.requests()).toHaveLength(1)
    } finally {
      await elsewhere.close()
      await services.close()
    }
  })

  it("authenticateAltinn against an always-401 API, clients per request: at most 2 Altinn exchanges and 2 forced Maskinporten tokens", async () => {
    const altinn = await startAltinnEmulator(emulator)
    const altinnApi = await startProtectedApi(emulator, { jwks: altinn.jwks, issuer: altinn.issuer })
    const services = await servicesFor(emulator, { altinnPlatformUrl: altinn.url })
    try {
      altinnApi.rejectNext(1_000)
      const spec = { kind: "altinn", scopes: "altinn:serviceowner/instances.read", allowedOrigins: [altinnApi.url] } as const
      const seen = await statuses(20, () => services.client(spec).send(`${altinnApi.url}/api/hello`))
      expect(seen.every((status) => status === 401)).toBe(true)
      expect(altinn.exchanges()).toBeLessThanOrEqual(2)
      expect(sidecarRequests(emulator, "/api/v1/token").forced).toBeLessThanOrEqual(2)
    } finally {
      await services.close()
      await altinnApi.close()
      await altinn.close()
    }
  })
})
