/**
 * Figure 8: the Effect 3 and the Effect 4 line side by side in one process,
 * each on its own Effect runtime, as users install them (the built packages:
 * this script runs with `bench/tsconfig.lines.json`, which maps no package to
 * its sources, so each line resolves its own `effect` and its own
 * `@effect-texas/*`). Alternated rounds, with an A/A control (Effect 3 against
 * itself) on every figure the lines share: the cache hit, the middleware,
 * a warm exchange and a verdict from the verdict cache; prints one JSON line.
 */
import { startTexasEmulator } from "@effect-texas/emulator"
import { makeProbe as makeEffect4Probe } from "../effect4/bench/probe4.js"
import { type Probe, scope } from "./probe.js"
import { makeProbe as makeEffect3Probe } from "./probe3.js"

const quick = process.argv.includes("--quick")
const rounds = quick ? 4 : 12
const hitCalls = quick ? 20_000 : 100_000
const requestCalls = quick ? 2_000 : 5_000

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!

/** Medians per probe of `measure`, in rounds whose order alternates. */
const alternate = async (probes: ReadonlyArray<Probe>, measure: (probe: Probe) => Promise<number>) => {
  const times = probes.map(() => [] as Array<number>)
  for (const probe of probes) await measure(probe) // warm-up
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? probes.map((_, i) => i) : probes.map((_, i) => probes.length - 1 - i)
    for (const i of order) times[i]!.push(await measure(probes[i]!))
  }
  return times.map(median)
}

const emulator = await startTexasEmulator({ grantedScopes: [scope] })
const setup = { texasUrl: emulator.url, userToken: await emulator.issueUserToken({ provider: "tokenx", subject: "bench-user" }) }
const effect3 = await makeEffect3Probe(setup)
const effect3Again = await makeEffect3Probe(setup)
const effect4 = await makeEffect4Probe(setup)
const probes = [effect3, effect4, effect3Again]

const [hit3, hit4, hit3Again] = await alternate(probes, (probe) => probe.cacheHit(hitCalls))
const added = async (probe: Probe) => (await probe.authenticated(requestCalls)) - (await probe.fixedHeader(requestCalls))
const [added3, added4, added3Again] = await alternate(probes, added)
const [fixed3, fixed4] = await alternate([effect3, effect4], (probe) => probe.fixedHeader(requestCalls))
const [exchange3, exchange4, exchange3Again] = await alternate(probes, (probe) => probe.exchangeHit(hitCalls))
const [verdict3, verdict4, verdict3Again] = await alternate(probes, (probe) => probe.verdictHit(hitCalls))

console.log(JSON.stringify({
  rounds,
  hitCalls,
  requestCalls,
  cacheHitNanos: { effect3: hit3, effect4: hit4, effect3Control: hit3Again },
  middlewareAddedNanos: { effect3: added3, effect4: added4, effect3Control: added3Again },
  fixedHeaderRequestNanos: { effect3: fixed3, effect4: fixed4 },
  exchangeHitNanos: { effect3: exchange3, effect4: exchange4, effect3Control: exchange3Again },
  verdictHitNanos: { effect3: verdict3, effect4: verdict4, effect3Control: verdict3Again }
}))
await Promise.all(probes.map((probe) => probe.close()))
await emulator.close()
