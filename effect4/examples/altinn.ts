/**
 * Altinn 3 on Effect 4 (`npx tsx examples/altinn.ts` in `effect4/`): act as an
 * organisation's system user, exchange the Maskinporten token for an Altinn
 * token, and call an API that takes Altinn tokens only, all against the
 * emulators on loopback.
 *
 * In production: `TokenService.layerConfig()` and `AltinnToken.layerConfig()`
 * with `ALTINN_PLATFORM_URL=tt02` (or `production`), and the Altinn API's
 * origin in `allowedOrigins`.
 */
import { NodeRuntime } from "@effect/platform-node"
import { AltinnToken, authenticateAltinn, systemUser } from "@effect-texas/altinn"
import { TokenService } from "@effect-texas/core"
import { AltinnEmulator, ProtectedApi, TexasEmulator } from "@effect-texas/testkit"
import { Console, DateTime, Effect, Layer } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"

const scope = "altinn:systembruker.demo"

const program = Effect.gen(function*() {
  const api = yield* ProtectedApi

  // 1. The system user an organisation has set up for this system: refused at once if the number is wrong.
  const detail = yield* systemUser({ organization: "313367002", systemId: "991825827_smartcloud" })
  yield* Console.log(`1. acting as the system user of ${detail.systemuser_org.ID}`)

  // 2. The Altinn token: a Maskinporten token with the details, exchanged at Altinn, cached until its exp.
  const token = yield* AltinnToken.use((altinn) => altinn.token({ scopes: scope, authorizationDetails: [detail] }))
  yield* Console.log(`2. Altinn token until ${DateTime.formatIso(token.expiresAt)}`)

  // 3. An API that accepts Altinn tokens only, through the middleware.
  const client = (yield* HttpClient.HttpClient).pipe(
    authenticateAltinn({ scopes: scope, authorizationDetails: [detail], allowedOrigins: [api.url] }),
    HttpClient.mapRequest(HttpClientRequest.prependUrl(api.url)),
    HttpClient.filterStatusOk
  )
  const response = yield* client.get("/correspondence/api/v1/correspondence")
  yield* Console.log(`3. GET /correspondence/api/v1/correspondence -> ${response.status} ${yield* response.text}`)
})

/** The Texas and Altinn emulators, and an API that trusts the Altinn emulator's tokens only. */
const Emulators = Layer.unwrap(
  Effect.gen(function*() {
    const texas = yield* TexasEmulator
    const altinn = yield* AltinnEmulator
    const services = AltinnToken.layer({ platformUrl: altinn.url }).pipe(
      Layer.provideMerge(TokenService.layer({ endpoint: texas.tokenEndpoint }))
    )
    const api = ProtectedApi.layer({ jwks: altinn.jwks, issuer: altinn.issuer, requiredScope: scope })
    return Layer.merge(services, api)
  })
).pipe(Layer.provideMerge(AltinnEmulator.layer()), Layer.provideMerge(TexasEmulator.layer({ grantedScopes: [scope] })))

program.pipe(Effect.provide(Emulators), Effect.provide(FetchHttpClient.layer), NodeRuntime.runMain)
