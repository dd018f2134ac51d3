/**
 * Scripted faults for the Texas emulator: what the next answers of the token
 * endpoint do instead of issuing a token.
 *
 * @since 0.1.0
 */
import type { DurationInput } from "./Duration.js"

// ---- Models ------------------------------------------------------------------

/**
 * One scripted misbehaviour of the token endpoint.
 *
 * @category models
 * @since 0.1.0
 */
export type Fault =
  | {
    /** Answer with this status and an RFC 6749 error body. */
    readonly _tag: "Status"
    readonly status: number
    /** Seconds for a `Retry-After` header; omitted when undefined. */
    readonly retryAfter?: number | undefined
    readonly error?: string | undefined
    readonly description?: string | undefined
  }
  | {
    /** Destroy the connection without answering. */
    readonly _tag: "Drop"
  }
  | {
    /** Wait, then answer as usual. */
    readonly _tag: "Delay"
    readonly delay: DurationInput
  }
  | {
    /** Answer 200 with an HTML page instead of JSON. */
    readonly _tag: "NonJson"
  }
  | {
    /** Answer 200, announce a full body, send half of it and close the connection. */
    readonly _tag: "Truncated"
  }
  | {
    /** Answer exactly this: any status, any JSON value or raw text. */
    readonly _tag: "Respond"
    readonly status: number
    readonly body: unknown
    readonly headers?: Readonly<Record<string, string>> | undefined
  }

// ---- Constructors ------------------------------------------------------------

/**
 * Answer with `status` and an RFC 6749 error body (`server_error` unless given).
 *
 * @example
 * ```ts
 * import { Fault } from "@effect-texas/emulator"
 *
 * const busy = Fault.status(503, { retryAfter: 1 })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const status = (
  status: number,
  options: { readonly retryAfter?: number; readonly error?: string; readonly description?: string } = {}
): Fault => ({ _tag: "Status", status, ...options })

/**
 * Destroy the connection without an answer (the client sees a reset).
 *
 * @example
 * ```ts
 * import { Fault, startTexasEmulator } from "@effect-texas/emulator"
 *
 * const emulator = await startTexasEmulator()
 * emulator.inject(Fault.drop)
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const drop: Fault = { _tag: "Drop" }

/**
 * Hold the answer back for `delay`, then answer normally.
 *
 * @example
 * ```ts
 * import { Fault } from "@effect-texas/emulator"
 *
 * const slow = Fault.delay("3 seconds")
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const delay = (delay: DurationInput): Fault => ({ _tag: "Delay", delay })

/**
 * Answer `200` with an HTML body, as a misconfigured proxy would.
 *
 * @example
 * ```ts
 * import { Fault, startTexasEmulator } from "@effect-texas/emulator"
 *
 * const emulator = await startTexasEmulator()
 * emulator.inject(Fault.nonJson)
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const nonJson: Fault = { _tag: "NonJson" }

/**
 * Answer `200` and close the connection halfway through the body.
 *
 * @example
 * ```ts
 * import { Fault, startTexasEmulator } from "@effect-texas/emulator"
 *
 * const emulator = await startTexasEmulator()
 * emulator.inject(Fault.truncated)
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const truncated: Fault = { _tag: "Truncated" }

/**
 * Answer with exactly `status` and `body` (a string is sent as is, anything else as JSON).
 *
 * @example
 * ```ts
 * import { Fault } from "@effect-texas/emulator"
 *
 * const macToken = Fault.respond(200, { access_token: "x", expires_in: 60, token_type: "mac" })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const respond = (
  status: number,
  body: unknown,
  headers?: Readonly<Record<string, string>>
): Fault => ({ _tag: "Respond", status, body, headers })
