/**
 * What the emulator answers a token request body the sidecar cannot read, in the sidecar's words:
 * axum's JSON extractor over serde (nais/texas `src/handler.rs`, "Failed to deserialize the JSON
 * body into the target type: …"), with serde_json's "invalid type: <kind> `<value>`, expected …"
 * and its position, line and column, of the value it stopped at. A user's test that reads the
 * description sees what production would print.
 */
import { startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

let emulator: TexasEmulatorHandle
beforeAll(async () => {
  emulator = await startTexasEmulator()
})
afterAll(() => emulator.close())

const prefix = "Failed to deserialize the JSON body into the target type: "
const described = async (body: string, path = "/api/v1/token") => {
  const response = await fetch(`${emulator.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body })
  expect(response.status).toBe(400)
  const answer = (await response.json()) as { error: string; error_description: string }
  expect(answer.error).toBe("invalid_request")
  return answer.error_description.startsWith(prefix) ? answer.error_description.slice(prefix.length) : answer.error_description
}

describe("a value of the wrong kind: serde's name for it, and where", () => {
  it("names booleans, integers, floats, sequences, maps and null as serde does", async () => {
    const provider = (value: string) => described(`{"identity_provider": ${value}, "target": "a"}`)
    const expected = "expected enum IdentityProvider at line 1 column"
    expect(await provider("true")).toBe(`identity_provider: invalid type: boolean \`true\`, ${expected} 26`)
    expect(await provider("false")).toBe(`identity_provider: invalid type: boolean \`false\`, ${expected} 27`)
    expect(await provider("1")).toBe(`identity_provider: invalid type: integer \`1\`, ${expected} 23`)
    expect(await provider("1.5")).toBe(`identity_provider: invalid type: floating point \`1.5\`, ${expected} 25`)
    // A container is reported where it opens.
    expect(await provider("[]")).toBe(`identity_provider: invalid type: sequence, ${expected} 22`)
    expect(await provider("{}")).toBe(`identity_provider: invalid type: map, ${expected} 22`)
    expect(await provider("null")).toBe(`identity_provider: invalid type: null, ${expected} 26`)
    expect(await provider("\"x\"")).toBe("identity_provider: unknown variant `x`, expected one of `azuread`, `entra_id`, `tokenx`, `maskinporten`, `idporten` at line 1 column 25")
  })

  it("counts lines and columns in a body over several lines", async () => {
    expect(await described("{\n  \"identity_provider\": \"maskinporten\",\n  \"target\": 5\n}")).toBe("target: invalid type: integer `5`, expected a string at line 3 column 13")
    expect(await described("{\n  \"identity_provider\": \"maskinporten\",\n  \"target\": [1]\n}")).toBe("target: invalid type: sequence, expected a string at line 3 column 12")
    expect(await described("{\n  \"identity_provider\": \"maskinporten\"\n}")).toBe("missing field `target` at line 3 column 1")
    expect(await described("[\n 1, 2\n]")).toBe("invalid length 2, expected struct TokenRequest with 5 elements at line 3 column 1")
  })

  it("names the field of an optional value and of an exchange's token", async () => {
    expect(await described("{\"identity_provider\": \"maskinporten\", \"target\": \"a\", \"skip_cache\": \"yes\"}")).toBe("skip_cache: invalid type: string \"yes\", expected a boolean at line 1 column 72")
    expect(await described("{\"identity_provider\": \"maskinporten\", \"target\": \"a\", \"authorization_details\": {\"a\":1}}")).toBe(
      "authorization_details: data did not match any variant of untagged enum RequestValue at line 1 column 85"
    )
    expect(await described("{\"identity_provider\": \"tokenx\", \"target\": \"a\", \"user_token\": {\"x\": 1}}", "/api/v1/token/exchange")).toBe(
      "user_token: invalid type: map, expected a string at line 1 column 61"
    )
  })

  it("takes a null optional field as absent", async () => {
    const response = await fetch(`${emulator.url}/api/v1/token`, { method: "POST", headers: { "content-type": "application/json" }, body: "{\"identity_provider\": \"maskinporten\", \"target\": \"a\", \"resource\": null}" })
    expect(response.status).toBe(200)
  })
})
