/**
 * requireUser and Authentication (Effect 4) served over loopback by the Node
 * HTTP server, introspecting at the emulator.
 */
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { CurrentUser, TokenIntrospection } from "@effect-texas/core"
import { type AccessOptions, Authentication, requireUser } from "@effect-texas/http-server"
import { startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServer from "effect/http/HttpServer"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import { createServer } from "node:http"
import { afterAll, afterEach, beforeAll } from "vitest"

let emulator: TexasEmulatorHandle
beforeAll(async () => {
  emulator = await startTexasEmulator()
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

const Introspection = Layer.suspend(() =>
  TokenIntrospection.layer({ endpoint: `${emulator.url}/api/v1/introspect` }).pipe(Layer.provide(FetchHttpClient.layer))
)

const me = Effect.map(CurrentUser, (user) => HttpServerResponse.text(String(user.claims.sub)))
const Routes = HttpRouter.add("GET", "/api/me", me.pipe(requireUser({ identityProvider: "idporten" })))

const Api = HttpApi.make("api").add(
  HttpApiGroup.make("users").add(HttpApiEndpoint.get("me", "/me", { success: Schema.String })).middleware(Authentication)
)
const UsersLive = HttpApiBuilder.group(Api, "users", (handlers) =>
  handlers.handle("me", () => Effect.map(CurrentUser, (user) => String(user.claims.sub))))
const ApiRoutes = HttpApiBuilder.layer(Api).pipe(Layer.provide(UsersLive), Layer.provide(Authentication.layer({ identityProvider: "idporten" })))

/** Serves `app` on a free loopback port for the rest of the test's scope and gives its base URL. */
const serving = <E, R>(app: Layer.Layer<never, E, R>) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(
      HttpRouter.serve(app, { disableLogger: true, disableListenLog: true }).pipe(
        Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
        Layer.provide(Introspection)
      )
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    return "port" in address ? `http://127.0.0.1:${address.port}` : ""
  })

const call = (url: string, authorization?: string) =>
  Effect.promise(() => fetch(url, { headers: authorization === undefined ? {} : { authorization } }))

describe.each([["requireUser", Routes, "/api/me"], ["Authentication", ApiRoutes, "/me"]] as const)("%s (Effect 4)", (_name, app, path) => {
  it.live("lets an active token's user in, and refuses the rest with 401 and a challenge", () =>
    Effect.scoped(Effect.gen(function*() {
      const base = yield* serving(app as Layer.Layer<never, never, never>)
      const token = yield* Effect.promise(() => emulator.issueUserToken({ provider: "idporten", subject: "someone" }))
      const ok = yield* call(`${base}${path}`, `Bearer ${token}`)
      expect(ok.status).toBe(200)
      expect(yield* Effect.promise(() => ok.text())).toContain("someone")
      const none = yield* call(`${base}${path}`)
      expect(none.status).toBe(401)
      expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/)
      const expired = yield* Effect.promise(() => emulator.issueUserToken({ provider: "idporten", expiresIn: "-5 minutes" }))
      const refused = yield* call(`${base}${path}`, `Bearer ${expired}`)
      expect(refused.status).toBe(401)
      expect(refused.headers.get("www-authenticate")).toContain("token is not active")
      const basic = yield* call(`${base}${path}`, `Basic  ${token}`)
      expect(basic.status).toBe(401)
    })))
})

describe("inbound policy types (Effect 4)", () => {
  it("Maskinporten needs require.scopes, and a provider's options are its own (type errors, checked by tsc)", () => {
    // @ts-expect-error: the sidecar checks no audience for Maskinporten tokens, so scopes are required
    const missing: AccessOptions = { identityProvider: "maskinporten" }
    // @ts-expect-error: Entra ID tokens carry no consumer organisation
    const stray: AccessOptions = { identityProvider: "entra_id", require: { consumers: ["889640782"] } }
    const fine: AccessOptions = { identityProvider: "maskinporten", require: { scopes: ["nav:api/read"], check: (claims) => claims.consumer?.ID === "0192:889640782" } }
    expect([missing, stray, fine].map((options) => options.identityProvider)).toEqual(["maskinporten", "entra_id", "maskinporten"])
  })
})
