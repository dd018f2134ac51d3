import { startProtectedApi, startTexasEmulator, type ProtectedApiHandle, type TexasEmulatorHandle } from "@effect-texas/emulator"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"

let emulator: TexasEmulatorHandle
let api: ProtectedApiHandle

const tokenFor = async (target: string): Promise<string> => {
  const response = await fetch(emulator.tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ identity_provider: "maskinporten", target })
  })
  return (await response.json() as { access_token: string }).access_token
}

const call = (token: string | undefined, path = "/api/hello") =>
  fetch(`${api.url}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })

beforeAll(async () => {
  emulator = await startTexasEmulator()
  api = await startProtectedApi(emulator, { requiredScope: "skatt:some.scope" })
})
afterEach(() => {
  emulator.reset()
  api.reset()
})
afterAll(async () => {
  await api.close()
  await emulator.close()
})

describe("ProtectedApi", () => {
  it("answers 401 with a Bearer challenge when no token is sent", async () => {
    const response = await call(undefined)
    expect(response.status).toBe(401)
    expect(response.headers.get("www-authenticate")).toBe("Bearer")
    expect(api.requests()).toMatchObject([{ authorization: "none", answer: 401 }])
  })

  it("accepts a token from the emulator that carries the required scope", async () => {
    const response = await call(await tokenFor("skatt:some.scope other:scope"))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ method: "GET", path: "/api/hello", scope: "skatt:some.scope other:scope" })
    expect(api.requests()[0]).toMatchObject({ authorization: "bearer", authorizationHeaders: 1, answer: 200 })
    expect(typeof api.requests()[0]?.tokenId).toBe("string")
  })

  it("answers 403 insufficient_scope to a valid token without the scope", async () => {
    const response = await call(await tokenFor("nav:other/scope"))
    expect(response.status).toBe(403)
    expect(response.headers.get("www-authenticate")).toContain(`error="insufficient_scope"`)
  })

  it("answers 401 invalid_token to a tampered, a foreign and an expired token", async () => {
    const token = await tokenFor("skatt:some.scope")
    const [header, payload, signature] = token.split(".")
    const tampered = `${header}.${payload}x.${signature}`
    expect((await call(tampered)).status).toBe(401)

    const foreign = await startTexasEmulator()
    try {
      const response = await call(await (async () => {
        const answer = await fetch(foreign.tokenEndpoint, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ identity_provider: "maskinporten", target: "skatt:some.scope" })
        })
        return (await answer.json() as { access_token: string }).access_token
      })())
      expect(response.status).toBe(401)
    } finally {
      await foreign.close()
    }

    emulator.advance("2 hours")
    const expired = await call(token)
    expect(expired.status).toBe(401)
    expect(expired.headers.get("www-authenticate")).toBe(`Bearer error="invalid_token"`)
  })

  it("rejects the next N requests on demand, whatever their token", async () => {
    const token = await tokenFor("skatt:some.scope")
    api.rejectNext(1)
    expect((await call(token)).status).toBe(401)
    expect((await call(token)).status).toBe(200)
    api.rejectNext(1, 403)
    expect((await call(token)).status).toBe(403)
  })

  it("redirects without checking a token", async () => {
    const response = await fetch(`${api.url}/redirect?to=${encodeURIComponent("http://elsewhere.invalid/x")}`, { redirect: "manual" })
    expect(response.status).toBe(302)
    expect(response.headers.get("location")).toBe("http://elsewhere.invalid/x")
  })
})
