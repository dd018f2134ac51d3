import {
  FetchHttpClient,
  HttpApi,
  HttpApiClient,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpClient,
  HttpClientRequest
} from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { TokenService } from "@effect-texas/core"
import { authenticate, type AuthenticateOptions, AuthenticatedClient } from "@effect-texas/http-client"
import { type ProtectedApiHandle, startProtectedApi, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Util from "node:util"
import { afterAll, afterEach, beforeAll } from "vitest"

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

const options = (): AuthenticateOptions => ({
  identityProvider: "maskinporten",
  target: scope,
  allowedOrigins: [api.url]
})

/** TokenService against the emulator, over its own plain client. */
const Tokens = Layer.suspend(() =>
  TokenService.layer({ endpoint: emulator.tokenEndpoint }).pipe(Layer.provide(FetchHttpClient.layer))
)

const authenticated = (extra: Partial<AuthenticateOptions> = {}) =>
  Effect.map(HttpClient.HttpClient, authenticate({ ...options(), ...extra }))

const tokenRequests = () => emulator.requests().filter((r) => r.path === "/api/v1/token")

const run = <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient | TokenService>) =>
  effect.pipe(Effect.provide(Tokens), Effect.provide(FetchHttpClient.layer))

describe("authenticate", () => {
  it.effect("sets the bearer token, which the protected API accepts", () =>
    run(Effect.gen(function*() {
      const client = yield* authenticated()
      const response = yield* client.get(`${api.url}/api/hello`)
      expect(response.status).toBe(200)
      expect(yield* response.json).toMatchObject({ scope, path: "/api/hello" })
      expect(api.requests()).toMatchObject([{ authorization: "bearer", authorizationHeaders: 1, answer: 200 }])
      // A second request reuses the cached token: no new token request.
      yield* client.get(`${api.url}/api/hello`)
      expect(tokenRequests()).toHaveLength(1)
    })))

  it.effect("replaces an Authorization header the request already had", () =>
    run(Effect.gen(function*() {
      const client = yield* authenticated()
      const response = yield* client.execute(
        HttpClientRequest.get(`${api.url}/api/hello`).pipe(HttpClientRequest.basicAuth("user", "password"))
      )
      expect(response.status).toBe(200)
      expect(api.requests()[0]).toMatchObject({ authorization: "bearer", authorizationHeaders: 1 })
    })))

  it.effect("on 401: one forced fetch with skip_cache, one replay, success", () =>
    run(Effect.gen(function*() {
      const client = yield* authenticated()
      api.rejectNext(1)
      const response = yield* client.get(`${api.url}/api/hello`)
      expect(response.status).toBe(200)
      expect(api.requests().map((r) => r.answer)).toEqual([401, 200])
      expect(tokenRequests().map((r) => r.body?.["skip_cache"])).toEqual([undefined, true])
      const [first, second] = api.requests()
      expect(first?.tokenId).not.toBe(second?.tokenId)
    })))

  it.effect("100 concurrent requests that all get 401 cause exactly one forced token fetch", () =>
    run(Effect.gen(function*() {
      const client = yield* authenticated()
      yield* client.get(`${api.url}/api/hello`)
      api.revokeSeenTokens()
      const responses = yield* Effect.all(
        Array.from({ length: 100 }, () => client.get(`${api.url}/api/hello`)),
        { concurrency: "unbounded" }
      )
      expect(responses.every((r) => r.status === 200)).toBe(true)
      expect(tokenRequests().map((r) => r.body?.["skip_cache"])).toEqual([undefined, true])
      expect(api.requests().filter((r) => r.answer === 401)).toHaveLength(100)
    })))

  it.effect("returns a second 401 to the caller", () =>
    run(Effect.gen(function*() {
      const client = yield* authenticated()
      api.rejectNext(2)
      const response = yield* client.get(`${api.url}/api/hello`)
      expect(response.status).toBe(401)
      expect(api.requests()).toHaveLength(2)
      expect(tokenRequests()).toHaveLength(2)
    })))

  it.effect("never retries a 403", () =>
    run(Effect.gen(function*() {
      const client = yield* authenticated()
      api.rejectNext(1, 403)
      const response = yield* client.get(`${api.url}/api/hello`)
      expect(response.status).toBe(403)
      expect(api.requests()).toHaveLength(1)
      expect(tokenRequests()).toHaveLength(1)
    })))

  it.effect("does not replay a request whose body is a stream", () =>
    run(Effect.gen(function*() {
      const client = yield* authenticated()
      api.rejectNext(1)
      const body = Stream.make(new TextEncoder().encode("once"))
      const response = yield* client.execute(
        HttpClientRequest.post(`${api.url}/api/upload`).pipe(HttpClientRequest.bodyStream(body))
      )
      expect(response.status).toBe(401)
      expect(api.requests()).toHaveLength(1)
    })))

  it.effect("replays a request whose body can be sent again", () =>
    run(Effect.gen(function*() {
      const client = yield* authenticated()
      api.rejectNext(1)
      const response = yield* client.execute(
        HttpClientRequest.post(`${api.url}/api/upload`).pipe(HttpClientRequest.bodyText("again"))
      )
      expect(response.status).toBe(200)
      expect(yield* response.json).toMatchObject({ body: "again" })
    })))
})

