/**
 * Altinn tokens: a Maskinporten token from `TokenService`, exchanged at
 * Altinn's `GET {platform}/authentication/api/v1/exchange/maskinporten`,
 * cached until the Altinn token's own expiry, shared between concurrent
 * callers, retried and typed as the SDK's own tokens.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { AccessToken, TokenService } from "@effect-texas/core"
import { TokenCache, TokenEndpoint } from "@effect-texas/core/Engine"
import { type EndpointOptions, InvalidTokenRequest, type TokenError } from "@effect-texas/core"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { Altinn, Spans } from "@effect-texas/protocol"

// ---- Models ------------------------------------------------------------------

/**
 * What to ask for: the Maskinporten scopes (and authorization details, e.g. a
 * system user) of the token to exchange.
 *
 * @category Models
 * @since 0.1.0
 */
export interface AltinnTokenRequest {
  /** The scope(s): one string (separated by whitespace) or a list. */
  readonly scopes: string | ReadonlyArray<string>
  /** Rich authorization details, e.g. `[systemUser(...)]`. */
  readonly authorizationDetails?: ReadonlyArray<Record<string, unknown>> | undefined
  /**
   * Past every cache: a fresh Maskinporten token (`skip_cache`) and a new exchange.
   * @default false
   */
  readonly skipCache?: boolean | undefined
}

/**
 * What `AltinnToken` offers.
 *
 * @category Services
 * @since 0.1.0
 */
export interface Service {
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
}

/**
 * Settings of `AltinnToken.layer`: where Altinn is, and the same timeouts,
 * retry schedule and retry budget as `TokenService` takes.
 *
 * @category Options
 * @since 0.1.0
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
  readonly expirySkew?: Duration.DurationInput | undefined
  /** At most this many cached Altinn tokens. @default 1000 */
  readonly maxEntries?: number | undefined
  /**
   * A token from a forced renewal (`renew`, after an API answered 401) is not
   * force-renewed again within this time (at most half its lifetime): `renew`
   * hands it out again instead. Held per cache key in the service, so clients
   * built per request, shared by users or numerous cost the sidecar at most
   * one forced exchange (and one forced Maskinporten token) per key per interval.
   * @default "30 seconds"
   */
  readonly minRenewInterval?: Duration.DurationInput | undefined
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
 * @since 0.1.0
 */
export const platformUrls = Altinn.platformUrls

/**
 * Counters of the Altinn token cache (the exchange's requests are counted
 * with the SDK's own `TokenMetrics`, under their endpoint path).
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { AltinnMetrics } from "@effect-texas/altinn"
 *
 * const hits = Metric.value(AltinnMetrics.cacheHits).pipe(Effect.map((state) => state.count))
 * ```
 *
 * @category Metrics
 * @since 0.1.0
 */
export const AltinnMetrics = {
  cacheHits: Metric.counter("altinn.token.cache.hits", { description: "Altinn tokens served from the cache" }),
  cacheMisses: Metric.counter("altinn.token.cache.misses", { description: "Altinn token requests that needed an exchange" }),
  cacheEntries: Metric.gauge("altinn.token.cache.entries", { description: "Altinn tokens in the cache" })
}

// ---- Service -----------------------------------------------------------------

/**
 * Altinn tokens for Altinn 3's APIs (Correspondence, Storage, Dialogporten,
 * the system user APIs).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { DateTime, Effect, Layer } from "effect"
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
 * @since 0.1.0
 */
export class AltinnToken extends Context.Tag("@effect-texas/altinn/AltinnToken")<AltinnToken, Service>() {
  /**
   * Builds the service without a layer.
   *
   * @since 0.1.0
   */
  static readonly make = (options: AltinnTokenOptions) => make(options)

  /**
   * The service for a platform URL (or `"production"` / `"tt02"`); one that is
   * not an http(s) URL fails the layer with `InvalidTokenRequest`.
   *
   * @since 0.1.0
   */
  static readonly layer = (
    options: AltinnTokenOptions
  ): Layer.Layer<AltinnToken, InvalidTokenRequest, TokenService | HttpClient.HttpClient> =>
    Layer.scoped(AltinnToken, make(options))

