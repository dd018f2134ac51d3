/**
 * A retry budget shared by one service's calls, in the manner of gRPC's retry
 * throttling: a token bucket that transient failures drain (one each) and
 * successes refill (a fraction each). Retries are allowed only while the
 * bucket is more than half full, so a lone failure is retried as usual, but
 * while most calls fail the sidecar (which already retries the identity
 * provider three times itself) is not asked again and again.
 */
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { RetryBudgetOptions } from "../EndpointOptions.js"

/** The budget of one service. */
export interface RetryBudget {
  /** Records a transient failure of one attempt. */
  readonly failed: Effect.Effect<void>
  /** Records an answer that was not a transient failure. */
  readonly succeeded: Effect.Effect<void>
  /** Whether a retry is within the budget now. */
  readonly allows: Effect.Effect<boolean>
}

/** No budget: every transient failure may be retried as the schedule says. */
export const unlimited: RetryBudget = { failed: Effect.void, succeeded: Effect.void, allows: Effect.succeed(true) }

/** A fresh, full bucket. */
export const make = (options: RetryBudgetOptions = {}): RetryBudget => {
  const maxTokens = Math.max(1, options.maxTokens ?? 10)
  const ratio = Math.max(0, options.tokenRatio ?? 0.1)
  const tokens = Ref.unsafeMake(maxTokens)
  return {
    failed: Ref.update(tokens, (left) => Math.max(0, left - 1)),
    succeeded: Ref.update(tokens, (left) => Math.min(maxTokens, left + ratio)),
    allows: Effect.map(Ref.get(tokens), (left) => left > maxTokens / 2)
  }
}
