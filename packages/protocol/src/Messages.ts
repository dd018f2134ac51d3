/**
 * What the SDK's errors say, written once for both lines: each line's tagged error class
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

/**
 * An `OriginNotAllowed`'s message: where the token was not sent, and where it may go.
 *
 * @example
 * ```ts
 * import { Messages } from "@effect-texas/protocol"
 *
 * console.log(Messages.originNotAllowed({ origin: "https://evil.example", allowedOrigins: ["https://api.example"] }))
 * // Refused to send a token to https://evil.example: it is not one of the allowed origins (https://api.example)
 * ```
 *
 * @category Messages
 * @since 0.2.0
 */
export const originNotAllowed = (error: { readonly origin: string; readonly allowedOrigins: ReadonlyArray<string> }): string =>
  `Refused to send a token to ${error.origin}: it is not one of the allowed origins (${error.allowedOrigins.join(", ")})`

/**
 * An `InvalidRedirect`'s message: the status and why it is not followed.
 *
 * @example
 * ```ts
 * import { Messages } from "@effect-texas/protocol"
 *
 * console.log(Messages.invalidRedirect({ status: 302, reason: "its Location header is not a URL" }))
 * // Cannot follow the 302 redirect: its Location header is not a URL
 * ```
 *
 * @category Messages
 * @since 0.2.0
 */
export const invalidRedirect = (error: { readonly status: number; readonly reason: string }): string =>
  `Cannot follow the ${error.status} redirect: ${error.reason}`

/**
 * An `InvalidOrganization`'s message (Altinn): the number given and what is wrong with it.
 *
 * @example
 * ```ts
 * import { Messages } from "@effect-texas/protocol"
 *
 * console.log(Messages.invalidOrganization({ organization: "123", reason: "it has 3 digits, not 9" }))
 * // `123` is not a Norwegian organisation number: it has 3 digits, not 9
 * ```
 *
 * @category Messages
 * @since 0.2.0
 */
export const invalidOrganization = (error: { readonly organization: string; readonly reason: string }): string =>
  `\`${error.organization}\` is not a Norwegian organisation number: ${error.reason}`

/**
 * An `InvalidAccessPolicy`'s message: which provider's inbound policy, and why it cannot be used.
 *
 * @example
 * ```ts
 * import { Messages } from "@effect-texas/protocol"
 *
 * console.log(Messages.invalidAccessPolicy({ identityProvider: "maskinporten", reason: "scopes is empty" }))
 * // The inbound policy for maskinporten tokens is not usable: scopes is empty
 * ```
 *
 * @category Messages
 * @since 0.2.0
 */
export const invalidAccessPolicy = (error: { readonly identityProvider: string; readonly reason: string }): string =>
  `The inbound policy for ${error.identityProvider} tokens is not usable: ${error.reason}`

/**
 * A `DoctorError`'s message: the application, and each failed check with its verdict.
 *
 * @example
 * ```ts
 * import { Messages } from "@effect-texas/protocol"
 *
 * console.log(Messages.doctorFailed({
 *   application: "my-app",
 *   checks: [{ ok: false, scope: "nav:x", verdict: "invalid_scope" }, { ok: true, scope: "nav:y", verdict: "ok" }]
 * }))
 * // my-app is not set up for its tokens: nav:x (invalid_scope)
 * ```
 *
 * @category Messages
 * @since 0.2.0
 */
export const doctorFailed = (report: {
  readonly application: string
  readonly checks: ReadonlyArray<{ readonly ok: boolean; readonly scope: string; readonly verdict: string }>
}): string =>
  `${report.application} is not set up for its tokens: ${
    report.checks.filter((check) => !check.ok).map((check) => `${check.scope} (${check.verdict})`).join(", ")
  }`

/**
 * The emulator's message when it cannot listen: the address and the cause.
 *
 * @example
 * ```ts
 * import { Messages } from "@effect-texas/protocol"
 *
 * console.log(Messages.emulatorCannotListen({ host: "127.0.0.1", port: 8080, cause: "EADDRINUSE" }))
 * // The Texas emulator could not listen on 127.0.0.1:8080: EADDRINUSE
 * ```
 *
 * @category Messages
 * @since 0.2.0
 */
export const emulatorCannotListen = (error: { readonly host: string; readonly port: number; readonly cause: unknown }): string =>
  `The Texas emulator could not listen on ${error.host}:${error.port}: ${String(error.cause)}`
