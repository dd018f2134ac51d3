/**
 * Incoming tokens validated by the sidecar (`/api/v1/introspect`): active
 * with their claims, or inactive with the sidecar's reason. Active verdicts
 * are cached briefly under a SHA-256 of the token.
 *
 * @since 1.0.0
 */
import { Answers, Policy, Spans, UserToken } from "@effect-texas/protocol"
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as HttpClient from "effect/http/HttpClient"
import type { EndpointOptions } from "./EndpointOptions.js"
import { callEndpoint } from "./internal/endpoint.js"
import { isInvalid, typed, unwrapRedacted } from "./internal/prepare.js"
import { type ConfigOptions, readConfig, resolveSettings } from "./internal/settings.js"
import * as TokenCache from "./TokenCache.js"
import * as TokenMetrics from "./TokenMetrics.js"
import { InvalidTokenResponse, type InvalidTokenRequest, type TokenError } from "./TokenError.js"

/**
 * The claims of an active token: the common ones by name, the rest as `unknown`.
 *
 * @category Models
 * @since 1.0.0
 */
export interface Claims {
  readonly [claim: string]: unknown
  /** The issuer: one string, or (jsonwebtoken accepts it, so the sidecar does) a list that holds it. */
  readonly iss?: string | ReadonlyArray<string>
  readonly sub?: string
  readonly aud?: string | ReadonlyArray<string>
  readonly exp?: number
  readonly iat?: number
  readonly nbf?: number
  readonly jti?: string
  readonly azp?: string
  readonly client_id?: string
  readonly scope?: string
  /** ID-porten and TokenX: the person's national identity number. */
  readonly pid?: string
  readonly acr?: string
  /** TokenX: the issuer of the token that was exchanged. */
  readonly idp?: string
  /** Entra ID: the employee's NAV ident. */
  readonly NAVident?: string
  /** Maskinporten: the organisation the token was issued to (`ID`: `0192:<orgno>`). */
  readonly consumer?: Organisation
  /** Maskinporten: the organisation acting for the consumer, when one does. */
  readonly supplier?: Organisation
  /** Maskinporten: how the client authenticated (`private_key_jwt`, `virksomhetssertifikat`). */
  readonly client_amr?: string
  /** ID-porten: how the person logged in (`BankID`, `MinID`, ...). */
  readonly amr?: ReadonlyArray<string>
  readonly locale?: string
  /** Entra ID: the object id of the user or application. */
  readonly oid?: string
  /** Entra ID: the object ids of the user's groups. */
  readonly groups?: ReadonlyArray<string>
  /** Entra ID: app roles (machine callers, `idtyp: app`). */
  readonly roles?: ReadonlyArray<string>
  /** Entra ID: the calling application, `cluster:namespace:app`. */
  readonly azp_name?: string
  /** Entra ID: `app` for an application's own token. */
  readonly idtyp?: string
  readonly name?: string
  readonly preferred_username?: string
}

/**
 * An organisation in a Maskinporten token (`consumer`, `supplier`).
 *
 * @category Models
 * @since 1.0.0
 */
export interface Organisation {
  readonly [field: string]: unknown
  readonly authority?: string
  /** `0192:<orgno>` */
  readonly ID: string
}

/**
 * The token is valid: its claims.
 *
 * @example
 * ```ts
 * import { Active } from "@effect-texas/core"
 *
 * const verdict = new Active({ claims: { sub: "someone" } })
 * ```
 *
 * @category Models
 * @since 1.0.0
 */
export class Active extends Data.TaggedClass("Active")<{ readonly claims: Claims }> {}

/**
 * The token is not valid: the sidecar's reason, which never holds the token.
 *
 * @example
 * ```ts
 * import { Inactive } from "@effect-texas/core"
 *
 * const verdict = new Inactive({ reason: "invalid token: ExpiredSignature" })
 * ```
 *
 * @category Models
 * @since 1.0.0
 */
export class Inactive extends Data.TaggedClass("Inactive")<{ readonly reason: string }> {}

/**
 * What an introspection found.
 *
 * @category Models
 * @since 1.0.0
 */
export type IntrospectionResult = Active | Inactive

/**
 * A token to check, and the provider that should have issued it.
 *
 * @category Models
 * @since 1.0.0
 */
export interface IntrospectRequest {
  readonly identityProvider: "tokenx" | "entra_id" | "azuread" | "idporten" | "maskinporten"
  readonly token: Redacted.Redacted<string>
}

/**
 * Settings of `TokenIntrospection.layer`: short defaults for the request path.
 *
 * @category Options
 * @since 1.0.0
 */
export interface TokenIntrospectionOptions extends EndpointOptions {
  /** @default { maxAge: "60 seconds", maxEntries: 10000 }; `false` asks on every call */
  readonly cache?: false | { readonly maxAge?: Duration.Input | undefined; readonly maxEntries?: number | undefined } | undefined
}

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
 * @since 1.0.0
 */
