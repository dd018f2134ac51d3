/**
 * The emulator's routes for local development, over loopback HTTP: minting users' tokens that
 * its introspection and exchange accept (nais/texas `src/handler/token_introspect.rs`,
 * `token_exchange.rs` decide those as for any token), the page and its state, the fault
 * controls, and what keeps them safe: loopback only, nothing changed through GET, no cross-site
 * request changing anything.
 */
import { spawn } from "node:child_process"
import { request as httpRequest } from "node:http"
import { startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

let emulator: TexasEmulatorHandle
beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: ["nav:a"] })
})
afterAll(() => emulator.close())

const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${emulator.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) })

interface Minted {
  readonly token: string
  readonly fingerprint: string
  readonly claims: Record<string, unknown>
  readonly expires_in: number
}
const mint = async (body: Record<string, unknown>): Promise<Minted> => {
  const response = await postJson("/emulator/api/tokens", body)
  expect(response.status, JSON.stringify(body)).toBe(200)
  return (await response.json()) as Minted
}
const introspect = async (provider: string, token: string) =>
  (await (await postJson("/api/v1/introspect", { identity_provider: provider, token })).json()) as Record<string, unknown>

/** A request with headers fetch will not set (`Host`), and its status. */
const raw = (method: string, path: string, headers: Record<string, string>, body = "") =>
  new Promise<{ readonly status: number; readonly headers: Record<string, unknown>; readonly body: string }>((resolve, reject) => {
    const sent = httpRequest(`${emulator.url}${path}`, { method, headers }, (response) => {
      let text = ""
      response.on("data", (chunk: Buffer) => (text += chunk.toString()))
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }))
    })
    sent.on("error", reject)
    sent.end(body)
  })

