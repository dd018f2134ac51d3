/**
 * Middleware for Effect 4's `HttpClient` (`effect/http`) that authenticates
 * outbound requests with a token from `TokenService`, only towards the
 * origins it was set up for, and renews the token once when an API answers 401.
 *
 * @since 1.0.0
 */
import { type AccessToken, type TokenError, type TokenRequest, TokenService } from "@effect-texas/core"
import { Origins } from "@effect-texas/protocol"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as HttpBody from "effect/http/HttpBody"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import { type AuthError, InvalidRedirect, OriginNotAllowed } from "./AuthError.js"
import { redactRequest } from "./internal/redactedResponse.js"

/**
 * Where tokens may go, whether to follow redirects, and how often a 401 may force a renewal.
 *
 * @category Options
 * @since 1.0.0
 */
export interface OriginOptions {
  /** Origins (scheme + host + port) that may receive the token; any other request fails with `OriginNotAllowed`. */
  readonly allowedOrigins: ReadonlyArray<string>
  /** Follow up to this many redirects here, keeping the token on allowed origins only. @default 0 */
  readonly followRedirects?: number | undefined
}

/**
 * What token to use, and where it may go.
 *
 * @category Options
 * @since 1.0.0
 */
export interface AuthenticateOptions extends Omit<TokenRequest, "skipCache">, OriginOptions {}

/**
 * Where an authenticated client gets its tokens: the current one, and a replacement for one an API rejected.
 *
 * @category Models
 * @since 1.0.0
 */
export interface TokenSource<E, R> {
  readonly token: Effect.Effect<AccessToken, E, R>
  readonly renew: (rejected: AccessToken) => Effect.Effect<AccessToken, E, R>
}

/**
 * Authenticates every request of a client with `Authorization: Bearer <token>`
 * from `TokenService`; see `authenticateFrom` for the rules.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
 * import { authenticate } from "@effect-texas/http-client"
 *
 * const program = Effect.gen(function*() {
 *   const client = (yield* HttpClient.HttpClient).pipe(
 *     authenticate({ identityProvider: "maskinporten", target: "skatt:some.scope", allowedOrigins: ["https://api.example.com"] }),
 *     HttpClient.mapRequest(HttpClientRequest.prependUrl("https://api.example.com")),
 *     HttpClient.filterStatusOk
 *   )
 *   return yield* client.get("/v1/things")
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @category Middleware
 * @since 1.0.0
 */
export const authenticate = (options: AuthenticateOptions) =>
<E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<E | TokenError | AuthError, R | TokenService> =>
  authenticateWith(Effect.service(TokenService), options)(client)

/**
 * `authenticate` with the `TokenService` already in hand, for clients built
 * once at layer construction: the client then needs nothing from context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpClient } from "effect/http"
 * import { TokenService } from "@effect-texas/core"
 * import { authenticateWith } from "@effect-texas/http-client"
 *
 * const makeClient = Effect.gen(function*() {
 *   const tokens = yield* TokenService
 *   return (yield* HttpClient.HttpClient).pipe(
 *     authenticateWith(Effect.succeed(tokens), {
 *       identityProvider: "maskinporten",
 *       target: "skatt:some.scope",
 *       allowedOrigins: ["https://api.example.com"]
 *     })
 *   )
 * })
 * ```
 *
 * @category Middleware
 * @since 1.0.0
 */
export const authenticateWith = <RT>(tokens: Effect.Effect<TokenService["Service"], never, RT>, options: AuthenticateOptions) =>
<E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<E | TokenError | AuthError, R | RT> => {
  // Built once and frozen: the service prepares it once, not per request.
  const request: TokenRequest = Object.freeze({
    identityProvider: options.identityProvider,
    target: typeof options.target === "string" ? options.target : Object.freeze([...options.target]),
    resource: options.resource,
    authorizationDetails: options.authorizationDetails
  })
  return authenticateFrom(
    {
      token: Effect.flatMap(tokens, (service) => service.token(request)),
      renew: (rejected) => Effect.flatMap(tokens, (service) => service.renew(request, rejected))
    },
    options
  )(client)
}

/** The header value a token makes. */
const authorizationOf = (token: AccessToken): string => `Bearer ${Redacted.value(token.accessToken)}`

/**
 * Whether `fetch` followed a redirect to another origin before this answer: the fetch standard
 * dropped `Authorization` on the way, so a 401 from there is not a rejection of our token.
 */
const redirectedAway = (response: HttpClientResponse.HttpClientResponse): boolean =>
  response.url !== "" && Origins.originOf(response.url) !== Origins.originOf(response.request.url)

/** A request whose body is a stream has been consumed by the first send: it cannot go again. */
const isReplayable = (request: HttpClientRequest.HttpClientRequest) => request.body._tag !== "Stream"

/**
 * The request a redirect asks for, without our token (added again only on an allowed origin): to
 * the `Location` as given (the request's own URL parameters stay behind), http(s) only.
 */
