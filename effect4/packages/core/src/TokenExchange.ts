/**
 * Users' tokens exchanged for tokens to call other applications on their
 * behalf (TokenX, Entra ID on-behalf-of), cached per user and target under a
 * SHA-256 of the user's token, never past its own expiry.
 *
 * @since 1.0.0
 */
import { Policy, Spans, UserToken } from "@effect-texas/protocol"
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as HttpClient from "effect/http/HttpClient"
import { AccessToken } from "./AccessToken.js"
import type { EndpointOptions } from "./EndpointOptions.js"
import { annotateToken, callEndpoint, decodeToken } from "./internal/endpoint.js"
import { isInvalid, type PreparedExchange, typed, unwrapRedacted } from "./internal/prepare.js"
import { type ConfigOptions, readConfig, resolveSettings, tokenDefaults } from "./internal/settings.js"
import * as TokenCache from "./TokenCache.js"
import type { InvalidTokenRequest, TokenError } from "./TokenError.js"

/**
 * An exchange: the provider, the application to call, and the user's token.
 *
 * @category Models
 * @since 1.0.0
 */
export interface ExchangeRequest {
  readonly identityProvider: "tokenx" | "entra_id" | "azuread"
  /** The application to call: `cluster:namespace:app` (TokenX) or `api://cluster.namespace.app/.default` (Entra ID). */
  readonly target: string
  readonly userToken: Redacted.Redacted<string>
  readonly skipCache?: boolean | undefined
}

/**
 * Settings of `TokenExchange.layer`.
 *
 * @category Options
 * @since 1.0.0
 */
export interface TokenExchangeOptions extends EndpointOptions {
  /** @default "60 seconds" */
  readonly expirySkew?: Duration.Input | undefined
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
 * Token exchange at `NAIS_TOKEN_EXCHANGE_ENDPOINT`.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { TokenExchange } from "@effect-texas/core"
 *
 * const onBehalfOf = (userToken: string) =>
 *   TokenExchange.use((exchange) =>
 *     exchange.exchange({ identityProvider: "tokenx", target: "dev-gcp:team:app", userToken: Redacted.make(userToken) }))
 * ```
 *
 * @category Services
 * @since 1.0.0
 */
export class TokenExchange extends Context.Service<TokenExchange, {
  /** A token for `target` on behalf of the user. */
  readonly exchange: (request: ExchangeRequest) => Effect.Effect<AccessToken, TokenError>
  /**
   * A replacement for an exchanged token an API rejected: another cached one,
   * `rejected` itself while a forced renewal holds it, else one forced exchange.
   */
  readonly renew: (request: ExchangeRequest, rejected: AccessToken) => Effect.Effect<AccessToken, TokenError>
}>()("@effect-texas/core/TokenExchange") {
  /**
   * Builds the service without a layer (it needs an `HttpClient` and a `Scope`).
   *
   * @since 1.0.0
   */
  static readonly make = (options: TokenExchangeOptions) => make(options)

  /**
   * The service for an explicit endpoint URL.
   *
   * @since 1.0.0
   */
  static readonly layer = (options: TokenExchangeOptions): Layer.Layer<TokenExchange, InvalidTokenRequest, HttpClient.HttpClient> =>
    Layer.effect(TokenExchange, make(options))

  /**
   * The service with the endpoint from `NAIS_TOKEN_EXCHANGE_ENDPOINT` unless given.
   *
   * @since 1.0.0
   */
  static readonly layerConfig = (
    options: ConfigOptions<TokenExchangeOptions> = {}
  ): Layer.Layer<TokenExchange, Config.ConfigError | InvalidTokenRequest, HttpClient.HttpClient> =>
    Layer.effect(TokenExchange, Effect.flatMap(readConfig("NAIS_TOKEN_EXCHANGE_ENDPOINT", options), make))

  /**
   * A stub for tests: every exchange succeeds with a token naming the target
   * (`stub-exchanged:<target>`), valid for an hour by `Clock`, unless `fail` says otherwise.
   *
   * @since 1.1.0
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



interface Exchange {
  readonly prepared: PreparedExchange
  readonly userExpiry: number
}

/**
 * Builds the service; needs an `HttpClient` and a `Scope`.
 *
 * @example
 * ```ts
 * import { TokenExchange } from "@effect-texas/core"
 *
 * const service = TokenExchange.make({ endpoint: "http://127.0.0.1:8090/api/v1/token/exchange" })
 * ```
 *
 * @category Constructors
 * @since 1.0.0
 */
const make: (options: TokenExchangeOptions) => Effect.Effect<TokenExchange["Service"], InvalidTokenRequest, HttpClient.HttpClient | Scope.Scope> = Effect.fnUntraced(function*(options: TokenExchangeOptions) {
    const client = yield* HttpClient.HttpClient
    const settings = yield* resolveSettings(options, tokenDefaults)
    const skewMillis = Duration.toMillis(Duration.fromInputUnsafe(options.expirySkew ?? "60 seconds"))
    const sidecar = TokenCache.fromSidecar(skewMillis)
    const decode = decodeToken(settings)
    const cache = yield* TokenCache.make<Exchange, AccessToken, TokenError>({
      fetch: ({ prepared }, forced) =>
        callEndpoint(client, settings, {
          _tag: "Post",
          fields: UserToken.exchangeFields(prepared, forced),
          providerName: prepared.providerName,
          target: prepared.target,
          spanName: Spans.names.exchange,
          attributes: Spans.exchangeRequest(prepared, forced)
        }, decode, annotateToken),
      ...sidecar,
      usableUntil: (token, { userExpiry }) => Math.min(sidecar.usableUntil(token), userExpiry),
      maxEntries: options.maxEntries ?? 10_000,
      renewHoldMillis: TokenCache.tokenRenewHold(options.minRenewInterval)
    })
    /** Its key and what to send, or why it cannot be sent. */
    const ready = (request: ExchangeRequest) => {
      const prepared = typed(UserToken.prepareExchange(request, unwrapRedacted))
      if (isInvalid(prepared)) return prepared
      const entry: Exchange = { prepared, userExpiry: Policy.userTokenExpiry(prepared.userToken) }
      return { key: UserToken.exchangeKey(prepared, request.userToken), entry }
    }
    return TokenExchange.of({
      exchange: (request) => {
        const call = ready(request)
        if (isInvalid(call)) return Effect.fail(call)
        return call.entry.prepared.skipCache ? cache.force(call.key, call.entry) : cache.get(call.key, call.entry)
      },
      renew: (request, rejected) => {
        const call = ready(request)
        return isInvalid(call) ? Effect.fail(call) : cache.renew(call.key, call.entry, rejected)
      }
    })
  })
