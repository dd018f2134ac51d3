/**
 * A program as the guides end theirs, on the Effect 3 line (`behaviour/run-main.test.ts` runs it as
 * a process): `TokenService.layerConfig()`, one token, `NodeRuntime.runMain`.
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { Maskinporten, TokenService } from "@effect-texas/core"
import { Console, Effect, Layer } from "effect"

const program = Effect.flatMap(Maskinporten.token("skatt:some.scope"), (token) => Console.log(`token for skatt:some.scope, ${token.tokenType}`))

program.pipe(Effect.provide(TokenService.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))), NodeRuntime.runMain)
