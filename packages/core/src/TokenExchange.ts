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
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Jose from "jose"
import { AccessToken } from "./AccessToken.js"
import type { EndpointOptions } from "./EndpointOptions.js"
import { fetchExchangedToken, httpUrlConfig, resolveSettings } from "./internal/endpoint.js"
import { InvalidTokenRequest, type TokenError } from "./TokenError.js"

// ---- Models ------------------------------------------------------------------

/**
 * A request to exchange a user's token for one to `target`.
 *
 * @category models
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
 * @category services
 * @since 0.1.0
 */
export interface Service {
  /**
   * A token to `target` on behalf of the user whose token is given: from the
   * cache while one is usable (never past the user token's own expiry),
   * otherwise from the endpoint, one request shared by concurrent callers.
   */
  readonly exchange: (request: ExchangeRequest) => Effect.Effect<AccessToken, TokenError>
}

/**
 * Settings of `TokenExchange.layer`.
 *
 * @category options
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
 * @category services
 * @since 0.1.0
 */
export class TokenExchange extends Context.Tag("@effect-texas/core/TokenExchange")<TokenExchange, Service>() {
  /**
   * The service for an explicit endpoint URL.
   *
   * @since 0.1.0
   */
  static readonly layer = (options: TokenExchangeOptions): Layer.Layer<TokenExchange, never, HttpClient.HttpClient> =>
    Layer.scoped(TokenExchange, make(options))

  /**
   * The service for the endpoint in `NAIS_TOKEN_EXCHANGE_ENDPOINT`; a missing
   * or non-http(s) value fails the layer with a `ConfigError`.
   *
   * @since 0.1.0
   */
  static readonly layerConfig = (
    options: Omit<TokenExchangeOptions, "endpoint"> = {}
  ): Layer.Layer<TokenExchange, ConfigError.ConfigError, HttpClient.HttpClient> =>
    Layer.scoped(TokenExchange, Effect.flatMap(httpUrlConfig("NAIS_TOKEN_EXCHANGE_ENDPOINT"), (endpoint) => make({ ...options, endpoint })))

  /**
   * A stub for tests: every exchange succeeds with a token naming the target
   * (`stub-exchanged:<target>`), valid for an hour by `Clock`, unless `fail` says otherwise.
   *
   * @since 0.1.0
   */
  static readonly layerTest = (
    options: { readonly fail?: ((request: ExchangeRequest) => TokenError | undefined) | undefined } = {}
  ): Layer.Layer<TokenExchange> =>
    Layer.succeed(TokenExchange, {
      exchange: (request) => {
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
    })
}

// ---- Validation and keys -------------------------------------------------------

// eslint-disable-next-line no-control-regex
const controlOrSpace = /[\u0000-\u0020\u007f-\u009f]/
const maxTargetLength = 8192
const maxUserTokenLength = 64 * 1024

const fail = (field: InvalidTokenRequest["field"], reason: string) => new InvalidTokenRequest({ field, reason })

interface PreparedExchange {
  readonly provider: "tokenx" | "entra_id"
  readonly providerName: string
  readonly target: string
  readonly userToken: string
  readonly skipCache: boolean
}

const prepareExchange = (request: ExchangeRequest): PreparedExchange | InvalidTokenRequest => {
  if (typeof request !== "object" || request === null) return fail("target", "the request must be an object")
  const name: unknown = request.identityProvider
  const provider = name === "tokenx" ? "tokenx" : name === "entra_id" || name === "azuread" ? "entra_id" : undefined
  if (provider === undefined) {
    return fail("identityProvider", `\`${String(name)}\` cannot exchange tokens; use "tokenx" or "entra_id"`)
  }
  const target: unknown = request.target
  if (typeof target !== "string") return fail("target", "must be a string")
  const trimmed = target.trim()
  if (trimmed.length === 0) return fail("target", "is empty")
  if (trimmed.length > maxTargetLength) return fail("target", `is ${trimmed.length} characters long; at most ${maxTargetLength} are accepted`)
  if (controlOrSpace.test(trimmed)) return fail("target", "names one audience: it must not contain spaces or control characters")
  if (!Redacted.isRedacted(request.userToken)) return fail("userToken", "must be Redacted (Redacted.make(token))")
  const userToken: unknown = Redacted.value(request.userToken)
  if (typeof userToken !== "string" || userToken.length === 0) return fail("userToken", "is empty")
  if (userToken.length > maxUserTokenLength) return fail("userToken", `is longer than ${maxUserTokenLength} characters`)
  if (controlOrSpace.test(userToken)) return fail("userToken", "contains spaces or control characters (pass the token without `Bearer `)")
  const skipCache: unknown = request.skipCache
  if (skipCache !== undefined && typeof skipCache !== "boolean") return fail("skipCache", "must be true or false")
  return { provider, providerName: name as string, target: trimmed, userToken, skipCache: skipCache === true }
}

const hex = (bytes: ArrayBuffer): string => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("")

/**
 * The cache key: provider, target and a SHA-256 of the user token, so the
 * cache never holds a user's token and two users can never share an entry.
 */
const cacheKey = (prepared: PreparedExchange, userToken: Redacted.Redacted<string>): Effect.Effect<string> => {
  const toKey = (digest: string) => `${prepared.provider}\u0000${prepared.target}\u0000${digest}`
  const known = digests.get(userToken)
  if (known !== undefined) return Effect.succeed(toKey(known))
  return Effect.map(
    Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(prepared.userToken))),
    (digest) => {
      const text = hex(digest)
      digests.set(userToken, text)
      return toKey(text)
    }
  )
}

