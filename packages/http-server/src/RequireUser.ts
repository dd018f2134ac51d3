/**
 * Inbound authentication for plain `HttpRouter` / `HttpApp` servers: wraps an
 * app (a route or a whole router) so it runs only for callers with an active
 * bearer token, and provides the `CurrentUser` to it.
 *
 * @since 0.1.0
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { CurrentUser, TokenIntrospection } from "@effect-texas/core"
import { Spans } from "@effect-texas/protocol"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
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
export type RequireUserOptions = AccessOptions

const unauthorized = (description: string) =>
  HttpServerResponse.empty({
    status: 401,
    headers: { "www-authenticate": challenge(description) }
  })

/**
 * Runs `app` only for a caller whose bearer token the sidecar says is active
 * and who meets the policy (`require`), with the `CurrentUser` provided.
 * Others get `401` with a `WWW-Authenticate: Bearer` challenge (no or an
 * inactive token), `403` (the policy refuses: with `Bearer
 * error="insufficient_scope"` when scopes are missing), or `503` when the
 * sidecar cannot be asked. A `require` the types did not stop and that cannot
 * be a policy fails every request with `InvalidPolicy`.
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
 *   HttpRouter.get("/me", requireUser({ identityProvider: "tokenx" })(me)),
 *   HttpRouter.get("/partner", requireUser({ identityProvider: "maskinporten", require: { scopes: ["nav:api/read"] } })(me))
 * )
 * ```
 *
 * @category Middleware
 * @since 0.1.0
 */
export const requireUser = (options: RequireUserOptions) =>
<E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  E | InvalidPolicy,
  Exclude<R, CurrentUser> | TokenIntrospection | HttpServerRequest.HttpServerRequest
> => {
  const policy = AccessPolicy.make(options)
  return Effect.gen(function*() {
    if (Either.isLeft(policy)) return yield* Effect.fail(policy.left)
    const request = yield* HttpServerRequest.HttpServerRequest
    const sent = bearerToken(request.headers["authorization"])
    if (sent === undefined) return unauthorized("missing bearer token")
    const token = Redacted.make(sent)
    const introspection = yield* TokenIntrospection
    const user = yield* Effect.either(Effect.flatMap(verifyUser(introspection, options.identityProvider, token), (found) => admit(policy.right, found)))
    if (user._tag === "Right") return yield* Effect.provideService(app, CurrentUser, user.right)
    return refused(user.left)
  }).pipe(Effect.withSpan(Spans.names.requireUser, { attributes: Spans.provider(options.identityProvider) }))
}

/** The answer to a refusal: 401 with its challenge, 403 (with one for missing scopes), or 503. */
const refused = (refusal: Refusal): HttpServerResponse.HttpServerResponse => {
  switch (refusal._tag) {
    case "Unauthorized":
      return unauthorized(refusal.description)
    case "Forbidden":
      return HttpServerResponse.empty({ status: 403, headers: refusal.challenge === undefined ? {} : { "www-authenticate": refusal.challenge } })
    case "Unavailable":
      return HttpServerResponse.empty({ status: 503 })
  }
}
