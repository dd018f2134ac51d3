/**
 * Scripted faults for the emulator's endpoints (from `@effect-texas/emulator`).
 *
 * @since 1.0.0
 */
export * from "@effect-texas/emulator/Fault"
