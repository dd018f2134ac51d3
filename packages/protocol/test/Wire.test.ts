/**
 * The sidecar's wire as both lines read and write it: request bodies (nais/texas
 * `src/handler.rs` takes JSON or a form), answers and error bodies (the sidecar's
 * `{error, error_description}`, and a proxy's RFC 9457 `title`/`detail`), which failures are
 * transient, connection failures by their codes, `Retry-After`, and what an error says.
 */
import { Wire } from "@effect-texas/protocol"
import { describe, expect, it } from "vitest"

describe("Wire.encodeFields", () => {
  it("writes JSON, or a form with each value as a string (others as JSON)", () => {
    expect(Wire.encodeFields({ target: "a b", skip_cache: true }, "json")).toEqual({ contentType: "application/json", text: "{\"target\":\"a b\",\"skip_cache\":true}" })
    expect(Wire.encodeFields({ target: "a b", skip_cache: true, details: [{ x: 1 }] }, "form")).toEqual({
      contentType: "application/x-www-form-urlencoded",
      text: "target=a+b&skip_cache=true&details=%5B%7B%22x%22%3A1%7D%5D"
    })
  })
})

describe("Wire.parseJson and parseJsonObject", () => {
  it("reads JSON, and says what else a body was, by its length and kind only", () => {
    expect(Wire.parseJson("[1]")).toEqual({ ok: true, value: [1] })
    expect(Wire.parseJson("{")).toEqual({ ok: false })
    expect(Wire.parseJsonObject("{\"a\":1}")).toEqual({ ok: true, value: { a: 1 } })
    expect(Wire.parseJsonObject("<html>")).toEqual({ ok: false, reason: "the body is not JSON (6 characters)" })
    expect(Wire.parseJsonObject("null")).toEqual({ ok: false, reason: "the body is JSON null, not an object" })
    expect(Wire.parseJsonObject("[]")).toEqual({ ok: false, reason: "the body is JSON an array, not an object" })
    expect(Wire.parseJsonObject("\"s\"")).toEqual({ ok: false, reason: "the body is JSON a string, not an object" })
    expect(Wire.parseJsonObject("1")).toEqual({ ok: false, reason: "the body is JSON a number, not an object" })
  })
})

describe("Wire.errorBody", () => {
  it("reads the sidecar's OAuth error, and a proxy's problem details, with the description when a string", () => {
    expect(Wire.errorBody("{\"error\":\"invalid_scope\",\"error_description\":\"no\"}")).toEqual({ error: "invalid_scope", description: "no" })
    expect(Wire.errorBody("{\"error\":\"server_error\"}")).toEqual({ error: "server_error", description: "" })
    expect(Wire.errorBody("{\"title\":\"Bad Gateway\",\"detail\":\"upstream\"}")).toEqual({ error: "Bad Gateway", description: "upstream" })
    expect(Wire.errorBody("{\"title\":\"Bad Gateway\"}")).toEqual({ error: "Bad Gateway", description: "" })
  })

  it("is nothing it can read for a body of another shape", () => {
    for (const text of ["", "oops", "[]", "{\"error\":1}", "{\"error\":\"x\",\"error_description\":1}", "{\"title\":\"x\",\"detail\":{}}", "{\"message\":\"x\"}"]) {
      expect(Wire.errorBody(text), text).toBeUndefined()
    }
    // An OAuth error with a bad description falls back to problem details when those are good.
    expect(Wire.errorBody("{\"error\":\"x\",\"error_description\":1,\"title\":\"T\"}")).toEqual({ error: "T", description: "" })
  })
})

describe("Wire.isTransientStatus", () => {
  it("is every 5xx, 408 and 429; no other", () => {
    for (const status of [500, 502, 503, 504, 599, 408, 429]) expect(Wire.isTransientStatus(status), String(status)).toBe(true)
    for (const status of [200, 400, 401, 403, 404, 407, 409, 428, 430, 499]) expect(Wire.isTransientStatus(status), String(status)).toBe(false)
  })
})