describe("where the token may go", () => {
  const refused = (url: (apiUrl: string) => string) =>
    run(Effect.gen(function*() {
      const client = yield* authenticated()
      const error = yield* Effect.flip(client.get(url(api.url)))
      expect(error._tag).toBe("OriginNotAllowed")
      expect(error.message).toContain("Refused to send a token")
      expect(tokenRequests()).toHaveLength(0)
      expect(api.requests()).toHaveLength(0)
      expect(elsewhere.requests()).toHaveLength(0)
    }))

  it.effect("refuses another origin before fetching a token", () => refused(() => `${elsewhere.url}/api/x`))
  it.effect("refuses the same host on another port", () => refused((u) => u.replace(/:(\d+)$/, (_, p) => `:${Number(p) + 1}`)))
  it.effect("refuses a host name for an allowed IP literal", () => refused((u) => `${u.replace("127.0.0.1", "localhost")}/x`))
  it.effect("refuses userinfo tricks", () => refused((u) => `http://${new URL(u).host}@evil.test/x`))
  it.effect("refuses https when only http is allowed", () => refused((u) => u.replace("http:", "https:")))
  it.effect("refuses a data: URL", () => refused(() => "data:text/plain,hello"))

  it.effect("refuses a protocol-relative URL, sending nothing", () =>
    run(Effect.gen(function*() {
      const client = yield* authenticated()
      const error = yield* Effect.flip(client.get(`//${new URL(api.url).host}/api/hello`))
      expect(error._tag).toBe("OriginNotAllowed")
      expect(api.requests()).toHaveLength(0)
    })))

  it.effect("matches origins case-insensitively in host and scheme, as URLs do", () =>
    run(Effect.gen(function*() {
      const client = yield* authenticated({ allowedOrigins: [api.url.toUpperCase()] })
      const response = yield* client.get(`${api.url.replace("http", "HTTP")}/api/hello`)
      expect(response.status).toBe(200)
    })))

  it.effect("FetchHttpClient following a redirect to another origin drops the token", () =>
    run(Effect.gen(function*() {
      const client = yield* authenticated()
      const target = encodeURIComponent(`${elsewhere.url}/api/landing`)
      const response = yield* client.get(`${api.url}/redirect?to=${target}`)
      expect(response.status).toBe(401)
      // fetch does not tell where it ended up, so the 401 is taken as a rejection and
      // the request replayed once: either way, no request elsewhere carried a token.
      expect(elsewhere.requests().length).toBeGreaterThan(0)
      expect(elsewhere.requests().every((r) => r.path === "/api/landing" && r.authorization === "none")).toBe(true)
    })))

  it.effect("followRedirects keeps the token on allowed origins and drops it elsewhere", () =>
    Effect.gen(function*() {
      const client = (yield* HttpClient.HttpClient).pipe(authenticate({ ...options(), followRedirects: 3 }))
      const same = yield* client.get(`${api.url}/redirect?to=${encodeURIComponent(`${api.url}/api/hello`)}`)
      expect(same.status).toBe(200)
      // Off the list, and then back: the token does not come back either.
      const back = encodeURIComponent(`${api.url}/api/hello`)
      const away = encodeURIComponent(`${elsewhere.url}/redirect?to=${back}`)
      const response = yield* client.get(`${api.url}/redirect?to=${away}`)
      expect(response.status).toBe(401)
      expect(elsewhere.requests()).toMatchObject([{ path: "/redirect", authorization: "none" }])
      expect(api.requests().at(-1)).toMatchObject({ path: "/api/hello", authorization: "none" })
    }).pipe(Effect.provide(Tokens), Effect.provide(NodeHttpClient.layerUndici)))

  // As the fetch standard does (HTTP-redirect fetch, step 12): 303, and 301/302 after a POST, become a GET
  // without body or content headers; 307/308 keep both. Security review: the body used to travel on, elsewhere too.
  const redirectCases: ReadonlyArray<readonly [status: number, method: string, contentType: string | undefined, bodyBytes: number]> = [
    [303, "GET", undefined, 0],
    [302, "GET", undefined, 0],
    [301, "GET", undefined, 0],
    [307, "POST", "application/json", 17],
    [308, "POST", "application/json", 17]
  ]
  for (const [status, method, contentType, bodyBytes] of redirectCases) {
    it.effect(`followRedirects: a POST answered ${status} goes on as ${method}${bodyBytes === 0 ? " without its body" : " with its body"}, without the token elsewhere`, () =>
      Effect.gen(function*() {
        const client = (yield* HttpClient.HttpClient).pipe(authenticate({ ...options(), followRedirects: 3 }))
        const to = encodeURIComponent(`${elsewhere.url}/api/landing`)
        yield* client.execute(HttpClientRequest.post(`${api.url}/redirect?status=${status}&to=${to}`).pipe(
          HttpClientRequest.bodyUnsafeJson({ secret: "body" })
        ))
        expect(elsewhere.requests()).toMatchObject([{ method, authorization: "none", contentType, bodyBytes }])
      }).pipe(Effect.provide(Tokens), Effect.provide(NodeHttpClient.layerUndici)))
  }

  it.effect("followRedirects: a Location that is not a URL is a typed InvalidRedirect, not a defect", () =>
    Effect.gen(function*() {
      const client = (yield* HttpClient.HttpClient).pipe(authenticate({ ...options(), followRedirects: 3 }))
      const error = yield* Effect.flip(client.get(`${api.url}/redirect?to=${encodeURIComponent("http://[not-a-host")}`))
      expect(error).toMatchObject({ _tag: "InvalidRedirect", status: 302 })
    }).pipe(Effect.provide(Tokens), Effect.provide(NodeHttpClient.layerUndici)))

  it.effect("HttpClient.followRedirects outside the middleware fails closed on a foreign hop", () =>
    run(Effect.gen(function*() {
      const client = (yield* authenticated()).pipe(HttpClient.followRedirects(3))
      const error = yield* Effect.flip(client.get(`${api.url}/redirect?to=${encodeURIComponent(`${elsewhere.url}/x`)}`))
      expect(error._tag).toBe("OriginNotAllowed")
      expect(elsewhere.requests()).toHaveLength(0)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici))))
})

