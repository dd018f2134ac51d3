/**
 * One way to turn a bearer token into a user, for `requireUser` and
 * `Authentication`: the raw header must be `Bearer <token>`, the token
 * active at the sidecar; a sidecar that cannot tell is a 503, not a 401.
 */
import { Access, Bearer } from "@effect-texas/protocol"
import { type Claims, CurrentUser, type IntrospectRequest, type TokenIntrospection, type User } from "@effect-texas/core"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"

export type Refusal =
  | { readonly _tag: "Unauthorized"; readonly description: string }
  | { readonly _tag: "Forbidden"; readonly challenge: string | undefined }
  | { readonly _tag: "Unavailable" }

const unauthorized = (description: string): Refusal => ({ _tag: "Unauthorized", description })

/** The RFC 6750 challenge of a 401 (the shared protocol's). */
export const challenge = Bearer.challenge

/** The token of an `Authorization: Bearer <token>` header (the shared protocol's rule). */
export const bearerToken = Bearer.tokenOf

export const verifyUser = (
  introspection: TokenIntrospection["Service"],
  identityProvider: IntrospectRequest["identityProvider"],
  token: Redacted.Redacted<string>
): Effect.Effect<User, Refusal> =>
  introspection.introspect({ identityProvider, token }).pipe(
    Effect.catch((error): Effect.Effect<never, Refusal> =>
      error._tag === "InvalidTokenRequest"
        ? Effect.andThen(Effect.logDebug("bearer token refused", error.reason), Effect.fail(unauthorized("malformed bearer token")))
        : Effect.andThen(Effect.logWarning("could not introspect the bearer token", error._tag), Effect.fail<Refusal>({ _tag: "Unavailable" }))),
    Effect.flatMap((result) =>
      result._tag === "Active"
        ? Effect.succeed(CurrentUser.of({ token, claims: result.claims }))
        : Effect.andThen(Effect.logDebug("bearer token is not active", result.reason), Effect.fail(unauthorized("token is not active"))))
  )

/**
 * The policy's verdict on an active token's user, on every request (also when
 * the verdict came from the cache): the user, or a 403 whose reason goes to
 * the log and the span, never to the caller (but for the scopes an
 * `insufficient_scope` challenge names, RFC 6750 §3.1).
 */
export const admit = (policy: Access.Policy<Claims>, user: User): Effect.Effect<User, Refusal> => {
  const verdict = policy.judge(user.claims)
  if (verdict._tag === "Allowed") return Effect.succeed(user)
  return Effect.andThen(
    Effect.andThen(Effect.annotateCurrentSpan("texas.forbidden", verdict.reason), Effect.logInfo("caller refused by the inbound policy", verdict.reason)),
    Effect.fail<Refusal>({ _tag: "Forbidden", challenge: Access.forbiddenChallenge(verdict) })
  )
}

/** The answer to a refusal: 401 with its challenge, 403 (with one for missing scopes), or 503. */
export const refused = (refusal: Refusal): HttpServerResponse.HttpServerResponse => {
  switch (refusal._tag) {
    case "Unauthorized":
      return HttpServerResponse.empty({ status: 401, headers: { "www-authenticate": challenge(refusal.description) } })
    case "Forbidden":
      return HttpServerResponse.empty({ status: 403, headers: refusal.challenge === undefined ? {} : { "www-authenticate": refusal.challenge } })
    case "Unavailable":
      return HttpServerResponse.empty({ status: 503 })
  }
}
