/// <reference types="vitest/globals" />
/**
 * The cache engine under interruption: a caller interrupted at any step of
 * its request leaves nothing behind that could hang the next caller, and a
 * caller arriving at any step of another's joins its flight. Each case walks
 * every step of the caller's own fiber (the driver's `runInterruptedAt` /
 * `runJoinedAt`: a step is one run-loop operation) until the call finishes
 * before the step is reached.
 */
import { startAltinnEmulator, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import type * as D from "./Driver.js"
import { driver, servicesFor, sidecarRequests, success, within } from "./setup.js"

let emulator: TexasEmulatorHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: ["skatt:some.scope", "altinn:serviceowner/instances.read"] })
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

/** The most steps a case walks; a request's own fiber finishes well within it (about 60 steps). */
const maxSteps = 1_000

/**
 * For every step `k` of `call` on fresh services: interrupt it there, then ask
 * again; the second ask must get a value (within 5 s) at every `k`. Returns
 * how many steps were walked and at how many of them the interrupted call had
 * already sent its request (its flight went on without it), so a case can
 * check that the walk went past the start of the fetch.
 */
const everyInterruption = async <A>(
  fresh: () => Promise<D.Services>,
  call: (services: D.Services) => D.Call<A>
): Promise<{ readonly steps: number; readonly afterSending: number }> => {
  let afterSending = 0
  for (let step = 1; step <= maxSteps; step++) {
    emulator.reset()
    const services = await fresh()
    try {
      const ended = await call(services).runInterruptedAt(step)
      if (ended === "interrupted" && emulator.requests().length > 0) afterSending++
      const next = await within(5_000, `the call after an interruption at step ${step}`, call(services).run())
      expect(next._tag, `after an interruption at step ${step}`).toBe("Success")
      if (ended === "finished") return { steps: step, afterSending }
    } finally {
      await services.close()
    }
  }
  throw new Error(`the call did not finish within ${maxSteps} steps`)
}

describe(`interruption at every step (${driver.line})`, () => {
  const maskinporten = { identityProvider: "maskinporten", target: "skatt:some.scope" } as const

  it("TokenService.token: the key never hangs, whichever step the first caller is interrupted at", async () => {
    const walked = await everyInterruption(() => servicesFor(emulator), (services) => services.token(maskinporten))
    // The walk went past the start of the fetch: some interruptions came after the request was sent.
    expect(walked.afterSending).toBeGreaterThan(0)
  })

  it("TokenExchange.exchange: the key never hangs", async () => {
    const userToken = await emulator.issueUserToken({ provider: "tokenx" })
    const walked = await everyInterruption(
      () => servicesFor(emulator),
      (services) => services.exchange({ identityProvider: "tokenx", target: "dev-gcp:team:downstream", userToken })
    )
    expect(walked.afterSending).toBeGreaterThan(0)
  })

  it("TokenIntrospection.introspect (the verdict cache): the token never hangs", async () => {
    const userToken = await emulator.issueUserToken({ provider: "idporten" })
    const walked = await everyInterruption(() => servicesFor(emulator), (services) => services.introspect("idporten", userToken))
    expect(walked.afterSending).toBeGreaterThan(0)
  })

  it("AltinnToken.token: the key never hangs", async () => {
    const altinn = await startAltinnEmulator(emulator)
    try {
      const walked = await everyInterruption(
        () => servicesFor(emulator, { altinnPlatformUrl: altinn.url }),
        (services) => services.altinnToken!("altinn:serviceowner/instances.read")
      )
      expect(walked.afterSending).toBeGreaterThan(0)
    } finally {
      await altinn.close()
    }
  })
})

describe(`a caller arriving at any step of another's (${driver.line})`, () => {
  it("joins its flight or takes its stored value: one request to the sidecar in all, never two", async () => {
    const request = { identityProvider: "maskinporten", target: "skatt:some.scope" } as const
    // How many steps found the first caller still in flight: at least one must, or nothing joined.
    let inFlight = 0
    for (let step = 1; step <= maxSteps; step++) {
      emulator.reset()
      const services = await servicesFor(emulator)
      try {
        const joined = await within(5_000, `two callers, the second at step ${step}`, services.token(request).runJoinedAt(step))
        const [first, second] = joined.outcomes
        expect(success(second).token).toBe(success(first).token)
        expect(sidecarRequests(emulator, "/api/v1/token").all, `second caller at step ${step}`).toBe(1)
        // The first finished before this step: every later step is the same case.
        if (!joined.reached) break
        inFlight++
      } finally {
        await services.close()
      }
    }
    expect(inFlight, "steps at which the second caller found the first in flight").toBeGreaterThan(0)
  })
})
