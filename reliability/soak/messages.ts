/**
 * What the soak run (`run.ts`) and its applications (`app.ts`, one per line) say to each other
 * over the IPC channel.
 */
import type * as D from "../../behaviour/Driver.js"

/** One call the application made, as it ended. */
export type Call =
  & { readonly kind: "token" | "exchange" | "outbound" | "inbound"; readonly startedAt: number; readonly endedAt: number }
  & ({ readonly ok: true } | { readonly ok: false; readonly error: string })

/** What the application holds at one moment (the heap after a collection). */
export interface Sample {
  readonly at: number
  readonly heapMb: number
  readonly rssMb: number
  readonly loopDelayP99Ms: number
  readonly handles: number
  readonly descriptors: number
  readonly tokenCache: number
  readonly verdictCache: number
}

export type RunMessage =
  | {
    readonly type: "start"
    readonly texasUrl: string
    readonly apiUrl: string
    readonly apiScope: string
    readonly machineRequests: ReadonlyArray<D.TokenRequestView>
    readonly exchangeTarget: string
    readonly exchangeCacheEntries: number
    readonly userPopulation: number
    readonly reportEveryMs: number
  }
  | { readonly type: "users"; readonly tokens: ReadonlyArray<string> }
  | { readonly type: "stop" }

export type AppMessage =
  | { readonly type: "ready"; readonly inboundUrl: string }
  | { readonly type: "report"; readonly sample: Sample; readonly calls: ReadonlyArray<Call> }
  | { readonly type: "stopped" }
