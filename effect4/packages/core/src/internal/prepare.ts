/**
 * What a request means, from the shared protocol package: its refusals
 * become this line's `InvalidTokenRequest`; users' tokens are unwrapped from
 * their `Redacted` here (refused when they are not wrapped).
 */
import { Request, UserToken } from "@effect-texas/protocol"
import * as Redacted from "effect/Redacted"
import { InvalidTokenRequest } from "../TokenError.js"

export type PreparedRequest = Request.PreparedRequest
export type PreparedExchange = UserToken.PreparedExchange

export const typed = <A>(result: A | Request.Invalid): A | InvalidTokenRequest =>
  Request.isInvalid(result) ? new InvalidTokenRequest({ field: result.field, reason: result.reason }) : result

export const isInvalid = (value: unknown): value is InvalidTokenRequest => value instanceof InvalidTokenRequest

/** Users' tokens come wrapped in `Redacted`; a bare string is refused. */
export const unwrapRedacted: UserToken.Unwrap = (token) =>
  Redacted.isRedacted(token) ? { ok: true, value: Redacted.value(token) } : { ok: false, reason: "must be Redacted (Redacted.make(token))" }
