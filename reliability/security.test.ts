/**
 * Where tokens may go and where they must never show up.
 *
 * - Origin tricks: the middleware sends the token only to allowed origins,
 *   whatever the spelling of the URL, and after redirects.
 * - Leak scan: the suite's scenarios (successes, hits, forced renewals, 401
 *   replays, every fault, refusals, exchanges and introspections of users'
 *   tokens) run under a capturing logger and tracer;
 *   no token the emulator issued appears in a log line, span, error message or
 *   `JSON.stringify` of any value the SDK hands out.
 */
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Maskinporten, TokenExchange, TokenIntrospection, type TokenRequest, TokenService } from "@effect-texas/core"
import { authenticate } from "@effect-texas/http-client"
import {
  Fault,
  type ProtectedApiHandle,
  startProtectedApi,
  startTexasEmulator,
  type TexasEmulatorHandle
} from "@effect-texas/testkit"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as LogLevel from "effect/LogLevel"
import * as Tracer from "effect/Tracer"
import { afterAll, afterEach, beforeAll } from "vitest"
import { tokensFor } from "./support.js"

const scope = "skatt:some.scope"
const request: TokenRequest = { identityProvider: "maskinporten", target: scope }

let emulator: TexasEmulatorHandle
let api: ProtectedApiHandle
let elsewhere: ProtectedApiHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({
    grantedScopes: [scope],
    enabledProviders: ["maskinporten", "entra_id", "tokenx", "idporten"]
  })
  api = await startProtectedApi(emulator, { requiredScope: scope })
  elsewhere = await startProtectedApi(emulator)
})
afterEach(() => {
  emulator.reset()
  api.reset()
  elsewhere.reset()
})
afterAll(async () => {
  await Promise.all([api.close(), elsewhere.close()])
  await emulator.close()
})

const apiPort = () => new URL(api.url).port
const otherPort = () => new URL(elsewhere.url).port

/** Every way we know to spell "somewhere else", and a few spellings of "here". */
const originCases: ReadonlyArray<readonly [name: string, url: () => string, allowed: boolean]> = [
  ["another origin", () => `${elsewhere.url}/api/hello`, false],
  ["the same host on another port", () => `http://127.0.0.1:${otherPort()}/api/hello`, false],
  ["https instead of http", () => `https://127.0.0.1:${apiPort()}/api/hello`, false],
  ["userinfo that looks like the allowed host", () => `http://127.0.0.1:${apiPort()}@localhost:${otherPort()}/api/hello`, false],
  ["a backslash, which the URL standard reads as a slash (the same origin)", () => `http://127.0.0.1:${apiPort()}\\@localhost:${otherPort()}/api/hello`, true],
  ["a host name for the allowed IP literal", () => `http://localhost:${apiPort()}/api/hello`, false],
  ["an IPv6-mapped spelling of the allowed IP", () => `http://[::ffff:127.0.0.1]:${apiPort()}/api/hello`, false],
  ["the IPv6 loopback", () => `http://[::1]:${apiPort()}/api/hello`, false],
  ["another loopback address", () => `http://127.0.0.2:${apiPort()}/api/hello`, false],
  ["the allowed host as a subdomain of another", () => `http://127.0.0.1.nip.io:${apiPort()}/api/hello`, false],
  ["a protocol-relative URL", () => `//localhost:${otherPort()}/api/hello`, false],
  ["a data: URL", () => "data:text/plain,hello", false],
  ["a file: URL", () => "file:///etc/passwd", false],
  ["upper-case scheme (the same origin)", () => `HTTP://127.0.0.1:${apiPort()}/api/hello`, true],
  ["a decimal IP that the URL standard reads as 127.0.0.1 (the same origin)", () => `http://2130706433:${apiPort()}/api/hello`, true],
  ["a percent-encoded host that decodes to 127.0.0.1 (the same origin)", () => `http://%31%32%37.0.0.1:${apiPort()}/api/hello`, true]
]

const withTokens = <A, E>(effect: Effect.Effect<A, E, TokenService | HttpClient.HttpClient>) =>
  effect.pipe(Effect.provide(tokensFor(emulator)), Effect.provide(FetchHttpClient.layer))

