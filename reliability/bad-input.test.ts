/**
 * Bad input to the public API and bad answers from the endpoint, one table.
 * Each must end in a typed error naming what was wrong: no defect, no hang,
 * no retry without end, and nothing sent when the input itself is wrong.
 */
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { type TokenRequest, TokenService } from "@effect-texas/core"
import { Fault, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { afterAll, afterEach, beforeAll } from "vitest"
import { tokenRequestCount, tokensFor } from "./support.js"

const scope = "skatt:some.scope"
const valid: TokenRequest = { identityProvider: "maskinporten", target: scope }

let emulator: TexasEmulatorHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: [scope] })
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

/** A request as a caller without types (plain JS, decoded JSON) might build it. */
const loose = (fields: Record<string, unknown>): TokenRequest => ({ ...valid, ...fields }) as unknown as TokenRequest

const circular: Record<string, unknown> = { type: "urn:x" }
circular["self"] = circular

/** Bad requests: each is refused before anything is sent, naming the field and the fault. */
const badRequests: ReadonlyArray<readonly [name: string, request: TokenRequest, field: string, says: RegExp]> = [
  ["an empty target", loose({ target: "" }), "target", /names no scope/],
  ["a whitespace-only target", loose({ target: "   " }), "target", /names no scope/],
  ["a target of tabs and newlines", loose({ target: "\t\n " }), "target", /names no scope/],
  ["an empty list of scopes", loose({ target: [] }), "target", /names no scope/],
  ["a list of blank scopes", loose({ target: ["", "  "] }), "target", /names no scope/],
  ["a scope named twice in a string", loose({ target: "skatt:a skatt:a" }), "target", /skatt:a.*more than once/],
  ["a scope named twice in a list", loose({ target: ["skatt:a", "skatt:a"] }), "target", /more than once/],
  ["a NUL in the target", loose({ target: "skatt:a\u0000" }), "target", /control character/],
  ["a bell character in the target", loose({ target: "skatt:\u0007a" }), "target", /control character/],
  ["a DEL in the target", loose({ target: "skatt:a\u007f" }), "target", /control character/],
  ["a 100 KB target", loose({ target: "s".repeat(100 * 1024) }), "target", /102400 characters long/],
  ["a target that is a number", loose({ target: 42 }), "target", /string or a list/],
  ["a null target", loose({ target: null }), "target", /string or a list/],
  ["a list with a number in it", loose({ target: ["skatt:a", 1] }), "target", /must be a string/],
  ["an empty resource", loose({ resource: "" }), "resource", /is empty/],
  ["a resource with a tab", loose({ resource: "some\tresource" }), "resource", /control character/],
  ["a resource with a newline", loose({ resource: "https://api.example.com/\nx" }), "resource", /control character/],
  ["a resource that is a number", loose({ resource: 8080 }), "resource", /must be a string/],
  ["authorizationDetails as a string", loose({ authorizationDetails: "[{}]" }), "authorizationDetails", /list of objects/],
  ["authorizationDetails as an object", loose({ authorizationDetails: { type: "x" } }), "authorizationDetails", /list of objects/],
  ["authorizationDetails with a number", loose({ authorizationDetails: [1] }), "authorizationDetails", /must be an object/],
  ["authorizationDetails with null", loose({ authorizationDetails: [null] }), "authorizationDetails", /must be an object/],
  ["authorizationDetails with an array entry", loose({ authorizationDetails: [[]] }), "authorizationDetails", /must be an object/],
  ["authorizationDetails that refer to themselves", loose({ authorizationDetails: [circular] }), "authorizationDetails", /cannot be sent as JSON/],
  ["authorizationDetails with a BigInt", loose({ authorizationDetails: [{ n: 1n }] }), "authorizationDetails", /cannot be sent as JSON/],
  ["identity provider tokenx (exchange only)", loose({ identityProvider: "tokenx" }), "identityProvider", /cannot issue machine tokens/],
  ["identity provider idporten", loose({ identityProvider: "idporten" }), "identityProvider", /cannot issue machine tokens/],
  ["an empty identity provider", loose({ identityProvider: "" }), "identityProvider", /cannot issue machine tokens/],
  ["a missing identity provider", loose({ identityProvider: undefined }), "identityProvider", /cannot issue machine tokens/],
  ["skipCache as a string", loose({ skipCache: "yes" }), "skipCache", /true or false/],
  ["a request that is null", null as unknown as TokenRequest, "target", /must be an object/]
]

