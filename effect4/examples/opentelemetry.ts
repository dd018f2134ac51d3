/**
 * The SDK's spans on Effect 4, exported with OpenTelemetry (`npx tsx examples/opentelemetry.ts` in `effect4/`).
 *
 * `TokenService.fetch` is a client span per request to the token endpoint
 * (provider, target, attempts, expires_in; never the token). Cache hits make
 * no span: they cost nanoseconds, a span would cost more than the hit. The
 * platform's `http.client` spans show the API calls. Here the console
 * exporter prints them; on NAIS, swap in the OTLP exporter.
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { NodeRuntime } from "@effect/platform-node"
import { Maskinporten, TokenService } from "@effect-texas/core"
import { authenticate } from "@effect-texas/http-client"
import { ProtectedApi, TexasEmulator } from "@effect-texas/testkit"
import { ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer } from "effect"
import { FetchHttpClient, HttpClient } from "effect/http"

const scope = "skatt:some.scope"

const program = Effect.gen(function*() {
  const api = yield* ProtectedApi
  yield* Maskinporten.token(scope) // a fetch: one TokenService.fetch span
  yield* Maskinporten.token(scope) // a cache hit: no span
  const client = (yield* HttpClient.HttpClient).pipe(
    authenticate({ identityProvider: "maskinporten", target: scope, allowedOrigins: [api.url] })
  )
  yield* client.get(`${api.url}/api/hello`)
}).pipe(Effect.withSpan("example.opentelemetry"))

const Tracing = NodeSdk.layer(() => ({
  resource: { serviceName: "effect-texas-example" },
  spanProcessor: new SimpleSpanProcessor(new ConsoleSpanExporter())
}))

const Embedded = Layer.unwrap(
  Effect.gen(function*() {
    const emulator = yield* TexasEmulator
    return TokenService.layer({ endpoint: emulator.tokenEndpoint })
  })
).pipe(
  Layer.provideMerge(ProtectedApi.layer({ requiredScope: scope })),
  Layer.provideMerge(TexasEmulator.layer({ grantedScopes: [scope] }))
)

program.pipe(
  Effect.provide(Embedded),
  Effect.provide(FetchHttpClient.layer),
  Effect.provide(Tracing),
  NodeRuntime.runMain
)
