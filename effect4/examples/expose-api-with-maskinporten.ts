/**
 * An API exposed to other organisations with Maskinporten, on Effect 4
 * (`npx tsx examples/expose-api-with-maskinporten.ts` in `effect4/`): partners
 * call it with Maskinporten tokens for the scope `nav:api/read`, and only the
 * organisations named may.
 *
 * The sidecar checks no audience for Maskinporten tokens: any valid
 * Maskinporten token, issued to any organisation for any API's scope, is
 * "active". `requireUser` therefore requires `require.scopes` for
 * `maskinporten` (a type error without it), and checks every request's
 * claims: a token for another API's scope gets `403` with `WWW-Authenticate:
 * Bearer error="insufficient_scope"`, another organisation's token a plain
 * `403`, a missing or expired one `401`.
 *
 * Everything runs on loopback against the embedded Texas emulator, which plays
 * Maskinporten (it signs the partners' tokens) and the sidecar (introspection).
 * On NAIS, `TokenIntrospection.layerConfig()` reads NAIS_TOKEN_INTROSPECTION_ENDPOINT,
 * and the scope is exposed in the manifest (`spec.maskinporten.scopes.exposes`).
 */
import * as Http from "node:http"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { CurrentUser, TokenIntrospection } from "@effect-texas/core"
import { requireUser } from "@effect-texas/http-server"
import { TexasEmulator } from "@effect-texas/testkit"
import { Console, Context, Effect, Layer } from "effect"
import { FetchHttpClient, HttpRouter, HttpServer, HttpServerResponse } from "effect/http"

// ---- the API: nav:api/read, for two partner organisations --------------------------------

const partners = ["889640782", "974761076"]

const api = HttpRouter.add(
  "GET",
  "/api/reports",
  // The claims are typed: `consumer.ID` is the calling organisation, `0192:<orgno>`.
  Effect.flatMap(Effect.service(CurrentUser), (user) => HttpServerResponse.json({ for: user.claims.consumer?.ID, reports: ["2026-Q3"] })).pipe(
    requireUser({ identityProvider: "maskinporten", require: { scopes: ["nav:api/read"], consumers: partners } })
  )
)

// ---- wiring -----------------------------------------------------------------------------

const program = Effect.gen(function*() {
  const emulator = yield* TexasEmulator
  const sidecar = TokenIntrospection.layer({ endpoint: `${emulator.url}/api/v1/introspect` }).pipe(Layer.provide(FetchHttpClient.layer))
  const context = yield* Layer.build(
    HttpRouter.serve(api, { disableListenLog: true, disableLogger: true }).pipe(
      Layer.provide(sidecar),
      Layer.provideMerge(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" }))
    )
  )
  const address = Context.get(context, HttpServer.HttpServer).address
  const url = "port" in address ? `http://127.0.0.1:${address.port}/api/reports` : ""

  const call = (label: string, token: string | undefined) =>
    Effect.gen(function*() {
      const response = yield* Effect.promise(() => fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }))
      const challenge = response.headers.get("www-authenticate")
      yield* Console.log(`${label}: ${response.status}${challenge === null ? "" : ` (${challenge})`} ${yield* Effect.promise(() => response.text())}`)
      return response.status
    })

  // The emulator signs Maskinporten tokens as Maskinporten shapes them (scope, consumer, client_id, client_amr).
  const partner = yield* emulator.issueUserToken({ provider: "maskinporten", scope: "nav:api/read", consumer: "889640782" })
  const otherApi = yield* emulator.issueUserToken({ provider: "maskinporten", scope: "skatt:something", consumer: "889640782" })
  const stranger = yield* emulator.issueUserToken({ provider: "maskinporten", scope: "nav:api/read", consumer: "910825496" })
  const statuses = [
    yield* call("1. a partner, token for nav:api/read", partner),
    yield* call("2. the same partner, token for another API's scope", otherApi),
    yield* call("3. another organisation, token for nav:api/read", stranger),
    yield* call("4. no token", undefined)
  ]
  if (statuses.join(",") !== "200,403,403,401") return yield* Effect.die(new Error(`unexpected answers: ${statuses.join(", ")}`))
})

program.pipe(Effect.scoped, Effect.provide(TexasEmulator.layer()), NodeRuntime.runMain)
