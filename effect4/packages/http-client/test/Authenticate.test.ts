/**
 * authenticate (Effect 4) against the emulator and its protected API over loopback.
 */
import { describe, expect, it } from "@effect/vitest"
import { CurrentUser, TokenExchange, TokenService } from "@effect-texas/core"
import { AuthenticatedClient, authenticateOnBehalfOf } from "@effect-texas/http-client"
import { type ProtectedApiHandle, startProtectedApi, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiClient from "effect/http-api/HttpApiClient"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import { afterAll, afterEach, beforeAll } from "vitest"

const scope = "skatt:some.scope"
let emulator: TexasEmulatorHandle
let api: ProtectedApiHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: [scope] })
  api = await startProtectedApi(emulator, { requiredScope: scope })
})
afterEach(() => {
  emulator.reset()
  api.reset()
})
afterAll(async () => {
  await api.close()
  await emulator.close()
})

const Live = Layer.suspend(() => TokenService.layer({ endpoint: emulator.tokenEndpoint })).pipe(Layer.provideMerge(FetchHttpClient.layer))
const tokenRequests = () => emulator.requests().filter((r) => r.path === "/api/v1/token")

// The token on requests, 401 renewals, refused origins and redirects: pinned for both lines in
// ../behaviour/outbound.test.ts (run here through behaviour/driver.ts).

describe("AuthenticatedClient.transformClient with HttpApiClient (Effect 4)", () => {
  it.effect("a typed API client carries the token; another origin is an HttpClientError caused by OriginNotAllowed", () =>
    Effect.gen(function*() {
      class Api extends HttpApi.make("protected").add(
        HttpApiGroup.make("hello").add(
          HttpApiEndpoint.get("hello", "/api/hello", { success: Schema.Struct({ path: Schema.String, scope: Schema.String }) })
        )
      ) {}
      const tokens = yield* TokenService
      const options = { identityProvider: "maskinporten", target: scope, allowedOrigins: [api.url] } as const
      const typed = yield* HttpApiClient.make(Api, { baseUrl: api.url, transformClient: AuthenticatedClient.transformClient(tokens, options) })
      expect(yield* typed.hello.hello()).toEqual({ path: "/api/hello", scope })

      const misdirected = yield* HttpApiClient.make(Api, {
        baseUrl: "https://elsewhere.example",
        transformClient: AuthenticatedClient.transformClient(tokens, options)
      })
      const error = yield* Effect.flip(misdirected.hello.hello())
      expect(error._tag).toBe("HttpClientError")
      if (error._tag === "HttpClientError") expect((error.reason.cause as { readonly _tag: string })._tag).toBe("OriginNotAllowed")
      expect(tokenRequests()).toHaveLength(1)
    }).pipe(Effect.provide(Live)))
})

describe("authenticateOnBehalfOf (Effect 4)", () => {
  it.effect("exchanges the current user's token for the downstream call, once per user and target", () =>
    Effect.gen(function*() {
      // The downstream application: any valid token from the emulator, no scope required.
      const downstream = yield* Effect.acquireRelease(Effect.promise(() => startProtectedApi(emulator)), (server) => Effect.promise(() => server.close()))
      const userToken = yield* Effect.promise(() => emulator.issueUserToken({ provider: "tokenx", subject: "someone" }))
      const http = (yield* HttpClient.HttpClient).pipe(
        authenticateOnBehalfOf({ identityProvider: "tokenx", target: "dev-gcp:team:api", allowedOrigins: [downstream.url] })
      )
      const call = http.get(`${downstream.url}/api/accounts`).pipe(Effect.provideService(CurrentUser, { token: Redacted.make(userToken), claims: { sub: "someone" } }))
      expect((yield* call).status).toBe(200)
      expect((yield* call).status).toBe(200)
      expect(emulator.requests().filter((r) => r.path === "/api/v1/token/exchange")).toHaveLength(1)
      expect(downstream.requests().map((r) => r.authorization)).toEqual(["bearer", "bearer"])
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.suspend(() => TokenExchange.layer({ endpoint: `${emulator.url}/api/v1/token/exchange` }))),
      Effect.provide(FetchHttpClient.layer)
    ))
})
