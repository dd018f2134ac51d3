/**
 * The one cache engine of the SDK's caching services (machine tokens,
 * exchanged tokens, introspection verdicts, Altinn tokens), and the part to
 * build further caching services on (as `@effect-texas/altinn` does). Its
 * decisions are `CacheState` from `@effect-texas/protocol` (shared with the
 * Effect 4 line); this module adds the fibers and Deferreds: one flight per
 * key shared by concurrent callers (a forced caller never joins an unforced
 * flight), registered and launched in one step interruption cannot split and
 * forked in the service's scope, optional refresh-ahead, a renewal hold per
 * key, and one eviction rule (expired entries first, then the least recently
 * used). A service says only what its key is, how to fetch, and until when a
 * value may be used.
 *
 * @since 0.1.0
 */
import { CacheState, Policy } from "@effect-texas/protocol"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as DefaultServices from "effect/DefaultServices"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import type * as Metric from "effect/Metric"
import type * as MetricLabel from "effect/MetricLabel"
import type * as Scope from "effect/Scope"
import type { AccessToken } from "./AccessToken.js"

/**
 * What a service tells the engine. `K` is what the service knows of a request
 * besides its key; `A` the cached value; `E` what a fetch fails with.
 *
 * @category Models
 * @since 0.1.0
 */
export interface CacheOptions<K, A, E> {
  /** Fetches the value for `request`; `forced` asks past every cache (`skip_cache`). */
  readonly fetch: (request: K, forced: boolean) => Effect.Effect<A, E>
  /** Epoch ms until which a fetched value may be handed out. */
  readonly usableUntil: (value: A, request: K) => number
  readonly maxEntries: number
  /** A hit this long before `usableUntil` starts one background refresh; undefined: off. */
  readonly refreshAheadMillis?: number | undefined
  /**
   * Epoch ms before which no refresh ahead of expiry starts for a fetched
   * value: while the server behind still caches it (see `sidecarHeldUntil`).
   */
  readonly refreshFloor?: ((value: A, request: K) => number) | undefined
  /** Whether two values are the same one: an answer with the value already held keeps its entry's window. */
  readonly sameValue?: ((a: A, b: A) => boolean) | undefined
  /**
   * How long a value from a forced fetch is held against further forced
   * renewals of its key (`renew` hands it out again instead); undefined: not held.
   */
  readonly renewHoldMillis?: ((value: A) => number) | undefined
  readonly metrics?: {
    readonly hits: Metric.Metric.Counter<number>
    readonly misses: Metric.Metric.Counter<number>
    readonly size: Metric.Metric.Gauge<number>
    readonly refreshFailures?: Metric.Metric.Counter<number> | undefined
  } | undefined
}

/**
 * The engine, as a service uses it.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Cache<K, A, E> {
  /** The cached value while usable, else the flight for `key` (joined or started). */
  readonly get: (key: string, request: K) => Effect.Effect<A, E>
  /** Drops the entry and fetches past every cache; concurrent forced callers share the flight. */
  readonly force: (key: string, request: K) => Effect.Effect<A, E>
  /**
   * A replacement for `rejected`: the cached value if it is another usable
   * one; `rejected` itself while a forced renewal of the key holds it (see
   * `renewHoldMillis`); else `force`.
   */
  readonly renew: (key: string, request: K, rejected: A) => Effect.Effect<A, E>
  readonly forget: (key: string) => Effect.Effect<void>
}

/** The calling fiber's clock (`TestClock` under test) and metric tags (`Effect.tagMetrics`). */
const clockOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>) =>
  Context.get(fiber.getFiberRef(DefaultServices.currentServices), Clock.Clock)
const tagsOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>) => fiber.getFiberRef(FiberRef.currentMetricLabels)