const redirectedRequest = (
  response: HttpClientResponse.HttpClientResponse,
  location: string
): { readonly _tag: "Follow"; readonly request: HttpClientRequest.HttpClientRequest } | { readonly _tag: "Refuse"; readonly reason: string } => {
  const request = response.request
  const target = Origins.redirectTarget(location, response.url !== "" ? response.url : request.url)
  if (typeof target !== "string") return { _tag: "Refuse", reason: target.reason }
  const toGet = Origins.redirectsToGet(response.status, request.method)
  const dropped = toGet ? ["authorization", ...Origins.contentHeaders] : ["authorization"]
  // Same method (its own string, as the request carried it) or GET; the body only when kept. A
  // URL (not a string) replaces the request's own parameters with the Location's.
  const redirected = dropped.reduce(
    (next, name) => HttpClientRequest.removeHeader(next, name),
    HttpClientRequest.setUrl(request, new URL(target))
  )
  return { _tag: "Follow", request: toGet ? HttpClientRequest.setBody(HttpClientRequest.setMethod(redirected, "GET"), HttpBody.empty) : redirected }
}

/**
 * The middleware behind `authenticate`, for any source of tokens:
 *
 * - only requests to `allowedOrigins` get the token; others fail with
 *   `OriginNotAllowed` before a token is fetched (checked on the final URL,
 *   after the client's own request mapping);
 * - an existing Authorization header is replaced, never duplicated;
 * - on a 401 to a request that carried the token it renews once (shared by
 *   concurrent 401s; not again for the same key within the service's
 *   `minRenewInterval`) and replays once; a 401 from an origin `fetch` was
 *   redirected to renews nothing.
 *
 * @example
 * ```ts
 * import type { HttpClient } from "effect/http"
 * import { Maskinporten } from "@effect-texas/core"
 * import { authenticateFrom } from "@effect-texas/http-client"
 *
 * const scope = "skatt:some.scope"
 * const withToken = (client: HttpClient.HttpClient) =>
 *   client.pipe(
 *     authenticateFrom(
 *       { token: Maskinporten.token(scope), renew: () => Maskinporten.token(scope, { skipCache: true }) },
 *       { allowedOrigins: ["https://api.example.com"] }
 *     )
 *   )
 * ```
 *
 * @category Middleware
 * @since 1.0.0
 */
export const authenticateFrom = <ES, RS>(source: TokenSource<ES, RS>, options: OriginOptions) =>
<E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<E | ES | AuthError, R | RS> => {
  const allowList = Origins.allowList(options.allowedOrigins)
  const maxRedirects = options.followRedirects ?? 0
  const refuse = (url: string) => new OriginNotAllowed({ origin: Origins.describeOrigin(url), allowedOrigins: allowList.origins })

  const attachToken = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<HttpClientRequest.HttpClientRequest, ES | OriginNotAllowed, RS> =>
    allowList.allows(request.url)
      ? Effect.map(source.token, (token) => HttpClientRequest.bearerToken(request, token.accessToken))
      : Effect.fail(refuse(request.url))
  const guarded = HttpClient.mapRequestEffect(client, attachToken)
  const sentAuthorization = (response: HttpClientResponse.HttpClientResponse) => response.request.headers["authorization"]

  const follow = (response: HttpClientResponse.HttpClientResponse, hops: number): Effect.Effect<HttpClientResponse.HttpClientResponse, E | ES | AuthError, R | RS> => {
    const location = response.headers["location"]
    if (hops >= maxRedirects || !Origins.isRedirect(response.status) || location === undefined) return Effect.succeed(response)
    const next = redirectedRequest(response, location)
    if (next._tag === "Refuse") return Effect.fail(new InvalidRedirect({ status: response.status, reason: next.reason }))
    const hop = sentAuthorization(response) !== undefined && allowList.allows(next.request.url)
      ? guarded.execute(next.request)
      : client.execute(next.request)
    return Effect.flatMap(hop, (answer) => follow(answer, hops + 1))
  }
  // Following here, `fetch` must hand redirects back instead of following them itself.
  const send = (request: HttpClientRequest.HttpClientRequest) =>
    maxRedirects === 0
      ? guarded.execute(request)
      : Effect.flatMap(Effect.serviceOption(FetchHttpClient.RequestInit), (init) =>
        Effect.provideService(
          Effect.flatMap(guarded.execute(request), (response) => follow(response, 0)),
          FetchHttpClient.RequestInit,
          { ...Option.getOrUndefined(init), redirect: "manual" }
        ))

  /**
   * After a 401: if the source still holds the token that was sent, ask it for a replacement (the
   * service holds forced renewals per key and may hand the same token back: then the 401 stands).
   */
  const renewRejected = (sent: string): Effect.Effect<boolean, ES, RS> =>
    Effect.flatMap(source.token, (current) =>
      authorizationOf(current) !== sent
        ? Effect.succeed(true)
        : Effect.map(source.renew(current), (renewed) => renewed !== current && authorizationOf(renewed) !== sent))

  /** What the caller gets: a response whose request no longer shows the token, when it carried one. */
  const leaving = (response: HttpClientResponse.HttpClientResponse) =>
    sentAuthorization(response) === undefined ? response : redactRequest(response)

  const execute = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<HttpClientResponse.HttpClientResponse, E | ES | AuthError, R | RS> =>
    Effect.flatMap(send(request), (response) => {
      const sent = sentAuthorization(response)
      return response.status === 401 && sent !== undefined && isReplayable(request) && !redirectedAway(response)
        ? Effect.flatMap(renewRejected(sent), (replay) => (replay ? Effect.map(send(request), leaving) : Effect.succeed(leaving(response))))
        : Effect.succeed(leaving(response))
    })

  return HttpClient.makeWith<never, never, E | ES | AuthError, R | RS>((request) => Effect.flatMap(request, execute), Effect.succeed)
}
