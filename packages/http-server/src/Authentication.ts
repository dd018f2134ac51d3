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
import { type Claims, CurrentUser, TokenIntrospection } from "@effect-texas/core"
import { type Access, Spans } from "@effect-texas/protocol"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AccessPolicy from "./AccessPolicy.js"
import type { AccessOptions, InvalidPolicy } from "./AccessPolicy.js"
import { admit, bearerToken, challenge, type Refusal, verifyUser } from "./internal/verify.js"

/**
 * Which identity provider the callers' tokens must come from, and what they
 * must have beyond an active token (`require`: see `AccessOptions`).
 *
 * @category Options
 * @since 0.1.0
 */
export type AuthenticationOptions = AccessOptions

/**
 * The user of the current request, from an introspected bearer token. Add it
 * to an `HttpApi` (or a group or endpoint) with `.middleware(Authentication)`
 * and provide `Authentication.layer(...)`.
 *
 * - No token, or one the sidecar says is not active: `401 Unauthorized`.
 * - An active token the policy (`require`) refuses: `403 Forbidden` (with
 *   `WWW-Authenticate: Bearer error="insufficient_scope"` when scopes are
 *   missing); the reason goes to the log and the span only.
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
 * @category Middleware
 * @since 0.1.0
 */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@effect-texas/http-server/Authentication", {
  failure: Schema.Union(HttpApiError.Unauthorized, HttpApiError.Forbidden, HttpApiError.ServiceUnavailable),
  provides: CurrentUser,
  security: { bearer: HttpApiSecurity.bearer }
}) {
  /**
   * The middleware, introspecting with `TokenIntrospection`; a `require` that
   * cannot be a policy fails the layer with `InvalidPolicy`.
   *
   * @since 0.1.0
   */
  static readonly layer = (options: AuthenticationOptions): Layer.Layer<Authentication, InvalidPolicy, TokenIntrospection> =>
    Layer.effect(
      Authentication,
      Effect.flatMap(AccessPolicy.make(options), (policy) =>
        Effect.map(TokenIntrospection, (introspection) =>
          Authentication.of({ bearer: (token) => authenticateBearer(introspection, options, policy, token) })))
    )
}

/** Introspects one bearer token: the user, or the HTTP error for the refusal. */
/** Adds a challenge to this request's 401 or 403 (HttpApi errors carry no headers of their own). */
const withChallenge = (status: 401 | 403, value: string) =>
  HttpApp.appendPreResponseHandler((_request, response) =>
    Effect.succeed(response.status === status ? HttpServerResponse.setHeader(response, "www-authenticate", value) : response))

const authenticateBearer = (
  introspection: TokenIntrospection["Type"],
  options: AuthenticationOptions,
  policy: Access.Policy<Claims>,
  token: Redacted.Redacted<string>
) =>
  // HttpApiSecurity.bearer takes whatever follows the header's first 7 characters (`Basic  t`, `DPoP   t`):
  // the raw header must be `Bearer <token>` itself, as requireUser checks it.
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    bearerToken(request.headers["authorization"]) === Redacted.value(token)
      ? Effect.flatMap(verifyUser(introspection, options.identityProvider, token), (user) => admit(policy, user))
      : Effect.fail<Refusal>({ _tag: "Unauthorized", description: "missing bearer token" })).pipe(
    Effect.catchAll((refusal): Effect.Effect<never, HttpApiError.Unauthorized | HttpApiError.Forbidden | HttpApiError.ServiceUnavailable> => {
      switch (refusal._tag) {
        case "Unauthorized":
          return Effect.zipRight(withChallenge(401, challenge(refusal.description)), Effect.fail(new HttpApiError.Unauthorized()))
        case "Forbidden":
          return refusal.challenge === undefined
            ? Effect.fail(new HttpApiError.Forbidden())
            : Effect.zipRight(withChallenge(403, refusal.challenge), Effect.fail(new HttpApiError.Forbidden()))
        case "Unavailable":
          return Effect.fail(new HttpApiError.ServiceUnavailable())
      }
    }),
    Effect.withSpan(Spans.names.authentication, { attributes: Spans.provider(options.identityProvider) })
  )
