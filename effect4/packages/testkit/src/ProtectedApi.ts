/**
 * The protected API of `@effect-texas/emulator` as an Effect 4 service, bound
 * to the `TexasEmulator` in context, and re-exported.
 *
 * @since 1.0.0
 */
import { type ProtectedApiHandle, type ProtectedApiOptions, startProtectedApi } from "@effect-texas/emulator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { EmulatorStartError, TexasEmulator } from "./TexasEmulator.js"

export { type ApiRequest, type ProtectedApiHandle, type ProtectedApiOptions, startProtectedApi } from "@effect-texas/emulator"

/**
 * A running protected API.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { ProtectedApi, TexasEmulator } from "@effect-texas/testkit"
 *
 * const TestServers = ProtectedApi.layer({ requiredScope: "skatt:some.scope" }).pipe(Layer.provideMerge(TexasEmulator.layer()))
 * ```
 *
 * @category Services
 * @since 1.0.0
 */
export class ProtectedApi extends Context.Service<ProtectedApi, ProtectedApiHandle>()("@effect-texas/testkit/ProtectedApi") {
  /**
   * Starts the API for the layer's scope, trusting the `TexasEmulator` in context.
   *
   * @since 1.0.0
   */
  static readonly layer = (options: ProtectedApiOptions = {}): Layer.Layer<ProtectedApi, EmulatorStartError, TexasEmulator> =>
    Layer.effect(
      ProtectedApi,
      Effect.flatMap(TexasEmulator, (emulator) =>
        Effect.acquireRelease(
          Effect.tryPromise({
            try: () => startProtectedApi(emulator.handle, options),
            catch: (cause) => new EmulatorStartError({ host: options.host ?? "127.0.0.1", port: options.port ?? 0, cause })
          }),
          (api) => Effect.promise(() => api.close())
        ))
    )
}
