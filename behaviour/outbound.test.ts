/// <reference types="vitest/globals" />
/**
 * `authenticate` on each line: the token on requests to allowed origins only
 * (checked before any token is fetched, on the URL really used), one renewal
 * and one replay after a 401 (never after a 403, never of a one-shot body),
 * and redirects followed as the fetch standard does, with the token kept on
 * allowed origins only.
 */
import { Messages } from "@effect-texas/protocol"
import {
  type ProtectedApiHandle,
  startProtectedApi,
  startTexasEmulator,
  type TexasEmulatorHandle
} from "@effect-texas/emulator"
import type * as D from "./Driver.js"
import { driver, failure, servicesFor, success } from "./setup.js"

const scope = "skatt:some.scope"

let emulator: TexasEmulatorHandle
let api: ProtectedApiHandle
let elsewhere: ProtectedApiHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: [scope] })
  api = await startProtectedApi(emulator, { requiredScope: scope })
  elsewhere = await startProtectedApi(emulator)
})
afterEach(() => {
  emulator.reset()
  api.reset()
  elsewhere.reset()
})
afterAll(async () => {
  await Promise.all([api.close(), elsewhere.close()])
  await emulator.close()
})

const tokenRequests = () => emulator.requests().filter((request) => request.path === "/api/v1/token")

/** A machine client allowed to send the token to `api` (or `allowedOrigins`), run with fresh services. */
const withClient = async (
  spec: Partial<Extract<D.ClientSpec, { readonly kind: "machine" }>>,
  body: (client: D.AuthenticatedClient) => Promise<void>
) => {
  const services = await servicesFor(emulator)
  try {
    await body(services.client({ kind: "machine", request: { identityProvider: "maskinporten", target: scope }, allowedOrigins: [api.url], ...spec }))
  } finally {
    await services.close()
  }
}

describe(`authenticate (${driver.line})`, () => {
  it("sets the bearer token, which the protected API accepts; the second request reuses the cached token", () =>
    withClient({}, async (client) => {
      const response = success(await client.send(`${api.url}/api/hello`, { readJson: true }))
      expect(response.status).toBe(200)
      expect(response.json).toMatchObject({ scope, path: "/api/hello" })
      success(await client.send(`${api.url}/api/hello`))
      expect(api.requests()).toMatchObject([{ authorization: "bearer", authorizationHeaders: 1, answer: 200 }, { answer: 200 }])
      expect(tokenRequests()).toHaveLength(1)
    }))

  it("replaces an Authorization header the request already had", () =>
    withClient({}, async (client) => {
      const response = success(await client.send(`${api.url}/api/hello`, { headers: { authorization: "Basic dXNlcjpwYXNzd29yZA==" } }))
      expect(response.status).toBe(200)
      expect(api.requests()[0]).toMatchObject({ authorization: "bearer", authorizationHeaders: 1 })
    }))

  it("on 401: one forced fetch with skip_cache, one replay with another token, success", () =>
    withClient({}, async (client) => {
      api.rejectNext(1)
      expect(success(await client.send(`${api.url}/api/hello`)).status).toBe(200)
      expect(api.requests().map((request) => request.answer)).toEqual([401, 200])
      expect(tokenRequests().map((request) => request.body?.["skip_cache"])).toEqual([undefined, true])
      const [first, second] = api.requests()
      expect(first?.tokenId).not.toBe(second?.tokenId)
    }))

  it("100 concurrent requests that all get 401 cause exactly one forced token fetch", () =>
    withClient({}, async (client) => {
      success(await client.send(`${api.url}/api/hello`))
      api.revokeSeenTokens()
      const responses = await Promise.all(Array.from({ length: 100 }, async () => success(await client.send(`${api.url}/api/hello`))))
      expect(responses.every((response) => response.status === 200)).toBe(true)
      expect(tokenRequests().map((request) => request.body?.["skip_cache"])).toEqual([undefined, true])
      expect(api.requests().filter((request) => request.answer === 401)).toHaveLength(100)
    }))

  it("returns a second 401 to the caller; never retries a 403", () =>
    withClient({}, async (client) => {
      api.rejectNext(2)
      expect(success(await client.send(`${api.url}/api/hello`)).status).toBe(401)
      expect(api.requests()).toHaveLength(2)
      api.reset()
      api.rejectNext(1, 403)
      expect(success(await client.send(`${api.url}/api/hello`)).status).toBe(403)
      expect(api.requests()).toHaveLength(1)
    }))

  it("does not replay a request whose body is a one-shot stream; replays one whose body can be sent again", () =>
    withClient({}, async (client) => {
      api.rejectNext(1)
      expect(success(await client.send(`${api.url}/api/upload`, { method: "POST", body: { kind: "stream", text: "once" } })).status).toBe(401)
      expect(api.requests()).toHaveLength(1)
      api.reset()
      api.rejectNext(1)
      const again = success(await client.send(`${api.url}/api/upload`, { method: "POST", body: { kind: "text", text: "again" }, readJson: true }))
      expect(again.status).toBe(200)
      expect(again.json).toMatchObject({ body: "again" })
    }))
})

