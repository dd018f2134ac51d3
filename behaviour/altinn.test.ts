/// <reference types="vitest/globals" />
/**
 * `AltinnToken`'s platform URL: where the Maskinporten token is sent, so it
 * is taken only as https (http on loopback, as the emulator), without
 * credentials, query or fragment, and never printed with credentials.
 */
import { startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import { driver, failure } from "./setup.js"
import { expectNoTokenIn } from "./assertions.js"

let emulator: TexasEmulatorHandle

beforeAll(async () => {
  emulator = await startTexasEmulator()
})
afterAll(() => emulator.close())

describe(`the Altinn platform URL (${driver.line})`, () => {
  it.each([
    ["http off loopback", "http://platform.example.no", "https"],
    ["credentials in the URL", "https://someone:s3cret-pw@platform.example.no", "user name or password"],
    ["a user name without a password", "https://someone@platform.example.no", "user name or password"],
    ["a password without a user name", "https://:s3cret-pw@platform.example.no", "user name or password"],
    ["a query, which would swallow the exchange path", "https://platform.example.no/?x=1", "no query or fragment"],
    ["a fragment", "https://platform.example.no/#top", "no query or fragment"],
    ["not a URL", "platform.example.no", "not an absolute URL"]
  ])("%s fails the layer with a typed InvalidTokenRequest", async (_case, platformUrl, says) => {
    const built = await driver.services({ texasUrl: emulator.url, altinnPlatformUrl: platformUrl })
    const error = failure(built)
    expect(error._tag).toBe("InvalidTokenRequest")
    expect(error.message).toContain(says)
    expectNoTokenIn(error.printed, ["s3cret-pw"], "the printed forms (the password)")
  })

  it("http on loopback is taken (the emulator's)", async () => {
    const built = await driver.services({ texasUrl: emulator.url, altinnPlatformUrl: "http://127.0.0.1:1" })
    expect(built._tag).toBe("Success")
    if (built._tag === "Success") await built.value.close()
  })
})
