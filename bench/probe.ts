/**
 * What the side-by-side figure (8) measures of one line of the SDK: a warm
 * cache hit, a warm exchange, a verdict from the verdict cache, and a
 * request through `authenticate` on a client without I/O,
 * each a loop of `calls` inside one `runPromise`, timed from outside. Both
 * lines implement it in their own Effect; `bench/lines.ts` alternates them.
 */
export interface Probe {
  /** Nanoseconds per warm-cache `token(request)` call. */
  readonly cacheHit: (calls: number) => Promise<number>
  /** Nanoseconds per request through `authenticate` on a client that answers at once. */
  readonly authenticated: (calls: number) => Promise<number>
  /** The same client with a fixed Authorization header (the baseline). */
  readonly fixedHeader: (calls: number) => Promise<number>
  /** Nanoseconds per warm-cache `TokenExchange.exchange` (the same user and target). */
  readonly exchangeHit: (calls: number) => Promise<number>
  /** Nanoseconds per `TokenIntrospection.introspect` answered from the verdict cache. */
  readonly verdictHit: (calls: number) => Promise<number>
  readonly close: () => Promise<void>
}

export const scope = "skatt:some.scope"
export const apiOrigin = "http://api.invalid"

/** Where a probe finds the emulator, and the user's token it exchanges and introspects. */
export interface ProbeSetup {
  readonly texasUrl: string
  readonly userToken: string
}

/** Nanoseconds per call of `loop(calls)`, timed around the promise. */
export const timed = async (calls: number, loop: (calls: number) => Promise<unknown>): Promise<number> => {
  const started = process.hrtime.bigint()
  await loop(calls)
  return Number(process.hrtime.bigint() - started) / calls
}
