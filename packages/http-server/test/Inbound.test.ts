import * as Http from "node:http"
import {
  FetchHttpClient,
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpClient,
  HttpRouter,
  HttpServer,
  HttpServerResponse
} from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { CurrentUser, type InvalidTokenRequest, TokenExchange, TokenIntrospection } from "@effect-texas/core"
import { authenticateOnBehalfOf } from "@effect-texas/http-client"
import { type AccessOptions, Authentication, requireUser } from "@effect-texas/http-server"
import { startProtectedApi, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { afterAll, afterEach, beforeAll } from "vitest"

let emulator: TexasEmulatorHandle

beforeAll(async () => {
  // One emulator plays both apps' sidecars: ID-porten tokens are for the frontend (the default client id),
  // TokenX tokens for the downstream app, which requires them to carry its own client id as `aud`.
  emulator = await startTexasEmulator({ providers: { tokenx: { clientId: "dev-gcp:team:downstream" } } })
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

const Introspection = Layer.suspend(() =>
  TokenIntrospection.layer({ endpoint: `${emulator.url}/api/v1/introspect` }).pipe(Layer.provide(FetchHttpClient.layer))
)
const Exchange = Layer.suspend(() =>
  TokenExchange.layer({ endpoint: `${emulator.url}/api/v1/token/exchange` }).pipe(Layer.provide(FetchHttpClient.layer))
)

/** A real server on a free loopback port for the lifetime of the scope; returns its base URL. */
const listen = <E, R>(serveLayer: Layer.Layer<never, E, R | HttpServer.HttpServer>) =>
  Effect.gen(function*() {
    const server = NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
    const context = yield* Layer.build(Layer.provideMerge(serveLayer, server))
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag !== "TcpAddress") return yield* Effect.die(new Error("expected a TCP address"))
    return `http://127.0.0.1:${address.port}`
  })

/** Downstream: a plain router that requires a TokenX token and says whom it saw. */
const downstreamApp = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/api/whoami",
    requireUser({ identityProvider: "tokenx" })(
      Effect.flatMap(CurrentUser, (user) =>
        HttpServerResponse.json({ sub: user.claims.sub, aud: user.claims.aud, idp: user.claims.idp }))
    )
  )
)

/** Frontend: an HttpApi that requires an ID-porten token and calls downstream on the user's behalf. */
class Greeting extends HttpApiGroup.make("greeting")
  .add(
    HttpApiEndpoint.get("greet", "/api/greeting").addSuccess(
      Schema.Struct({ user: Schema.String, downstreamSaw: Schema.Struct({ sub: Schema.String, aud: Schema.String, idp: Schema.String }) })
    )
  )
  .middleware(Authentication)
{}
class FrontendApi extends HttpApi.make("frontend").add(Greeting) {}

const frontendLayer = (downstreamUrl: string, introspection: Layer.Layer<TokenIntrospection, InvalidTokenRequest>) => {
  const GreetingLive = HttpApiBuilder.group(FrontendApi, "greeting", (handlers) =>
    handlers.handle("greet", () =>
      Effect.gen(function*() {
        const user = yield* CurrentUser
        const client = (yield* HttpClient.HttpClient).pipe(
          authenticateOnBehalfOf({ identityProvider: "tokenx", target: "dev-gcp:team:downstream", allowedOrigins: [downstreamUrl] }),
          HttpClient.filterStatusOk
        )
        const response = yield* client.get(`${downstreamUrl}/api/whoami`)
        const downstreamSaw = (yield* response.json) as { sub: string; aud: string; idp: string }
        return { user: user.claims.sub ?? "", downstreamSaw }
      }).pipe(Effect.orDie)))
  return HttpApiBuilder.serve().pipe(
    Layer.provide(HttpApiBuilder.api(FrontendApi)),
    Layer.provide(GreetingLive),
    Layer.provide(Authentication.layer({ identityProvider: "idporten" })),
    Layer.provide(introspection),
    Layer.provide(Exchange),
    Layer.provide(FetchHttpClient.layer)
  )
}

