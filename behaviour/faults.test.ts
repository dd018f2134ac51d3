/// <reference types="vitest/globals" />
/**
 * The fault table, on each line: every fault production brings, injected by
 * the emulator over loopback. Per case: the typed error or the recovery, how
 * many requests the emulator saw (retries are bounded: the default policy's
 * 3, here 10 ms apart), that no expired or malformed token was handed out,
 * and that the same service works again once the fault clears. (The Effect 3
 * line's reliability suite keeps the cases that need its own wiring: a
 * restarted sidecar, the retry budget's arithmetic.)
 */
import { Fault, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import * as Jose from "jose"
import type * as D from "./Driver.js"
import { driver, servicesFor } from "./setup.js"

const scope = "skatt:some.scope"
const request: D.TokenRequestView = { identityProvider: "maskinporten", target: scope }

let emulator: TexasEmulatorHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: [scope] })
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

/** What a case must end in: a token (possibly after retries), or a typed error. */
type Outcome =
  | { readonly _tag: "Recovers" }
  | { readonly _tag: "Fails"; readonly error: string; readonly matching?: Record<string, unknown> }

interface FaultCase {
  readonly name: string
  readonly arrange: (emulator: TexasEmulatorHandle) => void
  readonly outcome: Outcome
  /** Token requests the emulator must have seen for the first call. */
  readonly requests: number
  readonly request?: D.TokenRequestView
}

/** Fails the case unless `token` is one the emulator signed, verifies, and has not expired by the emulator's clock. */
const assertIssuedAndValid = async (token: D.TokenView) => {
  expect(emulator.issuedTokens()).toContain(token.token)
  await Jose.jwtVerify(token.token, Jose.createLocalJWKSet(emulator.jwks), { currentDate: new Date(emulator.now()) })
  expect(token.expiresAtMillis).toBeGreaterThan(emulator.now())
}

const bigBody = JSON.stringify({ access_token: "x".repeat(10 * 1024 * 1024), expires_in: 60, token_type: "Bearer" })

