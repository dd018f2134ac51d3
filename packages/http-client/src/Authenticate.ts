/**
 * Middleware for `@effect/platform`'s `HttpClient` that authenticates
 * outbound requests with a token from `TokenService`, only towards the origins
 * it was set up for, and renews the token once when an API answers 401.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { type AccessToken, type TokenError, type TokenRequest, TokenService, type TokenServiceShape } from "@effect-texas/core"
import * as Effect from "effect/Effect"
import { OriginNotAllowed } from "./AuthError.js"

// ---- Options -----------------------------------------------------------------

/**
 * What token to use, and where it may go.
 *
 * @category options
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
   * @default 0
   */
  readonly followRedirects?: number | undefined
}

// ---- Origins -----------------------------------------------------------------

/** The origin of a URL as the browser defines it, or undefined for a relative or invalid one. */
const originOf = (url: string): string | undefined => {
  if (!URL.canParse(url)) return undefined
  const origin = new URL(url).origin
  // Opaque origins ("null": data:, file:, ...) never match an allowed origin.
  return origin === "null" ? undefined : origin
}

const normalizeOrigins = (origins: ReadonlyArray<string>): ReadonlySet<string> => {
  const normalized = new Set<string>()
  for (const origin of origins) {
    const parsed = originOf(origin)
    if (parsed !== undefined) normalized.add(parsed)
  }
  return normalized
}

/** Whether a URL stands on its own (has a scheme); a relative one still awaits the client's base URL. */
const isAbsolute = (url: string): boolean => /^[a-z][a-z\d+.-]*:/i.test(url)

const describeOrigin = (url: string): string =>
  originOf(url) ?? (URL.canParse(url) ? "(opaque origin)" : url.startsWith("/") ? "(relative URL)" : "(invalid URL)")

// ---- Middleware --------------------------------------------------------------

/** How many URL verdicts an authenticated client remembers. */
const maxRememberedUrls = 1024

const isRedirect = (status: number) => status === 301 || status === 302 || status === 303 || status === 307 || status === 308

/** The same request with no Authorization header at all (there is no `removeHeader` combinator). */
const withoutAuthorization = (request: HttpClientRequest.HttpClientRequest): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.make(request.method)(request.url, {
    headers: Headers.remove(request.headers, "authorization"),
    urlParams: request.urlParams,
    body: request.body
  })

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
 *   shared by concurrent 401s, none if the cache already moved on) and replays
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
 * @category middleware
 * @since 0.1.0
 */
export const authenticate = (options: AuthenticateOptions) =>
<E, R>(
  client: HttpClient.HttpClient.With<E, R>
): HttpClient.HttpClient.With<E | TokenError | OriginNotAllowed, R | TokenService> =>
  authenticateWith(TokenService, options)(client)

/**
 * `authenticate` with the `TokenService` already in hand, for clients built
 * once at layer construction: the client then needs nothing from context.
 *
 * @category middleware
 * @since 0.1.0
 */
export const authenticateWith = <RT>(
  tokens: Effect.Effect<TokenServiceShape, never, RT>,
  options: AuthenticateOptions
) =>
<E, R>(
  client: HttpClient.HttpClient.With<E, R>
): HttpClient.HttpClient.With<E | TokenError | OriginNotAllowed, R | RT> => {
  const allowed = normalizeOrigins(options.allowedOrigins)
  const allowedList = [...allowed]
  const maxRedirects = options.followRedirects ?? 0
  // Built once: the per-request path reuses the same request object.
  const tokenRequest: TokenRequest = {
    identityProvider: options.identityProvider,
    target: options.target,
    resource: options.resource,
    authorizationDetails: options.authorizationDetails
  }

  const refuse = (url: string) => new OriginNotAllowed({ origin: describeOrigin(url), allowedOrigins: allowedList })
  // Clients call the same few URLs again and again: remember the verdicts so a
  // request parses its URL once, not at every check. Bounded; cleared when full.
  const verdicts = new Map<string, boolean>()
  const isAllowed = (url: string) => {
    const known = verdicts.get(url)
    if (known !== undefined) return known
    const origin = originOf(url)
    const verdict = origin !== undefined && allowed.has(origin)
    if (verdicts.size >= maxRememberedUrls) verdicts.clear()
    verdicts.set(url, verdict)
    return verdict
  }

  // The last line of defence, after the client's own request mapping: a request
  // that carries an Authorization header leaves only for an allowed origin.
  const guarded = HttpClient.mapRequestEffect(client, (request) =>
    request.headers["authorization"] !== undefined && !isAllowed(request.url)
      ? Effect.fail(refuse(request.url))
      : Effect.succeed(request))

  const sendWith = (request: HttpClientRequest.HttpClientRequest, token: AccessToken) =>
    guarded.execute(HttpClientRequest.bearerToken(request, token.accessToken))

  /** An answer, and whether the request that got it carried the token (a redirect may have dropped it). */
  type Answer = readonly [response: HttpClientResponse.HttpClientResponse, withToken: boolean]

  /** Follows redirects: with the token while they stay on allowed origins, without it after. */
  const follow = (
    response: HttpClientResponse.HttpClientResponse,
    token: AccessToken | undefined,
    hops: number
  ): Effect.Effect<Answer, E | OriginNotAllowed, R> => {
    const location = response.headers["location"]
    if (hops >= maxRedirects || !isRedirect(response.status) || location === undefined) {
      return Effect.succeed([response, token !== undefined])
    }
    const next = HttpClientRequest.setUrl(
      response.status === 303 ? HttpClientRequest.setMethod(response.request, "GET") : response.request,
      new URL(location, response.request.url)
    )
    const keepToken = token !== undefined && isAllowed(next.url)
    const sent = keepToken ? sendWith(next, token) : guarded.execute(withoutAuthorization(next))
    return Effect.flatMap(sent, (answer) => follow(answer, keepToken ? token : undefined, hops + 1))
  }

  const send = (request: HttpClientRequest.HttpClientRequest, token: AccessToken): Effect.Effect<Answer, E | OriginNotAllowed, R> =>
    maxRedirects === 0
      ? Effect.map(sendWith(request, token), (response) => [response, true] as const)
      : Effect.flatMap(sendWith(request, token), (response) => follow(response, token, 0))

  /** A 401 to a request that carried the token: the token was rejected, so renew it and try once more. */
  const rejected = ([response, withToken]: Answer, request: HttpClientRequest.HttpClientRequest) =>
    response.status === 401 && withToken && isReplayable(request)

  const execute = (request: HttpClientRequest.HttpClientRequest) =>
    Effect.flatMap(tokens, (service) =>
      Effect.flatMap(service.token(tokenRequest), (token) =>
        Effect.flatMap(send(request, token), (answer) =>
          rejected(answer, request)
            ? Effect.flatMap(service.renew(tokenRequest, token), (fresh) => Effect.map(send(request, fresh), ([r]) => r))
            : Effect.succeed(answer[0]))))

  return HttpClient.makeWith<never, never, E | TokenError | OriginNotAllowed, R | RT>(
    (request) =>
      Effect.flatMap(request, (request) =>
        // Refuse an absolute URL elsewhere before a token is fetched; a relative one
        // is resolved by the client's own mapping and checked by `guarded`.
        isAbsolute(request.url) && !isAllowed(request.url) ? Effect.fail(refuse(request.url)) : execute(request)),
    Effect.succeed
  )
}
