/**
 * The Texas emulator without Effect: a real HTTP server on loopback that
 * speaks the NAIS token sidecar's protocol, a protected API that takes its
 * tokens, and an emulator of Altinn's token exchange. Both lines of
 * `@effect-texas/testkit` wrap it as layers; use it directly from any test.
 *
 * @since 0.1.0
 *
 * @document ../README.md
 * @module @effect-texas/emulator
 */

/**
 * Lengths of time as the emulator takes them.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Duration from "./Duration.js"

/**
 * Scripted faults for the emulator's endpoints.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Fault from "./Fault.js"

export {
  type AltinnEmulatorHandle,
  type AltinnEmulatorOptions,
  type AltinnRequest,
  startAltinnEmulator
} from "./AltinnEmulator.js"

export { runCommand } from "./Command.js"

export type { EmulatorStats, RecordedRequest, SeenToken } from "./EmulatorLog.js"

export {
  type ApiRequest,
  type ProtectedApiHandle,
  type ProtectedApiOptions,
  startProtectedApi
} from "./ProtectedApi.js"

export {
  type IdentityProvider,
  type ProviderOptions,
  type ProvidersOptions,
  startTexasEmulator,
  type TexasEmulatorHandle,
  type TexasEmulatorOptions,
  type UserTokenOptions
} from "./TexasEmulator.js"
