/**
 * The Effect 3 line's own parts of the Altinn package: `systemUser` as an
 * `Either` (yieldable), the layers, and the Altinn emulator's refusals. System
 * users, the exchange and `authenticateAltinn` are pinned for both lines in
 * behaviour/altinn-token.test.ts.
 */
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { AltinnToken, platformUrls, systemUser } from "@effect-texas/altinn"
import { TokenService } from "@effect-texas/core"
import {
  type AltinnEmulatorHandle,
  startAltinnEmulator,
  startTexasEmulator,
  type TexasEmulatorHandle
} from "@effect-texas/testkit"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Jose from "jose"
import { afterAll, afterEach, beforeAll } from "vitest"

const scope = "altinn:serviceowner/instances.read"

let texas: TexasEmulatorHandle
let altinn: AltinnEmulatorHandle

beforeAll(async () => {
  texas = await startTexasEmulator({ grantedScopes: [scope, "altinn:systembruker.demo"] })
  altinn = await startAltinnEmulator(texas)
})
afterEach(() => {
  texas.reset()
  altinn.reset()
})
afterAll(async () => {
  await altinn.close()
  await texas.close()
})

const Tokens = Layer.suspend(() => TokenService.layer({ endpoint: texas.tokenEndpoint }))
const claimsOf = (token: Redacted.Redacted<string>) => Jose.decodeJwt(Redacted.value(token))

describe("systemUser", () => {
  it.effect("is yieldable in Effect.gen, failing with the typed error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.gen(function*() {
        return yield* systemUser({ organization: "123456789" })
      }))
      expect(error._tag).toBe("InvalidOrganizationNumber")
      expect(error.message).toContain("check digit")
    }))
})

describe("AltinnToken", () => {
  it.effect("an expired Maskinporten token is refused by the exchange with 401", () =>
    Effect.promise(async () => {
      const expired = await texas.issueUserToken({ provider: "maskinporten", expiresIn: "-5 minutes", claims: { scope } })
      const response = await fetch(altinn.exchangeEndpoint, { headers: { authorization: `Bearer ${expired}` } })
      expect(response.status).toBe(401)
      const forged = await fetch(altinn.exchangeEndpoint, { headers: { authorization: "Bearer a.b.c" } })
      expect(forged.status).toBe(401)
      const none = await fetch(altinn.exchangeEndpoint)
      expect(none.status).toBe(401)
      expect(altinn.requests().map((r) => r.refusal)).toEqual([expect.stringMatching(/EXPIRED/), expect.any(String), "missing bearer token"])
    }))

})

describe("AltinnToken layers", () => {
  it.effect("layerConfig reads ALTINN_PLATFORM_URL, also as a name", () =>
    Effect.gen(function*() {
      const read = (value: string) =>
        AltinnToken.pipe(
          Effect.flatMap((service) => service.token({ scopes: scope })),
          Effect.provide(AltinnToken.layerConfig().pipe(Layer.provide(Tokens), Layer.provide(FetchHttpClient.layer))),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["ALTINN_PLATFORM_URL", value]])))
        )
      const token = yield* read(altinn.url)
      expect(claimsOf(token.accessToken).iss).toBe(altinn.issuer)
      expect(yield* Effect.flip(read("ftp://altinn.example"))).toMatchObject({ _tag: "InvalidTokenRequest", field: "endpoint" })
      const missing = yield* Effect.flip(
        Effect.provide(AltinnToken, AltinnToken.layerConfig().pipe(Layer.provide(Tokens), Layer.provide(FetchHttpClient.layer))).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
        )
      )
      expect(missing._tag).toBe("ConfigError")
    }))

  it("names the published platforms", () => {
    expect(platformUrls).toEqual({ production: "https://platform.altinn.no", tt02: "https://platform.tt02.altinn.no" })
  })
})
