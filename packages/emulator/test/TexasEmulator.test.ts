import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { request as httpRequest } from "node:http"
import { Fault, startAltinnEmulator, startProtectedApi, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import * as Jose from "jose"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"

// These tests talk to the emulator with plain `fetch`, as any client would:
// no SDK code is involved, so they pin the protocol itself.

const postJson = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })

const postForm = (url: string, fields: Record<string, string>) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() })

const postRaw = (url: string, contentType: string | undefined, body: string) =>
  fetch(url, { method: "POST", headers: contentType === undefined ? {} : { "content-type": contentType }, body })

interface TokenAnswer {
  readonly access_token: string
  readonly expires_in: number
  readonly token_type: string
}

const tokenOf = async (response: Response): Promise<TokenAnswer> => {
  expect(response.status).toBe(200)
  expect(response.headers.get("content-type")).toBe("application/json")
  const body = await response.json() as TokenAnswer
  expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "token_type"])
  return body
}

const maskinporten = (target: string, extra: Record<string, unknown> = {}) => ({
  identity_provider: "maskinporten",
  target,
  ...extra
})

const granted = ["skatt:some.scope", "nav:other/scope", "api://dev-gcp.team.app/.default"]

let emulator: TexasEmulatorHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: granted, enabledProviders: ["maskinporten", "entra_id"] })
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

describe("POST /api/v1/token: success", () => {
  it("issues a signed Maskinporten token for a JSON request", async () => {
    const answer = await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope")))
    expect(answer.token_type).toBe("Bearer")
    expect(answer.expires_in).toBeGreaterThanOrEqual(3598)
    expect(answer.expires_in).toBeLessThanOrEqual(3600)

    const keys = Jose.createRemoteJWKSet(new URL(emulator.jwksUri))
    const { payload, protectedHeader } = await Jose.jwtVerify(answer.access_token, keys)
    expect(protectedHeader.alg).toBe("RS256")
    expect(payload).toMatchObject({
      iss: emulator.issuer("maskinporten"),
      aud: "unspecified",
      scope: "skatt:some.scope",
      client_id: "dev-gcp:team:app",
      consumer: { authority: "iso6523-actorid-upis", ID: "0192:889640782" }
    })
    expect(typeof payload.jti).toBe("string")
    expect(payload.exp! - payload.iat!).toBe(3600)
  })

  it("issues the same for a form-encoded request", async () => {
    const answer = await tokenOf(await postForm(emulator.tokenEndpoint, { identity_provider: "maskinporten", target: "skatt:some.scope" }))
    expect(Jose.decodeJwt(answer.access_token).scope).toBe("skatt:some.scope")
  })

  it("accepts a content type with parameters, as the sidecar's prefix match does", async () => {
    const response = await postRaw(emulator.tokenEndpoint, "application/json; charset=utf-8", JSON.stringify(maskinporten("skatt:some.scope")))
    await tokenOf(response)
  })

  it("puts every scope of a whitespace-separated target in the token", async () => {
    const answer = await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope nav:other/scope")))
    expect(Jose.decodeJwt(answer.access_token).scope).toBe("skatt:some.scope nav:other/scope")
  })

  it("restricts the audience to the resource when one is given", async () => {
    const answer = await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope", { resource: "https://api.example.com/" })))
    expect(Jose.decodeJwt(answer.access_token).aud).toBe("https://api.example.com/")
  })

  it("forwards authorization_details, as a JSON array or a JSON string in a form", async () => {
    const details = [{ type: "urn:altinn:systemuser", systemuser_org: { authority: "iso6523-actorid-upis", ID: "0192:313367002" } }]
    const fromJson = await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope", { authorization_details: details })))
    const fromForm = await tokenOf(await postForm(emulator.tokenEndpoint, {
      identity_provider: "maskinporten",
      target: "skatt:some.scope",
      authorization_details: JSON.stringify(details)
    }))
    expect(Jose.decodeJwt(fromJson.access_token).authorization_details).toEqual(details)
    // Both requests share one cache entry: the key is the decoded value, not its encoding.
    expect(fromForm.access_token).toBe(fromJson.access_token)
  })

  it("issues Entra ID tokens for api://.../.default targets, also under the azuread alias", async () => {
    const entra = await tokenOf(await postJson(emulator.tokenEndpoint, { identity_provider: "entra_id", target: "api://dev-gcp.team.app/.default" }))
    expect(Jose.decodeJwt(entra.access_token)).toMatchObject({ aud: "api://dev-gcp.team.app", iss: emulator.issuer("entra_id"), idtyp: "app" })
    const alias = await tokenOf(await postJson(emulator.tokenEndpoint, { identity_provider: "azuread", target: "api://dev-gcp.team.app/.default" }))
    expect(alias.access_token).toBe(entra.access_token)
  })
})

