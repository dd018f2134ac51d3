/**
 * One way to turn a bearer token into a user, for `requireUser` and
 * `Authentication`: the raw header must be `Bearer <token>`, the token
 * active at the sidecar; a sidecar that cannot tell is a 503, not a 401.
 */
import { Bearer } from "@effect-texas/protocol"
import { CurrentUser, type IntrospectRequest, type TokenIntrospection, type User } from "@effect-texas/core"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"

export type Refusal =
  | { readonly _tag: "Unauthorized"; readonly description: string }
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
