/**
 * Test tools for applications that use the NAIS token sidecar: a Texas
 * emulator that speaks the real protocol over loopback, and a protected API
 * that accepts only its tokens.
 *
 * @since 0.1.0
 *
 * @document ../README.md
 * @module @effect-texas/testkit
 */

/**
 * Scripted faults for the emulator's token endpoint.
 *
 * @category Modules
 * @since 0.1.0
 */
export * as Fault from "./Fault.js"

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

export type { EmulatorStats, RecordedRequest } from "./EmulatorLog.js"

export {
  EmulatorStartError,
  fromHandle,
  type IdentityProvider,
  type ProviderOptions,
  type ProvidersOptions,
  type Service as TexasEmulatorService,
  startTexasEmulator,
  TexasEmulator,
  type TexasEmulatorHandle,
  type TexasEmulatorOptions,
  type UserTokenOptions
} from "./TexasEmulator.js"
