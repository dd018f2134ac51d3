/**
 * What the SDK's token errors say, written once for both lines: each line's tagged error class
 * takes its `message` from here, so the two cannot drift (a behaviour case compares them).
 * Messages name endpoints, fields, statuses and scopes, never a token.
 *
 * @since 0.2.0
 */
import { endpointErrorMessage } from "./Wire.js"

/**
 * An `InvalidTokenRequest`'s message: the field and what is wrong with it.
 *
 * @example
 * ```ts
 * import { Messages } from "@effect-texas/protocol"
 *
 * console.log(Messages.invalidTokenRequest({ field: "target", reason: "is empty" }))
 * // Invalid token request: target: is empty
 * ```
 *
 * @category Messages
 * @since 0.2.0
 */
export const invalidTokenRequest = (error: { readonly field: string; readonly reason: string }): string =>
  `Invalid token request: ${error.field}: ${error.reason}`

/**
 * A `TokenEndpointUnreachable`'s message: a refused connection says the sidecar may still be
 * starting; a timeout says so; anything else is a transport failure.
 *
 * @example
 * ```ts
 * import { Messages } from "@effect-texas/protocol"
 *
 * console.log(Messages.tokenEndpointUnreachable({ endpoint: "http://127.0.0.1:1/api/v1/token", reason: "Timeout", detail: "after 5s" }))
 * // The token endpoint http://127.0.0.1:1/api/v1/token did not answer in time: after 5s
 * ```
 *
 * @category Messages
 * @since 0.2.0
 */
export const tokenEndpointUnreachable = (error: {
  readonly endpoint: string
  readonly reason: "Refused" | "Transport" | "Timeout"
  readonly detail: string
}): string => {
  switch (error.reason) {
    case "Timeout":
      return `The token endpoint ${error.endpoint} did not answer in time: ${error.detail}`
    case "Refused":
      return `The token endpoint ${error.endpoint} refused the connection: is the sidecar running (it opens its port once started)? ${error.detail}`
    default:
      return `The token endpoint ${error.endpoint} could not be reached: ${error.detail}`
  }
}

/**
 * A `TokenEndpointError`'s message (the sidecar's OAuth error, with where to look for
 * `invalid_scope`); the same as `Wire.endpointErrorMessage`.
 *
 * @example
 * ```ts
 * import { Messages } from "@effect-texas/protocol"
 *
 * console.log(Messages.tokenEndpointError({ status: 503, error: "temporarily_unavailable", errorDescription: "busy", identityProvider: "maskinporten", target: "a:b" }))
 * // The token endpoint answered 503 temporarily_unavailable: busy
 * ```
 *
 * @category Messages
 * @since 0.2.0
 */
export const tokenEndpointError = endpointErrorMessage

/**
 * An `InvalidTokenResponse`'s message: the status and what was wrong with the answer.
 *
 * @example
 * ```ts
 * import { Messages } from "@effect-texas/protocol"
 *
 * console.log(Messages.invalidTokenResponse({ endpoint: "http://127.0.0.1:1/api/v1/token", status: 200, reason: "no access_token" }))
 * // The token endpoint http://127.0.0.1:1/api/v1/token answered 200 without a usable token: no access_token
 * ```
 *
 * @category Messages
 * @since 0.2.0
 */
export const invalidTokenResponse = (error: { readonly endpoint: string; readonly status: number; readonly reason: string }): string =>
  `The token endpoint ${error.endpoint} answered ${error.status} without a usable token: ${error.reason}`
