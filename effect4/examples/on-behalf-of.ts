/**
 * An app on Effect 4 that validates its callers and calls a downstream API on
 * their behalf (`npx tsx examples/on-behalf-of.ts` in `effect4/`):
 *
 *   caller --(ID-porten token)--> frontend (HttpApi + Authentication)
 *          --(TokenX token for the same user)--> downstream (HttpRouter + requireUser)
 *
 * Everything runs on loopback against the embedded Texas emulator, which
 * plays ID-porten (it signs the caller's token) and the sidecar (introspection
 * and exchange). On NAIS, the same code reads NAIS_TOKEN_INTROSPECTION_ENDPOINT
 * and NAIS_TOKEN_EXCHANGE_ENDPOINT through `layerConfig()`.
 */
import * as Http from "node:http"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { CurrentUser, TokenExchange, TokenIntrospection } from "@effect-texas/core"
import { authenticateOnBehalfOf } from "@effect-texas/http-client"
import { Authentication, requireUser } from "@effect-texas/http-server"
import { TexasEmulator } from "@effect-texas/testkit"
import { Console, Context, Effect, Layer, Schema } from "effect"
import { FetchHttpClient, HttpClient, HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup } from "effect/http-api"

// ---- downstream: accepts TokenX tokens only, says whom it saw ---------------------------

const downstream = HttpRouter.add(
  "GET",
  "/api/accounts",
  Effect.flatMap(Effect.service(CurrentUser), (user) => HttpServerResponse.json({ owner: user.claims.sub, accounts: ["1234.56.78901"] })).pipe(
    requireUser({ identityProvider: "tokenx" })
  )
)

// ---- frontend: accepts ID-porten tokens, calls downstream as the user --------------------

const MyAccounts = Schema.Struct({ owner: Schema.String, accounts: Schema.Array(Schema.String) })
const FrontendApi = HttpApi.make("frontend").add(
  HttpApiGroup.make("accounts")
    .add(HttpApiEndpoint.get("mine", "/api/my-accounts", { success: MyAccounts }))
    .middleware(Authentication)
)

const AccountsLive = (downstreamUrl: string) =>
  HttpApiBuilder.group(FrontendApi, "accounts", (handlers) =>
    handlers.handle("mine", () =>
      Effect.gen(function*() {
        const client = (yield* HttpClient.HttpClient).pipe(
          authenticateOnBehalfOf({ identityProvider: "tokenx", target: "dev-gcp:bank:accounts", allowedOrigins: [downstreamUrl] }),
          HttpClient.filterStatusOk
        )
        const response = yield* client.get(`${downstreamUrl}/api/accounts`)
        return (yield* response.json) as typeof MyAccounts.Type
      }).pipe(Effect.orDie)))

// ---- wiring -----------------------------------------------------------------------------

/** Listens on a free loopback port with a served app and returns its URL. */
const listen = <E, R>(served: Layer.Layer<never, E, R>) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(
      Layer.provideMerge(served, NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" }))
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    return "port" in address ? `http://127.0.0.1:${address.port}` : ""
  })

const options = { disableListenLog: true, disableLogger: true }

const program = Effect.gen(function*() {
  const emulator = yield* TexasEmulator
  const sidecar = Layer.mergeAll(
    TokenIntrospection.layer({ endpoint: `${emulator.url}/api/v1/introspect` }),
    TokenExchange.layer({ endpoint: `${emulator.url}/api/v1/token/exchange` })
  ).pipe(Layer.provideMerge(FetchHttpClient.layer))

  // On Effect 4 the handlers take their services from the served app: provide them after serve.
  const downstreamUrl = yield* listen(HttpRouter.serve(downstream, options).pipe(Layer.provide(sidecar)))
  const frontend = HttpApiBuilder.layer(FrontendApi).pipe(
    Layer.provide(AccountsLive(downstreamUrl)),
    Layer.provide(Authentication.layer({ identityProvider: "idporten" }))
  )
  const frontendUrl = yield* listen(HttpRouter.serve(frontend, options).pipe(Layer.provide(sidecar)))
  yield* Console.log(`frontend ${frontendUrl}, downstream ${downstreamUrl}, emulator ${emulator.url}`)

  const call = (label: string, token: string | undefined) =>
    Effect.gen(function*() {
      const response = yield* Effect.promise(() =>
        fetch(`${frontendUrl}/api/my-accounts`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
      )
      yield* Console.log(`${label}: ${response.status} ${yield* Effect.promise(() => response.text())}`)
      return response.status
    })

  const alice = yield* emulator.issueUserToken({ provider: "idporten", subject: "alice", claims: { pid: "12345678910" } })
  const expired = yield* emulator.issueUserToken({ provider: "idporten", subject: "bob", expiresIn: "-2 minutes" })
  const statuses = [
    yield* call("1. alice, logged in with ID-porten", alice),
    yield* call("2. alice again (exchange served from cache)", alice),
    yield* call("3. bob, with an expired token", expired),
    yield* call("4. no token at all", undefined)
  ]
  const stats = yield* emulator.stats
  yield* Console.log(`sidecar saw ${stats.introspectionRequests} introspections and ${stats.exchangeRequests} exchange(s)`)
  if (statuses.join(",") !== "200,200,401,401") return yield* Effect.die(new Error(`unexpected answers: ${statuses.join(", ")}`))
})

program.pipe(
  Effect.scoped,
  // One emulator stands in for both apps' sidecars: ID-porten tokens are meant for the frontend (the
  // default client id), TokenX tokens for the downstream app, which requires its own client id as `aud`.
  Effect.provide(TexasEmulator.layer({ providers: { tokenx: { clientId: "dev-gcp:bank:accounts" } } })),
  NodeRuntime.runMain
)
