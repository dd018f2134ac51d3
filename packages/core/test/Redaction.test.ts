import { describe, expect, it } from "@effect/vitest"
import { Maskinporten, TokenService } from "@effect-texas/core"
import { Fault, startTexasEmulator, type TexasEmulatorHandle } from "@effect-texas/testkit"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as Tracer from "effect/Tracer"
import { afterAll, beforeAll } from "vitest"
import { tokensFor } from "./helpers.js"

let emulator: TexasEmulatorHandle

beforeAll(async () => {
  emulator = await startTexasEmulator({ grantedScopes: ["skatt:some.scope"] })
})
afterAll(() => emulator.close())

/** Everything a run put in logs and spans, as text. */
const captured: Array<string> = []

const capturingLogger = Logger.make(({ message, cause, annotations, spans }) => {
  captured.push(
    JSON.stringify(message),
    String(message),
    Cause.pretty(cause),
    JSON.stringify([...annotations]),
    JSON.stringify([...spans])
  )
})

/**
 * What a tracing exporter emits of a span: name, attributes, events and, for a
 * failure, its cause. (Exporters never emit a success value; the platform's
 * http.client span ends with the whole response, body included.)
 */
const describeSpan = (span: Tracer.Span): string => {
  const exit = span.status._tag === "Ended" ? span.status.exit : undefined
  return JSON.stringify({
    name: span.name,
    attributes: [...span.attributes].map(([k, v]) => [k, String(v)]),
    failure: exit !== undefined && Exit.isFailure(exit) ? Cause.pretty(exit.cause) : undefined
  })
}

/** Wraps the default tracer and keeps every span it makes, to read their attributes, events and exits afterwards. */
const recordingTracer = Effect.map(Effect.tracer, (base) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (...args) => {
      const span = base.span(...args)
      spans.push(span)
      return span
    },
    context: base.context
  })
  return { tracer, spans }
})

describe("no token in logs, spans or errors", () => {
  it.live("a run with successes, hits, forced fetches and every kind of failure leaks no issued token", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* recordingTracer
      const scenario = Effect.gen(function*() {
        const token = yield* Maskinporten.token("skatt:some.scope")
        yield* Effect.log("got", token, { token })
        yield* Effect.logInfo(JSON.stringify(token))
        yield* Maskinporten.token("skatt:some.scope")
        yield* Maskinporten.token("skatt:some.scope", { skipCache: true })

        // Answers that carry token-like strings but are not usable tokens.
        emulator.inject(Fault.respond(200, { access_token: "leak.me.mac", expires_in: 60, token_type: "mac" }))
        emulator.inject(Fault.respond(200, { access_token: "leak.me.zero", expires_in: 0, token_type: "Bearer" }))
        emulator.inject(Fault.respond(200, "{\"access_token\":\"leak.me.broken"))
        emulator.inject(Fault.truncated)
        for (let i = 0; i < 3; i++) {
          const failure = yield* Effect.flip(Maskinporten.token("skatt:some.scope", { skipCache: true }))
          yield* Effect.logError("token failed", failure, Cause.fail(failure))
          captured.push(String(failure), JSON.stringify(failure), failure.message)
        }
        const refused = yield* Effect.flip(Maskinporten.token("skatt:not.granted"))
        yield* Effect.logWarning(refused)
        yield* Effect.logError(Cause.fail(refused))
      })
      yield* scenario.pipe(
        Effect.withSpan("scenario"),
        Effect.provide(tokensFor(emulator)),
        Effect.provide(Logger.replace(Logger.defaultLogger, capturingLogger)),
        Effect.withTracer(tracer)
      )

      const issued = emulator.issuedTokens()
      expect(issued.length).toBeGreaterThanOrEqual(2)
      expect(spans.some((span) => span.name === "TokenService.fetch")).toBe(true)
      const everything = [...captured, ...spans.map(describeSpan)].join("\n")
      expect(everything).toContain("skatt:some.scope") // the scan does see what was logged
      for (const token of issued) {
        expect(everything).not.toContain(token)
        // Nor any recognisable piece of it (header, payload, signature).
        for (const part of token.split(".")) expect(everything).not.toContain(part)
      }
      expect(everything).not.toContain("leak.me")
    }))

  it.effect("the service's own spans carry provider, target and attempts, never the token", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* recordingTracer
      yield* Effect.flatMap(TokenService, (service) => service.token({ identityProvider: "maskinporten", target: "skatt:some.scope" })).pipe(
        Effect.provide(tokensFor(emulator)),
        Effect.withTracer(tracer)
      )
      const fetch = spans.find((span) => span.name === "TokenService.fetch")
      expect(fetch?.attributes.get("texas.identity_provider")).toBe("maskinporten")
      expect(fetch?.attributes.get("texas.target")).toBe("skatt:some.scope")
      expect(fetch?.attributes.get("texas.cache_hit")).toBe(false)
      expect(fetch?.attributes.get("texas.attempts")).toBe(1)
      expect(Number(fetch?.attributes.get("texas.expires_in"))).toBeGreaterThan(3500)
    }))
})
