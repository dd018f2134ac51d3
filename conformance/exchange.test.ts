/**
 * `POST /api/v1/token/exchange`, ported from nais/texas tests/integration/token_exchange.rs
 * and src/handler/token_exchange.rs: cached per (provider, target, user token),
 * `skip_cache`, coalesced concurrent requests, the refusals.
 */
import { startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as Jose from "jose"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { happyToken, paths, post } from "./support.js"

let emulator: TexasEmulatorHandle
beforeAll(async () => {
  emulator = await startTexasEmulator()
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

const exchange = (fields: Record<string, unknown>, format: "json" | "form" = "json") =>
  happyToken(emulator, fields, format, paths.exchange)

const cases = [
  ["entra_id", "api://dev-gcp.team.app/.default", "api://dev-gcp.team.other/.default"],
  ["tokenx", "dev-gcp:team:app", "different_target"]
] as const

describe("token_exchange_token (token_exchange.rs)", () => {
  for (const format of ["form", "json"] as const) {
    for (const [provider, target, different] of cases) {
      it(`${provider}, ${format}: per target and user, cached, skip_cache renews, the user kept`, async () => {
        const user = await emulator.issueUserToken({ provider: provider === "tokenx" ? "idporten" : "entra_id", subject: "the-user" })
        const first = await exchange({ identity_provider: provider, target, user_token: user }, format)
        const otherTarget = await exchange({ identity_provider: provider, target: different, user_token: user }, format)
        expect(otherTarget.accessToken).not.toBe(first.accessToken)
        const user2 = await emulator.issueUserToken({ provider: provider === "tokenx" ? "idporten" : "entra_id", subject: "the-user" })
        expect((await exchange({ identity_provider: provider, target, user_token: user2 }, format)).accessToken).not.toBe(first.accessToken)
        expect((await exchange({ identity_provider: provider, target, user_token: user }, format)).accessToken).toBe(first.accessToken)
        const third = await exchange({ identity_provider: provider, target, user_token: user, skip_cache: format === "json" ? true : "true" }, format)
        expect(third.accessToken).not.toBe(first.accessToken)
        expect(Jose.decodeJwt(third.accessToken).sub).toBe("the-user")
      })
    }
  }

  it("a token exchanged to this application introspects active (its client id is the audience)", async () => {
    const user = await emulator.issueUserToken({ provider: "idporten" })
    const token = await exchange({ identity_provider: "tokenx", target: emulator.clientId("tokenx"), user_token: user })
    expect((await post(emulator, paths.introspect, { identity_provider: "tokenx", token: token.accessToken })).body).toMatchObject({ active: true })
  })

  it("test_token_exchange_missing_or_empty_user_token", async () => {
    const answer = await post(emulator, paths.exchange, { identity_provider: "entra_id", target: "target", user_token: "" })
    expect(answer).toMatchObject({ status: 400, body: { error: "invalid_request", error_description: "invalid request: missing or empty assertion parameter" } })
  })

  it("test_token_exchange_unsupported_identity_provider (idporten, maskinporten)", async () => {
    for (const provider of ["idporten", "maskinporten"]) {
      expect(await post(emulator, paths.exchange, { identity_provider: provider, target: "some_target", user_token: "some_token" })).toMatchObject({
        status: 400,
        body: { error: "invalid_request", error_description: `identity provider '${provider}' does not support token exchange` }
      })
    }
  })

  it("token_exchange_concurrent_requests_are_coalesced", async () => {
    const slow = await startTexasEmulator({ upstreamLatency: "50 millis" })
    try {
      const user = await slow.issueUserToken({ provider: "entra_id" })
      const fields = { identity_provider: "entra_id", target: "api://dev-gcp.team.app/.default", user_token: user }
      const answers = await Promise.all(Array.from({ length: 10 }, () => happyToken(slow, fields, "json", paths.exchange)))
      expect(new Set(answers.map((a) => a.accessToken)).size).toBe(1)
      expect(slow.stats().tokensIssued).toBe(1)
    } finally {
      await slow.close()
    }
  })

  it("a missing user_token field is serde's missing field", async () => {
    const answer = await post(emulator, paths.exchange, { identity_provider: "tokenx", target: "x" })
    expect(answer.body["error_description"]).toBe("Failed to deserialize the JSON body into the target type: missing field `user_token` at line 1 column 43")
  })
})
