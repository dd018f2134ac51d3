/**
 * Validating incoming tokens: asks the sidecar's
 * `NAIS_TOKEN_INTROSPECTION_ENDPOINT` whether a token is active, and decodes
 * its answer into typed claims or the reason it is not.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type { EndpointOptions } from "./EndpointOptions.js"
import { callEndpoint } from "./internal/endpoint.js"
import {
  type ConfigOptions,
  type EndpointSettings,
  readConfig,
  resolveSettings
} from "./internal/settings.js"
import * as Cache from "./TokenCache.js"
import { Answers, Policy, Spans, UserToken } from "@effect-texas/protocol"
import { prepareIntrospection } from "./internal/prepare.js"
import * as TokenMetrics from "./TokenMetrics.js"
import { type InvalidTokenRequest, InvalidTokenResponse, type TokenError } from "./TokenError.js"
import { Active, type Claims, Inactive, type IntrospectionResult } from "./IntrospectionResult.js"

// ---- Models ------------------------------------------------------------------

export { Active, Claims, Inactive, type IntrospectionResult } from "./IntrospectionResult.js"

/**
 * A token to check, and the provider that should have issued it.
 *
 * @category Models
 * @since 0.1.0
 */
export interface IntrospectRequest {
  readonly identityProvider: "tokenx" | "entra_id" | "azuread" | "idporten" | "maskinporten"
  readonly token: Redacted.Redacted<string>
}

/**
 * What `TokenIntrospection` offers.
 *
 * @category Services
 * @since 0.1.0
 */
export interface Service {
  /** Whether the token is active, with its claims; fails only when the sidecar could not tell. */
  readonly introspect: (request: IntrospectRequest) => Effect.Effect<IntrospectionResult, TokenError>
}

/**
 * Settings of `TokenIntrospection.layer`. Introspection sits on the request
 * path of a server, so its defaults are short: one retry after about 100 ms,
 * "1 second" per attempt, "2500 millis" in all.
 *
 * @category Options
 * @since 0.1.0
 */
export interface TokenIntrospectionOptions extends EndpointOptions {
  /**
   * The verdict cache. An active verdict is kept, keyed by a SHA-256 of the
   * token (never the token), until the token's `exp` as the sidecar reported
   * it and at most `maxAge`; inactive verdicts are not kept. The sidecar's
   * answer depends only on the token, the provider's keys and the clock, so
   * the one trade-off is this: a key withdrawn from the provider's JWKS keeps
   * an already cached token valid here for at most `maxAge`. `false` asks the
   * sidecar on every call (identical calls in flight still share one request).
   * @default { maxAge: "60 seconds", maxEntries: 10000 }
   */
  readonly cache?: false | {
    readonly maxAge?: Duration.DurationInput | undefined
    readonly maxEntries?: number | undefined
  } | undefined
}

// ---- Service tag -------------------------------------------------------------

/**
 * Validates incoming tokens at `NAIS_TOKEN_INTROSPECTION_ENDPOINT`.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { TokenIntrospection } from "@effect-texas/core"
 *
 * const callerOf = (token: string) =>
 *   Effect.gen(function*() {
 *     const introspection = yield* TokenIntrospection
 *     const result = yield* introspection.introspect({ identityProvider: "tokenx", token: Redacted.make(token) })
 *     return result._tag === "Active" ? result.claims.sub : undefined
 *   })
 * ```
 *
 * @category Services
 * @since 0.1.0
 */
export class TokenIntrospection extends Context.Tag("@effect-texas/core/TokenIntrospection")<
  TokenIntrospection,
  Service
>() {
  /**
   * Builds the service without a layer (what the layers use).
   *
   * @since 0.1.0
   */
  static readonly make = (options: TokenIntrospectionOptions) => make(options)

  /**
   * The service for an explicit endpoint URL.
   *
   * @since 0.1.0
   */
  static readonly layer = (
    options: TokenIntrospectionOptions
  ): Layer.Layer<TokenIntrospection, InvalidTokenRequest, HttpClient.HttpClient> => Layer.scoped(TokenIntrospection, make(options))

  /**
   * The service with its options read through `Config`, the endpoint from
   * `NAIS_TOKEN_INTROSPECTION_ENDPOINT` unless given; a missing or non-http(s)
   * value fails the layer with a `ConfigError`.
   *
   * @since 0.1.0
   */
  static readonly layerConfig = (
    options: ConfigOptions<TokenIntrospectionOptions> = {}
  ): Layer.Layer<TokenIntrospection, ConfigError.ConfigError | InvalidTokenRequest, HttpClient.HttpClient> =>
    Layer.scoped(TokenIntrospection, Effect.flatMap(readConfig("NAIS_TOKEN_INTROSPECTION_ENDPOINT", options), make))

  /**
   * A stub for tests: `verdict` decides per token string (default: every
   * non-empty token is active with `sub: "test-user"`).
   *
   * @since 0.1.0
   */
  static readonly layerTest = (
    verdict: (token: string, request: IntrospectRequest) => IntrospectionResult = (token) =>
      token.length > 0 ? new Active({ claims: { sub: "test-user" } }) : new Inactive({ reason: "token is empty" })
  ): Layer.Layer<TokenIntrospection> =>
    Layer.succeed(TokenIntrospection, {
      introspect: (request) => Effect.sync(() => verdict(Redacted.value(request.token), request))
    })
}

