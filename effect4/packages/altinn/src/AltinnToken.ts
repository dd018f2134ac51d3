/**
 * Altinn tokens: a Maskinporten token from `TokenService`, exchanged at
 * Altinn's `GET {platform}/authentication/api/v1/exchange/maskinporten`,
 * cached until the Altinn token's own expiry, shared between concurrent
 * callers, retried and typed as the SDK's own tokens.
 *
 * @since 1.0.0
 */
import { AccessToken, type EndpointOptions, InvalidTokenRequest, type TokenError, TokenService } from "@effect-texas/core"
import { TokenCache, TokenEndpoint } from "@effect-texas/core/Engine"
import { Altinn, Metrics, Spans } from "@effect-texas/protocol"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import type * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"

// ---- Models ------------------------------------------------------------------

/**
 * What to ask for: the Maskinporten scopes (and authorization details, e.g. a
 * system user) of the token to exchange.
 *
 * @category Models
 * @since 1.0.0
 */
export interface AltinnTokenRequest {
  /** The scope(s): one string (separated by whitespace) or a list. */
  readonly scopes: string | ReadonlyArray<string>
  /** Rich authorization details, e.g. `[detail]` from `systemUser(...)`. */
  readonly authorizationDetails?: ReadonlyArray<Record<string, unknown>> | undefined
  /**
   * Past every cache: a fresh Maskinporten token (`skip_cache`) and a new exchange.
   * @default false
   */
  readonly skipCache?: boolean | undefined
}

/**
 * Settings of `AltinnToken.layer`: where Altinn is, and the same timeouts,
 * retry schedule and retry budget as `TokenService` takes.
 *
 * @category Options
 * @since 1.0.0
 */
export interface AltinnTokenOptions extends Omit<EndpointOptions, "endpoint" | "encoding"> {
  /** Altinn's platform: a URL, `"production"` (`https://platform.altinn.no`) or `"tt02"` (`https://platform.tt02.altinn.no`). */
  readonly platformUrl: string | URL
  /** Ask for a token as the test department (`?test=true`; tt02, service owners only). @default false */
  readonly test?: boolean | undefined
  /**
   * A cached token stops being handed out this long before it expires (capped
   * at half its lifetime), as in `TokenService`.
   * @default "60 seconds"
   */
  readonly expirySkew?: Duration.Input | undefined
  /** At most this many cached Altinn tokens. @default 1000 */
  readonly maxEntries?: number | undefined
  /**
   * A token from a forced renewal (`renew`, after an API answered 401) is not
   * force-renewed again within this time (at most half its lifetime), per cache key.
   * @default "30 seconds"
   */
  readonly minRenewInterval?: Duration.Input | undefined
}

/**
 * The platform URLs Altinn publishes, by name.
 *
 * @example
 * ```ts
 * import { platformUrls } from "@effect-texas/altinn"
 *
 * console.log(platformUrls.tt02) // https://platform.tt02.altinn.no
 * ```
 *
 * @category Constants
 * @since 1.0.0
 */
export const platformUrls = Altinn.platformUrls

/**
 * Counters of the Altinn token cache (the exchange's requests are counted
 * with the SDK's own `TokenMetrics`, under their endpoint path); the same
 * names as on the Effect 3 line.
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { AltinnMetrics } from "@effect-texas/altinn"
 *
 * const hits = Metric.value(AltinnMetrics.cacheHits)
 * ```
 *
 * @category Metrics
 * @since 1.0.0
 */
export const AltinnMetrics = {
  cacheHits: Metric.counter(Metrics.catalogue.altinnCacheHits.name, { description: Metrics.catalogue.altinnCacheHits.description }),
  cacheMisses: Metric.counter(Metrics.catalogue.altinnCacheMisses.name, { description: Metrics.catalogue.altinnCacheMisses.description }),
  cacheEntries: Metric.gauge(Metrics.catalogue.altinnCacheEntries.name, { description: Metrics.catalogue.altinnCacheEntries.description })
}

// ---- Service -----------------------------------------------------------------

