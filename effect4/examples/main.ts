/**
 * The main example on Effect 4 (`npm start` in `effect4/`): call an API
 * secured with Maskinporten without thinking about tokens.
 *
 * With NAIS_TOKEN_ENDPOINT unset it starts the Texas emulator and a
 * protected API on loopback; with it set it uses the real endpoint (set SCOPE
 * and, optionally, API_URL: the origin of an API that takes the scope's
 * tokens; the program calls its `/api/hello`, as the emulator command's API answers).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Maskinporten, TokenMetrics, TokenService } from "@effect-texas/core"
import { authenticate } from "@effect-texas/http-client"
import { ProtectedApi, TexasEmulator } from "@effect-texas/testkit"
import { Config, Console, Context, Duration, Effect, Layer, Metric, Option } from "effect"
import { FetchHttpClient, HttpClient } from "effect/http"

/** Where the example runs: the scope to ask for and the API to call, if any. */
class Setting extends Context.Service<Setting, {
  readonly scope: string
  readonly apiUrl: Option.Option<string>
}>()("examples/Setting") {}

const program = Effect.gen(function*() {
  const { apiUrl, scope } = yield* Setting

  const token = yield* Maskinporten.token(scope)
  yield* Console.log(`1. token acquired for ${scope}, expires in ${Duration.format(token.expiresIn)}`)

  const again = yield* Maskinporten.token(scope)
  const hits = (yield* Metric.value(TokenMetrics.cacheHits)).count
  yield* Console.log(`2. asked again: ${again === token ? "cache hit, no request" : "new token"} (${hits} hit)`)

  if (Option.isNone(apiUrl)) return yield* Console.log("3. API_URL is not set: no API called")
  const url = new URL("/api/hello", apiUrl.value)
  const client = (yield* HttpClient.HttpClient).pipe(
    authenticate({ identityProvider: "maskinporten", target: scope, allowedOrigins: [url.origin] })
  )
  const response = yield* client.get(url)
  yield* Console.log(`3. GET ${url.href} -> ${response.status} ${yield* response.text}`)
})

/** The emulator and a protected API on loopback, and a TokenService pointed at them. */
const Embedded = Layer.unwrap(
  Effect.gen(function*() {
    const emulator = yield* TexasEmulator
    const api = yield* ProtectedApi
    yield* Console.log(`NAIS_TOKEN_ENDPOINT is not set: using the embedded Texas emulator at ${emulator.url}`)
    return Layer.merge(
      TokenService.layer({ endpoint: emulator.tokenEndpoint }),
      Layer.succeed(Setting, { scope: "skatt:some.scope", apiUrl: Option.some(api.url) })
    )
  })
).pipe(Layer.provide(ProtectedApi.layer({ requiredScope: "skatt:some.scope" }).pipe(Layer.provideMerge(TexasEmulator.layer()))))

/** The real sidecar, from the environment. */
const Real = Layer.merge(
  TokenService.layerConfig(),
  Layer.effect(
    Setting,
    Effect.gen(function*() {
      return yield* Config.all({ scope: Config.String("SCOPE"), apiUrl: Config.option(Config.map(Config.URL("API_URL"), String)) })
    })
  )
)

const Environment: Layer.Layer<TokenService | Setting, unknown, HttpClient.HttpClient> = process.env["NAIS_TOKEN_ENDPOINT"] === undefined ? Embedded : Real

program.pipe(Effect.provide(Environment), Effect.provide(FetchHttpClient.layer), NodeRuntime.runMain)
