/**
 * Small measuring tools for the benchmarks: per-call timing inside one Effect
 * program, closed-loop throughput at a fixed concurrency, percentiles.
 */
import * as Effect from "effect/Effect"

export const median = (values: ReadonlyArray<number>): number => percentile(values, 50)

export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index] ?? Number.NaN
}

/**
 * Median cost in nanoseconds of one run of `effect`, over `calls` calls made
 * in batches of `batch` inside one Effect program (after a warm-up of the same size).
 */
export const perCallNanos = <A, E, R>(effect: Effect.Effect<A, E, R>, calls: number, batch = 1000) =>
  Effect.gen(function*() {
    const measureOnce = Effect.gen(function*() {
      const batches: Array<number> = []
      for (let done = 0; done < calls; done += batch) {
        const started = performance.now()
        for (let i = 0; i < batch; i++) yield* effect
        batches.push(((performance.now() - started) * 1e6) / batch)
      }
      return median(batches)
    })
    yield* measureOnce // warm-up: JIT, caches
    return yield* measureOnce
  })

/**
 * Requests per second of `request` run by `concurrency` workers in a closed
 * loop for `millis`, and how many completed.
 */
export const throughput = <E, R>(request: Effect.Effect<unknown, E, R>, concurrency: number, millis: number) =>
  Effect.gen(function*() {
    let completed = 0
    const deadline = performance.now() + millis
    const worker = Effect.gen(function*() {
      while (performance.now() < deadline) {
        yield* request
        completed++
      }
    })
    const started = performance.now()
    const cpuBefore = process.cpuUsage()
    yield* Effect.all(Array.from({ length: concurrency }, () => worker), { concurrency: "unbounded", discard: true })
    const cpu = process.cpuUsage(cpuBefore)
    return {
      perSecond: (completed * 1000) / (performance.now() - started),
      completed,
      // This process's CPU time per request: the client's own cost, the servers run elsewhere.
      cpuMicrosPerRequest: (cpu.user + cpu.system) / Math.max(1, completed)
    }
  })

/**
 * Runs two sides in alternating rounds (A B A B ...) after a warm-up of both,
 * so drift in the machine's speed hits both alike. Returns each side's median
 * rate and the median of the per-round ratios A/B.
 */
export const alternating = <E, R>(
  sides: { readonly a: Effect.Effect<unknown, E, R>; readonly b: Effect.Effect<unknown, E, R> },
  options: { readonly rounds: number; readonly millis: number; readonly warmupMillis: number; readonly concurrency: number }
) =>
  Effect.gen(function*() {
    // JIT, connection pools and the servers' caches settle before anything counts.
    for (let warm = 0; warm < 2; warm++) {
      yield* throughput(sides.a, options.concurrency, options.warmupMillis / 4)
      yield* throughput(sides.b, options.concurrency, options.warmupMillis / 4)
    }
    const a: Array<number> = []
    const b: Array<number> = []
    const ratios: Array<number> = []
    const cpuA: Array<number> = []
    const cpuB: Array<number> = []
    for (let round = 0; round < options.rounds; round++) {
      // Alternate which side goes first, so neither always follows the other's garbage.
      const first = round % 2 === 0 ? sides.a : sides.b
      const second = round % 2 === 0 ? sides.b : sides.a
      const x = yield* throughput(first, options.concurrency, options.millis)
      const y = yield* throughput(second, options.concurrency, options.millis)
      const [sideA, sideB] = round % 2 === 0 ? [x, y] : [y, x]
      a.push(sideA.perSecond)
      b.push(sideB.perSecond)
      ratios.push(sideA.perSecond / sideB.perSecond)
      cpuA.push(sideA.cpuMicrosPerRequest)
      cpuB.push(sideB.cpuMicrosPerRequest)
    }
    return { a: median(a), b: median(b), ratio: median(ratios), cpuA: median(cpuA), cpuB: median(cpuB) }
  })
