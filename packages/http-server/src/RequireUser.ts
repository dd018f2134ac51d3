/**
 * Inbound authentication for plain `HttpRouter` / `HttpApp` servers: wraps an
 * app (a route or a whole router) so it runs only for callers with an active
 * bearer token, and provides the `CurrentUser` to it.
 *
 * @since 0.1.0
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { CurrentUser, type IntrospectRequest, TokenIntrospection } from "@effect-texas/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { bearerToken, challenge, verifyUser } from "./internal/verify.js"

/**
 * Which identity provider the callers' tokens must come from.
 *
 * @category options
 * @since 0.1.0
 */
export interface RequireUserOptions {
  readonly identityProvider: IntrospectRequest["identityProvider"]
}

const unauthorized = (description: string) =>
  HttpServerResponse.empty({
    status: 401,
    headers: { "www-authenticate": challenge(description) }
  })

/**
 * Runs `app` only for a caller whose bearer token the sidecar says is active,
 * with the `CurrentUser` provided; others get `401` with a
 * `WWW-Authenticate: Bearer` challenge (`503` when the sidecar cannot be asked).
 *
 * @example
 * ```ts
 * import { HttpRouter, HttpServerResponse } from "@effect/platform"
 * import { Effect } from "effect"
 * import { CurrentUser } from "@effect-texas/core"
 * import { requireUser } from "@effect-texas/http-server"
 *
 * const me = Effect.flatMap(CurrentUser, (user) => HttpServerResponse.json({ sub: user.claims.sub }))
 *
 * const router = HttpRouter.empty.pipe(
 *   HttpRouter.get("/me", requireUser({ identityProvider: "tokenx" })(me))
 * )
 * ```
 *
 * @category middleware
 * @since 0.1.0
 */
export const requireUser = (options: RequireUserOptions) =>
<E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  E,
  Exclude<R, CurrentUser> | TokenIntrospection | HttpServerRequest.HttpServerRequest
> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const sent = bearerToken(request.headers["authorization"])
    if (sent === undefined) return unauthorized("missing bearer token")
    const token = Redacted.make(sent)
    const introspection = yield* TokenIntrospection
    const user = yield* Effect.either(verifyUser(introspection, options.identityProvider, token))
    if (user._tag === "Right") return yield* Effect.provideService(app, CurrentUser, user.right)
    return user.left._tag === "Unauthorized"
      ? unauthorized(user.left.description)
      : HttpServerResponse.empty({ status: 503 })
  }).pipe(Effect.withSpan("requireUser", { attributes: { "texas.identity_provider": options.identityProvider } }))
