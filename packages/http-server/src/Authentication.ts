/**
 * Inbound authentication for `HttpApi` servers: an `HttpApiMiddleware` with
 * `HttpApiSecurity.bearer` that introspects the caller's token at the
 * sidecar, answers 401 when it is not active, and provides the `CurrentUser`
 * to the handlers.
 *
 * @since 0.1.0
 */
import * as HttpApiError from "@effect/platform/HttpApiError"
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { CurrentUser, type IntrospectRequest, TokenIntrospection } from "@effect-texas/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { bearerToken, challenge, type Refusal, verifyUser } from "./internal/verify.js"

/**
 * Which identity provider the callers' tokens must come from.
 *
 * @category options
 * @since 0.1.0
 */
export interface AuthenticationOptions {
  readonly identityProvider: IntrospectRequest["identityProvider"]
}

/**
 * The user of the current request, from an introspected bearer token. Add it
 * to an `HttpApi` (or a group or endpoint) with `.middleware(Authentication)`
 * and provide `Authentication.layer(...)`.
 *
 * - No token, or one the sidecar says is not active: `401 Unauthorized`.
 * - The sidecar could not be asked (down, timing out): `503 Service Unavailable`,
 *   never a 401 that would send a valid user to log in again.
 *
 * @example
 * ```ts
 * import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
 * import { Effect, Layer, Schema } from "effect"
 * import { CurrentUser, TokenIntrospection } from "@effect-texas/core"
 * import { Authentication } from "@effect-texas/http-server"
 *
 * class Me extends HttpApiGroup.make("me")
 *   .add(HttpApiEndpoint.get("me", "/me").addSuccess(Schema.String))
 *   .middleware(Authentication) {}
 * class Api extends HttpApi.make("api").add(Me) {}
 *
 * const MeLive = HttpApiBuilder.group(Api, "me", (handlers) =>
 *   handlers.handle("me", () => Effect.map(CurrentUser, (user) => user.claims.sub ?? "")))
 *
 * const ApiLive = HttpApiBuilder.api(Api).pipe(
 *   Layer.provide(MeLive),
 *   Layer.provide(Authentication.layer({ identityProvider: "tokenx" })),
 *   Layer.provide(TokenIntrospection.layerConfig())
 * )
 * ```
 *
 * @category middleware
 * @since 0.1.0
 */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@effect-texas/http-server/Authentication", {
  failure: Schema.Union(HttpApiError.Unauthorized, HttpApiError.ServiceUnavailable),
  provides: CurrentUser,
  security: { bearer: HttpApiSecurity.bearer }
}) {
  /**
   * The middleware, introspecting with `TokenIntrospection`.
   *
   * @since 0.1.0
   */
  static readonly layer = (options: AuthenticationOptions): Layer.Layer<Authentication, never, TokenIntrospection> =>
    Layer.effect(
      Authentication,
      Effect.map(TokenIntrospection, (introspection) =>
        Authentication.of({ bearer: (token) => authenticateBearer(introspection, options, token) }))
    )
}

/** Introspects one bearer token: the user, or the HTTP error for the refusal. */
/** Adds the RFC 6750 challenge to this request's 401 (HttpApi errors carry no headers of their own). */
const withChallenge = (description: string) =>
  HttpApp.appendPreResponseHandler((_request, response) =>
    Effect.succeed(
      response.status === 401 ? HttpServerResponse.setHeader(response, "www-authenticate", challenge(description)) : response
    ))

const authenticateBearer = (
  introspection: TokenIntrospection["Type"],
  options: AuthenticationOptions,
  token: Redacted.Redacted<string>
) =>
  // HttpApiSecurity.bearer takes whatever follows the header's first 7 characters (`Basic  t`, `DPoP   t`):
  // the raw header must be `Bearer <token>` itself, as requireUser checks it.
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    bearerToken(request.headers["authorization"]) === Redacted.value(token)
      ? verifyUser(introspection, options.identityProvider, token)
      : Effect.fail<Refusal>({ _tag: "Unauthorized", description: "missing bearer token" })).pipe(
    Effect.catchAll((refusal): Effect.Effect<never, HttpApiError.Unauthorized | HttpApiError.ServiceUnavailable> =>
      refusal._tag === "Unauthorized"
        ? Effect.zipRight(withChallenge(refusal.description), Effect.fail(new HttpApiError.Unauthorized()))
        : Effect.fail(new HttpApiError.ServiceUnavailable())
    ),
    Effect.withSpan("Authentication.bearer", { attributes: { "texas.identity_provider": options.identityProvider } })
  )
