/**
 * What `TokenService.layerTest` hands out: stub tokens dated by `Clock` (so `TestClock` drives their
 * expiry), requests refused as the real service refuses them, and a record of every request.
 */
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { AccessToken } from "../AccessToken.js"
import type { InvalidTokenRequest, TokenError } from "../TokenError.js"
import type { TokenRequest } from "../TokenRequest.js"
import type { TestOptions } from "../TokenService.js"
import { isInvalid, prepare } from "./prepare.js"

const stubToken = (request: TokenRequest): string =>
  `stub-token:${request.identityProvider}:${typeof request.target === "string" ? request.target : request.target.join(" ")}`

/** The stub's service and what it recorded. */
export const stubTokens = (options: TestOptions) => {
  const recorded: Array<TokenRequest> = []
  const expiresIn = Duration.decode(options.expiresIn ?? "1 hour")
  const tokenFor = options.token ?? stubToken
  const token = (request: TokenRequest): Effect.Effect<AccessToken, TokenError> =>
    Effect.suspend(() => {
      recorded.push(request)
      const prepared = prepare(request)
      if (isInvalid(prepared)) return Effect.fail(prepared)
      const failure = options.fail?.(request)
      if (failure !== undefined) return Effect.fail(failure)
      return Effect.map(DateTime.now, (now) =>
        new AccessToken({
          accessToken: Redacted.make(tokenFor(request)),
          tokenType: "Bearer",
          expiresAt: DateTime.addDuration(now, expiresIn),
          expiresIn
        }))
    })
  const service = {
    token,
    renew: (request: TokenRequest, _rejected: AccessToken) => token({ ...request, skipCache: true }),
    invalidate: (request: TokenRequest): Effect.Effect<void, InvalidTokenRequest> => {
      const prepared = prepare(request)
      return isInvalid(prepared) ? Effect.fail(prepared) : Effect.void
    }
  }
  return { service, requests: Effect.sync(() => [...recorded]) }
}