describe("the token goes only to allowed origins", () => {
  for (const [name, url, allowed] of originCases) {
    it.effect(`${name}: ${allowed ? "sent, with the token" : "refused before a token is fetched"}`, () =>
      withTokens(Effect.gen(function*() {
        const client = (yield* HttpClient.HttpClient).pipe(authenticate({ ...request, allowedOrigins: [api.url] }))
        const exit = yield* Effect.exit(client.get(url()))
        if (allowed) {
          expect(Exit.isSuccess(exit)).toBe(true)
          expect(api.requests()).toMatchObject([{ authorization: "bearer" }])
          expect(elsewhere.requests()).toHaveLength(0)
        } else {
          if (Exit.isSuccess(exit)) return expect.fail(`sent to ${url()}`)
          expect(Cause.isDie(exit.cause)).toBe(false)
          const failure = Cause.failureOption(exit.cause)
          expect(failure._tag === "Some" && failure.value._tag).toBe("OriginNotAllowed")
          expect(emulator.stats().tokenRequests).toBe(0)
          expect(elsewhere.requests()).toHaveLength(0)
          expect(api.requests()).toHaveLength(0)
        }
      })))
  }

  for (const [name, follow] of [["fetch follows", 0], ["the middleware follows", 3]] as const) {
    it.effect(`after a redirect to another origin (${name}) no request elsewhere carries the token`, () =>
      Effect.gen(function*() {
        const client = (yield* HttpClient.HttpClient).pipe(
          authenticate({ ...request, allowedOrigins: [api.url], followRedirects: follow })
        )
        for (const status of [301, 302, 303, 307, 308]) {
          const to = encodeURIComponent(`${elsewhere.url}/api/landing`)
          yield* client.get(`${api.url}/redirect?status=${status}&to=${to}`)
        }
        expect(elsewhere.requests().length).toBeGreaterThanOrEqual(5)
        expect(elsewhere.requests().every((r) => r.authorization === "none")).toBe(true)
      }).pipe(Effect.provide(tokensFor(emulator)), Effect.provide(follow === 0 ? FetchHttpClient.layer : NodeHttpClient.layerUndici)))
  }
})

// ---- the leak scan ------------------------------------------------------------------

const captured: Array<string> = []

const capturingLogger = Logger.make(({ annotations, cause, message, spans }) => {
  captured.push(Inspectable.format(message), Cause.pretty(cause), JSON.stringify([...annotations]), JSON.stringify([...spans]))
})

/** What an exporter sends of a span: name, attributes, events, links and a failure's cause. */
const describeSpan = (span: Tracer.Span): string => {
  const exit = span.status._tag === "Ended" ? span.status.exit : undefined
  return JSON.stringify({
    name: span.name,
    attributes: [...span.attributes].map(([key, value]) => [key, Inspectable.format(value)]),
    links: span.links.map((link) => Object.entries(link.attributes)),
    failure: exit !== undefined && Exit.isFailure(exit) ? Cause.pretty(exit.cause) : undefined
  })
}

const recordingTracer = Effect.map(Effect.tracer, (base) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (...args) => {
      const span = base.span(...args)
      spans.push(span)
      const event = span.event.bind(span)
      span.event = (name, startTime, attributes) => {
        captured.push(JSON.stringify({ event: name, attributes: attributes === undefined ? {} : Inspectable.toJSON(attributes) }))
        event(name, startTime, attributes)
      }
      return span
    },
    context: base.context
  })
  return { spans, tracer }
})

/**
 * Records how an SDK value would show up anywhere: printed, serialized or
 * inspected. (Platform requests and responses are logged instead, below: the
 * request as sent holds the Authorization header, which Effect's logger
 * redacts and a bare `JSON.stringify` of the platform's value does not.)
 */
const expose = (value: unknown) => {
  captured.push(String(value), JSON.stringify(value) ?? "", Inspectable.format(value), Inspectable.toStringUnknown(value))
}