describe("minting a user's token (POST /emulator/api/tokens)", () => {
  it("signs each provider's token as it shapes one, which introspection then finds active with those claims", async () => {
    const idporten = await mint({ provider: "idporten", pid: "01010112345", acr: "idporten-loa-substantial" })
    expect(await introspect("idporten", idporten.token)).toMatchObject({ active: true, pid: "01010112345", acr: "idporten-loa-substantial", aud: "dev-gcp:team:app" })
    const tokenx = await mint({ provider: "tokenx", pid: "02020212345", client: "dev-gcp:team:frontend" })
    expect(await introspect("tokenx", tokenx.token)).toMatchObject({ active: true, pid: "02020212345", client_id: "dev-gcp:team:frontend" })
    const entra = await mint({ provider: "entra_id", groups: "g-1, g-2", roles: ["reader"], claims: { NAVident: "Z999999" } })
    expect(await introspect("entra_id", entra.token)).toMatchObject({ active: true, groups: ["g-1", "g-2"], roles: ["reader"], NAVident: "Z999999" })
    const app = await mint({ provider: "entra_id", roles: "access_as_application" })
    expect(await introspect("entra_id", app.token)).toMatchObject({ active: true, idtyp: "app", roles: ["access_as_application"] })
    const partner = await mint({ provider: "maskinporten", scope: "nav:api/read", consumer: "974761076" })
    expect(await introspect("maskinporten", partner.token)).toMatchObject({ active: true, scope: "nav:api/read", consumer: { authority: "iso6523-actorid-upis", ID: "0192:974761076" } })
    // A token is one provider's: another provider's introspection finds it inactive.
    expect(await introspect("tokenx", idporten.token)).toMatchObject({ active: false })
  })

  it("gives the token with its fingerprint, claims and lifetime; the subject, audience and lifetime as asked", async () => {
    const minted = await mint({ provider: "idporten", subject: "user-1", audience: "other-app", expiresIn: 120 })
    expect(minted.claims).toMatchObject({ sub: "user-1", aud: "other-app", iss: emulator.issuer("idporten") })
    expect(minted.expires_in).toBe(120)
    expect(minted.fingerprint).toMatch(/^sha256:[0-9a-f]{12}$/)
    // Another audience than this application's: introspection says inactive, as the sidecar does.
    expect(await introspect("idporten", minted.token)).toMatchObject({ active: false })
  })

  it("mints tokens the exchanges take: TokenX for an ID-porten login, on-behalf-of for an Entra ID one", async () => {
    const idporten = await mint({ provider: "idporten" })
    const tokenx = await postJson("/api/v1/token/exchange", { identity_provider: "tokenx", target: "dev-gcp:team:api", user_token: idporten.token })
    expect(tokenx.status).toBe(200)
    const entra = await mint({ provider: "entra_id", groups: ["g"] })
    const obo = await postJson("/api/v1/token/exchange", { identity_provider: "entra_id", target: "api://dev-gcp.team.api/.default", user_token: entra.token })
    expect(obo.status).toBe(200)
  })

  it("refuses what it cannot mint with a 400 that says why", async () => {
    const refusal = async (body: unknown) => {
      const response = await postJson("/emulator/api/tokens", body)
      expect(response.status).toBe(400)
      return ((await response.json()) as { error_description: string }).error_description
    }
    expect(await refusal({ provider: "google" })).toBe("provider must be one of entra_id, tokenx, maskinporten, idporten")
    expect(await refusal([])).toBe("the body must be a JSON object")
    expect(await refusal({ provider: "idporten", expiresIn: 0 })).toBe("expiresIn must be a number of seconds above 0, at most 86400")
    expect(await refusal({ provider: "idporten", expiresIn: "1h" })).toBe("expiresIn must be a number of seconds above 0, at most 86400")
    expect(await refusal({ provider: "idporten", pid: 123 })).toBe("pid must be a string of at most 4096 characters")
    expect(await refusal({ provider: "entra_id", groups: [1] })).toBe("groups must be a list of strings")
    expect(await refusal({ provider: "entra_id", claims: ["x"] })).toBe("claims must be a JSON object")
    const notJson = await fetch(`${emulator.url}/emulator/api/tokens`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" })
    expect(notJson.status).toBe(400)
  })
})

describe("the page and what it shows (GET /emulator, /emulator/api/state)", () => {
  it("serves the page, its script and style with headers that keep other sites out of it", async () => {
    for (const [path, type] of [["/emulator", "text/html"], ["/emulator/", "text/html"], ["/emulator/page.js", "text/javascript"], ["/emulator/page.css", "text/css"]] as const) {
      const response = await fetch(`${emulator.url}${path}`)
      expect(response.status, path).toBe(200)
      expect(response.headers.get("content-type")).toContain(type)
      expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'")
      expect(response.headers.get("x-frame-options")).toBe("DENY")
      expect(response.headers.get("cache-control")).toBe("no-store")
      expect(response.headers.get("access-control-allow-origin")).toBeNull()
    }
    expect(await (await fetch(emulator.pageUrl)).text()).toContain("<title>Texas emulator</title>")
    expect((await fetch(`${emulator.url}/emulator/nothing`)).status).toBe(404)
  })

  it("logs each request the application made with its provider, target, answer, error, latency and cache, tokens only as fingerprint and claims", async () => {
    emulator.reset()
    const before = (await (await fetch(`${emulator.url}/emulator/api/state`)).json()) as { next: number }
    const granted = await postJson("/api/v1/token", { identity_provider: "maskinporten", target: "nav:a" })
    const { access_token: issued } = (await granted.json()) as { access_token: string }
    await postJson("/api/v1/token", { identity_provider: "maskinporten", target: "nav:a" })
    await postJson("/api/v1/token", { identity_provider: "maskinporten", target: "nav:denied" })
    const user = await mint({ provider: "idporten" })
    await postJson("/api/v1/introspect", { identity_provider: "idporten", token: user.token })
    const text = await (await fetch(`${emulator.url}/emulator/api/state?after=${before.next}`)).text()
    expect(text).not.toContain(issued)
    expect(text).not.toContain(user.token)
    const state = JSON.parse(text) as { entries: Array<Record<string, unknown>>; counters: Record<string, number>; emulator: Record<string, unknown> }
    expect(state.emulator).toMatchObject({ url: emulator.url, grants: ["nav:a"], organisationNumber: "889640782" })
    expect(state.entries.map((entry) => [entry["path"], entry["answer"], entry["error"], entry["fromCache"]])).toEqual([
      ["/api/v1/token", 200, undefined, false],
      ["/api/v1/token", 200, undefined, true],
      ["/api/v1/token", 400, "invalid_scope", undefined],
      ["/api/v1/introspect", 200, undefined, undefined]
    ])
    for (const entry of state.entries) expect(entry["latencyMs"]).toBeGreaterThanOrEqual(0)
    expect(state.entries[0]!["tokens"]).toEqual([{ role: "issued", fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{12}$/), claims: expect.objectContaining({ scope: "nav:a" }) }])
    expect(state.entries[1]!["tokens"]).toEqual(state.entries[0]!["tokens"])
    expect(state.entries[3]!["tokens"]).toEqual([{ role: "presented", fingerprint: user.fingerprint, claims: user.claims }])
    // The page's own requests and mints are not the application's: not logged, not counted.
    expect(state.counters["requests"]).toBe(4)
    expect(emulator.requests()).toHaveLength(4)
    expect(emulator.requests()[3]?.tokens?.[0]?.fingerprint).toBe(user.fingerprint)
  })
})