/**
 * Builds an engine whose flights run in the current scope and stop with it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TokenCache } from "@effect-texas/core/Engine"
 *
 * const program = Effect.gen(function*() {
 *   const cache = yield* TokenCache.make<string, string, never>({
 *     fetch: (name) => Effect.succeed(`hello ${name}`),
 *     usableUntil: () => Date.now() + 60_000,
 *     maxEntries: 100
 *   })
 *   return yield* cache.get("world", "world") // fetched once, then from the cache
 * }).pipe(Effect.scoped)
 * ```
 *
 * @category Constructors
 * @since 0.1.0
 */
export const make = <K, A, E>(options: CacheOptions<K, A, E>): Effect.Effect<Cache<K, A, E>, never, Scope.Scope> =>
  Effect.map(Effect.scope, (scope) => {
    // Mutable by design, as Effect's own Cache keeps its map: every decision runs synchronously
    // in one step (CacheState), so the hit reads it directly and allocates nothing.
    const state = new CacheState.CacheState<A, Deferred.Deferred<A, E>>(options)
    const metrics = options.metrics
    const holdMillis = options.renewHoldMillis ?? (() => 0)
    // Every update carries the calling fiber's tags (`Effect.tagMetrics`), as `Metric.update` does.
    const reportSize = (tags: ReadonlyArray<MetricLabel.MetricLabel>) => metrics?.size.unsafeUpdate(state.size, tags)

    /** Ends a flight in one step: store before the flight is removed, then complete its Deferred. */
    const settle = (key: string, request: K, deferred: Deferred.Deferred<A, E>) => (exit: Exit.Exit<A, E>) =>
      Effect.withFiberRuntime((fiber) => {
        const now = clockOf(fiber).unsafeCurrentTimeMillis()
        const settled = Exit.isSuccess(exit)
          ? { value: exit.value, usableUntil: options.usableUntil(exit.value, request), holdMillis: holdMillis(exit.value), refreshFloor: options.refreshFloor?.(exit.value, request) }
          : undefined
        const outcome = state.settle(key, deferred, settled, now)
        if (outcome === "stored") reportSize(tagsOf(fiber))
        if (outcome === "refreshFailed") metrics?.refreshFailures?.unsafeUpdate(1, tagsOf(fiber))
        return Deferred.done(deferred, exit)
      })

    /**
     * Registers and launches a flight in one step that interruption cannot split
     * (callers run it under `uninterruptibleMask`): the fetch runs in the
     * service's scope, interruptible there, and settles on every exit.
     */
    const launch = (key: string, request: K, forced: boolean): Effect.Effect<Deferred.Deferred<A, E>> => {
      const deferred = Deferred.unsafeMake<A, E>(FiberId.none)
      state.begin(key, forced, deferred)
      const run = Effect.onExit(Effect.interruptible(options.fetch(request, forced)), settle(key, request, deferred))
      return Effect.as(Effect.forkIn(run, scope), deferred)
    }

    const fly = (key: string, request: K, forced: boolean): Effect.Effect<A, E> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.withFiberRuntime((fiber) => {
          metrics?.misses.unsafeUpdate(1, tagsOf(fiber))
          if (forced && state.forget(key)) reportSize(tagsOf(fiber))
          const joined = state.joinable(key, forced)
          if (joined !== undefined) return restore(Deferred.await(joined))
          return Effect.flatMap(launch(key, request, forced), (deferred) => restore(Deferred.await(deferred)))
        })
      )

    /** Starts the key's one background refresh; a failure leaves the cached value in use and retries later. */
    const refreshInBackground = (key: string, request: K) => Effect.uninterruptible(Effect.asVoid(launch(key, request, false)))

    // The hot path: one clock read and one lookup; no allocation on a hit.
    const get = (key: string, request: K): Effect.Effect<A, E> =>
      Effect.withFiberRuntime((fiber) => {
        const now = clockOf(fiber).unsafeCurrentTimeMillis()
        const entry = state.hit(key, now)
        if (entry === undefined) return fly(key, request, false)
        metrics?.hits.unsafeUpdate(1, tagsOf(fiber))
        if (state.claimRefresh(key, entry, now)) return Effect.as(refreshInBackground(key, request), entry.value)
        return Effect.succeed(entry.value)
      })

    const force = (key: string, request: K): Effect.Effect<A, E> => fly(key, request, true)

    const renew = (key: string, request: K, rejected: A): Effect.Effect<A, E> =>
      Effect.clockWith((clock) => {
        const kept = state.renewal(key, rejected, clock.unsafeCurrentTimeMillis())
        return kept === undefined ? force(key, request) : Effect.succeed(kept)
      })

    const forget = (key: string) =>
      Effect.withFiberRuntime<void>((fiber) => {
        if (state.forget(key)) reportSize(tagsOf(fiber))
        return Effect.void
      })

    return { get, force, renew, forget }
  })