/**
 * Altinn tokens for Altinn 3's APIs (Correspondence, Storage, Dialogporten,
 * the system user APIs).
 *
 * @example
 * ```ts
 * import { DateTime, Effect, Layer } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { TokenService } from "@effect-texas/core"
 * import { AltinnToken } from "@effect-texas/altinn"
 *
 * const AltinnLive = AltinnToken.layer({ platformUrl: "tt02" }).pipe(
 *   Layer.provide(TokenService.layerConfig()),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 *
 * const program = Effect.gen(function*() {
 *   const altinn = yield* AltinnToken
 *   const token = yield* altinn.token({ scopes: "altinn:serviceowner/instances.read" })
 *   yield* Effect.log(`Altinn token until ${DateTime.formatIso(token.expiresAt)}`)
 * })
 * // Effect.runPromise(program.pipe(Effect.provide(AltinnLive)))
 * ```
 *
 * @category Services
 * @since 1.0.0
 */
export class AltinnToken extends Context.Service<AltinnToken, {
  /**
   * An Altinn token for `request`: from the cache while usable, otherwise a
   * Maskinporten token exchanged at Altinn (one exchange shared by every
   * concurrent caller). A refused exchange is a `TokenEndpointError` with
   * `identityProvider: "altinn"` and its status; an answer that is not a token
   * an `InvalidTokenResponse`.
   */
  readonly token: (request: AltinnTokenRequest) => Effect.Effect<AccessToken, TokenError>
  /**
   * A replacement for a token an Altinn API has just rejected: if the cache
   * still holds `rejected`, a fresh Maskinporten token and a new exchange
   * (shared by concurrent callers); otherwise the newer cached token.
   */
  readonly renew: (request: AltinnTokenRequest, rejected: AccessToken) => Effect.Effect<AccessToken, TokenError>
}>()("@effect-texas/altinn/AltinnToken") {
  /**
   * Builds the service without a layer.
   *
   * @since 1.0.0
   */
  static readonly make = (options: AltinnTokenOptions) => make(options)

  /**
   * The service for a platform URL (or `"production"` / `"tt02"`); one that is
   * not an http(s) URL fails the layer with `InvalidTokenRequest`.
   *
   * @since 1.0.0
   */
  static readonly layer = (
    options: AltinnTokenOptions
  ): Layer.Layer<AltinnToken, InvalidTokenRequest, TokenService | HttpClient.HttpClient> => Layer.effect(AltinnToken, make(options))

  /**
   * The service with the platform read from `ALTINN_PLATFORM_URL` (a URL, or
   * `production` / `tt02`) unless given, and the other options as `Config`s.
   *
   * @since 1.0.0
   */
  static readonly layerConfig = (
    options: ConfigOptions = {}
  ): Layer.Layer<AltinnToken, Config.ConfigError | InvalidTokenRequest, TokenService | HttpClient.HttpClient> =>
    Layer.effect(AltinnToken, Effect.flatMap(readConfig(options), make))
}

/** The options of `layerConfig`, each a `Config`. */
type ConfigOptions = Config.Wrap<Omit<AltinnTokenOptions, "platformUrl">> & {
  readonly platformUrl?: Config.Config<string> | undefined
}

// ---- Constructor ---------------------------------------------------------------

const readConfig = (options: ConfigOptions): Config.Config<AltinnTokenOptions> => {
  const { platformUrl, ...rest } = options
  // Config.unwrap cannot take an empty record: no options is no Config to read.
  const values = Object.keys(rest).length === 0 ? Config.succeed({}) : Config.unwrap(rest as Config.Wrap<Omit<AltinnTokenOptions, "platformUrl">>)
  return Config.map(Config.all([values, platformUrl ?? Config.String("ALTINN_PLATFORM_URL")]), ([values, url]) => ({ ...values, platformUrl: url }))
}

