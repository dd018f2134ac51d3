/**
 * The testkit's `TexasEmulator` layer (Effect 3): the shared emulator started for a scope and
 * stopped with it. The emulator itself is tested with it, in `packages/emulator/test`.
 */
import { it as effectIt } from "@effect/vitest"
import { startTexasEmulator, TexasEmulator } from "@effect-texas/testkit"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { afterAll, beforeAll, describe, expect } from "vitest"
import type { TexasEmulatorHandle } from "@effect-texas/testkit"

const postJson = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
const maskinporten = (target: string) => ({ identity_provider: "maskinporten", target })

// An emulator already on a port, to take it.
let emulator: TexasEmulatorHandle
beforeAll(async () => {
  emulator = await startTexasEmulator()
})
afterAll(() => emulator.close())

describe("as an Effect layer", () => {
  effectIt.scoped("starts on a free port for the scope and stops with it", () =>
    Effect.gen(function*() {
      const endpoint = yield* Effect.scoped(
        Effect.gen(function*() {
          const emulator = yield* TexasEmulator
          const response = yield* Effect.promise(() => postJson(emulator.tokenEndpoint, maskinporten("skatt:any")))
          expect(response.status).toBe(200)
          yield* Effect.promise(() => response.arrayBuffer())
          expect((yield* emulator.stats).tokensIssued).toBe(1)
          return emulator.tokenEndpoint
        }).pipe(Effect.provide(TexasEmulator.layer()))
      )
      // Once the scope has closed, nothing listens there any more.
      const after = yield* Effect.either(Effect.tryPromise(() => postJson(endpoint, maskinporten("skatt:any"))))
      expect(after._tag).toBe("Left")
    }))

  effectIt.effect("fails with a typed error when the port is taken", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.scoped(Layer.build(TexasEmulator.layer({ port: Number(new URL(emulator.url).port) })))
      )
      expect(error._tag).toBe("EmulatorStartError")
      expect(error.message).toContain("could not listen")
    }))
})

