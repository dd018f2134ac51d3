/**
 * Shared wiring for the reliability suite: services against an emulator over
 * loopback, and checks that a token handed out is one the emulator really
 * issued and that it is still valid.
 */
import { FetchHttpClient } from "@effect/platform"
import { type AccessToken, type InvalidTokenRequest, TokenService, type TokenServiceOptions } from "@effect-texas/core"
import type { TexasEmulatorHandle } from "@effect-texas/testkit"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Jose from "jose"

/** Retries as the default policy counts them (3), but 10 ms apart so the suite stays quick. */
export const quickRetries = Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(3)))

/** A TokenService for `emulator` over `fetch`, with quick retries unless told otherwise. */
export const tokensFor = (
  emulator: TexasEmulatorHandle,
  options: Omit<TokenServiceOptions, "endpoint"> = {}
): Layer.Layer<TokenService, InvalidTokenRequest> =>
  TokenService.layer({ endpoint: emulator.tokenEndpoint, retrySchedule: quickRetries, ...options }).pipe(
    Layer.provide(FetchHttpClient.layer)
  )

/**
 * Fails (as a defect: the suite's own assertion) unless `token` is a JWT the
 * emulator signed, its signature verifies, and it has not expired by the
 * emulator's clock.
 */
export const assertIssuedAndValid = (emulator: TexasEmulatorHandle, token: AccessToken) =>
  Effect.promise(async () => {
    const value = Redacted.value(token.accessToken)
    if (!emulator.issuedTokens().includes(value)) throw new Error("handed out a token the emulator never issued")
    await Jose.jwtVerify(value, Jose.createLocalJWKSet(emulator.jwks), {
      currentDate: new Date(emulator.now())
    })
    if (token.expiresAt.epochMillis <= emulator.now()) throw new Error("handed out an expired token")
  })

/** Token requests the emulator has received since its last reset. */
export const tokenRequestCount = (emulator: TexasEmulatorHandle) => emulator.stats().tokenRequests
