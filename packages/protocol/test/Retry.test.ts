/**
 * The retry decisions both lines take from `Retry`: which failures get another attempt, which the
 * retry budget hears of, and the start-up rule for a sidecar that is not listening yet (nais/texas
 * `src/http/server.rs` binds its listener once started; until then connections are refused).
 */
import { Retry } from "@effect-texas/protocol"
import { describe, expect, it } from "vitest"

const failure = (overrides: Partial<Retry.Failure> = {}): Retry.Failure => ({ transient: true, refused: false, away: false, retryAfterMillis: 0, ...overrides })

describe("Retry.afterFailure", () => {
  it("a transient failure asks the budget; one the sidecar was away for does not", () => {
    expect(Retry.afterFailure(failure(), 10_000)).toBe("ask")
    expect(Retry.afterFailure(failure({ away: true }), 10_000)).toBe("free")
  })

  it("stops on a failure that is not transient, a refused connection (the start-up rule's), or a Retry-After past the budget", () => {
    expect(Retry.afterFailure(failure({ transient: false }), 10_000)).toBe("stop")
    expect(Retry.afterFailure(failure({ refused: true, away: true }), 10_000)).toBe("stop")
    expect(Retry.afterFailure(failure({ retryAfterMillis: 10_001 }), 10_000)).toBe("stop")
    expect(Retry.afterFailure(failure({ retryAfterMillis: 10_000 }), 10_000)).toBe("ask")
  })
})

describe("Retry.budgetLearns", () => {
  it("a success or a final answer counts as a success, a transient failure as a failure, an absence as nothing", () => {
    expect(Retry.budgetLearns(undefined)).toBe("succeeded")
    expect(Retry.budgetLearns(failure({ transient: false }))).toBe("succeeded")
    expect(Retry.budgetLearns(failure())).toBe("failed")
    expect(Retry.budgetLearns(failure({ away: true }))).toBe("nothing")
  })
})

describe("Retry.waitForStart", () => {
  it("waits for a refused connection within the window only, and for nothing else", () => {
    const at = { startedAtMillis: 1_000, windowMillis: 5_000 }
    expect(Retry.waitForStart(true, { ...at, nowMillis: 5_999 })).toBe(true)
    expect(Retry.waitForStart(true, { ...at, nowMillis: 6_000 })).toBe(false)
    expect(Retry.waitForStart(false, { ...at, nowMillis: 1_000 })).toBe(false)
  })
})
