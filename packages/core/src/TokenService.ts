/**
 * Machine-to-machine tokens from the platform's token endpoint, cached and
 * shared. A warm cache answers without I/O; concurrent callers share one
 * request; transient faults are retried; every failure is a typed error.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { Request, Spans } from "@effect-texas/protocol"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { AccessToken } from "./AccessToken.js"
import type { EndpointOptions } from "./EndpointOptions.js"
import * as Cache from "./TokenCache.js"
import {
  type EndpointCall,
  fetchAccessToken
} from "./internal/endpoint.js"
import {
  type ConfigOptions,
  readConfig,
  resolveSettings,
  tokenDefaults
} from "./internal/settings.js"
import { isInvalid, type PreparedRequest, prepareRemembered } from "./internal/prepare.js"
import { stubTokens } from "./internal/stub.js"
import { TestTokens } from "./TestTokens.js"
import { InvalidTokenRequest, type TokenError } from "./TokenError.js"
import * as TokenMetrics from "./TokenMetrics.js"
import type { TokenRequest } from "./TokenRequest.js"

// ---- Service -----------------------------------------------------------------

/**
 * What `TokenService` offers.
 *
 * @category Services
 * @since 0.1.0
 */
export interface Service {
  /**
   * A token for `request`: from the cache while one is usable, otherwise from
   * the endpoint (one request shared by every concurrent caller for the same
   * key). Never returns an expired token.
   */
  readonly token: (request: TokenRequest) => Effect.Effect<AccessToken, TokenError>
  /**
   * A replacement for a token an API has just rejected. If the cache still
   * holds `rejected`, fetches a new token with `skip_cache` (concurrent callers
   * share that one forced fetch); if the cache already holds another usable
   * token, returns it without I/O. A token that a forced renewal gave less
   * than `minRenewInterval` ago is returned as it is (`rejected` itself): the
   * caller should not replay.
   */
  readonly renew: (request: TokenRequest, rejected: AccessToken) => Effect.Effect<AccessToken, TokenError>
  /** Drops the cached token for `request`, if any; the next `token` call fetches anew. */
  readonly invalidate: (request: TokenRequest) => Effect.Effect<void, InvalidTokenRequest>
}

/**
 * Machine-to-machine tokens from `NAIS_TOKEN_ENDPOINT`.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 * import { TokenService } from "@effect-texas/core"
 *
 * const program = Effect.gen(function*() {
 *   const tokens = yield* TokenService
 *   const token = yield* tokens.token({ identityProvider: "maskinporten", target: "skatt:some.scope" })
 *   yield* Effect.log(`token expires at ${token.expiresAt}`)
 * })
 *
 * const TokensLive = TokenService.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * // Effect.runPromise(program.pipe(Effect.provide(TokensLive)))
 * ```
 *
 * @category Services
 * @since 0.1.0
 */
export class TokenService extends Context.Tag("@effect-texas/core/TokenService")<TokenService, Service>() {
  /**
   * Builds the service without a layer (what the layers use).
   *
   * @since 0.1.0
   */
  static readonly make = (options: TokenServiceOptions) => make(options)

  /**
   * The cache key the service files `request` under: equal for two requests
   * exactly when the sidecar would answer them with the same token, so a
   * service that derives a value from the token (as an exchange does) can
   * cache under it. A request the service would refuse fails here with the
   * same `InvalidTokenRequest`; `skipCache` does not change the key.
   *
   * @example
   * ```ts
   * import { Either } from "effect"
   * import { TokenService } from "@effect-texas/core"
   *
   * const a = TokenService.cacheKey({ identityProvider: "azuread", target: ["b", "a"] })
   * const b = TokenService.cacheKey({ identityProvider: "entra_id", target: "b a" })
   * console.log(Either.getOrNull(a) === Either.getOrNull(b)) // true
   * ```
   *
   * @since 0.1.0
   */
  static readonly cacheKey = (request: TokenRequest): Either.Either<string, InvalidTokenRequest> => {
    const prepared = prepareRemembered(request)
    return isInvalid(prepared) ? Either.left(prepared) : Either.right(prepared.key)
  }

  /**
   * The service for an explicit endpoint URL; one that is not an http(s) URL
   * fails the layer with `InvalidTokenRequest` on `endpoint`.
   *
   * @since 0.1.0
   */
  static readonly layer = (
    options: TokenServiceOptions
  ): Layer.Layer<TokenService, InvalidTokenRequest, HttpClient.HttpClient> => Layer.scoped(TokenService, make(options))

  /**
   * The service with its options read through `Config` (each option a
   * `Config`, as `Config.succeed("30 seconds")`), the endpoint from
   * `NAIS_TOKEN_ENDPOINT` unless given. A missing variable, or one that is not
   * an http(s) URL, fails the layer with a `ConfigError`.
   *
   * @since 0.1.0
   */
  static readonly layerConfig = (
    options: ConfigOptions<TokenServiceOptions> = {}
  ): Layer.Layer<TokenService, ConfigError.ConfigError | InvalidTokenRequest, HttpClient.HttpClient> =>
    Layer.scoped(TokenService, Effect.flatMap(readConfig("NAIS_TOKEN_ENDPOINT", options), make))