describe("POST /api/v1/token: the sidecar cache", () => {
  it("answers a repeated request from the cache with the remaining lifetime", async () => {
    const first = await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope")))
    emulator.advance("100 seconds")
    const second = await tokenOf(await postForm(emulator.tokenEndpoint, { identity_provider: "maskinporten", target: "skatt:some.scope" }))
    expect(second.access_token).toBe(first.access_token)
    expect(second.expires_in).toBeLessThanOrEqual(first.expires_in - 100)
    expect(second.expires_in).toBeGreaterThanOrEqual(first.expires_in - 101)
    expect(emulator.stats()).toMatchObject({ tokensIssued: 1, cacheHits: 1, tokenRequests: 2 })
    // The log says which answer came from the cache.
    expect(emulator.requests().filter((request) => request.path === "/api/v1/token").map((request) => request.fromCache)).toEqual([false, true])
  })

  it("keys the cache by provider, target, resource and authorization details", async () => {
    const requests = [
      maskinporten("skatt:some.scope"),
      maskinporten("nav:other/scope"),
      maskinporten("skatt:some.scope", { resource: "https://a.example/" }),
      maskinporten("skatt:some.scope", { authorization_details: [{ type: "x" }] }),
      maskinporten("skatt:some.scope", { skip_cache: false })
    ]
    const tokens = []
    for (const body of requests) tokens.push((await tokenOf(await postJson(emulator.tokenEndpoint, body))).access_token)
    expect(new Set(tokens).size).toBe(4)
    expect(tokens[4]).toBe(tokens[0])
  })

  it("skip_cache drops the entry, fetches a new token and caches that one", async () => {
    const first = await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope")))
    const forced = await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope", { skip_cache: true })))
    const after = await tokenOf(await postForm(emulator.tokenEndpoint, { identity_provider: "maskinporten", target: "skatt:some.scope", skip_cache: "false" }))
    expect(forced.access_token).not.toBe(first.access_token)
    expect(after.access_token).toBe(forced.access_token)
    expect(emulator.stats().tokensIssued).toBe(2)
  })

  it("drops an entry 120 s before the token expires", async () => {
    const first = await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope")))
    emulator.advance("3470 seconds")
    const stillCached = await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope")))
    expect(stillCached.access_token).toBe(first.access_token)
    expect(stillCached.expires_in).toBeGreaterThanOrEqual(120)
    emulator.advance("20 seconds")
    const renewed = await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope")))
    expect(renewed.access_token).not.toBe(first.access_token)
    expect(renewed.expires_in).toBeGreaterThanOrEqual(3598)
  })

  it("drops short-lived tokens at half their lifetime and never returns an expired one", async () => {
    const shortLived = await startTexasEmulator({ tokenLifetime: "100 seconds" })
    try {
      const first = await tokenOf(await postJson(shortLived.tokenEndpoint, maskinporten("skatt:any")))
      expect(first.expires_in).toBeLessThanOrEqual(100)
      shortLived.advance("49 seconds")
      expect((await tokenOf(await postJson(shortLived.tokenEndpoint, maskinporten("skatt:any")))).access_token).toBe(first.access_token)
      shortLived.advance("2 seconds")
      const renewed = await tokenOf(await postJson(shortLived.tokenEndpoint, maskinporten("skatt:any")))
      expect(renewed.access_token).not.toBe(first.access_token)
    } finally {
      await shortLived.close()
    }
  })

  it("coalesces concurrent misses for one key into one token", async () => {
    const slow = await startTexasEmulator({ upstreamLatency: "50 millis" })
    try {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => postJson(slow.tokenEndpoint, maskinporten("skatt:any")).then(tokenOf))
      )
      expect(new Set(answers.map((a) => a.access_token)).size).toBe(1)
      expect(slow.stats()).toMatchObject({ tokensIssued: 1, tokenRequests: 50 })
    } finally {
      await slow.close()
    }
  })
})

