/**
 * The cache engine's decisions, as a state machine without Effect (both
 * lines run them): random sequences of what callers and flights do, checked
 * against the rules after every step.
 */
import { CacheState, Policy } from "@effect-texas/protocol"
import * as fc from "effect/FastCheck"
import { describe, expect, it } from "vitest"

type Step =
  | { readonly _tag: "get"; readonly key: string; readonly forced: boolean }
  | { readonly _tag: "settle"; readonly key: string; readonly ok: boolean; readonly lifetime: number }
  | { readonly _tag: "renew"; readonly key: string }
  | { readonly _tag: "forget"; readonly key: string }
  | { readonly _tag: "advance"; readonly millis: number }

const key = fc.constantFrom("a", "b", "c", "d")
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ _tag: fc.constant("get" as const), key, forced: fc.boolean() }),
  fc.record({ _tag: fc.constant("settle" as const), key, ok: fc.boolean(), lifetime: fc.integer({ min: 1, max: 10_000 }) }),
  fc.record({ _tag: fc.constant("renew" as const), key }),
  fc.record({ _tag: fc.constant("forget" as const), key }),
  fc.record({ _tag: fc.constant("advance" as const), millis: fc.integer({ min: 0, max: 5_000 }) })
)

describe("CacheState", () => {
  it("after every step: no key has both a stale flight and nothing, flights are joined or begun one per key, a hit is usable, at most maxEntries", () => {
    // How often each conditional check below ran, over all the runs: none may be left at zero.
    const ran = { hit: 0, forcedJoin: 0, stored: 0, heldRenewal: 0 }
    fc.assert(
      fc.property(fc.array(step, { minLength: 10, maxLength: 60 }), fc.integer({ min: 1, max: 3 }), (steps, maxEntries) => {
        const state = new CacheState.CacheState<string, number>({ maxEntries, refreshAheadMillis: 500 })
        let now = 0
        let nextFlight = 0
        let fetches = 0
        for (const s of steps) {
          switch (s._tag) {
            case "get": {
              const hit = s.forced ? undefined : state.hit(s.key, now)
              if (hit !== undefined) {
                expect(now).toBeLessThan(hit.usableUntil)
                ran.hit++
                if (state.claimRefresh(s.key, hit, now)) state.begin(s.key, false, nextFlight++)
                break
              }
              if (s.forced) state.forget(s.key)
              const joined = state.joinable(s.key, s.forced)
              if (joined === undefined) {
                state.begin(s.key, s.forced, nextFlight++)
                fetches++
              }
              // A forced caller never joins an unforced flight.
              if (s.forced && joined !== undefined) {
                expect(state.flights.get(s.key)?.forced).toBe(true)
                ran.forcedJoin++
              }
              break
            }
            case "settle": {
              const flight = state.flights.get(s.key)
              if (flight === undefined) break
              const value = `v${flight.handle}`
              const outcome = state.settle(s.key, flight.handle, s.ok ? { value, usableUntil: now + s.lifetime, holdMillis: 1_000 } : undefined, now)
              expect(outcome === "superseded").toBe(false)
              // Stored in the same step as the flight is removed: a caller now finds the value, or nothing was stored.
              expect(state.flights.has(s.key)).toBe(false)
              if (s.ok) {
                expect(state.hit(s.key, now)?.value).toBe(value)
                ran.stored++
              }
              break
            }
            case "renew": {
              const entry = state.entries.get(s.key)
              if (entry === undefined) break
              const kept = state.renewal(s.key, entry.value, now)
              // The same value comes back only while a forced renewal holds it.
              if (kept !== undefined) {
                expect(now < entry.heldUntil && now < entry.usableUntil).toBe(true)
                ran.heldRenewal++
              }
              break
            }
            case "forget":
              state.forget(s.key)
              break
            case "advance":
              now += s.millis
              break
          }
          expect(state.size).toBeLessThanOrEqual(maxEntries)
          for (const [, flight] of state.flights) expect(flight.handle).toBeLessThan(nextFlight)
        }
        expect(fetches).toBeLessThanOrEqual(nextFlight)
      }),
      { numRuns: 300 }
    )
    for (const [check, count] of Object.entries(ran)) expect(count, `the ${check} check never ran`).toBeGreaterThan(0)
  })

  it("a forced caller never joins an unforced flight: it begins its own, which later callers (forced or not) join", () => {
    const state = new CacheState.CacheState<string, string>({ maxEntries: 10 })
    state.begin("k", false, "plain")
    // An unforced caller joins the flight in the air; a forced one does not.
    expect(state.joinable("k", false)).toBe("plain")
    expect(state.joinable("k", true)).toBeUndefined()
    state.begin("k", true, "forced")
    expect(state.joinable("k", true)).toBe("forced")
    expect(state.joinable("k", false)).toBe("forced")
  })

  it("a flight that a forced one replaced stores nothing and leaves the forced one in place", () => {
    const state = new CacheState.CacheState<string, string>({ maxEntries: 10 })
    state.begin("k", false, "old")
    state.begin("k", true, "forced")
    expect(state.settle("k", "old", { value: "stale", usableUntil: 1_000, holdMillis: 0 }, 0)).toBe("superseded")
    expect(state.hit("k", 0)).toBeUndefined()
    expect(state.joinable("k", true)).toBe("forced")
  })

  it("the renewal hold: a value from a forced fetch comes back from renew until the hold ends, then a forced fetch is due", () => {
    const state = new CacheState.CacheState<string, string>({ maxEntries: 10 })
    state.begin("k", true, "f")
    state.settle("k", "f", { value: "renewed", usableUntil: 60_000, holdMillis: 30_000 }, 0)
    expect(state.renewal("k", "renewed", 29_999)).toBe("renewed")
    expect(state.renewal("k", "renewed", 30_000)).toBeUndefined()
    // Another usable value than the one rejected is handed out without a fetch.
    expect(state.renewal("k", "older", 40_000)).toBe("renewed")
  })

  it("a failed background refresh keeps the value and is tried again later", () => {
    const state = new CacheState.CacheState<string, string>({ maxEntries: 10, refreshAheadMillis: 1_000 })
    state.begin("k", false, "first")
    state.settle("k", "first", { value: "v", usableUntil: 10_000, holdMillis: 0 }, 0)
    const entry = state.hit("k", 9_500)!
    expect(state.claimRefresh("k", entry, 9_500)).toBe(true)
    state.begin("k", false, "refresh")
    expect(state.claimRefresh("k", entry, 9_600)).toBe(false)
    expect(state.settle("k", "refresh", undefined, 9_600)).toBe("refreshFailed")
    expect(state.hit("k", 9_600)?.value).toBe("v")
    expect(entry.refreshAt).toBe(Policy.nextRefreshTry(9_600, 10_000))
  })
})

