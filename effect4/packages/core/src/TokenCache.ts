/**
 * The cache engine of the SDK's caching services (Effect 4): entries in a
 * `Ref`, one flight per key shared by concurrent callers (a forced caller
 * never joins an unforced flight), flights forked in the service's scope,
 * optional refresh-ahead, and one eviction rule: expired entries first, then
 * the least recently used. The same engine as the Effect 3 line's, in Effect 4.
 *
 * @since 1.0.0
 */
import { Policy } from "@effect-texas/protocol"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Metric from "effect/Metric"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import type { AccessToken } from "./AccessToken.js"

interface Entry<A> {
  readonly value: A
  readonly usableUntil: number
  refreshAt: number
  refreshing: boolean
  lastUsed: number
}

interface Flight<A, E> {
  readonly deferred: Deferred.Deferred<A, E>
  readonly forced: boolean
}

/**
 * What a service tells the engine.
 *
 * @category models
 * @since 1.0.0
 */
export interface CacheOptions<K, A, E> {
  /** Fetches the value for `request`; `forced` asks past every cache (`skip_cache`). */
  readonly fetch: (request: K, forced: boolean) => Effect.Effect<A, E>
  /** Epoch ms until which a fetched value may be handed out. */
  readonly usableUntil: (value: A, request: K) => number
  readonly maxEntries: number
  /** A hit this long before `usableUntil` starts one background refresh; undefined: off. */
  readonly refreshAheadMillis?: number | undefined
  readonly metrics?: {
    readonly hits: Metric.Counter<number>
    readonly misses: Metric.Counter<number>
    readonly size: Metric.Gauge<number>
  } | undefined
}

/**
 * The engine, as a service uses it.
 *
 * @category models
 * @since 1.0.0
 */
export interface Cache<K, A, E> {
  readonly get: (key: string, request: K) => Effect.Effect<A, E>
  readonly force: (key: string, request: K) => Effect.Effect<A, E>
  readonly renew: (key: string, request: K, rejected: A) => Effect.Effect<A, E>
  readonly forget: (key: string) => Effect.Effect<void>
}

const noContext = Context.empty()

/**
 * Builds an engine whose flights run in the current scope and stop with it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TokenCache } from "@effect-texas/core"
 *
 * const program = Effect.gen(function*() {
 *   const cache = yield* TokenCache.make<string, string, never>({
 *     fetch: (name) => Effect.succeed(`hello ${name}`),
 *     usableUntil: () => Date.now() + 60_000,
 *     maxEntries: 100
 *   })
 *   return yield* cache.get("world", "world")
 * }).pipe(Effect.scoped)
 * ```
 *
 * @category constructors
 * @since 1.0.0
 */
