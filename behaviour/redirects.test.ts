/// <reference types="vitest/globals" />
/**
 * Redirects as `fetch` follows them, and never for the SDK's own calls: the
 * token goes where the application said, and nowhere a server points it.
 */
import { Fault, startAltinnEmulator, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import { driver, failure, servicesFor, startRecorder, success } from "./setup.js"

let emulator: TexasEmulatorHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: ["skatt:some.scope", "altinn:serviceowner/instances.read"] })
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

const maskinporten = { identityProvider: "maskinporten", target: "skatt:some.scope" } as const

describe(`following redirects in the middleware (${driver.line})`, () => {
  it("goes to the Location as given: the request's own URL parameters (setUrlParams) stay behind", async () => {
    const elsewhere = await startRecorder()
    const origin = await startRecorder((_url, response) => {
      response.writeHead(307, { location: `${elsewhere.url}/landing?x=1` })
      response.end()
    })
    const services = await servicesFor(emulator)
    try {
      const client = services.client({ kind: "machine", request: maskinporten, allowedOrigins: [origin.url], followRedirects: 1 })
      success(await client.send(`${origin.url}/start`, { urlParams: { pid: "12345678910" } }))
      expect(origin.seen()[0]?.url).toBe("/start?pid=12345678910")
      expect(elsewhere.seen().map((seen) => seen.url)).toEqual(["/landing?x=1"])
      // Another origin: no token went there.
      expect(elsewhere.seen()[0]?.authorization).toBeUndefined()
    } finally {
      await services.close()
      await origin.close()
      await elsewhere.close()
    }
  })

  it("a Location that is not http(s) (data:, file:) is a typed InvalidRedirect, not followed", async () => {
    const origin = await startRecorder((_url, response) => {
      response.writeHead(302, { location: "data:text/plain,hello" })
      response.end()
    })
    const services = await servicesFor(emulator)
    try {
      const client = services.client({ kind: "machine", request: maskinporten, allowedOrigins: [origin.url], followRedirects: 2 })
      const error = failure(await client.send(`${origin.url}/start`))
      expect(error._tag).toBe("InvalidRedirect")
      expect(error.message).toContain("data:")
    } finally {
      await services.close()
      await origin.close()
    }
  })
})

describe(`the SDK's own calls never follow redirects (${driver.line})`, () => {
  it("not even when the application's HttpClient follows redirects: the token request never leaves the sidecar", async () => {
    const elsewhere = await startRecorder()
    const services = await servicesFor(emulator, { appFollowsRedirects: true })
    try {
      emulator.inject(Fault.respond(307, "", { location: `${elsewhere.url}/api/v1/token` }))
      const error = failure(await services.token(maskinporten).run())
      expect(error._tag).toBe("TokenEndpointError")
      expect(error.fields["status"]).toBe(307)
      expect(elsewhere.seen()).toHaveLength(0)
    } finally {
      await services.close()
      await elsewhere.close()
    }
  })

  it("nor the Altinn exchange: the Maskinporten token is never sent to a Location", async () => {
    const elsewhere = await startRecorder()
    const altinn = await startAltinnEmulator(emulator)
    const services = await servicesFor(emulator, { appFollowsRedirects: true, altinnPlatformUrl: altinn.url })
    try {
      altinn.inject(Fault.respond(302, "", { location: `${elsewhere.url}/steal` }))
      const error = failure(await services.altinnToken!("altinn:serviceowner/instances.read").run())
      expect(error._tag).toBe("TokenEndpointError")
      expect(elsewhere.seen()).toHaveLength(0)
    } finally {
      await services.close()
      await altinn.close()
      await elsewhere.close()
    }
  })
})