/**
 * Digests already computed, per `Redacted` the caller holds: the outbound
 * requests of one inbound request share one, and the hash is done once.
 * Weak, so an entry goes with the request that held it.
 */
const digests = new WeakMap<Redacted.Redacted<string>, string>()

/** The user token's own expiry in epoch ms, when it is a JWT that says; the exchanged token is not used past it. */
const userTokenExpiry = (userToken: string): number => {
  try {
    const { exp } = Jose.decodeJwt(userToken)
    return typeof exp === "number" ? exp * 1000 : Infinity
  } catch {
    // Not a JWT: the sidecar will judge it; no cap from here.
    return Infinity
  }
}

// ---- Constructor ---------------------------------------------------------------

interface Entry {
  readonly token: AccessToken
  readonly usableUntil: number
}

/**
 * Builds the service; needs an `HttpClient` and a `Scope` (shared exchanges
 * run in it and stop with it).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  options: TokenExchangeOptions
): Effect.Effect<Service, never, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const scope = yield* Effect.scope
    const { invalid, settings } = resolveSettings(options, { attemptTimeout: "5 seconds", timeout: "15 seconds" })
    const skewMillis = Duration.toMillis(Duration.decode(options.expirySkew ?? "60 seconds"))
    const maxEntries = Math.max(1, options.maxEntries ?? 10_000)
    const entries = new Map<string, Entry>()
    const flights = new Map<string, { readonly deferred: Deferred.Deferred<AccessToken, TokenError>; readonly forced: boolean }>()

    const store = (key: string, token: AccessToken, userExpiry: number, now: number) => {
      const lifetime = Duration.toMillis(token.expiresIn)
      const usableUntil = Math.min(DateTime.toEpochMillis(token.expiresAt) - Math.min(skewMillis, lifetime / 2), userExpiry)
      if (usableUntil <= now) return
      entries.delete(key)
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next()
        if (oldest.done === true) break
        entries.delete(oldest.value)
      }
      entries.set(key, { token, usableUntil })
    }

    const fetch = (prepared: PreparedExchange) =>
      invalid === undefined
        ? fetchExchangedToken(client, settings, {
          fields: {
            identity_provider: prepared.providerName,
            target: prepared.target,
            user_token: prepared.userToken,
            ...(prepared.skipCache ? { skip_cache: true } : {})
          },
          providerName: prepared.providerName,
          target: prepared.target,
          spanName: "TokenExchange.exchange",
          attributes: {
            "texas.identity_provider": prepared.provider,
            "texas.target": prepared.target,
            "texas.skip_cache": prepared.skipCache,
            "texas.cache_hit": false
          }
        })
        : Effect.fail(invalid)

    const flight = (key: string, prepared: PreparedExchange): Effect.Effect<AccessToken, TokenError> =>
      Effect.suspend(() => {
        const current = flights.get(key)
        if (current !== undefined && (current.forced || !prepared.skipCache)) return Deferred.await(current.deferred)
        const mine = { deferred: Deferred.unsafeMake<AccessToken, TokenError>(FiberId.none), forced: prepared.skipCache }
        flights.set(key, mine)
        const settle = (exit: Exit.Exit<AccessToken, TokenError>) =>
          Effect.clockWith((clock) => {
            if (flights.get(key) === mine) {
              flights.delete(key)
              if (Exit.isSuccess(exit)) store(key, exit.value, userTokenExpiry(prepared.userToken), clock.unsafeCurrentTimeMillis())
            }
            return Deferred.done(mine.deferred, exit)
          })
        // In the service's scope: a caller that gives up does not cancel the exchange for the others.
        return Effect.zipRight(Effect.forkIn(Effect.onExit(fetch(prepared), settle), scope), Deferred.await(mine.deferred))
      })

    const exchange = (request: ExchangeRequest): Effect.Effect<AccessToken, TokenError> => {
      const prepared = prepareExchange(request)
      if ("_tag" in prepared) return Effect.fail(prepared)
      return Effect.flatMap(cacheKey(prepared, request.userToken), (key) =>
        Effect.clockWith((clock) => {
          const now = clock.unsafeCurrentTimeMillis()
          if (prepared.skipCache) {
            entries.delete(key)
            return flight(key, prepared)
          }
          const entry = entries.get(key)
          if (entry === undefined || now >= entry.usableUntil) {
            entries.delete(key)
            return flight(key, prepared)
          }
          // Least recently used goes first: a hit moves the entry to the back.
          entries.delete(key)
          entries.set(key, entry)
          return Effect.succeed(entry.token)
        }))
    }

    return TokenExchange.of({ exchange })
  })
