/**
 * Machine-to-machine tokens from the platform's token endpoint, cached and
 * shared. A warm cache answers without I/O; concurrent callers share one
 * request; transient faults are retried; every failure is a typed error.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { AccessToken } from "./AccessToken.js"
import type { EndpointOptions } from "./EndpointOptions.js"
import { fetchToken, httpUrlConfig, resolveSettings } from "./internal/endpoint.js"
import { prepare, type PreparedRequest } from "./internal/prepare.js"
import { TestTokens } from "./TestTokens.js"
import { InvalidTokenRequest, type TokenError } from "./TokenError.js"
import * as TokenMetrics from "./TokenMetrics.js"
import type { TokenRequest } from "./TokenRequest.js"

// ---- Service -----------------------------------------------------------------

/**
 * What `TokenService` offers.
 *
 * @category services
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
   * token, returns it without I/O.
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
 * @category services
 * @since 0.1.0
 */
export class TokenService extends Context.Tag("@effect-texas/core/TokenService")<TokenService, Service>() {
  /**
   * The service for an explicit endpoint URL.
   *
   * @since 0.1.0
   */
  static readonly layer = (options: TokenServiceOptions): Layer.Layer<TokenService, never, HttpClient.HttpClient> =>
    Layer.scoped(TokenService, make(options))

