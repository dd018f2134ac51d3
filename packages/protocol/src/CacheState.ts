/**
 * The decisions of the SDK's cache engine as a small state machine without
 * Effect, shared by both lines: when a lookup is a hit, when a caller joins a
 * flight and when it starts one, what a finished flight stores, when a hit
 * starts a refresh ahead of expiry, what eviction drops, and the renewal hold
 * (at most one forced renewal per key per interval). Each line keeps only its
 * fibers, its `Deferred`s and the one step that runs these decisions.
 *
 * The state is mutable by design, as Effect's own `Cache` keeps its map: every
 * method is synchronous and runs inside one step of the line's engine, so no
 * other caller can observe a half-made change, and the hit allocates nothing.
 *
 * @since 0.1.0
 */
import { makeRoom, nextRefreshTry } from "./Policy.js"

// ---- Models ------------------------------------------------------------------

/**
 * One cached value and when to stop handing it out.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Entry<A> {
  readonly value: A
  /** Epoch ms from which the value is no longer handed out. */
  readonly usableUntil: number
  /** Epoch ms before which a forced renewal of this value is refused (0: none). */
  readonly heldUntil: number
  /** Epoch ms from which a hit starts a background refresh (Infinity without refresh-ahead). */
  refreshAt: number
  refreshing: boolean
  /** Recency stamp for least-recently-used eviction. */
  lastUsed: number
}

/**
 * A fetch under way that callers for the same key join; `handle` is the
 * line's own (a `Deferred`).
 *
 * @category Models
 * @since 0.1.0
 */
export interface Flight<F> {
  readonly handle: F
  /** A forced flight (`skip_cache`): a forced caller never joins an unforced one. */
  readonly forced: boolean
}

/**
 * What a finished flight reports: its value, until when it may be handed
 * out, and how long a forced one is held against further forced renewals.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Settled<A> {
  readonly value: A
  readonly usableUntil: number
  readonly holdMillis: number
  /**
   * Epoch ms before which no refresh ahead of expiry starts: while the server
   * behind (the sidecar) still caches this value, asking it again brings back
   * the same value. Undefined: no such floor.
   */
  readonly refreshFloor?: number | undefined
}

/**
 * What `settle` did: whether the flight was still the key's (a flight that a
 * forced one replaced stores nothing), and whether a background refresh failed.
 *
 * @category Models
 * @since 0.1.0
 */
export type Outcome = "stored" | "superseded" | "failed" | "refreshFailed"

/**
 * Settings of a cache state.
 *
 * @category Options
 * @since 0.1.0
 */
export interface Options<A = unknown> {
  readonly maxEntries: number
  /** A hit this long before `usableUntil` starts one background refresh; undefined: off. */
  readonly refreshAheadMillis?: number | undefined
  /**
   * Whether two values are the same one (the same token): an unforced answer
   * with the value an entry already holds keeps that entry's window and starts
   * no further refresh. Undefined: values are never the same.
   */
  readonly sameValue?: ((a: A, b: A) => boolean) | undefined
}

// ---- State -------------------------------------------------------------------

/**
 * The entries and flights of one cache, and the rules over them.
 *
 * @example
 * ```ts
 * import { CacheState } from "@effect-texas/protocol"
 *
 * const state = new CacheState.CacheState<string, string>({ maxEntries: 10 })
 * state.begin("k", false, "flight-1")
 * console.log(state.joinable("k", false)) // "flight-1": a second caller joins
 * state.settle("k", "flight-1", { value: "v", usableUntil: 1_000, holdMillis: 0 }, 0)
 * console.log(state.hit("k", 10)?.value) // "v"
 * ```
 *
 * @category Models
 * @since 0.1.0
 */
export class CacheState<A, F> {
  readonly entries = new Map<string, Entry<A>>()
  readonly flights = new Map<string, Flight<F>>()
  private readonly maxEntries: number
  private readonly refreshAheadMillis: number | undefined
  private readonly sameValue: ((a: A, b: A) => boolean) | undefined
  private tick = 0

  constructor(options: Options<A>) {
    this.maxEntries = Math.max(1, options.maxEntries)
    this.refreshAheadMillis = options.refreshAheadMillis
    this.sameValue = options.sameValue
  }

