/**
 * An app that validates its callers and calls a downstream API on their
 * behalf (`npx tsx examples/on-behalf-of.ts`):
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
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { CurrentUser, TokenExchange, TokenIntrospection } from "@effect-texas/core"
import { authenticateOnBehalfOf } from "@effect-texas/http-client"
import { Authentication, requireUser } from "@effect-texas/http-server"
import { TexasEmulator } from "@effect-texas/testkit"
import { Console, Context, Effect, Layer, Schema } from "effect"

// ---- downstream: accepts TokenX tokens only, says whom it saw ---------------------------

const downstream = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/api/accounts",
    requireUser({ identityProvider: "tokenx" })(
      Effect.flatMap(CurrentUser, (user) => HttpServerResponse.json({ owner: user.claims.sub, accounts: ["1234.56.78901"] }))
    )
  )
)

// ---- frontend: accepts ID-porten tokens, calls downstream as the user --------------------

class Accounts extends HttpApiGroup.make("accounts")
  .add(
    HttpApiEndpoint.get("mine", "/api/my-accounts").addSuccess(
      Schema.Struct({ owner: Schema.String, accounts: Schema.Array(Schema.String) })
    )
  )
  .middleware(Authentication)
{}
class FrontendApi extends HttpApi.make("frontend").add(Accounts) {}

const AccountsLive = (downstreamUrl: string) =>
  HttpApiBuilder.group(FrontendApi, "accounts", (handlers) =>
    handlers.handle("mine", () =>
      Effect.gen(function*() {
        const client = (yield* HttpClient.HttpClient).pipe(
          authenticateOnBehalfOf({ identityProvider: "tokenx", target: "dev-gcp:bank:accounts", allowedOrigins: [downstreamUrl] }),
          HttpClient.filterStatusOk
        )
        const response = yield* client.get(`${downstreamUrl}/api/accounts`)
        return (yield* response.json) as { owner: string; accounts: Array<string> }
      }).pipe(Effect.orDie)))

// ---- wiring -----------------------------------------------------------------------------

/** Serves `app` on a free loopback port and returns its URL. */
const listen = <E, R>(app: Layer.Layer<never, E, R | HttpServer.HttpServer>) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(
      Layer.provideMerge(app, NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" }))
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    return address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : ""
  })

const program = Effect.gen(function*() {
  const emulator = yield* TexasEmulator
  const sidecar = Layer.mergeAll(
    TokenIntrospection.layer({ endpoint: `${emulator.url}/api/v1/introspect` }),
    TokenExchange.layer({ endpoint: `${emulator.url}/api/v1/token/exchange` })
  ).pipe(Layer.provideMerge(FetchHttpClient.layer))

  const downstreamUrl = yield* listen(HttpServer.serve(downstream).pipe(Layer.provide(sidecar)))
  const frontendUrl = yield* listen(
    HttpApiBuilder.serve().pipe(
      Layer.provide(HttpApiBuilder.api(FrontendApi)),
      Layer.provide(AccountsLive(downstreamUrl)),
      Layer.provide(Authentication.layer({ identityProvider: "idporten" })),
      Layer.provide(sidecar)
    )
  )
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
