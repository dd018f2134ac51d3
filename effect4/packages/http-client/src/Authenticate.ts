/**
 * Middleware for Effect 4's `HttpClient` (`effect/http`): a token from `TokenService` on
 * requests to the origins it was set up for, renewed once when an API answers 401.
 *
 * @since 1.0.0
 */
import { type AccessToken, type TokenError, type TokenRequest, TokenService } from "@effect-texas/core"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import type { AuthError } from "./AuthError.js"
import * as Outbound from "./internal/outbound.js"

/**
 * Where tokens may go, and whether to follow redirects.
 *
 * @category Options
 * @since 1.0.0
 */
export interface OriginOptions {
  /** Origins (scheme + host + port) that may get the token; a request elsewhere fails with `OriginNotAllowed`, unsent. */
  readonly allowedOrigins: ReadonlyArray<string>
  /**
   * Follow up to this many redirects here, the token kept on allowed origins only; `0` leaves them
   * to the client underneath (`fetch` drops `Authorization` across origins). Hops go through the
   * wrapped client: keep a `prependUrl` outside `authenticate` when following here. @default 0
   */
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
  const tokenRequest = Outbound.fixedRequest(options)
  return authenticateFrom(
    {
      token: Effect.flatMap(tokens, (service) => service.token(tokenRequest)),
      renew: (rejected) => Effect.flatMap(tokens, (service) => service.renew(tokenRequest, rejected))
    },
    options
  )(client)
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
 *   redirected to renews nothing; a 403, a second 401 and a request with a
 *   stream body are returned as they are;
 * - redirects are followed (`followRedirects`) as `fetch` follows them, the
 *   token kept only on allowed origins.
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
<E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<E | ES | AuthError, R | RS> =>
  Outbound.make(source, options, client)
