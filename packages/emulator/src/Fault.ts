/**
 * Scripted faults for the Texas emulator: what the next answers of the token
 * endpoint do instead of issuing a token, either the sidecar's own
 * misbehaviour (`status`, `drop`, `delay`, ...) or that of the identity
 * provider behind it, as the sidecar reports it (`slowProvider`, `providerError`).
 *
 * @since 0.1.0
 */
import type { DurationInput } from "./Duration.js"

// ---- Models ------------------------------------------------------------------

/**
 * One scripted misbehaviour of the token endpoint.
 *
 * @category Models
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
  | {
    /** The identity provider is slow: the sidecar, retrying it, answers after `duration` (see `slowProvider`). */
    readonly _tag: "SlowProvider"
    readonly duration: DurationInput
  }
  | {
    /** The identity provider refuses every attempt with `status` (see `providerError`). */
    readonly _tag: "ProviderError"
    readonly status: number
    readonly json: boolean
    readonly error?: string | undefined
    readonly description?: string | undefined
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
 * @category Constructors
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
 * @category Constructors
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
 * @category Constructors
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
 * @category Constructors
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
 * @category Constructors
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
 * @category Constructors
 * @since 0.1.0
 */
export const respond = (
  status: number,
  body: unknown,
  headers?: Readonly<Record<string, string>>
): Fault => ({ _tag: "Respond", status, body, headers })

// ---- The identity provider behind the sidecar ------------------------------------

/**
 * How the sidecar calls an identity provider (nais/texas `src/http/client.rs`,
 * `Config::token`): at most 4 attempts (3 retries, no backoff), each cut off
 * after 2 s (1 s to connect, 1 s per read, 2 s in all), so about 8 s at worst.
 *
 * @example
 * ```ts
 * import { Fault } from "@effect-texas/emulator"
 *
 * console.log(Fault.sidecarRetries.attempts * Fault.sidecarRetries.attemptMillis) // 8000
 * ```
 *
 * @category Identity provider
 * @since 0.1.0
 */
export const sidecarRetries = { attempts: 4, attemptMillis: 2000 } as const

/**
 * The identity provider behind the sidecar is slow: the sidecar's answer to
 * the next token or exchange request takes `duration`, as it does while it
 * retries a provider that times out (each attempt cut off after 2 s). Up to
 * the sidecar's worst case (4 attempts, 8 s) the token then comes as usual;
 * beyond it the sidecar gives up after 8 s with `500 server_error`
 * ("Upstream request failed"). An introspection, which does not call the
 * provider, takes the fault and answers as usual.
 *
 * @example
 * ```ts
 * import { Fault, startTexasEmulator } from "@effect-texas/emulator"
 *
 * const emulator = await startTexasEmulator()
 * emulator.inject(Fault.slowProvider("7 seconds")) // three attempts timed out, the fourth answered
 * ```
 *
 * @category Identity provider
 * @since 0.1.0
 */
export const slowProvider = (duration: DurationInput): Fault => ({ _tag: "SlowProvider", duration })

/**
 * The identity provider refuses every attempt with `status`. The sidecar
 * retries a 5xx, 408 or 429 three times at once, then passes a JSON error
 * through with the provider's own status and body; an error that is not JSON
 * becomes `500 server_error` ("Failed to parse JSON"). Other statuses (a
 * 400 `invalid_scope`) come back at once, as they are.
 *
 * @example
 * ```ts
 * import { Fault, startTexasEmulator } from "@effect-texas/emulator"
 *
 * const emulator = await startTexasEmulator()
 * emulator.inject(Fault.providerError(503))                 // 503 temporarily_unavailable, passed through
 * emulator.inject(Fault.providerError(502, { json: false })) // an HTML 502: 500 server_error
 * ```
 *
 * @category Identity provider
 * @since 0.1.0
 */
export const providerError = (
  status: number,
  options: { readonly json?: boolean; readonly error?: string; readonly description?: string } = {}
): Fault => ({ _tag: "ProviderError", status, json: options.json ?? true, error: options.error, description: options.description })
