/**
 * Your API, run on your machine against the emulator command (`npx tsx examples/local-api.ts`):
 * the set-up the "Protecting your API" guide calls with `curl` and tokens from
 * `npx effect-texas-emulator token maskinporten …`.
 *
 * - `GET /api/reports` takes Maskinporten tokens for `nav:api/read` from one partner: 200, a
 *   token for another scope 403 (`insufficient_scope`), no or a bad token 401.
 * - `GET /api/upstream` asks the sidecar for a machine token, as an API that calls another does:
 *   the emulator's page shows the request, and its fault controls make it fail.
 *
 * With the variables `npx effect-texas-emulator` prints exported (`NAIS_TOKEN_ENDPOINT`,
 * `NAIS_TOKEN_INTROSPECTION_ENDPOINT`), it serves on `PORT` (default 8080) until Ctrl-C, the
 * same layers as on NAIS (`layerConfig`). Without them, it starts the embedded emulator, calls
 * itself once each way, and stops.
 */
import * as Http from "node:http"
import { FetchHttpClient, HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { CurrentUser, Maskinporten, TokenIntrospection, TokenService } from "@effect-texas/core"
import { requireUser } from "@effect-texas/http-server"
import { TexasEmulator } from "@effect-texas/testkit"
import { Config, Console, Effect, Layer, type Scope } from "effect"

// ---- the API ------------------------------------------------------------------------------

const api = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/api/reports",
    requireUser({ identityProvider: "maskinporten", require: { scopes: ["nav:api/read"], consumers: ["889640782"] } })(
      Effect.flatMap(CurrentUser, (user) => HttpServerResponse.json({ for: user.claims.consumer?.ID, reports: ["2026-Q3"] }))
    )
  ),
  HttpRouter.get(
    "/api/upstream",
    Maskinporten.token("nav:upstream/read").pipe(
      Effect.as({ status: 200, body: { upstream: "got a token for nav:upstream/read" } }),
      // A typed failure, answered as the gateway error it is (its message names no token).
      Effect.catchAll((error) => Effect.succeed({ status: 502, body: { upstream: error._tag, message: error.message } })),
      Effect.flatMap(({ body, status }) => HttpServerResponse.json(body, { status }))
    )
  )
)

/** Serves the API on `port` and says where. */
const serve = (port: number) =>
  Layer.provideMerge(HttpServer.serve(api), NodeHttpServer.layer(() => Http.createServer(), { port, host: "127.0.0.1" }))

const address = Effect.map(HttpServer.HttpServer, (server) =>
  server.address._tag === "TcpAddress" ? `http://127.0.0.1:${server.address.port}` : String(server.address))

// ---- against the emulator command: the sidecar's variables, as on NAIS ----------------------

const local = Layer.unwrapEffect(
  Effect.map(Config.integer("PORT").pipe(Config.withDefault(8080)), (port) =>
    serve(port).pipe(
      Layer.provide(Layer.mergeAll(TokenIntrospection.layerConfig(), TokenService.layerConfig())),
      Layer.provide(FetchHttpClient.layer)
    ))
)

const serveLocally = Effect.gen(function*() {
  const context = yield* Layer.build(local)
  const url = yield* address.pipe(Effect.provide(context))
  yield* Console.log(`API listening on ${url} (GET /api/reports, GET /api/upstream); Ctrl-C stops it`)
  return yield* Effect.never
})

// ---- on its own: the embedded emulator, one call each way ----------------------------------

const selfCheck = Effect.gen(function*() {
  const emulator = yield* TexasEmulator
  const sidecar = Layer.mergeAll(
    TokenIntrospection.layer({ endpoint: `${emulator.url}/api/v1/introspect` }),
    TokenService.layer({ endpoint: emulator.tokenEndpoint })
  ).pipe(Layer.provide(FetchHttpClient.layer))
  const context = yield* Layer.build(serve(0).pipe(Layer.provide(sidecar)))
  const url = yield* address.pipe(Effect.provide(context))
  const call = (label: string, path: string, token?: string) =>
    Effect.promise(async () => {
      const response = await fetch(`${url}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
      return `${label}: ${response.status}`
    }).pipe(Effect.tap(Console.log))
  const partner = yield* emulator.issueUserToken({ provider: "maskinporten", scope: "nav:api/read", consumer: "889640782" })
  const otherScope = yield* emulator.issueUserToken({ provider: "maskinporten", scope: "nav:other/read", consumer: "889640782" })
  const lines = [
    yield* call("reports, a partner's token", "/api/reports", partner),
    yield* call("reports, a token for another scope", "/api/reports", otherScope),
    yield* call("reports, no token", "/api/reports"),
    yield* call("upstream", "/api/upstream")
  ]
  if (lines.map((line) => line.slice(-3)).join(",") !== "200,403,401,200") return yield* Effect.die(new Error(`unexpected: ${lines.join("; ")}`))
}).pipe(Effect.provide(TexasEmulator.layer()))

const main: Effect.Effect<void, unknown, Scope.Scope> = process.env["NAIS_TOKEN_INTROSPECTION_ENDPOINT"] === undefined ? selfCheck : serveLocally

main.pipe(Effect.scoped, NodeRuntime.runMain)
