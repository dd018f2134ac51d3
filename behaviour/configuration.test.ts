/// <reference types="vitest/globals" />
/**
 * The same bad configuration fails the same way on both lines, so code that
 * handles it moves across unchanged.
 */
import { driver, failure } from "./setup.js"

describe(`layerConfig (${driver.line})`, () => {
  it("a NAIS_TOKEN_ENDPOINT that is not an http(s) URL is a ConfigError naming the variable", async () => {
    const error = failure(await driver.tokenServiceFromConfig({ NAIS_TOKEN_ENDPOINT: "ftp://127.0.0.1/api/v1/token" }))
    expect(error._tag).toBe("ConfigError")
    expect(error.message).toContain("NAIS_TOKEN_ENDPOINT")
  })

  it("a missing NAIS_TOKEN_ENDPOINT is a ConfigError naming it", async () => {
    const error = failure(await driver.tokenServiceFromConfig({}))
    expect(error._tag).toBe("ConfigError")
    expect(error.message).toContain("NAIS_TOKEN_ENDPOINT")
  })

  it("an http URL builds the layer", async () => {
    expect((await driver.tokenServiceFromConfig({ NAIS_TOKEN_ENDPOINT: "http://127.0.0.1:1/api/v1/token" }))._tag).toBe("Success")
  })
})
