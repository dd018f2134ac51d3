/**
 * What the SDK's errors and challenges say, as users read them in logs and terminals (both lines
 * take them from here): each message names what went wrong and never a token; the Bearer
 * challenges are RFC 6750's.
 */
import { Access, Bearer, Messages } from "@effect-texas/protocol"
import { describe, expect, it } from "vitest"

describe("Messages", () => {
  it("says what each error means, in the SDK's words", () => {
    expect(Messages.invalidTokenRequest({ field: "target", reason: "is empty" })).toBe("Invalid token request: target: is empty")
    const endpoint = "http://127.0.0.1:7/api/v1/token"
    expect(Messages.tokenEndpointUnreachable({ endpoint, reason: "Timeout", detail: "after 5s" })).toBe(`The token endpoint ${endpoint} did not answer in time: after 5s`)
    expect(Messages.tokenEndpointUnreachable({ endpoint, reason: "Refused", detail: "ECONNREFUSED" })).toBe(
      `The token endpoint ${endpoint} refused the connection: is the sidecar running (it opens its port once started)? ECONNREFUSED`
    )
    expect(Messages.tokenEndpointUnreachable({ endpoint, reason: "Transport", detail: "socket hang up" })).toBe(`The token endpoint ${endpoint} could not be reached: socket hang up`)
    expect(Messages.invalidTokenResponse({ endpoint, status: 200, reason: "no access_token" })).toBe(`The token endpoint ${endpoint} answered 200 without a usable token: no access_token`)
    expect(Messages.tokenEndpointError({ status: 503, error: "temporarily_unavailable", errorDescription: "busy", identityProvider: "maskinporten", target: "a:b" })).toBe(
      "The token endpoint answered 503 temporarily_unavailable: busy"
    )
    expect(Messages.originNotAllowed({ origin: "https://evil.example", allowedOrigins: ["https://a.example", "https://b.example"] })).toBe(
      "Refused to send a token to https://evil.example: it is not one of the allowed origins (https://a.example, https://b.example)"
    )
    expect(Messages.invalidRedirect({ status: 307, reason: "its Location header is not a URL" })).toBe("Cannot follow the 307 redirect: its Location header is not a URL")
    expect(Messages.invalidOrganization({ organization: "123", reason: "it must be exactly nine digits" })).toBe("`123` is not a Norwegian organisation number: it must be exactly nine digits")
    expect(Messages.invalidAccessPolicy({ identityProvider: "maskinporten", reason: "scopes is empty" })).toBe("The inbound policy for maskinporten tokens is not usable: scopes is empty")
    expect(Messages.emulatorCannotListen({ host: "127.0.0.1", port: 8080, cause: new Error("EADDRINUSE") })).toBe("The Texas emulator could not listen on 127.0.0.1:8080: Error: EADDRINUSE")
  })

  it("names each failed check of the doctor, and only those", () => {
    expect(Messages.doctorFailed({
      application: "my-app",
      checks: [
        { ok: false, scope: "nav:x", verdict: "invalid_scope" },
        { ok: true, scope: "nav:y", verdict: "ok" },
        { ok: false, scope: "api://z/.default", verdict: "invalid_grant" }
      ]
    })).toBe("my-app is not set up for its tokens: nav:x (invalid_scope), api://z/.default (invalid_grant)")
  })
})

describe("Bearer", () => {
  it("takes the token of an Authorization header with the Bearer scheme, in any case, one token only", () => {
    expect(Bearer.tokenOf("Bearer abc.def.ghi")).toBe("abc.def.ghi")
    expect(Bearer.tokenOf("bearer abc")).toBe("abc")
    expect(Bearer.tokenOf("BEARER a")).toBe("a")
    for (const header of [undefined, "", "Bearer", "Bearer ", "Bearer  abc", "Bearer a b", "Bearer abc ", " Bearer abc", "Basic abc", "Bearerabc", "xBearer abc", "Bearer a\tb"]) {
      expect(Bearer.tokenOf(header), JSON.stringify(header)).toBeUndefined()
    }
  })

  it("challenges an invalid token, and a token without a required scope, as RFC 6750 does", () => {
    expect(Bearer.challenge("missing bearer token")).toBe("Bearer error=\"invalid_token\", error_description=\"missing bearer token\"")
    expect(Access.forbiddenChallenge({ _tag: "Forbidden", reason: "", missingScopes: ["nav:a", "nav:b"] })).toBe("Bearer error=\"insufficient_scope\", scope=\"nav:a nav:b\"")
    expect(Access.forbiddenChallenge({ _tag: "Forbidden", reason: "another organisation", missingScopes: [] })).toBeUndefined()
  })
})
