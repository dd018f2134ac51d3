/**
 * The protected API of `@effect-texas/emulator` (a small API that verifies
 * the bearer token's signature, expiry and scope, and answers 401 or 403 as
 * a real resource server would) as an Effect 3 service, and re-exported.
 *
 * @since 0.1.0
 */
import { type ProtectedApiHandle, type ProtectedApiOptions, startProtectedApi } from "@effect-texas/emulator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { EmulatorStartError, TexasEmulator } from "./TexasEmulator.js"

export { type ApiRequest, type ProtectedApiHandle, type ProtectedApiOptions, startProtectedApi } from "@effect-texas/emulator"

// ---- Service -----------------------------------------------------------------

/**
 * The protected API as an Effect service, bound to the `TexasEmulator` in context.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { ProtectedApi, TexasEmulator } from "@effect-texas/testkit"
 *
 * const TestServers = ProtectedApi.layer({ requiredScope: "skatt:some.scope" }).pipe(
 *   Layer.provideMerge(TexasEmulator.layer())
 * )
 * ```
 *
 * @category Services
 * @since 0.1.0
 */
export class ProtectedApi extends Context.Tag("@effect-texas/testkit/ProtectedApi")<ProtectedApi, ProtectedApiHandle>() {
  /**
   * Starts the API for the layer's scope, trusting the `TexasEmulator` in context.
   *
   * @since 0.1.0
   */
  static readonly layer = (
    options: ProtectedApiOptions = {}
  ): Layer.Layer<ProtectedApi, EmulatorStartError, TexasEmulator> =>
    Layer.scoped(
      ProtectedApi,
      Effect.flatMap(TexasEmulator, (emulator) =>
        Effect.acquireRelease(
          Effect.tryPromise({
            try: () => startProtectedApi(emulator.handle, options),
            catch: (cause) =>
              new EmulatorStartError({ host: options.host ?? "127.0.0.1", port: options.port ?? 0, cause })
          }),
          (api) => Effect.promise(() => api.close())
        ))
    )
}
