/**
 * The emulator of Altinn's token exchange from `@effect-texas/emulator`, as
 * an Effect 3 service bound to the `TexasEmulator`, and re-exported.
 *
 * @since 0.1.0
 */
import { type AltinnEmulatorHandle, type AltinnEmulatorOptions, startAltinnEmulator } from "@effect-texas/emulator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { EmulatorStartError, TexasEmulator } from "./TexasEmulator.js"

export {
  type AltinnEmulatorHandle,
  type AltinnEmulatorOptions,
  type AltinnRequest,
  startAltinnEmulator
} from "@effect-texas/emulator"

// ---- Service -----------------------------------------------------------------

/**
 * The Altinn emulator as an Effect service, bound to the `TexasEmulator` in context.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { AltinnEmulator, TexasEmulator } from "@effect-texas/testkit"
 *
 * const TestServers = AltinnEmulator.layer().pipe(Layer.provideMerge(TexasEmulator.layer()))
 * ```
 *
 * @category Services
 * @since 0.1.0
 */
export class AltinnEmulator extends Context.Tag("@effect-texas/testkit/AltinnEmulator")<AltinnEmulator, AltinnEmulatorHandle>() {
  /**
   * Starts the emulator for the layer's scope, trusting the `TexasEmulator` in context.
   *
   * @since 0.1.0
   */
  static readonly layer = (
    options: AltinnEmulatorOptions = {}
  ): Layer.Layer<AltinnEmulator, EmulatorStartError, TexasEmulator> =>
    Layer.scoped(
      AltinnEmulator,
      Effect.flatMap(TexasEmulator, (texas) =>
        Effect.acquireRelease(
          Effect.tryPromise({
            try: () => startAltinnEmulator(texas.handle, options),
            catch: (cause) => new EmulatorStartError({ host: options.host ?? "127.0.0.1", port: options.port ?? 0, cause })
          }),
          (altinn) => Effect.promise(() => altinn.close())
        ))
    )
}