  /** The usable entry for `key` at `now` (marked as used), or undefined: a miss. */
  hit(key: string, now: number): Entry<A> | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined || now >= entry.usableUntil) return undefined
    entry.lastUsed = ++this.tick
    return entry
  }

  /** Whether this hit starts the key's one background refresh (and claims it if so). */
  claimRefresh(key: string, entry: Entry<A>, now: number): boolean {
    if (now < entry.refreshAt || entry.refreshing || this.flights.has(key)) return false
    entry.refreshing = true
    return true
  }

  /** The flight a caller joins, if any: any flight for an unforced caller, a forced one for a forced caller. */
  joinable(key: string, forced: boolean): F | undefined {
    const flight = this.flights.get(key)
    return flight !== undefined && (flight.forced || !forced) ? flight.handle : undefined
  }

  /** Registers a flight for `key`, replacing any other (a forced flight replaces an unforced one). */
  begin(key: string, forced: boolean, handle: F): void {
    this.flights.set(key, { handle, forced })
  }

  /**
   * Ends the flight `handle` of `key` in one step: its value is stored (making
   * room first) before the flight is removed, so no caller in between can
   * start a second fetch. A flight that another replaced stores nothing.
   */
  settle(key: string, handle: F, result: Settled<A> | undefined, now: number): Outcome {
    const flight = this.flights.get(key)
    if (flight === undefined || flight.handle !== handle) return "superseded"
    this.flights.delete(key)
    if (result === undefined) {
      const entry = this.entries.get(key)
      if (entry === undefined || !entry.refreshing) return "failed"
      entry.refreshing = false
      entry.refreshAt = nextRefreshTry(now, entry.usableUntil)
      return "refreshFailed"
    }
    this.store(key, result, flight.forced, now)
    return "stored"
  }

  /** Drops the entry for `key`; whether there was one. */
  forget(key: string): boolean {
    return this.entries.delete(key)
  }

  /**
   * What a caller whose value `rejected` an API refused gets without a fetch:
   * the key's other usable value, or `rejected` itself while a forced renewal
   * holds it; undefined when a forced fetch is due.
   */
  renewal(key: string, rejected: A, now: number): A | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined || now >= entry.usableUntil) return undefined
    if (entry.value !== rejected) return entry.value
    return now < entry.heldUntil ? entry.value : undefined
  }

  get size(): number {
    return this.entries.size
  }

  /**
   * Drops up to two of the oldest stored entries if they can no longer be handed out: with each
   * store, so that expired entries go as new ones come (a verdict cache of users' tokens would
   * otherwise hold every expired verdict until it is full), at a constant cost per store.
   */
  private dropExpiredOldest(now: number): void {
    for (let dropped = 0; dropped < 2; dropped++) {
      const oldest = this.entries.entries().next()
      if (oldest.done === true || now < oldest.value[1].usableUntil) return
      this.entries.delete(oldest.value[0])
    }
  }

  private store(key: string, result: Settled<A>, forced: boolean, now: number): void {
    const held = this.entries.get(key)
    if (!forced && held !== undefined && now < held.usableUntil && this.sameValue?.(held.value, result.value) === true) {
      // The server behind answered from its cache: the value this entry holds, with less time left.
      // The entry keeps the window it was first given, and starts no further refresh.
      held.refreshing = false
      held.refreshAt = Infinity
      held.lastUsed = ++this.tick
      return
    }
    this.entries.delete(key)
    this.dropExpiredOldest(now)
    if (result.usableUntil <= now) return
    if (this.entries.size >= this.maxEntries) makeRoom(this.entries, now, this.maxEntries)
    const refreshAt = this.refreshAheadMillis === undefined
      ? Infinity
      : Math.max(result.usableUntil - this.refreshAheadMillis, result.refreshFloor ?? -Infinity, nextRefreshTry(now, result.usableUntil))
    const heldUntil = forced ? now + Math.max(0, result.holdMillis) : 0
    this.entries.set(key, { value: result.value, usableUntil: result.usableUntil, heldUntil, refreshAt, refreshing: false, lastUsed: ++this.tick })
  }
}
