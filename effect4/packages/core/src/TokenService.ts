/**
 * Machine-to-machine tokens from the platform's token endpoint, cached and
 * shared: a warm cache answers without I/O; concurrent callers share one
 * request; transient faults are retried; every failure is a typed error.
 *
 * @since 1.0.0
 */
import { Request, Spans } from "@effect-texas/protocol"
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import * as HttpClient from "effect/http/HttpClient"
import { AccessToken } from "./AccessToken.js"
import type { EndpointOptions } from "./EndpointOptions.js"
import { annotateToken, callEndpoint, decodeToken, type EndpointCall } from "./internal/endpoint.js"
import { isInvalid, type PreparedRequest, typed } from "./internal/prepare.js"
import { type ConfigOptions, readConfig, resolveSettings, tokenDefaults } from "./internal/settings.js"
import { TestTokens } from "./TestTokens.js"
import * as TokenCache from "./TokenCache.js"
import type { InvalidTokenRequest, TokenError } from "./TokenError.js"
import * as TokenMetrics from "./TokenMetrics.js"
import type { TokenRequest } from "./TokenRequest.js"

/**
 * Settings of `TokenService.layer`.
 *
 * @category Options
 * @since 1.0.0
 */
export interface TokenServiceOptions extends EndpointOptions {
  /**
   * A cached token stops being handed out this long before it expires (capped at
   * half its lifetime), so that it does not expire in flight. Never before the
   * sidecar itself stops handing it out (120 s before it expires, or at half its
   * lifetime): until then the sidecar answers with the same token, so a longer
   * skew would only ask it again for what it already gave.
   * @default "60 seconds"
   */
  readonly expirySkew?: Duration.Input | undefined
  /**
   * When set, a cache hit within this window before the token stops being
   * usable starts one background refresh; callers keep getting the cached token
   * meanwhile, and a failed refresh fails no caller. The sidecar caches tokens
   * too, and answers with the same token, shorter, until 120 s before it
   * expires (or half its lifetime for tokens of 2 minutes or less): a refresh
   * never starts before that, since it would fetch nothing new. With the
   * default 60 s skew, what refresh-ahead buys is the 60 s between the
   * sidecar dropping a token and the SDK dropping it: at most 60 s of refresh
   * ahead is useful, and for tokens of 2 minutes or less none is.
   * @default undefined (off)
   */
  readonly refreshAhead?: Duration.Input | undefined
  /** @default 10000 */
  readonly maxEntries?: number | undefined
  /**
   * A token from a forced renewal (`renew`, after an API answered 401) is not
   * force-renewed again within this time (at most half its lifetime): `renew`
   * hands it out again instead. Held per cache key in the service, however
   * many clients ask.
   * @default "30 seconds"
   */
  readonly minRenewInterval?: Duration.Input | undefined
}

/**
 * Machine-to-machine tokens from `NAIS_TOKEN_ENDPOINT`.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { TokenService } from "@effect-texas/core"
 *
 * const program = Effect.gen(function*() {
 *   const tokens = yield* TokenService
 *   const token = yield* tokens.token({ identityProvider: "maskinporten", target: "skatt:some.scope" })
 *   yield* Effect.log(`token expires in ${token.expiresIn}`)
 * })
 *
 * const TokensLive = TokenService.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * // Effect.runPromise(program.pipe(Effect.provide(TokensLive)))
 * ```
 *
 * @category Services
 * @since 1.0.0
 */
export class TokenService extends Context.Service<TokenService, {
  /** A token for `request`: from the cache while usable, else one request shared by every concurrent caller. */
  readonly token: (request: TokenRequest) => Effect.Effect<AccessToken, TokenError>
  /** A replacement for a token an API has just rejected (`skip_cache` if the cache still holds it). */
  readonly renew: (request: TokenRequest, rejected: AccessToken) => Effect.Effect<AccessToken, TokenError>
  /** Drops the cached token for `request`. */
  readonly invalidate: (request: TokenRequest) => Effect.Effect<void, InvalidTokenRequest>
}>()("@effect-texas/core/TokenService") {
  /**
   * Builds the service without a layer; needs an `HttpClient` and a `Scope`.
   *
   * @since 1.0.0
   */
  static readonly make = (options: TokenServiceOptions) => make(options)

  /**
   * The service for an explicit endpoint URL; one that is not http(s) fails the layer.
   *
   * @since 1.0.0
   */
  static readonly layer = (options: TokenServiceOptions): Layer.Layer<TokenService, InvalidTokenRequest, HttpClient.HttpClient> =>
    Layer.effect(TokenService, make(options))

  /**
   * The service with its options read through `Config`, the endpoint from `NAIS_TOKEN_ENDPOINT` unless given.
   *
   * @since 1.0.0
   */
  static readonly layerConfig = (
    options: ConfigOptions<TokenServiceOptions> = {}
  ): Layer.Layer<TokenService, Config.ConfigError | InvalidTokenRequest, HttpClient.HttpClient> =>
    Layer.effect(TokenService, Effect.flatMap(readConfig("NAIS_TOKEN_ENDPOINT", options), make))

  /**
   * A stub for tests: fixed tokens without any endpoint, every request recorded
   * (read them through `TestTokens`), expiry on `Clock`, so `TestClock` drives it.
   *
   * @since 1.0.0
   */
  static readonly layerTest = (options: TestOptions = {}): Layer.Layer<TokenService | TestTokens> => Layer.effectContext(makeTest(options))

  /**
   * The cache key the service files `request` under (equal exactly when the sidecar would answer with the same token).
   *
   * @since 1.0.0
   */
  static readonly cacheKey = (request: TokenRequest): Result.Result<string, InvalidTokenRequest> => {
    const prepared = typed(Request.prepareRemembered(request))
    return isInvalid(prepared) ? Result.fail(prepared) : Result.succeed(prepared.key)
  }
}

