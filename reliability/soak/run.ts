/**
 * The soak run: `npm run soak -- --minutes N` (a one-minute run is part of `npm test`).
 *
 * One application per line (`app.ts`, its own process) against its own emulated sidecar with
 * 60 s tokens (30 minutes cross 30 lifetimes), at a steady rate: machine tokens for Maskinporten
 * and Entra ID, exchanges for a rolling population of users larger than the exchange cache,
 * inbound requests through `requireUser` with a policy (sent from here), and the middleware
 * against a protected API. Faults on a schedule (`figures.ts`): a sidecar restart every 3
 * minutes, a minute of 503s and a minute of a slow identity provider in every ten.
 *
 * It reports each minute and at the end, as JSON (`<out>/soak.json`) and as a chart
 * (`<out>/soak.svg`), and checks the targets: no failure outside a fault window, sidecar token
 * requests per key at most 1.1 times the ideal and none answered from its cache, heap slope
 * after warm-up within the bound (runs of 10 minutes or more), handles and descriptors flat,
 * caches within their bounds. Exits 1 when a target is missed. Loopback only, bounded in time.
 */
import { fork } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { Fault, startProtectedApi, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import type * as D from "../../behaviour/Driver.js"
import { chart } from "./chart.js"
import { faultWindows, idealRequests, type Window } from "./figures.js"
import type { AppMessage, Call, RunMessage, Sample } from "./messages.js"
import { summarise, type LineReport, targetsMissed } from "./report.js"
import { sidecarTally, type SidecarTally } from "./sidecar.js"

const { values } = parseArgs({ options: { minutes: { type: "string", default: "30" }, out: { type: "string", default: "soak-report" } } })
const minutes = Number(values.minutes)
if (!(minutes > 0 && minutes <= 24 * 60)) throw new Error("--minutes takes a number of minutes, at most a day")
const out = resolve(values.out)
const repository = resolve(import.meta.dirname, "..", "..")

const lifetimeSeconds = 60
const scopes = ["skatt:soak.a", "skatt:soak.b", "nav:soak/api"]
const apiScope = "nav:soak/api"
const entraTargets = ["ledger", "accounts", "profiles"].map((app) => `api://dev-gcp.team.${app}/.default`)
const machineRequests: ReadonlyArray<D.TokenRequestView> = [
  ...scopes.map((target) => ({ identityProvider: "maskinporten", target })),
  ...entraTargets.map((target) => ({ identityProvider: "entra_id", target }))
]
const exchangeCacheEntries = 100
const userPopulation = 300
const windows = faultWindows(minutes)

interface Line {
  readonly name: "effect3" | "effect4"
  readonly emulator: TexasEmulatorHandle
  readonly tally: SidecarTally
  readonly samples: Array<Sample>
  readonly calls: Array<Call>
  readonly users: Array<string>
  inboundUrl: string
  stopped: Promise<void>
  send: (message: RunMessage) => void
}

const startLine = async (name: Line["name"]): Promise<Line> => {
  const emulator = await startTexasEmulator({ grantedScopes: [...scopes, ...entraTargets], tokenLifetime: `${lifetimeSeconds} seconds`, requestLogLimit: 50_000 })
  const api = await startProtectedApi(emulator, { requiredScope: apiScope })
  const tsconfig = name === "effect4" ? join(repository, "effect4", "tsconfig.json") : join(repository, "tsconfig.json")
  const child = fork(join(import.meta.dirname, "app.ts"), [], {
    execArgv: ["--import", "tsx", "--expose-gc"],
    env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig, SOAK_LINE: name },
    // The SDK's own log lines (a refusal by the inbound policy is logged at INFO) are not the run's output.
    stdio: ["ignore", "ignore", "inherit", "ipc"]
  })
  const line: Line = {
    name, emulator, tally: sidecarTally(emulator, () => started), samples: [], calls: [], users: [], inboundUrl: "",
    stopped: new Promise<void>((done) => child.once("exit", () => done())).then(() => api.close()).then(() => emulator.close()),
    send: (message) => child.send(message)
  }
  const ready = new Promise<void>((done, fail) => {
    child.once("exit", (code) => fail(new Error(`the ${name} application exited (${code}) before it was ready`)))
    child.on("message", (message: AppMessage) => {
      if (message.type === "ready") {
        line.inboundUrl = message.inboundUrl
        done()
      }
      if (message.type === "report") {
        line.samples.push(message.sample)
        line.calls.push(...message.calls)
      }
    })
  })
  line.send({ type: "start", texasUrl: emulator.url, apiUrl: api.url, apiScope, machineRequests, exchangeTarget: "dev-gcp:team:downstream", exchangeCacheEntries, userPopulation, reportEveryMs: 5_000 })
  await ready
  return line
}

let started = Date.now()
const lines = await Promise.all((["effect3", "effect4"] as const).map(startLine))
started = Date.now()
const end = started + minutes * 60_000
console.log(`soak: ${minutes} min, both lines, 60 s tokens; faults: ${windows.map((w) => `${w.fault} at ${(w.from / 60_000).toFixed(1)} min`).join(", ")}`)

