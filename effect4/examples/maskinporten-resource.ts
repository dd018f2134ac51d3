/**
 * Maskinporten with `resource` on Effect 4: an audience-restricted token
 * (RFC 8707) for an API that only accepts tokens minted for it
 * (`npx tsx examples/maskinporten-resource.ts` in `effect4/`).
 *
 * The API here checks that the token's audience is its own URL; a token
 * without `resource` would be refused. Runs against the embedded emulator.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Maskinporten, TokenService } from "@effect-texas/core"
import { authenticate } from "@effect-texas/http-client"
import { ProtectedApi, TexasEmulator } from "@effect-texas/testkit"
import { Console, Effect, Layer, Redacted } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import * as Jose from "jose"

const scope = "skatt:some.scope"
const audience = "https://skatt.example.com/api"

const program = Effect.gen(function*() {
  const api = yield* ProtectedApi

  // 1. The token itself: its audience is the resource asked for.
  const token = yield* Maskinporten.token(scope, { resource: audience })
  const claims = Jose.decodeJwt(Redacted.value(token.accessToken))
  yield* Console.log(`1. token for ${scope} with aud=${String(claims.aud)}`)

  // 2. The same through the middleware: every request gets the audience-restricted token.
  const client = (yield* HttpClient.HttpClient).pipe(
    authenticate({ identityProvider: "maskinporten", target: scope, resource: audience, allowedOrigins: [api.url] }),
    HttpClient.mapRequest(HttpClientRequest.prependUrl(api.url))
  )
  const accepted = yield* client.get("/api/hello")
  yield* Console.log(`2. with resource: ${accepted.status}`)

  // 3. Without resource the API refuses the token: the audience does not match.
  const plain = (yield* HttpClient.HttpClient).pipe(
    authenticate({ identityProvider: "maskinporten", target: scope, allowedOrigins: [api.url] }),
    HttpClient.mapRequest(HttpClientRequest.prependUrl(api.url))
  )
  const refused = yield* plain.get("/api/hello")
  yield* Console.log(`3. without resource: ${refused.status} (refused, as it should be)`)
  if (accepted.status !== 200 || refused.status !== 401) return yield* Effect.die(new Error("unexpected answers"))
})

const Embedded = Layer.unwrap(
  Effect.gen(function*() {
    const emulator = yield* TexasEmulator
    return TokenService.layer({ endpoint: emulator.tokenEndpoint })
  })
).pipe(
  Layer.provideMerge(ProtectedApi.layer({ requiredScope: scope, audience })),
  Layer.provideMerge(TexasEmulator.layer({ grantedScopes: [scope] }))
)

program.pipe(Effect.provide(Embedded), Effect.provide(FetchHttpClient.layer), NodeRuntime.runMain)
