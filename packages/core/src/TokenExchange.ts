/**
 * Tokens on behalf of a user: exchanges the user's token at the sidecar's
 * `NAIS_TOKEN_EXCHANGE_ENDPOINT` (TokenX, Entra ID on-behalf-of), cached per
 * user and target, shared between concurrent callers, retried, typed.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { AccessToken } from "./AccessToken.js"
import type { EndpointOptions } from "./EndpointOptions.js"
import * as Cache from "./TokenCache.js"
import { Policy, Spans, UserToken } from "@effect-texas/protocol"
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
import { isInvalid, type PreparedExchange, prepareExchange } from "./internal/prepare.js"
import type { InvalidTokenRequest, TokenError } from "./TokenError.js"

// ---- Models ------------------------------------------------------------------

/**
 * A request to exchange a user's token for one to `target`.
 *
 * @category Models
 * @since 0.1.0
 */
export interface ExchangeRequest {
  /** `tokenx`, or `entra_id` (alias `azuread`) for on-behalf-of. */
  readonly identityProvider: "tokenx" | "entra_id" | "azuread"
  /** TokenX: `cluster:namespace:app`; Entra ID: `api://cluster.namespace.app/.default`. */
  readonly target: string
  /** The caller's access token, as it came in the `Authorization` header (without `Bearer `). */
  readonly userToken: Redacted.Redacted<string>
  /** Exchange anew even when a token is cached (after the API rejected it). */
  readonly skipCache?: boolean | undefined
}

/**
 * What `TokenExchange` offers.
 *
 * @category Services
 * @since 0.1.0
 */
export interface Service {
  /**
   * A token to `target` on behalf of the user whose token is given: from the
   * cache while one is usable (never past the user token's own expiry),
   * otherwise from the endpoint, one request shared by concurrent callers.
   */
  readonly exchange: (request: ExchangeRequest) => Effect.Effect<AccessToken, TokenError>
  /**
   * A replacement for an exchanged token an API has just rejected, as
   * `TokenService.renew`: another cached one without I/O, `rejected` itself
   * while a forced renewal holds it (`minRenewInterval`), else one forced
   * exchange (`skip_cache`) shared by concurrent callers.
   */
  readonly renew: (request: ExchangeRequest, rejected: AccessToken) => Effect.Effect<AccessToken, TokenError>
}

/**
 * Settings of `TokenExchange.layer`.
 *
 * @category Options
 * @since 0.1.0
 */
export interface TokenExchangeOptions extends EndpointOptions {
  /**
   * A cached token stops being handed out this long before it expires (capped at half its lifetime).
   * @default "60 seconds"
   */
  readonly expirySkew?: Duration.DurationInput | undefined
  /**
   * At most this many cached tokens (one per user and target); the least recently used go first.
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

// ---- Service tag -------------------------------------------------------------

/**
 * Exchanges users' tokens at `NAIS_TOKEN_EXCHANGE_ENDPOINT`.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer, Redacted } from "effect"
 * import { TokenExchange } from "@effect-texas/core"
 *
 * const onBehalfOf = (userToken: Redacted.Redacted<string>) =>
 *   Effect.flatMap(TokenExchange, (exchange) =>
 *     exchange.exchange({ identityProvider: "tokenx", target: "dev-gcp:team:downstream", userToken }))
 *
 * const ExchangeLive = TokenExchange.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @category Services
 * @since 0.1.0
 */
export class TokenExchange extends Context.Tag("@effect-texas/core/TokenExchange")<TokenExchange, Service>() {
  /**
   * Builds the service without a layer (what the layers use).
   *
   * @since 0.1.0
   */
  static readonly make = (options: TokenExchangeOptions) => make(options)

  /**
   * The service for an explicit endpoint URL.
   *
   * @since 0.1.0
   */
  static readonly layer = (
    options: TokenExchangeOptions
  ): Layer.Layer<TokenExchange, InvalidTokenRequest, HttpClient.HttpClient> => Layer.scoped(TokenExchange, make(options))