describe("Policy: lifetimes", () => {
  it("a token is never handed out more than maxCachedMillis after its receipt, however long it says it lives", () => {
    const receivedAt = 1_700_000_000_000
    const lifetime = 8e15 - receivedAt
    expect(Policy.tokenUsableUntil(receivedAt + lifetime, lifetime, 60_000)).toBe(receivedAt + Policy.maxCachedMillis)
    expect(Policy.tokenUsableUntil(receivedAt + 3_600_000, 3_600_000, 60_000)).toBe(receivedAt + 3_540_000)
  })

  it("an expiry no date can hold is named, never turned into an invalid date", () => {
    expect(Policy.expiryProblem(8.64e15)).toBeUndefined()
    expect(Policy.expiryProblem(8.64e15 + 1)).toBe("the expiry is past what a date can hold")
    expect(Policy.expiryProblem(Number.NaN)).toBe("the expiry is past what a date can hold")
  })
})

describe("CacheState in front of a caching sidecar", () => {
  const options = { maxEntries: 10, refreshAheadMillis: 3_000, sameValue: (a: string, b: string) => a === b }

  it("refresh-ahead starts no earlier than the floor the settled value gives (the sidecar's own entry ends)", () => {
    const state = new CacheState.CacheState<string, string>(options)
    state.begin("k", false, "f1")
    state.settle("k", "f1", { value: "t1", usableUntil: 10_000, holdMillis: 0, refreshFloor: 9_000 }, 0)
    const entry = state.hit("k", 8_000)!
    expect(state.claimRefresh("k", entry, 8_000)).toBe(false)
    expect(state.claimRefresh("k", entry, 9_000)).toBe(true)
  })

  it("an answer with the token the entry holds keeps the entry's window and starts no further refresh", () => {
    const state = new CacheState.CacheState<string, string>(options)
    state.begin("k", false, "f1")
    state.settle("k", "f1", { value: "t1", usableUntil: 10_000, holdMillis: 0 }, 0)
    const entry = state.hit("k", 7_000)!
    expect(state.claimRefresh("k", entry, 7_000)).toBe(true)
    state.begin("k", false, "f2")
    // The same token, answered from the sidecar's cache: its window computed anew would be shorter.
    expect(state.settle("k", "f2", { value: "t1", usableUntil: 8_500, holdMillis: 0 }, 7_100)).toBe("stored")
    const kept = state.hit("k", 9_000)!
    expect(kept).toMatchObject({ value: "t1", usableUntil: 10_000, refreshing: false })
    expect(state.claimRefresh("k", kept, 9_000)).toBe(false)
    // Another token replaces it as before.
    state.begin("k", false, "f3")
    state.settle("k", "f3", { value: "t2", usableUntil: 20_000, holdMillis: 0 }, 9_500)
    expect(state.hit("k", 15_000)?.value).toBe("t2")
  })
})

