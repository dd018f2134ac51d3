/**
 * Test tools for Effect 4 applications that use the NAIS token sidecar: the
 * Texas emulator and a protected API as layers (the servers themselves come
 * from `@effect-texas/emulator`, shared with the Effect 3 line).
 *
 * @since 1.0.0
 *
 * @document ../README.md
 * @module @effect-texas/testkit
 */

/**
 * Scripted faults for the emulator's endpoints.
 *
 * @category Modules
 * @since 1.0.0
 */
export * as Fault from "./Fault.js"

export type { EmulatorStats, RecordedRequest } from "@effect-texas/emulator"

export {
  AltinnEmulator,
  type AltinnEmulatorHandle,
  type AltinnEmulatorOptions,
  type AltinnRequest,
  startAltinnEmulator
} from "./AltinnEmulator.js"

export {
  type ApiRequest,
  ProtectedApi,
  type ProtectedApiHandle,
  type ProtectedApiOptions,
  startProtectedApi
} from "./ProtectedApi.js"

export {
  EmulatorStartError,
  fromHandle,
  type IdentityProvider,
  type ProviderOptions,
  type ProvidersOptions,
  startTexasEmulator,
  TexasEmulator,
  type TexasEmulatorHandle,
  type TexasEmulatorOptions,
  type UserTokenOptions
} from "./TexasEmulator.js"
