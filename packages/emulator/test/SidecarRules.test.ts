/**
 * Three of the sidecar's rules a user's test leans on, over loopback HTTP: its cache key compares
 * `authorization_details` as JSON maps (nais/texas `src/cache.rs` keys on the request with
 * serde_json's sorted maps, so key order does not matter), the identity provider's latency is paid
 * on a miss only, and a token taken as issued elsewhere (`accept`) still expires, with the sidecar's
 * 60 s of leeway (`src/oauth/token.rs`).
 */
import { startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

let emulator: TexasEmulatorHandle
beforeAll(async () => {
  emulator = await startTexasEmulator({ upstreamLatency: 1000 })
})
afterAll(() => emulator.close())

const post = async (path: string, body: unknown) => {
  const started = performance.now()
  const response = await fetch(`${emulator.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  const answer = (await response.json()) as Record<string, unknown>
  return { status: response.status, answer, millis: performance.now() - started }
}
const lastFromCache = () => emulator.requests().at(-1)?.fromCache

describe("the sidecar's cache key", () => {
  it("takes authorization_details with their keys in another order as the same request, and other values as another", async () => {
    emulator.reset()
    const details = (first: Record<string, unknown>) => ({ identity_provider: "maskinporten", target: "nav:a", authorization_details: [first] })
    await post("/api/v1/token", details({ type: "urn:altinn:systemuser", systemuser_org: { authority: "iso6523-actorid-upis", ID: "0192:889640782" } }))
    expect(lastFromCache()).toBe(false)
    await post("/api/v1/token", details({ systemuser_org: { ID: "0192:889640782", authority: "iso6523-actorid-upis" }, type: "urn:altinn:systemuser" }))
    expect(lastFromCache()).toBe(true)
    await post("/api/v1/token", details({ type: "urn:altinn:systemuser", systemuser_org: { authority: "iso6523-actorid-upis", ID: "0192:974761076" } }))
    expect(lastFromCache()).toBe(false)
    await post("/api/v1/token", { identity_provider: "maskinporten", target: "nav:a" })
    expect(lastFromCache()).toBe(false)
    await post("/api/v1/token", { identity_provider: "maskinporten", target: "nav:a", authorization_details: [{ b: [{ y: 1, x: 2 }], a: 1 }] })
    await post("/api/v1/token", { identity_provider: "maskinporten", target: "nav:a", authorization_details: [{ a: 1, b: [{ x: 2, y: 1 }] }] })
    expect(lastFromCache()).toBe(true)
  })
})

describe("the identity provider's latency", () => {
  it("is paid when the sidecar asks the provider, not when it answers from its cache", async () => {
    emulator.reset()
    const miss = await post("/api/v1/token", { identity_provider: "maskinporten", target: "nav:slow" })
    expect(miss.millis).toBeGreaterThanOrEqual(990)
    const hit = await post("/api/v1/token", { identity_provider: "maskinporten", target: "nav:slow" })
    expect(lastFromCache()).toBe(true)
    expect(hit.millis).toBeLessThan(800)
  })
})

describe("a token accepted as issued elsewhere", () => {
  it("is taken until 60 s past its exp, and not a second later", async () => {
    emulator.reset()
    const now = Math.floor(emulator.now() / 1000)
    const token = (exp: number) => `${Buffer.from("{\"alg\":\"none\"}").toString("base64url")}.${Buffer.from(JSON.stringify({ sub: "elsewhere", exp })).toString("base64url")}.`
    const justInside = token(now - 59)
    const justOutside = token(now - 62)
    emulator.accept(justInside, "idporten")
    emulator.accept(justOutside, "idporten")
    expect((await post("/api/v1/introspect", { identity_provider: "idporten", token: justInside })).answer).toMatchObject({ active: true, sub: "elsewhere" })
    expect((await post("/api/v1/introspect", { identity_provider: "idporten", token: justOutside })).answer).toEqual({ active: false, error: "invalid token: ExpiredSignature" })
  })
})
