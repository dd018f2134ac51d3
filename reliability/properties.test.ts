/**
 * Property tests (fast-check, as Effect re-exports it) against the emulator:
 * the request encoding carries exactly what was asked in both encodings, and
 * two requests share a client cache entry if and only if the sidecar would
 * answer them with the same token.
 */
import { describe, expect, it } from "@effect/vitest"
import { type TokenRequest, TokenService } from "@effect-texas/core"
import { startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as Effect from "effect/Effect"
import * as fc from "effect/FastCheck"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll } from "vitest"
import { tokensFor } from "./support.js"

let emulator: TexasEmulatorHandle

beforeAll(async () => {
  // Every scope granted: the properties are about encoding and keys, not grants.
  emulator = await startTexasEmulator()
})
afterAll(() => emulator.close())

const tokenOnce = (request: TokenRequest, encoding: "json" | "form" = "json") =>
  Effect.flatMap(TokenService, (tokens) => tokens.token(request)).pipe(Effect.provide(tokensFor(emulator, { encoding })))

/** Round-trips through JSON: what a receiver can see of a value (-0 becomes 0, and so on). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

// ---- the encoding -------------------------------------------------------------

/**
 * A form carries strings: `skip_cache=true` and `authorization_details` as a
 * JSON string, as the protocol says. Reads them back as the values they stand for.
 */
const decodeForm = (body: Readonly<Record<string, unknown>> | undefined, encoding: "json" | "form") => {
  if (encoding === "json" || body === undefined) return body
  const decoded: Record<string, unknown> = { ...body }
  if (body["skip_cache"] === "true") decoded["skip_cache"] = true
  if (typeof body["authorization_details"] === "string") decoded["authorization_details"] = JSON.parse(body["authorization_details"])
  return decoded
}

const scopeArb = fc.stringMatching(/^[a-z][a-z0-9:._/-]{0,15}$/)
const detailsArb = fc.array(
  fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  { minLength: 1, maxLength: 3 }
)
const requestArb = fc.record(
  {
    scopes: fc.uniqueArray(scopeArb, { minLength: 1, maxLength: 4 }),
    asList: fc.boolean(),
    resource: fc.webUrl({ withQueryParameters: true, withFragments: false }),
    authorizationDetails: detailsArb,
    skipCache: fc.boolean()
  },
  { requiredKeys: ["scopes", "asList"] }
)

describe("request encoding (property)", () => {
  for (const encoding of ["json", "form"] as const) {
    it.live(`${encoding}: the emulator receives exactly the protocol's fields with the values asked for`, () =>
      Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(requestArb, async (generated) => {
            emulator.reset()
            const request: TokenRequest = {
              identityProvider: "maskinporten",
              target: generated.asList ? generated.scopes : generated.scopes.join(" "),
              ...(generated.resource === undefined ? {} : { resource: generated.resource }),
              ...(generated.authorizationDetails === undefined ? {} : { authorizationDetails: generated.authorizationDetails }),
              ...(generated.skipCache === undefined ? {} : { skipCache: generated.skipCache })
            }
            await Effect.runPromise(tokenOnce(request, encoding))
            const received = emulator.requests().filter((r) => r.path === "/api/v1/token")
            expect(received).toHaveLength(1)
            const expected: Record<string, unknown> = {
              identity_provider: "maskinporten",
              target: generated.scopes.join(" ")
            }
            if (generated.resource !== undefined) expected["resource"] = generated.resource
            if (generated.authorizationDetails !== undefined) {
              expected["authorization_details"] = asJson(generated.authorizationDetails)
            }
            if (generated.skipCache === true) expected["skip_cache"] = true
            expect(received[0]?.contentType).toBe(encoding === "json" ? "application/json" : "application/x-www-form-urlencoded")
            expect(asJson(decodeForm(received[0]?.body, encoding))).toEqual(expected)
          }),
          { numRuns: 60 }
        )
      ))
  }
})

// ---- the cache key --------------------------------------------------------------

const maskinportenTargets: ReadonlyArray<string | ReadonlyArray<string>> = [
  "skatt:a",
  " skatt:a ",
  ["skatt:a"],
  "skatt:a skatt:b",
  "skatt:a\tskatt:b",
  ["skatt:a", "skatt:b"],
  "skatt:b skatt:a",
  "nav:c"
]
const entraTargets: ReadonlyArray<string | ReadonlyArray<string>> = [
  "api://dev.team.app/.default",
  ["api://dev.team.app/.default"],
  "api://dev.team.other/.default"
]
const resources = [undefined, "https://api.example.com", "https://api.example.com/", "https://other.example.com"]
const details = [
  undefined,
  [],
  [{ type: "urn:altinn:systemuser", id: 1 }],
  [{ id: 1, type: "urn:altinn:systemuser" }],
  [{ type: "urn:altinn:systemuser", id: 2 }]
]