  /**
   * The service with its options read through `Config`, the endpoint from
   * `NAIS_TOKEN_EXCHANGE_ENDPOINT` unless given; a missing or non-http(s)
   * value fails the layer with a `ConfigError`.
   *
   * @since 0.1.0
   */
  static readonly layerConfig = (
    options: ConfigOptions<TokenExchangeOptions> = {}
  ): Layer.Layer<TokenExchange, ConfigError.ConfigError | InvalidTokenRequest, HttpClient.HttpClient> =>
    Layer.scoped(TokenExchange, Effect.flatMap(readConfig("NAIS_TOKEN_EXCHANGE_ENDPOINT", options), make))

  /**
   * A stub for tests: every exchange succeeds with a token naming the target
   * (`stub-exchanged:<target>`), valid for an hour by `Clock`, unless `fail` says otherwise.
   *
   * @since 0.1.0
   */
  static readonly layerTest = (
    options: { readonly fail?: ((request: ExchangeRequest) => TokenError | undefined) | undefined } = {}
  ): Layer.Layer<TokenExchange> =>
    Layer.sync(TokenExchange, () => {
      const exchange = (request: ExchangeRequest): Effect.Effect<AccessToken, TokenError> => {
        const failure = options.fail?.(request)
        if (failure !== undefined) return Effect.fail(failure)
        return Effect.map(DateTime.now, (now) =>
          new AccessToken({
            accessToken: Redacted.make(`stub-exchanged:${request.target}`),
            tokenType: "Bearer",
            expiresAt: DateTime.addDuration(now, Duration.hours(1)),
            expiresIn: Duration.hours(1)
          }))
      }
      return { exchange, renew: (request) => exchange({ ...request, skipCache: true }) }
    })
}

// ---- Keys ----------------------------------------------------------------------



// ---- Constructor ---------------------------------------------------------------

/** What the cache knows of an exchange besides its key. */
interface Exchange {
  readonly prepared: PreparedExchange
  /** The user token's own expiry: the exchanged token is never used past it. */
  readonly userExpiry: number
}

/** One POST to `/api/v1/token/exchange`, in the `TokenExchange.exchange` span. */
const exchangeCall = (prepared: PreparedExchange, forced: boolean): EndpointCall => ({
  _tag: "Post",
  fields: UserToken.exchangeFields(prepared, forced),
  providerName: prepared.providerName,
  target: prepared.target,
  spanName: Spans.names.exchange,
  attributes: Spans.exchangeRequest(prepared, forced)
})

/**
 * Builds the service; needs an `HttpClient` and a `Scope` (shared exchanges
 * run in it and stop with it).
 *
 * @category Constructors
 * @since 0.1.0
 */
const make = (
  options: TokenExchangeOptions
): Effect.Effect<Service, InvalidTokenRequest, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const settings = yield* resolveSettings(options, tokenDefaults)
    const skewMillis = Duration.toMillis(Duration.decode(options.expirySkew ?? "60 seconds"))
    const sidecar = Cache.fromSidecar(skewMillis)
    const cache = yield* Cache.make<Exchange, AccessToken, TokenError>({
      fetch: ({ prepared }, forced) => fetchAccessToken(client, settings, exchangeCall(prepared, forced)),
      ...sidecar,
      usableUntil: (token, { userExpiry }) => Math.min(sidecar.usableUntil(token), userExpiry),
      maxEntries: options.maxEntries ?? 10_000,
      renewHoldMillis: Cache.tokenRenewHold(options.minRenewInterval)
    })

    /** What the engine needs to know of a request: its key and what to send, or why it cannot be sent. */
    const ready = (request: ExchangeRequest) => {
      const prepared = prepareExchange(request)
      if (isInvalid(prepared)) return prepared
      return { key: UserToken.exchangeKey(prepared, request.userToken), entry: { prepared, userExpiry: Policy.userTokenExpiry(prepared.userToken) } }
    }

    const exchange = (request: ExchangeRequest): Effect.Effect<AccessToken, TokenError> => {
      const call = ready(request)
      if (isInvalid(call)) return Effect.fail(call)
      return call.entry.prepared.skipCache ? cache.force(call.key, call.entry) : cache.get(call.key, call.entry)
    }

    const renew = (request: ExchangeRequest, rejected: AccessToken): Effect.Effect<AccessToken, TokenError> => {
      const call = ready(request)
      return isInvalid(call) ? Effect.fail(call) : cache.renew(call.key, call.entry, rejected)
    }

    return TokenExchange.of({ exchange, renew })
  })