describe("Wire.isConnectionRefused and isConnectionLost", () => {
  const refused = Object.assign(new Error("connect"), { code: "ECONNREFUSED" })

  it("finds ECONNREFUSED on the error, down its causes, or on every error of an aggregate (IPv4 and IPv6 both refused)", () => {
    expect(Wire.isConnectionRefused(refused)).toBe(true)
    expect(Wire.isConnectionRefused(new TypeError("fetch failed", { cause: refused }))).toBe(true)
    expect(Wire.isConnectionRefused({ cause: { cause: { cause: refused } } })).toBe(true)
    expect(Wire.isConnectionRefused({ cause: { errors: [refused, { code: "ECONNREFUSED" }] } })).toBe(true)
    // An aggregate where one address failed otherwise is not a refusal, nor an empty one.
    expect(Wire.isConnectionRefused({ errors: [refused, { code: "ETIMEDOUT" }] })).toBe(false)
    expect(Wire.isConnectionRefused({ errors: [] })).toBe(false)
    expect(Wire.isConnectionRefused({ code: "ECONNRESET" })).toBe(false)
    for (const value of [undefined, null, "ECONNREFUSED", 1]) expect(Wire.isConnectionRefused(value)).toBe(false)
  })

  it("gives up past eight causes deep, and on a cycle", () => {
    const nested = (depth: number): unknown => (depth === 0 ? refused : { cause: nested(depth - 1) })
    expect(Wire.isConnectionRefused(nested(8))).toBe(true)
    expect(Wire.isConnectionRefused(nested(9))).toBe(false)
    const cycle: Record<string, unknown> = {}
    cycle["cause"] = cycle
    expect(Wire.isConnectionRefused(cycle)).toBe(false)
    const aggregateCycle: Record<string, unknown> = {}
    aggregateCycle["errors"] = [aggregateCycle]
    expect(Wire.isConnectionRefused(aggregateCycle)).toBe(false)
  })

  it("takes a reset, a broken pipe, an aborted connection or undici's closed socket as lost, down the causes", () => {
    for (const code of ["ECONNRESET", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET"]) {
      expect(Wire.isConnectionLost({ code }), code).toBe(true)
      expect(Wire.isConnectionLost(new TypeError("fetch failed", { cause: { code } })), code).toBe(true)
    }
    for (const value of [{ code: "ECONNREFUSED" }, {}, undefined, null, "ECONNRESET"]) expect(Wire.isConnectionLost(value)).toBe(false)
    const nested = (depth: number): unknown => (depth === 0 ? { code: "EPIPE" } : { cause: nested(depth - 1) })
    expect(Wire.isConnectionLost(nested(8))).toBe(true)
    expect(Wire.isConnectionLost(nested(9))).toBe(false)
    const cycle: Record<string, unknown> = {}
    cycle["cause"] = cycle
    expect(Wire.isConnectionLost(cycle)).toBe(false)
  })
})

describe("Wire.retryAfterMillis", () => {
  const now = Date.parse("2026-12-02T12:00:00Z")
  it("reads seconds or an HTTP date, never less than nothing", () => {
    expect(Wire.retryAfterMillis(undefined, now)).toBeUndefined()
    expect(Wire.retryAfterMillis("5", now)).toBe(5000)
    expect(Wire.retryAfterMillis(" 12 ", now)).toBe(12_000)
    expect(Wire.retryAfterMillis("Wed, 02 Dec 2026 12:00:30 GMT", now)).toBe(30_000)
    expect(Wire.retryAfterMillis("Wed, 02 Dec 2026 11:00:00 GMT", now)).toBe(0)
    for (const value of ["soon", "5s", ""]) expect(Wire.retryAfterMillis(value, now), value).toBeUndefined()
  })

  it("reads only whole digits as seconds (a fraction or a sign is not seconds)", () => {
    expect(Wire.retryAfterMillis("1.5", now)).not.toBe(1500)
    expect(Wire.retryAfterMillis("+5", now)).not.toBe(5000)
    expect(Wire.retryAfterMillis("0005", now)).toBe(5000)
  })
})

describe("Wire.describeBody and endpointErrorMessage", () => {
  it("describes a body by its type and length, never its text", () => {
    expect(Wire.describeBody("text/html", "<h1>x</h1>")).toBe("content-type text/html, 10 characters")
    expect(Wire.describeBody(undefined, "")).toBe("content-type (none), 0 characters")
  })

  const error = { status: 400, error: "invalid_scope", errorDescription: "not granted...", identityProvider: "maskinporten", target: "nav:a" }
  it("says the sidecar's error, the description without its closing dots", () => {
    expect(Wire.endpointErrorMessage({ ...error, error: "invalid_request", errorDescription: "bad." })).toBe("The token endpoint answered 400 invalid_request: bad")
    expect(Wire.endpointErrorMessage({ ...error, status: 503, error: "server_error", errorDescription: "a.b" })).toBe("The token endpoint answered 503 server_error: a.b")
  })

  it("says where to look for an invalid_scope: Maskinporten's grants, or the target's inbound policy", () => {
    expect(Wire.endpointErrorMessage(error)).toBe(
      "The token endpoint answered 400 invalid_scope: not granted. The organisation has no access to scope `nav:a`, or the application does not declare it: check spec.maskinporten.scopes.consumes in the application manifest and that the API provider has granted access; scope grants take up to 15 minutes to propagate, so an invalid_scope right after a change may clear by itself."
    )
    expect(Wire.endpointErrorMessage({ ...error, identityProvider: "entra_id", target: "api://x/.default" })).toBe(
      "The token endpoint answered 400 invalid_scope: not granted. The application may not be allowed to call `api://x/.default`: check the target application's inbound access policy; changes take a few minutes to propagate."
    )
  })
})
