/**
 * Middleware for `@effect/platform`'s `HttpClient` that authenticates
 * outbound requests with a token from `TokenService`, only towards the origins
 * it was set up for, and renews the token once when an API answers 401.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { type AccessToken, type TokenError, type TokenRequest, TokenService } from "@effect-texas/core"
import { Origins } from "@effect-texas/protocol"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { type AuthError, InvalidRedirect, OriginNotAllowed } from "./AuthError.js"
import { redactRequest, unredacted } from "./internal/redactedResponse.js"

// ---- Options -----------------------------------------------------------------

/**
 * What token to use, and where it may go.
 *
 * @category Options
 * @since 0.1.0
 */
export interface AuthenticateOptions extends Omit<TokenRequest, "skipCache"> {
  /**
   * Origins (`https://api.example.com`, scheme + host + port) that may receive
   * the token. Any other request fails with `OriginNotAllowed` before a token
   * is fetched or anything is sent.
   */
  readonly allowedOrigins: ReadonlyArray<string>
  /**
   * Follow up to this many redirects here, keeping the token on allowed
   * origins and dropping it for good on the first hop elsewhere. `0` leaves
   * redirects to the underlying client (`FetchHttpClient` follows them and,
   * as the fetch standard requires, drops `Authorization` across origins).
   * Hops go through the client this middleware wraps, request mapping
   * included: keep a `prependUrl` outside `authenticate` when following here.
   * @default 0
   */
  readonly followRedirects?: number | undefined
}

// ---- Middleware --------------------------------------------------------------

/**
 * The request a redirect asks for, as the fetch standard builds it: to the
 * `Location` as given (its query only: the request's own URL parameters stay
 * behind), a 303 (other than HEAD), or a 301/302 to a POST, as a GET without
 * body or content headers; the rest keep method and body. Never with our
 * token: that is added again only on an allowed origin. Only http(s)
 * locations are followed: otherwise the reason.
 */
const redirectedRequest = (
  response: HttpClientResponse.HttpClientResponse,
  location: string
): { readonly _tag: "Follow"; readonly request: HttpClientRequest.HttpClientRequest } | { readonly _tag: "Refuse"; readonly reason: string } => {
  const request = response.request
  const target = Origins.redirectTarget(location, HttpClientRequest.toUrl(request).pipe(Option.map(String), Option.getOrElse(() => request.url)))
  if (typeof target !== "string") return { _tag: "Refuse", reason: target.reason }
  const toGet = Origins.redirectsToGet(response.status, request.method)
  return {
    _tag: "Follow",
    request: HttpClientRequest.make(toGet ? "GET" : request.method)(target, {
      headers: Headers.remove(request.headers, toGet ? ["authorization", ...Origins.contentHeaders] : "authorization"),
      body: toGet ? undefined : request.body
    })
  }
}

/**
 * Whether `fetch` followed a redirect to another origin before this answer:
 * the fetch standard dropped `Authorization` on the way, so a 401 from there
 * is not a rejection of our token.
 */
const redirectedAway = (response: HttpClientResponse.HttpClientResponse): boolean => {
  // The platform keeps fetch's Response as `source`, under an interruptible wrapper's `original`;
  // a client that is not fetch has neither, and follows no redirects by itself.
  let current: unknown = unredacted(response)
  for (let depth = 0; depth < 3 && typeof current === "object" && current !== null && "original" in current; depth++) {
    current = current.original
  }
  const source = typeof current === "object" && current !== null && "source" in current ? current.source : undefined
  if (typeof Response === "undefined" || !(source instanceof Response) || !source.redirected) return false
  return Origins.originOf(source.url) !== Origins.originOf(response.request.url)
}

/** The header value a token makes. */
const authorizationOf = (token: AccessToken): string => `Bearer ${Redacted.value(token.accessToken)}`

/** A request whose body is a stream has been consumed by the first send: it cannot go again. */
const isReplayable = (request: HttpClientRequest.HttpClientRequest) => request.body._tag !== "Stream"