const servers = Effect.gen(function*() {
  const downstream = yield* listen(HttpServer.serve(downstreamApp).pipe(Layer.provide(Introspection)))
  const frontend = yield* listen(frontendLayer(downstream, Introspection))
  return { downstream, frontend }
})

const get = (url: string, token?: string) =>
  Effect.promise(() => fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }))

const idportenUser = (subject: string, expiresIn: "1 hour" | "-2 minutes" = "1 hour") =>
  Effect.promise(() => emulator.issueUserToken({ provider: "idporten", subject, expiresIn }))

describe("inbound: HttpApi middleware and requireUser", () => {
  it.scoped("a valid user reaches the handler, which calls downstream on the user's behalf", () =>
    Effect.gen(function*() {
      const { frontend } = yield* servers
      const response = yield* get(`${frontend}/api/greeting`, yield* idportenUser("user-a"))
      expect(response.status).toBe(200)
      expect(yield* Effect.promise(() => response.json())).toEqual({
        user: "user-a",
        downstreamSaw: { sub: "user-a", aud: "dev-gcp:team:downstream", idp: emulator.issuer("idporten") }
      })
      expect(emulator.stats()).toMatchObject({ exchangeRequests: 1, introspectionRequests: 2 })
    }))

  it.scoped("concurrent users each reach downstream as themselves", () =>
    Effect.gen(function*() {
      const { frontend } = yield* servers
      const users = Array.from({ length: 20 }, (_, i) => `user-${i % 5}`)
      const seen = yield* Effect.all(
        users.map((user) =>
          Effect.flatMap(idportenUser(user), (token) =>
            Effect.flatMap(get(`${frontend}/api/greeting`, token), (r) => Effect.promise(() => r.json() as Promise<{ downstreamSaw: { sub: string } }>)))
        ),
        { concurrency: "unbounded" }
      )
      expect(seen.map((answer) => answer.downstreamSaw.sub)).toEqual(users)
    }))

  it.scoped("401 for a missing, expired, tampered or wrong-provider token, at both kinds of server", () =>
    Effect.gen(function*() {
      const { downstream, frontend } = yield* servers
      const valid = yield* idportenUser("user-a")
      const expired = yield* idportenUser("user-a", "-2 minutes")
      const statuses: Array<number> = []
      for (const token of [undefined, expired, `${valid}x`, "not-a-jwt"]) {
        statuses.push((yield* get(`${frontend}/api/greeting`, token)).status)
        statuses.push((yield* get(`${downstream}/api/whoami`, token)).status)
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401])
      // An ID-porten token is not a TokenX token: downstream refuses it.
      const direct = yield* get(`${downstream}/api/whoami`, valid)
      expect(direct.status).toBe(401)
      expect(direct.headers.get("www-authenticate")).toMatch(/^Bearer /)
      expect(emulator.stats().exchangeRequests).toBe(0)
    }))

  it.scoped("only `Bearer <token>` authenticates, at both kinds of server: not Basic, DPoP or any 7 characters", () =>
    Effect.gen(function*() {
      const { downstream, frontend } = yield* servers
      const valid = yield* idportenUser("user-a")
      const raw = (url: string, authorization: string) => Effect.promise(() => fetch(url, { headers: { authorization } }))
      for (const header of [`Basic  ${valid}`, `DPoP   ${valid}`, `xxxxxxx${valid}`, `Bearer  ${valid}`]) {
        expect((yield* raw(`${frontend}/api/greeting`, header)).status).toBe(401)
        expect((yield* raw(`${downstream}/api/whoami`, header)).status).toBe(401)
      }
      expect(emulator.stats().introspectionRequests).toBe(0)
      // RFC 6750 §3: a 401 says how to authenticate, at both kinds of server.
      for (const url of [`${frontend}/api/greeting`, `${downstream}/api/whoami`]) {
        expect((yield* raw(url, `Basic ${valid}`)).headers.get("www-authenticate")).toBe('Bearer error="invalid_token", error_description="missing bearer token"')
        expect((yield* get(url, "not-a-jwt")).headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token"/)
      }
      // The scheme is case-insensitive (RFC 6750 §2.1 via RFC 7235).
      expect((yield* raw(`${frontend}/api/greeting`, `bearer ${valid}`)).status).toBe(200)
    }))

  it.scopedLive("503, not 401, when the sidecar cannot be asked", () =>
    Effect.gen(function*() {
      const gone = yield* Effect.promise(() => startTexasEmulator())
      yield* Effect.promise(() => gone.close())
      const unreachable = TokenIntrospection.layer({
        endpoint: `${gone.url}/api/v1/introspect`,
        retrySchedule: undefined,
        timeout: "1 second"
      }).pipe(Layer.provide(FetchHttpClient.layer))
      const frontend = yield* listen(frontendLayer("http://127.0.0.1:9", unreachable))
      const downstream = yield* listen(HttpServer.serve(downstreamApp).pipe(Layer.provide(unreachable)))
      const token = yield* idportenUser("user-a")
      expect((yield* get(`${frontend}/api/greeting`, token)).status).toBe(503)
      expect((yield* get(`${downstream}/api/whoami`, token)).status).toBe(503)
    }))
})

