/// <reference types="vitest/globals" />
/**
 * Users' tokens on each line: `TokenExchange` (TokenX, Entra ID on-behalf-of;
 * nais/texas `src/handler.rs` `token_exchange`) and `TokenIntrospection` with
 * its verdict cache (the sidecar's answer is a local JWT check with 60 s of
 * leeway: `src/oauth/token.rs`; what cannot be a JWS it answers inactive from
 * the header, which the SDK does without a request).
 */
import { Fault, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/emulator"
import * as fc from "fast-check"
import * as Jose from "jose"
import type * as D from "./Driver.js"
import { driver, failure, servicesFor, success } from "./setup.js"
import { expectNoTokenIn } from "./assertions.js"

let emulator: TexasEmulatorHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ enabledProviders: ["maskinporten", "entra_id", "tokenx", "idporten"] })
})
afterEach(() => emulator.reset())
afterAll(() => emulator.close())

const withServices = async (options: Omit<D.ServicesOptions, "texasUrl">, body: (services: D.Services) => Promise<void>) => {
  const services = await servicesFor(emulator, options)
  try {
    await body(services)
  } finally {
    await services.close()
  }
}
const userToken = (subject: string, expiresIn = "1 hour") => emulator.issueUserToken({ provider: "idporten", subject, expiresIn })
const toDownstream = (token: string, extra: Partial<D.ExchangeRequestView> = {}): D.ExchangeRequestView => ({
  identityProvider: "tokenx",
  target: "dev-gcp:team:downstream",
  userToken: token,
  ...extra
})
const exchanged = async (services: D.Services, request: D.ExchangeRequestView) => success(await services.exchange(request).run())
const claimsOf = (token: D.TokenView) => Jose.decodeJwt(token.token)
const exchanges = () => emulator.stats().exchangeRequests
const introspections = () => emulator.stats().introspectionRequests

describe(`TokenExchange (${driver.line})`, () => {
  it("exchanges a user's token for one to the target, on the user's behalf", () =>
    withServices({}, async (services) => {
      const token = await exchanged(services, toDownstream(await userToken("user-a")))
      expect(claimsOf(token)).toMatchObject({ sub: "user-a", aud: "dev-gcp:team:downstream", iss: emulator.issuer("tokenx") })
      expect(emulator.requests()[0]?.body).toMatchObject({ identity_provider: "tokenx", target: "dev-gcp:team:downstream" })
      expect(emulator.requests()[0]?.body).not.toHaveProperty("skip_cache")
    }))

  it("caches per user and target; skipCache exchanges anew and is forwarded", () =>
    withServices({}, async (services) => {
      const [a, b] = [await userToken("user-a"), await userToken("user-b")]
      const first = await exchanged(services, toDownstream(a))
      expect((await exchanged(services, toDownstream(a))).token).toBe(first.token)
      expect(exchanges()).toBe(1)
      expect(claimsOf(await exchanged(services, toDownstream(b))).sub).toBe("user-b")
      expect(claimsOf(await exchanged(services, toDownstream(a, { target: "dev-gcp:team:other" }))).aud).toBe("dev-gcp:team:other")
      const forced = await exchanged(services, toDownstream(a, { skipCache: true }))
      expect(emulator.requests().at(-1)?.body).toMatchObject({ skip_cache: true })
      expect((await exchanged(services, toDownstream(a))).token).toBe(forced.token)
      expect(exchanges()).toBe(4)
    }))

  it("200 concurrent exchanges for one user and target share one request", () =>
    withServices({}, async (services) => {
      const a = await userToken("user-a")
      const tokens = await Promise.all(Array.from({ length: 200 }, () => exchanged(services, toDownstream(a))))
      expect(new Set(tokens.map((token) => token.token)).size).toBe(1)
      expect(exchanges()).toBe(1)
    }))

  it("is bounded: past maxEntries the least recently used entry goes", () =>
    withServices({ maxEntries: 2 }, async (services) => {
      const [a, b, c] = [await userToken("a"), await userToken("b"), await userToken("c")]
      for (const user of [a, b, a, c]) await exchanged(services, toDownstream(user)) // c evicts b, the least recently used
      expect(exchanges()).toBe(3)
      await exchanged(services, toDownstream(a))
      expect(exchanges()).toBe(3)
      await exchanged(services, toDownstream(b))
      expect(exchanges()).toBe(4)
    }))

  it("retries a 503; an expired user token fails typed, not retried, never quoting the token", () =>
    withServices({}, async (services) => {
      emulator.inject(Fault.status(503), 2)
      await exchanged(services, toDownstream(await userToken("user-a")))
      expect(exchanges()).toBe(3)
      emulator.reset()
      const expired = await userToken("user-a", "-2 minutes")
      const error = failure(await services.exchange(toDownstream(expired)).run())
      expect(error).toMatchObject({ _tag: "TokenEndpointError", fields: { status: 400, error: "invalid_request", target: "dev-gcp:team:downstream" } })
      expect(error.message).toContain("invalid token: ExpiredSignature")
      expectNoTokenIn(error.printed, [expired])
      expect(exchanges()).toBe(1)
    }))

  const badRequests: ReadonlyArray<readonly [string, D.ExchangeRequestView, string]> = [
    ["maskinporten as provider", toDownstream("eyJ.x.y", { identityProvider: "maskinporten" as "tokenx" }), "identityProvider"],
    ["an empty target", toDownstream("eyJ.x.y", { target: " " }), "target"],
    ["a target with a space", toDownstream("eyJ.x.y", { target: "a b" }), "target"],
    ["a user token with the Bearer prefix", toDownstream("Bearer eyJ.x.y"), "userToken"],
    ["an empty user token", toDownstream(""), "userToken"]
  ]
  for (const [name, request, field] of badRequests) {
    it(`InvalidTokenRequest on ${field} for ${name}, nothing sent`, () =>
      withServices({}, async (services) => {
        const error = failure(await services.exchange(request).run())
        expect(error).toMatchObject({ _tag: "InvalidTokenRequest", fields: { field } })
        expect(error.message).not.toContain("eyJ")
        expect(exchanges()).toBe(0)
      }))
  }

  it("user A never receives a token exchanged for user B (property, concurrent and interleaved)", () =>
    withServices({}, async (services) => {
      const users = await Promise.all([0, 1, 2, 3, 4].map((i) => userToken(`user-${i}`)))
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.constantFrom("dev-gcp:team:one", "dev-gcp:team:two")), { minLength: 1, maxLength: 30 }),
          async (calls) => {
            const results = await Promise.all(
              calls.map(async ([user, target]) => ({ user, target, token: await exchanged(services, { identityProvider: "tokenx", target, userToken: users[user]! }) }))
            )
            for (const { target, token, user } of results) expect(claimsOf(token)).toMatchObject({ sub: `user-${user}`, aud: target })
          }
        ),
        { numRuns: 40 }
      )
    }))
})

