/**
 * `HttpApi` security middleware (`effect/http-api`): endpoints that declare
 * it get the `CurrentUser` for a bearer token the sidecar finds active.
 *
 * @since 1.0.0
 */
import { CurrentUser, TokenIntrospection } from "@effect-texas/core"
import { Spans } from "@effect-texas/protocol"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as HttpApiError from "effect/http-api/HttpApiError"
import * as HttpApiMiddleware from "effect/http-api/HttpApiMiddleware"
import * as HttpApiSecurity from "effect/http-api/HttpApiSecurity"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as AccessPolicy from "./AccessPolicy.js"
import type { AccessOptions, InvalidPolicy } from "./AccessPolicy.js"
import { admit, bearerToken, refused, verifyUser } from "./internal/verify.js"

/**
 * Which identity provider's users are accepted.
 *
 * @category Options
 * @since 1.0.0
 */
export type AuthenticationOptions = AccessOptions

/**
 * The middleware tag: declare it on an `HttpApiGroup` or endpoint with `.middleware(Authentication)`.
 * A 401 carries the RFC 6750 challenge; a sidecar that cannot tell gives 503.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { HttpApi, HttpApiEndpoint, HttpApiGroup } from "effect/http-api"
 * import { Authentication } from "@effect-texas/http-server"
 *
 * const Api = HttpApi.make("api").add(
 *   HttpApiGroup.make("me").add(HttpApiEndpoint.get("me", "/me", { success: Schema.String })).middleware(Authentication)
 * )
 * const AuthLive = Authentication.layer({ identityProvider: "idporten" })
 * ```
 *
 * @category Middleware
 * @since 1.0.0
 */
export class Authentication extends HttpApiMiddleware.Service<Authentication, { provides: CurrentUser; requires: never }>()(
  "@effect-texas/http-server/Authentication",
  {
    error: [HttpApiError.Unauthorized, HttpApiError.Forbidden, HttpApiError.ServiceUnavailable],
    security: { bearer: HttpApiSecurity.bearer }
  }
) {
  /**
   * The middleware, introspecting with `TokenIntrospection`.
   *
   * @since 1.0.0
   */
  static readonly layer = (options: AuthenticationOptions): Layer.Layer<Authentication, InvalidPolicy, TokenIntrospection> =>
    Layer.effect(
      Authentication,
      Effect.flatMap(Effect.fromResult(AccessPolicy.make(options)), (policy) =>
        Effect.map(Effect.service(TokenIntrospection), (introspection) =>
          Authentication.of({
            bearer: (httpEffect, { credential }) =>
              Effect.gen(function*() {
                // The security scheme takes whatever follows the header's first 7 characters:
                // the raw header must be `Bearer <token>` itself, as requireUser checks it.
                const request = yield* HttpServerRequest.HttpServerRequest
                if (bearerToken(request.headers["authorization"]) !== Redacted.value(credential)) {
                  return refused({ _tag: "Unauthorized", description: "missing bearer token" })
                }
                const user = yield* Effect.result(Effect.flatMap(verifyUser(introspection, options.identityProvider, credential), (found) => admit(policy, found)))
                if (Result.isSuccess(user)) return yield* Effect.provideService(httpEffect, CurrentUser, user.success)
                return refused(user.failure)
              }).pipe(Effect.withSpan(Spans.names.authentication, { attributes: Spans.provider(options.identityProvider) }))
          })))
    )
}