export class TokenIntrospection extends Context.Service<TokenIntrospection, {
  /** Whether the token is active, with its claims; fails only when the sidecar could not tell. */
  readonly introspect: (request: IntrospectRequest) => Effect.Effect<IntrospectionResult, TokenError>
}>()("@effect-texas/core/TokenIntrospection") {
  /**
   * Builds the service without a layer (it needs an `HttpClient` and a `Scope`).
   *
   * @since 1.0.0
   */
  static readonly make = (options: TokenIntrospectionOptions) => make(options)

  /**
   * The service for an explicit endpoint URL.
   *
   * @since 1.0.0
   */
  static readonly layer = (options: TokenIntrospectionOptions): Layer.Layer<TokenIntrospection, InvalidTokenRequest, HttpClient.HttpClient> =>
    Layer.effect(TokenIntrospection, make(options))

  /**
   * The service with the endpoint from `NAIS_TOKEN_INTROSPECTION_ENDPOINT` unless given.
   *
   * @since 1.0.0
   */
  static readonly layerConfig = (
    options: ConfigOptions<TokenIntrospectionOptions> = {}
  ): Layer.Layer<TokenIntrospection, Config.ConfigError | InvalidTokenRequest, HttpClient.HttpClient> =>
    Layer.effect(TokenIntrospection, Effect.flatMap(readConfig("NAIS_TOKEN_INTROSPECTION_ENDPOINT", options), make))

  /**
   * A stub for tests: `verdict` decides per token string (default: every
   * non-empty token is active with `sub: "test-user"`).
   *
   * @since 1.1.0
   */
  static readonly layerTest = (
    verdict: (token: string, request: IntrospectRequest) => IntrospectionResult = (token) =>
      token.length > 0 ? new Active({ claims: { sub: "test-user" } }) : new Inactive({ reason: "token is empty" })
  ): Layer.Layer<TokenIntrospection> =>
    Layer.succeed(TokenIntrospection, {
      introspect: (request) => Effect.sync(() => verdict(Redacted.value(request.token), request))
    })
}

const requestPathRetries: Schedule.Schedule<unknown, TokenError> = Schedule.max([
  Schedule.jittered(Schedule.exponential("100 millis")),
  Schedule.recurs(1)
])

interface Asked {
  readonly provider: string
  readonly token: string
  readonly askedAt: number
}

/** Until when a verdict may be reused: an active one until its `exp` and `cap`, an inactive one not at all. */
const verdictUsableUntil = (result: IntrospectionResult, cap: number): number =>
  Policy.verdictUsableUntil(result._tag === "Active", result._tag === "Active" ? result.claims.exp : undefined, cap)

/**
 * Builds the service; needs an `HttpClient` and a `Scope`.
 *
 * @example
 * ```ts
 * import { TokenIntrospection } from "@effect-texas/core"
 *
 * const service = TokenIntrospection.make({ endpoint: "http://127.0.0.1:8090/api/v1/introspect", cache: false })
 * ```
 *
 * @category Constructors
 * @since 1.0.0
 */
const make: (options: TokenIntrospectionOptions) => Effect.Effect<TokenIntrospection["Service"], InvalidTokenRequest, HttpClient.HttpClient | Scope.Scope> = Effect.fnUntraced(function*(options: TokenIntrospectionOptions) {
    const client = yield* HttpClient.HttpClient
    const settings = yield* resolveSettings(
      { retrySchedule: requestPathRetries, ...options },
      { attemptTimeout: "1 second", timeout: "2500 millis" }
    )
    const maxAgeMillis = options.cache === false ? 0 : Duration.toMillis(Duration.fromInputUnsafe(options.cache?.maxAge ?? "60 seconds"))
    const ask = ({ provider, token }: Asked) =>
      callEndpoint(client, settings, {
        _tag: "Post",
        fields: { identity_provider: provider, token },
        providerName: provider,
        target: "(introspection)",
        spanName: Spans.names.introspect,
        attributes: Spans.provider(provider)
      }, (status, _contentType, text) => {
        // Decoded by the rule both lines share: the claims are checked once, there.
        const answer = Answers.decodeIntrospection(text)
        if (!answer.ok) return Result.fail(new InvalidTokenResponse({ endpoint: settings.endpoint, status, reason: answer.reason }))
        return Result.succeed(answer.active ? new Active({ claims: answer.claims as Claims }) : new Inactive({ reason: answer.error ?? "token is not active" }))
      }, (result) => ({ active: result._tag === "Active" }))
    const verdicts = yield* TokenCache.make<Asked, IntrospectionResult, TokenError>({
      fetch: ask,
      usableUntil: (result, asked) => verdictUsableUntil(result, asked.askedAt + maxAgeMillis),
      maxEntries: options.cache === false ? 1 : options.cache?.maxEntries ?? 10_000,
      metrics: { hits: TokenMetrics.verdictCacheHits, misses: TokenMetrics.verdictCacheMisses, size: TokenMetrics.verdictCacheEntries }
    })
    return TokenIntrospection.of({
      introspect: (request) => {
        const prepared = typed(UserToken.prepareIntrospection(request, unwrapRedacted))
        if (isInvalid(prepared)) return Effect.fail(prepared)
        if (prepared._tag === "NotAJws") return Effect.succeed(new Inactive({ reason: prepared.reason }))
        return Effect.clockWith((clock) => {
          const key = UserToken.verdictKey(prepared.provider, prepared.token)
          return verdicts.get(key, { provider: prepared.provider, token: prepared.token, askedAt: clock.currentTimeMillisUnsafe() })
        })
      }
    })
  })