/**
 * Authenticates every request of a client with `Authorization: Bearer <token>`.
 *
 * - The token comes from `TokenService` (a cache hit costs no I/O).
 * - Only requests to `allowedOrigins` get it; others fail with `OriginNotAllowed`
 *   before a token is fetched. The check runs on the final URL, after the
 *   client's own request mapping (`prependUrl`), whichever side of it this is.
 * - An existing Authorization header is replaced, never duplicated.
 * - On a 401 it asks `TokenService.renew` for a fresh token (one forced fetch
 *   shared by concurrent 401s, none if the cache already moved on, none again
 *   for the same key within the service's `minRenewInterval`) and replays
 *   the request once; a second 401 is returned as it is. A 403 is returned as
 *   it is. A request with a stream body is not replayed.
 * - The token endpoint is called through `TokenService`'s own client, never
 *   through this one.
 *
 * @example
 * ```ts
 * import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 * import { authenticate } from "@effect-texas/http-client"
 *
 * const program = Effect.gen(function*() {
 *   const client = (yield* HttpClient.HttpClient).pipe(
 *     authenticate({
 *       identityProvider: "maskinporten",
 *       target: "skatt:some.scope",
 *       allowedOrigins: ["https://api.example.com"]
 *     }),
 *     HttpClient.mapRequest(HttpClientRequest.prependUrl("https://api.example.com")),
 *     HttpClient.filterStatusOk
 *   )
 *   return yield* client.get("/v1/things")
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @category Middleware
 * @since 0.1.0
 */
export const authenticate = (options: AuthenticateOptions) =>
<E, R>(
  client: HttpClient.HttpClient.With<E, R>
): HttpClient.HttpClient.With<E | TokenError | AuthError, R | TokenService> =>
  authenticateWith(TokenService, options)(client)

/**
 * `authenticate` with the `TokenService` already in hand, for clients built
 * once at layer construction: the client then needs nothing from context.
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { TokenService } from "@effect-texas/core"
 * import { authenticateWith } from "@effect-texas/http-client"
 *
 * // Built once in a layer: the client's requests need nothing from context.
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
 * @since 0.1.0
 */
export const authenticateWith = <RT>(
  tokens: Effect.Effect<TokenService["Type"], never, RT>,
  options: AuthenticateOptions
) =>
<E, R>(
  client: HttpClient.HttpClient.With<E, R>
): HttpClient.HttpClient.With<E | TokenError | AuthError, R | RT> => {
  // Built once and frozen: the per-request path reuses the same request object, which the
  // service then prepares once (it remembers frozen plain data only).
  const tokenRequest: TokenRequest = Object.freeze({
    identityProvider: options.identityProvider,
    target: typeof options.target === "string" ? options.target : Object.freeze([...options.target]),
    resource: options.resource,
    authorizationDetails: options.authorizationDetails
  })
  return authenticateFrom(
    {
      token: Effect.flatMap(tokens, (service) => service.token(tokenRequest)),
      renew: (rejected) => Effect.flatMap(tokens, (service) => service.renew(tokenRequest, rejected))
    },
    options
  )(client)
}

/**
 * Where an authenticated client gets its tokens: the current one, and a
 * replacement for one an API rejected.
 *
 * @category Models
 * @since 0.1.0
 */
export interface TokenSource<E, R> {
  readonly token: Effect.Effect<AccessToken, E, R>
  readonly renew: (rejected: AccessToken) => Effect.Effect<AccessToken, E, R>
}

/**
 * Where tokens may go, and whether to follow redirects.
 *
 * @category Options
 * @since 0.1.0
 */
export type OriginOptions = Pick<AuthenticateOptions, "allowedOrigins" | "followRedirects">

/**
 * The middleware behind `authenticate`, for any source of tokens: it attaches
 * `source.token` to requests to allowed origins and, on a 401, replays once
 * with `source.renew`.
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
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
 * @since 0.1.0
 */