  /**
   * The service with the platform read from `ALTINN_PLATFORM_URL` (a URL, or
   * `production` / `tt02`) unless given, and the other options as `Config`s.
   *
   * @since 0.1.0
   */
  static readonly layerConfig = (
    options: Config.Config.Wrap<Omit<AltinnTokenOptions, "platformUrl">> & {
      readonly platformUrl?: Config.Config<string> | undefined
    } = {}
  ): Layer.Layer<AltinnToken, ConfigError.ConfigError | InvalidTokenRequest, TokenService | HttpClient.HttpClient> =>
    Layer.scoped(AltinnToken, Effect.flatMap(readConfig(options), make))
}

// ---- Constructor ---------------------------------------------------------------

/** The exchange endpoint, or the platform URL's refusal as the SDK's error. */
const exchangeUrl = (platformUrl: string | URL, test: boolean): Either.Either<string, InvalidTokenRequest> => {
  const url = Altinn.exchangeUrl(platformUrl, test)
  return typeof url === "string" ? Either.right(url) : Either.left(new InvalidTokenRequest({ field: "endpoint", reason: url.reason }))
}

const readConfig = (
  options: Config.Config.Wrap<Omit<AltinnTokenOptions, "platformUrl">> & {
    readonly platformUrl?: Config.Config<string> | undefined
  }
): Config.Config<AltinnTokenOptions> => {
  const { platformUrl, ...rest } = options
  // Config.unwrap cannot take an empty record: no options is no Config to read.
  const values = Object.keys(rest).length === 0 ? Config.succeed({}) : Config.unwrap(rest as Config.Config.Wrap<Omit<AltinnTokenOptions, "platformUrl">>)
  return Config.map(Config.all([values, platformUrl ?? Config.string("ALTINN_PLATFORM_URL")]), ([values, url]) => ({ ...values, platformUrl: url }))
}

/** An exchange's answer as an `AccessToken` expiring at the JWT's own `exp`, or why not. */
const decodeAnswer = (text: string, receivedAt: DateTime.Utc): Either.Either<AccessToken, string> => {
  const answer = Altinn.readAnswer(text, DateTime.toEpochMillis(receivedAt))
  if (!answer.ok) return Either.left(answer.reason)
  return Either.right(
    new AccessToken({
      accessToken: Redacted.make(answer.token),
      tokenType: "Bearer",
      expiresAt: DateTime.unsafeMake(answer.expiresAtMillis),
      expiresIn: Duration.millis(answer.expiresAtMillis - DateTime.toEpochMillis(receivedAt))
    })
  )
}

type Prepared = Altinn.PreparedExchange

const prepare = (request: AltinnTokenRequest): Either.Either<Prepared, InvalidTokenRequest> => {
  const prepared = Altinn.prepareExchange(request)
  return prepared._tag === "Prepared" ? Either.right(prepared) : Either.left(new InvalidTokenRequest({ field: prepared.field, reason: prepared.reason }))
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
 * @since 0.1.0
 */
const make = (
  options: AltinnTokenOptions
): Effect.Effect<Service, InvalidTokenRequest, TokenService | HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const tokens = yield* TokenService
    const endpoint = yield* TokenEndpoint.make({ ...options, endpoint: yield* exchangeUrl(options.platformUrl, options.test ?? false) })
    const skewMillis = Duration.toMillis(Duration.decode(options.expirySkew ?? "60 seconds"))

    const exchange = (request: Prepared, forced: boolean): Effect.Effect<AccessToken, TokenError> =>
      Effect.flatMap(tokens.token({ ...request.maskinporten, skipCache: forced }), (maskinporten) =>
        endpoint.call({
          request: HttpClientRequest.get(endpoint.url).pipe(
            HttpClientRequest.bearerToken(maskinporten.accessToken),
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

    const token = (request: AltinnTokenRequest): Effect.Effect<AccessToken, TokenError> =>
      Either.match(prepare(request), {
        onLeft: Effect.fail,
        onRight: (prepared) => request.skipCache === true ? cache.force(prepared.key, prepared) : cache.get(prepared.key, prepared)
      })

    const renew = (request: AltinnTokenRequest, rejected: AccessToken): Effect.Effect<AccessToken, TokenError> =>
      Either.match(prepare(request), {
        onLeft: Effect.fail,
        onRight: (prepared) => cache.renew(prepared.key, prepared, rejected)
      })

    return AltinnToken.of({ token, renew })
  })
