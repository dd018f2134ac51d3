/**
 * What the emulator saw (from `@effect-texas/emulator`).
 *
 * @since 0.1.0
 */
export type { EmulatorStats, RecordedRequest } from "@effect-texas/emulator/EmulatorLog"
