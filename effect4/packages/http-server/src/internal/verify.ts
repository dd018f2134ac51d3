/**
 * One way to turn a bearer token into a user, for `requireUser` and
 * `Authentication`: the raw header must be `Bearer <token>`, the token
 * active at the sidecar; a sidecar that cannot tell is a 503, not a 401.
 */
import { CurrentUser, type IntrospectRequest, type TokenIntrospection, type User } from "@effect-texas/core"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"

export type Refusal =
  | { readonly _tag: "Unauthorized"; readonly description: string }
  | { readonly _tag: "Unavailable" }

const unauthorized = (description: string): Refusal => ({ _tag: "Unauthorized", description })
const bearerHeader = /^Bearer ([^\s]+)$/i

/** The RFC 6750 challenge of a 401. */
export const challenge = (description: string): string => `Bearer error="invalid_token", error_description="${description}"`

/** The token of an `Authorization: Bearer <token>` header, if that is what it is. */
export const bearerToken = (header: string | undefined): string | undefined => bearerHeader.exec(header ?? "")?.[1]

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