describe("composes with the platform", () => {
  it.effect("with prependUrl on either side of it", () =>
    run(Effect.gen(function*() {
      const base = yield* HttpClient.HttpClient
      const inner = base.pipe(HttpClient.mapRequest(HttpClientRequest.prependUrl(api.url)), authenticate(options()))
      const outer = base.pipe(authenticate(options()), HttpClient.mapRequest(HttpClientRequest.prependUrl(api.url)))
      expect((yield* inner.get("/api/hello")).status).toBe(200)
      expect((yield* outer.get("/api/hello")).status).toBe(200)
      // A relative URL resolved elsewhere by the inner mapping is still refused.
      const misrouted = base.pipe(HttpClient.mapRequest(HttpClientRequest.prependUrl(elsewhere.url)), authenticate(options()))
      expect((yield* Effect.flip(misrouted.get("/api/hello")))._tag).toBe("OriginNotAllowed")
      expect(elsewhere.requests()).toHaveLength(0)
    })))

  it.effect("with filterStatusOk: a second 401 becomes a ResponseError", () =>
    run(Effect.gen(function*() {
      const client = (yield* authenticated()).pipe(HttpClient.filterStatusOk)
      api.rejectNext(1)
      expect((yield* client.get(`${api.url}/api/hello`)).status).toBe(200)
      api.rejectNext(2)
      const error = yield* Effect.flip(client.get(`${api.url}/api/hello`))
      expect(error._tag).toBe("ResponseError")
    })))

  it.effect("with retryTransient around it", () =>
    run(Effect.gen(function*() {
      const client = (yield* authenticated()).pipe(HttpClient.retryTransient({ times: 2 }))
      api.rejectNext(1, 503)
      const response = yield* client.get(`${api.url}/api/hello`)
      expect(response.status).toBe(200)
      expect(api.requests().map((r) => r.answer)).toEqual([503, 200])
      expect(tokenRequests()).toHaveLength(1)
    })))

  it.effect("with NodeHttpClient", () =>
    Effect.gen(function*() {
      const client = yield* authenticated()
      expect((yield* client.get(`${api.url}/api/hello`)).status).toBe(200)
    }).pipe(Effect.provide(Tokens), Effect.provide(NodeHttpClient.layerUndici)))

  it.effect("with HttpApiClient.make(..., { transformClient })", () =>
    run(Effect.gen(function*() {
      class Hello extends HttpApiGroup.make("hello").add(
        HttpApiEndpoint.get("hello", "/api/hello").addSuccess(Schema.Struct({ path: Schema.String, scope: Schema.String }))
      ) {}
      class Api extends HttpApi.make("protected").add(Hello) {}
      const tokens = yield* TokenService
      const client = yield* HttpApiClient.make(Api, {
        baseUrl: api.url,
        transformClient: AuthenticatedClient.transformClient(tokens, options())
      })
      expect(yield* client.hello.hello()).toEqual({ path: "/api/hello", scope })

      const misdirected = yield* HttpApiClient.make(Api, {
        baseUrl: elsewhere.url,
        transformClient: AuthenticatedClient.transformClient(tokens, options())
      })
      const error = yield* Effect.flip(misdirected.hello.hello())
      expect(error._tag).toBe("RequestError")
      if (error._tag === "RequestError") expect((error.cause as { _tag: string })._tag).toBe("OriginNotAllowed")
    })))

  it.effect("token errors reach the caller typed", () =>
    run(Effect.gen(function*() {
      const client = (yield* HttpClient.HttpClient).pipe(authenticate({ ...options(), target: "skatt:not.granted" }))
      const error = yield* Effect.flip(client.get(`${api.url}/api/hello`))
      expect(error).toMatchObject({ _tag: "TokenEndpointError", error: "invalid_scope" })
      expect(api.requests()).toHaveLength(0)
    })))
})

