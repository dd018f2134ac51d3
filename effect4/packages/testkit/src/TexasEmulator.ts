/**
 * The Texas emulator as an Effect 4 service: a scoped `Layer` around the
 * Effect-free emulator of `@effect-texas/emulator` (re-exported here), the
 * same server the Effect 3 line's testkit runs.
 *
 * @since 1.0.0
 */
import { Messages } from "@effect-texas/protocol"
import {
  type EmulatorStats,
  type IdentityProvider,
  type RecordedRequest,
  startTexasEmulator,
  type TexasEmulatorHandle,
  type TexasEmulatorOptions,
  type UserTokenOptions
} from "@effect-texas/emulator"
import type * as Fault from "@effect-texas/emulator/Fault"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export {
  type IdentityProvider,
  type ProviderOptions,
  type ProvidersOptions,
  startTexasEmulator,
  type TexasEmulatorHandle,
  type TexasEmulatorOptions,
  type UserTokenOptions
} from "@effect-texas/emulator"

/**
 * The emulator could not start (most often: the port is taken).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TexasEmulator } from "@effect-texas/testkit"
 *
 * const program = Effect.void.pipe(
 *   Effect.provide(TexasEmulator.layer({ port: 8090 })),
 *   Effect.catchTag("EmulatorStartError", (error) => Effect.logError(`port ${error.port} is taken`))
 * )
 * ```
 *
 * @category Errors
 * @since 1.0.0
 */
export class EmulatorStartError extends Data.TaggedError("EmulatorStartError")<{
  readonly host: string
  readonly port: number
  readonly cause: unknown
}> {
  override get message(): string {
    return Messages.emulatorCannotListen(this)
  }
}

/**
 * The running emulator: its addresses, and its controls as effects.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TexasEmulator } from "@effect-texas/testkit"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* TexasEmulator
 *   yield* Effect.log(`export NAIS_TOKEN_ENDPOINT=${emulator.tokenEndpoint}`)
 * }).pipe(Effect.provide(TexasEmulator.layer()))
 * ```
 *
 * @category Services
 * @since 1.0.0
 */
export class TexasEmulator extends Context.Service<TexasEmulator, {
  readonly url: string
  /** The value for `NAIS_TOKEN_ENDPOINT`. */
  readonly tokenEndpoint: string
  readonly jwksUri: string
  /** The emulator's page for local development: the live log, minting users' tokens, fault controls (loopback only). */
  readonly pageUrl: string
  /** The underlying handle, for the synchronous controls. */
  readonly handle: TexasEmulatorHandle
  readonly inject: (fault: Fault.Fault, times?: number) => Effect.Effect<void>
  /** Each answer fails with `fault` at this probability, until `reset`. */
  readonly injectRandomly: (fault: Fault.Fault, probability: number) => Effect.Effect<void>
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly stats: Effect.Effect<EmulatorStats>
  /** Every token the emulator has handed out. */
  readonly issuedTokens: Effect.Effect<ReadonlyArray<string>>
  readonly issueUserToken: (options: UserTokenOptions) => Effect.Effect<string>
  /** Makes introspection call `token` active for `provider` (a token the emulator did not sign). */
  readonly accept: (token: string, provider: IdentityProvider) => Effect.Effect<void>
  readonly grant: (...scopes: ReadonlyArray<string>) => Effect.Effect<void>
  readonly revoke: (...scopes: ReadonlyArray<string>) => Effect.Effect<void>
  readonly advance: (duration: Duration.Input) => Effect.Effect<void>
  readonly reset: Effect.Effect<void>
  /** The sidecar restarts: its ports refuse connections for `duration`, then serve again (as while it starts). */
  readonly restart: (duration: Duration.Input) => Effect.Effect<void>
}>()("@effect-texas/testkit/TexasEmulator") {
  /**
   * Starts the emulator for the layer's scope, on a free port unless told otherwise.
   *
   * @since 1.0.0
   */
  static readonly layer = (options: TexasEmulatorOptions = {}): Layer.Layer<TexasEmulator, EmulatorStartError> =>
    Layer.effect(
      TexasEmulator,
      Effect.map(
        Effect.acquireRelease(
          Effect.tryPromise({
            try: () => startTexasEmulator(options),
            catch: (cause) => new EmulatorStartError({ host: options.host ?? "127.0.0.1", port: options.port ?? 0, cause })
          }),
          (handle) => Effect.promise(() => handle.close())
        ),
        fromHandle
      )
    )
}

/**
 * Wraps a handle as the Effect service.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { fromHandle, startTexasEmulator, TexasEmulator } from "@effect-texas/testkit"
 *
 * const handle = await startTexasEmulator()
 * const stats = TexasEmulator.use((emulator) => emulator.stats).pipe(
 *   Effect.provideService(TexasEmulator, fromHandle(handle))
 * )
 * ```
 *
 * @category Constructors
 * @since 1.0.0
 */
export const fromHandle = (handle: TexasEmulatorHandle): TexasEmulator["Service"] => ({
  url: handle.url,
  tokenEndpoint: handle.tokenEndpoint,
  jwksUri: handle.jwksUri,
  pageUrl: handle.pageUrl,
  handle,
  inject: (fault, times) => Effect.sync(() => handle.inject(fault, times)),
  injectRandomly: (fault, probability) => Effect.sync(() => handle.injectRandomly(fault, probability)),
  requests: Effect.sync(handle.requests),
  stats: Effect.sync(handle.stats),
  issuedTokens: Effect.sync(handle.issuedTokens),
  issueUserToken: (options) => Effect.promise(() => handle.issueUserToken(options)),
  accept: (token, provider) => Effect.sync(() => handle.accept(token, provider)),
  grant: (...scopes) => Effect.sync(() => handle.grant(...scopes)),
  revoke: (...scopes) => Effect.sync(() => handle.revoke(...scopes)),
  advance: (duration) => Effect.sync(() => handle.advance(Duration.toMillis(Duration.fromInputUnsafe(duration)))),
  reset: Effect.sync(handle.reset),
  restart: (duration) => Effect.promise(() => handle.restart(Duration.toMillis(duration)))
})