  /**
   * The service for the endpoint in `NAIS_TOKEN_ENDPOINT` (read through `Config`).
   * A missing variable, or one that is not an http(s) URL, fails the layer with a `ConfigError`.
   *
   * @since 0.1.0
   */
  static readonly layerConfig = (
    options: Omit<TokenServiceOptions, "endpoint"> = {}
  ): Layer.Layer<TokenService, ConfigError.ConfigError, HttpClient.HttpClient> =>
    Layer.scoped(TokenService, Effect.flatMap(httpUrlConfig("NAIS_TOKEN_ENDPOINT"), (endpoint) => make({ ...options, endpoint })))

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
 * @category options
 * @since 0.1.0
 */
export interface TokenServiceOptions extends EndpointOptions {
  /**
   * A cached token stops being handed out this long before it expires (capped at
   * half its lifetime), so that it does not expire in flight.
   * @default "60 seconds"
   */
  readonly expirySkew?: Duration.DurationInput | undefined
  /**
   * When set, a cache hit within this window before the token stops being
   * usable starts one background refresh; callers keep getting the cached token
   * meanwhile, and a failed refresh fails no caller. Up to 60 s fits the
   * sidecar's own cache (it renews its tokens 120 s before expiry).
   * @default undefined (off)
   */
  readonly refreshAhead?: Duration.DurationInput | undefined
  /**
   * At most this many cached tokens; past it, expired entries go first, then the oldest.
   * @default 10000
   */
  readonly maxEntries?: number | undefined
}

/**
 * Settings of `TokenService.layerTest`.
 *
 * @category options
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

/** One cached token and when to stop handing it out. */
interface Entry {
  readonly token: AccessToken
  /** Epoch ms after which the token is no longer handed out (expiry minus skew). */
  readonly usableUntil: number
  /** Epoch ms after which a hit starts a background refresh (Infinity when refresh-ahead is off). */
  refreshAt: number
  refreshing: boolean
}

/** A request to the endpoint under way, which callers for the same key join. */
interface Flight {
  readonly deferred: Deferred.Deferred<AccessToken, TokenError>
  /** A forced (skip_cache) flight; a forced caller never joins an unforced one. */
  readonly forced: boolean
}

/**
 * A refresh that failed or brought back the same token (the sidecar's cache
 * still holds it) is not tried again sooner than this, or a quarter of the
 * token's remaining usable time when that is shorter: short-lived tokens still
 * get several tries before they stop being usable.
 */
const refreshRetryMillis = 5_000

const nextRefreshTry = (now: number, usableUntil: number): number =>
  now + Math.min(refreshRetryMillis, Math.max(0, usableUntil - now) / 4)

const isInvalid = (prepared: PreparedRequest | InvalidTokenRequest): prepared is InvalidTokenRequest =>
  "_tag" in prepared

/**
 * Builds the service; the returned effect needs an `HttpClient` and a `Scope`
 * (background fetches run in it and stop with it).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { make } from "@effect-texas/core"
 *
 * const service = make({ endpoint: "http://127.0.0.1:8090/api/v1/token" }).pipe(
 *   Effect.provide(FetchHttpClient.layer),
 *   Effect.scoped
 * )
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  options: TokenServiceOptions
): Effect.Effect<Service, never, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const scope = yield* Effect.scope
    const { invalid, settings } = resolveSettings(options, { attemptTimeout: "5 seconds", timeout: "15 seconds" })
    const skewMillis = Duration.toMillis(Duration.decode(options.expirySkew ?? "60 seconds"))
    const refreshWindowMillis = options.refreshAhead === undefined
      ? undefined
      : Duration.toMillis(Duration.decode(options.refreshAhead))
    const maxEntries = Math.max(1, options.maxEntries ?? 10_000)

    const entries = new Map<string, Entry>()
    const flights = new Map<string, Flight>()

    // -- the cache ------------------------------------------------------------

    const usableUntilOf = (token: AccessToken): number => {
      const lifetime = Duration.toMillis(token.expiresIn)
      return DateTime.toEpochMillis(token.expiresAt) - Math.min(skewMillis, lifetime / 2)
    }

    const evictFor = (now: number): void => {
      for (const [key, entry] of entries) if (entry.usableUntil <= now) entries.delete(key)
      // Still full: drop the least recently stored.
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next()
        if (oldest.done === true) break
        entries.delete(oldest.value)
      }
    }

    const forget = (key: string): void => {
      if (entries.delete(key)) TokenMetrics.cacheEntries.unsafeUpdate(entries.size, [])
    }

    const store = (key: string, token: AccessToken, now: number): void => {
      const usableUntil = usableUntilOf(token)
      if (usableUntil <= now) return
      entries.delete(key)
      if (entries.size >= maxEntries) evictFor(now)
      const refreshAt = refreshWindowMillis === undefined
        ? Infinity
        : Math.max(usableUntil - refreshWindowMillis, nextRefreshTry(now, usableUntil))
      entries.set(key, { token, usableUntil, refreshAt, refreshing: false })
      TokenMetrics.cacheEntries.unsafeUpdate(entries.size, [])
    }

    // -- requests to the endpoint ---------------------------------------------

    /**
     * Registers a flight for `prepared` (replacing any other) and returns it with
     * the effect that runs it. Registration is synchronous so that two callers
     * can never both start one; the run is forked from the caller's fiber, so it
     * keeps the caller's clock, tracer and logger.
     */
    const registerFlight = (prepared: PreparedRequest, forced: boolean) => {
      const flight: Flight = { deferred: Deferred.unsafeMake<AccessToken, TokenError>(FiberId.none), forced }
      flights.set(prepared.key, flight)
      const settle = (exit: Exit.Exit<AccessToken, TokenError>) =>
        Effect.clockWith((clock) => {
          // A flight that a forced one replaced must not overwrite the newer token.
          if (flights.get(prepared.key) === flight) {
            flights.delete(prepared.key)
            if (Exit.isSuccess(exit)) store(prepared.key, exit.value, clock.unsafeCurrentTimeMillis())
          }
          return Deferred.done(flight.deferred, exit)
        })
      const fetch = invalid === undefined ? fetchToken(client, settings, prepared) : Effect.fail(invalid)
      // Forked into the service's scope: a caller that gives up does not cancel the fetch for the others.
      const launch = Effect.forkIn(Effect.onExit(fetch, settle), scope)
      return { flight, launch }
    }

    const awaitFlight = (prepared: PreparedRequest, forced: boolean): Effect.Effect<AccessToken, TokenError> =>
      Effect.suspend(() => {
        TokenMetrics.cacheMisses.unsafeUpdate(1, [])
        const current = flights.get(prepared.key)
        if (current !== undefined && (current.forced || !forced)) return Deferred.await(current.deferred)
        const { flight, launch } = registerFlight(prepared, forced)
        return Effect.zipRight(launch, Deferred.await(flight.deferred))
      })

