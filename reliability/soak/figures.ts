/**
 * The soak run's arithmetic: percentiles, a least-squares slope, the fault windows a failure
 * may fall in, and the ideal number of sidecar token requests per key.
 */
import { Policy } from "@effect-texas/protocol"

/** The `p`-th percentile (0 to 100) of `values`, nearest rank; 0 for none. */
export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/** The least-squares slope of `y` over `x` (units of y per unit of x); 0 with fewer than two points. */
export const slope = (points: ReadonlyArray<readonly [number, number]>): number => {
  if (points.length < 2) return 0
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0)
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0)
  return variance === 0 ? 0 : covariance / variance
}

/** A span of time in which the run injected a fault, in ms since the run started. */
export interface Window {
  readonly fault: "restart" | "503" | "slow provider"
  readonly from: number
  readonly to: number
}

/**
 * The faults of a run of `minutes`: a sidecar restart (2 s of refused connections, the requests in
 * flight reset) 30 s in and every 3 minutes after, a minute of 503s from 4:00 and a minute of a
 * slow identity provider (3 s an answer) from 7:00 of every ten minutes.
 */
export const faultWindows = (minutes: number): ReadonlyArray<Window> => {
  const end = minutes * 60_000
  const windows: Array<Window> = []
  for (let at = 30_000; at < end; at += 180_000) windows.push({ fault: "restart", from: at, to: at + 2_000 })
  for (let block = 0; block * 600_000 < end; block++) {
    const base = block * 600_000
    if (base + 240_000 < end) windows.push({ fault: "503", from: base + 240_000, to: Math.min(end, base + 300_000) })
    if (base + 420_000 < end) windows.push({ fault: "slow provider", from: base + 420_000, to: Math.min(end, base + 480_000) })
  }
  return windows.sort((a, b) => a.from - b.from)
}

/** A failure is explained by a window it overlaps (a second of grace after it: the answer in flight). */
export const explainedBy = (windows: ReadonlyArray<Window>, startedAt: number, endedAt: number): Window | undefined =>
  windows.find((window) => startedAt <= window.to + 1_000 && endedAt >= window.from)

/**
 * How long a fresh token of `lifetimeSeconds` is handed out by the SDK with its defaults (60 s
 * skew): the sidecar answers it floored to whole seconds, and the SDK keeps it until the sidecar
 * drops it from its own cache (`Policy.sidecarTokenUsableUntil`).
 */
export const usableMillis = (lifetimeSeconds: number): number => {
  const answered = (lifetimeSeconds - 1) * 1000
  return Policy.sidecarTokenUsableUntil(answered, answered, 60_000)
}

/** The fewest token requests per key a run of `runMillis` needs: one at the start, one each usable lifetime after. */
export const idealRequests = (runMillis: number, lifetimeSeconds: number): number => Math.ceil(runMillis / usableMillis(lifetimeSeconds))