  /**
   * A stub for tests: hands out fixed tokens without any endpoint, records every
   * request (read them through `TestTokens`), and honours `Clock`, so
   * `TestClock` drives expiry.
   *
   * @since 0.1.0
   */
  static readonly layerTest = (options: TestOptions = {}): Layer.Layer<TokenService | TestTokens> =>
    Layer.effectContext(makeTest(options))
}

// ---- Options -----------------------------------------------------------------

/**
 * Settings of `TokenService.layer`.
 *
 * @category Options
 * @since 0.1.0
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
  readonly expirySkew?: Duration.DurationInput | undefined
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
  readonly refreshAhead?: Duration.DurationInput | undefined
  /**
   * At most this many cached tokens; past it, expired entries go first, then the oldest.
   * @default 10000
   */
  readonly maxEntries?: number | undefined
  /**
   * A token from a forced renewal (`renew`, after an API answered 401) is not
   * force-renewed again within this time (at most half its lifetime): `renew`
   * hands it out again instead. Held per cache key in the service, so clients
   * built per request, shared by users or numerous cost the sidecar at most
   * one forced fetch per key per interval.
   * @default "30 seconds"
   */
  readonly minRenewInterval?: Duration.DurationInput | undefined
}

/**
 * Settings of `TokenService.layerTest`.
 *
 * @category Options
 * @since 0.1.0
 */
export interface TestOptions {
  /**
   * The token string handed out for a request.
   * @default a fixed string per provider and target
   */
  readonly token?: ((request: TokenRequest) => string) | undefined
  /**
   * Lifetime of every stub token.
   * @default "1 hour"
   */
  readonly expiresIn?: Duration.DurationInput | undefined
  /** When it returns an error, the request fails with it instead. */
  readonly fail?: ((request: TokenRequest) => TokenError | undefined) | undefined
}

// ---- Constructor ---------------------------------------------------------------


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
 * Builds the service; the returned effect needs an `HttpClient` and a `Scope`
 * (background fetches run in it and stop with it).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { TokenService } from "@effect-texas/core"
 *
 * const service = TokenService.make({ endpoint: "http://127.0.0.1:8090/api/v1/token" }).pipe(
 *   Effect.provide(FetchHttpClient.layer),
 *   Effect.scoped
 * )
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
const make = (
  options: TokenServiceOptions
): Effect.Effect<Service, InvalidTokenRequest, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const settings = yield* resolveSettings(options, tokenDefaults)
    const skewMillis = Duration.toMillis(Duration.decode(options.expirySkew ?? "60 seconds"))
    const cache = yield* Cache.make<PreparedRequest, AccessToken, TokenError>({
      fetch: (request, forced) => fetchAccessToken(client, settings, tokenCall(request, forced)),
      ...Cache.fromSidecar(skewMillis),
      maxEntries: options.maxEntries ?? 10_000,
      refreshAheadMillis: options.refreshAhead === undefined ? undefined : Duration.toMillis(Duration.decode(options.refreshAhead)),
      renewHoldMillis: Cache.tokenRenewHold(options.minRenewInterval),
      metrics: { hits: TokenMetrics.cacheHits, misses: TokenMetrics.cacheMisses, size: TokenMetrics.cacheEntries, refreshFailures: TokenMetrics.refreshFailures }
    })

    const token = (request: TokenRequest): Effect.Effect<AccessToken, TokenError> => {
      const prepared = prepareRemembered(request)
      if (isInvalid(prepared)) return Effect.fail(prepared)
      return prepared.skipCache ? cache.force(prepared.key, prepared) : cache.get(prepared.key, prepared)
    }

    const renew = (request: TokenRequest, rejected: AccessToken): Effect.Effect<AccessToken, TokenError> => {
      const prepared = prepareRemembered(request)
      return isInvalid(prepared) ? Effect.fail(prepared) : cache.renew(prepared.key, prepared, rejected)
    }

    const invalidate = (request: TokenRequest): Effect.Effect<void, InvalidTokenRequest> => {
      const prepared = prepareRemembered(request)
      return isInvalid(prepared) ? Effect.fail(prepared) : cache.forget(prepared.key)
    }

    return TokenService.of({ token, renew, invalidate })
  })

// ---- Test stub ---------------------------------------------------------------

/** Builds the stub service and its recorder (`internal/stub.ts` hands out the tokens). */
const makeTest = (options: TestOptions): Effect.Effect<Context.Context<TokenService | TestTokens>> =>
  Effect.sync(() => {
    const stub = stubTokens(options)
    return Context.make(TokenService, TokenService.of(stub.service)).pipe(Context.add(TestTokens, { requests: stub.requests }))
  })
