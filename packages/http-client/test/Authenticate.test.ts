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

describe("where the token may go (this platform)", () => {
  // The token on requests, 401 renewals and replays, refused origins and followRedirects are pinned for
  // both lines in behaviour/outbound.test.ts; here what composes with this line's platform only.
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
