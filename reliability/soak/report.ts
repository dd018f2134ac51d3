/**
 * The soak run's figures for one line, and the targets they are held to.
 *
 * - No failure outside a fault window (each failure is listed with the window that explains it).
 * - Sidecar token requests answered with a token, per key, at most 1.1 times the ideal (one at
 *   the start and one per usable lifetime of a fresh token), and none answered from the
 *   sidecar's cache: the SDK never asks it for a token it still holds.
 * - Heap (after a collection) and RSS slopes after the warm-up within `heapSlopeBoundMb` per
 *   minute, for runs of 10 minutes or more: every cache is bounded and full within the warm-up
 *   (the token cache holds 7 keys; the exchange cache its 100 entries, reached in the first
 *   minute; verdicts live 60 s, about 150 at a time), so a steady state has no reason to grow,
 *   and the bound is what sampling noise leaves (see the note in the README's reliability section).
 * - Open handles and descriptors flat after the warm-up: their spread at most `spreadBound`
 *   (keep-alive sockets come and go with the restarts).
 * - The token and verdict caches within their bounds (`maxEntries`).
 */
import { type Call, type Sample } from "./messages.js"
import { explainedBy, idealRequests, percentile, slope, type Window } from "./figures.js"
import type { SidecarTally } from "./sidecar.js"

export const heapSlopeBoundMb = 0.5
export const spreadBound = 20
const warmupMillis = 3 * 60_000
const verdictCacheBound = 10_000

export interface SummaryInput {
  readonly name: string
  readonly started: number
  readonly elapsed: number
  readonly calls: ReadonlyArray<Call>
  readonly samples: ReadonlyArray<Sample>
  readonly tally: SidecarTally
  readonly windows: ReadonlyArray<Window>
  readonly lifetimeSeconds: number
  readonly exchangeCacheEntries: number
  readonly final: boolean
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits))

const callFigures = (calls: ReadonlyArray<Call>) => {
  const kinds = ["token", "exchange", "outbound", "inbound"] as const
  return Object.fromEntries(kinds.map((kind) => {
    const own = calls.filter((call) => call.kind === kind)
    const latencies = own.map((call) => call.endedAt - call.startedAt)
    return [kind, { calls: own.length, failed: own.filter((call) => !call.ok).length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) }]
  }))
}

const failureFigures = (input: SummaryInput) => {
  const failed = input.calls.filter((call): call is Extract<Call, { ok: false }> => !call.ok)
  const byWindow: Record<string, number> = {}
  const outside: Array<{ readonly kind: string; readonly atMinute: number; readonly error: string }> = []
  for (const call of failed) {
    const window = explainedBy(input.windows, call.startedAt - input.started, call.endedAt - input.started)
    if (window === undefined) outside.push({ kind: call.kind, atMinute: round((call.startedAt - input.started) / 60_000), error: call.error })
    else byWindow[window.fault] = (byWindow[window.fault] ?? 0) + 1
  }
  return { total: failed.length, explained: byWindow, outside: outside.length, firstOutside: outside.slice(0, 20) }
}

const sidecarFigures = (input: SummaryInput) => {
  // From the first token request (the application starts fetching before the run's clock starts) to the end.
  const span = input.started + input.elapsed - (input.tally.firstTokenAt() ?? input.started)
  const ideal = idealRequests(Math.max(input.elapsed, span), input.lifetimeSeconds)
  const perKey = Object.fromEntries([...input.tally.perKey()].map(([key, tally]) => [key, { ...tally, ratio: round(tally.tokens / ideal) }]))
  const keys = Object.values(perKey)
  return {
    idealPerKey: ideal,
    maxRatio: round(Math.max(0, ...keys.map((key) => key.ratio))),
    tokensFromCache: keys.reduce((sum, key) => sum + key.fromCache, 0),
    errorAnswers: keys.reduce((sum, key) => sum + key.errors, 0),
    perKey,
    exchanges: input.tally.exchanges(),
    introspections: input.tally.introspections(),
    logOverflowed: input.tally.overflowed()
  }
}

