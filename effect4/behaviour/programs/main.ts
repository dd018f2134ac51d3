/**
 * A program as the guides end theirs, on the Effect 4 line (`behaviour/run-main.test.ts` runs it as
 * a process): `TokenService.layerConfig()`, one token, `NodeRuntime.runMain`.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Maskinporten, TokenService } from "@effect-texas/core"
import { Console, Effect, Layer } from "effect"
import { FetchHttpClient } from "effect/http"

const program = Effect.flatMap(Maskinporten.token("skatt:some.scope"), (token) => Console.log(`token for skatt:some.scope, ${token.tokenType}`))

program.pipe(Effect.provide(TokenService.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))), NodeRuntime.runMain)
