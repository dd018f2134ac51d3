/**
 * A ready authenticated client for one API: base URL, token request and the
 * origins that may see the token, built once into a layer.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { type TokenError, TokenService } from "@effect-texas/core"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { AuthError } from "./AuthError.js"
import { type AuthenticateOptions, authenticateWith } from "./Authenticate.js"

// ---- Models ------------------------------------------------------------------

/**
 * A client whose requests carry a token, needing nothing from context.
 *
 * @category Models
 * @since 0.1.0
 */
export type AuthenticatedHttpClient = HttpClient.HttpClient.With<
  HttpClientError.HttpClientError | TokenError | AuthError
>

// ---- Options -----------------------------------------------------------------

/**
 * One API: where it is and which token it wants.
 *
 * @category Options
 * @since 0.1.0
 */
export interface Options extends Omit<AuthenticateOptions, "allowedOrigins"> {
  /** Prepended to every request URL, e.g. `https://api.example.com/v1`. */
  readonly baseUrl: string
  /**
   * Origins that may receive the token.
   * @default the origin of `baseUrl`
   */
  readonly allowedOrigins?: ReadonlyArray<string> | undefined
}

// ---- Constructors ------------------------------------------------------------

const allowedOriginsOf = (options: Options): ReadonlyArray<string> =>
  options.allowedOrigins ?? (URL.canParse(options.baseUrl) ? [new URL(options.baseUrl).origin] : [])

/**
 * Builds the client from the `HttpClient` and `TokenService` in context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { AuthenticatedClient } from "@effect-texas/http-client"
 *
 * class SkattApi extends Effect.Service<SkattApi>()("SkattApi", {
 *   effect: AuthenticatedClient.make({
 *     baseUrl: "https://api.skatt.example/v1",
 *     identityProvider: "maskinporten",
 *     target: "skatt:some.scope"
 *   })
 * }) {}
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const make = (
  options: Options
): Effect.Effect<AuthenticatedHttpClient, never, HttpClient.HttpClient | TokenService> =>
  Effect.gen(function*() {
    const tokens = yield* TokenService
    const client = yield* HttpClient.HttpClient
    return client.pipe(
      authenticateWith(Effect.succeed(tokens), { ...options, allowedOrigins: allowedOriginsOf(options) }),
      HttpClient.mapRequest(HttpClientRequest.prependUrl(options.baseUrl))
    )
  })

/**
 * Provides the client for one API under your own tag, so code asks for `yield* MyApi`.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { AuthenticatedClient } from "@effect-texas/http-client"
 *
 * class SkattApi extends Context.Tag("SkattApi")<SkattApi, AuthenticatedClient.AuthenticatedHttpClient>() {}
 *
 * const SkattApiLive = AuthenticatedClient.layer(SkattApi, {
 *   baseUrl: "https://api.skatt.example/v1",
 *   identityProvider: "maskinporten",
 *   target: "skatt:some.scope"
 * })
 *
 * const program = Effect.gen(function*() {
 *   const api = yield* SkattApi
 *   return yield* api.get("/things")
 * })
 * ```
 *
 * @category Layers
 * @since 0.1.0
 */
export const layer = <I>(
  tag: Context.Tag<I, AuthenticatedHttpClient>,
  options: Options
): Layer.Layer<I, never, HttpClient.HttpClient | TokenService> => Layer.effect(tag, make(options))

const isPlatformError = (
  error: HttpClientError.HttpClientError | TokenError | AuthError
): error is HttpClientError.HttpClientError => error._tag === "RequestError" || error._tag === "ResponseError"

/**
 * Authentication as a plain `HttpClient => HttpClient` function, for APIs that
 * take one (`HttpApiClient.make(api, { transformClient })`). Token and origin
 * errors surface as a `RequestError` whose `cause` is the typed error.
 *
 * @example
 * ```ts
 * import { HttpApi, HttpApiClient, HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
 * import { Effect, Schema } from "effect"
 * import { TokenService } from "@effect-texas/core"
 * import { AuthenticatedClient } from "@effect-texas/http-client"
 *
 * class MyApi extends HttpApi.make("my-api").add(
 *   HttpApiGroup.make("things").add(HttpApiEndpoint.get("list", "/things").addSuccess(Schema.Array(Schema.String)))
 * ) {}
 *
 * const client = Effect.gen(function*() {
 *   const tokens = yield* TokenService
 *   return yield* HttpApiClient.make(MyApi, {
 *     baseUrl: "https://api.example.com",
 *     transformClient: AuthenticatedClient.transformClient(tokens, {
 *       identityProvider: "maskinporten",
 *       target: "skatt:some.scope",
 *       allowedOrigins: ["https://api.example.com"]
 *     })
 *   })
 * })
 * ```
 *
 * @category Middleware
 * @since 0.1.0
 */
export const transformClient = (tokens: TokenService["Type"], options: AuthenticateOptions) =>
(client: HttpClient.HttpClient): HttpClient.HttpClient => {
  const authenticated = authenticateWith(Effect.succeed(tokens), options)(client)
  return HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
    (request) =>
      Effect.flatMap(request, (request) =>
        Effect.mapError(authenticated.execute(request), (error): HttpClientError.HttpClientError =>
          isPlatformError(error)
            ? error
            : new HttpClientError.RequestError({
              request,
              reason: error._tag === "OriginNotAllowed" ? "InvalidUrl" : "Transport",
              cause: error,
              description: error.message
            }))),
    Effect.succeed
  )
}