const keyedRequestArb: fc.Arbitrary<TokenRequest> = fc
  .oneof(
    fc.record({ identityProvider: fc.constant("maskinporten" as const), target: fc.constantFrom(...maskinportenTargets) }),
    fc.record({ identityProvider: fc.constantFrom("entra_id" as const, "azuread" as const), target: fc.constantFrom(...entraTargets) })
  )
  .chain((base) =>
    fc.record({ resource: fc.constantFrom(...resources), details: fc.constantFrom(...details) }).map(({ details, resource }) => ({
      ...base,
      ...(resource === undefined ? {} : { resource }),
      ...(details === undefined ? {} : { authorizationDetails: details })
    }))
  )

describe("cache key (property)", () => {
  it.live("two requests share a client cache entry if and only if the sidecar answers both with the same token", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(keyedRequestArb, keyedRequestArb, async (a, b) => {
          // What the sidecar does: two fresh clients (no client cache), one after the other.
          emulator.reset()
          const fromSidecarA = await Effect.runPromise(tokenOnce(a))
          const fromSidecarB = await Effect.runPromise(tokenOnce(b))
          const sameToken = Redacted.value(fromSidecarA.accessToken) === Redacted.value(fromSidecarB.accessToken)

          // What the client does: one service asked for both.
          emulator.reset()
          const shared = await Effect.runPromise(
            Effect.gen(function*() {
              const tokens = yield* TokenService
              const first = yield* tokens.token(a)
              const second = yield* tokens.token(b)
              return first === second && emulator.stats().tokenRequests === 1
            }).pipe(Effect.provide(tokensFor(emulator)))
          )
          expect(shared).toBe(sameToken)
        }),
        { numRuns: 150 }
      )
    ))
})

/** An organisation number type as teams write them: a private field, and `toJSON` for the wire. */
class OrganisationNumber {
  readonly #value: string
  constructor(value: string) {
    this.#value = value
  }
  toJSON() {
    return `0192:${this.#value}`
  }
}

/** Values whose own keys are not what `JSON.stringify` sends. */
const wireOnlyValueArb = fc.oneof(
  fc.constantFrom("111111111", "222222222").map((n) => new OrganisationNumber(n)),
  fc.constantFrom(0, 1).map((s) => new Date(s * 1000)),
  fc.constantFrom("https://a.example/", "https://b.example/").map((u) => new URL(u)),
  fc.constantFrom("x", "y")
)
const wireDetailsArb = fc.array(fc.record({ type: fc.constant("urn:altinn:systemuser"), systemuser_org: wireOnlyValueArb }), { minLength: 1, maxLength: 2 })

describe("cache key from the wire (property)", () => {
  it.live("two requests share a cache entry if and only if their wire bodies are equal (toJSON, Date, URL)", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(wireDetailsArb, wireDetailsArb, async (a, b) => {
          emulator.reset()
          const request = (details: ReadonlyArray<Record<string, unknown>>): TokenRequest => ({
            identityProvider: "maskinporten",
            target: "altinn:scope",
            authorizationDetails: details
          })
          const shared = await Effect.runPromise(
            Effect.gen(function*() {
              const tokens = yield* TokenService
              return (yield* tokens.token(request(a))) === (yield* tokens.token(request(b)))
            }).pipe(Effect.provide(tokensFor(emulator)))
          )
          const bodies = emulator.requests().map((r) => JSON.stringify(r.body?.["authorization_details"]))
          expect(shared).toBe(JSON.stringify(a) === JSON.stringify(b))
          // What went on the wire is what JSON.stringify makes of the details.
          expect(bodies[0]).toBe(JSON.stringify(a))
        }),
        { numRuns: 60 }
      )
    ))

  it.live("system user 222222222 never gets the token issued for 111111111", () =>
    Effect.gen(function*() {
      emulator.reset()
      const tokens = yield* TokenService
      const forOrg = (org: string) =>
        tokens.token({ identityProvider: "maskinporten", target: "altinn:scope", authorizationDetails: [{ type: "urn:altinn:systemuser", systemuser_org: new OrganisationNumber(org) }] })
      const first = yield* forOrg("111111111")
      const second = yield* forOrg("222222222")
      expect(second).not.toBe(first)
      expect(emulator.requests().map((r) => r.body?.["authorization_details"])).toEqual([
        [{ type: "urn:altinn:systemuser", systemuser_org: "0192:111111111" }],
        [{ type: "urn:altinn:systemuser", systemuser_org: "0192:222222222" }]
      ])
    }).pipe(Effect.provide(tokensFor(emulator))))
})
