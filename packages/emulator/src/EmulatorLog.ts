/**
 * What the emulator saw: each request as it decoded it, and counters over all of them.
 *
 * @since 0.1.0
 */
import type { Fault } from "./Fault.js"

/**
 * One request the emulator received, as it decoded it.
 *
 * @category Models
 * @since 0.1.0
 */
export interface RecordedRequest {
  readonly method: string
  readonly path: string
  /** The `Content-Type` header as sent, if any. */
  readonly contentType: string | undefined
  /** The body's fields as decoded (JSON object or form pairs); undefined when it did not decode. */
  readonly body: Readonly<Record<string, unknown>> | undefined
  /** Bytes in the body (the whole of it, also when it was too large to buffer). */
  readonly bodyBytes: number
  readonly receivedAt: Date
  /** The status answered, or `"dropped"` / `"truncated"` for socket-level faults. */
  readonly answer: number | "dropped" | "truncated"
  /** The fault that shaped the answer, if one did. */
  readonly fault: Fault["_tag"] | undefined
  /**
   * For a token or exchange request that got a token: whether the sidecar
   * answered it from its own cache (the same token as before, with less time
   * left) rather than asking the identity provider. Undefined for other answers.
   */
  readonly fromCache?: boolean | undefined
  /**
   * The W3C `traceparent` header as received, if any: the sidecar continues
   * the caller's trace from it, so its spans join the application's trace
   * (nais/texas `src/http/router.rs`, the propagator's `extract`).
   */
  readonly traceparent?: string | undefined
  /** Milliseconds from the request's arrival to its answer. */
  readonly latencyMs?: number | undefined
  /** The `error` the answer named: an OAuth error code, or an inactive introspection's reason. */
  readonly error?: string | undefined
  /**
   * The tokens the request carried (`presented`: the user's token of an exchange or an
   * introspection) and got (`issued`), each as a fingerprint and its claims, never whole.
   */
  readonly tokens?: ReadonlyArray<SeenToken> | undefined
}

/**
 * A token in the request log: a short fingerprint (`sha256:` and 12 hex digits, the same for the
 * same token) and the claims it carries, decoded without verifying; the token itself is not kept.
 *
 * @category Models
 * @since 0.2.0
 */
export interface SeenToken {
  readonly role: "presented" | "issued"
  readonly fingerprint: string
  /** Undefined for a token that is not a JWT. */
  readonly claims: Readonly<Record<string, unknown>> | undefined
}

/**
 * Counters over everything the emulator did since start or the last `reset`.
 *
 * @category Models
 * @since 0.1.0
 */
export interface EmulatorStats {
  /** Requests received on any path (counted on arrival). */
  readonly requests: number
  /** Requests received on `POST /api/v1/token`. */
  readonly tokenRequests: number
  /** Requests received on `POST /api/v1/token/exchange`. */
  readonly exchangeRequests: number
  /** Requests received on `POST /api/v1/introspect`. */
  readonly introspectionRequests: number
  /** Tokens signed (cache misses that reached the "identity provider"). */
  readonly tokensIssued: number
  /** Token answers served from the sidecar cache. */
  readonly cacheHits: number
  /** Answers shaped by a scripted fault. */
  readonly faults: number
}
