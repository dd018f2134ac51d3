/**
 * The sidecar's timing and start-up, as the emulator reproduces them:
 * nais/texas `src/http/client.rs` (`Config::token`: up to 4 attempts at the
 * identity provider, no backoff, 2 s each; 5xx, 408 and 429 retried), the
 * upstream errors as `src/handler.rs` reports them (`ApiError::Upstream`
 * passes the provider's status and JSON body through, `ApiError::Json` is
 * `500 server_error`), and `src/http/server.rs` / `src/http/router.rs`
 * (no port until started; the probe listener's `GET /` and `/healthz`).
 */
import { Fault, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { paths, post } from "./support.js"

let emulator: TexasEmulatorHandle
beforeAll(async () => {
  emulator = await startTexasEmulator()
})
afterAll(() => emulator.close())

const asked = { identity_provider: "maskinporten", target: "scope" }

describe.concurrent("a slow identity provider (src/http/client.rs)", () => {
  it("the sidecar answers when its retries do: a provider that keeps it 3 s gives a token after 3 s", async () => {
    const own = await startTexasEmulator()
    try {
      own.inject(Fault.slowProvider("3 seconds"))
      const started = Date.now()
      expect((await post(own, paths.token, asked)).status).toBe(200)
      expect(Date.now() - started).toBeGreaterThanOrEqual(2900)
    } finally {
      await own.close()
    }
  })

  it("beyond its worst case (4 attempts of 2 s) it gives up after 8 s with 500 server_error", async () => {
    const own = await startTexasEmulator()
    try {
      own.inject(Fault.slowProvider("30 seconds"))
      const started = Date.now()
      const answer = await post(own, paths.token, asked)
      expect(Date.now() - started).toBeGreaterThanOrEqual(7900)
      expect(Date.now() - started).toBeLessThan(9500)
      expect(answer).toMatchObject({ status: 500, body: { error: "server_error" } })
      expect(String(answer.body["error_description"])).toMatch(/^Upstream request failed/)
    } finally {
      await own.close()
    }
  }, 15_000)
})

describe("identity provider errors (src/handler.rs ApiError::Upstream and ApiError::Json)", () => {
  it("a JSON error, after the sidecar's retries, comes back with the provider's own status and body", async () => {
    emulator.inject(Fault.providerError(503, { error: "temporarily_unavailable", description: "try later" }))
    expect(await post(emulator, paths.token, asked)).toMatchObject({ status: 503, body: { error: "temporarily_unavailable", error_description: "try later" } })
    emulator.inject(Fault.providerError(400, { error: "invalid_scope", description: "not granted" }))
    expect(await post(emulator, paths.token, asked)).toMatchObject({ status: 400, body: { error: "invalid_scope" } })
  })

  it("an error that is not JSON is 500 server_error", async () => {
    emulator.inject(Fault.providerError(502, { json: false }))
    expect(await post(emulator, paths.token, asked)).toMatchObject({ status: 500, body: { error: "server_error", error_description: expect.stringMatching(/^Failed to parse JSON/) } })
  })

  it("an introspection does not call the provider: it takes the fault and answers as usual", async () => {
    emulator.inject(Fault.providerError(503))
    expect(await post(emulator, paths.introspect, { identity_provider: "tokenx", token: "a.b.c" })).toMatchObject({ status: 200, body: { active: false } })
  })
})

describe("start-up and probes (src/http/server.rs, src/http/router.rs probe)", () => {
  it("no port until started: connections are refused, then served; the probe listener the same", async () => {
    const starting = await startTexasEmulator({ startupDelay: "1 second", probePort: 0 })
    try {
      const refused = await fetch(starting.tokenEndpoint, { method: "POST" }).then(() => "answered", (error: unknown) => (error as { cause?: { code?: string } }).cause?.code)
      expect(refused).toBe("ECONNREFUSED")
      await new Promise((resolve) => setTimeout(resolve, 1300))
      expect((await post(starting, paths.token, asked)).status).toBe(200)
      for (const path of ["/", "/healthz"]) {
        const probe = await fetch(`${starting.probeUrl}${path}`)
        expect([probe.status, await probe.text()]).toEqual([200, "ok"])
      }
      expect((await fetch(`${starting.probeUrl}/api/v1/token`)).status).toBe(404)
    } finally {
      await starting.close()
    }
  })
})
