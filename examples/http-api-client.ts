/**
 * A typed client for an API described with `HttpApi`, authenticated by the
 * middleware through `transformClient` (`npx tsx examples/http-api-client.ts`).
 * Runs against the embedded emulator and its protected API.
 */
import { FetchHttpClient, HttpApi, HttpApiClient, HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { TokenService } from "@effect-texas/core"
import { AuthenticatedClient } from "@effect-texas/http-client"
import { ProtectedApi, TexasEmulator } from "@effect-texas/testkit"
import { Console, Effect, Layer, Schema } from "effect"

const scope = "skatt:some.scope"

// The API's contract, as its provider publishes it (or as you write it down).
class Hello extends HttpApiGroup.make("hello").add(
  HttpApiEndpoint.get("hello", "/api/hello").addSuccess(Schema.Struct({ path: Schema.String, scope: Schema.String }))
) {}
class SkattApi extends HttpApi.make("skatt").add(Hello) {}

const program = Effect.gen(function*() {
  const api = yield* ProtectedApi
  const tokens = yield* TokenService
  const client = yield* HttpApiClient.make(SkattApi, {
    baseUrl: api.url,
    transformClient: AuthenticatedClient.transformClient(tokens, {
      identityProvider: "maskinporten",
      target: scope,
      allowedOrigins: [api.url]
    })
  })
  const answer = yield* client.hello.hello()
  yield* Console.log(`1. typed answer: ${JSON.stringify(answer)}`)
  const again = yield* client.hello.hello()
  yield* Console.log(`2. again (token from cache): ${again.path}`)
})

const Embedded = Layer.unwrapEffect(
  Effect.map(TexasEmulator, (emulator) => TokenService.layer({ endpoint: emulator.tokenEndpoint }))
).pipe(
  Layer.provideMerge(ProtectedApi.layer({ requiredScope: scope })),
  Layer.provideMerge(TexasEmulator.layer({ grantedScopes: [scope] }))
)

program.pipe(Effect.provide(Embedded), Effect.provide(FetchHttpClient.layer), NodeRuntime.runMain)