const cases: ReadonlyArray<FaultCase> = [
  { name: "500 once", arrange: (e) => e.inject(Fault.status(500)), outcome: { _tag: "Recovers" }, requests: 2 },
  {
    name: "500 that does not clear",
    arrange: (e) => e.inject(Fault.status(500), 10),
    outcome: { _tag: "Fails", error: "TokenEndpointError", matching: { status: 500, error: "server_error" } },
    requests: 4
  },
  { name: "503 twice", arrange: (e) => e.inject(Fault.status(503), 2), outcome: { _tag: "Recovers" }, requests: 3 },
  {
    name: "503 that does not clear",
    arrange: (e) => e.inject(Fault.status(503), 10),
    outcome: { _tag: "Fails", error: "TokenEndpointError", matching: { status: 503 } },
    requests: 4
  },
  {
    name: "429 with Retry-After: 1",
    arrange: (e) => e.inject(Fault.status(429, { retryAfter: 1 })),
    outcome: { _tag: "Recovers" },
    requests: 2
  },
  { name: "429 without Retry-After", arrange: (e) => e.inject(Fault.status(429)), outcome: { _tag: "Recovers" }, requests: 2 },
  {
    name: "429 with a Retry-After longer than the whole budget",
    arrange: (e) => e.inject(Fault.status(429, { retryAfter: 3600 })),
    outcome: { _tag: "Fails", error: "TokenEndpointError", matching: { status: 429 } },
    requests: 1
  },
  {
    name: "connection reset mid-body",
    arrange: (e) => e.inject(Fault.truncated),
    outcome: { _tag: "Recovers" },
    requests: 2
  },
  {
    name: "connection dropped before any answer, every time",
    arrange: (e) => e.inject(Fault.drop, 10),
    outcome: { _tag: "Fails", error: "TokenEndpointUnreachable", matching: { reason: "Transport" } },
    requests: 4
  },
  {
    name: "an answer slower than the per-attempt timeout, once",
    arrange: (e) => e.inject(Fault.delay("1 second")),
    outcome: { _tag: "Recovers" },
    requests: 2
  },
  {
    name: "a non-JSON 200",
    arrange: (e) => e.inject(Fault.nonJson),
    outcome: { _tag: "Fails", error: "InvalidTokenResponse", matching: { status: 200 } },
    requests: 1
  },
  {
    name: "a truncated 200 (complete HTTP answer, JSON cut short)",
    arrange: (e) => e.inject(Fault.respond(200, "{\"access_token\":\"eyJhbGciOi")),
    outcome: { _tag: "Fails", error: "InvalidTokenResponse" },
    requests: 1
  },
  {
    name: "HTML instead of JSON",
    arrange: (e) => e.inject(Fault.respond(200, "<html><body>Bad gateway</body></html>", { "content-type": "text/html" })),
    outcome: { _tag: "Fails", error: "InvalidTokenResponse" },
    requests: 1
  },
  {
    name: "a 200 with expires_in 0",
    arrange: (e) => e.inject(Fault.respond(200, { access_token: "eyJ.zero.x", expires_in: 0, token_type: "Bearer" })),
    outcome: { _tag: "Fails", error: "InvalidTokenResponse" },
    requests: 1
  },
  {
    name: "a 200 with token_type mac",
    arrange: (e) => e.inject(Fault.respond(200, { access_token: "eyJ.mac.x", expires_in: 60, token_type: "mac" })),
    outcome: { _tag: "Fails", error: "InvalidTokenResponse" },
    requests: 1
  },
  {
    name: "a 10 MB 200",
    arrange: (e) => e.inject(Fault.respond(200, bigBody)),
    outcome: { _tag: "Fails", error: "InvalidTokenResponse" },
    requests: 1
  },
  {
    name: "400 invalid_scope (scope not granted)",
    arrange: () => undefined,
    request: { identityProvider: "maskinporten", target: "skatt:not.granted" },
    outcome: { _tag: "Fails", error: "TokenEndpointError", matching: { status: 400, error: "invalid_scope" } },
    requests: 1
  },
  {
    name: "400 invalid_request",
    arrange: (e) => e.inject(Fault.status(400, { error: "invalid_request", description: "missing field `target`" })),
    outcome: { _tag: "Fails", error: "TokenEndpointError", matching: { status: 400, error: "invalid_request" } },
    requests: 1
  }
]

describe(`faults at the token endpoint (${driver.line})`, () => {
  for (const faultCase of cases) {
    it(faultCase.name, async () => {
      const services = await servicesFor(emulator, { attemptTimeout: "300 millis" })
      try {
        faultCase.arrange(emulator)
        const first = await services.token(faultCase.request ?? request).run()
        const outcome = faultCase.outcome
        if (outcome._tag === "Recovers") {
          if (first._tag !== "Success") expect.fail(`expected a token, got ${JSON.stringify(first)}`)
          else await assertIssuedAndValid(first.value)
        } else if (first._tag !== "Failure") {
          expect.fail(`expected ${outcome.error}, got ${JSON.stringify(first._tag)}`)
        } else {
          expect(first.error._tag).toBe(outcome.error)
          if (outcome.matching !== undefined) expect(first.error.fields).toMatchObject(outcome.matching)
          // The error says what happened without quoting any token the answer carried.
          for (const printed of first.error.printed) expect(printed).not.toMatch(/eyJ/)
        }
        // Retries are bounded: exactly the attempts the policy allows, no more.
        expect(emulator.stats().tokenRequests).toBe(faultCase.requests)

        // The fault cleared: the same service hands out a valid token again.
        emulator.reset()
        const after = await services.token(request).run()
        if (after._tag !== "Success") expect.fail(`expected a token after the fault cleared, got ${JSON.stringify(after)}`)
        else await assertIssuedAndValid(after.value)
      } finally {
        await services.close()
      }
    })
  }
})
