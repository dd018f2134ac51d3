import { inspect } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { AccessToken } from "@effect-texas/core"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Redacted from "effect/Redacted"

const secret = "eyJhbGciOiJSUzI1NiJ9.secret-payload.signature"

const token = new AccessToken({
  accessToken: Redacted.make(secret),
  tokenType: "Bearer",
  expiresAt: DateTime.unsafeMake(Date.UTC(2026, 10, 25, 12, 0, 0)),
  expiresIn: Duration.seconds(3599)
})

describe("AccessToken", () => {
  it("never shows the token when printed, inspected or serialised", () => {
    for (const shown of [String(token), `${token}`, JSON.stringify(token), inspect(token, { depth: 10 }), JSON.stringify({ nested: [token] })]) {
      expect(shown).not.toContain(secret)
      expect(shown).not.toContain("secret-payload")
    }
    expect(String(token)).toBe("AccessToken(Bearer, expires 2026-11-25T12:00:00.000Z)")
    expect(JSON.parse(JSON.stringify(token))).toEqual({
      _id: "AccessToken",
      accessToken: "<redacted>",
      tokenType: "Bearer",
      expiresAt: "2026-11-25T12:00:00.000Z",
      expiresIn: "59m 59s"
    })
  })

  it("gives the token only through Redacted.value", () => {
    expect(Redacted.value(token.accessToken)).toBe(secret)
  })

  it("compares by value", () => {
    const same = new AccessToken({ ...token })
    expect(same).toStrictEqual(token)
  })
})