/**
 * The engine's rules for tokens that come from the sidecar, which caches
 * them too: a token is handed out as `tokenUsableUntil` says but never
 * before the sidecar itself stops answering with it, no refresh ahead of
 * expiry starts while it does (`Policy.sidecarHeldUntil` in
 * `@effect-texas/protocol`), and an answer carrying the token already held
 * keeps that token's window. Before that point, asking the sidecar again
 * brings back the same token with less time left.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TokenCache } from "@effect-texas/core/Engine"
 * import type { AccessToken } from "@effect-texas/core"
 *
 * declare const fetchToken: (target: string) => Effect.Effect<AccessToken>
 * const cache = TokenCache.make<string, AccessToken, never>({
 *   fetch: fetchToken,
 *   maxEntries: 100,
 *   ...TokenCache.fromSidecar(60_000)
 * })
 * ```
 *
 * @category Expiry
 * @since 0.2.0
 */
export const fromSidecar = (skewMillis: number) => ({
  usableUntil: (token: AccessToken): number =>
    Policy.sidecarTokenUsableUntil(DateTime.toEpochMillis(token.expiresAt), Duration.toMillis(token.expiresIn), skewMillis),
  refreshFloor: (token: AccessToken): number => Policy.sidecarHeldUntil(DateTime.toEpochMillis(token.expiresAt), Duration.toMillis(token.expiresIn)),
  sameValue: (a: AccessToken, b: AccessToken): boolean => Equal.equals(a.accessToken, b.accessToken)
})

/**
 * The SDK's one expiry rule for tokens: epoch ms until which `token` is
 * handed out, its expiry less `skewMillis`, at most half its lifetime.
 *
 * @example
 * ```ts
 * import { TokenCache } from "@effect-texas/core/Engine"
 * import type { AccessToken } from "@effect-texas/core"
 *
 * const usableUntil = (token: AccessToken) => TokenCache.tokenUsableUntil(token, 60_000)
 * ```
 *
 * @category Expiry
 * @since 0.1.0
 */
export const tokenUsableUntil = (token: AccessToken, skewMillis: number): number =>
  Policy.tokenUsableUntil(DateTime.toEpochMillis(token.expiresAt), Duration.toMillis(token.expiresIn), skewMillis)

/**
 * The SDK's one renewal hold for tokens: a token from a forced renewal is
 * not force-renewed again within `minRenewInterval` (at most half its
 * lifetime), per cache key, however many clients ask.
 *
 * @example
 * ```ts
 * import { TokenCache } from "@effect-texas/core/Engine"
 *
 * const holdMillis = TokenCache.tokenRenewHold("30 seconds")
 * ```
 *
 * @category Expiry
 * @since 0.1.0
 */
export const tokenRenewHold = (minRenewInterval: Duration.DurationInput = "30 seconds"): (token: AccessToken) => number => {
  const minRenewMillis = Duration.toMillis(Duration.decode(minRenewInterval))
  return (token) => Policy.renewHoldMillis(minRenewMillis, Duration.toMillis(token.expiresIn))
}
