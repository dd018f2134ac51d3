/**
 * Ported from nais/texas tests/integration/providers_not_enabled.rs (`all_providers`):
 * a sidecar with no provider enabled answers 400 at the token and exchange
 * endpoints and 200 inactive at introspection, naming the provider.
 */
import { type IdentityProvider, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { paths, post } from "./support.js"

let emulator: TexasEmulatorHandle
beforeAll(async () => {
  emulator = await startTexasEmulator({ enabledProviders: [] })
})
afterAll(() => emulator.close())

const providers: ReadonlyArray<IdentityProvider> = ["entra_id", "idporten", "maskinporten", "tokenx"]

describe("providers not enabled (tests/integration/providers_not_enabled.rs)", () => {
  for (const provider of providers) {
    it(`${provider}: token 400, exchange 400, introspect 200 inactive`, async () => {
      const error = { error: "invalid_request", error_description: `identity provider '${provider}' is not enabled` }
      const token = await post(emulator, paths.token, { identity_provider: provider, target: "some_target" })
      expect(token).toMatchObject({ status: 400, body: error })
      const exchange = await post(emulator, paths.exchange, { identity_provider: provider, target: "some_target", user_token: "some_token" })
      expect(exchange).toMatchObject({ status: 400, body: error })
      const introspect = await post(emulator, paths.introspect, { identity_provider: provider, token: "some_token" })
      expect(introspect.status).toBe(200)
      expect(introspect.body).toEqual({ active: false, error: `identity provider '${provider}' is not enabled` })
    })
  }

  it("the azuread alias is reported by its canonical name, entra_id", async () => {
    const introspect = await post(emulator, paths.introspect, { identity_provider: "azuread", token: "some_token" })
    expect(introspect.body).toEqual({ active: false, error: "identity provider 'entra_id' is not enabled" })
  })

  it("one provider enabled leaves the others not enabled", async () => {
    const only = await startTexasEmulator({ enabledProviders: ["maskinporten"] })
    try {
      expect((await post(only, paths.token, { identity_provider: "maskinporten", target: "scope" })).status).toBe(200)
      expect((await post(only, paths.token, { identity_provider: "entra_id", target: "api://x/.default" })).body)
        .toMatchObject({ error_description: "identity provider 'entra_id' is not enabled" })
    } finally {
      await only.close()
    }
  })
})
