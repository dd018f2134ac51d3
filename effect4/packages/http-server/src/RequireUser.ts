/**
 * Inbound authentication for `effect/http` handlers and routers: the request
 * needs a bearer token the sidecar finds active; the handler gets the
 * `CurrentUser`.
 *
 * @since 1.0.0
 */
import { CurrentUser, TokenIntrospection } from "@effect-texas/core"
import { Spans } from "@effect-texas/protocol"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as AccessPolicy from "./AccessPolicy.js"
import type { AccessOptions, InvalidPolicy } from "./AccessPolicy.js"
import { admit, bearerToken, refused, verifyUser } from "./internal/verify.js"

/**
 * Which identity provider's users are accepted, and what they must have
 * beyond an active token (`require`: see `AccessOptions`).
 *
 * @category Options
 * @since 1.0.0
 */
export type RequireUserOptions = AccessOptions

/**
 * Wraps a handler: 401 with a `WWW-Authenticate: Bearer` challenge without an
 * active token, 403 when the policy (`require`) refuses the caller (with
 * `Bearer error="insufficient_scope"` for missing scopes), 503 when the
 * sidecar cannot tell, else the handler with the `CurrentUser`. A `require`
 * the types did not stop and that cannot be a policy fails every request
 * with `InvalidPolicy`.
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
 * @category Middleware
 * @since 1.0.0
 */
export const requireUser = (options: RequireUserOptions) =>
<E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, E | InvalidPolicy, Exclude<R, CurrentUser> | TokenIntrospection | HttpServerRequest.HttpServerRequest> => {
  const policy = AccessPolicy.make(options)
  return Effect.gen(function*() {
    if (Result.isFailure(policy)) return yield* Effect.fail(policy.failure)
    const request = yield* HttpServerRequest.HttpServerRequest
    const sent = bearerToken(request.headers["authorization"])
    if (sent === undefined) return refused({ _tag: "Unauthorized", description: "missing bearer token" })
    const token = Redacted.make(sent)
    const introspection = yield* TokenIntrospection
    const user = yield* Effect.result(Effect.flatMap(verifyUser(introspection, options.identityProvider, token), (found) => admit(policy.success, found)))
    if (Result.isSuccess(user)) return yield* Effect.provideService(app, CurrentUser, user.success)
    return refused(user.failure)
  }).pipe(Effect.withSpan(Spans.names.requireUser, { attributes: Spans.provider(options.identityProvider) }))
}