describe("bounded forced renewals (an API that answers 401 where it means 403)", () => {
  const forced = () => tokenRequests().filter((r) => r.body?.["skip_cache"] === true).length

  it.live("20 requests to an API that always answers 401: one forced renewal and one replay, then 401s as they are", () =>
    run(Effect.gen(function*() {
      const client = yield* authenticated()
      api.rejectNext(1000)
      const statuses: Array<number> = []
      for (let i = 0; i < 20; i++) statuses.push((yield* client.get(`${api.url}/api/hello`)).status)
      expect(statuses.every((status) => status === 401)).toBe(true)
      expect(forced()).toBeLessThanOrEqual(2)
      expect(forced()).toBeGreaterThanOrEqual(1)
      // The first request was replayed once, every later one sent once.
      expect(api.requests()).toHaveLength(21)
    })))

  it.live("a fresh rejection after the service's interval is renewed and replayed again", () =>
    Effect.gen(function*() {
      const client = yield* authenticated()
      api.rejectNext(2)
      expect((yield* client.get(`${api.url}/api/hello`)).status).toBe(401)
      expect(forced()).toBe(1)
      yield* Effect.sleep("350 millis")
      api.rejectNext(1)
      expect((yield* client.get(`${api.url}/api/hello`)).status).toBe(200)
      expect(forced()).toBe(2)
    }).pipe(
      Effect.provide(TokenService.layer({ endpoint: emulator.tokenEndpoint, minRenewInterval: "300 millis" })),
      Effect.provide(FetchHttpClient.layer)
    ))

  it.live("a 401 from another origin that fetch was redirected to is not a rejection of our token", () =>
    run(Effect.gen(function*() {
      const client = yield* authenticated()
      const response = yield* client.get(`${api.url}/redirect?to=${encodeURIComponent(`${elsewhere.url}/api/hello`)}`)
      expect(response.status).toBe(401)
      expect(forced()).toBe(0)
      expect(api.requests()).toHaveLength(1)
    })))
})

describe("no token in what a caller prints (security review)", () => {
  it.live("a ResponseError from filterStatusOk, printed every way, does not show the token", () =>
    run(Effect.gen(function*() {
      const client = (yield* authenticated()).pipe(HttpClient.filterStatusOk)
      api.rejectNext(1, 403)
      const error = yield* Effect.flip(client.get(`${api.url}/api/hello`))
      if (error._tag !== "ResponseError") return expect.fail(`expected a ResponseError, got ${error._tag}`)
      const tokens = emulator.issuedTokens()
      expect(tokens.length).toBeGreaterThan(0)
      const printed = [JSON.stringify(error), Util.inspect(error, { depth: 10 }), String(error), JSON.stringify(error.request), Util.inspect(error.response, { depth: 10 })]
      for (const text of printed) for (const token of tokens) expect(text).not.toContain(token)
      expect(error.request.headers["authorization"]).toBe("<redacted>")
      // The answer itself is intact.
      expect(error.response.status).toBe(403)
    })))
})
