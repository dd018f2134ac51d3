/**
 * The main example (`npm start`): get a Maskinporten token, get it again from
 * the cache, and call an API with it.
 *
 * With NAIS_TOKEN_ENDPOINT unset it starts the Texas emulator and a protected
 * API on loopback; with it set, it asks the real endpoint (set SCOPE to a scope
 * your application has, and API_URL to call an API with the token).
 */
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { Maskinporten, TokenMetrics, TokenService } from "@effect-texas/core"
import { ProtectedApi, TexasEmulator } from "@effect-texas/testkit"
import { Config, Console, Context, Duration, Effect, Layer, Metric, Option, Redacted } from "effect"

const scope = "skatt:some.scope"

/** Where to call with the token, if anywhere. */
class ApiUrl extends Context.Tag("examples/ApiUrl")<ApiUrl, Option.Option<string>>() {}

/** Runs against the emulator: the emulator's URL feeds the TokenService layer. */
const Embedded = Layer.unwrapEffect(
  Effect.gen(function*() {
    const emulator = yield* TexasEmulator
    const api = yield* ProtectedApi
    yield* Console.log(`NAIS_TOKEN_ENDPOINT is not set: using the embedded emulator at ${emulator.url}`)
    return Layer.succeed(ApiUrl, Option.some(`${api.url}/api/hello`)).pipe(
      Layer.merge(TokenService.layer({ endpoint: emulator.tokenEndpoint }))
    )
  })
).pipe(
  Layer.provide(ProtectedApi.layer({ requiredScope: scope }).pipe(Layer.provideMerge(TexasEmulator.layer())))
)

const program = Effect.gen(function*() {
  const target = yield* Config.string("SCOPE").pipe(Config.withDefault(scope))
  const first = yield* Maskinporten.token(target)
  yield* Console.log(`token acquired for ${target}: ${first} (expires in ${Duration.format(first.expiresIn)})`)

  const second = yield* Maskinporten.token(target)
  const hits = (yield* Metric.value(TokenMetrics.cacheHits)).count
  yield* Console.log(`second call: ${second === first ? "cache hit" : "new token"} (${hits} cache hit so far)`)

  const url = yield* ApiUrl
  if (Option.isNone(url)) return yield* Console.log("API_URL is not set: not calling an API")
  const client = yield* HttpClient.HttpClient
  const response = yield* client.execute(
    HttpClientRequest.get(url.value).pipe(HttpClientRequest.bearerToken(Redacted.value(second.accessToken)))
  )
  yield* Console.log(`API answered ${response.status}: ${yield* response.text}`)
})

const Real = Layer.merge(
  TokenService.layerConfig(),
  Layer.effect(ApiUrl, Config.option(Config.string("API_URL")))
)

const Environment: Layer.Layer<TokenService | ApiUrl, unknown, HttpClient.HttpClient> =
  process.env["NAIS_TOKEN_ENDPOINT"] === undefined ? Embedded : Real

program.pipe(
  Effect.provide(Environment),
  Effect.provide(FetchHttpClient.layer),
  NodeRuntime.runMain
)