const memoryFigures = (input: SummaryInput) => {
  // After the warm-up, up to the end of the run (the last report is taken as the application stops).
  const after = input.samples.filter((sample) => sample.at - input.started >= warmupMillis && sample.at - input.started <= input.elapsed)
  const perMinute = (pick: (sample: Sample) => number) => round(slope(after.map((sample) => [(sample.at - input.started) / 60_000, pick(sample)] as const)), 3)
  const spread = (pick: (sample: Sample) => number) => {
    const values = after.map(pick)
    return values.length === 0 ? { min: 0, max: 0 } : { min: Math.min(...values), max: Math.max(...values) }
  }
  const last = input.samples.at(-1)
  return {
    warmupMinutes: warmupMillis / 60_000,
    checked: input.elapsed >= 10 * 60_000,
    heapMb: { first: round(input.samples[0]?.heapMb ?? 0, 1), last: round(last?.heapMb ?? 0, 1), slopePerMinute: perMinute((sample) => sample.heapMb) },
    rssMb: { first: round(input.samples[0]?.rssMb ?? 0, 1), last: round(last?.rssMb ?? 0, 1), slopePerMinute: perMinute((sample) => sample.rssMb) },
    loopDelayP99Ms: round(percentile(input.samples.map((sample) => sample.loopDelayP99Ms), 99), 1),
    handles: spread((sample) => sample.handles),
    descriptors: spread((sample) => sample.descriptors),
    caches: {
      tokens: { max: Math.max(0, ...input.samples.map((sample) => sample.tokenCache)), bound: input.exchangeCacheEntries },
      verdicts: { max: Math.max(0, ...input.samples.map((sample) => sample.verdictCache)), bound: verdictCacheBound }
    }
  }
}

export type LineReport = ReturnType<typeof summarise>

/** The figures of one line so far, and the line printed for them. */
export const summarise = (input: SummaryInput) => {
  const calls = callFigures(input.calls)
  const failures = failureFigures(input)
  const sidecar = sidecarFigures(input)
  const memory = memoryFigures(input)
  const total = Object.values(calls).reduce((sum, kind) => sum + kind.calls, 0)
  const line = `${input.name} ${(input.elapsed / 60_000).toFixed(1)} min: ${total} calls, ${failures.total} failed (${failures.outside} outside fault windows); ` +
    `sidecar: ${sidecar.maxRatio}x the ideal per key, ${sidecar.tokensFromCache} from its cache; heap ${memory.heapMb.last} MB, rss ${memory.rssMb.last} MB, ` +
    `handles ${input.samples.at(-1)?.handles ?? 0}, fds ${input.samples.at(-1)?.descriptors ?? 0}, loop p99 ${memory.loopDelayP99Ms} ms; token p99 ${calls["token"]?.p99Ms} ms, inbound p99 ${calls["inbound"]?.p99Ms} ms`
  return { name: input.name, final: input.final, elapsedMinutes: round(input.elapsed / 60_000), calls, failures, sidecar, memory, line }
}

/** The targets `report` misses, each in a sentence. */
export const targetsMissed = (report: LineReport): ReadonlyArray<string> => {
  const missed: Array<string> = []
  if (report.failures.outside > 0) missed.push(`${report.failures.outside} failures outside a fault window, first: ${JSON.stringify(report.failures.firstOutside.slice(0, 3))}`)
  if (report.sidecar.maxRatio > 1.1) missed.push(`a key got ${report.sidecar.maxRatio}x the ideal token requests (at most 1.1x)`)
  if (report.sidecar.tokensFromCache > 0) missed.push(`${report.sidecar.tokensFromCache} token requests were answered from the sidecar's cache`)
  if (report.sidecar.logOverflowed) missed.push("the emulator's log overflowed between reads: some requests were not counted")
  const { memory } = report
  if (memory.checked && Math.abs(memory.heapMb.slopePerMinute) > heapSlopeBoundMb) missed.push(`heap slope ${memory.heapMb.slopePerMinute} MB/min after warm-up (bound ${heapSlopeBoundMb})`)
  if (memory.checked && memory.handles.max - memory.handles.min > spreadBound) missed.push(`open handles spread ${memory.handles.min} to ${memory.handles.max}`)
  if (memory.checked && memory.descriptors.max - memory.descriptors.min > spreadBound) missed.push(`descriptors spread ${memory.descriptors.min} to ${memory.descriptors.max}`)
  if (memory.caches.tokens.max > memory.caches.tokens.bound) missed.push(`token cache held ${memory.caches.tokens.max} (bound ${memory.caches.tokens.bound})`)
  if (memory.caches.verdicts.max > memory.caches.verdicts.bound) missed.push(`verdict cache held ${memory.caches.verdicts.max} (bound ${memory.caches.verdicts.bound})`)
  return missed
}