    /** Starts one background refresh; a failure leaves the cached token in use and retries later. */
    const refreshInBackground = (prepared: PreparedRequest, entry: Entry): Effect.Effect<void> => {
      if (entry.refreshing || flights.has(prepared.key)) return Effect.void
      entry.refreshing = true
      const { flight, launch } = registerFlight(prepared, false)
      const onFailure = Effect.clockWith((clock) =>
        Effect.sync(() => {
          entry.refreshing = false
          entry.refreshAt = nextRefreshTry(clock.unsafeCurrentTimeMillis(), entry.usableUntil)
        })
      ).pipe(Effect.zipRight(Metric.increment(TokenMetrics.refreshFailures)))
      const watch = Effect.forkIn(Effect.catchAll(Deferred.await(flight.deferred), () => onFailure), scope)
      return Effect.zipRight(launch, Effect.asVoid(watch))
    }

    // -- the service ------------------------------------------------------------

    const token = (request: TokenRequest): Effect.Effect<AccessToken, TokenError> => {
      const prepared = prepare(request)
      if (isInvalid(prepared)) return Effect.fail(prepared)
      if (prepared.skipCache) {
        return Effect.suspend(() => {
          forget(prepared.key)
          return awaitFlight(prepared, true)
        })
      }
      // The hot path: one clock read and one map lookup, no allocation on a hit.
      return Effect.clockWith((clock) => {
        const now = clock.unsafeCurrentTimeMillis()
        const entry = entries.get(prepared.key)
        if (entry === undefined || now >= entry.usableUntil) return awaitFlight(prepared, false)
        TokenMetrics.cacheHits.unsafeUpdate(1, [])
        if (now >= entry.refreshAt) return Effect.as(refreshInBackground(prepared, entry), entry.token)
        return Effect.succeed(entry.token)
      })
    }

    const renew = (request: TokenRequest, rejected: AccessToken): Effect.Effect<AccessToken, TokenError> => {
      const prepared = prepare(request)
      if (isInvalid(prepared)) return Effect.fail(prepared)
      const forcedRequest: PreparedRequest = { ...prepared, skipCache: true }
      return Effect.clockWith((clock) => {
        const entry = entries.get(prepared.key)
        if (entry !== undefined && entry.token !== rejected && clock.unsafeCurrentTimeMillis() < entry.usableUntil) {
          return Effect.succeed(entry.token)
        }
        forget(prepared.key)
        return awaitFlight(forcedRequest, true)
      })
    }

    const invalidate = (request: TokenRequest): Effect.Effect<void, InvalidTokenRequest> => {
      const prepared = prepare(request)
      if (isInvalid(prepared)) return Effect.fail(prepared)
      return Effect.sync(() => forget(prepared.key))
    }

    return TokenService.of({ token, renew, invalidate })
  })

// ---- Test stub ---------------------------------------------------------------

const stubToken = (request: TokenRequest): string =>
  `stub-token:${request.identityProvider}:${typeof request.target === "string" ? request.target : request.target.join(" ")}`

/** Builds the stub service and its recorder. */
const makeTest = (options: TestOptions): Effect.Effect<Context.Context<TokenService | TestTokens>> =>
  Effect.sync(() => {
    const recorded: Array<TokenRequest> = []
    const expiresIn = Duration.decode(options.expiresIn ?? "1 hour")
    const tokenFor = options.token ?? stubToken
    const token = (request: TokenRequest): Effect.Effect<AccessToken, TokenError> =>
      Effect.suspend(() => {
        recorded.push(request)
        const prepared = prepare(request)
        if (isInvalid(prepared)) return Effect.fail(prepared)
        const failure = options.fail?.(request)
        if (failure !== undefined) return Effect.fail(failure)
        return Effect.map(DateTime.now, (now) =>
          new AccessToken({
            accessToken: Redacted.make(tokenFor(request)),
            tokenType: "Bearer",
            expiresAt: DateTime.addDuration(now, expiresIn),
            expiresIn
          }))
      })
    const service = TokenService.of({
      token,
      renew: (request) => token({ ...request, skipCache: true }),
      invalidate: (request) => {
        const prepared = prepare(request)
        return isInvalid(prepared) ? Effect.fail(prepared) : Effect.void
      }
    })
    return Context.make(TokenService, service).pipe(
      Context.add(TestTokens, { requests: Effect.sync(() => [...recorded]) })
    )
  })