describe("POST /api/v1/token: errors as the sidecar gives them", () => {
  const jsonPrefix = "Failed to deserialize the JSON body into the target type: "
  const formPrefix = "Failed to deserialize form body: "
  const providers = "expected one of `azuread`, `entra_id`, `tokenx`, `maskinporten`, `idporten`"

  const cases: ReadonlyArray<{
    readonly name: string
    readonly send: (endpoint: string) => Promise<Response>
    readonly error: string
    readonly description: string
  }> = [
    {
      name: "an unsupported content type",
      send: (e) => postRaw(e, "text/plain", "identity_provider=maskinporten"),
      error: "invalid_request",
      description: "unsupported media type: text/plain: expected one of `application/json`, `application/x-www-form-urlencoded`"
    },
    {
      name: "no content type",
      send: (e) => fetch(e, { method: "POST", body: new Uint8Array([1, 2]) }),
      error: "invalid_request",
      description: "unsupported media type: : expected one of `application/json`, `application/x-www-form-urlencoded`"
    },
    {
      name: "an upper-case content type (the sidecar matches case-sensitively)",
      send: (e) => postRaw(e, "Application/JSON", JSON.stringify(maskinporten("skatt:some.scope"))),
      error: "invalid_request",
      description: "unsupported media type: Application/JSON: expected one of `application/json`, `application/x-www-form-urlencoded`"
    },
    {
      name: "malformed JSON",
      send: (e) => postRaw(e, "application/json", "{\"identity_provider\":"),
      error: "invalid_request",
      description: "Failed to parse the request body as JSON: "
    },
    {
      name: "an empty JSON array (serde's sequence form, too short)",
      send: (e) => postRaw(e, "application/json", "[]"),
      error: "invalid_request",
      description: `${jsonPrefix}invalid length 0, expected struct TokenRequest with 5 elements`
    },
    {
      name: "a missing target",
      send: (e) => postJson(e, { identity_provider: "maskinporten" }),
      error: "invalid_request",
      description: `${jsonPrefix}missing field \`target\``
    },
    {
      name: "a missing identity provider (form)",
      send: (e) => postForm(e, { target: "skatt:some.scope" }),
      error: "invalid_request",
      description: `${formPrefix}missing field \`identity_provider\``
    },
    {
      name: "an unknown identity provider (JSON)",
      send: (e) => postJson(e, { identity_provider: "invalid", target: "x" }),
      error: "invalid_request",
      description: `${jsonPrefix}identity_provider: unknown variant \`invalid\`, ${providers}`
    },
    {
      name: "an unknown identity provider (form)",
      send: (e) => postForm(e, { identity_provider: "invalid", target: "x" }),
      error: "invalid_request",
      description: `${formPrefix}identity_provider: unknown variant \`invalid\`, ${providers}`
    },
    {
      name: "a target that is not a string",
      send: (e) => postJson(e, { identity_provider: "maskinporten", target: 5 }),
      error: "invalid_request",
      description: `${jsonPrefix}target: invalid type: integer \`5\`, expected a string`
    },
    {
      name: "skip_cache that is not a boolean (JSON)",
      send: (e) => postJson(e, maskinporten("skatt:some.scope", { skip_cache: "yes" })),
      error: "invalid_request",
      description: `${jsonPrefix}skip_cache: invalid type: string "yes", expected a boolean`
    },
    {
      name: "skip_cache that is not true or false (form)",
      send: (e) => postForm(e, { identity_provider: "maskinporten", target: "skatt:some.scope", skip_cache: "1" }),
      error: "invalid_request",
      description: `${formPrefix}skip_cache: provided string was not \`true\` or \`false\``
    },
    {
      name: "authorization_details that is an object, not an array",
      send: (e) => postJson(e, maskinporten("skatt:some.scope", { authorization_details: { type: "x" } })),
      error: "invalid_request",
      description: `${jsonPrefix}authorization_details: data did not match any variant of untagged enum RequestValue`
    },
    {
      name: "authorization_details that is not JSON (form)",
      send: (e) => postForm(e, { identity_provider: "maskinporten", target: "skatt:some.scope", authorization_details: "{oops" }),
      error: "invalid_request",
      description: `${formPrefix}authorization_details: failed to parse authorization_details JSON string: `
    },
    {
      name: "a duplicated form field",
      send: (e) => postRaw(e, "application/x-www-form-urlencoded", "identity_provider=maskinporten&target=a&target=b"),
      error: "invalid_request",
      description: `${formPrefix}duplicate field \`target\``
    },
    {
      name: "a provider that is not enabled",
      send: (e) => postJson(e, { identity_provider: "tokenx", target: "cluster:ns:app" }),
      error: "invalid_request",
      description: "identity provider 'tokenx' is not enabled"
    },
    {
      name: "a body over the 2 MiB limit",
      send: (e) => postRaw(e, "application/json", JSON.stringify(maskinporten("x".repeat(3 * 1024 * 1024)))),
      error: "invalid_request",
      description: "Failed to buffer the request body: length limit exceeded"
    },
    {
      name: "a scope the organisation has not been granted",
      send: (e) => postJson(e, maskinporten("skatt:some.scope skatt:secret")),
      error: "invalid_scope",
      description: "Consumer 889640782 has not been granted access to the scope(s): skatt:secret"
    },
    {
      name: "an empty target",
      send: (e) => postJson(e, maskinporten("")),
      error: "invalid_scope",
      description: "Missing scope: the request names no scope"
    },
    {
      name: "a whitespace-only target",
      send: (e) => postForm(e, { identity_provider: "maskinporten", target: " \t " }),
      error: "invalid_scope",
      description: "Missing scope: the request names no scope"
    },
    {
      name: "an Entra ID target without /.default",
      send: (e) => postJson(e, { identity_provider: "entra_id", target: "api://dev-gcp.team.app" }),
      error: "invalid_scope",
      description: "AADSTS1002012: The provided value for scope api://dev-gcp.team.app is not valid. Client credential flows must have a scope value with /.default"
    }
  ]

  for (const testCase of cases) {
    it(`answers 400 ${testCase.error} to ${testCase.name}`, async () => {
      const response = await testCase.send(emulator.tokenEndpoint)
      expect(response.status).toBe(400)
      const body = await response.json() as Record<string, unknown>
      expect(Object.keys(body).sort()).toEqual(["error", "error_description"])
      expect(body["error"]).toBe(testCase.error)
      expect(String(body["error_description"]).startsWith(testCase.description)).toBe(true)
    })
  }

  it("keeps serving tokens after every bad request, and caches none of the failures", async () => {
    for (const testCase of cases) await (await testCase.send(emulator.tokenEndpoint)).arrayBuffer()
    await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope")))
    expect(emulator.stats()).toMatchObject({ tokensIssued: 1, cacheHits: 0 })
  })

  it("says a provider that is enabled but cannot issue machine tokens does not support token requests", async () => {
    const withIdporten = await startTexasEmulator({ enabledProviders: ["maskinporten", "idporten"] })
    try {
      const response = await postJson(withIdporten.tokenEndpoint, { identity_provider: "idporten", target: "x" })
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({
        error: "invalid_request",
        error_description: "identity provider 'idporten' does not support token requests"
      })
    } finally {
      await withIdporten.close()
    }
  })

  it("answers 404 off the API and 405 to another method", async () => {
    expect((await fetch(`${emulator.url}/api/v1/nothing`, { method: "POST" })).status).toBe(404)
    const get = await fetch(emulator.tokenEndpoint)
    expect(get.status).toBe(405)
    expect(get.headers.get("allow")).toBe("POST")
  })

  it("follows grants changed at run time", async () => {
    expect((await postJson(emulator.tokenEndpoint, maskinporten("skatt:new"))).status).toBe(400)
    emulator.grant("skatt:new")
    await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:new")))
    emulator.revoke("skatt:some.scope")
    expect((await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope"))).status).toBe(400)
  })
})

describe("scripted faults", () => {
  it("answers the next N requests with the scripted status and Retry-After, then recovers", async () => {
    emulator.inject(Fault.status(503, { retryAfter: 2 }), 2)
    emulator.inject(Fault.status(429))
    emulator.inject(Fault.status(500))
    const statuses = []
    for (let i = 0; i < 5; i++) {
      const response = await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope"))
      statuses.push([response.status, response.headers.get("retry-after")])
      if (response.status !== 200) expect((await response.json() as { error: string }).error).toBe("server_error")
      else await response.arrayBuffer()
    }
    expect(statuses).toEqual([[503, "2"], [503, "2"], [429, null], [500, null], [200, null]])
    expect(emulator.requests().map((r) => r.fault)).toEqual(["Status", "Status", "Status", "Status", undefined])
  })

  it("drops the connection", async () => {
    emulator.inject(Fault.drop)
    await expect(postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope"))).rejects.toThrow()
    expect(emulator.requests()[0]?.answer).toBe("dropped")
    await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope")))
  })

  it("delays the answer", async () => {
    emulator.inject(Fault.delay("300 millis"))
    const started = performance.now()
    await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope")))
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
  })

  it("answers 200 with a body that is not JSON", async () => {
    emulator.inject(Fault.nonJson)
    const response = await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope"))
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toBe("text/html")
    await expect(response.json()).rejects.toThrow()
  })

  it("truncates the body mid-way", async () => {
    emulator.inject(Fault.truncated)
    const response = await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope"))
    expect(response.status).toBe(200)
    await expect(response.text()).rejects.toThrow()
  })

  it("answers exactly what it is told to", async () => {
    emulator.inject(Fault.respond(200, { access_token: "x", expires_in: 0, token_type: "mac" }))
    const response = await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope"))
    expect(await response.json()).toEqual({ access_token: "x", expires_in: 0, token_type: "mac" })
  })
})

describe("request log and controls", () => {
  it("records each request with its decoded body, content type and time", async () => {
    const before = Date.now()
    await (await postForm(emulator.tokenEndpoint, { identity_provider: "maskinporten", target: "skatt:some.scope", skip_cache: "true" })).arrayBuffer()
    await (await postRaw(emulator.tokenEndpoint, "text/plain", "hi")).arrayBuffer()
    const [form, plain] = emulator.requests()
    expect(form).toMatchObject({
      method: "POST",
      path: "/api/v1/token",
      contentType: "application/x-www-form-urlencoded",
      body: { identity_provider: "maskinporten", target: "skatt:some.scope", skip_cache: "true" },
      answer: 200
    })
    expect(form!.receivedAt.getTime()).toBeGreaterThanOrEqual(before)
    expect(plain).toMatchObject({ contentType: "text/plain", body: undefined, bodyBytes: 2, answer: 400 })
  })

  it("logs the decoded body of a request that got a fault, so retries can be inspected", async () => {
    emulator.inject(Fault.status(503))
    await (await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope", { skip_cache: true }))).arrayBuffer()
    expect(emulator.requests()[0]?.body).toEqual(maskinporten("skatt:some.scope", { skip_cache: true }))
  })

  it("reset forgets requests, counters, faults and the cache", async () => {
    const first = await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope")))
    emulator.inject(Fault.status(500), 3)
    emulator.reset()
    expect(emulator.requests()).toEqual([])
    const second = await tokenOf(await postJson(emulator.tokenEndpoint, maskinporten("skatt:some.scope")))
    expect(second.access_token).not.toBe(first.access_token)
    expect(emulator.stats()).toEqual({
      requests: 1,
      tokenRequests: 1,
      exchangeRequests: 0,
      introspectionRequests: 0,
      tokensIssued: 1,
      cacheHits: 0,
      faults: 0
    })
  })
})

describe("as a command", () => {
  it("prints the NAIS_TOKEN_ENDPOINT to export and serves tokens there", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "packages/testkit/src/bin.ts", "--port", "0", "--grant", "skatt:cli"], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    try {
      const lines = createInterface({ input: child.stdout })
      let endpoint: string | undefined
      for await (const line of lines) {
        const match = /export NAIS_TOKEN_ENDPOINT=(\S+)/.exec(line)
        if (match !== null) {
          endpoint = match[1]
          break
        }
      }
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/token$/)
      await tokenOf(await postJson(endpoint!, maskinporten("skatt:cli")))
      expect((await postJson(endpoint!, maskinporten("skatt:other"))).status).toBe(400)
    } finally {
      child.kill("SIGINT")
    }
  })
})

describe("the command's manners", () => {
  const run = (args: ReadonlyArray<string>) =>
    spawn(process.execPath, ["--import", "tsx", "packages/testkit/src/bin.ts", ...args], { stdio: ["ignore", "pipe", "pipe"] })

  it("names its own flag when it refuses a host beyond loopback, and exits 2", async () => {
    const child = run(["--host", "0.0.0.0"])
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise((resolve) => child.on("close", resolve))
    expect(code).toBe(2)
    expect(stderr.split("\n")[0]).toBe("refusing to listen on 0.0.0.0: the emulator grants tokens to anyone who can reach it; pass --allow-non-loopback to listen beyond loopback")
  })

  it("prints API_URL for --api-port and serves the API there; explains the client id; a reader that goes away ends it quietly", async () => {
    const child = run(["--port", "0", "--api-scope", "skatt:cli", "--api-port", "0", "--grant", "skatt:cli"])
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    const printed: Array<string> = []
    for await (const line of createInterface({ input: child.stdout })) {
      printed.push(line)
      if (line.includes("export API_URL=")) break
    }
    expect(printed.join("\n")).toMatch(/client id: dev-gcp:team:app \(this application's name at every provider, --client-id/)
    const apiUrl = /export API_URL=(\S+)/.exec(printed.at(-1)!)![1]!
    expect((await fetch(`${apiUrl}/`)).status).toBe(401)
    child.stdout.destroy()
    child.kill("SIGINT")
    await new Promise((resolve) => child.on("close", resolve))
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /)
  })
})

/** A GET of `url` whose `Host` header names `host` (as a browser sends after a DNS rebinding), with the status it got. */
const getWithHost = (url: string, host: string) =>
  new Promise<number>((resolve, reject) => {
    const sent = httpRequest(url, { headers: { host } }, (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    sent.on("error", reject)
    sent.end()
  })

describe("loopback hosts only (security review)", () => {
  it("every port the emulator serves answers a non-loopback Host with 421, and loopback names with any port as before", async () => {
    const texas = await startTexasEmulator({ probePort: 0 })
    const api = await startProtectedApi(texas)
    const altinn = await startAltinnEmulator(texas)
    try {
      const port = new URL(texas.url).port
      const urls = [`${texas.url}/api/v1/token`, `${texas.probeUrl!}/healthz`, `${api.url}/`, `${altinn.url}/`]
      for (const url of urls) {
        for (const host of ["evil.example", `evil.example:${port}`, "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.1"]) expect(await getWithHost(url, host)).toBe(421)
        for (const host of [`localhost:${port}`, "LOCALHOST", "127.0.0.1", `127.1.2.3:${port}`, "[::1]", `[::1]:${port}`]) expect(await getWithHost(url, host)).not.toBe(421)
      }
      // The refused requests reached no route: only the six with a loopback Host are in the log.
      expect(texas.requests().filter((request) => request.path === "/api/v1/token")).toHaveLength(6)
    } finally {
      await altinn.close()
      await api.close()
      await texas.close()
    }
  })

  it("allowNonLoopback answers any host, as --allow-non-loopback says", async () => {
    const texas = await startTexasEmulator({ allowNonLoopback: true, probePort: 0 })
    const api = await startProtectedApi(texas, { allowNonLoopback: true })
    try {
      for (const url of [`${texas.url}/api/v1/token`, `${texas.probeUrl!}/healthz`, `${api.url}/`]) expect(await getWithHost(url, "texas.dev.example")).not.toBe(421)
    } finally {
      await api.close()
      await texas.close()
    }
  })
})

describe("bounds (security review)", () => {
  it("refuses to listen beyond loopback unless told to", async () => {
    await expect(startTexasEmulator({ host: "0.0.0.0" })).rejects.toThrow(/allowNonLoopback/)
  })

  it("keeps the most recent issued tokens and cache entries only", async () => {
    const bounded = await startTexasEmulator({ requestLogLimit: 5, cacheLimit: 5 })
    try {
      for (let i = 0; i < 12; i++) await (await postJson(bounded.tokenEndpoint, maskinporten(`skatt:scope.${i}`))).arrayBuffer()
      expect(bounded.issuedTokens()).toHaveLength(5)
      expect(bounded.requests()).toHaveLength(5)
      expect(bounded.stats().tokensIssued).toBe(12)
      // The oldest entry was evicted: asking for it again issues a new token.
      await (await postJson(bounded.tokenEndpoint, maskinporten("skatt:scope.0"))).arrayBuffer()
      expect(bounded.stats()).toMatchObject({ tokensIssued: 13, cacheHits: 0 })
    } finally {
      await bounded.close()
    }
  })

  it("bounds its memory by size, not only by count: fields near Texas's 2 MiB body limit cannot pin memory", async () => {
    // Texas (axum's default body limit, src/handler.rs JsonOrForm: BytesRejection -> 400) takes bodies up to 2 MiB.
    const bounded = await startTexasEmulator()
    try {
      const huge = (i: number) => `skatt:${String(i).padStart(4, "0")}${"x".repeat(1_500_000)}`
      for (let i = 0; i < 46; i++) await (await postJson(bounded.tokenEndpoint, maskinporten(huge(i)))).arrayBuffer()
      expect(bounded.stats().tokensIssued).toBe(46)
      const issuedChars = bounded.issuedTokens().reduce((sum, token) => sum + token.length, 0)
      const loggedBytes = bounded.requests().reduce((sum, request) => sum + request.bodyBytes, 0)
      // 46 requests of 1.5 MB: 69 MB asked; each log keeps at most 64 MiB.
      expect(issuedChars * 2).toBeLessThanOrEqual(64 * 1024 * 1024)
      expect(loggedBytes).toBeLessThanOrEqual(64 * 1024 * 1024)
      expect(bounded.requests().length).toBeLessThan(46)
      // A body over 2 MiB is refused as Texas refuses it.
      const tooLarge = await postJson(bounded.tokenEndpoint, maskinporten(`skatt:${"x".repeat(2 * 1024 * 1024)}`))
      expect(tooLarge.status).toBe(400)
    } finally {
      await bounded.close()
    }
  }, 60_000)

  it("the memory bound holds after every request, not only now and then: 120 form POSTs of 1.5 MB leave the heap within the budget", async () => {
    setFlagsFromString("--expose-gc")
    const gc = runInNewContext("gc") as () => void
    const heap = () => {
      gc()
      return process.memoryUsage().heapUsed
    }
    const bounded = await startTexasEmulator()
    try {
      const before = heap()
      for (let i = 0; i < 120; i++) {
        const target = `skatt:${String(i).padStart(4, "0")}${"x".repeat(1_500_000)}`
        await (await postForm(bounded.tokenEndpoint, { identity_provider: "maskinporten", target })).arrayBuffer()
      }
      expect(bounded.stats().tokensIssued).toBe(120)
      // Three bounded stores of 64 MiB each (the request log, the issued tokens, the sidecar's cache), plus a constant.
      // Before evicted entries were dropped at once, this run left 440 MB live (300 such requests: 1 GB).
      expect(heap() - before).toBeLessThan(3 * 64 * 1024 * 1024 + 32 * 1024 * 1024)
    } finally {
      await bounded.close()
    }
  }, 120_000)
})
