/**
 * The authenticating middleware's loop, in one direction: attach the token,
 * send, ask `Outbound.next` what the answer means, and do that (return,
 * renew and replay once, follow a redirect, refuse one). The decisions are
 * `@effect-texas/protocol`'s; this module only sends what they say.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type { AccessToken, TokenRequest } from "@effect-texas/core"
import { Origins, Outbound } from "@effect-texas/protocol"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { TokenSource } from "../Authenticate.js"
import { type AuthError, InvalidRedirect, OriginNotAllowed } from "../AuthError.js"
import { redactRequest } from "./redactedResponse.js"


/** An answer, with the URL `fetch` ended at when it followed redirects by itself (`""` otherwise). */
interface Sent {
  readonly response: HttpClientResponse.HttpClientResponse
  readonly finalUrl: string
}

/**
 * The token request a middleware asks for on every call, built once and frozen: the service
 * prepares a frozen request once and remembers it, not per call.
 */
export const fixedRequest = (options: TokenRequest): TokenRequest =>
  Object.freeze({
    identityProvider: options.identityProvider,
    target: typeof options.target === "string" ? options.target : Object.freeze([...options.target]),
    resource: options.resource,
    authorizationDetails: options.authorizationDetails
  })

const authorizationOf = (token: AccessToken): string => `Bearer ${Redacted.value(token.accessToken)}`

/** The request a `Follow` step asks for: the token left behind, the body too when it becomes a GET. */
const redirected = (request: HttpClientRequest.HttpClientRequest, step: Extract<Outbound.Step, { _tag: "Follow" }>) =>
  HttpClientRequest.make(step.method as HttpClientRequest.HttpClientRequest["method"])(step.url, {
    headers: Headers.remove(request.headers, Outbound.droppedHeaders(step.toGet)),
    body: step.toGet ? undefined : request.body
  })

/** The middleware over `client`, with tokens from `source`, towards `allowedOrigins` only. */
export const make = <ES, RS, E, R>(
  source: TokenSource<ES, RS>,
  options: { readonly allowedOrigins: ReadonlyArray<string>; readonly followRedirects?: number | undefined },
  client: HttpClient.HttpClient.With<E, R>
): HttpClient.HttpClient.With<E | ES | AuthError, R | RS> => {
  const allowList = Origins.allowList(options.allowedOrigins)
  const policy: Outbound.Policy = { allows: allowList.allows, maxRedirects: options.followRedirects ?? 0 }
  // The origin is checked on the URL the client's own mapping (`prependUrl`) produced, before a token is fetched.
  const guarded = HttpClient.mapRequestEffect(client, (request): Effect.Effect<HttpClientRequest.HttpClientRequest, ES | OriginNotAllowed, RS> =>
    allowList.allows(request.url)
      ? Effect.map(source.token, (token) => HttpClientRequest.bearerToken(request, token.accessToken))
      : Effect.fail(new OriginNotAllowed({ origin: Origins.describeOrigin(request.url), allowedOrigins: allowList.origins })))

  /**
   * One request. Through `fetch` (the platform's `Fetch` service, documented), the URL it ended
   * at is watched: this platform's response does not tell. Following redirects here, `fetch` is
   * asked to hand them back, through the platform's `RequestInit` option.
   */
  const send = (request: HttpClientRequest.HttpClientRequest, withToken: boolean): Effect.Effect<Sent, E | ES | AuthError, R | RS> =>
    Effect.contextWithEffect((context: Context.Context<never>) => {
      const watched = Outbound.watchRedirects(Option.getOrElse(Context.getOption(context, FetchHttpClient.Fetch), () => globalThis.fetch))
      const execute: Effect.Effect<HttpClientResponse.HttpClientResponse, E | ES | AuthError, R | RS> = withToken
        ? guarded.execute(request)
        : client.execute(request)
      const watching = Effect.provideService(execute, FetchHttpClient.Fetch, watched.fetch)
      const sent = policy.maxRedirects === 0
        ? watching
        : Effect.provideService(watching, FetchHttpClient.RequestInit, { ...Option.getOrUndefined(Context.getOption(context, FetchHttpClient.RequestInit)), redirect: "manual" })
      return Effect.map(sent, (response) => ({ response, finalUrl: watched.finalUrl() }))
    })

  /** After a 401: whether the source has (or now gets) a token other than the one sent. */
  const renewed = (sent: string): Effect.Effect<boolean, ES, RS> =>
    Effect.flatMap(source.token, (current) =>
      authorizationOf(current) !== sent
        ? Effect.succeed(true)
        : Effect.map(source.renew(current), (fresh) => fresh !== current && authorizationOf(fresh) !== sent))

  const leaving = (response: HttpClientResponse.HttpClientResponse) =>
    Outbound.sentAuthorization(response) === undefined ? response : redactRequest(response)

  const run = (
    original: HttpClientRequest.HttpClientRequest,
    request: HttpClientRequest.HttpClientRequest,
    state: { readonly withToken: boolean; readonly hops: number; readonly replayed: boolean }
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, E | ES | AuthError, R | RS> =>
    Effect.flatMap(send(request, state.withToken), ({ finalUrl, response }) => {
      const replayable = original.body._tag !== "Stream"
      const step = Outbound.next(policy, { response, finalUrl, replayable, hops: state.hops, replayed: state.replayed })
      switch (step._tag) {
        case "Return":
          return Effect.succeed(leaving(response))
        case "Refuse":
          return Effect.fail(new InvalidRedirect({ status: response.status, reason: step.reason }))
        case "Follow":
          return run(original, redirected(response.request, step), { ...state, withToken: step.withToken, hops: state.hops + 1 })
        case "Renew":
          return Effect.flatMap(renewed(Outbound.sentAuthorization(response) ?? ""), (replay) =>
            replay ? run(original, original, { withToken: true, hops: 0, replayed: true }) : Effect.succeed(leaving(response)))
      }
    })

  return HttpClient.makeWith<never, never, E | ES | AuthError, R | RS>(
    (request) => Effect.flatMap(request, (first) => run(first, first, { withToken: true, hops: 0, replayed: false })),
    Effect.succeed
  )
}