describe(`where the token may go (${driver.line})`, () => {
  const refusals: ReadonlyArray<readonly [string, (apiUrl: string) => string]> = [
    ["another origin", () => `${elsewhere.url}/api/x`],
    ["the same host on another port", (url) => url.replace(/:(\d+)$/, (_, port: string) => `:${Number(port) + 1}`)],
    ["a host name for an allowed IP literal", (url) => `${url.replace("127.0.0.1", "localhost")}/x`],
    ["userinfo tricks", (url) => `http://${new URL(url).host}@evil.test/x`],
    ["https when only http is allowed", (url) => url.replace("http:", "https:")],
    ["a data: URL", () => "data:text/plain,hello"],
    ["a protocol-relative URL", (url) => `//${new URL(url).host}/api/hello`]
  ]
  for (const [name, url] of refusals) {
    it(`refuses ${name} before fetching a token, sending nothing`, () =>
      withClient({}, async (client) => {
        const error = failure(await client.send(url(api.url)))
        expect(error._tag).toBe("OriginNotAllowed")
        expect(error.message).toBe(Messages.originNotAllowed(error.fields as { origin: string; allowedOrigins: ReadonlyArray<string> }))
        expect(error.message).toContain("Refused to send a token")
        expect(tokenRequests()).toHaveLength(0)
        expect(api.requests()).toHaveLength(0)
        expect(elsewhere.requests()).toHaveLength(0)
      }))
  }

  it("matches origins case-insensitively in host and scheme, as URLs do", () =>
    withClient({ allowedOrigins: [api.url.toUpperCase()] }, async (client) => {
      expect(success(await client.send(`${api.url.replace("http", "HTTP")}/api/hello`)).status).toBe(200)
    }))

  it("fetch following a redirect to another origin by itself drops the token there", () =>
    withClient({}, async (client) => {
      const target = encodeURIComponent(`${elsewhere.url}/api/landing`)
      expect(success(await client.send(`${api.url}/redirect?to=${target}`)).status).toBe(401)
      expect(elsewhere.requests().length).toBeGreaterThan(0)
      expect(elsewhere.requests().every((request) => request.path === "/api/landing" && request.authorization === "none")).toBe(true)
    }))

  it("followRedirects keeps the token on allowed origins and drops it elsewhere, also when a hop comes back", () =>
    withClient({ followRedirects: 3 }, async (client) => {
      expect(success(await client.send(`${api.url}/redirect?to=${encodeURIComponent(`${api.url}/api/hello`)}`)).status).toBe(200)
      const back = encodeURIComponent(`${api.url}/api/hello`)
      const away = encodeURIComponent(`${elsewhere.url}/redirect?to=${back}`)
      expect(success(await client.send(`${api.url}/redirect?to=${away}`)).status).toBe(401)
      expect(elsewhere.requests()).toMatchObject([{ path: "/redirect", authorization: "none" }])
      expect(api.requests().at(-1)).toMatchObject({ path: "/api/hello", authorization: "none" })
    }))

  // As the fetch standard does (HTTP-redirect fetch, step 12): 303, and 301/302 after a POST, become a GET
  // without body or content headers; 307/308 keep both.
  const redirectCases: ReadonlyArray<readonly [status: number, method: string, contentType: string | undefined, bodyBytes: number]> = [
    [303, "GET", undefined, 0],
    [302, "GET", undefined, 0],
    [301, "GET", undefined, 0],
    [307, "POST", "application/json", 17],
    [308, "POST", "application/json", 17]
  ]
  for (const [status, method, contentType, bodyBytes] of redirectCases) {
    it(`followRedirects: a POST answered ${status} goes on as ${method}${bodyBytes === 0 ? " without its body" : " with its body"}, without the token elsewhere`, () =>
      withClient({ followRedirects: 3 }, async (client) => {
        const to = encodeURIComponent(`${elsewhere.url}/api/landing`)
        success(await client.send(`${api.url}/redirect?status=${status}&to=${to}`, { method: "POST", body: { kind: "json", value: { secret: "body" } } }))
        expect(elsewhere.requests()).toMatchObject([{ method, authorization: "none", contentType, bodyBytes }])
      }))
  }

  it("followRedirects: a Location that is not a URL is a typed InvalidRedirect, not a defect", () =>
    withClient({ followRedirects: 3 }, async (client) => {
      const error = failure(await client.send(`${api.url}/redirect?to=${encodeURIComponent("http://[not-a-host")}`))
      expect(error).toMatchObject({ _tag: "InvalidRedirect", fields: { status: 302 } })
      expect(error.message).toBe(Messages.invalidRedirect(error.fields as { status: number; reason: string }))
    }))
})
