/**
 * Shared wiring for the core tests: a TokenService against an emulator over
 * loopback, and a way to wait for background work in real time while the test
 * itself runs on the TestClock.
 */
import { FetchHttpClient } from "@effect/platform"
import { type InvalidTokenRequest, TokenService, type TokenServiceOptions } from "@effect-texas/core"
import type { TexasEmulatorHandle } from "@effect-texas/testkit"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"

/** A TokenService for `emulator`, with quick retries unless told otherwise. */
export const tokensFor = (
  emulator: TexasEmulatorHandle,
  options: Omit<TokenServiceOptions, "endpoint"> = {}
): Layer.Layer<TokenService, InvalidTokenRequest> =>
  TokenService.layer({
    endpoint: emulator.tokenEndpoint,
    retrySchedule: Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(3))),
    ...options
  }).pipe(Layer.provide(FetchHttpClient.layer))

/** Real-time sleep, unaffected by the TestClock. */
export const realSleep = (millis: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

/** Polls `condition` in real time until it holds (or 5 s pass), for background fetches over loopback. */
export const eventually = (condition: () => boolean): Effect.Effect<void> =>
  Effect.gen(function*() {
    for (let waited = 0; waited < 5000 && !condition(); waited += 10) yield* realSleep(10)
    if (!condition()) return yield* Effect.die(new Error("condition not reached within 5 s"))
  })

/** Token requests the emulator has received. */
export const tokenRequests = (emulator: TexasEmulatorHandle) =>
  emulator.requests().filter((request) => request.path === "/api/v1/token")