describe("CacheState: expired entries go as new ones come", () => {
  it("each store drops up to two of the oldest entries that can no longer be handed out, so the cache shrinks to what is live", () => {
    const state = new CacheState.CacheState<string, string>({ maxEntries: 1_000 })
    const put = (key: string, usableUntil: number, now: number) => {
      state.begin(key, false, `flight-${key}`)
      state.settle(key, `flight-${key}`, { value: key, usableUntil, holdMillis: 0 }, now)
    }
    for (let i = 0; i < 10; i++) put(`old-${i}`, 100, 0)
    expect(state.size).toBe(10)
    for (let i = 0; i < 5; i++) put(`new-${i}`, 10_000, 200)
    // Five stores, two expired entries each: all ten old ones gone, the five live ones kept.
    expect(state.size).toBe(5)
    expect([...state.entries.keys()]).toEqual(["new-0", "new-1", "new-2", "new-3", "new-4"])
    // A live oldest entry stops the sweep: nothing live is dropped.
    put("short", 300, 200)
    put("late", 10_000, 250)
    expect(state.size).toBe(7)
  })
})

describe("CacheState at its boundaries (fixed cases)", () => {
  const settled = (value: string, usableUntil: number, holdMillis = 0) => ({ value, usableUntil, holdMillis })
  const store = (state: CacheState.CacheState<string, number>, key: string, result: ReturnType<typeof settled>, now: number, forced = false) => {
    state.begin(key, forced, 1)
    return state.settle(key, 1, result, now)
  }

  it("a value is usable until the instant it expires, not at it (hit and renewal alike)", () => {
    const state = new CacheState.CacheState<string, number>({ maxEntries: 5 })
    expect(store(state, "k", settled("a", 100), 0)).toBe("stored")
    expect(state.hit("k", 99)?.value).toBe("a")
    expect(state.hit("k", 100)).toBeUndefined()
    expect(state.renewal("k", "other", 99)).toBe("a")
    expect(state.renewal("k", "other", 100)).toBeUndefined()
  })

  it("does not keep a value that is already unusable when it arrives, and keeps one usable a moment longer", () => {
    const state = new CacheState.CacheState<string, number>({ maxEntries: 5 })
    store(state, "late", settled("a", 50), 50)
    expect(state.size).toBe(0)
    store(state, "late", settled("a", 51), 50)
    expect(state.size).toBe(1)
  })

  it("the same value again from the server's cache keeps its first window and starts no refresh; a new value replaces it", () => {
    const state = new CacheState.CacheState<string, number>({ maxEntries: 5, refreshAheadMillis: 30, sameValue: (a, b) => a === b })
    store(state, "k", settled("a", 100), 0)
    const entry = state.hit("k", 80)!
    expect(state.claimRefresh("k", entry, 80)).toBe(true)
    store(state, "k", settled("a", 90), 80)
    expect(state.hit("k", 89)).toMatchObject({ value: "a", usableUntil: 100, refreshing: false, refreshAt: Infinity })
    store(state, "k", settled("b", 200), 99)
    expect(state.hit("k", 150)).toMatchObject({ value: "b", usableUntil: 200 })
    // At the old value's expiry the same value is a new one, not a repeat.
    const again = new CacheState.CacheState<string, number>({ maxEntries: 5, sameValue: (a, b) => a === b })
    store(again, "k", settled("a", 100), 0)
    store(again, "k", settled("a", 300), 100)
    expect(again.hit("k", 200)?.usableUntil).toBe(300)
  })

  it("makes room by dropping expired entries first, the two oldest at most per store, then the least recently used", () => {
    const state = new CacheState.CacheState<string, number>({ maxEntries: 3 })
    store(state, "a", settled("a", 10), 0)
    store(state, "b", settled("b", 10), 0)
    store(state, "c", settled("c", 1_000), 0)
    // At 10, a and b have expired: storing d drops both, and c stays.
    store(state, "d", settled("d", 1_000), 10)
    expect([...state.entries.keys()]).toEqual(["c", "d"])
    // Full with live entries: the least recently used goes.
    store(state, "e", settled("e", 1_000), 20)
    state.hit("c", 30)
    store(state, "f", settled("f", 1_000), 40)
    expect([...state.entries.keys()].sort()).toEqual(["c", "e", "f"])
  })

  it("a failed refresh keeps the value and tries again a quarter of the time left later", () => {
    const state = new CacheState.CacheState<string, number>({ maxEntries: 5, refreshAheadMillis: 50 })
    store(state, "k", settled("a", 100), 0)
    const entry = state.hit("k", 60)!
    expect(state.claimRefresh("k", entry, 60)).toBe(true)
    state.begin("k", false, 2)
    expect(state.settle("k", 2, undefined, 60)).toBe("refreshFailed")
    expect(state.hit("k", 61)).toMatchObject({ value: "a", refreshing: false, refreshAt: 70 })
  })
})
