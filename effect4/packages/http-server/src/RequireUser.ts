/**
 * Inbound authentication for `effect/http` handlers and routers: the request
 * needs a bearer token the sidecar finds active; the handler gets the
 * `CurrentUser`.
 *
 * @since 1.0.0
 */
import { CurrentUser, type IntrospectRequest, TokenIntrospection } from "@effect-texas/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import { bearerToken, challenge, verifyUser } from "./internal/verify.js"

/**
 * Which identity provider's users are accepted.
 *
 * @category options
 * @since 1.0.0
 */
export interface RequireUserOptions {
  readonly identityProvider: IntrospectRequest["identityProvider"]
}

const unauthorized = (description: string) =>
  HttpServerResponse.empty({ status: 401, headers: { "www-authenticate": challenge(description) } })

/**
 * Wraps a handler: 401 with a `WWW-Authenticate: Bearer` challenge without an
 * active token, 503 when the sidecar cannot tell, else the handler with the `CurrentUser`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpRouter, HttpServerResponse } from "effect/http"
 * import { CurrentUser } from "@effect-texas/core"
 * import { requireUser } from "@effect-texas/http-server"
 *
 * const me = Effect.map(CurrentUser, (user) => HttpServerResponse.text(String(user.claims.sub))).pipe(
 *   requireUser({ identityProvider: "tokenx" })
 * )
 * const Routes = HttpRouter.add("GET", "/api/me", me)
 * ```
 *
 * @category middleware
 * @since 1.0.0
 */
export const requireUser = (options: RequireUserOptions) =>
<E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, E, Exclude<R, CurrentUser> | TokenIntrospection | HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const sent = bearerToken(request.headers["authorization"])
    if (sent === undefined) return unauthorized("missing bearer token")
    const token = Redacted.make(sent)
    const introspection = yield* TokenIntrospection
    const user = yield* Effect.result(verifyUser(introspection, options.identityProvider, token))
    if (Result.isSuccess(user)) return yield* Effect.provideService(app, CurrentUser, user.success)
    return user.failure._tag === "Unauthorized" ? unauthorized(user.failure.description) : HttpServerResponse.empty({ status: 503 })
  }).pipe(Effect.withSpan("requireUser", { attributes: { "texas.identity_provider": options.identityProvider } }))