/** Bad answers: each ends in the named typed error after a bounded number of requests. */
const badAnswers: ReadonlyArray<readonly [name: string, fault: Fault.Fault, error: string, says: RegExp, requests: number]> = [
  ["HTML instead of JSON", Fault.respond(200, "<!doctype html><p>Bad gateway</p>"), "InvalidTokenResponse", /not JSON/, 1],
  ["a 10 MB body", Fault.respond(200, "x".repeat(10 * 1024 * 1024)), "InvalidTokenResponse", /larger than 262144 bytes/, 1],
  ["an empty 200", Fault.respond(200, ""), "InvalidTokenResponse", /not JSON/, 1],
  ["JSON null", Fault.respond(200, "null"), "InvalidTokenResponse", /JSON null, not an object/, 1],
  ["an access_token that is a number", Fault.respond(200, { access_token: 7, expires_in: 60, token_type: "Bearer" }), "InvalidTokenResponse", /access_token/, 1],
  ["expires_in as a string", Fault.respond(200, { access_token: "a.b.c", expires_in: "60", token_type: "Bearer" }), "InvalidTokenResponse", /expires_in/, 1],
  ["a negative expires_in", Fault.respond(200, { access_token: "a.b.c", expires_in: -1, token_type: "Bearer" }), "InvalidTokenResponse", /expires_in/, 1],
  ["an absurd expires_in", Fault.respond(200, { access_token: "a.b.c", expires_in: 1e20, token_type: "Bearer" }), "InvalidTokenResponse", /expires_in/, 1],
  ["token_type mac", Fault.respond(200, { access_token: "a.b.c", expires_in: 60, token_type: "mac" }), "InvalidTokenResponse", /token_type/, 1],
  ["token_type missing", Fault.respond(200, { access_token: "a.b.c", expires_in: 60 }), "InvalidTokenResponse", /token_type/, 1],
  ["a 200 whose JSON is a string", Fault.respond(200, JSON.stringify("eyJ.bare-token.sig")), "InvalidTokenResponse", /^(?!.*bare-token).*JSON a string, not an object/, 1],
  ["a 200 whose JSON is an array", Fault.respond(200, JSON.stringify(["eyJ.bare-token.sig"])), "InvalidTokenResponse", /^(?!.*bare-token).*JSON an array, not an object/, 1],
  ["a 400 whose body is not JSON", Fault.respond(400, "<html>nope</html>"), "TokenEndpointError", /not an OAuth error/, 1],
  ["a 500 whose body is HTML, every time", Fault.respond(500, "<html>oops</html>"), "TokenEndpointError", /not an OAuth error/, 4]
]

const fetchWith = (request: TokenRequest) => Effect.flatMap(TokenService, (tokens) => tokens.token(request))

describe("bad input to the public API", () => {
  it("has at least 30 rows of bad requests and bad answers together", () => {
    expect(badRequests.length + badAnswers.length).toBeGreaterThanOrEqual(30)
  })

  for (const [name, request, field, says] of badRequests) {
    it.effect(`${name}: InvalidTokenRequest on ${field}, nothing sent`, () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(fetchWith(request))
        if (Exit.isSuccess(exit)) return expect.fail("a bad request got a token")
        expect(Cause.isDie(exit.cause)).toBe(false)
        const error = Cause.failureOption(exit.cause)
        expect(error._tag).toBe("Some")
        if (error._tag === "Some") {
          expect(error.value).toMatchObject({ _tag: "InvalidTokenRequest", field })
          expect(error.value.message).toMatch(says)
          // A 100 KB target is named by its length, not echoed back in full.
          expect(error.value.message.length).toBeLessThan(500)
        }
        expect(tokenRequestCount(emulator)).toBe(0)
      }).pipe(Effect.provide(tokensFor(emulator))))
  }
})

describe("bad answers from the endpoint", () => {
  for (const [name, fault, tag, says, requests] of badAnswers) {
    it.live(`${name}: ${tag} after ${requests} request(s)`, () =>
      Effect.gen(function*() {
        emulator.inject(fault, 10)
        const exit = yield* Effect.exit(fetchWith(valid))
        if (Exit.isSuccess(exit)) return expect.fail("a bad answer became a token")
        expect(Cause.isDie(exit.cause)).toBe(false)
        const error = Cause.failureOption(exit.cause)
        if (error._tag === "Some") {
          expect(error.value._tag).toBe(tag)
          expect(error.value.message).toMatch(says)
        }
        expect(tokenRequestCount(emulator)).toBe(requests)
      }).pipe(Effect.provide(tokensFor(emulator))))
  }
})

describe("a bad NAIS_TOKEN_ENDPOINT", () => {
  const cases: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ["unset", {}],
    ["empty", { NAIS_TOKEN_ENDPOINT: "" }],
    ["not a URL", { NAIS_TOKEN_ENDPOINT: "texas:8080" }],
    ["relative", { NAIS_TOKEN_ENDPOINT: "/api/v1/token" }],
    ["ftp", { NAIS_TOKEN_ENDPOINT: "ftp://127.0.0.1/api/v1/token" }],
    ["file", { NAIS_TOKEN_ENDPOINT: "file:///etc/passwd" }]
  ]
  for (const [name, env] of cases) {
    it.effect(`${name}: the layer fails with a ConfigError naming the variable`, () =>
      Effect.gen(function*() {
        const layer = TokenService.layerConfig().pipe(
          Layer.provide(FetchHttpClient.layer),
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
        )
        const exit = yield* Effect.exit(Effect.provide(TokenService, layer))
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isFailure(exit)) {
          expect(Cause.isDie(exit.cause)).toBe(false)
          expect(Cause.pretty(exit.cause)).toContain("NAIS_TOKEN_ENDPOINT")
        }
      }))
  }

  it.effect("an explicit endpoint that is not http(s) fails the layer with InvalidTokenRequest on endpoint", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        fetchWith(valid).pipe(Effect.provide(TokenService.layer({ endpoint: "file:///etc/passwd" }).pipe(Layer.provide(FetchHttpClient.layer))))
      )
      expect(error).toMatchObject({ _tag: "InvalidTokenRequest", field: "endpoint" })
      expect(error.message).toMatch(/http or https/)
    }))
})
