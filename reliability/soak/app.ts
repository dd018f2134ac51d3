/**
 * The soak run's application: one process per line (`SOAK_LINE`), started by `soak/run.ts` with
 * the line's tsconfig (its packages) and an IPC channel. It uses the line's SDK through the
 * behaviour suite's driver, as an application would, against the run's emulator: machine tokens
 * for both providers, exchanges for the users `run.ts` sends, a `requireUser` endpoint with a
 * policy (called by `run.ts`), and the middleware against a protected API. Every few seconds it
 * reports what it did (outcomes, latencies) and what it holds (heap after a collection, RSS,
 * event-loop delay, handles, descriptors, cache sizes).
 */
import { readdirSync } from "node:fs"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { pathToFileURL } from "node:url"
import { join } from "node:path"
import type * as D from "../../behaviour/Driver.js"
import type { AppMessage, Call, RunMessage, Sample } from "./messages.js"

const line = process.env["SOAK_LINE"] === "effect4" ? "effect4" : "effect3"
const repository = join(import.meta.dirname, "..", "..")
const driverPath = line === "effect4" ? join(repository, "effect4", "behaviour", "driver.ts") : join(repository, "behaviour", "drivers", "effect3.ts")
const { driver } = (await import(pathToFileURL(driverPath).href)) as { readonly driver: D.Driver }

const send = (message: AppMessage) => process.send?.(message)
const gc = (globalThis as { readonly gc?: () => void }).gc ?? (() => undefined)

const start = await new Promise<Extract<RunMessage, { readonly type: "start" }>>((resolve) =>
  process.once("message", (message: RunMessage) => message.type === "start" && resolve(message)))

// The settings a team would use: the defaults, refresh-ahead on, caches bounded below the user population.
const built = await driver.services({ texasUrl: start.texasUrl, quickRetries: false, refreshAhead: "30 seconds", maxEntries: start.exchangeCacheEntries })
if (built._tag !== "Success") throw new Error(`the services did not build: ${JSON.stringify(built)}`)
const services = built.value
const inbound = await services.serve("requireUser", { identityProvider: "tokenx", require: { acr: "idporten-loa-high" } })
if (inbound._tag !== "Success") throw new Error(`the inbound server did not start: ${JSON.stringify(inbound)}`)
const client = services.client({ kind: "machine", request: { identityProvider: "maskinporten", target: start.apiScope }, allowedOrigins: [start.apiUrl] })

let users: Array<string> = []
let calls: Array<Call> = []
let stopping = false

/** Runs `make` every `everyMs` until stopped, recording each call's outcome and timing. */
const every = (kind: Call["kind"], everyMs: number, make: () => Promise<D.Outcome<unknown>> | undefined) => {
  const loop = async () => {
    while (!stopping) {
      const started = Date.now()
      const pending = make()
      if (pending !== undefined) {
        const outcome = await pending
        const ended = Date.now()
        calls.push(outcome._tag === "Success"
          ? { kind, ok: true, startedAt: started, endedAt: ended }
          : { kind, ok: false, startedAt: started, endedAt: ended, error: outcome._tag === "Failure" ? `${outcome.error._tag}: ${outcome.error.message}`.slice(0, 300) : outcome._tag })
      }
      await new Promise((wait) => setTimeout(wait, Math.max(0, everyMs - (Date.now() - started))))
    }
  }
  return loop()
}

const pick = <A>(items: ReadonlyArray<A>): A | undefined => items[Math.floor(Math.random() * items.length)]

const loops = [
  every("token", 20, () => services.token(pick(start.machineRequests)!).run()),
  every("exchange", 50, () => {
    const user = pick(users)
    return user === undefined ? undefined : services.exchange({ identityProvider: "tokenx", target: start.exchangeTarget, userToken: user }).run()
  }),
  every("outbound", 200, async () => {
    const sent = await client.send(`${start.apiUrl}/api/hello`)
    return sent._tag === "Success" && sent.value.status !== 200 ? { _tag: "Defect", message: `the API answered ${sent.value.status}` } : sent
  })
]

const delay = monitorEventLoopDelay({ resolution: 10 })
delay.enable()
const sample = async (): Promise<Sample> => {
  gc()
  const memory = process.memoryUsage()
  const sizes = await services.cacheSizes()
  const taken: Sample = {
    at: Date.now(),
    heapMb: memory.heapUsed / 2 ** 20,
    rssMb: memory.rss / 2 ** 20,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    handles: process.getActiveResourcesInfo().length,
    descriptors: readdirSync("/proc/self/fd").length,
    tokenCache: sizes.tokens,
    verdictCache: sizes.verdicts
  }
  delay.reset()
  return taken
}

let reporting: Promise<void> = Promise.resolve()
const report = () => {
  reporting = reporting.then(async () => {
    const batch = calls
    calls = []
    send({ type: "report", sample: await sample(), calls: batch })
  })
  return reporting
}
const reporter = setInterval(() => void report(), start.reportEveryMs)

process.on("message", (message: RunMessage) => {
  if (message.type === "users") users = [...users, ...message.tokens].slice(-start.userPopulation)
  if (message.type === "stop") {
    stopping = true
    clearInterval(reporter)
    void Promise.all(loops).then(async () => {
      await report()
      // The inbound server first: it runs on the services' runtime.
      await inbound.value.close()
      await services.close()
      send({ type: "stopped" })
      process.disconnect()
    })
  }
})

send({ type: "ready", inboundUrl: `${inbound.value.url}/me` })
