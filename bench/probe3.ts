/**
 * The Effect 3 line's probe (built packages, as users install them).
 */
import { HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { TokenExchange, TokenIntrospection, type TokenRequest, TokenService } from "@effect-texas/core"
import { authenticateWith } from "@effect-texas/http-client"
import { Effect, Exit, Redacted, Scope } from "effect"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { apiOrigin, type Probe, type ProbeSetup, scope, timed } from "./probe.js"

export const makeProbe = async (setup: ProbeSetup): Promise<Probe> => {
  const request: TokenRequest = Object.freeze({ identityProvider: "maskinporten", target: scope })
  const scoped = Effect.runSync(Scope.make())
  const tokens = await Effect.runPromise(
    TokenService.make({ endpoint: `${setup.texasUrl}/api/v1/token`, retryBudget: false }).pipe(Effect.provide(FetchHttpClient.layer), Scope.extend(scoped))
  )
  const exchange = await Effect.runPromise(
    TokenExchange.make({ endpoint: `${setup.texasUrl}/api/v1/token/exchange`, retryBudget: false }).pipe(Effect.provide(FetchHttpClient.layer), Scope.extend(scoped))
  )
  const introspection = await Effect.runPromise(
    TokenIntrospection.make({ endpoint: `${setup.texasUrl}/api/v1/introspect` }).pipe(Effect.provide(FetchHttpClient.layer), Scope.extend(scoped))
  )
  const exchangeRequest = { identityProvider: "tokenx", target: "dev-gcp:team:api", userToken: Redacted.make(setup.userToken) } as const
  const introspectRequest = { identityProvider: "tokenx", token: Redacted.make(setup.userToken) } as const
  await Effect.runPromise(Effect.zip(exchange.exchange(exchangeRequest), introspection.introspect(introspectRequest)))
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
    exchangeHit: (calls) => timed(calls, loop(() => exchange.exchange(exchangeRequest))),
    verdictHit: (calls) => timed(calls, loop(() => introspection.introspect(introspectRequest))),
    close: () => Effect.runPromise(Scope.close(scoped, Exit.void))
  }
}