/** An exchange's answer as an `AccessToken` expiring at the JWT's own `exp`, or why not. */
const decodeAnswer = (text: string, receivedAt: DateTime.Utc): Result.Result<AccessToken, string> => {
  const answer = Altinn.readAnswer(text, DateTime.toEpochMillis(receivedAt))
  if (!answer.ok) return Result.fail(answer.reason)
  return Result.succeed(new AccessToken({
    accessToken: Redacted.make(answer.token),
    tokenType: "Bearer",
    expiresAt: DateTime.makeUnsafe(answer.expiresAtMillis),
    expiresIn: Duration.millis(answer.expiresAtMillis - DateTime.toEpochMillis(receivedAt))
  }))
}

type Prepared = Altinn.PreparedExchange

const prepare = (request: AltinnTokenRequest): Result.Result<Prepared, InvalidTokenRequest> => {
  const prepared = Altinn.prepareExchange(request)
  return prepared._tag === "Prepared" ? Result.succeed(prepared) : Result.fail(new InvalidTokenRequest({ field: prepared.field, reason: prepared.reason }))
}

/** The exchange endpoint, or the platform URL's refusal as the SDK's error. */
const exchangeUrl = (options: AltinnTokenOptions): Effect.Effect<string, InvalidTokenRequest> => {
  const url = Altinn.exchangeUrl(options.platformUrl, options.test ?? false)
  return typeof url === "string" ? Effect.succeed(url) : Effect.fail(new InvalidTokenRequest({ field: "endpoint", reason: url.reason }))
}

/**
 * Builds the service; it needs `TokenService`, an `HttpClient` and a `Scope`.
 *
 * @example
 * ```ts
 * import { AltinnToken } from "@effect-texas/altinn"
 *
 * const service = AltinnToken.make({ platformUrl: "https://platform.tt02.altinn.no" })
 * ```
 *
 * @category Constructors
 * @since 1.0.0
 */
const make: (
  options: AltinnTokenOptions
) => Effect.Effect<AltinnToken["Service"], InvalidTokenRequest, TokenService | HttpClient.HttpClient | Scope.Scope> = Effect.fnUntraced(
  function*(options: AltinnTokenOptions) {
    const tokens = yield* TokenService
    const endpoint = yield* TokenEndpoint.make({ ...options, endpoint: yield* exchangeUrl(options) })
    const skewMillis = Duration.toMillis(Duration.fromInputUnsafe(options.expirySkew ?? "60 seconds"))

    const exchange = (request: Prepared, forced: boolean): Effect.Effect<AccessToken, TokenError> =>
      Effect.flatMap(tokens.token({ ...request.maskinporten, skipCache: forced }), (maskinporten) =>
        endpoint.call({
          request: HttpClientRequest.get(endpoint.url).pipe(
            HttpClientRequest.bearerToken(Redacted.value(maskinporten.accessToken)),
            HttpClientRequest.setHeader("accept", "text/plain, application/json")
          ),
          identityProvider: "altinn",
          target: request.scopes,
          spanName: Spans.names.altinn,
          attributes: Spans.altinnRequest(request.scopes, forced),
          decode: decodeAnswer
        }))

    const cache = yield* TokenCache.make<Prepared, AccessToken, TokenError>({
      fetch: exchange,
      usableUntil: (token) => TokenCache.tokenUsableUntil(token, skewMillis),
      maxEntries: options.maxEntries ?? 1000,
      renewHoldMillis: TokenCache.tokenRenewHold(options.minRenewInterval),
      metrics: { hits: AltinnMetrics.cacheHits, misses: AltinnMetrics.cacheMisses, size: AltinnMetrics.cacheEntries }
    })

    const withPrepared = (request: AltinnTokenRequest, use: (prepared: Prepared) => Effect.Effect<AccessToken, TokenError>) =>
      Result.match(prepare(request), { onFailure: Effect.fail, onSuccess: use })

    return AltinnToken.of({
      token: (request) =>
        withPrepared(request, (prepared) => request.skipCache === true ? cache.force(prepared.key, prepared) : cache.get(prepared.key, prepared)),
      renew: (request, rejected) => withPrepared(request, (prepared) => cache.renew(prepared.key, prepared, rejected))
    })
  }
)