describe(`TokenIntrospection (${driver.line})`, () => {
  const introspected = async (services: D.Services, identityProvider: string, token: string) =>
    success(await services.introspect(identityProvider, token).run())

  it("answers active with the claims of a valid token", () =>
    withServices({}, async (services) => {
      const token = await emulator.issueUserToken({ provider: "idporten", subject: "user-a", claims: { pid: "12345678910", custom: [1, 2] } })
      const result = await introspected(services, "idporten", token)
      expect(result.active).toBe(true)
      expect(result.claims).toMatchObject({ sub: "user-a", pid: "12345678910", iss: emulator.issuer("idporten"), custom: [1, 2] })
      expect(typeof result.claims["exp"]).toBe("number")
    }))

  it("answers inactive for expired, tampered, foreign and undecodable tokens, the last without a request", () =>
    withServices({}, async (services) => {
      expect((await introspected(services, "idporten", await userToken("a", "-2 minutes"))).active).toBe(false)
      const valid = await userToken("a")
      expect((await introspected(services, "idporten", `${valid}x`)).active).toBe(false)
      expect((await introspected(services, "tokenx", valid)).active).toBe(false)
      const asked = introspections()
      for (const token of ["x", "a.b", "not a jwt", "a.b.c.d.e", `${"a".repeat(17_000)}.b.c`]) {
        expect((await introspected(services, "idporten", token)).active).toBe(false)
      }
      expect(introspections()).toBe(asked)
    }))

  it("retries a 503; an answer without `active` is an InvalidTokenResponse; an empty token is refused before sending", () =>
    withServices({}, async (services) => {
      emulator.inject(Fault.status(503))
      expect((await introspected(services, "idporten", await userToken("a"))).active).toBe(true)
      expect(introspections()).toBe(2)
      emulator.inject(Fault.respond(200, { sub: "x" }))
      const error = failure(await services.introspect("idporten", await userToken("b")).run())
      expect(error._tag).toBe("InvalidTokenResponse")
      expect(error.message).toContain("active")
      expect(failure(await services.introspect("idporten", " ").run())).toMatchObject({ _tag: "InvalidTokenRequest", fields: { field: "token" } })
      expect(introspections()).toBe(3)
    }))

  it("on the request path: with the sidecar answering 503, at most one retry, and soon", () =>
    withServices({}, async (services) => {
      const token = await userToken("a")
      emulator.inject(Fault.status(503), 10)
      const started = Date.now()
      expect(failure(await services.introspect("idporten", token).run())._tag).toBe("TokenEndpointError")
      expect(introspections()).toBe(2)
      expect(Date.now() - started).toBeLessThan(1_000)
    }))

  it("identical tokens in flight share one request; 200 introspections cost one; the verdict never outlives exp", () =>
    withServices({}, async (services) => {
      const token = await emulator.issueUserToken({ provider: "idporten", expiresIn: "2 seconds" })
      const results = await Promise.all(Array.from({ length: 20 }, () => introspected(services, "idporten", token)))
      expect(results.every((result) => result.active)).toBe(true)
      for (let i = 0; i < 180; i++) expect((await introspected(services, "idporten", token)).active).toBe(true)
      expect(introspections()).toBe(1)
      // Past its exp the verdict is gone: the sidecar is asked again (and, within its 60 s leeway, says active).
      await new Promise((resolve) => setTimeout(resolve, 2100))
      expect((await introspected(services, "idporten", token)).active).toBe(true)
      expect(introspections()).toBe(2)
    }))

  it("inactive verdicts are not kept", () =>
    withServices({}, async (services) => {
      const expired = await userToken("a", "-5 minutes")
      await introspected(services, "idporten", expired)
      await introspected(services, "idporten", expired)
      expect(introspections()).toBe(2)
    }))

  it("cache: false asks every time", () =>
    withServices({ introspectionCache: false }, async (services) => {
      const token = await userToken("a")
      await introspected(services, "idporten", token)
      await introspected(services, "idporten", token)
      expect(introspections()).toBe(2)
    }))

  it("a verdict lives at most maxAge", () =>
    withServices({ introspectionCache: { maxAge: "200 millis" } }, async (services) => {
      const token = await userToken("a")
      await introspected(services, "idporten", token)
      await new Promise((resolve) => setTimeout(resolve, 300))
      await introspected(services, "idporten", token)
      expect(introspections()).toBe(2)
    }))
})
