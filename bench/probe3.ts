/**
 * The Effect 3 line's probe (built packages, as users install them).
 */
import { HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { type TokenRequest, TokenService } from "@effect-texas/core"
import { authenticateWith } from "@effect-texas/http-client"
import { Effect, Exit, Scope } from "effect"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { apiOrigin, type Probe, scope, timed } from "./probe.js"

export const makeProbe = async (tokenEndpoint: string): Promise<Probe> => {
  const request: TokenRequest = Object.freeze({ identityProvider: "maskinporten", target: scope })
  const scoped = Effect.runSync(Scope.make())
  const tokens = await Effect.runPromise(
    TokenService.make({ endpoint: tokenEndpoint, retryBudget: false }).pipe(Effect.provide(FetchHttpClient.layer), Scope.extend(scoped))
  )
  const token = await Effect.runPromise(tokens.token(request))
  const answer = new Response(null, { status: 200 })
  const noIo = HttpClient.make((outgoing) => Effect.succeed(HttpClientResponse.fromWeb(outgoing, answer)))
  const authenticated = noIo.pipe(authenticateWith(Effect.succeed(tokens), { ...request, allowedOrigins: [apiOrigin] }))
  const fixed = noIo.pipe(HttpClient.mapRequest(HttpClientRequest.bearerToken(token.accessToken)))
  const loop = (call: () => Effect.Effect<unknown, unknown>) => (calls: number) =>
    Effect.runPromise(Effect.gen(function*() {
      for (let i = 0; i < calls; i++) yield* call()
    }))
  return {
    cacheHit: (calls) => timed(calls, loop(() => tokens.token(request))),
    authenticated: (calls) => timed(calls, loop(() => authenticated.get(`${apiOrigin}/x`))),
    fixedHeader: (calls) => timed(calls, loop(() => fixed.get(`${apiOrigin}/x`))),
    close: () => Effect.runPromise(Scope.close(scoped, Exit.void))
  }
}