export const make = <K, A, E>(options: CacheOptions<K, A, E>): Effect.Effect<Cache<K, A, E>, never, Scope.Scope> =>
  Effect.map(Effect.scope, (scope) => {
    const held = new Map<string, Entry<A>>()
    const entries = Ref.makeUnsafe(held)
    const flights = new Map<string, Flight<A, E>>()
    const maxEntries = Math.max(1, options.maxEntries)
    const metrics = options.metrics
    let tick = 0
    const reportSize = (map: Map<string, Entry<A>>) => metrics?.size.updateUnsafe(map.size, noContext)

    const store = (key: string, request: K, value: A, now: number) =>
      Ref.update(entries, (map) => {
        const usableUntil = options.usableUntil(value, request)
        map.delete(key)
        if (usableUntil <= now) return map
        if (map.size >= maxEntries) Policy.makeRoom(map, now, maxEntries)
        const refreshAt = options.refreshAheadMillis === undefined
          ? Infinity
          : Math.max(usableUntil - options.refreshAheadMillis, Policy.nextRefreshTry(now, usableUntil))
        map.set(key, { value, usableUntil, refreshAt, refreshing: false, lastUsed: ++tick })
        reportSize(map)
        return map
      })

    const forget = (key: string) =>
      Ref.update(entries, (map) => {
        if (map.delete(key)) reportSize(map)
        return map
      })

    const register = (key: string, request: K, forced: boolean) => {
      const flight: Flight<A, E> = { deferred: Deferred.makeUnsafe<A, E>(), forced }
      flights.set(key, flight)
      const settle = (exit: Exit.Exit<A, E>) =>
        Effect.clockWith((clock) => {
          if (flights.get(key) !== flight) return Deferred.done(flight.deferred, exit)
          flights.delete(key)
          const stored = Exit.isSuccess(exit) ? store(key, request, exit.value, clock.currentTimeMillisUnsafe()) : Effect.void
          return Effect.andThen(stored, Deferred.done(flight.deferred, exit))
        })
      return { flight, launch: Effect.forkIn(Effect.onExit(options.fetch(request, forced), settle), scope) }
    }

    const fly = (key: string, request: K, forced: boolean): Effect.Effect<A, E> =>
      Effect.suspend(() => {
        metrics?.misses.updateUnsafe(1, noContext)
        const current = flights.get(key)
        if (current !== undefined && (current.forced || !forced)) return Deferred.await(current.deferred)
        const { flight, launch } = register(key, request, forced)
        return Effect.andThen(launch, Deferred.await(flight.deferred))
      })

    const refreshInBackground = (key: string, request: K, entry: Entry<A>): Effect.Effect<void> => {
      if (entry.refreshing || flights.has(key)) return Effect.void
      entry.refreshing = true
      const { flight, launch } = register(key, request, false)
      const onFailure = Effect.clockWith((clock) =>
        Effect.sync(() => {
          entry.refreshing = false
          entry.refreshAt = Policy.nextRefreshTry(clock.currentTimeMillisUnsafe(), entry.usableUntil)
        })
      )
      const watch = Effect.forkIn(Effect.catch(Deferred.await(flight.deferred), () => onFailure), scope)
      return Effect.andThen(launch, Effect.asVoid(watch))
    }

    // The hot path: one clock read and one lookup in the Map the Ref holds (as in the Effect 3 line).
    const get = (key: string, request: K): Effect.Effect<A, E> =>
      Effect.clockWith((clock) => {
        const now = clock.currentTimeMillisUnsafe()
        const entry = held.get(key)
        if (entry === undefined || now >= entry.usableUntil) return fly(key, request, false)
        metrics?.hits.updateUnsafe(1, noContext)
        entry.lastUsed = ++tick
        if (now >= entry.refreshAt) return Effect.as(refreshInBackground(key, request, entry), entry.value)
        return Effect.succeed(entry.value)
      })

    const force = (key: string, request: K): Effect.Effect<A, E> => Effect.andThen(forget(key), fly(key, request, true))

    const renew = (key: string, request: K, rejected: A): Effect.Effect<A, E> =>
      Effect.flatMap(Ref.get(entries), (map) =>
        Effect.clockWith((clock) => {
          const entry = map.get(key)
          if (entry !== undefined && entry.value !== rejected && clock.currentTimeMillisUnsafe() < entry.usableUntil) {
            return Effect.succeed(entry.value)
          }
          return force(key, request)
        }))

    return { get, force, renew, forget }
  })

/**
 * The SDK's one expiry rule for tokens: epoch ms until which `token` is
 * handed out, its expiry less `skewMillis`, at most half its lifetime.
 *
 * @example
 * ```ts
 * import { TokenCache } from "@effect-texas/core"
 * import type { AccessToken } from "@effect-texas/core"
 *
 * const usableUntil = (token: AccessToken) => TokenCache.tokenUsableUntil(token, 60_000)
 * ```
 *
 * @category expiry
 * @since 1.0.0
 */
export const tokenUsableUntil = (token: AccessToken, skewMillis: number): number =>
  Policy.tokenUsableUntil(DateTime.toEpochMillis(token.expiresAt), Duration.toMillis(token.expiresIn), skewMillis)