describe("fault controls (POST /emulator/api/faults)", () => {
  it("queues answers with a status and a slow provider for the application's next requests, and clears them", async () => {
    emulator.reset()
    expect((await postJson("/emulator/api/faults", { fault: "status", status: 503, times: 2 })).status).toBe(200)
    const queued = await postJson("/emulator/api/faults", { fault: "slow", seconds: 1 })
    expect(await queued.json()).toEqual({ pendingFaults: ["Status", "Status", "SlowProvider"] })
    const statuses = []
    for (let i = 0; i < 2; i++) statuses.push((await postJson("/api/v1/token", { identity_provider: "maskinporten", target: "nav:a" })).status)
    expect(statuses).toEqual([503, 503])
    const started = Date.now()
    expect((await postJson("/api/v1/token", { identity_provider: "maskinporten", target: "nav:a" })).status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    await postJson("/emulator/api/faults", { fault: "status", times: 5 })
    expect(await (await postJson("/emulator/api/faults", { fault: "clear" })).json()).toEqual({ pendingFaults: [] })
    expect((await postJson("/api/v1/token", { identity_provider: "maskinporten", target: "nav:a" })).status).toBe(200)
  })

  it("restarts: answers first, then refuses connections for the time asked, then serves again", async () => {
    const other = await startTexasEmulator()
    try {
      const answer = await fetch(`${other.url}/emulator/api/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ fault: "restart", seconds: 1 }) })
      expect(answer.status).toBe(202)
      await new Promise((resolve) => setTimeout(resolve, 100))
      await expect(fetch(`${other.url}/api/v1/token`, { method: "POST" })).rejects.toThrow()
      await new Promise((resolve) => setTimeout(resolve, 1200))
      expect((await fetch(other.pageUrl)).status).toBe(200)
    } finally {
      await other.close()
    }
  })

  it("refuses a fault it does not know, and counts outside their bounds", async () => {
    for (const body of [{ fault: "explode" }, { fault: "status", status: 200 }, { fault: "status", times: 0 }, { fault: "slow", seconds: 0 }, { fault: "restart", seconds: 61 }]) {
      expect((await postJson("/emulator/api/faults", body)).status, JSON.stringify(body)).toBe(400)
    }
  })
})

describe("safe by default", () => {
  it("answers only requests addressed to a loopback name, also with allowNonLoopback", async () => {
    const port = new URL(emulator.url).port
    for (const path of ["/emulator", "/emulator/api/state"]) {
      expect((await raw("GET", path, { host: "evil.example" })).status).toBe(421)
      expect((await raw("GET", path, { host: `localhost:${port}` })).status).toBe(200)
    }
    const open = await startTexasEmulator({ allowNonLoopback: true })
    try {
      const refused = await new Promise<number>((resolve, reject) => {
        const sent = httpRequest(`${open.url}/emulator`, { headers: { host: "evil.example" } }, (response) => {
          response.resume()
          resolve(response.statusCode ?? 0)
        })
        sent.on("error", reject)
        sent.end()
      })
      expect(refused).toBe(421)
    } finally {
      await open.close()
    }
  })

  it("changes nothing through GET, and grants no cross-origin request (no CORS, no preflight)", async () => {
    for (const path of ["/emulator/api/tokens", "/emulator/api/faults"]) {
      const get = await raw("GET", path, { host: new URL(emulator.url).host })
      expect(get.status).toBe(405)
      expect(get.headers["allow"]).toBe("POST")
      const preflight = await raw("OPTIONS", path, { host: new URL(emulator.url).host, origin: "https://evil.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" })
      expect(preflight.status).toBe(405)
      expect(preflight.headers["access-control-allow-origin"]).toBeUndefined()
    }
    expect((await raw("POST", "/emulator/api/state", { host: new URL(emulator.url).host })).status).toBe(405)
  })

  it("refuses a state change a form could send, or one from another site", async () => {
    emulator.reset()
    const host = new URL(emulator.url).host
    const body = JSON.stringify({ fault: "status", times: 3 })
    const tries = [
      { "content-type": "application/x-www-form-urlencoded" },
      { "content-type": "text/plain" },
      { "content-type": "multipart/form-data; boundary=x" },
      { "content-type": "application/json", origin: "https://evil.example" },
      { "content-type": "application/json", origin: "null" },
      { "content-type": "application/json", "sec-fetch-site": "cross-site" },
      { "content-type": "application/json", "sec-fetch-site": "same-site" }
    ]
    for (const headers of tries) expect((await raw("POST", "/emulator/api/faults", { host, ...headers }, body)).status, JSON.stringify(headers)).toBeGreaterThanOrEqual(403)
    expect(((await (await fetch(`${emulator.url}/emulator/api/state`)).json()) as { pendingFaults: Array<string> }).pendingFaults).toEqual([])
    // The page's own request: same origin.
    expect((await raw("POST", "/emulator/api/faults", { host, "content-type": "application/json", origin: `http://${host}`, "sec-fetch-site": "same-origin" }, JSON.stringify({ fault: "clear" }))).status).toBe(200)
  })
})

describe("effect-texas-emulator token <provider>", () => {
  const run = (args: ReadonlyArray<string>, env: Record<string, string | undefined> = {}) =>
    new Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "packages/testkit/src/bin.ts", "token", ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
      child.on("close", (code) => resolve({ code, stdout, stderr }))
    })

  it("prints the token alone, from the emulator its variables name, shaped by the flags", async () => {
    const printed = await run(["maskinporten", "--scope", "nav:api/read", "--consumer", "974761076", "--claim", "extra=[1]", "--claim", "note=hello"], {
      NAIS_TOKEN_INTROSPECTION_ENDPOINT: `${emulator.url}/api/v1/introspect`
    })
    expect(printed.code).toBe(0)
    expect(printed.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
    expect(await introspect("maskinporten", printed.stdout.trim())).toMatchObject({ active: true, scope: "nav:api/read", consumer: { ID: "0192:974761076" }, extra: [1], note: "hello" })
    const byUrl = await run(["idporten", "--url", emulator.url, "--pid", "03030312345", "--expires-in", "60"], { NAIS_TOKEN_INTROSPECTION_ENDPOINT: undefined })
    expect(await introspect("idporten", byUrl.stdout.trim())).toMatchObject({ active: true, pid: "03030312345" })
  })

  it("says so and exits 1 when no emulator answers, 2 on flags it cannot use", async () => {
    const none = await run(["idporten", "--url", "http://127.0.0.1:9"])
    expect(none.code).toBe(1)
    expect(none.stdout).toBe("")
    expect(none.stderr).toMatch(/^No emulator answered at http:\/\/127\.0\.0\.1:9 .*start one with `npx effect-texas-emulator`/)
    const refused = await run(["google", "--url", emulator.url])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toBe(`The emulator at ${emulator.url} did not mint a token: provider must be one of entra_id, tokenx, maskinporten, idporten\n`)
    for (const args of [[], ["idporten", "--nope"], ["idporten", "--expires-in", "soon"], ["idporten", "--claim", "=x"], ["idporten", "--url", "https://example.com"]]) {
      const bad = await run(args)
      expect(bad.code, args.join(" ")).toBe(2)
      expect(bad.stdout).toBe("")
    }
  })
})
