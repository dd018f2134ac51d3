/**
 * The one decision both inbound middlewares make: is this bearer token a
 * user, and if not, is that the caller's fault (401) or the sidecar's (503)?
 */
import { Access, Bearer } from "@effect-texas/protocol"
import { type Claims, CurrentUser, type IntrospectRequest, type TokenIntrospection, type User } from "@effect-texas/core"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"

/** Why a request gets no user: its token is bad (401), the policy refuses it (403), or the sidecar could not say (503). */
export type Refusal =
  | { readonly _tag: "Unauthorized"; readonly description: string }
  | { readonly _tag: "Forbidden"; readonly challenge: string | undefined }
  | { readonly _tag: "Unavailable" }

const unauthorized = (description: string): Refusal => ({ _tag: "Unauthorized", description })

/** RFC 6750 §2.1: `Bearer <token>`, the scheme in any case; anything else carries no bearer token. */

/** The RFC 6750 challenge of a 401 (the shared protocol's). */
export const challenge = Bearer.challenge

/** The token of an `Authorization: Bearer <token>` header (the shared protocol's rule). */
export const bearerToken = Bearer.tokenOf
const unavailable: Refusal = { _tag: "Unavailable" }

/** Introspects `token` and maps the verdict to the user or a refusal, logging why (never the token). */
export const verifyUser = (
  introspection: TokenIntrospection["Type"],
  identityProvider: IntrospectRequest["identityProvider"],
  token: Redacted.Redacted<string>
): Effect.Effect<User, Refusal> =>
  introspection.introspect({ identityProvider, token }).pipe(
    Effect.catchAll((error): Effect.Effect<never, Refusal> =>
      error._tag === "InvalidTokenRequest"
        ? Effect.zipRight(
          Effect.logDebug("bearer token refused", error.reason),
          Effect.fail(unauthorized("malformed bearer token"))
        )
        : Effect.zipRight(Effect.logWarning("could not introspect the bearer token", error), Effect.fail(unavailable))),
    Effect.flatMap((result) =>
      result._tag === "Active"
        ? Effect.succeed(CurrentUser.of({ token, claims: result.claims }))
        : Effect.zipRight(
          Effect.logDebug("bearer token is not active", result.reason),
          Effect.fail(unauthorized("token is not active"))
        )
    )
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
  return Effect.zipRight(
    Effect.zipRight(Effect.annotateCurrentSpan("texas.forbidden", verdict.reason), Effect.logInfo("caller refused by the inbound policy", verdict.reason)),
    Effect.fail<Refusal>({ _tag: "Forbidden", challenge: Access.forbiddenChallenge(verdict) })
  )
}