export const authenticateFrom = <ES, RS>(source: TokenSource<ES, RS>, options: OriginOptions) =>
<E, R>(
  client: HttpClient.HttpClient.With<E, R>
): HttpClient.HttpClient.With<E | ES | AuthError, R | RS> => {
  const allowList = Origins.allowList(options.allowedOrigins)
  const isAllowed = allowList.allows
  const maxRedirects = options.followRedirects ?? 0
  const refuse = (url: string) => new OriginNotAllowed({ origin: Origins.describeOrigin(url), allowedOrigins: allowList.origins })

  // The token is attached at the very end of the client's own request mapping
  // (a `prependUrl` inside this middleware has run by then), so the origin is
  // checked on the URL that will really be used, before any token is fetched.
  const attachToken = (
    request: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<HttpClientRequest.HttpClientRequest, ES | OriginNotAllowed, RS> =>
    isAllowed(request.url)
      ? Effect.map(source.token, (token) => HttpClientRequest.bearerToken(request, token.accessToken))
      : Effect.fail(refuse(request.url))
  const guarded = HttpClient.mapRequestEffect(client, attachToken)

  /** The Authorization header the request that got `response` carried, if any. */
  const sentAuthorization = (response: HttpClientResponse.HttpClientResponse): string | undefined =>
    response.request.headers["authorization"]

  /** Follows redirects: with the token while they stay on allowed origins, without it after. */
  const follow = (
    response: HttpClientResponse.HttpClientResponse,
    hops: number
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, E | ES | AuthError, R | RS> => {
    const location = response.headers["location"]
    if (hops >= maxRedirects || !Origins.isRedirect(response.status) || location === undefined) return Effect.succeed(response)
    const next = redirectedRequest(response, location)
    if (next._tag === "Refuse") return Effect.fail(new InvalidRedirect({ status: response.status, reason: next.reason }))
    const hop = sentAuthorization(response) !== undefined && isAllowed(next.request.url)
      ? guarded.execute(next.request)
      : client.execute(next.request)
    return Effect.flatMap(hop, (answer) => follow(answer, hops + 1))
  }

  // Following here, `fetch` must hand redirects back instead of following them itself.
  const send = (
    request: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, E | ES | AuthError, R | RS> =>
    maxRedirects === 0
      ? guarded.execute(request)
      : Effect.flatMap(Effect.serviceOption(FetchHttpClient.RequestInit), (init) =>
        Effect.provideService(
          Effect.flatMap(guarded.execute(request), (response) => follow(response, 0)),
          FetchHttpClient.RequestInit,
          { ...Option.getOrUndefined(init), redirect: "manual" }
        ))

  /**
   * After a 401 to a request that carried the token: if the source still holds
   * the token that was sent, asks it for a replacement (the service holds
   * forced renewals per key, so it may hand the same token back: then the 401
   * stands); if it has moved on already (another fiber renewed it), the next
   * send picks up the new one. Succeeds with whether to replay.
   */
  const renewRejected = (sent: string): Effect.Effect<boolean, ES, RS> =>
    Effect.flatMap(source.token, (current) =>
      authorizationOf(current) !== sent
        ? Effect.succeed(true)
        : Effect.map(source.renew(current), (renewed) => renewed !== current && authorizationOf(renewed) !== sent))

  /** What the caller gets: a response whose request no longer shows the token, when it carried one. */
  const leaving = (response: HttpClientResponse.HttpClientResponse) =>
    sentAuthorization(response) === undefined ? response : redactRequest(response)

  const execute = (
    request: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, E | ES | AuthError, R | RS> =>
    Effect.flatMap(send(request), (response) => {
      const sent = sentAuthorization(response)
      // Only a 401 to a request that carried the token means the token was rejected; replay once.
      return response.status === 401 && sent !== undefined && isReplayable(request) && !redirectedAway(response)
        ? Effect.flatMap(renewRejected(sent), (replay) => (replay ? Effect.map(send(request), leaving) : Effect.succeed(leaving(response))))
        : Effect.succeed(leaving(response))
    })

  return HttpClient.makeWith<never, never, E | ES | AuthError, R | RS>(
    (request) => Effect.flatMap(request, execute),
    Effect.succeed
  )
}
