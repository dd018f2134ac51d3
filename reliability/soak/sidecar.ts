/**
 * What the emulated sidecar saw, tallied as the run goes: per token key, the requests it answered
 * with a token and how many of those came from its own cache; the errors it answered; exchanges
 * and introspections. Read from the emulator's request log every few seconds, from where the last
 * read stopped (the log keeps its newest entries; a read that finds its place evicted says so).
 */
import type { RecordedRequest, TexasEmulatorHandle } from "@effect-texas/emulator"

export interface KeyTally {
  tokens: number
  fromCache: number
  errors: number
}

export interface SidecarTally {
  readonly poll: () => void
  readonly perKey: () => ReadonlyMap<string, KeyTally>
  /** Token requests (all answers) per whole minute of the run, as [minute, count]. */
  readonly perMinute: () => ReadonlyArray<readonly [number, number]>
  readonly exchanges: () => { readonly requests: number; readonly fromCache: number }
  readonly introspections: () => number
  /** Whether a read found its place evicted from the log (some requests went uncounted). */
  readonly overflowed: () => boolean
  /** Epoch ms of the first token request (the application fetches before the run's clock starts). */
  readonly firstTokenAt: () => number | undefined
}

export const sidecarTally = (emulator: TexasEmulatorHandle, started: () => number): SidecarTally => {
  const keys = new Map<string, KeyTally>()
  const minutes = new Map<number, number>()
  let last: RecordedRequest | undefined
  let overflowed = false
  let exchanges = 0
  let exchangesFromCache = 0
  let introspections = 0
  let firstTokenAt: number | undefined
  const count = (request: RecordedRequest) => {
    if (request.path === "/api/v1/introspect") introspections++
    if (request.path === "/api/v1/token/exchange") {
      exchanges++
      if (request.fromCache === true) exchangesFromCache++
    }
    if (request.path !== "/api/v1/token") return
    firstTokenAt = Math.min(firstTokenAt ?? Infinity, request.receivedAt.getTime())
    const minute = Math.max(0, Math.floor((request.receivedAt.getTime() - started()) / 60_000))
    minutes.set(minute, (minutes.get(minute) ?? 0) + 1)
    const key = `${String(request.body?.["identity_provider"])} ${String(request.body?.["target"])}`
    const tally = keys.get(key) ?? { tokens: 0, fromCache: 0, errors: 0 }
    if (request.answer === 200) tally.tokens++
    else tally.errors++
    if (request.fromCache === true) tally.fromCache++
    keys.set(key, tally)
  }
  return {
    poll: () => {
      const log = emulator.requests()
      const from = last === undefined ? 0 : log.lastIndexOf(last) + 1
      if (last !== undefined && from === 0) overflowed = true
      for (const request of log.slice(from)) count(request)
      last = log.at(-1) ?? last
    },
    perKey: () => keys,
    perMinute: () => [...minutes.entries()].sort(([a], [b]) => a - b),
    exchanges: () => ({ requests: exchanges, fromCache: exchangesFromCache }),
    introspections: () => introspections,
    overflowed: () => overflowed,
    firstTokenAt: () => firstTokenAt
  }
}
