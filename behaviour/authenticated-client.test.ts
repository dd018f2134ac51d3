/// <reference types="vitest/globals" />
/**
 * `AuthenticatedClient`: a ready client for one API as a layer under the
 * application's own key, and `transformClient` for clients built by
 * `HttpApiClient`, whose errors must be the platform's `HttpClientError`
 * with the SDK's typed error as the cause.
 */
import { Fault, startProtectedApi, startTexasEmulator, type ProtectedApiHandle, type TexasEmulatorHandle } from "@effect-texas/emulator"
import { driver, failure, servicesFor, sidecarRequests, success } from "./setup.js"

let emulator: TexasEmulatorHandle
let api: ProtectedApiHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: ["skatt:some.scope"] })
  api = await startProtectedApi(emulator, { requiredScope: "skatt:some.scope" })
})
afterEach(() => {
  emulator.reset()
  api.reset()
})
afterAll(async () => {
  await api.close()
  await emulator.close()
})

const maskinporten = { identityProvider: "maskinporten", target: "skatt:some.scope" } as const
/** The platform error a transformed client fails with: `RequestError` (Effect 3) or `HttpClientError` (Effect 4). */
const platformErrors = ["RequestError", "HttpClientError"]

describe(`AuthenticatedClient.layer (${driver.line})`, () => {
  it("prepends the base URL and sends the token; the base URL's origin is the one allowed by default", async () => {
    const services = await servicesFor(emulator)
    try {
      const client = services.client({ kind: "ready", baseUrl: `${api.url}/v1`, request: maskinporten })
      expect(success(await client.send("/things")).status).toBe(200)
      expect(success(await client.send("/others")).status).toBe(200)
      expect(api.requests().map((request) => request.path)).toEqual(["/v1/things", "/v1/others"])
      // One token for both requests, from the cache.
      expect(sidecarRequests(emulator, "/api/v1/token").all).toBe(1)
    } finally {
      await services.close()
    }
  })

  it("a base URL outside the allowed origins is OriginNotAllowed before any token is asked for", async () => {
    const services = await servicesFor(emulator)
    try {
      const client = services.client({ kind: "ready", baseUrl: api.url, request: maskinporten, allowedOrigins: ["https://api.example.com"] })
      expect(failure(await client.send("/things"))._tag).toBe("OriginNotAllowed")
      expect(sidecarRequests(emulator, "/api/v1/token").all).toBe(0)
      expect(api.requests()).toEqual([])
    } finally {
      await services.close()
    }
  })
})

describe(`AuthenticatedClient.transformClient (${driver.line})`, () => {
  it("authenticates the client it is given", async () => {
    const services = await servicesFor(emulator)
    try {
      const client = services.client({ kind: "transformed", request: maskinporten, allowedOrigins: [api.url] })
      expect(success(await client.send(`${api.url}/things`)).status).toBe(200)
      expect(api.requests()).toHaveLength(1)
    } finally {
      await services.close()
    }
  })

  it("a refused origin is the platform's error with OriginNotAllowed as its cause, and nothing is sent", async () => {
    const services = await servicesFor(emulator)
    try {
      const client = services.client({ kind: "transformed", request: maskinporten, allowedOrigins: ["https://api.example.com"] })
      const error = failure(await client.send(`${api.url}/things`))
      expect(platformErrors).toContain(error._tag)
      expect(error.causes).toContain("OriginNotAllowed")
      expect(api.requests()).toEqual([])
    } finally {
      await services.close()
    }
  })

  it("a refused token request is the platform's error with the TokenEndpointError as its cause", async () => {
    const services = await servicesFor(emulator)
    try {
      emulator.inject(Fault.status(400, { error: "invalid_scope", description: "not granted" }))
      const client = services.client({ kind: "transformed", request: maskinporten, allowedOrigins: [api.url] })
      const error = failure(await client.send(`${api.url}/things`))
      expect(platformErrors).toContain(error._tag)
      expect(error.causes).toContain("TokenEndpointError")
      expect(error.message).toContain("invalid_scope")
      expect(api.requests()).toEqual([])
    } finally {
      await services.close()
    }
  })
})