/** New users each second (tokens of the line's own emulator), sent to the application and kept here for inbound calls. */
const addUsers = async (line: Line) => {
  const tokens = await Promise.all([0, 1].map(() => line.emulator.issueUserToken({ provider: "tokenx", acr: "idporten-loa-high", expiresIn: "10 minutes" })))
  line.users.push(...tokens)
  line.users.splice(0, Math.max(0, line.users.length - userPopulation))
  line.send({ type: "users", tokens })
}

/** One inbound request as a user's client sends it: nine in ten with a high login (200), one with a lower one (403). */
let inboundCount = 0
const inbound = async (line: Line) => {
  const refused = ++inboundCount % 10 === 0
  const token = refused ? await line.emulator.issueUserToken({ provider: "tokenx", acr: "idporten-loa-substantial" }) : line.users[Math.floor(Math.random() * line.users.length)]
  if (token === undefined) return
  const startedAt = Date.now()
  const status = await fetch(line.inboundUrl, { headers: { authorization: `Bearer ${token}` } }).then((answer) => answer.status, () => 0)
  const expected = refused ? 403 : 200
  line.calls.push(status === expected
    ? { kind: "inbound", ok: true, startedAt, endedAt: Date.now() }
    : { kind: "inbound", ok: false, startedAt, endedAt: Date.now(), error: `status ${status}, expected ${expected}` })
}

/** Applies the fault schedule at `elapsed` ms: restarts once each, 503s and a slow provider while their windows last. */
const restarted = new Set<Window>()
const applyFaults = (elapsed: number) => {
  const active = windows.find((window) => window.fault !== "restart" && elapsed >= window.from && elapsed < window.to)
  for (const line of lines) {
    if (active === undefined) line.emulator.injectRandomly(Fault.status(503), 0)
    else line.emulator.injectRandomly(active.fault === "503" ? Fault.status(503) : Fault.slowProvider("3 seconds"), 1)
  }
  for (const window of windows.filter((w) => w.fault === "restart" && elapsed >= w.from && !restarted.has(w))) {
    restarted.add(window)
    for (const line of lines) void line.emulator.restart("2 seconds")
  }
}

const timers = [
  setInterval(() => applyFaults(Date.now() - started), 250),
  setInterval(() => lines.forEach((line) => void addUsers(line)), 1_000),
  setInterval(() => lines.forEach((line) => void inbound(line)), 100),
  setInterval(() => lines.forEach((line) => line.tally.poll()), 5_000)
]
for (const line of lines) await addUsers(line)

const reportNow = (final: boolean): ReadonlyArray<LineReport> => {
  const elapsed = Math.min(Date.now(), end) - started
  const reports = lines.map((line) => summarise({ name: line.name, started, elapsed, calls: line.calls, samples: line.samples, tally: line.tally, windows, lifetimeSeconds, exchangeCacheEntries, final }))
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, "soak.json"), `${JSON.stringify({ minutes, elapsedMinutes: elapsed / 60_000, windows, lines: reports }, null, 2)}\n`)
  const series = (pick: (line: Line) => ReadonlyArray<readonly [number, number]>) =>
    lines.map((line, index) => ({ name: line.name, colour: index === 0 ? "#1a73e8" : "#e8710a", points: pick(line) }))
  const atMinute = (sample: Sample) => (sample.at - started) / 60_000
  writeFileSync(join(out, "soak.svg"), chart(`effect-texas soak run: ${(elapsed / 60_000).toFixed(1)} minutes, both lines`, [
    { title: "Heap after a collection", unit: "MB", series: series((line) => line.samples.map((s) => [atMinute(s), s.heapMb])) },
    { title: "Resident set size", unit: "MB", series: series((line) => line.samples.map((s) => [atMinute(s), s.rssMb])) },
    { title: "Event-loop delay, p99 per 5 s", unit: "ms", series: series((line) => line.samples.map((s) => [atMinute(s), s.loopDelayP99Ms])) },
    { title: "Open handles", unit: "count", series: series((line) => line.samples.map((s) => [atMinute(s), s.handles])) },
    { title: "Sidecar token requests per minute", unit: "count", series: series((line) => line.tally.perMinute().map(([minute, count]) => [minute + 0.5, count])) }
  ], minutes, windows))
  return reports
}

let minute = 0
while (Date.now() < end) {
  await new Promise((wait) => setTimeout(wait, Math.min(1_000, end - Date.now())))
  const now = Math.floor((Date.now() - started) / 60_000)
  if (now > minute || Date.now() >= end) {
    minute = now
    for (const report of reportNow(false)) console.log(report.line)
  }
}

timers.forEach(clearInterval)
for (const line of lines) line.send({ type: "stop" })
await Promise.all(lines.map((line) => line.stopped))
for (const line of lines) line.tally.poll()
const reports = reportNow(true)
console.log(`\nideal sidecar token requests per key: ${idealRequests(minutes * 60_000, lifetimeSeconds)}; report: ${join(out, "soak.json")}, chart: ${join(out, "soak.svg")}`)
for (const report of reports) console.log(report.line)
const missed = reports.flatMap((report) => targetsMissed(report).map((why) => `${report.name}: ${why}`))
for (const why of missed) console.log(`MISSED ${why}`)
console.log(missed.length === 0 ? "soak: every target met" : `soak: ${missed.length} target(s) missed`)
process.exit(missed.length === 0 ? 0 : 1)
