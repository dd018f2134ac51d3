/**
 * Entra ID machine-to-machine on Effect 4: a token for another application in
 * the cluster, addressed as `api://<cluster>.<namespace>.<app>/.default`
 * (`npx tsx examples/entra-id.ts` in `effect4/`). Runs against the embedded emulator.
 */
import { NodeRuntime } from "@effect/platform-node"
import { EntraId, TokenService } from "@effect-texas/core"
import { authenticate } from "@effect-texas/http-client"
import { ProtectedApi, TexasEmulator } from "@effect-texas/testkit"
import { Console, DateTime, Effect, Layer } from "effect"
import { FetchHttpClient, HttpClient } from "effect/http"

const target = "api://dev-gcp.team.other-app/.default"

const program = Effect.gen(function*() {
  const api = yield* ProtectedApi
  const token = yield* EntraId.token(target)
  yield* Console.log(`1. Entra ID token for ${target}, expires at ${DateTime.formatIso(token.expiresAt)}`)

  const client = (yield* HttpClient.HttpClient).pipe(
    authenticate({ identityProvider: "entra_id", target, allowedOrigins: [api.url] })
  )
  const response = yield* client.get(`${api.url}/api/hello`)
  yield* Console.log(`2. GET ${api.url}/api/hello -> ${response.status}`)

  // A target that is not granted: a typed error, not a thrown exception.
  const refused = yield* Effect.flip(EntraId.token("api://dev-gcp.team.not-mine/.default"))
  yield* Console.log(`3. not granted: ${refused._tag} ${refused._tag === "TokenEndpointError" ? refused.error : ""}`)
  if (response.status !== 200) return yield* Effect.die(new Error("the API refused the token"))
})

const Embedded = Layer.unwrap(
  Effect.gen(function*() {
    const emulator = yield* TexasEmulator
    return TokenService.layer({ endpoint: emulator.tokenEndpoint })
  })
).pipe(
  // The API checks the audience Entra ID puts in the token: the target without `/.default`.
  Layer.provideMerge(ProtectedApi.layer({ audience: "api://dev-gcp.team.other-app" })),
  Layer.provideMerge(TexasEmulator.layer({ grantedScopes: [target] }))
)

program.pipe(Effect.provide(Embedded), Effect.provide(FetchHttpClient.layer), NodeRuntime.runMain)
