/**
 * Scripted faults for the emulator's endpoints (from `@effect-texas/emulator`).
 *
 * @since 0.1.0
 */
export * from "@effect-texas/emulator/Fault"
