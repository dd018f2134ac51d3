/**
 * A retry budget shared by one service's calls, in the manner of gRPC's retry
 * throttling: a token bucket that transient failures drain (one each) and
 * successes refill (a fraction each). Retries are allowed only while the
 * bucket is more than half full, so a lone failure is retried as usual, but
 * while most calls fail the sidecar (which already retries the identity
 * provider three times itself) is not asked again and again.
 */
import { Policy } from "@effect-texas/protocol"
import * as Effect from "effect/Effect"
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

/** A fresh, full bucket (the shared protocol's), stepped inside effects. */
export const make = (options: RetryBudgetOptions = {}): RetryBudget => {
  const bucket = Policy.retryBucket(options)
  return { failed: Effect.sync(bucket.failed), succeeded: Effect.sync(bucket.succeeded), allows: Effect.sync(bucket.allows) }
}