/** One POST to `/api/v1/token`, in the `TokenService.fetch` span. */
const tokenCall = (request: PreparedRequest, forced: boolean): EndpointCall => ({
  _tag: "Post",
  fields: Request.tokenFields(request, forced),
  providerName: request.providerName,
  target: request.target,
  spanName: Spans.names.token,
  attributes: Spans.tokenRequest(request, forced)
})

/**
 * Builds the service; needs an `HttpClient` and a `Scope` (background fetches run in it).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { TokenService } from "@effect-texas/core"
 *
 * const service = TokenService.make({ endpoint: "http://127.0.0.1:8090/api/v1/token" }).pipe(
 *   Effect.provide(FetchHttpClient.layer),
 *   Effect.scoped
 * )
 * ```
 *
 * @category Constructors
 * @since 1.0.0
 */
const make: (options: TokenServiceOptions) => Effect.Effect<TokenService["Service"], InvalidTokenRequest, HttpClient.HttpClient | Scope.Scope> = Effect.fnUntraced(function*(options: TokenServiceOptions) {
    const client = yield* HttpClient.HttpClient
    const settings = yield* resolveSettings(options, tokenDefaults)
    const skewMillis = Duration.toMillis(Duration.fromInputUnsafe(options.expirySkew ?? "60 seconds"))
    const decode = decodeToken(settings)
    const cache = yield* TokenCache.make<PreparedRequest, AccessToken, TokenError>({
      fetch: (request, forced) => callEndpoint(client, settings, tokenCall(request, forced), decode, annotateToken),
      ...TokenCache.fromSidecar(skewMillis),
      maxEntries: options.maxEntries ?? 10_000,
      refreshAheadMillis: options.refreshAhead === undefined ? undefined : Duration.toMillis(Duration.fromInputUnsafe(options.refreshAhead)),
      renewHoldMillis: TokenCache.tokenRenewHold(options.minRenewInterval),
      metrics: { hits: TokenMetrics.cacheHits, misses: TokenMetrics.cacheMisses, size: TokenMetrics.cacheEntries, refreshFailures: TokenMetrics.refreshFailures }
    })
    const prepared = (request: TokenRequest) => typed(Request.prepareRemembered(request))
    return TokenService.of({
      token: (request) => {
        const ready = prepared(request)
        if (isInvalid(ready)) return Effect.fail(ready)
        return ready.skipCache ? cache.force(ready.key, ready) : cache.get(ready.key, ready)
      },
      renew: (request, rejected) => {
        const ready = prepared(request)
        return isInvalid(ready) ? Effect.fail(ready) : cache.renew(ready.key, ready, rejected)
      },
      invalidate: (request) => {
        const ready = prepared(request)
        return isInvalid(ready) ? Effect.fail(ready) : cache.forget(ready.key)
      }
    })
  })

// ---- Test stub ---------------------------------------------------------------

/**
 * Settings of `TokenService.layerTest`.
 *
 * @category Options
 * @since 1.0.0
 */
export interface TestOptions {
  /** The token string handed out for a request. @default a fixed string per provider and target */
  readonly token?: ((request: TokenRequest) => string) | undefined
  /** @default "1 hour" */
  readonly expiresIn?: Duration.Input | undefined
  /** When it returns an error, the request fails with it instead. */
  readonly fail?: ((request: TokenRequest) => TokenError | undefined) | undefined
}

const stubToken = (request: TokenRequest): string =>
  `stub-token:${request.identityProvider}:${typeof request.target === "string" ? request.target : request.target.join(" ")}`

const makeTest = (options: TestOptions): Effect.Effect<Context.Context<TokenService | TestTokens>> =>
  Effect.sync(() => {
    const recorded: Array<TokenRequest> = []
    const expiresIn = Duration.fromInputUnsafe(options.expiresIn ?? "1 hour")
    const token = (request: TokenRequest): Effect.Effect<AccessToken, TokenError> =>
      Effect.suspend(() => {
        recorded.push(request)
        const prepared = typed(Request.prepare(request))
        if (isInvalid(prepared)) return Effect.fail(prepared)
        const failure = options.fail?.(request)
        if (failure !== undefined) return Effect.fail(failure)
        return Effect.map(DateTime.now, (now) =>
          new AccessToken({
            accessToken: Redacted.make((options.token ?? stubToken)(request)),
            tokenType: "Bearer",
            expiresAt: DateTime.addDuration(now, expiresIn),
            expiresIn
          }))
      })
    const service = TokenService.of({
      token,
      renew: (request) => token({ ...request, skipCache: true }),
      invalidate: (request) => {
        const prepared = typed(Request.prepare(request))
        return isInvalid(prepared) ? Effect.fail(prepared) : Effect.void
      }
    })
    return Context.make(TokenService, service).pipe(Context.add(TestTokens, { requests: Effect.sync(() => [...recorded]) }))
  })