describe("no token leaks", () => {
  it.live("the suite's scenarios, under a capturing logger and tracer, never show an issued token", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* recordingTracer
      const scenario = Effect.gen(function*() {
        const tokens = yield* TokenService
        const client = (yield* HttpClient.HttpClient).pipe(authenticate({ ...request, allowedOrigins: [api.url] }))

        // Successes, a hit, a forced renewal.
        const token = yield* tokens.token(request)
        expose(token)
        expose(yield* Maskinporten.token(scope))
        expose(yield* tokens.token({ ...request, skipCache: true }))
        yield* Effect.log("token", token, { token, expiresAt: token.expiresAt })

        // The middleware: a request, a 401 and its replay, a refusal, a redirect.
        const response = yield* client.get(`${api.url}/api/hello`)
        yield* Effect.log("response", response, response.request)
        yield* Effect.logDebug({ request: response.request })
        api.rejectNext(1)
        yield* Effect.log(yield* client.get(`${api.url}/api/hello`))
        api.rejectNext(2)
        yield* Effect.log(yield* client.get(`${api.url}/api/hello`))
        const refused = yield* Effect.flip(client.get(`${elsewhere.url}/x`))
        expose(refused)
        yield* Effect.logWarning(refused)
        yield* Effect.log(yield* client.get(`${api.url}/redirect?to=${encodeURIComponent(`${elsewhere.url}/x`)}`))
        const withHeader = HttpClientRequest.get(`${api.url}/api/hello`).pipe(HttpClientRequest.bearerToken(token.accessToken))
        yield* Effect.logInfo("built by hand", withHeader)

        // Every fault and bad answer, some carrying token-like strings of their own.
        emulator.inject(Fault.respond(200, { access_token: "leak.mac.token", expires_in: 60, token_type: "mac" }))
        emulator.inject(Fault.respond(200, { access_token: "leak.zero.token", expires_in: 0, token_type: "Bearer" }))
        emulator.inject(Fault.respond(200, "{\"access_token\":\"leak.cut.token"))
        emulator.inject(Fault.respond(400, { error: "invalid_request", error_description: "bad" }))
        for (let i = 0; i < 4; i++) {
          const failure = yield* Effect.flip(tokens.token({ ...request, skipCache: true }))
          expose(failure)
          yield* Effect.logError("token failed", failure, Cause.fail(failure))
        }
        emulator.inject(Fault.truncated)
        emulator.inject(Fault.status(503), 2)
        expose(yield* tokens.token({ ...request, skipCache: true }))
        expose(yield* Effect.flip(tokens.token({ ...request, target: "skatt:not.granted" })))
        expose(yield* Effect.flip(tokens.token({ ...request, target: "" })))
        expose(tokens)
        expose(client)

        // Users' tokens: exchange (success, hit, forced, refused) and introspection (active, inactive).
        const exchange = yield* TokenExchange
        const introspection = yield* TokenIntrospection
        const user = Redacted.make(yield* Effect.promise(() => emulator.issueUserToken({ provider: "idporten", subject: "user-a" })))
        const exchanged = yield* exchange.exchange({ identityProvider: "tokenx", target: "dev-gcp:team:downstream", userToken: user })
        expose(exchanged)
        yield* Effect.log("exchanged", exchanged, { user })
        expose(yield* exchange.exchange({ identityProvider: "tokenx", target: "dev-gcp:team:downstream", userToken: user }))
        expose(yield* exchange.exchange({ identityProvider: "tokenx", target: "dev-gcp:team:downstream", userToken: user, skipCache: true }))
        const expiredUser = Redacted.make(yield* Effect.promise(() =>
          emulator.issueUserToken({ provider: "idporten", subject: "user-b", expiresIn: "-2 minutes" })
        ))
        const refusedExchange = yield* Effect.flip(
          exchange.exchange({ identityProvider: "tokenx", target: "dev-gcp:team:downstream", userToken: expiredUser })
        )
        expose(refusedExchange)
        yield* Effect.logError("exchange failed", refusedExchange, Cause.fail(refusedExchange))
        const active = yield* introspection.introspect({ identityProvider: "idporten", token: user })
        expose(active)
        yield* Effect.log("introspected", active)
        const inactive = yield* introspection.introspect({ identityProvider: "idporten", token: expiredUser })
        expose(inactive)
        yield* Effect.log("introspected", inactive)
      })

      yield* scenario.pipe(
        Effect.withSpan("scenario"),
        Effect.provide(
          Layer.mergeAll(
            tokensFor(emulator),
            TokenExchange.layer({ endpoint: `${emulator.url}/api/v1/token/exchange` }),
            TokenIntrospection.layer({ endpoint: `${emulator.url}/api/v1/introspect` })
          ).pipe(Layer.provideMerge(FetchHttpClient.layer))
        ),
        Effect.provide(Logger.replace(Logger.defaultLogger, capturingLogger)),
        Logger.withMinimumLogLevel(LogLevel.All),
        Effect.withTracer(tracer)
      )

      const issued = emulator.issuedTokens()
      // Machine tokens, users' tokens and exchanged tokens alike.
      expect(issued.length).toBeGreaterThanOrEqual(8)
      const everything = [...captured, ...spans.map(describeSpan)].join("\n")
      // The scan sees what was logged and traced: otherwise it proves nothing.
      expect(everything).toContain(scope)
      expect(spans.some((span) => span.name === "TokenService.fetch")).toBe(true)
      expect(spans.some((span) => span.name === "TokenExchange.exchange")).toBe(true)
      expect(spans.some((span) => span.name === "TokenIntrospection.introspect")).toBe(true)
      expect(spans.some((span) => span.name.startsWith("http.client"))).toBe(true)
      for (const token of issued) {
        const leaks = [...captured, ...spans.map(describeSpan)].filter((text) => text.includes(token))
        expect(leaks.map((text) => text.slice(Math.max(0, text.indexOf(token) - 300), text.indexOf(token) + 20))).toEqual([])
        expect(everything).not.toContain(token)
        // Nor its signature, the part that makes it usable.
        expect(everything).not.toContain(token.split(".")[2])
      }
      expect(everything).not.toMatch(/leak\.\w+\.token/)
    }))
})