// ---- Decoding ------------------------------------------------------------------

const toResult = (settings: EndpointSettings) => (
  response: { readonly status: number },
  text: string
): Either.Either<IntrospectionResult, InvalidTokenResponse> => {
  // Decoded by the rule both lines share: the claims are checked once, there.
  const answer = Answers.decodeIntrospection(text)
  if (!answer.ok) return Either.left(new InvalidTokenResponse({ endpoint: settings.endpoint, status: response.status, reason: answer.reason }))
  return Either.right(answer.active ? new Active({ claims: answer.claims as Claims }) : new Inactive({ reason: answer.error ?? "token is not active" }))
}

/** On the request path of a server: one retry, soon. */
const requestPathRetries: Schedule.Schedule<unknown, TokenError> = Schedule.exponential("100 millis").pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(1))
)

// ---- Constructor ---------------------------------------------------------------

/** One introspection as the verdict cache knows it: what to send, and when it was asked. */
interface Asked {
  readonly provider: IntrospectRequest["identityProvider"]
  readonly token: string
  readonly askedAt: number
}


/** Until when a verdict may be reused: an active one until its `exp` and `cap`, an inactive one not at all. */
const verdictUsableUntil = (result: IntrospectionResult, cap: number): number =>
  Policy.verdictUsableUntil(result._tag === "Active", result._tag === "Active" ? result.claims.exp : undefined, cap)

/**
 * Builds the service; needs an `HttpClient`.
 *
 * @category Constructors
 * @since 0.1.0
 */
const make = (
  options: TokenIntrospectionOptions
): Effect.Effect<Service, InvalidTokenRequest, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const settings = yield* resolveSettings(options, {
      attemptTimeout: "1 second",
      timeout: "2500 millis",
      retrySchedule: requestPathRetries
    })
    const decode = toResult(settings)
    const maxAgeMillis = options.cache === false ? 0 : Duration.toMillis(Duration.decode(options.cache?.maxAge ?? "60 seconds"))

    const ask = ({ provider, token }: Asked) =>
      callEndpoint(
        client,
        settings,
        {
          _tag: "Post",
          fields: { identity_provider: provider, token },
          providerName: provider,
          target: "(introspection)",
          spanName: Spans.names.introspect,
          attributes: Spans.provider(provider)
        },
        (response, text) => decode(response, text),
        (result) => ({ active: result._tag === "Active" })
      )

    // One engine: identical calls in flight share a request; active verdicts are kept while they may be.
    const verdicts = yield* Cache.make<Asked, IntrospectionResult, TokenError>({
      fetch: (asked) => ask(asked),
      usableUntil: (result, asked) => verdictUsableUntil(result, asked.askedAt + maxAgeMillis),
      maxEntries: options.cache === false ? 1 : options.cache?.maxEntries ?? 10_000,
      metrics: { hits: TokenMetrics.verdictCacheHits, misses: TokenMetrics.verdictCacheMisses, size: TokenMetrics.verdictCacheEntries }
    })

    const introspect = (request: IntrospectRequest): Effect.Effect<IntrospectionResult, TokenError> => {
      const prepared = prepareIntrospection(request)
      if (prepared._tag === "InvalidTokenRequest") return Effect.fail(prepared)
      if (prepared._tag === "NotAJws") return Effect.succeed(new Inactive({ reason: prepared.reason }))
      return Effect.clockWith((clock) => {
        const key = UserToken.verdictKey(prepared.provider, prepared.token)
        return verdicts.get(key, { provider: prepared.provider, token: prepared.token, askedAt: clock.unsafeCurrentTimeMillis() })
      })
    }

    return TokenIntrospection.of({ introspect })
  })