describe("outbound: authenticateOnBehalfOf", () => {
  it.effect("a 401 from the API exchanges anew with skip_cache and replays once", () =>
    Effect.gen(function*() {
      const api = yield* Effect.promise(() => startProtectedApi(emulator))
      const user = yield* idportenUser("user-a")
      const client = (yield* HttpClient.HttpClient).pipe(
        authenticateOnBehalfOf({ identityProvider: "tokenx", target: "dev-gcp:team:api", allowedOrigins: [api.url] })
      )
      const withUser = Effect.provideService(CurrentUser, { token: Redacted.make(user), claims: {} })
      expect((yield* withUser(client.get(`${api.url}/api/hello`))).status).toBe(200)
      api.rejectNext(1)
      expect((yield* withUser(client.get(`${api.url}/api/hello`))).status).toBe(200)
      const exchanges = emulator.requests().filter((r) => r.path === "/api/v1/token/exchange")
      expect(exchanges.map((r) => r.body?.["skip_cache"])).toEqual([undefined, true])
      expect(api.requests().map((r) => r.answer)).toEqual([200, 401, 200])
      // Another origin: refused before anything is exchanged.
      emulator.reset()
      const error = yield* Effect.flip(withUser(client.get("http://127.0.0.1:9/x")))
      expect(error._tag).toBe("OriginNotAllowed")
      expect(emulator.stats().exchangeRequests).toBe(0)
      yield* Effect.promise(() => api.close())
    }).pipe(Effect.provide(Exchange), Effect.provide(FetchHttpClient.layer)))
})

describe("inbound policy types", () => {
  it("Maskinporten needs require.scopes, and a provider's options are its own (type errors, checked by tsc)", () => {
    // @ts-expect-error: the sidecar checks no audience for Maskinporten tokens, so scopes are required
    const missing: AccessOptions = { identityProvider: "maskinporten" }
    // @ts-expect-error: Entra ID tokens carry no consumer organisation
    const stray: AccessOptions = { identityProvider: "entra_id", require: { consumers: ["889640782"] } }
    const fine: AccessOptions = { identityProvider: "maskinporten", require: { scopes: ["nav:api/read"], check: (claims) => claims.consumer?.ID === "0192:889640782" } }
    expect([missing, stray, fine].map((options) => options.identityProvider)).toEqual(["maskinporten", "entra_id", "maskinporten"])
  })
})
