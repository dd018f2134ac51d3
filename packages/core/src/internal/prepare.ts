/**
 * What a request means, from the shared protocol package: its refusals
 * become this line's `InvalidTokenRequest`, and users' tokens are unwrapped
 * from their `Redacted` here (refused when they are not wrapped).
 */
import { Request, UserToken } from "@effect-texas/protocol"
import * as Redacted from "effect/Redacted"
import type { ExchangeRequest } from "../TokenExchange.js"
import type { IntrospectRequest } from "../TokenIntrospection.js"
import { InvalidTokenRequest } from "../TokenError.js"
import type { TokenRequest } from "../TokenRequest.js"

export type PreparedRequest = Request.PreparedRequest
export type PreparedExchange = UserToken.PreparedExchange

const typed = <A>(result: A | Request.Invalid): A | InvalidTokenRequest =>
  Request.isInvalid(result) ? new InvalidTokenRequest({ field: result.field, reason: result.reason }) : result

/** The one check that a request was refused (as on the Effect 4 line). */
export const isInvalid = (value: unknown): value is InvalidTokenRequest => value instanceof InvalidTokenRequest

/** Validates a request and computes its cache key. */
export const prepare = (request: TokenRequest): PreparedRequest | InvalidTokenRequest => typed(Request.prepare(request))

/** `prepare`, remembered per deeply frozen request object. */
export const prepareRemembered = (request: TokenRequest): PreparedRequest | InvalidTokenRequest =>
  typed(Request.prepareRemembered(request))

/** Users' tokens come wrapped in `Redacted`; a bare string is refused before it can be logged anywhere. */
const unwrapRedacted: UserToken.Unwrap = (token) =>
  Redacted.isRedacted(token) ? { ok: true, value: Redacted.value(token) } : { ok: false, reason: "must be Redacted (Redacted.make(token))" }

/** Validates an exchange request (`TokenExchange.exchange`). */
export const prepareExchange = (request: ExchangeRequest): PreparedExchange | InvalidTokenRequest =>
  typed(UserToken.prepareExchange(request, unwrapRedacted))

/** A checked introspection: what to send, the sidecar's verdict without a round trip, or a refusal. */
export type PreparedIntrospection =
  | { readonly _tag: "Send"; readonly provider: IntrospectRequest["identityProvider"]; readonly token: string }
  | { readonly _tag: "NotAJws"; readonly reason: string }
  | InvalidTokenRequest

/** Validates an introspection request (`TokenIntrospection.introspect`); only the platform's providers pass. */
export const prepareIntrospection = (request: IntrospectRequest): PreparedIntrospection =>
  typed(UserToken.prepareIntrospection(request, unwrapRedacted)) as PreparedIntrospection
